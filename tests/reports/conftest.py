"""The change fixtures of tests/changes, for the change figures, and English messages."""

import pytest
from django.utils import translation

from tests.changes.conftest import (  # noqa: F401 (fixtures used by name)
    cab_members,
    change_manager,
    implementer,
    make_change,
    network,
    operations,
    soon,
)


@pytest.fixture(autouse=True)
def in_english():
    """Messages are checked in English, as in the other apps' tests; the reports render their own language."""
    with translation.override("en"):
        yield
