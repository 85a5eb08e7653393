"""The queue table. Columns are chosen per agent; rows render the same in pages and live updates."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket

OPTIONAL_COLUMNS = ("service", "support_group", "assignee", "requester", "opened_at", "updated_at", "kind")
DEFAULT_COLUMNS = ("service", "support_group", "assignee", "opened_at")


class TicketTable(tables.Table):
    # Cells are rendered by the methods below rather than by templates: a template cell builds a full
    # request context (every context processor) for each of the page's hundred cells.
    select = tables.Column(
        verbose_name=_("Select"),
        accessor="number",
        orderable=False,
        empty_values=(),
        attrs={"th": {"class": "sd-col-select"}},
    )
    number = tables.Column(verbose_name=_("Number"))
    title = tables.Column(verbose_name=_("Title"))
    status = tables.Column(verbose_name=_("Status"), order_by=("status",))
    priority = tables.Column(verbose_name=_("Priority"))
    kind = tables.Column(verbose_name=_("Kind"))
    service = tables.Column(verbose_name=_("Service"), order_by=("service__name_nb",))
    support_group = tables.Column(verbose_name=_("Group"), order_by=("support_group__name_nb",))
    assignee = tables.Column(
        verbose_name=_("Assignee"), order_by=("assignee__first_name", "assignee__last_name"), default="–"
    )
    requester = tables.Column(verbose_name=_("Requester"), order_by=("requester__first_name",))
    opened_at = tables.DateTimeColumn(verbose_name=_("Opened"), format="SHORT_DATETIME_FORMAT")
    updated_at = tables.DateTimeColumn(verbose_name=_("Updated"), format="SHORT_DATETIME_FORMAT")

    class Meta:
        model = Ticket
        fields = ("select", "number", "title", "status", "priority", *OPTIONAL_COLUMNS)
        template_name = "tickets/table.html"
        row_attrs = {"id": lambda record: f"ticket-row-{record.pk}"}
        order_by = ("priority", "opened_at")
        empty_text = _("No tickets here.")

    def __init__(self, *args, columns=DEFAULT_COLUMNS, **kwargs):
        hidden = [name for name in OPTIONAL_COLUMNS if name not in columns]
        super().__init__(*args, exclude=hidden, **kwargs)

    def render_select(self, record):
        return format_html(
            '<input class="ds-input" type="checkbox" name="tickets" value="{}" form="bulk-form" aria-label="{}">',
            record.number,
            gettext("Select %(number)s") % {"number": record.number},
        )

    def render_number(self, record):
        return format_html('<a class="ds-link" href="{}">{}</a>', record.get_absolute_url(), record.number)

    def render_status(self, record):
        label = record.get_status_display()
        if record.status == "pending" and record.pending_reason:
            label = f"{label}: {record.get_pending_reason_display().lower()}"
        return format_html('<span class="sd-state" data-state="{}">{}</span>', record.status, label)

    def render_priority(self, record):
        return format_html(
            '<span class="sd-priority" data-priority="{}">{}</span>',
            record.priority,
            record.get_priority_display(),
        )
