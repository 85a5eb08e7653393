"""The change fixtures of tests/changes, for the change figures."""

from tests.changes.conftest import (  # noqa: F401 (fixtures used by name)
    cab_members,
    change_manager,
    implementer,
    make_change,
    network,
    operations,
    soon,
)
