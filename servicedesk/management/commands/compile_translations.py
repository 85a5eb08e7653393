"""Compile the .po catalogues to .mo without GNU gettext, so a machine with only Python can do it."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po file to .mo (pure Python, needs polib)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Fail if a .mo file is missing or out of date."
        )

    def handle(self, *args, check: bool = False, **options):
        try:
            import polib
        except ImportError as exc:
            raise CommandError("polib is needed: pip install -e '.[dev]'") from exc
        stale = []
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                catalogue = polib.pofile(str(po_path))
                compiled = compile_catalogue(catalogue)
                if mo_path.exists() and mo_path.read_bytes() == compiled:
                    continue
                if check:
                    stale.append(str(mo_path))
                    continue
                mo_path.write_bytes(compiled)
                self.stdout.write(f"compiled {po_path}")
        if stale:
            raise CommandError("Out of date, run `make messages`: " + ", ".join(stale))


def compile_catalogue(catalogue) -> bytes:
    """Return the catalogue as .mo bytes, leaving out fuzzy and untranslated entries."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".mo") as handle:
        catalogue.save_as_mofile(handle.name)
        return Path(handle.name).read_bytes()
