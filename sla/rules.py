"""Who may read the service levels and who may change the calendars, the policies and a service's hours."""

import rules

from catalog.rules import owns_service
from people.rules import is_administrator, is_employee, is_management_reader, is_service_owner
from tickets.rules import works_tickets

manages_sla = is_employee & (is_administrator | is_service_owner)

# Reading the calendars, policies and clocks: those who work tickets and those who answer for services.
rules.add_perm("sla.view_sla", works_tickets | (is_employee & (is_service_owner | is_management_reader)))
# The calendars and the default policy are shared by every service: administrators and service owners.
rules.add_perm("sla.manage_calendars", manages_sla)
rules.add_perm("sla.manage_policies", manages_sla)
# One service's own policy and support hours (object: the service): administrators any service, a service
# owner only the services they own.
rules.add_perm("sla.manage_service_sla", is_employee & (is_administrator | (is_service_owner & owns_service)))
