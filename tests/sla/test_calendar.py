"""Business calendars: the worked examples of spec/sla.md §6 and the calendar rules of §1, pure."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sla.calendar import (
    BusinessCalendar,
    CalendarRangeError,
    CalendarSpec,
    CalendarSpecError,
    NaiveDatetimeError,
    business_calendar,
    ensure_aware,
    validate_spec,
)

OSLO = ZoneInfo("Europe/Oslo")
HOUR = 3600
T = dt.time


def oslo(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def bh():
    """The spec's BH: Mon–Fri 08–16 Europe/Oslo and Norwegian holidays."""
    return BusinessCalendar(CalendarSpec.default())


def week_of(segments, days=5):
    return (tuple(segments),) * days + ((),) * (7 - days)


# --- Worked examples 1–6 at the calendar level ---------------------------------------------------------


def test_example_1_elapsed_within_one_day(bh):
    assert bh.elapsed(oslo(2026, 3, 10, 9), oslo(2026, 3, 10, 14, 30)) == 19_800


def test_example_2_p1_over_a_weekend(bh):
    created = oslo(2026, 3, 13, 14)  # Friday, CET
    assert bh.elapsed(created, oslo(2026, 3, 13, 14, 10)) == 600
    assert bh.add(created, 4 * HOUR) == utc(2026, 3, 16, 9)  # Mon 10:00 CET
    assert bh.add(created, 3 * HOUR) == utc(2026, 3, 16, 8)  # the 75 % warning, Mon 09:00 CET
    assert bh.elapsed(created, oslo(2026, 3, 16, 9, 30)) == 3 * HOUR + 30 * 60


def test_example_3_due_at_the_segment_end_and_one_second_more(bh):
    created = oslo(2026, 3, 9, 8)  # Monday
    assert bh.add(created, 8 * HOUR) == utc(2026, 3, 9, 15)  # Mon 16:00 CET, not Tue 08:00
    assert bh.elapsed(created, oslo(2026, 3, 9, 16, 0, 1)) == 28_800
    assert bh.elapsed(created, oslo(2026, 3, 10, 8, 0, 1)) == 28_801


def test_example_4_easter(bh):
    created = oslo(2026, 4, 1, 13)  # Wednesday, CEST
    assert bh.elapsed(created, oslo(2026, 4, 7, 8)) == 3 * HOUR
    assert bh.add(created, 8 * HOUR) == utc(2026, 4, 7, 11)  # Tue 13:00 CEST
    holiday_dates = {day for day, _ in bh.holidays_in(2026)}
    assert {dt.date(2026, 4, 2), dt.date(2026, 4, 3), dt.date(2026, 4, 6)} <= holiday_dates


def test_example_5_dst_between_friday_and_monday(bh):
    created = dt.datetime(2026, 3, 27, 15, tzinfo=dt.timezone(dt.timedelta(hours=1)))  # Fri 15:00 CET
    due = bh.add(created, 4 * HOUR)
    assert due == utc(2026, 3, 30, 9)  # Mon 11:00 CEST
    assert due != utc(2026, 3, 30, 10)  # what a fixed +01:00 offset would give
    assert due.tzinfo is dt.UTC


def test_example_6_due_before_and_after_the_pause(bh):
    created = oslo(2026, 3, 9, 10)
    assert bh.add(created, 8 * HOUR) == utc(2026, 3, 10, 9)  # Tue 10:00 CET
    before_pause = bh.elapsed(created, oslo(2026, 3, 9, 13))
    assert before_pause == 3 * HOUR
    assert bh.add(oslo(2026, 3, 10, 11), 8 * HOUR - before_pause) == utc(2026, 3, 10, 15)  # Tue 16:00
    assert before_pause + bh.elapsed(oslo(2026, 3, 10, 11), oslo(2026, 3, 10, 15)) == 7 * HOUR


# --- Segments, the segment-end rule, opening ------------------------------------------------------------


def test_the_segment_end_is_not_business_time(bh):
    assert bh.is_open(oslo(2026, 3, 9, 15, 59, 59))
    assert not bh.is_open(oslo(2026, 3, 9, 16))
    assert bh.is_open(oslo(2026, 3, 9, 8))
    assert not bh.is_open(oslo(2026, 3, 9, 7, 59, 59))
    assert bh.add(oslo(2026, 3, 9, 15), HOUR) == utc(2026, 3, 9, 15)
    assert bh.add(oslo(2026, 3, 9, 15), HOUR + 1) == utc(2026, 3, 10, 7, 0, 1)


