"""The facts about a user that the permission predicates ask on every page (the roles, and whether the
user leads a group, manages a unit or decides approvals), read in one plain SQL statement per user object.

Every page's menu asks all of them: as ORM queries they cost four statements that Django builds anew on
each request. Apps register the facts they own (orders registers "decides approvals" in orders/rules.py),
each as an SQL condition on the user's id; the statement is put together once, from the models' tables.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.contrib.auth.models import Group
from django.db import connections

# The user's id in a condition's parameters.
USER = object()

# name → a function returning (SQL condition, parameters); called once, when the models are ready.
_FACTS: dict[str, Callable[[], tuple[str, tuple]]] = {}


def register(name: str, condition: Callable[[], tuple[str, tuple]]) -> None:
    """Register a fact: ``condition`` returns an SQL condition and its parameters (USER for the user's
    id). The fact is then cached on each user object as ``_<name>``."""
    _FACTS[name] = condition
    _statement.cache_clear()


def _leads_a_group() -> tuple[str, tuple]:
    from people.models import SupportGroup

    lead = SupportGroup._meta.get_field("lead").column
    return f'EXISTS (SELECT 1 FROM "{SupportGroup._meta.db_table}" WHERE "{lead}" = %s)', (USER,)  # noqa: S608


def _manages_a_unit() -> tuple[str, tuple]:
    from people.models import OrgUnit

    manager = OrgUnit._meta.get_field("manager").column
    return f'EXISTS (SELECT 1 FROM "{OrgUnit._meta.db_table}" WHERE "{manager}" = %s)', (USER,)  # noqa: S608


@cache
def _statement() -> tuple[str, tuple]:
    """The statement: one ("role", name) row per role, then one (fact, NULL) row per fact that holds."""
    from people.models import User

    through = User.groups.through
    user_column = through._meta.get_field("user").column
    group_column = through._meta.get_field("group").column
    # Table and column names come from the models' metadata and the registered conditions; every value is
    # a parameter.
    parts = [
        f'SELECT \'\' AS "fact", g."name" AS "role" FROM "{Group._meta.db_table}" g '  # noqa: S608
        f'INNER JOIN "{through._meta.db_table}" ug ON ug."{group_column}" = g."{Group._meta.pk.column}" '
        f'WHERE ug."{user_column}" = %s'
    ]
    params: list = [USER]
    for name, condition in _FACTS.items():
        sql, condition_params = condition()
        parts.append(f"SELECT '{name}', NULL WHERE {sql}")
        params.extend(condition_params)
    return " UNION ALL ".join(parts), tuple(params)


def load(user) -> None:
    """Read the user's roles and facts, and cache them on the user object (no-op when done before)."""
    if getattr(user, "_role_codes", None) is not None:
        return
    sql, params = _statement()
    with connections[user._state.db or "default"].cursor() as cursor:
        cursor.execute(sql, [user.pk if param is USER else param for param in params])
        rows = cursor.fetchall()
    held = {fact for fact, _role in rows if fact}
    for name in _FACTS:
        setattr(user, f"_{name}", name in held)
    user._role_codes = frozenset(role for fact, role in rows if not fact)


register("leads_a_group", _leads_a_group)
register("manages_a_unit", _manages_a_unit)
