"""Who may see and work on tickets."""

import rules

from people.rules import is_administrator, is_agent, is_employee, is_group_lead


@rules.predicate
def is_requester(user, ticket) -> bool:
    return ticket is not None and ticket.requester_id == user.pk


works_tickets = is_employee & (is_agent | is_group_lead | is_administrator)

rules.add_perm("tickets.work_on_tickets", works_tickets)
rules.add_perm("tickets.view_ticket", works_tickets | (is_employee & is_requester))
rules.add_perm("tickets.see_internal", works_tickets)
rules.add_perm("tickets.report_incident", is_employee)
