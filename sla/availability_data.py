"""Availability of a service per month from the stored outages and approved maintenance windows: the
reads that feed the pure computation in sla/availability.py, in a fixed number of queries.

Service window: service_availability and last_twelve_months treat a service as 24x7 unless the caller
passes service_window; service_window_for reads it from the service's support-hours calendar (or the
default calendar), so a caller reads the calendar once for the whole span it asks about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Q, Subquery, prefetch_related_objects

from catalog.models import Service
from changes.selectors import planned_downtime
from incidents.models import Outage
from sla.availability import (
    DEFAULT_COUNTED_SEVERITIES,
    AvailabilityResult,
    Interval,
    OutageSpan,
    availability,
    month_bounds,
    month_of,
    months_ending,
)
from sla.calendar import business_calendar
from sla.models import BusinessCalendar
from sla.services import spec_of


def _service_id(service: Service | int) -> int:
    return service.pk if isinstance(service, Service) else service


def _outages(service_id: int, start: dt.datetime, end: dt.datetime) -> list[OutageSpan]:
    """Return the outages of a service that overlap start–end, open ones included (one query)."""
    rows = (
        Outage.objects.filter(service_id=service_id, start__lt=end)
        .filter(Q(end__isnull=True) | Q(end__gt=start))
        .order_by("start", "pk")
        .values_list("start", "end", "severity")
    )
    return [OutageSpan(start, end, severity) for start, end, severity in rows]


def support_calendar(service: Service | int) -> BusinessCalendar:
    """Return the calendar of the service's agreed hours, its support calendar or else the default one,
    with its segments and dates read in: one query for a 24x7 calendar, three for one with hours.

    Raise BusinessCalendar.DoesNotExist when the service has no calendar and none is the default.
    """
    if not isinstance(service, Service):
        own = Q(pk=Subquery(Service.objects.filter(pk=service).values("support_calendar_id")[:1]))
    elif service.support_calendar_id:
        own = Q(pk=service.support_calendar_id)
    else:
        own = Q()  # combined with | below, an empty Q leaves only the default
    # The service's own calendar sorts before the default one (False before True).
    calendar = BusinessCalendar.objects.filter(own | Q(is_default=True)).order_by("is_default").first()
    if calendar is None:
        raise BusinessCalendar.DoesNotExist("The service has no support calendar and there is no default.")
    if not calendar.always_open:
        prefetch_related_objects([calendar], "segments", "dates")
    return calendar


def calendar_window(
    calendar: BusinessCalendar, start: dt.datetime, end: dt.datetime
) -> list[Interval] | None:
    """Return the open intervals of a calendar read by support_calendar in start–end (UTC), or None
    when it is open around the clock (24x7): the service_window the computation takes."""
    if calendar.always_open:
        return None
    spec = spec_of(calendar, list(calendar.segments.all()), list(calendar.dates.all()))
    return business_calendar(spec).segments(start, end)


def service_window_for(service: Service | int, start: dt.datetime, end: dt.datetime) -> list[Interval] | None:
    """Return the service's agreed hours in start–end as UTC intervals, None when they are 24x7 (one
    query for a 24x7 calendar, three for one with hours; see support_calendar)."""
    return calendar_window(support_calendar(service), start, end)


def _period(year: int, month: int, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Return the month, ending at now while it is in progress (and empty if it has not begun)."""
    start, end = month_bounds(year, month)
    return start, max(start, min(end, now))


def _whole_seconds(now: dt.datetime) -> dt.datetime:
    # Durations are whole seconds (sla.md); a month "so far" ends at the last whole second.
    return now.replace(microsecond=0)


def service_availability(
    service: Service | int,
    year: int,
    month: int,
    *,
    now: dt.datetime,
    service_window: Sequence[Interval] | None = None,
    counted_severities: Iterable[str] = DEFAULT_COUNTED_SEVERITIES,
) -> AvailabilityResult:
    """Return the availability of a service in a month (Europe/Oslo), in two queries.

    For the month in progress the period ends at now ("so far"), and an open outage is cut there; for a
    past month an outage still open is cut at the month's end. service_window: the agreed hours as
    intervals, None for 24x7 (see the module docstring).
    """
    service_id = _service_id(service)
    start, end = _period(year, month, _whole_seconds(now))
    return availability(
        period_start=start,
        period_end=end,
        service_window=service_window,
        maintenance=planned_downtime(service_id, start, end) if end > start else [],
        outages=_outages(service_id, start, end) if end > start else [],
        counted_severities=counted_severities,
    )


def last_twelve_months(
    service: Service | int,
    *,
    now: dt.datetime,
    service_window: Sequence[Interval] | None = None,
    counted_severities: Iterable[str] = DEFAULT_COUNTED_SEVERITIES,
    include_current: bool = True,
) -> list[tuple[int, int, AvailabilityResult]]:
    """Return (year, month, result) for twelve months, oldest first, in two queries whatever the number
    of outages: the outages and the maintenance of the whole span are read once and split per month.

    The twelve months end with the month in progress ("so far", ending at now) unless include_current is
    False, when they end with the last whole month. service_window must cover the whole span.
    """
    return monthly_availability(
        service,
        now=now,
        count=12,
        service_window=service_window,
        counted_severities=counted_severities,
        include_current=include_current,
    )


def monthly_availability(
    service: Service | int,
    *,
    now: dt.datetime,
    count: int,
    service_window: Sequence[Interval] | None = None,
    counted_severities: Iterable[str] = DEFAULT_COUNTED_SEVERITIES,
    include_current: bool = True,
) -> list[tuple[int, int, AvailabilityResult]]:
    """Return (year, month, result) for count months, oldest first, in two queries (see
    last_twelve_months, which is this with count=12)."""
    service_id = _service_id(service)
    now = _whole_seconds(now)
    year, month = month_of(now)
    if not include_current:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    months = months_ending(year, month, count)
    periods = [(y, m, *_period(y, m, now)) for y, m in months]
    span_start, span_end = periods[0][2], periods[-1][3]
    outages = _outages(service_id, span_start, span_end)
    maintenance = planned_downtime(service_id, span_start, span_end)
    return [
        (
            y,
            m,
            availability(
                period_start=start,
                period_end=end,
                service_window=service_window,
                maintenance=maintenance,
                outages=outages,
                counted_severities=counted_severities,
            ),
        )
        for y, m, start, end in periods
    ]
