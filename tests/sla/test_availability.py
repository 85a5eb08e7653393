"""The availability maths of sla.md §4 and worked examples 7 and 8, without a database."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from sla.availability import (
    DEGRADED,
    DOWN,
    OutageSpan,
    availability,
    clip,
    intersect,
    merge,
    month_bounds,
    month_of,
    months_ending,
    subtract,
    total_seconds,
)

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC
MINUTE = 60


def oslo(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def month(year, month_, **kwargs):
    start, end = month_bounds(year, month_)
    kwargs.setdefault("outages", [])
    return availability(period_start=start, period_end=end, **kwargs)


def business_hours(year, month_) -> list[tuple[dt.datetime, dt.datetime]]:
    """Mon–Fri 08:00–16:00 Oslo time over a month, built by hand (no holidays)."""
    day = dt.date(year, month_, 1)
    intervals = []
    while day.month == month_:
        if day.weekday() < 5:
            intervals.append((oslo(day.year, day.month, day.day, 8), oslo(day.year, day.month, day.day, 16)))
        day += dt.timedelta(days=1)
    return intervals


# --- Interval helpers ------------------------------------------------------------------------------------

A, B, C, D, E, F = (utc(2026, 4, 1, hour) for hour in (1, 2, 3, 4, 5, 6))


@pytest.mark.parametrize(
    ("intervals", "expected"),
    [
        ([], []),
        ([(A, C), (B, D)], [(A, D)]),  # overlapping
        ([(A, B), (B, C)], [(A, C)]),  # touching
        ([(C, D), (A, B)], [(A, B), (C, D)]),  # unsorted, apart
        ([(A, F), (B, C)], [(A, F)]),  # contained
        ([(B, B), (C, A)], []),  # empty and backwards
    ],
)
def test_merge(intervals, expected):
    assert merge(intervals) == expected


def test_merge_returns_utc_and_handles_the_dst_change_correctly():
    # 00:00–04:00 local on 29 March 2026 is three hours: 02:00 does not exist that night.
    night = (oslo(2026, 3, 29, 0), oslo(2026, 3, 29, 4))
    assert merge([night]) == [(utc(2026, 3, 28, 23), utc(2026, 3, 29, 2))]
    assert total_seconds([night]) == 3 * 3600


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        merge([(dt.datetime(2026, 4, 1, 1), dt.datetime(2026, 4, 1, 2))])


def test_clip():
    assert clip([(A, C), (D, F)], B, E) == [(B, C), (D, E)]
    assert clip([(A, B)], C, D) == []


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([(A, F)], [(B, C), (D, E)], [(A, B), (C, D), (E, F)]),
        ([(A, C), (D, F)], [(B, E)], [(A, B), (E, F)]),
        ([(B, C)], [(A, D)], []),
        ([(A, B)], [(C, D)], [(A, B)]),
        ([(A, C)], [], [(A, C)]),
        ([(A, B), (C, D)], [(A, B)], [(C, D)]),
    ],
)
def test_subtract(a, b, expected):
    assert subtract(a, b) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([(A, F)], [(B, C), (D, E)], [(B, C), (D, E)]),
        ([(A, C), (D, F)], [(B, E)], [(B, C), (D, E)]),
        ([(A, B)], [(B, C)], []),
        ([(A, C)], [], []),
    ],
)
def test_intersect(a, b, expected):
    assert intersect(a, b) == expected
    assert intersect(b, a) == expected


def test_total_seconds_is_exact_and_counts_overlaps_once():
    assert total_seconds([(A, C), (B, D)]) == 3 * 3600
    half = A + dt.timedelta(microseconds=500_000)
    assert total_seconds([(A, half)]) == Fraction(1, 2)


# --- Months ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month_", "hours"),
    [(2026, 3, 743), (2026, 10, 745), (2026, 4, 720), (2026, 5, 744), (2026, 2, 672), (2028, 2, 696)],
)
def test_month_lengths_follow_local_time(year, month_, hours):
    start, end = month_bounds(year, month_)
    assert (end - start) == dt.timedelta(hours=hours)


def test_month_bounds_are_local_midnight_in_utc():
    assert month_bounds(2026, 3) == (utc(2026, 2, 28, 23), utc(2026, 3, 31, 22))
    assert month_bounds(2026, 12) == (utc(2026, 11, 30, 23), utc(2026, 12, 31, 23))
    assert month_bounds(2026, 3, tz="UTC") == (utc(2026, 3, 1), utc(2026, 4, 1))


def test_month_of_is_local():
    assert month_of(utc(2026, 3, 31, 22, 30)) == (2026, 4)
    assert month_of(utc(2026, 3, 31, 21, 30)) == (2026, 3)


def test_months_ending():
    assert months_ending(2026, 2, 3) == [(2025, 12), (2026, 1), (2026, 2)]
    assert months_ending(2026, 12, 12)[0] == (2026, 1)
    assert len(months_ending(2026, 5, 12)) == 12


# --- Worked examples -------------------------------------------------------------------------------------


def test_worked_example_7_overlapping_outages_in_april():
    result = month(
        2026,
        4,
        outages=[
            (oslo(2026, 4, 8, 10), oslo(2026, 4, 8, 11, 30)),
            (oslo(2026, 4, 8, 10, 45), oslo(2026, 4, 8, 12)),
            (oslo(2026, 4, 20, 22, 10), oslo(2026, 4, 20, 22, 40)),
        ],
    )
    assert result.agreed_minutes == 43_200
    assert result.downtime_minutes == 150  # the union: 120 + 30, not 165
    assert result.downtime_seconds == 9_000
    assert result.availability == Fraction(43_050, 43_200)
    assert float(result.percent) == pytest.approx(99.652777)
    assert result.reported == Decimal("99.65")
    assert str(result) == "99.65 %"
    assert result.interruption_count == 2
    assert result.mtrs_seconds == 75 * MINUTE
    assert result.mtbf_seconds == 21_525 * MINUTE
    assert result.mtbsi_seconds == 21_600 * MINUTE


def test_worked_example_8_maintenance_in_may():
    result = month(
        2026,
        5,
        maintenance=[(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))],
        outages=[
            (oslo(2026, 5, 5, 22, 30), oslo(2026, 5, 5, 23, 45)),  # counts 23:00–23:45
            (oslo(2026, 5, 12, 9), oslo(2026, 5, 12, 9, 30)),
        ],
    )
    assert result.service_window_seconds == 44_640 * MINUTE
    assert result.maintenance_seconds == 180 * MINUTE
    assert result.agreed_minutes == 44_460
    assert result.downtime_minutes == 75
    assert result.downtime_periods == (
        (utc(2026, 5, 5, 21), utc(2026, 5, 5, 21, 45)),
        (utc(2026, 5, 12, 7), utc(2026, 5, 12, 7, 30)),
    )
    assert float(result.percent) == pytest.approx(99.831309)
    assert result.reported == Decimal("99.83")


# --- Downtime --------------------------------------------------------------------------------------------


def test_adjacent_outages_are_one_interruption():
    result = month(
        2026,
        4,
        outages=[
            (oslo(2026, 4, 8, 10), oslo(2026, 4, 8, 10, 30)),
            (oslo(2026, 4, 8, 10, 30), oslo(2026, 4, 8, 11)),
        ],
    )
    assert result.downtime_minutes == 60
    assert result.interruption_count == 1


def test_outages_across_month_ends_are_clipped():
    outages = [
        (oslo(2026, 4, 30, 23), oslo(2026, 5, 1, 0, 30)),
        (oslo(2026, 3, 31, 23, 50), oslo(2026, 4, 1, 0, 5)),
    ]
    assert month(2026, 4, outages=outages).downtime_minutes == 60 + 5
    assert month(2026, 5, outages=outages).downtime_minutes == 30
    assert month(2026, 3, outages=outages).downtime_minutes == 10


def test_an_open_outage_is_cut_at_the_period_end():
    open_since = [(oslo(2026, 4, 30, 22), None)]
    assert month(2026, 4, outages=open_since).downtime_minutes == 120
    # The month so far: the period ends at now.
    now = oslo(2026, 4, 30, 22, 15)
    so_far = availability(period_start=month_bounds(2026, 4)[0], period_end=now, outages=open_since)
    assert so_far.downtime_minutes == 15
    assert so_far.agreed_seconds == total_seconds([(month_bounds(2026, 4)[0], now)])
    # An open outage that starts after the period does not count.
    assert month(2026, 3, outages=open_since).downtime_seconds == 0


def test_an_outage_inside_maintenance_counts_nothing_but_its_overrun_counts():
    window = [(oslo(2026, 5, 5, 20), oslo(2026, 5, 5, 23))]
    inside = month(2026, 5, maintenance=window, outages=[(oslo(2026, 5, 5, 21), oslo(2026, 5, 5, 22))])
    assert inside.downtime_seconds == 0
    assert inside.reported == Decimal("100.00")
    assert inside.interruption_count == 0
    assert inside.mtrs_seconds is None
    assert inside.mtbf_seconds is None
    assert inside.mtbsi_seconds is None
    across = month(2026, 5, maintenance=window, outages=[(oslo(2026, 5, 5, 19), oslo(2026, 5, 5, 23, 10))])
    assert across.downtime_minutes == 60 + 10
    # Cut in two by the window: two periods of downtime.
    assert across.interruption_count == 2


def test_maintenance_outside_the_period_or_window_changes_nothing():
    result = month(2026, 5, maintenance=[(oslo(2026, 4, 30, 20), oslo(2026, 5, 1, 1))], outages=[])
    assert result.maintenance_seconds == 3600
    assert result.agreed_minutes == 44_640 - 60


def test_no_agreed_service_time_is_not_applicable():
    start, end = month_bounds(2026, 5)
    everything = month(2026, 5, maintenance=[(start, end)], outages=[(start, end)])
    assert everything.agreed_seconds == 0
    assert everything.availability is None
    assert everything.reported is None
    assert str(everything) == "n/a"
    assert everything.meets(Decimal("99.5")) is None
    assert month(2026, 5, service_window=[]).availability is None
    empty_period = availability(period_start=start, period_end=start, outages=[(start, None)])
    assert empty_period.availability is None
    assert empty_period.downtime_seconds == 0


# --- Rounding and targets --------------------------------------------------------------------------------


def _with_downtime(agreed_seconds: int, downtime_seconds: Fraction | int):
    start = utc(2026, 1, 1)
    end = start + dt.timedelta(seconds=agreed_seconds)
    down_end = start + dt.timedelta(microseconds=int(downtime_seconds * 1_000_000))
    return availability(period_start=start, period_end=end, outages=[(start, down_end)])


@pytest.mark.parametrize(
    ("agreed", "downtime", "reported"),
    [
        (100_000, 1, Decimal("99.99")),  # exactly 99.999 → 99.99, never 100.00
        (1_000_000, 1, Decimal("99.99")),  # 99.9999
        (10_000_000, 1, Decimal("99.99")),  # 99.99999: DT > 0 is never 100.00
        (100_000, 0, Decimal("100.00")),
        (100_000, 1_000, Decimal("99.00")),  # exactly 99: no rounding at all
        (100_000, 100_000, Decimal("0.00")),
        (3, 1, Decimal("66.66")),  # 66.666… → 66.66, not 66.67
    ],
)
def test_reported_figure_is_rounded_down(agreed, downtime, reported):
    result = _with_downtime(agreed, downtime)
    assert result.reported == reported
    assert str(result.reported) == str(reported)  # two decimals shown, also for 100.00 and 0.00


def test_meets_compares_the_exact_value():
    # Exactly 99.496 %: rounded half-up it would show 99.50 and seem to meet 99.5 %; it does not.
    result = _with_downtime(250_000, 1_260)  # 1,260 s of 250,000 s = 0.504 %
    assert result.percent == Fraction(99_496, 1_000)
    assert result.reported == Decimal("99.49")
    assert result.meets(Decimal("99.5")) is False
    assert result.meets(Decimal("99.496")) is True
    assert result.meets(Decimal("99.497")) is False


def test_meets_a_target_with_three_decimals_that_the_reported_figure_hides():
    # Exactly 99.957 %: reported 99.95, below the 99.955 target on paper, but the exact figure meets it.
    result = _with_downtime(1_000_000, 430)
    assert result.percent == Fraction(99_957, 1_000)
    assert result.reported == Decimal("99.95")
    assert result.meets(Decimal("99.955")) is True
    # And 99.9549… is reported the same and misses it.
    missing = _with_downtime(1_000_000, 451)
    assert missing.reported == Decimal("99.95")
    assert missing.meets(Decimal("99.955")) is False


def test_meets_exactly_at_the_target_and_refuses_floats():
    result = _with_downtime(1_000, 5)  # exactly 99.5 %
    assert result.meets(Decimal("99.500")) is True
    assert result.meets(100) is False
    assert result.meets("99.5") is True
    with pytest.raises(TypeError):
        result.meets(99.5)


# --- Service window --------------------------------------------------------------------------------------


def test_a_business_hours_window_excludes_night_outages():
    window = business_hours(2026, 4)
    result = month(
        2026,
        4,
        service_window=window,
        outages=[
            (oslo(2026, 4, 8, 2), oslo(2026, 4, 8, 5)),  # Wednesday night: outside the agreed hours
            (oslo(2026, 4, 11, 10), oslo(2026, 4, 11, 14)),  # Saturday
            (oslo(2026, 4, 9, 15), oslo(2026, 4, 10, 9)),  # Thu 15–16 and Fri 08–09
        ],
    )
    assert result.service_window_seconds == 22 * 8 * 3600  # 22 weekdays in April 2026
    assert result.agreed_seconds == 22 * 8 * 3600
    assert result.downtime_minutes == 120
    assert result.interruption_count == 2  # the overnight outage is seen as two interruptions
    assert result.availability == 1 - Fraction(2, 22 * 8)


def test_maintenance_outside_the_service_window_is_not_subtracted():
    result = month(
        2026,
        4,
        service_window=business_hours(2026, 4),
        maintenance=[(oslo(2026, 4, 8, 15), oslo(2026, 4, 8, 20))],  # only 15–16 is agreed time
        outages=[],
    )
    assert result.maintenance_seconds == 3600
    assert result.agreed_seconds == (22 * 8 - 1) * 3600


def test_a_service_window_beyond_the_period_is_cut_to_it():
    window = business_hours(2026, 4) + business_hours(2026, 5)
    assert month(2026, 4, service_window=window).agreed_seconds == 22 * 8 * 3600


# --- Severities ------------------------------------------------------------------------------------------


def test_degraded_time_is_reported_apart_by_default():
    result = month(
        2026,
        4,
        outages=[
            OutageSpan(oslo(2026, 4, 8, 10), oslo(2026, 4, 8, 12), DEGRADED),
            OutageSpan(oslo(2026, 4, 8, 11), oslo(2026, 4, 8, 11, 30), DOWN),
            (oslo(2026, 4, 9, 10), oslo(2026, 4, 9, 10, 10)),  # a plain pair is "down"
        ],
    )
    assert result.downtime_minutes == 40
    # Degraded 10–12, minus the half hour it was down.
    assert result.degraded_minutes == 90
    assert len(result.degraded_periods) == 2


def test_degraded_time_counts_when_asked():
    result = month(
        2026,
        4,
        outages=[
            OutageSpan(oslo(2026, 4, 8, 10), oslo(2026, 4, 8, 12), DEGRADED),
            OutageSpan(oslo(2026, 4, 8, 11), oslo(2026, 4, 8, 11, 30), DOWN),
        ],
        counted_severities={DOWN, DEGRADED},
    )
    assert result.downtime_minutes == 120
    assert result.interruption_count == 1
    assert result.degraded_seconds == 0
