"""The queue filters: status, priority, group, assignee, service, kind, dates, free text.

Beside the form's fields, a few link-only parameters let other pages (the management dashboard's figures)
link to the tickets behind a number by the codes they hold: service_code, group (a support group's code),
kinds (one or more ticket kinds) and open_end_of (a date: the tickets open at the end of that day in
Europe/Oslo, by their timelines, as a month's backlog). They are read from the query string, not shown in
the form; a malformed date matches nothing.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Service
from people.models import SupportGroup, User
from tickets import selectors
from tickets.models import Kind, Priority, Status, Ticket

OSLO = ZoneInfo("Europe/Oslo")


class TicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    status = django_filters.MultipleChoiceFilter(
        distinct=False,
        label=_("Status"),
        choices=Status.choices,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    priority = django_filters.MultipleChoiceFilter(
        distinct=False,
        label=_("Priority"),
        choices=Priority.choices,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices, empty_label=_("All kinds"))
    support_group = django_filters.ModelChoiceFilter(
        label=_("Group"), queryset=SupportGroup.objects.all(), empty_label=_("All groups")
    )
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assignee"), queryset=User.objects.none(), empty_label=_("Anyone")
    )
    service = django_filters.ModelChoiceFilter(
        label=_("Service"), queryset=Service.objects.all(), empty_label=_("All services")
    )
    opened_from = django_filters.DateFilter(
        label=_("Opened from"),
        field_name="opened_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    opened_to = django_filters.DateFilter(
        label=_("Opened to"),
        field_name="opened_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    resolved_from = django_filters.DateFilter(
        label=_("Resolved from"),
        field_name="resolved_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    resolved_to = django_filters.DateFilter(
        label=_("Resolved to"),
        field_name="resolved_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Ticket
        fields = []

    def __init__(self, data=None, *args, agents=None, **kwargs):
        super().__init__(_with_current_names(data), *args, **kwargs)
        if agents is not None:
            self.filters["assignee"].queryset = agents
        self.filters["service"].queryset = Service.objects.order_by("name_nb")

    def filter_text(self, queryset, name, value):
        return selectors.search(queryset, value)

    def filter_queryset(self, queryset):
        """Filter by the form's fields, then by the link-only codes (an unknown code matches nothing)."""
        queryset = super().filter_queryset(queryset)
        if self.data.get("service_code"):
            queryset = queryset.filter(service__code=self.data["service_code"])
        if self.data.get("group"):
            queryset = queryset.filter(support_group__code=self.data["group"])
        if self.data.get("open_end_of"):
            try:
                day = dt.date.fromisoformat(self.data["open_end_of"])
            except ValueError:
                return queryset.none()
            instant = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=OSLO)
            queryset = selectors.open_at(queryset, instant)
        if "kinds" in self.data:
            kinds = self.data.getlist("kinds") if hasattr(self.data, "getlist") else [self.data["kinds"]]
            queryset = queryset.filter(kind__in=[kind for kind in kinds if kind in Kind.values])
        return queryset


# The date filters' earlier names, kept so that saved filters and bookmarks still work.
_FORMER_NAMES = {"opened_after": "opened_from", "opened_before": "opened_to"}


def _with_current_names(data):
    """Return the query with the former names of the date filters renamed (the current name wins)."""
    if data is None or not any(name in data for name in _FORMER_NAMES):
        return data
    data = data.copy()
    for former, current in _FORMER_NAMES.items():
        if former not in data:
            continue
        values = data.getlist(former) if hasattr(data, "getlist") else [data[former]]
        del data[former]
        if current in data:
            continue
        if hasattr(data, "setlist"):
            data.setlist(current, values)
        else:
            data[current] = values[-1]
    return data
