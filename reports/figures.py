"""One month's service desk figures (spec §5), as a snapshot as of the instant the month ends.

Decisions where the rules leave room:

- The ticket and SLA figures count incidents and service requests (TICKET_KINDS). Changes have no SLA and
  their own figures; problems live for months and would distort the desk's resolution times.
- "At M's end" is read from the timeline, not from the ticket's current fields: a ticket's status at the end
  is the "to" of its last status event before the end ("new" without one), and its clocks are the last
  start/pause/resume/stop/cancel entry of their append-only log (sla.SlaClockLog) before the end. So a
  ticket resolved in M and reopened afterwards still counts as resolved in M: published months never
  change. A resolution in M that was reopened and resolved again in M counts once.
- Surveys sent in M = Resolved(M): the requester is asked to rate a ticket once it is resolved or closed
  (the rating form on the ticket page, tickets.services.ticket_rate); answered = rated before M's end.
- Compliance and every other percentage are rounded down to one decimal (never overstating); hours and
  the mean score are rounded half-up to two decimals. A figure without a basis is None.
- Read as of now, not replayed: the ticket's service, support group, first-contact flag and request item,
  and the outages recorded for the month (a later correction of an outage is a correction of the month).

The query count is fixed: one for the tickets of the month (the month's activity and the backlog at its
end, with their status and clocks at the end read by subqueries), three for the calendars of open clocks
past their due time, one for the changes, one for the public services and three to five per service.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, JSONObject
from django.utils.dateparse import parse_datetime

from catalog.models import Service
from changes.models import Change, ChangeKind
from servicedesk.i18n import in_active_language
from sla.availability import month_bounds
from sla.availability_data import service_availability, service_window_for
from sla.calendar import business_calendar
from sla.models import BusinessCalendar, ClockKind, SlaClockLog
from sla.services import spec_of
from tickets.models import (
    FIRST_CONTACT_CHANNELS,
    OPEN_STATUSES,
    Kind,
    PendingReason,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
)

TICKET_KINDS = (Kind.INCIDENT, Kind.REQUEST)
PRIORITIES = (1, 2, 3, 4)
# The log entries that set a clock's state; the others (target, escalation, recomputed) do not.
STATE_EVENTS = {
    SlaClockLog.Event.START: "running",
    SlaClockLog.Event.RESUME: "running",
    SlaClockLog.Event.PAUSE: "paused",
    SlaClockLog.Event.STOP: "stopped",
    SlaClockLog.Event.CANCEL: "cancelled",
}
RESOLVED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


# --- Rounding --------------------------------------------------------------------------------------------


def percent_down(part: int, whole: int) -> float | None:
    """Return part/whole as a percentage rounded down to one decimal, None when whole is 0."""
    if not whole:
        return None
    tenths = math.floor(Fraction(1000 * part, whole))
    return float(Decimal(tenths) / 10)


def half_up(value: Fraction | Decimal | float | int | None, places: int = 2) -> float | None:
    """Return value rounded half-up to places decimals (None stays None)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    exponent = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP))


def nearest_rank(values: Sequence[float], percentile: int) -> float | None:
    """Return the percentile by nearest rank: the ⌈p/100·n⌉-th smallest value (None for no values)."""
    if not values:
        return None
    rank = math.ceil(Fraction(percentile, 100) * len(values))
    return sorted(values)[max(rank, 1) - 1]


def median_and_p90(hours: Sequence[float]) -> tuple[float | None, float | None]:
    """Return the median (statistics.median) and the P90 by nearest rank, rounded to 2 decimals."""
    if not hours:
        return None, None
    return half_up(statistics.median(hours)), half_up(nearest_rank(hours, 90))


# --- The tickets as of the month's end -------------------------------------------------------------------


def _status_events(end: dt.datetime):
    return TicketEvent.objects.filter(
        ticket=OuterRef("pk"), type=TicketEvent.Type.STATUS, created_at__lt=end
    ).order_by("-created_at", "-pk")


def _clock_log(kind: str, end: dt.datetime):
    return SlaClockLog.objects.filter(
        clock__ticket=OuterRef("pk"), clock__kind=kind, event__in=list(STATE_EVENTS), at__lt=end
    ).order_by("-at", "-pk")


