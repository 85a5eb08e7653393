"""Who may order, approve and fulfil. Which orders, approvals and lines each user sees is scoped in
orders/selectors.py; these are the "may use this area at all" checks (the header menu reads them)."""

import rules
from django.db.models import Q

from people import roles
from people.rules import has_role, is_administrator, is_agent, is_employee, is_group_lead


@rules.predicate
def decides_approvals(user) -> bool:
    """Return whether the user manages a unit, sits in an approver group or has approvals routed to them.

    One query, cached on the user object, so the menu costs at most one query per page for people
    without the approver role (those with it never reach this predicate).
    """
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_decides_approvals", None)
    if cached is None:
        from people.models import User

        cached = (
            User.objects.filter(pk=user.pk)
            .filter(
                Q(managed_units__isnull=False)
                | Q(approver_groups__isnull=False)
                | Q(approvals__decision="pending")
            )
            .exists()
        )
        user._decides_approvals = cached
    return cached


may_fulfil = is_employee & (is_agent | is_group_lead | is_administrator)
# Group leads and administrators see every group's lines, as they see every ticket; agents their groups'.
fulfils_for_every_group = is_employee & (is_group_lead | is_administrator)

rules.add_perm("orders.order", is_employee)
rules.add_perm("orders.approve", is_employee & (has_role(roles.APPROVER) | decides_approvals))
rules.add_perm("orders.fulfil", may_fulfil)
rules.add_perm("orders.fulfil_every_group", fulfils_for_every_group)
