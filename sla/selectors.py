"""Reads of SLA clocks: the `sla` representation of a ticket (the same object the REST API serves), the
clock log for the ticket page, and the "breaching soon" queue."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.db.models import Q, QuerySet

from sla.calendar import business_calendar
from sla.models import (
    BusinessCalendar,
    CalendarDate,
    CalendarSegment,
    ClockKind,
    ClockState,
    SlaClock,
    SlaClockLog,
)
from sla.services import spec_of
from tickets.models import OPEN_STATUSES, Ticket


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def clock_now(clock: SlaClock, *, now: dt.datetime, calendars: dict | None = None) -> dict:
    """Return one clock as of now: state, target, elapsed (counted on to now while running), due, percent."""
    elapsed = clock.elapsed_seconds
    if clock.state == ClockState.RUNNING and clock.resumed_at is not None:
        calendar = (calendars or {}).get(clock.calendar_id) or business_calendar(spec_of(clock.calendar))
        elapsed += calendar.elapsed(clock.resumed_at, max(now, clock.resumed_at))
    return {
        "state": clock.state,
        "target_seconds": clock.target_seconds,
        "elapsed_seconds": elapsed,
        "due_at": _iso(clock.due_at) if clock.state == ClockState.RUNNING else None,
        "breached": elapsed > clock.target_seconds,
        "met": clock.met if clock.state == ClockState.STOPPED else None,
    }


def _calendars(clocks, stored: dict | None = None) -> dict:
    """Return the engine's calendar for each running clock's calendar (only a running clock is counted
    on to now), by stored calendar pk: the calendars (unless passed in ``stored``), their segments and
    their dates as plain rows, in up to three queries, and none when no clock runs."""
    ids = {clock.calendar_id for clock in clocks if clock.state == ClockState.RUNNING and clock.resumed_at}
    if not ids:
        return {}
    stored = {pk: calendar for pk, calendar in (stored or {}).items() if pk in ids}
    if len(stored) < len(ids):
        stored.update(BusinessCalendar.objects.in_bulk(ids - set(stored)))
    timed = [pk for pk, calendar in stored.items() if not calendar.always_open]
    segments: dict[int, list] = {pk: [] for pk in timed}
    dates: dict[int, list] = {pk: [] for pk in timed}
    if timed:
        rows = CalendarSegment.objects.filter(calendar_id__in=timed)
        for row in rows.values_list("calendar_id", "weekday", "opens", "closes", named=True):
            segments[row.calendar_id].append(row)
        rows = CalendarDate.objects.filter(calendar_id__in=timed)
        for row in rows.values_list("calendar_id", "date", "kind", "opens", "closes", named=True):
            dates[row.calendar_id].append(row)
    return {
        pk: business_calendar(spec_of(calendar, segments.get(pk, []), dates.get(pk, [])))
        for pk, calendar in stored.items()
    }


# What clock_now reads of a clock: a page of clocks loads only these.
CLOCK_FIELDS = (
    *("ticket_id", "kind", "state", "calendar_id", "target_seconds", "elapsed_seconds", "resumed_at"),
    *("due_at", "met"),
)


def tickets_sla(ticket_ids, *, now: dt.datetime) -> dict[int, dict]:
    """Return ticket_sla's object for each of a page of tickets (those without clocks are left out), in
    at most four queries whatever the page size: the clocks, and for running clocks their calendars, the
    calendars' segments and dates."""
    clocks = list(SlaClock.objects.filter(ticket_id__in=list(ticket_ids)).only(*CLOCK_FIELDS))
    if not clocks:
        return {}
    calendars = _calendars(clocks)
    by_ticket: dict[int, dict] = {}
    for clock in clocks:
        by_ticket.setdefault(clock.ticket_id, {})[clock.kind] = clock
    return {
        ticket_id: {
            kind: clock_now(kinds[kind], now=now, calendars=calendars)
            for kind in (ClockKind.RESPONSE, ClockKind.RESOLUTION)
            if kind in kinds
        }
        for ticket_id, kinds in by_ticket.items()
    }


def ticket_sla(ticket: Ticket, *, now: dt.datetime, clocks=None) -> dict | None:
    """Return the ticket's `sla` object: {"response": {...}, "resolution": {...}}, or None without clocks.

    Each clock has state (running, paused, stopped, cancelled), target_seconds, elapsed_seconds (as of
    now), due_at (ISO 8601 UTC, null while paused or stopped), breached (bool) and met (bool, or null
    while not stopped)."""
    clocks = list(SlaClock.objects.filter(ticket_id=ticket.pk)) if clocks is None else list(clocks)
    if not clocks:
        return None
    calendars = _calendars(clocks)
    by_kind = {clock.kind: clock for clock in clocks}
    return {
        kind: clock_now(by_kind[kind], now=now, calendars=calendars)
        for kind in (ClockKind.RESPONSE, ClockKind.RESOLUTION)
        if kind in by_kind
    }


def sla_panel(ticket: Ticket, *, now: dt.datetime) -> list[dict]:
    """The ticket page's SLA panel: both clocks as of now with their percent and their log."""
    clocks = list(SlaClock.objects.filter(ticket_id=ticket.pk).select_related("calendar"))
    if not clocks:
        return []
    # The logs of both clocks in one query, grouped here: Django's prefetch machinery cost more than the rows.
    logs: dict[int, list[SlaClockLog]] = {clock.pk: [] for clock in clocks}
    for entry in SlaClockLog.objects.filter(clock_id__in=list(logs)).order_by("at", "pk"):
        logs[entry.clock_id].append(entry)
    calendars = _calendars(clocks, stored={clock.calendar_id: clock.calendar for clock in clocks})
    panel = []
    for clock in sorted(clocks, key=lambda c: c.kind != ClockKind.RESPONSE):
        figures = clock_now(clock, now=now, calendars=calendars)
        percent = Fraction(100 * figures["elapsed_seconds"], clock.target_seconds)
        panel.append(
            {
                "clock": clock,
                "figures": figures,
                "percent": int(percent),  # floored, for the bar and the text
                "bar": min(int(percent), 100),
                "remaining_seconds": clock.target_seconds - figures["elapsed_seconds"],
                "warning": percent >= 75,
                "log": logs[clock.pk],
            }
        )
    return panel


def breaching_soon(tickets: QuerySet[Ticket], *, now: dt.datetime) -> QuerySet[Ticket]:
    """Open tickets whose resolution clock has reached its warning level, or is breached; soonest due first."""
    return tickets.filter(status__in=OPEN_STATUSES).filter(Q(sla_warning_at__lte=now) | Q(sla_breached=True))


def response_aim(panel: list[dict]):
    """When we aim to answer, from the SLA panel's rows: the running response clock's due time, or None."""
    for row in panel:
        clock = row["clock"]
        if clock.kind == ClockKind.RESPONSE and row["figures"]["state"] == ClockState.RUNNING:
            return clock.due_at
    return None