def test_adding_nothing_returns_the_instant_itself(bh):
    saturday = oslo(2026, 3, 14, 12)
    assert bh.add(saturday, 0) == saturday
    assert bh.add(saturday, 0).tzinfo is dt.UTC
    with pytest.raises(ValueError):
        bh.add(saturday, -1)


def test_outside_business_hours_nothing_accrues_until_the_next_opening(bh):
    assert bh.elapsed(oslo(2026, 3, 13, 17), oslo(2026, 3, 16, 8)) == 0
    assert bh.add(oslo(2026, 3, 14, 12), 1) == utc(2026, 3, 16, 7, 0, 1)
    assert bh.next_open(oslo(2026, 3, 13, 16)) == utc(2026, 3, 16, 7)
    assert bh.next_open(oslo(2026, 4, 1, 17)) == utc(2026, 4, 7, 6)  # over Easter
    inside = oslo(2026, 3, 9, 9, 15)
    assert bh.next_open(inside) == inside


def test_elapsed_of_an_empty_or_reversed_span_is_zero(bh):
    instant = oslo(2026, 3, 9, 9)
    assert bh.elapsed(instant, instant) == 0
    assert bh.elapsed(instant, instant - dt.timedelta(hours=1)) == 0


def test_several_segments_per_day():
    calendar = BusinessCalendar(CalendarSpec(week=week_of([(T(8), T(11, 30)), (T(12), T(16))])))
    assert calendar.elapsed(oslo(2026, 3, 9, 0), oslo(2026, 3, 10, 0)) == 7.5 * HOUR
    assert calendar.add(oslo(2026, 3, 9, 11), 30 * 60) == utc(2026, 3, 9, 10, 30)  # 11:30, the lunch break
    assert calendar.add(oslo(2026, 3, 9, 11), 31 * 60) == utc(2026, 3, 9, 11, 1)  # 12:01
    assert not calendar.is_open(oslo(2026, 3, 9, 11, 45))
    assert calendar.next_open(oslo(2026, 3, 9, 11, 45)) == utc(2026, 3, 9, 11)
    assert calendar.elapsed(oslo(2026, 3, 9, 11), oslo(2026, 3, 9, 12, 30)) == HOUR


def test_extra_closed_dates_are_skipped():
    spec = CalendarSpec(closed_dates=frozenset({dt.date(2026, 12, 24), dt.date(2026, 12, 31)}))
    calendar = BusinessCalendar(spec)
    # Wed 23 Dec 15:00 + 2 h: 24th closed, 25th and 26th holidays, 27th a Sunday → Mon 28th 09:00 CET.
    assert calendar.add(oslo(2026, 12, 23, 15), 2 * HOUR) == utc(2026, 12, 28, 8)
    # Across the new year: 31st closed, 1 Jan a holiday → Mon 4 Jan 2027 09:00.
    assert calendar.add(oslo(2026, 12, 30, 15), 2 * HOUR) == utc(2027, 1, 4, 8)
    assert dt.date(2026, 12, 24) not in {day for day, _ in calendar.holidays_in(2026)}


def test_without_closed_dates_the_year_end_is_crossed_normally(bh):
    assert bh.add(oslo(2026, 12, 30, 15), 2 * HOUR) == utc(2026, 12, 31, 8)
    assert bh.elapsed(oslo(2026, 12, 31, 15), oslo(2027, 1, 4, 9)) == 2 * HOUR


def test_extra_open_dates_override_weekends_and_holidays():
    spec = CalendarSpec(
        open_dates=(
            (dt.date(2026, 3, 14), ((T(10), T(14)),)),  # a Saturday
            (dt.date(2026, 5, 14), ((T(9), T(12)),)),  # Ascension Day
        )
    )
    calendar = BusinessCalendar(spec)
    assert calendar.elapsed(oslo(2026, 3, 13, 15), oslo(2026, 3, 16, 9)) == 6 * HOUR
    assert calendar.elapsed(oslo(2026, 5, 14, 0), oslo(2026, 5, 15, 0)) == 3 * HOUR
    assert calendar.add(oslo(2026, 5, 13, 15, 30), HOUR) == utc(2026, 5, 14, 7, 30)  # Thu 09:30 CEST


def test_a_holiday_on_a_weekend_is_not_moved(bh):
    # 17 May 2026 is a Sunday and 26 December a Saturday: the Mondays after them are ordinary days.
    assert bh.elapsed(oslo(2026, 5, 18, 0), oslo(2026, 5, 19, 0)) == 8 * HOUR
    assert bh.elapsed(oslo(2026, 12, 28, 0), oslo(2026, 12, 29, 0)) == 8 * HOUR


