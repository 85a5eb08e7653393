"""Who may record outages of a service: agents on any service, its owner and administrators."""

import rules

from people.rules import is_administrator, is_employee
from tickets.rules import works_tickets


@rules.predicate
def owns_service(user, service) -> bool:
    return service is not None and service.owner_id == user.pk


# Agents keep recording outages from an incident's page; a service's owner and administrators may also
# record (and end) outages of the service from the service's outage page.
records_outages_of = works_tickets | (is_employee & (is_administrator | owns_service))

rules.add_perm("incidents.record_service_outage", records_outages_of)
