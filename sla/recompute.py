"""Rebuild every stored clock from the ticket timelines (`manage.py sla_recompute`), or only compare.

The stored clock of a ticket is `compute(history, as_of)` where as_of is its last clock-relevant timeline
entry or the last escalation step taken; this module reads tickets in batches (a fixed number of
queries per batch), computes the same, and reports or repairs every difference.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max

from sla import services
from sla.models import SlaClock, SlaClockLog, SlaEscalation
from tickets.models import Ticket, TicketEvent

BATCH = 2000
TICKET_FIELDS = ("sla_due_at", "sla_warning_at", "sla_breached")


@dataclass
class Difference:
    number: str
    kind: str  # a clock kind, or "ticket" for the copied fields
    field: str
    stored: object
    computed: object

    def __str__(self) -> str:
        return f"{self.number} {self.kind}.{self.field}: stored {self.stored!r}, computed {self.computed!r}"


@dataclass
class Report:
    tickets: int = 0
    clocks: int = 0
    differences: list[Difference] = field(default_factory=list)
    repaired: int = 0


def _batches(since: dt.datetime | None) -> Iterator[list[Ticket]]:
    tickets = Ticket.objects.filter(kind__in=services.CLOCKED_KINDS).only(
        "pk",
        "number",
        "kind",
        "service_id",
        "priority",
        "opened_at",
        "first_response_at",
        "channel",
        *TICKET_FIELDS,
    )
    if since is not None:
        tickets = tickets.filter(opened_at__gte=since)
    last = 0
    while True:
        batch = list(tickets.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def recompute(*, since: dt.datetime | None = None, check: bool = False) -> Report:
    """Compare (check=True) or rebuild the stored clocks of every ticket opened since the given instant."""
    report = Report()
    rules_cache: dict = {}
    for batch in _batches(since):
        ids = [ticket.pk for ticket in batch]
        events = defaultdict(list)
        for event in (
            TicketEvent.objects.filter(ticket_id__in=ids, type__in=services.CLOCK_EVENT_TYPES)
            .only("ticket_id", "type", "created_at", "data")
            .order_by("ticket_id", "created_at", "pk")
        ):
            events[event.ticket_id].append(event)
        clocks = defaultdict(dict)
        for clock in SlaClock.objects.filter(ticket_id__in=ids):
            clocks[clock.ticket_id][clock.kind] = clock
        fired = dict(
            SlaEscalation.objects.filter(clock__ticket_id__in=ids)
            .values("clock__ticket_id")
            .annotate(last=Max("fired_at"))
            .values_list("clock__ticket_id", "last")
        )
        lead_times = _lead_times([t.pk for t in batch if t.kind == "request"])
        writes = _Writes()
        for ticket in batch:
            if ticket.service_id not in rules_cache:
                rules_cache[ticket.service_id] = services.rules_for(ticket.service_id)
            rules = rules_cache[ticket.service_id]
            history = services.history_of(ticket, events[ticket.pk])
            as_of = max(history.last_event_at, fired.get(ticket.pk) or history.last_event_at)
            computed = services.compute(
                ticket, history, rules, as_of=as_of, lead_time_days=lead_times.get(ticket.pk)
            )
            report.tickets += 1
            found = _compare(ticket, clocks[ticket.pk], computed, as_of)
            report.clocks += len(computed)
            report.differences += found
            if found and not check:
                writes.add(
                    ticket,
                    clocks[ticket.pk],
                    computed,
                    as_of,
                    found,
                    history,
                    rules,
                    lead_times.get(ticket.pk),
                )
                report.repaired += 1
        if not check:
            writes.save()
    return report


def _lead_times(request_ids: list[int]) -> dict[int, int]:
    if not request_ids:
        return {}
    from orders.models import OrderLine

    return dict(
        OrderLine.objects.filter(ticket_id__in=request_ids).values_list("ticket_id", "item__lead_time_days")
    )


def _compare(ticket, stored: dict, computed, as_of) -> list[Difference]:
    found = []
    for item in computed:
        fields = services._fields(item, as_of)
        clock = stored.get(item.kind)
        if clock is None:
            found.append(Difference(ticket.number, item.kind, "clock", None, fields["state"]))
            continue
        for name in (*services.COMPARED, "updated_at"):
            if getattr(clock, name) != fields[name]:
                found.append(Difference(ticket.number, item.kind, name, getattr(clock, name), fields[name]))
    resolution = next(item for item in computed if item.kind == "resolution")
    wanted = {
        "sla_due_at": resolution.result.due_at,
        "sla_warning_at": resolution.warning_at,
        "sla_breached": resolution.result.breached,
    }
    for name, value in wanted.items():
        if getattr(ticket, name) != value:
            found.append(Difference(ticket.number, "ticket", name, getattr(ticket, name), value))
    return found


class _Writes:
    """The repairs of one batch, written with a few bulk statements in one transaction."""

    CLOCK_FIELDS = (*services.COMPARED, "updated_at")

    def __init__(self):
        self.new_clocks: list[tuple[SlaClock, list[dict]]] = []
        self.changed_clocks: list[tuple[SlaClock, list[str], dict]] = []
        self.tickets: list[Ticket] = []

    def add(self, ticket, stored: dict, computed, as_of, found, history, rules, lead_time_days) -> None:
        replayed = (
            services.replay_log(ticket, history, rules, lead_time_days=lead_time_days)
            if any(kind not in stored for kind in ("response", "resolution"))
            else {}
        )
        for item in computed:
            fields = services._fields(item, as_of)
            clock = stored.get(item.kind)
            if clock is None:
                clock = SlaClock(
                    ticket_id=ticket.pk,
                    kind=item.kind,
                    started_at=history.opened_at,
                    cycle=_cycles(replayed[item.kind]),
                    **fields,
                )
                # A clock made here (after an import) gets the log its history would have written.
                self.new_clocks.append((clock, replayed[item.kind]))
                continue
            changed = [str(d.field) for d in found if d.kind == item.kind]
            if changed:
                for name, value in fields.items():
                    setattr(clock, name, value)
                entry = {
                    "at": as_of,
                    "event": SlaClockLog.Event.RECOMPUTED,
                    "elapsed_seconds": item.result.elapsed_seconds,
                    "due_at": item.result.due_at,
                    "data": {"fields": changed},
                }
                self.changed_clocks.append((clock, changed, entry))
        resolution = next(item for item in computed if item.kind == "resolution")
        ticket.sla_due_at = resolution.result.due_at
        ticket.sla_warning_at = resolution.warning_at
        ticket.sla_breached = resolution.result.breached
        self.tickets.append(ticket)

    @transaction.atomic
    def save(self) -> None:
        if self.new_clocks:
            SlaClock.objects.bulk_create([clock for clock, _log in self.new_clocks], batch_size=1000)
        if self.changed_clocks:
            SlaClock.objects.bulk_update(
                [clock for clock, _changed, _entry in self.changed_clocks], self.CLOCK_FIELDS, batch_size=500
            )
        entries = [(clock.pk, entry) for clock, log in self.new_clocks for entry in log]
        entries += [(clock.pk, entry) for clock, _changed, entry in self.changed_clocks]
        _insert_log(entries)
        if self.tickets:
            # One prepared statement for all rows: bulk_update's CASE expressions cost far more here.
            ops = connection.ops
            rows = [
                (
                    ops.adapt_datetimefield_value(ticket.sla_due_at),
                    ops.adapt_datetimefield_value(ticket.sla_warning_at),
                    ticket.sla_breached,
                    ticket.pk,
                )
                for ticket in self.tickets
            ]
            table = connection.ops.quote_name(Ticket._meta.db_table)  # the model's own name, not input
            sql = f"UPDATE {table} SET sla_due_at = %s, sla_warning_at = %s, sla_breached = %s WHERE id = %s"  # noqa: S608
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)


def _insert_log(entries: list[tuple[int, dict]]) -> None:
    """Append log entries with one prepared statement (an import writes several per clock)."""
    if not entries:
        return
    ops = connection.ops
    rows = [
        (
            clock_id,
            ops.adapt_datetimefield_value(entry["at"]),
            str(entry["event"]),
            entry["elapsed_seconds"],
            ops.adapt_datetimefield_value(entry["due_at"]),
            json.dumps(entry["data"], cls=DjangoJSONEncoder),
        )
        for clock_id, entry in entries
    ]
    table = ops.quote_name(SlaClockLog._meta.db_table)  # the model's own name, not input
    data = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    sql = f"INSERT INTO {table} (clock_id, at, event, elapsed_seconds, due_at, data) VALUES (%s, %s, %s, %s, %s, {data})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _cycles(entries: list[dict]) -> int:
    """A clock's cycle counts its running stretches: one at the start, one more for each resume."""
    return 1 + sum(entry["event"] == SlaClockLog.Event.RESUME for entry in entries)
