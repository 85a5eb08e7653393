"""The queue table. Columns are chosen per agent; rows render the same in pages and live updates.

django-tables2 gives the columns, their headers, ordering and pagination. The rows themselves are
built here in Python (`TicketTable.row_html`): django-tables2's bound rows and cells cost more than
everything else on the queue page together (about 1.5 ms per row), and a queue row is simple.
"""

from collections.abc import Callable, Iterator

import django_tables2 as tables
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tickets.models import OPEN_STATUSES, Kind, PendingReason, Priority, Status, Ticket

OPTIONAL_COLUMNS = (
    *("sla_due", "service", "support_group", "assignee", "requester", "opened_at", "updated_at", "kind"),
)
DEFAULT_COLUMNS = ("sla_due", "service", "support_group", "assignee", "opened_at")
EMPTY = "–"


def _labels(choices) -> dict:
    return {value: str(label) for value, label in choices}


def _relative(when, now) -> str:
    """Return "in 3 h" or "2 d ago", rounded the way people say it."""
    seconds = int((when - now).total_seconds())
    size = abs(seconds)
    if size < 3600:
        amount = gettext("%(count)s min") % {"count": max(1, size // 60)}
    elif size < 48 * 3600:
        amount = gettext("%(count)s h") % {"count": size // 3600}
    else:
        amount = gettext("%(count)s d") % {"count": size // 86400}
    if seconds >= 0:
        return gettext("in %(amount)s") % {"amount": amount}
    return gettext("%(amount)s ago") % {"amount": amount}


def _text(value) -> str:
    return EMPTY if value is None or value == "" else escape(str(value))


class TicketTable(tables.Table):
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
    sla_due = tables.Column(verbose_name=_("Due"), accessor="sla_due_at", order_by=("sla_due_at", "priority"))
    service = tables.Column(verbose_name=_("Service"), order_by=("service__name_nb",))
    support_group = tables.Column(verbose_name=_("Group"), order_by=("support_group__name_nb",))
    assignee = tables.Column(
        verbose_name=_("Assignee"), order_by=("assignee__first_name", "assignee__last_name"), default=EMPTY
    )
    requester = tables.Column(verbose_name=_("Requester"), order_by=("requester__first_name",))
    opened_at = tables.DateTimeColumn(verbose_name=_("Opened"), format="SHORT_DATETIME_FORMAT")
    updated_at = tables.DateTimeColumn(verbose_name=_("Updated"), format="SHORT_DATETIME_FORMAT")

    class Meta:
        model = Ticket
        fields = ("select", "number", "title", "status", "priority", *OPTIONAL_COLUMNS)
        template_name = "tickets/table.html"
        order_by = ("priority", "opened_at")
        empty_text = _("No tickets here.")

    def __init__(self, *args, columns=DEFAULT_COLUMNS, **kwargs):
        hidden = [name for name in OPTIONAL_COLUMNS if name not in columns]
        super().__init__(*args, exclude=hidden, **kwargs)
        self._cells: list[Callable[[Ticket], str]] | None = None
        self._detail_url = ""
        self._datetime_format = ""
        self._select_label = ""
        self._label: dict[str, dict] = {}

    # --- Rows ---------------------------------------------------------------------------------

    def records(self) -> Iterator[Ticket]:
        """Yield the tickets of the current page (all of them when the table is not paginated)."""
        if getattr(self, "page", None) is not None:
            # The paginator pages over django-tables2's (lazy, cheap) bound rows.
            for row in self.page.object_list:
                yield row.record
        else:
            yield from self.data

    def rendered_rows(self) -> Iterator[SafeString]:
        for record in self.records():
            yield self.row_html(record)

    def row_html(self, record: Ticket, swap: str = "") -> SafeString:
        """Return the `<tr>` of one ticket, with `hx-swap-oob` when a live update sends it."""
        if self._cells is None:
            self._cells = [getattr(self, f"cell_{column.name}") for column in self.columns]
            # One reverse() for the page instead of one per row; numbers are URL-safe ([A-Z0-9-]).
            self._detail_url = reverse("tickets:ticket_detail", kwargs={"number": "NUMBER"})
            # Labels and formats in the active language, looked up once per table, not per cell.
            self._datetime_format = formats.get_format("SHORT_DATETIME_FORMAT")
            self._select_label = gettext("Select %(number)s")
            self._now = timezone.now()
            self._sla_text = {
                "paused": gettext("Paused"),
                "breached": gettext("Breached"),
                "soon": gettext("Soon due"),
                "due": gettext("Due"),
            }
            self._label = {
                "status": _labels(Status.choices),
                "pending_reason": {k: v.lower() for k, v in _labels(PendingReason.choices).items()},
                "priority": _labels(Priority.choices),
                "kind": _labels(Kind.choices),
            }
        oob = f' hx-swap-oob="{escape(swap)}"' if swap else ""
        cells = "".join(f"<td>{cell(record)}</td>" for cell in self._cells)
        return mark_safe(f'<tr id="ticket-row-{int(record.pk)}"{oob}>{cells}</tr>')  # noqa: S308 - cells are escaped

    def cell_select(self, record: Ticket) -> str:
        number = escape(record.number)
        label = escape(self._select_label % {"number": record.number})
        return (
            f'<input class="ds-input" type="checkbox" name="tickets" value="{number}" form="bulk-form"'
            f' aria-label="{label}">'
        )

    def cell_number(self, record: Ticket) -> str:
        number = escape(record.number)
        return f'<a class="ds-link" href="{self._detail_url.replace("NUMBER", number)}">{number}</a>'

    def cell_title(self, record: Ticket) -> str:
        return _text(record.title)

    def cell_status(self, record: Ticket) -> str:
        label = self._label["status"].get(record.status, record.status)
        if record.status == Status.PENDING and record.pending_reason:
            label = (
                f"{label}: {self._label['pending_reason'].get(record.pending_reason, record.pending_reason)}"
            )
        return f'<span class="sd-state" data-state="{escape(record.status)}">{escape(label)}</span>'

    def cell_priority(self, record: Ticket) -> str:
        label = self._label["priority"].get(record.priority, record.priority)
        return f'<span class="sd-priority" data-priority="{int(record.priority)}">{escape(label)}</span>'

    def cell_kind(self, record: Ticket) -> str:
        return _text(self._label["kind"].get(record.kind, record.kind))

    def _datetime(self, value) -> str:
        if value is None:
            return EMPTY
        return escape(dateformat.format(timezone.localtime(value), self._datetime_format))

    def cell_sla_due(self, record: Ticket) -> str:
        """The resolution clock: its state in words and an icon (not colour alone), and the due time."""
        if record.status not in OPEN_STATUSES:
            return EMPTY
        due = record.sla_due_at
        if due is None:
            if record.sla_breached:  # breached before it was paused
                return (
                    f'<span class="sd-sla" data-sla="breached"><span aria-hidden="true">⚠</span> '
                    f"{escape(self._sla_text['breached'])}, {escape(self._sla_text['paused'].lower())}</span>"
                )
            if record.status == Status.PENDING:
                return f'<span class="sd-sla" data-sla="paused">⏸ {escape(self._sla_text["paused"])}</span>'
            return EMPTY
        if record.sla_breached or due < self._now:
            state, icon = "breached", "⚠"
        elif record.sla_warning_at is not None and record.sla_warning_at <= self._now:
            state, icon = "soon", "⏳"
        else:
            state, icon = "due", "🕓"
        local = timezone.localtime(due)
        return (
            f'<span class="sd-sla" data-sla="{state}"><span aria-hidden="true">{icon}</span> '
            f"{escape(self._sla_text[state])} "
            f'<time datetime="{escape(due.isoformat())}">{escape(dateformat.format(local, self._datetime_format))}</time>'
            f' <span class="sd-muted">({escape(_relative(due, self._now))})</span></span>'
        )

    def cell_service(self, record: Ticket) -> str:
        return _text(record.service)

    def cell_support_group(self, record: Ticket) -> str:
        return _text(record.support_group)

    def cell_assignee(self, record: Ticket) -> str:
        return _text(record.assignee)

    def cell_requester(self, record: Ticket) -> str:
        return _text(record.requester)

    def cell_opened_at(self, record: Ticket) -> str:
        return self._datetime(record.opened_at)

    def cell_updated_at(self, record: Ticket) -> str:
        return self._datetime(record.updated_at)
