"""Business calendars: opening hours, holidays, and the business time between and after instants.

Pure (no ORM, no settings, no clock). A frozen `CalendarSpec` describes a calendar; a `BusinessCalendar`
answers questions about it in O(log n) from cumulative segment tables built lazily per local year.

Conventions (docs: /work/shared/spec/sla.md §1):
- Instants are aware datetimes (naive ones raise `NaiveDatetimeError`); results are aware UTC datetimes.
  Durations are whole seconds: an instant with a fraction of a second counts from the whole second it
  falls in (it is floored).
- A segment of local date D is `[localize(D, open), localize(D, close))`, built by iterating over local
  calendar dates, never by adding 86,400 s. A close of `time(0)` means the end of the day (24:00).
- Each operation also exists on plain epoch seconds (`*_ts`); the datetime methods convert once and call
  those, and hot loops that already hold integers (the clock, the benchmark) use them directly.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

UTC = dt.UTC
MIDNIGHT = dt.time(0)
DAY_SECONDS = 86_400
# The local years the tables cover. Validation looks for DST gaps over the years services will live in.
FIRST_YEAR, LAST_YEAR = 1971, 2199
VALIDATION_YEARS = (2000, 2100)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# (open, close) local times; close == time(0) is 24:00.
Segment = tuple[dt.time, dt.time]
DaySegments = tuple[Segment, ...]

OFFICE_HOURS: DaySegments = ((dt.time(8), dt.time(16)),)
WHOLE_DAY: DaySegments = ((MIDNIGHT, MIDNIGHT),)
DEFAULT_WEEK: tuple[DaySegments, ...] = (OFFICE_HOURS,) * 5 + ((),) * 2


class NaiveDatetimeError(ValueError):
    """A datetime without a UTC offset came in where an instant is needed."""


class CalendarSpecError(ValueError):
    """A calendar description is inconsistent; `messages` lists every problem found."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


class CalendarRangeError(ValueError):
    """An instant lies outside the years the calendar covers, or no business time is left in them."""


def ensure_aware(value: dt.datetime, name: str = "instant") -> dt.datetime:
    """Return value if it is an aware datetime; raise NaiveDatetimeError otherwise.

    Local times without an offset are ambiguous around DST (02:30 on 25 Oct 2026 happens twice in Oslo),
    so nothing from outside (imports, the API) may hand one in.
    """
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(f"{name} must be an aware datetime (with a UTC offset), got {value!r}")
    return value


@dataclass(frozen=True)
class CalendarSpec:
    """An immutable, hashable description of a business calendar.

    `week` has 7 entries, Monday to Sunday, each a tuple of (open, close) local times. `open_dates` are
    extra open dates with their own segments; they override holidays and weekends. `closed_dates` are
    extra closed dates (24 and 31 December, say), which are not public holidays. An `always_open`
    calendar is plain absolute time (24x7: DST days last 23 h or 25 h); it ignores week and holidays.
    Lists and sets given to the constructor are turned into tuples and frozensets.
    """

    tz: str = "Europe/Oslo"
    week: tuple[DaySegments, ...] = DEFAULT_WEEK
    holidays_country: str | None = "NO"
    closed_dates: frozenset[dt.date] = frozenset()
    open_dates: tuple[tuple[dt.date, DaySegments], ...] = ()
    always_open: bool = False

    def __post_init__(self):
        object.__setattr__(self, "week", tuple(tuple(tuple(pair) for pair in day) for day in self.week))
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        open_dates = tuple(
            (day, tuple(tuple(pair) for pair in segments)) for day, segments in self.open_dates
        )
        object.__setattr__(self, "open_dates", tuple(sorted(open_dates, key=lambda item: item[0])))

    @classmethod
    def default(cls) -> CalendarSpec:
        """Return Mon–Fri 08:00–16:00 Europe/Oslo, closed on Norwegian public holidays."""
        return cls()

    @classmethod
    def twenty_four_seven(cls, tz: str = "Europe/Oslo") -> CalendarSpec:
        """Return the 24x7 calendar: every second counts."""
        return cls(tz=tz, week=(WHOLE_DAY,) * 7, holidays_country=None, always_open=True)


