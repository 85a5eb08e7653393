"""Who may see and maintain services."""

import rules

from people.rules import (
    is_administrator,
    is_agent,
    is_employee,
    is_group_lead,
    is_management_reader,
    is_service_owner,
)


@rules.predicate
def owns_service(user, service) -> bool:
    return service is not None and service.owner_id == user.pk


# Employees see live services; the people who run services see every state.
sees_all_services = is_employee & (
    is_administrator | is_service_owner | is_agent | is_group_lead | is_management_reader
)

rules.add_perm("catalog.list_services", is_employee)
rules.add_perm("catalog.see_all_services", sees_all_services)
rules.add_perm("catalog.add_service", is_employee & is_administrator)
rules.add_perm("catalog.change_service", is_employee & (is_administrator | (is_service_owner & owns_service)))
rules.add_perm("catalog.view_service_history", sees_all_services)
