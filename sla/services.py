"""SLA clocks on tickets, stored for SQL: computed by the pure engine (sla/calendar.py, sla/clock.py)
from the ticket's timeline, and written in the same transaction as the ticket change that moved them.

The stored clock is always `evaluate_clock(history, now=as_of)` where `as_of` is the instant of the last
clock-relevant event (or of the last escalation step taken). So `sla_recompute` can rebuild every stored
figure from the timeline alone and must agree with it: there is one code path for both.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from sla import clock as engine
from sla.calendar import CalendarSpec, business_calendar
from sla.models import BusinessCalendar, CalendarDate, ClockKind, ClockState, SlaClock, SlaClockLog, SlaPolicy
from tickets.models import FIRST_CONTACT_CHANNELS, Kind, Ticket, TicketEvent

# Tickets of these kinds have SLA clocks (a change has its own planning and no SLA).
CLOCKED_KINDS = frozenset({Kind.INCIDENT, Kind.REQUEST, Kind.PROBLEM})
# Timeline entries that can move a clock: the status, the priority, the service, the first reply.
CLOCK_EVENT_TYPES = frozenset({TicketEvent.Type.CREATED, TicketEvent.Type.STATUS, TicketEvent.Type.FIELD})
CLOCK_FIELDS = frozenset({"priority", "service"})
PRIORITY_IN_LABEL = re.compile(r"P([1-4])")


# --- Calendars and policies ---------------------------------------------------------------------------


def spec_of(calendar: BusinessCalendar, segments=None, dates=None) -> CalendarSpec:
    """Return the pure engine's description of a stored calendar (segments and dates may be passed in
    when they were read for several calendars at once)."""
    if calendar.always_open:
        return CalendarSpec.twenty_four_seven(calendar.time_zone)
    segments = list(calendar.segments.all()) if segments is None else segments
    dates = list(calendar.dates.all()) if dates is None else dates
    week: list[list] = [[] for _ in range(7)]
    for segment in segments:
        week[segment.weekday].append((segment.opens, segment.closes))
    return CalendarSpec(
        tz=calendar.time_zone,
        week=tuple(tuple(sorted(day)) for day in week),
        holidays_country="NO" if calendar.public_holidays else None,
        closed_dates=frozenset(d.date for d in dates if d.kind == CalendarDate.Kind.CLOSED),
        open_dates=tuple((d.date, ((d.opens, d.closes),)) for d in dates if d.kind == CalendarDate.Kind.OPEN),
    )


@dataclass(frozen=True)
class Rules:
    """What a ticket's clocks are measured by: the policy, its targets per priority, the calendars."""

    policy: SlaPolicy
    targets: dict[int, tuple[int, int, int]]  # priority → (response s, resolution s, calendar pk)
    specs: dict[int, CalendarSpec]  # calendar pk → spec
    calendars: dict[int, BusinessCalendar]

    pausing: frozenset[str] = frozenset()
    warning: int = 75

    def calendar(self, priority: int):
        return business_calendar(self.specs[self.targets[priority][2]])

    def calendar_pk(self, priority: int) -> int:
        return self.targets[priority][2]

    def snapshot(self) -> dict:
        """The policy's terms as written on the timeline when they start to apply to a ticket."""
        return {
            "policy": self.policy.pk,
            "targets": {str(p): list(values) for p, values in sorted(self.targets.items())},
            "pausing": sorted(self.pausing),
            "warning": self.warning,
        }

    def with_snapshot(self, snapshot: dict | None) -> Rules:
        """The terms a ticket was given (its timeline's snapshot) on these calendars; a later edit of the
        policy does not change them. Without a snapshot (history from before snapshots), the current terms."""
        if not snapshot:
            return self
        targets = {int(p): tuple(values) for p, values in snapshot["targets"].items()}
        specs = dict(self.specs)
        missing = {values[2] for values in targets.values()} - specs.keys()
        if missing:
            specs.update(_specs(missing))
        return Rules(
            policy=self.policy,
            targets=targets,
            specs=specs,
            calendars=self.calendars,
            pausing=frozenset(snapshot.get("pausing", self.pausing)),
            warning=snapshot.get("warning", self.warning),
        )


