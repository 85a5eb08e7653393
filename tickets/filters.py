"""The queue filters: status, priority, group, assignee, service, kind, dates, free text."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Service
from people.models import SupportGroup, User
from tickets import selectors
from tickets.models import Kind, Priority, Status, Ticket


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
    opened_after = django_filters.DateFilter(
        label=_("Opened from"),
        field_name="opened_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    opened_before = django_filters.DateFilter(
        label=_("Opened to"),
        field_name="opened_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Ticket
        fields = []

    def __init__(self, *args, agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agents is not None:
            self.filters["assignee"].queryset = agents
        self.filters["service"].queryset = Service.objects.order_by("name_nb")

    def filter_text(self, queryset, name, value):
        return selectors.search(queryset, value)