def test_holidays_are_norwegian_without_ordinary_sundays(bh):
    holidays_2026 = bh.holidays_in(2026)
    assert len(holidays_2026) == 12
    assert holidays_2026 == sorted(holidays_2026)
    sundays = [day for day, _ in holidays_2026 if day.weekday() == 6]
    # Easter Sunday, Whit Sunday and Constitution Day fall on Sundays in 2026; no other Sunday is listed.
    assert sundays == [dt.date(2026, 4, 5), dt.date(2026, 5, 17), dt.date(2026, 5, 24)]
    names = dict(bh.holidays_in(2026, language="en_US"))
    assert names[dt.date(2026, 4, 2)] == "Maundy Thursday"
    assert BusinessCalendar(CalendarSpec.twenty_four_seven()).holidays_in(2026) == []
    assert BusinessCalendar(CalendarSpec(holidays_country=None)).holidays_in(2026) == []


def test_without_holidays_easter_is_ordinary():
    calendar = BusinessCalendar(CalendarSpec(holidays_country=None))
    assert calendar.add(oslo(2026, 4, 1, 13), 8 * HOUR) == utc(2026, 4, 2, 11)


def test_segments_for_a_fourteen_day_preview(bh):
    segments = bh.segments(oslo(2026, 4, 1, 12), oslo(2026, 4, 15, 0))
    assert [opens.date() for opens, _ in segments] == [
        dt.date(2026, 4, day) for day in (1, 7, 8, 9, 10, 13, 14)
    ]
    assert segments[0] == (utc(2026, 4, 1, 10), utc(2026, 4, 1, 14))  # clipped at the start
    assert segments[1] == (utc(2026, 4, 7, 6), utc(2026, 4, 7, 14))
    assert sum(int((b - a).total_seconds()) for a, b in segments) == bh.elapsed(
        oslo(2026, 4, 1, 12), oslo(2026, 4, 15, 0)
    )
    assert bh.segments(oslo(2026, 4, 15), oslo(2026, 4, 1)) == []


def test_spans_of_many_years(bh):
    # 2025–2029: 1,305 weekdays minus the holidays on weekdays, 8 h each.
    start, end = oslo(2025, 1, 1), oslo(2030, 1, 1)
    weekdays = sum(
        1 for n in range((end.date() - start.date()).days) if (start.date() + dt.timedelta(n)).weekday() < 5
    )
    holidays_on_weekdays = sum(
        1 for year in range(2025, 2030) for day, _ in bh.holidays_in(year) if day.weekday() < 5
    )
    expected = (weekdays - holidays_on_weekdays) * 8 * HOUR
    assert bh.elapsed(start, end) == expected
    assert bh.add(start, expected) == bh.segments(oslo(2029, 12, 31), end)[-1][1]
    assert bh.elapsed(oslo(2000, 1, 3, 8), oslo(2100, 12, 31, 16)) > 0


def test_instants_outside_the_covered_years_are_refused(bh):
    with pytest.raises(CalendarRangeError):
        bh.elapsed(oslo(2026, 1, 1), utc(2300, 1, 1))
    with pytest.raises(CalendarRangeError):
        bh.add(utc(1950, 1, 1), 60)


def test_fractions_of_a_second_count_from_their_whole_second(bh):
    assert bh.elapsed(oslo(2026, 3, 9, 9, 0, 0, 900_000), oslo(2026, 3, 9, 9, 0, 1, 100_000)) == 1
    assert bh.add(oslo(2026, 3, 9, 9, 0, 0, 500_000), 1) == utc(2026, 3, 9, 8, 0, 1)


# --- DST ------------------------------------------------------------------------------------------------


def test_twenty_four_seven_days_last_23_and_25_hours_around_dst():
    calendar = BusinessCalendar(CalendarSpec.twenty_four_seven())
    assert calendar.elapsed(oslo(2026, 3, 29), oslo(2026, 3, 30)) == 23 * HOUR
    assert calendar.elapsed(oslo(2026, 10, 25), oslo(2026, 10, 26)) == 25 * HOUR
    assert calendar.elapsed(oslo(2026, 3, 28), oslo(2026, 3, 29)) == 24 * HOUR
    assert calendar.add(oslo(2026, 3, 28, 12), 24 * HOUR) == utc(2026, 3, 29, 11)  # 13:00 CEST
    assert calendar.is_open(oslo(2026, 3, 28, 3))
    assert calendar.segments(oslo(2026, 3, 28), oslo(2026, 3, 29)) == [
        (utc(2026, 3, 27, 23), utc(2026, 3, 28, 23))
    ]


