"""The Norwegian Bokmål catalogue is complete, compiled and current with the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "nb" / "LC_MESSAGES" / "django.po"


def test_nb_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = polib.pofile(str(PO))
    assert len(catalogue) > 100
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    for entry in catalogue:
        if entry.msgid_plural:
            assert all(entry.msgstr_plural.values()), entry.msgid


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    for entry in polib.pofile(str(PO)):
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in translations:
            assert set(pattern.findall(entry.msgid)) <= set(pattern.findall(text)) | set(
                pattern.findall(entry.msgid_plural or "")
            ), entry.msgid


def test_compiled_catalogue_is_up_to_date():
    result = subprocess.run(
        [sys.executable, "manage.py", "compile_translations", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="makemessages needs GNU gettext (xgettext), "
    "which .ci/run installs; a machine without it still checks the catalogue above",
)
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """Run makemessages on a copy of the tree: it must find no message that the catalogue lacks."""
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "node_modules", "staticfiles", "var", "*.sqlite3*", "__pycache__", "bench"
        ),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nb", "--no-obsolete", "--ignore=tests/*"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    fresh = {entry.msgid for entry in polib.pofile(str(copy / "locale/nb/LC_MESSAGES/django.po"))}
    current = {entry.msgid for entry in polib.pofile(str(PO)) if not entry.obsolete}
    assert fresh - current == set(), "run `make messages` and translate the new strings"