def _clock_state(kind: str, end: dt.datetime, since: dt.datetime | None = None) -> Subquery:
    """A clock's last state entry before the end (and from since on, when given), as one JSON object (one
    subquery per clock)."""
    state = JSONObject(
        event="event",
        at="at",
        elapsed="elapsed_seconds",
        due="due_at",
        target=KT("data__target"),
        priority=KT("data__priority"),
        calendar="clock__calendar_id",
    )
    log = _clock_log(kind, end)
    if since is not None:
        log = log.filter(at__gte=since)
    return Subquery(log.annotate(value=state).values("value")[:1])


def _json_datetime(value) -> dt.datetime | None:
    """Read a datetime that came through a JSON object (ISO text on PostgreSQL, SQLite's text on SQLite)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _ticket_rows(start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Return the tickets the month's figures need (opened in M, with a resolution, a reopening or a
    response in M, or open at its end), each with its status and clocks as of the end (one query).

    The tickets are chosen in a subquery whose filter columns are never selected, and the outer query
    reads each chosen ticket's state once: every correlated subquery runs once per row, not in the filter
    and again in the select list.
    """
    last = _status_events(end)
    in_month = TicketEvent.objects.filter(
        ticket=OuterRef("pk"), type=TicketEvent.Type.STATUS, created_at__gte=start, created_at__lt=end
    )
    resolved_in_month = Exists(in_month.filter(data__to=Status.RESOLVED))
    reopened_in_month = Exists(
        in_month.filter(data__from=Status.RESOLVED, data__to__in=sorted(OPEN_STATUSES))
    )
    last_resolution = Subquery(last.filter(data__to=Status.RESOLVED).values("created_at")[:1])
    response = _clock_log(ClockKind.RESPONSE, end)
    chosen = (
        Ticket.objects.filter(kind__in=TICKET_KINDS, opened_at__lt=end)
        # Closed and cancelled are terminal: a ticket closed before the month began was closed all month
        # and counts in none of its figures. A plain column, checked before the subqueries below.
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .alias(
            status_at_end=Coalesce(
                Subquery(last.annotate(value=KT("data__to")).values("value")[:1]),
                Value(Status.NEW),
                output_field=TextField(),
            ),
            last_resolution=last_resolution,
            resolution_in_month=resolved_in_month,
            reopened_in_month=reopened_in_month,
            resp_event=Subquery(response.values("event")[:1]),
            resp_at=Subquery(response.values("at")[:1]),
        )
        .filter(
            Q(opened_at__gte=start)
            | Q(status_at_end__in=sorted(OPEN_STATUSES))
            | Q(last_resolution__gte=start)
            | Q(resolution_in_month=True)
            | Q(reopened_in_month=True)
            | Q(resp_at__gte=start, resp_event=SlaClockLog.Event.STOP)
        )
        .order_by()
        .values("pk")
    )
    rows = (
        Ticket.objects.filter(pk__in=chosen)
        .order_by()
        .alias(last_resolution=last_resolution)
        .annotate(
            status_then=Subquery(
                last.annotate(value=JSONObject(to=KT("data__to"), pending=KT("data__pending_reason"))).values(
                    "value"
                )[:1]
            ),
            # Compared in SQL: the figures need only whether, and reading 200,000 timestamps into Python
            # is most of a second at 1,000,000 tickets.
            opened_in_month=ExpressionWrapper(Q(opened_at__gte=start), output_field=BooleanField()),
            resolved_since_start=ExpressionWrapper(
                Q(last_resolution__gte=start), output_field=BooleanField()
            ),
            rated_before_end=ExpressionWrapper(Q(rating__created_at__lt=end), output_field=BooleanField()),
            resolution_in_month=resolved_in_month,
            reopened_in_month=reopened_in_month,
            res=_clock_state(ClockKind.RESOLUTION, end),
            # Only a response given in the month counts, so only the month's entries are read: most rows
            # have none, and no JSON to decode.
            resp=_clock_state(ClockKind.RESPONSE, end, since=start),
        )
        .values(
            "pk",
            "kind",
            "priority",
            "channel",
            "opened_in_month",
            "first_contact_resolution",
            "status_then",
            "resolved_since_start",
            "rated_before_end",
            "resolution_in_month",
            "reopened_in_month",
            "res",
            "resp",
            "service_id",
            "service__code",
            "service__name_nb",
            "service__name_en",
            "support_group_id",
            "support_group__code",
            "support_group__name_nb",
            "support_group__name_en",
            "rating__score",
            "order_line__item_id",
            "order_line__item__code",
            "order_line__item__name_nb",
            "order_line__item__name_en",
        )
    )
    if connection.vendor != "postgresql":
        return _with_status(list(rows))
    with transaction.atomic():
        # The correlated subqueries push the cost estimate past jit_above_cost, and compiling the plan costs
        # about 2 s on every run, more than the month's rows take without it (docs/performance.md).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        return _with_status(list(rows))