def _specs(pks) -> dict[int, CalendarSpec]:
    calendars = BusinessCalendar.objects.filter(pk__in=list(pks)).prefetch_related("segments", "dates")
    return {calendar.pk: spec_of(calendar) for calendar in calendars}


def rules_for(service_id: int | None) -> Rules:
    """Read the service's own policy, or the default one, with its targets and calendars (four queries)."""
    policies = list(
        SlaPolicy.objects.filter(Q(service__isnull=True) | Q(service_id=service_id))
        .select_related("calendar")
        .order_by("service_id")
    )
    policy = next((p for p in policies if p.service_id == service_id and service_id), None) or next(
        p for p in policies if p.service_id is None
    )
    targets = {}
    calendars = {policy.calendar_id: policy.calendar}
    for target in policy.targets.select_related("calendar"):
        calendar = target.calendar or policy.calendar
        calendars[calendar.pk] = calendar
        targets[target.priority] = (target.response_seconds, target.resolution_seconds, calendar.pk)
    segments: dict[int, list] = {pk: [] for pk in calendars}
    dates: dict[int, list] = {pk: [] for pk in calendars}
    wanted = [pk for pk, calendar in calendars.items() if not calendar.always_open]
    if wanted:
        from sla.models import CalendarSegment

        for segment in CalendarSegment.objects.filter(calendar_id__in=wanted):
            segments[segment.calendar_id].append(segment)
        for day in CalendarDate.objects.filter(calendar_id__in=wanted):
            dates[day.calendar_id].append(day)
    specs = {pk: spec_of(calendar, segments[pk], dates[pk]) for pk, calendar in calendars.items()}
    return Rules(
        policy=policy,
        targets=targets,
        specs=specs,
        calendars=calendars,
        pausing=frozenset(policy.pausing_reasons),
        warning=policy.warning_percent,
    )


def business_day_seconds(spec: CalendarSpec) -> int:
    """The length of a full business day on the calendar (its longest weekday), for lead times in days."""
    if spec.always_open:
        return 24 * 3600
    longest = 0
    for day in spec.week:
        total = sum(
            (dt.datetime.combine(dt.date.min, close) - dt.datetime.combine(dt.date.min, opens)).seconds
            for opens, close in day
        )
        longest = max(longest, total)
    return longest or 8 * 3600


# --- From the timeline to the engine --------------------------------------------------------------------


def _priority_of(data: dict, key: str) -> int | None:
    value = data.get(f"{key}_value")
    if isinstance(value, int):
        return value
    match = PRIORITY_IN_LABEL.search(str(data.get(key, "")))
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class History:
    """The clock-relevant facts of one ticket, read from its timeline."""

    opened_at: dt.datetime
    status_changes: tuple[tuple[dt.datetime, str, str], ...]
    priorities: tuple[tuple[dt.datetime, int], ...]  # (from, priority), the first from opened_at
    first_response_at: dt.datetime | None
    answered_on_contact: bool
    last_event_at: dt.datetime
    sla_snapshot: dict | None = (
        None  # the policy's terms the ticket was given (at creation or service change)
    )


def history_of(ticket: Ticket, events: Iterable[TicketEvent]) -> History:
    status_changes = []
    priority_changes = []
    last = ticket.opened_at
    snapshot = None
    for event in events:
        if event.data.get("sla"):
            snapshot = event.data["sla"]
        if event.type == TicketEvent.Type.STATUS and event.data.get("to"):
            status_changes.append((event.created_at, event.data["to"], event.data.get("pending_reason", "")))
        elif event.type == TicketEvent.Type.FIELD and event.data.get("field") == "priority":
            priority_changes.append(
                (event.created_at, _priority_of(event.data, "from"), _priority_of(event.data, "to"))
            )
        elif not (event.type == TicketEvent.Type.FIELD and event.data.get("field") == "service"):
            continue  # a service change moves no clock by itself, but the clocks are measured after it
        last = max(last, event.created_at)
    if ticket.first_response_at is not None:
        last = max(last, ticket.first_response_at)  # the first reply stopped the response clock
    # The priority at creation is the one the first priority change started from.
    initial = (priority_changes[0][1] if priority_changes else None) or ticket.priority
    priorities = [(ticket.opened_at, initial)] + [(at, new) for at, _old, new in priority_changes if new]
    answered = bool(
        ticket.first_response_at is not None
        and ticket.first_response_at == ticket.opened_at
        and ticket.channel in FIRST_CONTACT_CHANNELS
    )
    # Nothing happens to a clock before it starts (a history stamped earlier is read as at its start).
    opened = ticket.opened_at
    return History(
        opened_at=opened,
        status_changes=tuple((max(at, opened), status, reason) for at, status, reason in status_changes),
        priorities=tuple((max(at, opened), value) for at, value in priorities),
        first_response_at=max(ticket.first_response_at, opened) if ticket.first_response_at else None,
        answered_on_contact=answered,
        last_event_at=last,
        sla_snapshot=snapshot,
    )


