"""Who may order, approve and fulfil. Which orders, approvals and lines each user sees is scoped in
orders/selectors.py; these are the "may use this area at all" checks (the header menu reads them)."""

import rules

from people import facts, roles
from people.rules import has_role, is_administrator, is_agent, is_employee, is_group_lead


def _has_approvals_to_decide() -> tuple[str, tuple]:
    """The people.facts condition: the user sits in an approver group or has approvals routed to them
    (managing a unit is people's own fact)."""
    from catalog.models import ApproverGroup
    from orders.models import Approval

    members = ApproverGroup.members.through
    member_column = members._meta.get_field("user").column
    approver = Approval._meta.get_field("approver").column
    decision = Approval._meta.get_field("decision").column
    # Names from the models' metadata; the values are parameters.
    return (
        f'(EXISTS (SELECT 1 FROM "{members._meta.db_table}" WHERE "{member_column}" = %s)'  # noqa: S608
        f' OR EXISTS (SELECT 1 FROM "{Approval._meta.db_table}" WHERE "{approver}" = %s AND "{decision}" = %s))',
        (facts.USER, facts.USER, Approval.Decision.PENDING.value),
    )


facts.register("has_approvals_to_decide", _has_approvals_to_decide)


@rules.predicate
def decides_approvals(user) -> bool:
    """Return whether the user manages a unit, sits in an approver group or has approvals routed to them.

    Read with the user's other facts (people.facts), so the menu costs no query of its own for it.
    """
    if not user.is_authenticated:
        return False
    facts.load(user)
    return user._manages_a_unit or user._has_approvals_to_decide


may_fulfil = is_employee & (is_agent | is_group_lead | is_administrator)
# Group leads and administrators see every group's lines, as they see every ticket; agents their groups'.
fulfils_for_every_group = is_employee & (is_group_lead | is_administrator)

rules.add_perm("orders.order", is_employee)
rules.add_perm("orders.approve", is_employee & (has_role(roles.APPROVER) | decides_approvals))
rules.add_perm("orders.fulfil", may_fulfil)
rules.add_perm("orders.fulfil_every_group", fulfils_for_every_group)