def test_whole_day_segments_end_at_midnight_and_follow_dst():
    calendar = BusinessCalendar(CalendarSpec(week=(((T(0), T(0)),),) * 7, holidays_country=None))
    assert calendar.elapsed(oslo(2026, 3, 29), oslo(2026, 3, 30)) == 23 * HOUR
    assert calendar.elapsed(oslo(2026, 10, 25), oslo(2026, 10, 26)) == 25 * HOUR
    assert calendar.add(oslo(2026, 3, 28, 23), 2 * HOUR) == utc(2026, 3, 29, 0)  # 02:00 CET = 03:00 CEST


def test_a_start_after_23_on_the_eve_of_spring_forward_does_not_skip_a_day():
    every_day = BusinessCalendar(CalendarSpec(week=(((T(8), T(16)),),) * 7, holidays_country=None))
    eve = oslo(2026, 3, 28, 23, 30)  # Saturday, CET; the clocks go forward at 02:00 that night
    assert every_day.add(eve, HOUR) == utc(2026, 3, 29, 7)  # Sunday 09:00 CEST, not Monday
    assert every_day.next_open(eve) == utc(2026, 3, 29, 6)
    assert every_day.elapsed(eve, oslo(2026, 3, 30, 0)) == 8 * HOUR


def test_a_start_after_23_on_the_eve_of_fall_back_does_not_skip_or_repeat_a_day():
    every_day = BusinessCalendar(CalendarSpec(week=(((T(8), T(16)),),) * 7, holidays_country=None))
    eve = oslo(2026, 10, 24, 23, 30)
    assert every_day.add(eve, HOUR) == utc(2026, 10, 25, 8)  # Sunday 09:00 CET
    assert every_day.elapsed(eve, oslo(2026, 10, 26, 0)) == 8 * HOUR


def test_an_instant_in_the_repeated_hour_is_counted_once():
    calendar = BusinessCalendar(CalendarSpec.twenty_four_seven())
    first = oslo(2026, 10, 25, 2, 30)  # fold=0: CEST, 00:30Z
    second = first.replace(fold=1)  # CET, 01:30Z
    assert calendar.elapsed(first, second) == HOUR


# --- Validation and refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize("boundary", [T(2), T(2, 30), T(2, 59, 59)])
def test_boundaries_in_the_dst_gap_are_refused(boundary):
    spec = CalendarSpec(week=week_of([(boundary, T(16))], days=7))
    errors = validate_spec(spec)
    assert errors
    assert all("does not exist" in message for message in errors)
    with pytest.raises(CalendarSpecError) as excinfo:
        BusinessCalendar(spec)
    assert excinfo.value.messages == errors


@pytest.mark.parametrize("boundary", [T(1, 59, 59), T(3)])
def test_boundaries_next_to_the_dst_gap_are_accepted(boundary):
    assert validate_spec(CalendarSpec(week=week_of([(boundary, T(16))], days=7))) == []


def test_a_dst_gap_boundary_on_an_open_date_is_refused():
    spec = CalendarSpec(open_dates=((dt.date(2026, 3, 29), ((T(2, 15), T(12)),)),))
    assert any("2026-03-29: 02:15 does not exist" in message for message in validate_spec(spec))


