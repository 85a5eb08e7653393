#!/usr/bin/env bash
# Vendor the front-end assets the service desk serves itself: Digdir's Designsystemet CSS (MIT) and
# the Inter variable font (SIL OFL 1.1). No page may load anything from a CDN, so these files are
# committed under static/vendor/ and served by Django/WhiteNoise like the project's own static files.
#
# Usage:
#   scripts/vendor-designsystemet.sh           install the pinned versions from npm and (re)write
#                                              static/vendor/designsystemet/ and static/vendor/inter/
#   scripts/vendor-designsystemet.sh --check   install and build into a temporary folder only, and
#                                              exit 1 if the committed files differ from it
#
# To upgrade, change the versions below, run the script, look at the diff and at the pages, and
# update the versions in docs/frontend.md. Re-running with unchanged versions gives identical files.
# Needs node and npm (the Debian packages are enough); only the npm registry is contacted.
set -euo pipefail

DS_CSS_PACKAGE="@digdir/designsystemet-css"
DS_CSS_VERSION="1.22.0"
INTER_PACKAGE="@fontsource-variable/inter"
INTER_VERSION="5.3.0"
# Unicode subsets of Inter to ship: latin covers Norwegian (æ ø å) and English, latin-ext covers
# Sámi letters (á č đ ŋ š ŧ ž) and other European names.
INTER_SUBSETS=(latin latin-ext)

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vendor_dir="$repo_root/static/vendor"

mode="write"
case "${1:-}" in
  "") ;;
  --check) mode="check" ;;
  -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "unknown argument: $1 (use --check or nothing)" >&2; exit 2 ;;
esac

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install nodejs npm)" >&2; exit 1; }
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "Installing $DS_CSS_PACKAGE@$DS_CSS_VERSION and $INTER_PACKAGE@$INTER_VERSION from npm ..."
npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund --loglevel=error \
  --prefix "$tmp" "$DS_CSS_PACKAGE@$DS_CSS_VERSION" "$INTER_PACKAGE@$INTER_VERSION" >/dev/null

ds_pkg="$tmp/node_modules/$DS_CSS_PACKAGE"
inter_pkg="$tmp/node_modules/$INTER_PACKAGE"

# Refuse to vendor anything but the pinned versions under the licences checked when they were
# chosen (MIT allows redistribution with the notice; the OFL allows bundling fonts with software
# provided the licence travels with them).
check_package() {  # dir name version licence
  # shellcheck disable=SC2016  # the single-quoted text is JavaScript, with its own ${…}
  node -e '
    const [dir, name, version, licence] = process.argv.slice(1);
    const pkg = require(dir + "/package.json");
    const problems = [];
    if (pkg.name !== name) problems.push(`name is ${pkg.name}`);
    if (pkg.version !== version) problems.push(`version is ${pkg.version}, pinned ${version}`);
    if (pkg.license !== licence) problems.push(`licence is ${pkg.license}, expected ${licence}`);
    if (problems.length) { console.error(`${name}: ${problems.join("; ")}`); process.exit(1); }
  ' "$1" "$2" "$3" "$4"
}
check_package "$ds_pkg" "$DS_CSS_PACKAGE" "$DS_CSS_VERSION" "MIT"
check_package "$inter_pkg" "$INTER_PACKAGE" "$INTER_VERSION" "OFL-1.1"
for file in "$ds_pkg/dist/src/index.css" "$ds_pkg/dist/theme/designsystemet.css" "$ds_pkg/LICENSE" \
            "$inter_pkg/LICENSE" "$inter_pkg/wght.css" "$inter_pkg/wght-italic.css"; do
  [[ -s "$file" ]] || { echo "missing in the npm package: ${file#"$tmp"/node_modules/}" >&2; exit 1; }
done

out="$tmp/out"
mkdir -p "$out/designsystemet" "$out/inter"

