"""Who may see and work on changes."""

import rules

from people.rules import is_administrator, is_cab_member, is_change_manager, is_employee
from tickets.rules import works_tickets

rules.add_perm("changes.view_change", is_employee & (works_tickets | is_cab_member | is_change_manager))
rules.add_perm("changes.raise_change", is_employee & (works_tickets | is_change_manager))
rules.add_perm("changes.work_change", is_employee & (works_tickets | is_change_manager))
rules.add_perm("changes.manage_changes", is_employee & (is_change_manager | is_administrator))
rules.add_perm("changes.vote", is_employee & is_cab_member)