def _with_status(rows: list[dict]) -> list[dict]:
    for row in rows:
        status = row.pop("status_then")
        row["status_at_end"] = status["to"] if status else Status.NEW
        row["pending_at_end"] = status["pending"] if status else None
    return rows


def _clock(row: dict, prefix: str) -> dict | None:
    """Return a clock's state as of the month's end from its last state entry, None without a clock.

    The times stay as the database gave them ("at_raw", "due_raw") until a figure needs one: most rows
    never do, and reading 200,000 timestamps out of JSON text is a second of the report."""
    state = row[prefix]
    if state is None:
        return None
    target = state["target"]
    elapsed = state["elapsed"]
    return {
        "state": STATE_EVENTS[state["event"]],
        "at_raw": state["at"],
        "elapsed": elapsed,
        "due_raw": state["due"],
        "calendar": state["calendar"],
        "target": int(target) if target is not None else None,
        "priority": int(state["priority"] or row["priority"]),
        # Breached means elapsed > target, to the second (docs/sla.md).
        "met": elapsed <= int(target) if target is not None else None,
    }


def _breached_open(rows: Iterable[dict], end: dt.datetime) -> set[int]:
    """Return the pks of the open tickets whose resolution clock had passed its target at the month's end.

    A running clock is breached from the first business second after its due time, so those past due
    are measured on their calendar (three queries, whatever the number of tickets)."""
    breached, past_due = set(), []
    for row in rows:
        clock = row["res_clock"]
        if clock is None or clock["target"] is None:
            continue
        if clock["state"] == "paused" and clock["elapsed"] > clock["target"]:
            breached.add(row["pk"])
        elif clock["state"] == "running" and clock["due_raw"] is not None:
            due = _json_datetime(clock["due_raw"])
            if due < end:
                past_due.append((row, due))
    if past_due:
        calendars = BusinessCalendar.objects.filter(
            pk__in={row["res_clock"]["calendar"] for row, _due in past_due}
        ).prefetch_related("segments", "dates")
        engines = {
            c.pk: business_calendar(spec_of(c, list(c.segments.all()), list(c.dates.all())))
            for c in calendars
        }
        for row, due in past_due:
            engine = engines.get(row["res_clock"]["calendar"])
            if engine is None or engine.elapsed(due, end) > 0:
                breached.add(row["pk"])
    return breached


def _breakdown(rows: list[dict], key: str, opened, resolved, backlog) -> list[dict]:
    groups: dict = defaultdict(lambda: {"opened": 0, "resolved": 0, "backlog": 0, "met": 0, "judged": 0})
    names = {}
    for row in rows:
        pk = row[f"{key}_id"]
        if pk not in names:  # once per service or group, not per row
            names[pk] = (
                row[f"{key}__code"],
                in_active_language(row[f"{key}__name_nb"], row[f"{key}__name_en"]),
            )
        figures = groups[pk]
        figures["opened"] += row["pk"] in opened
        figures["backlog"] += row["pk"] in backlog
        if row["pk"] in resolved:
            figures["resolved"] += 1
            clock = row["res_clock"]
            if clock is not None and clock["state"] == "stopped" and clock["met"] is not None:
                figures["judged"] += 1
                figures["met"] += clock["met"]
    result = [
        {
            "code": names[pk][0],
            "name": names[pk][1],
            "opened": figures["opened"],
            "resolved": figures["resolved"],
            "backlog": figures["backlog"],
            "resolution_met_pct": percent_down(figures["met"], figures["judged"]),
        }
        for pk, figures in groups.items()
        if figures["opened"] or figures["resolved"] or figures["backlog"]
    ]
    # Tickets without a service or group come last, as "code": None.
    return sorted(result, key=lambda item: (item["code"] is None, item["code"] or ""))


