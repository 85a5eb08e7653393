"""Properties of the SLA engine over random instants (2025–2028, DST switches, holidays) and calendars."""

import datetime as dt
import math
from fractions import Fraction
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from incidents.calendar_days import add_business_seconds as day_walking_add
from sla.calendar import MIDNIGHT, CalendarSpec, business_calendar
from sla.clock import ClockEvent, ClockEventKind, ClockState, evaluate_clock, instant_at_percent

# Deterministic, so CI is stable; no example database written into the work tree.
settings.register_profile(
    "sla-engine",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ENGINE = settings.get_profile("sla-engine")

OSLO = ZoneInfo("Europe/Oslo")
HOUR, DAY = 3600, 86_400
ONE_SECOND = dt.timedelta(seconds=1)
FIRST_DAY, LAST_DAY = dt.date(2025, 1, 1), dt.date(2028, 12, 31)


def local_ts(day: dt.date, hour: int = 0) -> int:
    return int(dt.datetime.combine(day, dt.time(hour), tzinfo=OSLO).timestamp())


def instant(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)


LOW, HIGH = local_ts(FIRST_DAY), local_ts(LAST_DAY + dt.timedelta(days=1)) - 1


def _special_instants() -> list[int]:
    """DST switches and the midnights around Norwegian holidays, 2025–2028."""
    special = []
    for year in range(2025, 2029):
        for month in (3, 10):
            last_sunday = max(
                dt.date(year, month, day) for day in range(25, 32) if dt.date(year, month, day).weekday() == 6
            )
            special.append(int(dt.datetime.combine(last_sunday, dt.time(1), tzinfo=dt.UTC).timestamp()))
        for day in holidays.Norway(years=year, include_sundays=False):
            special += [local_ts(day), local_ts(day + dt.timedelta(days=1))]
    return sorted(special)


SPECIAL = _special_instants()
timestamps = st.one_of(
    st.integers(LOW, HIGH),
    st.builds(int.__add__, st.sampled_from(SPECIAL), st.integers(-36 * HOUR, 36 * HOUR)),
    st.builds(int.__add__, st.sampled_from(SPECIAL), st.integers(-90, 90)),
    # Next to typical openings and closings.
    st.builds(
        lambda day, hour, offset: local_ts(day, hour) + offset,
        st.dates(FIRST_DAY, LAST_DAY),
        st.sampled_from([0, 8, 11, 12, 16, 23]),
        st.integers(-3, 3),
    ),
)
durations = st.one_of(st.integers(0, 4 * HOUR), st.integers(0, 300 * HOUR))

# Segment boundaries on a quarter-hour grid, none in Oslo's DST gap; 24 * 60 is a close at 24:00.
GRID = [minute for minute in range(0, 24 * 60 + 1, 15) if not 120 <= minute < 180]


def _time(minute: int) -> dt.time:
    return MIDNIGHT if minute == 24 * 60 else dt.time(minute // 60, minute % 60)


def _pair_up(minutes: list[int]) -> tuple:
    ordered = sorted(minutes)
    return tuple((_time(ordered[i]), _time(ordered[i + 1])) for i in range(0, len(ordered) - 1, 2))


day_segments = st.lists(st.sampled_from(GRID), unique=True, max_size=6).map(_pair_up)
dates = st.dates(FIRST_DAY, LAST_DAY)


def _random_spec(week, closed, opened, country):
    week = list(week)
    if not any(week):
        week[0] = ((dt.time(8), dt.time(16)),)
    opened_dates = {day for day, _ in opened}
    return CalendarSpec(
        week=tuple(week),
        holidays_country=country,
        closed_dates=frozenset(closed) - opened_dates,
        open_dates=tuple(opened),
    )


random_specs = st.builds(
    _random_spec,
    st.lists(day_segments, min_size=7, max_size=7),
    st.frozensets(dates, max_size=8),
    st.lists(st.tuples(dates, day_segments.filter(bool)), max_size=4, unique_by=lambda item: item[0]),
    st.sampled_from(["NO", None]),
)
specs = st.one_of(st.just(CalendarSpec.default()), st.just(CalendarSpec.twenty_four_seven()), random_specs)
calendars = specs.map(business_calendar)


@lru_cache(maxsize=16)
def _norwegian_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.Norway(years=year, include_sundays=False))


def reference_elapsed(spec: CalendarSpec, a: int, b: int) -> int:
    """Return the business seconds in [a, b) the slow way: every local date, every segment."""
    if b <= a:
        return 0
    if spec.always_open:
        return b - a
    zone = ZoneInfo(spec.tz)
    opened = dict(spec.open_dates)
    day = dt.datetime.fromtimestamp(a, zone).date() - dt.timedelta(days=1)
    last = dt.datetime.fromtimestamp(b, zone).date()
    total = 0
    while day <= last:
        if day in spec.closed_dates:
            segments = ()
        elif day in opened:
            segments = opened[day]
        elif spec.holidays_country and day in _norwegian_holidays(day.year):
            segments = ()
        else:
            segments = spec.week[day.weekday()]
        for opens, closes in segments:
            start = dt.datetime.combine(day, opens, tzinfo=zone).timestamp()
            end_day = day + dt.timedelta(days=1) if closes == MIDNIGHT else day
            end = dt.datetime.combine(end_day, closes, tzinfo=zone).timestamp()
            total += max(0, int(min(end, b) - max(start, a)))
        day += dt.timedelta(days=1)
    return total


# --- The calendar ---------------------------------------------------------------------------------------


@ENGINE
@given(calendars, timestamps, timestamps, timestamps)
def test_elapsed_is_additive(calendar, x, y, z):
    a, b, c = (instant(ts) for ts in sorted((x, y, z)))
    assert calendar.elapsed(a, b) + calendar.elapsed(b, c) == calendar.elapsed(a, c)


@ENGINE
@given(calendars, timestamps, timestamps)
def test_elapsed_never_exceeds_wall_time(calendar, x, y):
    elapsed = calendar.elapsed(instant(x), instant(y))
    assert 0 <= elapsed <= max(0, y - x)
    if calendar.spec.always_open:
        assert elapsed == max(0, y - x)


@ENGINE
@given(specs, timestamps, st.integers(0, 90 * DAY))
def test_elapsed_matches_a_day_by_day_reference(spec, x, span):
    calendar = business_calendar(spec)
    assert calendar.elapsed(instant(x), instant(x + span)) == reference_elapsed(spec, x, x + span)


@ENGINE
@given(calendars, timestamps, durations)
def test_elapsed_after_add_is_the_duration(calendar, x, seconds):
    start = instant(x)
    due = calendar.add(start, seconds)
    assert due >= start
    assert calendar.elapsed(start, due) == seconds
    if seconds:
        # The earliest such instant: the second before it is business time.
        assert calendar.is_open(due - ONE_SECOND)


@ENGINE
@given(calendars, timestamps, timestamps)
def test_add_of_elapsed_reaches_the_end_exactly_when_it_is_business_time(calendar, x, y):
    start, end = instant(min(x, y)), instant(max(x, y))
    reached = calendar.add(start, calendar.elapsed(start, end))
    assert reached <= end
    # Exactly the end when nothing separates them, or when the second before the end is business time
    # (the end is inside a segment or is a segment's end); otherwise the last business second's end.
    exact = end == start or calendar.is_open(end - ONE_SECOND)
    assert (reached == end) is exact


@ENGINE
@given(calendars, timestamps, timestamps, durations, durations)
def test_add_is_monotone(calendar, x, y, s, t):
    first, second = instant(min(x, y)), instant(max(x, y))
    shorter, longer = min(s, t), max(s, t)
    assert calendar.add(first, shorter) <= calendar.add(first, longer)
    assert calendar.add(first, shorter) <= calendar.add(second, shorter)


@ENGINE
@given(calendars, timestamps)
def test_next_open_is_the_first_business_second(calendar, x):
    start = instant(x)
    opens = calendar.next_open(start)
    assert opens >= start
    assert calendar.is_open(opens)
    assert calendar.elapsed(start, opens) == 0


@ENGINE
@given(timestamps, st.integers(1, 300 * HOUR))
def test_the_default_calendar_agrees_with_the_day_walking_add(x, seconds):
    start = instant(x)
    assert business_calendar(CalendarSpec.default()).add(start, seconds) == day_walking_add(start, seconds)


# --- Clocks ---------------------------------------------------------------------------------------------

gaps = st.lists(st.integers(1, 3 * DAY), max_size=6)


def _history(
    start: int, gaps: list[int], stopped: bool
) -> tuple[list[ClockEvent], list[tuple[int, int]], int]:
    """Return alternating pause/resume events (and maybe a stop), the running stretches and the end."""
    events, running, instants = [], [], []
    at = start
    for gap in gaps:
        at += gap
        instants.append(at)
    end = at + HOUR
    running_since = start
    for index, at in enumerate(instants):
        if index % 2 == 0:
            events.append(ClockEvent(instant(at), ClockEventKind.PAUSE))
            running.append((running_since, at))
        else:
            events.append(ClockEvent(instant(at), ClockEventKind.RESUME))
            running_since = at
    if len(instants) % 2 == 0:  # still running at the end
        if stopped:
            events.append(ClockEvent(instant(end), ClockEventKind.STOP))
        running.append((running_since, end))
    return events, running, end


@ENGINE
@given(calendars, timestamps, gaps, st.booleans(), st.data())
def test_pausing_never_increases_elapsed(calendar, start, gaps, stopped, data):
    events, running, end = _history(start, gaps, stopped)
    stretch_start, stretch_end = data.draw(st.sampled_from(running))
    assume(stretch_end - stretch_start >= 2)
    pause = data.draw(st.integers(stretch_start, stretch_end - 2))
    resume = data.draw(st.integers(pause + 1, stretch_end - 1))
    now = instant(end)
    common = {"start": instant(start), "target_seconds": 8 * HOUR, "now": now}
    without = evaluate_clock(calendar, events=events, **common)
    extra = [
        ClockEvent(instant(pause), ClockEventKind.PAUSE),
        ClockEvent(instant(resume), ClockEventKind.RESUME),
    ]
    with_pause = evaluate_clock(calendar, events=events + extra, **common)
    assert without.elapsed_seconds == sum(calendar.elapsed(instant(a), instant(b)) for a, b in running)
    assert with_pause.elapsed_seconds <= without.elapsed_seconds
    assert without.elapsed_seconds - with_pause.elapsed_seconds == calendar.elapsed(
        instant(pause), instant(resume)
    )
    assert with_pause.state == without.state


targets = st.sampled_from([15 * 60, HOUR, 4 * HOUR, 8 * HOUR, 24 * HOUR, 80 * HOUR])


@ENGINE
@given(calendars, timestamps, gaps, targets, targets, st.data())
def test_a_priority_change_and_back_gives_the_original_clock(calendar, start, gaps, target, other, data):
    events, _, end = _history(start, gaps, stopped=False)
    change = data.draw(st.integers(start, end))
    back = data.draw(st.integers(change, end))
    now = instant(end)
    original = evaluate_clock(calendar, start=instant(start), target_seconds=target, events=events, now=now)
    changes = [
        ClockEvent(instant(change), ClockEventKind.TARGET, other),
        ClockEvent(instant(back), ClockEventKind.TARGET, target),
    ]
    changed = evaluate_clock(
        calendar, start=instant(start), target_seconds=target, events=events + changes, now=now
    )
    assert changed == original


@ENGINE
@given(calendars, timestamps, gaps, targets)
def test_the_due_time_is_when_elapsed_reaches_the_target(calendar, start, gaps, target):
    events, _, end = _history(start, gaps, stopped=False)
    common = {"start": instant(start), "target_seconds": target, "events": events}
    result = evaluate_clock(calendar, now=instant(end), **common)
    assume(result.state == ClockState.RUNNING)
    if result.due_at >= instant(end):  # still ahead: nothing happens to the clock until then
        at_due = evaluate_clock(calendar, now=result.due_at, **common)
        assert (at_due.elapsed_seconds, at_due.breached, at_due.due_at) == (target, False, result.due_at)
    breach = calendar.add(result.due_at, 1)
    if breach >= instant(end):
        after = evaluate_clock(calendar, now=breach, **common)
        assert (after.elapsed_seconds, after.breached) == (target + 1, True)
    assert result.breached is (result.elapsed_seconds > target)


@ENGINE
@given(calendars, timestamps, gaps, targets, st.sampled_from([75, 100, 150, Fraction(1, 3)]))
def test_escalation_instants_are_when_the_percentage_is_reached(calendar, start, gaps, target, percent):
    events, _, end = _history(start, gaps, stopped=False)
    common = {"start": instant(start), "target_seconds": target, "events": events}
    result = evaluate_clock(calendar, now=instant(end), **common)
    assume(result.state == ClockState.RUNNING)
    threshold = math.ceil(Fraction(percent) * target / 100)
    reached = instant_at_percent(calendar, result, percent)
    if reached >= instant(end):
        assert evaluate_clock(calendar, now=reached, **common).elapsed_seconds == threshold
        if reached - ONE_SECOND >= instant(end):
            assert evaluate_clock(calendar, now=reached - ONE_SECOND, **common).percent < percent
    else:
        assert result.percent >= percent