# --- Designsystemet: the component CSS, the default theme (design tokens) and the licence --------
cp "$ds_pkg/dist/src/index.css" "$out/designsystemet/designsystemet.css"
cp "$ds_pkg/dist/theme/designsystemet.css" "$out/designsystemet/theme.css"
cp "$ds_pkg/LICENSE" "$out/designsystemet/LICENSE"
cat > "$out/designsystemet/VERSION" <<EOF
$DS_CSS_PACKAGE $DS_CSS_VERSION (MIT)
designsystemet.css = dist/src/index.css
theme.css = dist/theme/designsystemet.css (the default "designsystemet" theme)
Fonts: $INTER_PACKAGE $INTER_VERSION (OFL-1.1), see ../inter/
Written by scripts/vendor-designsystemet.sh; do not edit by hand.
EOF

# --- Inter: the variable-weight woff2 files for the chosen subsets, normal and italic -----------
# The theme says `font-family: Inter`, so the faces are declared under that name. The unicode-range
# of each face is taken from the package's own CSS so that browsers fetch a file only when the page
# uses characters from it.
node - "$inter_pkg" "$out/inter" "$INTER_PACKAGE" "$INTER_VERSION" "${INTER_SUBSETS[@]}" <<'NODE'
const fs = require("fs");
const path = require("path");
const [pkgDir, outDir, pkgName, pkgVersion, ...subsets] = process.argv.slice(2);
const faces = [];
for (const [style, cssFile] of [["normal", "wght.css"], ["italic", "wght-italic.css"]]) {
  const css = fs.readFileSync(path.join(pkgDir, cssFile), "utf8");
  const blocks = new Map();
  for (const block of css.match(/@font-face\s*{[^}]*}/g) || []) {
    const url = /url\(\s*["']?([^"')]+)["']?\s*\)/.exec(block);
    const range = /unicode-range:\s*([^;]+);/.exec(block);
    if (url && range) blocks.set(path.basename(url[1]), { url: url[1], range: range[1].trim() });
  }
  for (const subset of subsets) {
    const file = `inter-${subset}-wght-${style}.woff2`;
    const face = blocks.get(file);
    if (!face) { console.error(`${cssFile} has no @font-face for ${file}`); process.exit(1); }
    fs.copyFileSync(path.join(pkgDir, face.url), path.join(outDir, file));
    faces.push(
      `/* ${subset}, ${style} */\n@font-face {\n  font-family: "Inter";\n  font-style: ${style};\n` +
      `  font-weight: 100 900;\n  font-display: swap;\n  src: url("${file}") format("woff2");\n` +
      `  unicode-range: ${face.range};\n}\n`
    );
  }
}
const header =
  `/* Inter (variable, weights 100-900), ${subsets.join(" + ")} subsets, from ${pkgName} ${pkgVersion}.\n` +
  ` * Copyright 2016 The Inter Project Authors, SIL Open Font License 1.1 (see LICENSE beside this file).\n` +
  ` * Written by scripts/vendor-designsystemet.sh; do not edit by hand. */\n`;
fs.writeFileSync(path.join(outDir, "inter.css"), header + "\n" + faces.join("\n"));
NODE
cp "$inter_pkg/LICENSE" "$out/inter/LICENSE"
cat > "$out/inter/VERSION" <<EOF
$INTER_PACKAGE $INTER_VERSION (OFL-1.1)
Subsets: ${INTER_SUBSETS[*]}; styles: normal, italic; variable weight axis 100-900
Written by scripts/vendor-designsystemet.sh; do not edit by hand.
EOF

if [[ "$mode" == "check" ]]; then
  status=0
  for name in designsystemet inter; do
    if ! diff -r "$out/$name" "$vendor_dir/$name" >/dev/null 2>&1; then
      echo "static/vendor/$name differs from $DS_CSS_PACKAGE@$DS_CSS_VERSION / $INTER_PACKAGE@$INTER_VERSION:" >&2
      diff -rq "$out/$name" "$vendor_dir/$name" >&2 || true
      status=1
    fi
  done
  [[ $status -eq 0 ]] && echo "static/vendor/ matches the pinned versions."
  exit "$status"
fi

mkdir -p "$vendor_dir"
for name in designsystemet inter; do
  rm -rf "${vendor_dir:?}/$name"
  cp -R "$out/$name" "$vendor_dir/$name"
done
chmod -R u=rwX,go=rX "$vendor_dir/designsystemet" "$vendor_dir/inter"

echo "Wrote:"
(cd "$repo_root" && find static/vendor/designsystemet static/vendor/inter -type f -printf '  %p (%s bytes)\n' | sort)
