"""Availability of a service over a period (sla.md §4), computed exactly from intervals of time.

Pure: no ORM, no Django, no clock. sla/availability_data.py reads the outages and maintenance windows
and passes them in, with the period and, for a service with agreed hours, its service window.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple
from zoneinfo import ZoneInfo

Interval = tuple[dt.datetime, dt.datetime]

REPORTING_TZ = "Europe/Oslo"

DOWN = "down"
DEGRADED = "degraded"
# A degraded service is still in use, so only "down" is unavailability. Counting degraded time as
# downtime would report a service that answered slowly as if nobody could reach it; the degraded time
# is reported apart (AvailabilityResult.degraded_seconds) so that the service owner still sees it.
DEFAULT_COUNTED_SEVERITIES = frozenset({DOWN})

NOT_APPLICABLE = "n/a"


class OutageSpan(NamedTuple):
    """An outage as the computation sees it: end None while it lasts. A plain (start, end) is "down"."""

    start: dt.datetime
    end: dt.datetime | None
    severity: str = DOWN


# --- Intervals -------------------------------------------------------------------------------------------
# Every helper takes half-open [start, end) intervals of aware datetimes in any order, and returns them
# sorted, disjoint and in UTC, with overlapping and touching intervals joined and empty ones dropped.
# Datetimes are moved to UTC first: Python subtracts and compares two datetimes that share a tzinfo by
# their wall-clock times, which is wrong across a DST change (00:00–04:00 on 29 March 2026 is 3 h).


def _utc(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"An aware datetime is needed, not {instant!r}.")
    return instant.astimezone(dt.UTC)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Return the union of the intervals."""
    result: list[Interval] = []
    for start, end in sorted((_utc(start), _utc(end)) for start, end in intervals):
        if end <= start:
            continue
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def clip(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """Return the union of the intervals, cut to start–end."""
    return intersect(intervals, [(start, end)])


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Return the time that lies in both a and b."""
    left, right = merge(a), merge(b)
    result: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            result.append((start, end))
        # Move past whichever interval ends first; the other may still meet the next one.
        if left[i][1] <= right[j][1]:
            i += 1
        else:
            j += 1
    return result


def subtract(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Return the time in a that is not in b."""
    holes = merge(b)
    result: list[Interval] = []
    j = 0
    for start, end in merge(a):
        # Holes that end before this interval cannot touch it or any later one.
        while j < len(holes) and holes[j][1] <= start:
            j += 1
        k = j
        while k < len(holes) and holes[k][0] < end:
            if holes[k][0] > start:
                result.append((start, holes[k][0]))
            start = max(start, holes[k][1])
            k += 1
        if start < end:
            result.append((start, end))
    return result


def duration_seconds(delta: dt.timedelta) -> Fraction:
    """Return a timedelta as an exact number of seconds."""
    return Fraction(delta // dt.timedelta(microseconds=1), 1_000_000)


def total_seconds(intervals: Iterable[Interval]) -> Fraction:
    """Return the length of the union of the intervals in seconds, exactly (an integer for whole seconds)."""
    return sum((duration_seconds(end - start) for start, end in merge(intervals)), Fraction(0))


# --- Months ----------------------------------------------------------------------------------------------


def month_bounds(year: int, month: int, tz: str | dt.tzinfo = REPORTING_TZ) -> Interval:
    """Return [local 00:00 on the 1st, local 00:00 on the 1st of the next month) as UTC datetimes.

    The month is local: March 2026 in Oslo has 743 hours, October 2026 has 745.
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(next_year, next_month, 1, tzinfo=zone)
    return _utc(start), _utc(end)


def month_of(instant: dt.datetime, tz: str | dt.tzinfo = REPORTING_TZ) -> tuple[int, int]:
    """Return the (year, month) that the instant falls in, in local time."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = _utc(instant).astimezone(zone)
    return local.year, local.month


def months_ending(year: int, month: int, count: int) -> list[tuple[int, int]]:
    """Return the count months that end with year-month, oldest first."""
    last = year * 12 + (month - 1)
    return [(index // 12, index % 12 + 1) for index in range(last - count + 1, last + 1)]


# --- Availability ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AvailabilityResult:
    """The availability figures of one service over one period; all durations are exact seconds.

    agreed_seconds is AST = |W − MW|; downtime_seconds is DT; downtime_periods are the merged periods of
    downtime within W − MW that MTRS, MTBF and MTBSI count.
    """

    period_start: dt.datetime
    period_end: dt.datetime
    service_window_seconds: Fraction
    maintenance_seconds: Fraction
    agreed_seconds: Fraction
    downtime_seconds: Fraction
    degraded_seconds: Fraction
    downtime_periods: tuple[Interval, ...]
    degraded_periods: tuple[Interval, ...]

    @property
    def availability(self) -> Fraction | None:
        """A = (AST − DT) / AST as an exact fraction of 1; None ("n/a") when no service time was agreed."""
        if not self.agreed_seconds:
            return None
        return (self.agreed_seconds - self.downtime_seconds) / self.agreed_seconds

    @property
    def percent(self) -> Fraction | None:
        """The exact availability in percent."""
        availability = self.availability
        return None if availability is None else availability * 100

    @property
    def reported(self) -> Decimal | None:
        """The percentage rounded down to 2 decimals (99.6527…→ 99.65): it meets a target only if the exact
        one does, and it is 100.00 only when there was no downtime."""
        availability = self.availability
        if availability is None:
            return None
        return Decimal(math.floor(availability * 10_000)).scaleb(-2)

    @property
    def agreed_minutes(self) -> Fraction:
        return self.agreed_seconds / 60

    @property
    def downtime_minutes(self) -> Fraction:
        return self.downtime_seconds / 60

    @property
    def degraded_minutes(self) -> Fraction:
        return self.degraded_seconds / 60

    @property
    def interruption_count(self) -> int:
        """n: the number of merged downtime periods within W − MW."""
        return len(self.downtime_periods)

    @property
    def mtrs_seconds(self) -> Fraction | None:
        """Mean time to restore service, DT / n; None without interruptions."""
        n = self.interruption_count
        return self.downtime_seconds / n if n else None

    @property
    def mtbf_seconds(self) -> Fraction | None:
        """Mean time between failures (uptime per interruption), (AST − DT) / n; None without interruptions."""
        n = self.interruption_count
        return (self.agreed_seconds - self.downtime_seconds) / n if n else None

    @property
    def mtbsi_seconds(self) -> Fraction | None:
        """Mean time between service incidents, AST / n; None without interruptions."""
        n = self.interruption_count
        return self.agreed_seconds / n if n else None

    def meets(self, target: Decimal | int | str) -> bool | None:
        """Return whether the exact availability reaches the target percentage (99.5 means 99.5 %).

        The exact value is compared, not the reported one: rounding down only ever lowers the figure, but
        the rule must not depend on the rounding. Return None when the availability is "n/a" (no agreed
        service time): the target is neither met nor missed, and None is falsy for callers that only ask
        "met?".
        """
        if isinstance(target, float):
            raise TypeError("Give the target as a Decimal, an int or a string, not a float.")
        percent = self.percent
        if percent is None:
            return None
        return percent >= Fraction(target)

    def __str__(self) -> str:
        return NOT_APPLICABLE if self.reported is None else f"{self.reported} %"


def availability(
    *,
    period_start: dt.datetime,
    period_end: dt.datetime,
    service_window: Sequence[Interval] | None = None,
    maintenance: Iterable[Interval] = (),
    outages: Iterable[OutageSpan | tuple],
    counted_severities: Iterable[str] = DEFAULT_COUNTED_SEVERITIES,
) -> AvailabilityResult:
    """Compute the availability of a service in period_start–period_end (sla.md §4).

    service_window: the agreed hours as intervals (from the service's business calendar); None for a
    24x7 service, whose window is the whole period. An empty list means no agreed hours at all ("n/a").
    maintenance: approved maintenance windows. Outside the window they change nothing.
    outages: OutageSpan or (start, end[, severity]) tuples; a plain (start, end) is "down". An open
    outage (end None) is cut at period_end, so for a month in progress pass period_end = now.
    counted_severities: the severities that are downtime (default: "down" only); the other outages are
    reported as degraded time, apart from the downtime.

    W = period ∩ window, MW = maintenance ∩ W, AST = |W − MW|, DT = |union(outages) ∩ (W − MW)|.
    """
    period_start, period_end = _utc(period_start), _utc(period_end)
    period = [(period_start, period_end)]
    window = period if service_window is None else intersect(service_window, period)
    maintained = intersect(maintenance, window)
    agreed = subtract(window, maintained)

    counted = frozenset(counted_severities)
    down: list[Interval] = []
    degraded: list[Interval] = []
    for outage in outages:
        span = OutageSpan(*outage)
        interval = (span.start, period_end if span.end is None else span.end)
        (down if span.severity in counted else degraded).append(interval)

    downtime = intersect(down, agreed)
    # Time both down and degraded is downtime; degraded time is only what is left.
    degraded_time = subtract(intersect(degraded, agreed), downtime)
    return AvailabilityResult(
        period_start=period_start,
        period_end=period_end,
        service_window_seconds=total_seconds(window),
        maintenance_seconds=total_seconds(maintained),
        agreed_seconds=total_seconds(agreed),
        downtime_seconds=total_seconds(downtime),
        degraded_seconds=total_seconds(degraded_time),
        downtime_periods=tuple(downtime),
        degraded_periods=tuple(degraded_time),
    )
