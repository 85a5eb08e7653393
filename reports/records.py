"""The records behind a dashboard figure, for dashboard readers who do not work on tickets.

Management readers and service owners must be able to trace a number to its records, but they have no
business reading employees' problems. So they see each ticket's number and its non-personal facts
(kind, service, group, priority, status, dates): never a title, a description, a requester or an
assignee. Free-text search is left out for the same reason: it would let a reader probe the titles.
Those who work on tickets follow the same links to the queue instead.
"""

from __future__ import annotations

from django.db.models import QuerySet

from people.rules import is_administrator, is_management_reader
from tickets.filters import TicketFilter
from tickets.models import Ticket

RECORD_COLUMNS = ("number", "kind", "service", "group", "priority", "status", "opened", "resolved")


class RecordFilter(TicketFilter):
    """The queue's filters without those that would read or reveal people's text: search and assignee."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        del self.filters["q"]
        del self.filters["assignee"]


def records_visible_to(*, user) -> QuerySet[Ticket]:
    """Return the tickets whose records the user may list: all for management readers and administrators,
    the tickets of the services they own for service owners, none for anyone else."""
    tickets = Ticket.objects.select_related("service", "support_group").only(
        "number", "kind", "priority", "status", "opened_at", "resolved_at",
        "service__code", "service__name_nb", "service__name_en",
        "support_group__code", "support_group__name_nb", "support_group__name_en",
    )  # fmt: skip
    if is_administrator(user) or is_management_reader(user):
        return tickets
    return tickets.filter(service__owner=user)