def test_dst_gaps_are_found_for_other_zones():
    # New York springs forward at 02:00 too; Lord Howe Island by half an hour at 02:00.
    assert validate_spec(CalendarSpec(tz="America/New_York", week=week_of([(T(2, 30), T(16))]))) != []
    assert validate_spec(CalendarSpec(tz="Australia/Lord_Howe", week=week_of([(T(2, 15), T(16))]))) != []
    assert validate_spec(CalendarSpec(tz="Australia/Lord_Howe", week=week_of([(T(2, 45), T(16))]))) == []
    assert validate_spec(CalendarSpec(tz="Asia/Tokyo", week=week_of([(T(2, 30), T(16))]))) == []


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        (CalendarSpec(week=week_of([(T(16), T(8))])), "closes before it opens"),
        (CalendarSpec(week=week_of([(T(8), T(8))])), "closes before it opens"),
        (CalendarSpec(week=week_of([(T(8), T(12)), (T(11), T(16))])), "overlaps"),
        (CalendarSpec(week=(((T(8), T(16)),),) * 5), "A week has 7 days"),
        (CalendarSpec(tz="Europe/Atlantis"), "Unknown time zone"),
        (CalendarSpec(holidays_country="XX"), "No public holidays are known"),
        (CalendarSpec(week=((),) * 7), "never open"),
        (CalendarSpec(week=week_of([(T(8, 0, 0, 500), T(16))])), "whole seconds"),
        (CalendarSpec(week=week_of([(T(8, tzinfo=dt.UTC), T(16))])), "without a time zone"),
        (CalendarSpec(week=week_of([(T(8),)])), "a pair of times"),
        (
            CalendarSpec(
                closed_dates=frozenset({dt.date(2026, 3, 14)}),
                open_dates=((dt.date(2026, 3, 14), ((T(10), T(14)),)),),
            ),
            "both closed and open",
        ),
        (CalendarSpec(open_dates=((dt.date(2026, 3, 14), ()),)), "at least one segment"),
        (
            CalendarSpec(open_dates=((dt.date(2026, 3, 14), ((T(10), T(11)),)),) * 2),
            "given twice",
        ),
        (
            CalendarSpec(always_open=True, closed_dates=frozenset({dt.date(2026, 12, 24)})),
            "24x7",
        ),
    ],
)
def test_inconsistent_specs_are_refused(spec, fragment):
    errors = validate_spec(spec)
    assert any(fragment in message for message in errors), errors
    with pytest.raises(CalendarSpecError):
        BusinessCalendar(spec)


def test_adjacent_segments_and_a_close_at_midnight_are_valid():
    spec = CalendarSpec(week=week_of([(T(8), T(12)), (T(12), T(16)), (T(20), T(0))]))
    assert validate_spec(spec) == []
    calendar = BusinessCalendar(spec)
    assert calendar.elapsed(oslo(2026, 3, 9), oslo(2026, 3, 10)) == 12 * HOUR
    assert calendar.add(oslo(2026, 3, 9, 11), 2 * HOUR) == utc(2026, 3, 9, 12)  # 13:00, through 12:00


def test_the_constructors_are_valid():
    assert validate_spec(CalendarSpec.default()) == []
    assert validate_spec(CalendarSpec.twenty_four_seven()) == []
    assert CalendarSpec.default() == CalendarSpec()


def test_specs_are_normalised_hashable_and_shared():
    listed = CalendarSpec(
        week=[[(T(8), T(16))]] * 5 + [[], []],
        closed_dates={dt.date(2026, 12, 24)},
        open_dates=[(dt.date(2026, 3, 21), [(T(10), T(12))]), (dt.date(2026, 3, 14), [(T(10), T(12))])],
    )
    tupled = CalendarSpec(
        closed_dates=frozenset({dt.date(2026, 12, 24)}),
        open_dates=((dt.date(2026, 3, 14), ((T(10), T(12)),)), (dt.date(2026, 3, 21), ((T(10), T(12)),))),
    )
    assert listed == tupled
    assert hash(listed) == hash(tupled)
    assert business_calendar(listed) is business_calendar(tupled)


def test_naive_datetimes_are_refused(bh):
    naive = dt.datetime(2026, 3, 9, 9)
    aware = oslo(2026, 3, 9, 9)
    with pytest.raises(NaiveDatetimeError):
        ensure_aware(naive)
    with pytest.raises(NaiveDatetimeError):
        bh.elapsed(naive, aware)
    with pytest.raises(NaiveDatetimeError):
        bh.elapsed(aware, naive)
    with pytest.raises(NaiveDatetimeError):
        bh.add(naive, 60)
    with pytest.raises(NaiveDatetimeError):
        bh.add(naive, 0)
    with pytest.raises(NaiveDatetimeError):
        bh.is_open(naive)
    with pytest.raises(NaiveDatetimeError):
        bh.next_open(naive)
    with pytest.raises(NaiveDatetimeError):
        bh.segments(naive, aware)
    with pytest.raises(NaiveDatetimeError):
        ensure_aware(dt.date(2026, 3, 9))
    assert ensure_aware(aware) is aware


def test_epoch_second_variants_agree_with_the_datetime_api(bh):
    start, end = oslo(2026, 3, 27, 15), oslo(2026, 4, 8, 10)
    a, b = int(start.timestamp()), int(end.timestamp())
    assert bh.elapsed_ts(a, b) == bh.elapsed(start, end)
    assert bh.add_ts(a, 4 * HOUR) == int(bh.add(start, 4 * HOUR).timestamp())
    assert bh.is_open_ts(a) is bh.is_open(start)
    assert bh.next_open_ts(b) == int(bh.next_open(end).timestamp())