def _ticket_figures(start: dt.datetime, end: dt.datetime) -> dict:
    rows = _ticket_rows(start, end)
    for row in rows:
        row["res_clock"] = _clock(row, "res")
        row["resp_clock"] = _clock(row, "resp")
    opened = {r["pk"] for r in rows if r["opened_in_month"]}
    resolved_rows = [r for r in rows if r["status_at_end"] in RESOLVED_STATUSES and r["resolved_since_start"]]
    resolved = {r["pk"] for r in resolved_rows}
    open_rows = [r for r in rows if r["status_at_end"] in OPEN_STATUSES]
    backlog = {r["pk"] for r in open_rows}
    pending_requester = sum(
        1
        for r in open_rows
        if r["status_at_end"] == Status.PENDING and r["pending_at_end"] == PendingReason.REQUESTER
    )

    # SLA: response clocks stopped in M; resolution clocks of Resolved(M) that have a target.
    responses = [r["resp_clock"] for r in rows if r["resp_clock"] and r["resp_clock"]["state"] == "stopped"]
    responses = [c for c in responses if c["met"] is not None]
    resolutions = [
        r["res_clock"]
        for r in resolved_rows
        if r["res_clock"] and r["res_clock"]["state"] == "stopped" and r["res_clock"]["met"] is not None
    ]
    by_priority = {}
    for priority in PRIORITIES:
        answered = [c for c in responses if c["priority"] == priority]
        judged = [c for c in resolutions if c["priority"] == priority]
        by_priority[f"P{priority}"] = {
            "response_met_pct": percent_down(sum(c["met"] for c in answered), len(answered)),
            "resolution_met_pct": percent_down(sum(c["met"] for c in judged), len(judged)),
            "resolved": sum(
                1 for r in resolved_rows if (r["res_clock"] or {}).get("priority", r["priority"]) == priority
            ),
        }

    hours = [c["elapsed"] / 3600 for c in resolutions]
    median, p90 = median_and_p90(hours)

    first_contact = [r for r in resolved_rows if r["channel"] in FIRST_CONTACT_CHANNELS]
    with_resolution = [r for r in rows if r["resolution_in_month"]]

    answers = [r["rating__score"] for r in resolved_rows if r["rated_before_end"]]
    mean = Fraction(sum(answers), len(answers)) if answers else None

    return {
        "tickets": {
            "opened": len(opened),
            "resolved": len(resolved),
            "backlog": len(backlog),
            "backlog_pending_requester": pending_requester,
        },
        "sla": {
            "response_met_pct": percent_down(sum(c["met"] for c in responses), len(responses)),
            "resolution_met_pct": percent_down(sum(c["met"] for c in resolutions), len(resolutions)),
            "breached_open": len(_breached_open(open_rows, end)),
            "by_priority": by_priority,
        },
        "resolution_hours": {"median": median, "p90": p90},
        "first_contact_resolution_pct": percent_down(
            sum(1 for r in first_contact if r["first_contact_resolution"]), len(first_contact)
        ),
        "reopen_rate_pct": percent_down(sum(1 for r in rows if r["reopened_in_month"]), len(with_resolution)),
        "csat": {
            "sent": len(resolved_rows),
            "answered": len(answers),
            "response_rate_pct": percent_down(len(answers), len(resolved_rows)),
            "average": half_up(mean),
            "top2_pct": percent_down(sum(1 for score in answers if score >= 4), len(answers)),
        },
        "requests": _request_figures(resolved_rows),
        "by_service": _breakdown(rows, "service", opened, resolved, backlog),
        "by_group": _breakdown(rows, "support_group", opened, resolved, backlog),
    }