@dataclass(frozen=True)
class Computed:
    kind: str
    result: engine.ClockResult
    calendar_pk: int
    priority: int
    warning_at: dt.datetime | None


def _targets(ticket: Ticket, rules: Rules, kind: str, priority: int, lead_time_days: int | None) -> int:
    response, resolution, calendar_pk = rules.targets[priority]
    if kind == ClockKind.RESPONSE:
        return response
    if lead_time_days:
        return lead_time_days * business_day_seconds(rules.specs[calendar_pk])
    return resolution


def compute(
    ticket: Ticket, history: History, rules: Rules, *, as_of: dt.datetime, lead_time_days: int | None = None
) -> list[Computed]:
    """Evaluate both clocks of the ticket as of an instant, on the calendar of the priority in effect then."""
    rules = rules.with_snapshot(history.sla_snapshot)
    priority = history.priorities[-1][1]
    for at, value in history.priorities:
        if at <= as_of:
            priority = value
    calendar_pk = rules.calendar_pk(priority)
    calendar = business_calendar(rules.specs[calendar_pk])
    first_resolution = next((at for at, status, _r in history.status_changes if status == "resolved"), None)
    response_events = engine.response_events(
        created_at=history.opened_at,
        first_public_reply_at=history.first_response_at,
        resolved_at=first_resolution,
        answered_on_contact=history.answered_on_contact,
    )
    cancelled_at = next((at for at, status, _r in history.status_changes if status == "cancelled"), None)
    if cancelled_at is not None and not any(e.kind == engine.ClockEventKind.STOP for e in response_events):
        response_events.append(engine.ClockEvent(cancelled_at, engine.ClockEventKind.CANCEL))
    resolution_events = engine.resolution_events(history.status_changes, pausing_reasons=rules.pausing)
    computed = []
    for kind, events in ((ClockKind.RESPONSE, response_events), (ClockKind.RESOLUTION, resolution_events)):
        first_target = _targets(ticket, rules, kind, history.priorities[0][1], lead_time_days)
        target_events = [
            engine.ClockEvent(
                at, engine.ClockEventKind.TARGET, _targets(ticket, rules, kind, value, lead_time_days)
            )
            for at, value in history.priorities[1:]
        ]
        # A priority change at the same instant as a stop judges the stop: it comes first.
        ordered = sorted(
            [*target_events, *events], key=lambda e: (e.at, e.kind != engine.ClockEventKind.TARGET)
        )
        result = engine.evaluate_clock(
            calendar,
            start=history.opened_at,
            target_seconds=first_target,
            events=ordered,
            now=max(as_of, history.opened_at),
            warning_percent=rules.warning,
        )
        warning_at = None
        if result.state == engine.ClockState.RUNNING:
            warning_at = engine.instant_at_percent(calendar, result, rules.warning)
        computed.append(Computed(kind, result, calendar_pk, priority, warning_at))
    return computed


# --- Writing the clocks ---------------------------------------------------------------------------------


def _lead_time_days(ticket: Ticket) -> int | None:
    if ticket.kind != Kind.REQUEST:
        return None
    from orders.models import OrderLine

    line = (
        OrderLine.objects.filter(ticket_id=ticket.pk)
        .select_related("item")
        .only("item__lead_time_days")
        .first()
    )
    return line.item.lead_time_days if line is not None else None


