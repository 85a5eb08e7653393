"""The change calendar's month and week grids and its agenda, built from calendar entries.

Pure functions over frozen dataclasses: no ORM, no clock, no settings. The caller passes the entries,
today's date and the time zone the grid is drawn in (Europe/Oslo), so every boundary can be tested.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

MONTH = "month"
WEEK = "week"
VIEWS = (MONTH, WEEK)
View = Literal["month", "week"]

# Kinds of entry; freeze windows sort first in a day, since they say what may not happen in it.
CHANGE = "change"
MAINTENANCE = "maintenance"
FREEZE = "freeze"
_KIND_ORDER = {FREEZE: 0, CHANGE: 1, MAINTENANCE: 2}


@dataclass(frozen=True)
class Entry:
    """One thing on the calendar: a change, a maintenance window or a freeze window (aware datetimes)."""

    kind: str
    key: str  # stable and unique: the change number, "maintenance-<pk>", "freeze-<pk>"
    title: str
    start: dt.datetime
    end: dt.datetime
    url: str = ""
    number: str = ""
    state: str = ""
    state_label: str = ""
    badge: str = ""  # which status badge the state looks like (changes.models.STATE_BADGE)
    services: tuple[str, ...] = ()
    group: str = ""
    downtime: bool = False
    tentative: bool = False
    description: str = ""

    @property
    def is_freeze(self) -> bool:
        return self.kind == FREEZE

    @property
    def is_change(self) -> bool:
        return self.kind == CHANGE

    @property
    def is_maintenance(self) -> bool:
        return self.kind == MAINTENANCE


@dataclass(frozen=True)
class Segment:
    """The part of an entry that falls on one day: its local start and end when they fall on that day."""

    entry: Entry
    starts: dt.datetime | None = None
    ends: dt.datetime | None = None

    @property
    def all_day(self) -> bool:
        return self.starts is None and self.ends is None


@dataclass(frozen=True)
class Day:
    date: dt.date
    in_period: bool
    is_today: bool
    segments: tuple[Segment, ...] = ()

    @property
    def frozen(self) -> bool:
        return any(segment.entry.is_freeze for segment in self.segments)

    @property
    def is_weekend(self) -> bool:
        return self.date.isoweekday() >= 6


@dataclass(frozen=True)
class Week:
    year: int  # the ISO year the week number belongs to
    number: int
    days: tuple[Day, ...]


@dataclass(frozen=True)
class Grid:
    """What the calendar page draws: the weeks shown, the period they are for and its agenda."""

    view: str
    anchor: dt.date
    period_start: dt.date  # the month or the week (end exclusive)
    period_end: dt.date
    weeks: tuple[Week, ...]
    agenda: tuple[Entry, ...]
    previous: dt.date
    next: dt.date
    weekdays: tuple[dt.date, ...] = field(default=())  # one date per column, Monday first

    @property
    def start(self) -> dt.date:
        return self.weeks[0].days[0].date

    @property
    def end(self) -> dt.date:
        return self.weeks[-1].days[-1].date + dt.timedelta(days=1)

    @property
    def days(self) -> tuple[Day, ...]:
        return tuple(day for week in self.weeks for day in week.days)

    @property
    def last_day(self) -> dt.date:
        return self.period_end - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day of the month `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def week_start(day: dt.date) -> dt.date:
    """Return the Monday of the day's week (weeks start on Monday in Norway, ISO 8601)."""
    return day - dt.timedelta(days=day.weekday())


def period(view: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """Return the month or the week that contains the day, as (first day, day after the last)."""
    if view == WEEK:
        monday = week_start(day)
        return monday, monday + dt.timedelta(days=7)
    first = day.replace(day=1)
    return first, add_months(first, 1)


def visible_range(view: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """Return the days the grid shows: whole weeks, Monday to Sunday, around the period."""
    first, after = period(view, day)
    last = after - dt.timedelta(days=1)
    return week_start(first), week_start(last) + dt.timedelta(days=7)


def local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """Return the start of the day in the time zone (midnight exists every day in Europe/Oslo)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)


def days_touched(entry: Entry, tz: dt.tzinfo) -> tuple[dt.date, dt.date]:
    """Return the first and last local day an entry occupies; ending at midnight does not touch the
    next day."""
    start = entry.start.astimezone(tz)
    end = entry.end.astimezone(tz)
    last = end.date()
    if end.time() == dt.time() and end > start:
        last -= dt.timedelta(days=1)
    return start.date(), max(start.date(), last)


def _sort_key(entry: Entry) -> tuple:
    return (entry.start, _KIND_ORDER.get(entry.kind, 9), entry.end, entry.key)


def agenda(entries: Iterable[Entry], *, start: dt.date, end: dt.date, tz: dt.tzinfo) -> tuple[Entry, ...]:
    """Return the entries that touch the local days start–end (end exclusive), in time order."""
    lo, hi = local_midnight(start, tz), local_midnight(end, tz)
    return tuple(sorted((e for e in entries if e.start < hi and e.end > lo), key=_sort_key))


def _segments_by_day(entries: Iterable[Entry], tz: dt.tzinfo, days: Sequence[dt.date]) -> dict:
    wanted = set(days)
    by_day: dict[dt.date, list[Segment]] = {day: [] for day in days}
    for entry in sorted(entries, key=_sort_key):
        first, last = days_touched(entry, tz)
        local_start, local_end = entry.start.astimezone(tz), entry.end.astimezone(tz)
        day = max(first, days[0])
        while day <= last and day <= days[-1]:
            if day in wanted:
                # Starting at the day's midnight, or ending at the next, is all of that end of the day.
                starts = local_start if day == first and local_start.time() != dt.time() else None
                ends = local_end if day == last and local_end.date() == day else None
                by_day[day].append(Segment(entry, starts=starts, ends=ends))
            day += dt.timedelta(days=1)
    for segments in by_day.values():
        # Freeze windows first, then by the time the entry starts that day (continuing ones first).
        segments.sort(key=lambda s: (not s.entry.is_freeze, s.starts is not None, s.starts or s.entry.start))
    return by_day


def build_grid(*, view: str, day: dt.date, entries: Iterable[Entry], today: dt.date, tz: dt.tzinfo) -> Grid:
    """Lay the entries out on the month or week that contains the day, plus the period's agenda."""
    if view not in VIEWS:
        raise ValueError(f"unknown calendar view {view!r}")
    entries = list(entries)
    period_start, period_end = period(view, day)
    first, after = visible_range(view, day)
    dates = [first + dt.timedelta(days=offset) for offset in range((after - first).days)]
    by_day = _segments_by_day(entries, tz, dates)
    weeks = []
    for index in range(0, len(dates), 7):
        week_dates = dates[index : index + 7]
        iso = week_dates[0].isocalendar()
        weeks.append(
            Week(
                year=iso.year,
                number=iso.week,
                days=tuple(
                    Day(
                        date=date,
                        in_period=period_start <= date < period_end,
                        is_today=date == today,
                        segments=tuple(by_day[date]),
                    )
                    for date in week_dates
                ),
            )
        )
    if view == WEEK:
        previous, following = period_start - dt.timedelta(days=7), period_end
    else:
        previous, following = add_months(period_start, -1), period_end
    return Grid(
        view=view,
        anchor=day,
        period_start=period_start,
        period_end=period_end,
        weeks=tuple(weeks),
        agenda=agenda(entries, start=period_start, end=period_end, tz=tz),
        previous=previous,
        next=following,
        weekdays=tuple(dates[:7]),
    )
