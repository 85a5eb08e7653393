"""What the service page shows about availability (sla.md §4): this month so far and the twelve whole
months before it, measured in the agreed hours of the service's support calendar, in a fixed number of
queries whatever the number of outages."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from catalog.models import Service
from sla.availability import AvailabilityResult, month_bounds, month_of, months_ending
from sla.availability_data import calendar_window, monthly_availability, support_calendar
from sla.models import BusinessCalendar

# This month and the twelve whole months before it.
MONTHS_SHOWN = 13


def _minutes(seconds: Fraction) -> Decimal:
    """Return seconds as minutes to one decimal, rounded up so that downtime is never shown as less than
    it was (the availability is rounded down for the same reason)."""
    return Decimal(math.ceil(seconds / 6)).scaleb(-1)


@dataclass(frozen=True)
class MonthFigures:
    """One month's row: the exact result with the target met or not, and its figures as shown."""

    month: dt.date  # the 1st of the month, for its name in the active language
    result: AvailabilityResult
    met: bool | None  # None when the availability is "n/a" (no agreed service time)

    @property
    def applicable(self) -> bool:
        return self.result.availability is not None

    @property
    def reported(self) -> Decimal | None:
        return self.result.reported

    @property
    def downtime_minutes(self) -> Decimal:
        return _minutes(self.result.downtime_seconds)

    @property
    def interruptions(self) -> int:
        return self.result.interruption_count

    @property
    def mtrs_minutes(self) -> Decimal | None:
        mtrs = self.result.mtrs_seconds
        return None if mtrs is None else _minutes(mtrs)


@dataclass(frozen=True)
class ServiceFigures:
    """The availability section of a service page."""

    as_of: dt.datetime
    target: Decimal
    calendar: BusinessCalendar
    current: MonthFigures  # this month so far
    months: tuple[MonthFigures, ...]  # the twelve whole months before this one, newest first


def service_figures(service: Service, *, now: dt.datetime) -> ServiceFigures:
    """Return the availability figures of the service as of now, in three to five queries: its support
    calendar (one query for 24x7, three for one with hours), then its outages and its maintenance
    windows once for all thirteen months."""
    year, month = month_of(now)
    span_start = month_bounds(*months_ending(year, month, MONTHS_SHOWN)[0])[0]
    calendar = support_calendar(service)
    window = calendar_window(calendar, span_start, max(span_start, now))
    rows = [
        MonthFigures(month=dt.date(y, m, 1), result=result, met=result.meets(service.availability_target))
        for y, m, result in monthly_availability(service, now=now, count=MONTHS_SHOWN, service_window=window)
    ]
    return ServiceFigures(
        as_of=now,
        target=service.availability_target,
        calendar=calendar,
        current=rows[-1],
        months=tuple(reversed(rows[:-1])),
    )