def _request_figures(resolved_rows: list[dict]) -> list[dict]:
    """Return request fulfilment per catalogue item over the month's resolved requests."""
    items: dict = defaultdict(list)
    names = {}
    for row in resolved_rows:
        item = row["order_line__item_id"]
        if row["kind"] != Kind.REQUEST or item is None:
            continue
        if item not in names:
            names[item] = (
                row["order_line__item__code"],
                in_active_language(row["order_line__item__name_nb"], row["order_line__item__name_en"]),
            )
        items[item].append(row["res_clock"])
    result = []
    for item, clocks in items.items():
        stopped = [c for c in clocks if c and c["state"] == "stopped" and c["met"] is not None]
        median, p90 = median_and_p90([c["elapsed"] / 3600 for c in stopped])
        result.append(
            {
                "item": names[item][0],
                "name": names[item][1],
                "count": len(clocks),
                "median_hours": median,
                "p90_hours": p90,
                "within_target_pct": percent_down(sum(c["met"] for c in stopped), len(stopped)),
            }
        )
    return sorted(result, key=lambda entry: entry["item"])


# --- Changes and availability ----------------------------------------------------------------------------


def _change_figures(start: dt.datetime, end: dt.datetime) -> dict:
    """Return the change figures over the changes closed in M (a cancelled change never closes), in one
    query; an incident marked caused by a change after M's end does not change the month."""
    caused = TicketLink.objects.filter(
        target=OuterRef("ticket_id"),
        type=TicketLink.Type.CAUSED_BY,
        source__kind=Kind.INCIDENT,
        created_at__lt=end,
    )
    counts = (
        Change.objects.filter(
            state=Change.State.CLOSED, ticket__closed_at__gte=start, ticket__closed_at__lt=end
        )
        .annotate(caused_incident=Exists(caused))
        .aggregate(
            closed=Count("pk"),
            successful=Count("pk", filter=Q(outcome=Change.Outcome.SUCCESSFUL, caused_incident=False)),
            emergency=Count("pk", filter=Q(kind=ChangeKind.EMERGENCY)),
        )
    )
    return {
        "closed": counts["closed"],
        "successful": counts["successful"],
        "success_rate_pct": percent_down(counts["successful"], counts["closed"]),
        "emergency_share_pct": percent_down(counts["emergency"], counts["closed"]),
    }


def _minutes(seconds: Fraction | None) -> float | None:
    return half_up(seconds / 60) if seconds is not None else None


def _availability_figures(year: int, month: int, services) -> list[dict]:
    """Return availability per service (§4): reported rounded down, met judged on the exact value."""
    start, end = month_bounds(year, month)
    if services is None:
        services = Service.objects.filter(in_public_report=True, state=Service.State.LIVE).order_by("code")
    result = []
    for service in services:
        window = service_window_for(service, start, end)
        figures = service_availability(service, year, month, now=end, service_window=window)
        target = service.availability_target
        reported = figures.reported
        result.append(
            {
                "service": service.code,
                "name": service.name,
                "target_pct": float(target) if target is not None else None,
                "availability_pct": float(reported) if reported is not None else None,
                "agreed_minutes": _minutes(figures.agreed_seconds),
                "downtime_minutes": _minutes(figures.downtime_seconds),
                "outages": figures.interruption_count,
                "mtrs_minutes": _minutes(figures.mtrs_seconds),
                "mtbf_minutes": _minutes(figures.mtbf_seconds),
                "met": figures.meets(target) if target is not None else None,
            }
        )
    return result


def month_figures(year: int, month: int, *, services: Iterable[Service] | None = None) -> dict:
    """Return the figures of a month (Europe/Oslo) as of the instant it ends, as the report's JSON.

    services: the services to report availability for; by default the live ones in the public report.
    The caller adds "generated_at".
    """
    start, end = month_bounds(year, month)
    tickets = _ticket_figures(start, end)
    return {
        "period": f"{year:04d}-{month:02d}",
        "tickets": tickets["tickets"],
        "sla": tickets["sla"],
        "resolution_hours": tickets["resolution_hours"],
        "first_contact_resolution_pct": tickets["first_contact_resolution_pct"],
        "reopen_rate_pct": tickets["reopen_rate_pct"],
        "csat": tickets["csat"],
        "availability": _availability_figures(year, month, services),
        "changes": _change_figures(start, end),
        "requests": tickets["requests"],
        "by_service": tickets["by_service"],
        "by_group": tickets["by_group"],
    }