# --- Validation -------------------------------------------------------------------------------------------


def validate_spec(spec: CalendarSpec) -> list[str]:
    """Return every problem with spec, in English (an empty list when it is valid).

    Checked: the time zone exists; 7 weekdays; each segment a pair of whole-second local times with
    open < close (close 00:00 = 24:00); no overlaps within a day; no boundary in a DST gap or fold of the
    zone in 2000–2100 (for Europe/Oslo any time in [02:00, 03:00)), so every boundary names exactly one
    instant on every date; open dates unique, with segments, not also closed; the calendar opens at all.
    """
    errors: list[str] = []
    try:
        ZoneInfo(spec.tz)
        unstable = _unstable_wall_times(spec.tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        errors.append(f"Unknown time zone {spec.tz!r}.")
        unstable = ()
    if len(spec.week) != 7:
        errors.append(f"A week has 7 days (Monday to Sunday), not {len(spec.week)}.")
    else:
        for weekday, segments in enumerate(spec.week):
            errors += _segment_errors(segments, WEEKDAY_NAMES[weekday], unstable)
    if spec.holidays_country is not None and spec.holidays_country not in _supported_countries():
        errors.append(f"No public holidays are known for country {spec.holidays_country!r}.")
    seen: set[dt.date] = set()
    for day, segments in spec.open_dates:
        label = day.isoformat()
        if day in seen:
            errors.append(f"{label}: the open date is given twice.")
        seen.add(day)
        if day in spec.closed_dates:
            errors.append(f"{label}: a date cannot be both closed and open.")
        if not segments:
            errors.append(f"{label}: an open date needs at least one segment.")
        errors += _segment_errors(segments, label, unstable)
    if spec.always_open:
        if spec.closed_dates or spec.open_dates:
            errors.append("A 24x7 calendar has no closed or open dates.")
    elif not spec.open_dates and not any(spec.week):
        errors.append("The calendar is never open.")
    return errors


def _segment_errors(segments: DaySegments, label: str, unstable) -> list[str]:
    errors = []
    spans = []
    for pair in segments:
        if len(pair) != 2 or not all(isinstance(t, dt.time) for t in pair):
            errors.append(f"{label}: a segment is a pair of times (open, close), not {pair!r}.")
            continue
        opens, closes = pair
        if any(t.tzinfo is not None or t.microsecond for t in pair):
            errors.append(f"{label}: segment times are local times in whole seconds, without a time zone.")
            continue
        start, end = _seconds_of_day(opens), _seconds_of_day(closes) or DAY_SECONDS
        if start >= end:
            errors.append(f"{label}: {_hhmm(opens)}–{_hhmm(closes)} closes before it opens.")
            continue
        spans.append((start, end, opens, closes))
        for boundary in (opens, closes):
            problem = _unstable_problem(_seconds_of_day(boundary), unstable)
            if problem:
                errors.append(f"{label}: {_hhmm(boundary)} {problem}.")
    spans.sort()
    for (_, end, opens, closes), (start, _, next_opens, next_closes) in itertools.pairwise(spans):
        if start < end:
            errors.append(
                f"{label}: {_hhmm(opens)}–{_hhmm(closes)} overlaps {_hhmm(next_opens)}–{_hhmm(next_closes)}."
            )
    return errors


def _unstable_problem(seconds: int, unstable) -> str | None:
    for start, end, kind, day in unstable:
        if start <= seconds < end:
            if kind == "gap":
                return f"does not exist on some dates (the clocks skip it, e.g. on {day.isoformat()})"
            return f"happens twice on some dates (the clocks go back, e.g. on {day.isoformat()})"
    return None


@lru_cache(maxsize=32)
def _unstable_wall_times(tz: str) -> tuple[tuple[int, int, str, dt.date], ...]:
    """Return the local times of day that do not exist ("gap") or exist twice ("fold") on some date.

    Each entry is (start, end) in seconds of the day, end exclusive, the kind and the first date seen, for
    the years of VALIDATION_YEARS. Offsets are sampled daily in UTC (only to find the transitions; nothing
    here is calendar arithmetic), and each change is narrowed down to the second.
    """
    zone = ZoneInfo(tz)

    def offset(ts: int) -> dt.timedelta:
        return dt.datetime.fromtimestamp(ts, zone).utcoffset()

    found: dict[tuple[int, int, str], dt.date] = {}
    ts = int(dt.datetime(VALIDATION_YEARS[0], 1, 1, 12, tzinfo=UTC).timestamp())
    last = int(dt.datetime(VALIDATION_YEARS[1] + 1, 1, 1, 12, tzinfo=UTC).timestamp())
    before = offset(ts)
    while ts < last:
        after = offset(ts + DAY_SECONDS)
        if after != before:
            low, high = ts, ts + DAY_SECONDS
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == before else (low, middle)
            utc_wall = dt.datetime.fromtimestamp(high, UTC).replace(tzinfo=None)
            wall, wall_end = utc_wall + min(before, after), utc_wall + max(before, after)
            kind = "gap" if after > before else "fold"
            while wall < wall_end:
                next_midnight = dt.datetime.combine(wall.date() + dt.timedelta(days=1), MIDNIGHT)
                piece_end = min(wall_end, next_midnight)
                end = DAY_SECONDS if piece_end == next_midnight else _seconds_of_day(piece_end.time())
                found.setdefault((_seconds_of_day(wall.time()), end, kind), wall.date())
                wall = piece_end
        before = after
        ts += DAY_SECONDS
    # Gaps first, so that a time that is missing on one date and doubled on another is reported missing.
    ordered = sorted(found.items(), key=lambda item: (item[0][2] != "gap", item[0]))
    return tuple((start, end, kind, day) for (start, end, kind), day in ordered)


@lru_cache(maxsize=1)
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


def _seconds_of_day(value: dt.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


# --- Tables -----------------------------------------------------------------------------------------------


class _YearTable:
    """The business segments of one local year, as epoch seconds, with the business time before each."""

    __slots__ = ("cumulative", "ends", "starts", "total")

    def __init__(self, starts: list[int], ends: list[int]):
        self.starts = starts
        self.ends = ends
        cumulative = [0]
        for start, end in zip(starts, ends, strict=True):
            cumulative.append(cumulative[-1] + end - start)
        # cumulative[i] = business seconds in this year before segment i; the last entry is the total.
        self.cumulative = cumulative
        self.total = cumulative[-1]

    def seconds_before(self, ts: int) -> int:
        """Return the business seconds of this year before ts."""
        index = bisect.bisect_right(self.starts, ts) - 1
        if index < 0:
            return 0
        if ts < self.ends[index]:
            return self.cumulative[index] + ts - self.starts[index]
        return self.cumulative[index + 1]


@lru_cache(maxsize=256)
def _holiday_dates(country: str, year: int) -> frozenset[dt.date]:
    return frozenset(_holidays(country, year).keys())


def _holidays(country: str, year: int, language: str | None = None) -> holidays.HolidayBase:
    if country == "NO":
        # Explicitly without Sundays: the package can count every Sunday as a holiday in Norway.
        return holidays.Norway(years=year, include_sundays=False, language=language)
    return holidays.country_holidays(country, years=year, language=language)


def _local_ts(day: dt.date, value: dt.time, zone: ZoneInfo) -> int:
    return int(dt.datetime.combine(day, value, tzinfo=zone).timestamp())


@lru_cache(maxsize=2048)
def _year_table(spec: CalendarSpec, year: int) -> _YearTable:
    zone = ZoneInfo(spec.tz)
    holiday_dates = _holiday_dates(spec.holidays_country, year) if spec.holidays_country else frozenset()
    open_dates = dict(spec.open_dates)
    starts: list[int] = []
    ends: list[int] = []
    one_day = dt.timedelta(days=1)
    day = dt.date(year, 1, 1)
    while day.year == year:  # local calendar dates, so DST days get their 23 or 25 hours
        if day in spec.closed_dates:
            segments = ()
        elif day in open_dates:
            segments = open_dates[day]
        elif day in holiday_dates:
            segments = ()
        else:
            segments = spec.week[day.weekday()]
        for opens, closes in sorted(segments):
            start = _local_ts(day, opens, zone)
            end = (
                _local_ts(day + one_day, MIDNIGHT, zone)
                if closes == MIDNIGHT
                else _local_ts(day, closes, zone)
            )
            starts.append(start)
            ends.append(end)
        day += one_day
    return _YearTable(starts, ends)


@lru_cache(maxsize=32)
def _year_starts(tz: str) -> list[int]:
    """Return the epoch seconds of local 1 January 00:00 of FIRST_YEAR … LAST_YEAR + 1."""
    zone = ZoneInfo(tz)
    return [_local_ts(dt.date(year, 1, 1), MIDNIGHT, zone) for year in range(FIRST_YEAR, LAST_YEAR + 2)]


def _to_ts(value: dt.datetime, name: str) -> int:
    if getattr(value, "tzinfo", None) is None or value.utcoffset() is None:
        ensure_aware(value, name)
    return math.floor(value.timestamp())


def _from_ts(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, UTC)


# --- The calendar -----------------------------------------------------------------------------------------


class BusinessCalendar:
    """Business time on a calendar: elapsed between instants, instant after a duration, opening hours.

    Built from a validated spec (raises CalendarSpecError otherwise). Tables per local year are built on
    first use and shared between calendars of the same spec; years 1971–2199 are covered.
    Thread-safe in practice: a table is computed from immutable data and assigned in one step.
    """

    __slots__ = ("_always_open", "_tables", "_year_starts", "spec", "zone")

    def __init__(self, spec: CalendarSpec):
        errors = validate_spec(spec)
        if errors:
            raise CalendarSpecError(errors)
        self.spec = spec
        self.zone = ZoneInfo(spec.tz)
        self._always_open = spec.always_open
        self._year_starts = _year_starts(spec.tz)
        self._tables: list[_YearTable | None] = [None] * (LAST_YEAR - FIRST_YEAR + 1)

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.spec!r})"

    # Epoch-second API: the implementation. -----------------------------------------------------------

    def _locate(self, ts: int) -> tuple[int, _YearTable]:
        index = bisect.bisect_right(self._year_starts, ts) - 1
        if not 0 <= index < len(self._tables):
            raise CalendarRangeError(f"{_from_ts(ts).isoformat()} is outside {FIRST_YEAR}–{LAST_YEAR}.")
        return index, self._table(index)

    def _table(self, index: int) -> _YearTable:
        table = self._tables[index]
        if table is None:
            table = self._tables[index] = _year_table(self.spec, FIRST_YEAR + index)
        return table

    def elapsed_ts(self, start: int, end: int) -> int:
        """Return the business seconds in [start, end) (0 if end <= start), epoch seconds in."""
        if end <= start:
            return 0
        if self._always_open:
            return end - start
        first_index, first = self._locate(start)
        last_index, last = self._locate(end)
        if first_index == last_index:
            return last.seconds_before(end) - first.seconds_before(start)
        total = first.total - first.seconds_before(start) + last.seconds_before(end)
        for index in range(first_index + 1, last_index):
            total += self._table(index).total
        return total

    def add_ts(self, start: int, seconds: int) -> int:
        """Return the instant at which `seconds` of business time after start have passed, epoch seconds.

        The earliest such instant: when the time runs out exactly at a segment's end, that end (16:00),
        not the next opening. 0 seconds returns start itself, even outside business hours.
        """
        if seconds < 0:
            raise ValueError(f"Cannot add a negative duration ({seconds} s).")
        if seconds == 0:
            return start
        if self._always_open:
            return start + seconds
        index, table = self._locate(start)
        wanted = table.seconds_before(start) + seconds
        while wanted > table.total:
            wanted -= table.total
            index += 1
            if index >= len(self._tables):
                raise CalendarRangeError(f"No business time left before {LAST_YEAR + 1}.")
            table = self._table(index)
        segment = bisect.bisect_left(table.cumulative, wanted) - 1
        return table.starts[segment] + wanted - table.cumulative[segment]

    def is_open_ts(self, ts: int) -> bool:
        """Return whether the second starting at ts is business time."""
        if self._always_open:
            return True
        _, table = self._locate(ts)
        segment = bisect.bisect_right(table.starts, ts) - 1
        return segment >= 0 and ts < table.ends[segment]

    def next_open_ts(self, ts: int) -> int:
        """Return ts if it is business time, else the start of the next segment."""
        if self._always_open:
            return ts
        index, table = self._locate(ts)
        segment = bisect.bisect_right(table.starts, ts) - 1
        if segment >= 0 and ts < table.ends[segment]:
            return ts
        segment += 1
        while segment >= len(table.starts):
            index += 1
            if index >= len(self._tables):
                raise CalendarRangeError(f"The calendar does not open again before {LAST_YEAR + 1}.")
            table, segment = self._table(index), 0
        return table.starts[segment]

    def segments_ts(self, start: int, end: int) -> list[tuple[int, int]]:
        """Return the business segments overlapping [start, end), clipped to it, in order."""
        if end <= start:
            return []
        if self._always_open:
            return [(start, end)]
        first_index, _ = self._locate(start)
        last_index, _ = self._locate(end)
        result = []
        for index in range(first_index, last_index + 1):
            table = self._table(index)
            segment = bisect.bisect_right(table.ends, start)
            while segment < len(table.starts) and table.starts[segment] < end:
                result.append((max(table.starts[segment], start), min(table.ends[segment], end)))
                segment += 1
        return result

    # Datetime API: what the rest of the project calls. -------------------------------------------------

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> int:
        """Return the business seconds in [start, end) (0 if end <= start)."""
        return self.elapsed_ts(_to_ts(start, "start"), _to_ts(end, "end"))

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """Return the instant (UTC) at which `seconds` of business time after start have passed.

        If the time runs out exactly at a segment's end, that end is the answer (16:00, not 08:00 the next
        morning). add(start, 0) returns start itself (in UTC), even outside business hours.
        """
        if seconds == 0:
            return ensure_aware(start, "start").astimezone(UTC)
        return _from_ts(self.add_ts(_to_ts(start, "start"), seconds))

    def is_open(self, instant: dt.datetime) -> bool:
        """Return whether instant falls in business time (a segment's end is outside it)."""
        return self.is_open_ts(_to_ts(instant, "instant"))

    def next_open(self, instant: dt.datetime) -> dt.datetime:
        """Return instant (UTC) if it is business time, else the start of the next segment."""
        ts = _to_ts(instant, "instant")
        opens = self.next_open_ts(ts)
        return instant.astimezone(UTC) if opens == ts else _from_ts(opens)

    def segments(self, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        """Return the business segments overlapping [start, end) as UTC pairs, clipped to it.

        For previews ("the next 14 days"); on a 24x7 calendar that is the single pair (start, end).
        """
        return [
            (_from_ts(opens), _from_ts(closes))
            for opens, closes in self.segments_ts(_to_ts(start, "start"), _to_ts(end, "end"))
        ]

    def holidays_in(self, year: int, language: str | None = None) -> list[tuple[dt.date, str]]:
        """Return the public holidays of year the calendar observes, as sorted (date, name) pairs.

        Names come from the holidays package, in `language` if it has it (e.g. "no", "en_US"). Extra
        closed dates are not holidays and are not listed; a 24x7 calendar observes none.
        """
        if self.spec.always_open or not self.spec.holidays_country:
            return []
        return sorted(_holidays(self.spec.holidays_country, year, language).items())


@lru_cache(maxsize=64)
def business_calendar(spec: CalendarSpec) -> BusinessCalendar:
    """Return the shared BusinessCalendar of spec (its tables are built once per process)."""
    return BusinessCalendar(spec)
