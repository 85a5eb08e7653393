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

# The asset register is the service desk's: agents and administrators search it, register equipment
# and move it between states; everyone else sees only what they hold (selectors.assets_visible_to).
# Predicates rather than the model permissions (catalog.view_asset …), which the roles also carry
# for the Django admin: the menu asks on every page, and a predicate costs no query.
manages_assets = is_employee & (is_agent | is_administrator)
rules.add_perm("catalog.use_asset_register", manages_assets)
rules.add_perm("catalog.manage_assets", manages_assets)
