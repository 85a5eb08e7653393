"""Filters of the API's ticket list, by the codes and usernames an integration knows.

They narrow a queryset that is already scoped to what the user may see (tickets_visible_to); the free
text search is the workspace's own (tickets.selectors.search). An unknown code or username matches
nothing; a value that is not one of the choices is a 400 naming the parameter.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from tickets import selectors
from tickets.models import Kind, Priority, Status, Ticket


class TicketApiFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices, help_text=_("The kind of ticket."))
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices,
        distinct=False,
        help_text=_("One or more statuses (repeat the parameter)."),
    )
    priority = django_filters.MultipleChoiceFilter(
        choices=Priority.choices,
        distinct=False,
        help_text=_("One or more priorities, 1–4 (repeat the parameter)."),
    )
    service = django_filters.CharFilter(field_name="service__code", help_text=_("A service's code."))
    group = django_filters.CharFilter(
        field_name="support_group__code", help_text=_("A support group's code.")
    )
    assignee = django_filters.CharFilter(
        field_name="assignee__username", help_text=_("The assignee's username.")
    )
    requester = django_filters.CharFilter(
        field_name="requester__username", help_text=_("The requester's username.")
    )
    external_id = django_filters.CharFilter(
        field_name="external_id", help_text=_("The id the ticket had in the system it was imported from.")
    )
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_("Only tickets changed at or after this time (ISO 8601, e.g. 2026-05-01T08:00:00Z)."),
    )
    q = django_filters.CharFilter(
        method="filter_text", help_text=_("Free text: a ticket number, or text in the title or description.")
    )

    class Meta:
        model = Ticket
        fields = []

    def is_valid(self) -> bool:
        """Refuse an empty value where the parameter must be a choice or a time (else it would be ignored)."""
        valid = super().is_valid()
        for name in ("kind", "updated_since"):
            if name in self.data and not str(self.data.get(name, "")).strip():
                self.form.add_error(name, _("Give a value, or leave the parameter out."))
                valid = False
        return valid

    def filter_text(self, queryset, name, value):
        return selectors.search(queryset, value)