def _fields(computed: Computed, as_of: dt.datetime) -> dict:
    result = computed.result
    return {
        "state": str(result.state),
        "calendar_id": computed.calendar_pk,
        "priority": computed.priority,
        "target_seconds": result.target_seconds,
        "elapsed_seconds": result.elapsed_before_last_resume,
        "resumed_at": result.last_resume,
        "due_at": result.due_at,
        "warning_at": computed.warning_at,
        "stopped_at": result.stopped_at,
        "breached": result.breached,
        "met": result.met,
        "updated_at": as_of,
    }


COMPARED = (
    "state",
    "calendar_id",
    "priority",
    "target_seconds",
    "elapsed_seconds",
    "resumed_at",
    "due_at",
    "warning_at",
    "stopped_at",
    "breached",
    "met",
)


_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar("sla_clocks_deferred", default=False)


@contextlib.contextmanager
def clocks_deferred():
    """Write a history without keeping the clocks ticket by ticket (an import, the demo seed); the caller
    rebuilds them afterwards with sla.recompute.recompute(), which computes exactly the same."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def clocks_sync(
    ticket: Ticket, *, now: dt.datetime, reason: str = "", event: TicketEvent | None = None
) -> list[SlaClock]:
    """Recompute the ticket's clocks from its timeline and store them, logging what changed.

    Call it inside the transaction of the change, after its timeline entry is written. A creation or a
    change of service writes the policy's terms onto that entry, so the ticket keeps them (and
    sla_recompute finds them) whatever later edits of the policy do."""
    if ticket.kind not in CLOCKED_KINDS or _deferred.get():
        return []
    rules = rules_for(ticket.service_id)  # read once: for the terms written below and for the clocks
    if event is not None and _gives_terms(event):
        event.data = {**event.data, "sla": rules.snapshot()}
        event.save(update_fields=["data"])
    events = list(
        TicketEvent.objects.filter(ticket_id=ticket.pk, type__in=CLOCK_EVENT_TYPES)
        .only("type", "created_at", "data")
        .order_by("created_at", "pk")
    )
    history = history_of(ticket, events)
    existing = {clock.kind: clock for clock in SlaClock.objects.filter(ticket_id=ticket.pk)}
    as_of = (
        max(now, history.last_event_at, *(c.updated_at for c in existing.values()))
        if existing
        else max(now, history.last_event_at)
    )
    computed = compute(ticket, history, rules, as_of=as_of, lead_time_days=_lead_time_days(ticket))
    stored, logs = [], []
    for item in computed:
        fields = _fields(item, as_of)
        clock = existing.get(item.kind)
        if clock is None:
            clock = SlaClock(
                ticket_id=ticket.pk, kind=item.kind, started_at=history.opened_at, cycle=1, **fields
            )
            clock.save()
            logs.append(_log(clock, SlaClockLog.Event.START, as_of=history.opened_at, item=item))
            if item.result.state != engine.ClockState.RUNNING:
                logs.append(_log(clock, _event_for(item.result.state), as_of=as_of, item=item, reason=reason))
        else:
            before = {name: getattr(clock, name) for name in COMPARED}
            for name, value in fields.items():
                setattr(clock, name, value)
            if before["state"] != clock.state and clock.state == ClockState.RUNNING:
                clock.cycle += 1  # resumed or reopened: its escalation steps may fire again
            clock.save()
            if before["state"] != clock.state:
                # A pause says what the ticket waits for.
                why = (
                    history.status_changes[-1][2]
                    if clock.state == ClockState.PAUSED and history.status_changes
                    else reason
                )
                logs.append(_log(clock, _event_for(item.result.state), as_of=as_of, item=item, reason=why))
            if before["target_seconds"] != clock.target_seconds:
                logs.append(
                    _log(
                        clock,
                        SlaClockLog.Event.TARGET,
                        as_of=as_of,
                        item=item,
                        extra={
                            "from": before["target_seconds"],
                            "to": clock.target_seconds,
                            "priority": item.priority,
                        },
                    )
                )
        stored.append(clock)
    SlaClockLog.objects.bulk_create(logs)
    _denormalise(ticket, computed)
    ids = [clock.pk for clock in stored if clock.state == ClockState.RUNNING]
    if ids:
        transaction.on_commit(lambda: _schedule(ids))
    return stored


def _gives_terms(event: TicketEvent) -> bool:
    return event.type == TicketEvent.Type.CREATED or (
        event.type == TicketEvent.Type.FIELD and event.data.get("field") == "service"
    )


def _event_for(state, previous: str | None = None) -> str:
    if state == engine.ClockState.PAUSED:
        return SlaClockLog.Event.PAUSE
    if state == engine.ClockState.STOPPED:
        return SlaClockLog.Event.STOP
    if state == engine.ClockState.CANCELLED:
        return SlaClockLog.Event.CANCEL
    return SlaClockLog.Event.RESUME


def _log(clock, event, *, as_of, item: Computed, reason: str = "", extra: dict | None = None) -> SlaClockLog:
    data = {"priority": item.priority, "target": item.result.target_seconds}
    if reason:
        data["reason"] = reason
    data.update(extra or {})
    return SlaClockLog(
        clock=clock,
        at=as_of,
        event=event,
        elapsed_seconds=item.result.elapsed_seconds,
        due_at=item.result.due_at,
        data=data,
    )


def _denormalise(ticket: Ticket, computed: list[Computed]) -> None:
    """Copy the resolution clock's due and warning instants onto the ticket, for the queues' index."""
    resolution = next(item for item in computed if item.kind == ClockKind.RESOLUTION)
    Ticket.objects.filter(pk=ticket.pk).update(
        sla_due_at=resolution.result.due_at,
        sla_warning_at=resolution.warning_at,
        sla_breached=resolution.result.breached,
    )
    ticket.sla_due_at = resolution.result.due_at
    ticket.sla_warning_at = resolution.warning_at
    ticket.sla_breached = resolution.result.breached


def _schedule(clock_ids: list[int]) -> None:
    """After commit: schedule the running clocks' warning and escalation steps (sla/escalation.py)."""
    from sla.escalation import schedule_steps  # sla.escalation imports this module

    schedule_steps(clock_ids)


