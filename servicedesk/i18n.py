"""Helpers for master data kept in both Norwegian Bokmål and English."""

from django.utils.translation import get_language


def in_active_language(nb: str, en: str) -> str:
    """Return the English text when English is active and given, else the Bokmål text."""
    if (get_language() or "nb").startswith("en") and en:
        return en
    return nb


class BilingualName:
    """For models with name_nb and name_en: `name` in the active language."""

    @property
    def name(self) -> str:
        return in_active_language(self.name_nb, self.name_en)