def replay_log(ticket: Ticket, history: History, rules: Rules, *, lead_time_days: int | None = None) -> dict:
    """Rebuild a clock log from the history (for clocks made by an import or a repair): the clocks are
    evaluated at every clock-relevant instant and each change of state or target becomes an entry."""
    instants = sorted(
        {
            history.opened_at,
            *(at for at, _s, _r in history.status_changes),
            *(at for at, _p in history.priorities),
        }
        | ({history.first_response_at} if history.first_response_at else set())
    )
    entries: dict[str, list[dict]] = {ClockKind.RESPONSE: [], ClockKind.RESOLUTION: []}
    previous: dict[str, Computed] = {}
    reasons = {at: reason for at, status, reason in history.status_changes if status == "pending"}
    for at in instants:
        for item in compute(ticket, history, rules, as_of=at, lead_time_days=lead_time_days):
            before = previous.get(item.kind)
            if before is None:
                event = SlaClockLog.Event.START
                entries[item.kind].append(_entry(at, event, item))
                if item.result.state != engine.ClockState.RUNNING:
                    entries[item.kind].append(_entry(at, _event_for(item.result.state), item))
            else:
                if before.result.state != item.result.state:
                    reason = reasons.get(at, "") if item.result.state == engine.ClockState.PAUSED else ""
                    entries[item.kind].append(_entry(at, _event_for(item.result.state), item, reason=reason))
                if before.result.target_seconds != item.result.target_seconds:
                    entries[item.kind].append(
                        _entry(
                            at,
                            SlaClockLog.Event.TARGET,
                            item,
                            extra={"from": before.result.target_seconds, "to": item.result.target_seconds},
                        )
                    )
            previous[item.kind] = item
    return entries


def _entry(at, event, item: Computed, *, reason: str = "", extra: dict | None = None) -> dict:
    data = {"priority": item.priority, "target": item.result.target_seconds, **(extra or {})}
    if reason:
        data["reason"] = reason
    return {
        "at": at,
        "event": event,
        "elapsed_seconds": item.result.elapsed_seconds,
        "due_at": item.result.due_at,
        "data": data,
    }
