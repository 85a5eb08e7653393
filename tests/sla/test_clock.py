"""SLA clocks: the worked examples of spec/sla.md §6 and the clock rules of §3, pure."""

import datetime as dt
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from sla.calendar import BusinessCalendar, CalendarSpec, NaiveDatetimeError
from sla.clock import (
    TRANSITIONS,
    ClockEvent,
    ClockEventError,
    ClockEventKind,
    ClockState,
    evaluate_clock,
    instant_at_elapsed,
    instant_at_percent,
    resolution_events,
    response_events,
)

OSLO = ZoneInfo("Europe/Oslo")
HOUR = 3600
P1_RESPONSE, P1, P2, P3 = 15 * 60, 4 * HOUR, 8 * HOUR, 24 * HOUR
PAUSE, RESUME, STOP, CANCEL, TARGET = (
    ClockEventKind.PAUSE,
    ClockEventKind.RESUME,
    ClockEventKind.STOP,
    ClockEventKind.CANCEL,
    ClockEventKind.TARGET,
)


def oslo(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def event(at, kind, target=None):
    return ClockEvent(at, kind, target)


@pytest.fixture(scope="module")
def bh():
    return BusinessCalendar(CalendarSpec.default())


LATER = oslo(2026, 6, 1)


# --- Worked examples 1–6 --------------------------------------------------------------------------------


def test_example_1_met_at_68_75_percent(bh):
    result = evaluate_clock(
        bh,
        start=oslo(2026, 3, 10, 9),
        target_seconds=P2,
        events=[event(oslo(2026, 3, 10, 14, 30), STOP)],
        now=LATER,
    )
    assert result.state == ClockState.STOPPED
    assert result.elapsed_seconds == 19_800
    assert result.percent == Fraction(6875, 100)
    assert result.met is True
    assert result.breached is False
    assert result.warning is False
    assert result.due_at is None
    assert result.stopped_at == utc(2026, 3, 10, 13, 30)
    assert result.remaining_seconds == P2 - 19_800


def test_example_2_p1_response_due_warning_and_resolution(bh):
    created = oslo(2026, 3, 13, 14)
    response = evaluate_clock(
        bh,
        start=created,
        target_seconds=P1_RESPONSE,
        events=response_events(created_at=created, first_public_reply_at=oslo(2026, 3, 13, 14, 10)),
        now=LATER,
    )
    assert (response.state, response.elapsed_seconds, response.met) == (ClockState.STOPPED, 600, True)

    running = evaluate_clock(bh, start=created, target_seconds=P1, now=oslo(2026, 3, 16, 8, 30))
    assert running.state == ClockState.RUNNING
    assert running.due_at == utc(2026, 3, 16, 9)  # Mon 10:00 CET
    assert instant_at_percent(bh, running, 75) == utc(2026, 3, 16, 8)  # Mon 09:00 CET
    assert instant_at_percent(bh, running, 100) == running.due_at
    assert running.warning is False  # 2 h 30 m = 62.5 %

    resolved = evaluate_clock(
        bh, start=created, target_seconds=P1, events=[event(oslo(2026, 3, 16, 9, 30), STOP)], now=LATER
    )
    assert resolved.elapsed_seconds == 3 * HOUR + 30 * 60
    assert resolved.percent == Fraction(875, 10)
    assert (resolved.met, resolved.warning, resolved.breached) == (True, True, False)


@pytest.mark.parametrize(
    ("resolved", "elapsed", "met"),
    [(oslo(2026, 3, 9, 16, 0, 1), 28_800, True), (oslo(2026, 3, 10, 8, 0, 1), 28_801, False)],
)
def test_example_3_met_at_exactly_the_target_breached_one_second_later(bh, resolved, elapsed, met):
    created = oslo(2026, 3, 9, 8)
    running = evaluate_clock(bh, start=created, target_seconds=P2, now=oslo(2026, 3, 9, 9))
    assert running.due_at == utc(2026, 3, 9, 15)  # Mon 16:00 CET

    result = evaluate_clock(bh, start=created, target_seconds=P2, events=[event(resolved, STOP)], now=LATER)
    assert result.elapsed_seconds == elapsed
    assert result.met is met
    assert result.breached is not met
    assert result.remaining_seconds == P2 - elapsed


def test_example_3_a_running_clock_past_its_due_time_at_night_is_not_yet_breached(bh):
    result = evaluate_clock(bh, start=oslo(2026, 3, 9, 8), target_seconds=P2, now=oslo(2026, 3, 9, 22))
    assert result.elapsed_seconds == P2
    assert result.due_at == utc(2026, 3, 9, 15)
    assert (result.breached, result.warning, result.percent) == (False, True, 100)
    morning = evaluate_clock(bh, start=oslo(2026, 3, 9, 8), target_seconds=P2, now=oslo(2026, 3, 10, 8, 0, 1))
    assert morning.breached is True
    assert morning.due_at == utc(2026, 3, 9, 15)


def test_example_4_easter(bh):
    result = evaluate_clock(bh, start=oslo(2026, 4, 1, 13), target_seconds=P2, now=oslo(2026, 4, 2, 12))
    assert result.elapsed_seconds == 3 * HOUR
    assert result.due_at == utc(2026, 4, 7, 11)  # Tue 13:00 CEST


def test_example_5_dst(bh):
    result = evaluate_clock(bh, start=oslo(2026, 3, 27, 15), target_seconds=P1, now=oslo(2026, 3, 28, 12))
    assert result.elapsed_seconds == HOUR
    assert result.due_at == utc(2026, 3, 30, 9)  # Mon 11:00 CEST


EXAMPLE_6_CHANGES = [
    (oslo(2026, 3, 9, 13), "pending", "requester"),
    (oslo(2026, 3, 10, 11), "in_progress", ""),
    (oslo(2026, 3, 10, 15), "resolved", ""),
]


@pytest.mark.parametrize(
    ("now", "state", "elapsed", "due", "remaining"),
    [
        (oslo(2026, 3, 9, 12), ClockState.RUNNING, 2 * HOUR, utc(2026, 3, 10, 9), 6 * HOUR),  # Tue 10:00
        (oslo(2026, 3, 10, 10), ClockState.PAUSED, 3 * HOUR, None, 5 * HOUR),
        (oslo(2026, 3, 10, 12), ClockState.RUNNING, 4 * HOUR, utc(2026, 3, 10, 15), 4 * HOUR),  # Tue 16:00
        (LATER, ClockState.STOPPED, 7 * HOUR, None, HOUR),
    ],
)
def test_example_6_pause_while_waiting_for_the_requester(bh, now, state, elapsed, due, remaining):
    result = evaluate_clock(
        bh,
        start=oslo(2026, 3, 9, 10),
        target_seconds=P2,
        events=resolution_events(EXAMPLE_6_CHANGES),
        now=now,
    )
    assert (result.state, result.elapsed_seconds, result.due_at, result.remaining_seconds) == (
        state,
        elapsed,
        due,
        remaining,
    )
    if state == ClockState.STOPPED:
        assert result.met is True
        assert [interval.elapsed_seconds for interval in result.intervals] == [3 * HOUR, 4 * HOUR]
    if state == ClockState.RUNNING and now.day == 10:
        assert result.last_resume == utc(2026, 3, 10, 10)
        assert result.elapsed_before_last_resume == 3 * HOUR


# --- The clock rules ------------------------------------------------------------------------------------


def test_waiting_for_a_supplier_does_not_pause(bh):
    changes = [(oslo(2026, 3, 9, 13), "pending", "supplier"), (oslo(2026, 3, 10, 11), "in_progress", "")]
    result = evaluate_clock(
        bh,
        start=oslo(2026, 3, 9, 10),
        target_seconds=P2,
        events=resolution_events(changes),
        now=oslo(2026, 3, 10, 12),
    )
    assert result.state == ClockState.RUNNING
    assert result.elapsed_seconds == 10 * HOUR
    assert result.breached is True
    assert result.cycle == 1


def test_the_pausing_reasons_are_the_callers_choice(bh):
    changes = [(oslo(2026, 3, 9, 13), "pending", "supplier")]
    events = resolution_events(changes, pausing_reasons=frozenset({"requester", "supplier"}))
    result = evaluate_clock(
        bh, start=oslo(2026, 3, 9, 10), target_seconds=P2, events=events, now=oslo(2026, 3, 10, 12)
    )
    assert (result.state, result.elapsed_seconds) == (ClockState.PAUSED, 3 * HOUR)


def test_a_reopen_resumes_without_counting_the_resolved_interval(bh):
    changes = [
        (oslo(2026, 3, 9, 12), "resolved", ""),
        (oslo(2026, 3, 10, 9), "in_progress", ""),  # reopened the next morning
        (oslo(2026, 3, 10, 10), "resolved", ""),
        (oslo(2026, 3, 13, 10), "closed", ""),
    ]
    start = oslo(2026, 3, 9, 10)
    reopened = evaluate_clock(
        bh, start=start, target_seconds=P2, events=resolution_events(changes), now=oslo(2026, 3, 10, 9, 30)
    )
    assert reopened.state == ClockState.RUNNING
    assert reopened.elapsed_seconds == 2 * HOUR + 30 * 60
    assert reopened.due_at == utc(2026, 3, 10, 14)  # 6 h from Tue 09:00 CET: 15:00 CET
    final = evaluate_clock(bh, start=start, target_seconds=P2, events=resolution_events(changes), now=LATER)
    assert (final.state, final.elapsed_seconds, final.met) == (ClockState.STOPPED, 3 * HOUR, True)
    assert final.stopped_at == utc(2026, 3, 10, 9)
    assert (reopened.cycle, final.cycle) == (2, 2)  # the close is no reopen


def test_a_cancelled_clock_is_excluded(bh):
    changes = [(oslo(2026, 3, 9, 12), "cancelled", "")]
    result = evaluate_clock(
        bh, start=oslo(2026, 3, 9, 10), target_seconds=P2, events=resolution_events(changes), now=LATER
    )
    assert result.state == ClockState.CANCELLED
    assert (result.met, result.due_at, result.elapsed_seconds) == (None, None, 2 * HOUR)
    assert result.stopped_at == utc(2026, 3, 9, 11)
    with pytest.raises(ClockEventError):
        evaluate_clock(
            bh,
            start=oslo(2026, 3, 9, 10),
            target_seconds=P2,
            events=[*resolution_events(changes), event(oslo(2026, 3, 9, 13), RESUME)],
            now=LATER,
        )


def test_a_cancelled_clock_has_no_moves():
    assert not [kind for (state, kind) in TRANSITIONS if state == ClockState.CANCELLED]
    for state in (ClockState.RUNNING, ClockState.PAUSED, ClockState.STOPPED):
        assert {kind for (from_state, kind) in TRANSITIONS if from_state == state} == {
            PAUSE,
            RESUME,
            STOP,
            CANCEL,
        }


def test_a_ticket_created_outside_business_hours_accrues_nothing_until_the_opening(bh):
    result = evaluate_clock(bh, start=oslo(2026, 3, 14, 10), target_seconds=P1, now=oslo(2026, 3, 16, 7, 59))
    assert result.elapsed_seconds == 0
    assert result.due_at == utc(2026, 3, 16, 11)  # Mon 12:00 CET


def test_a_ticket_registered_while_talking_to_the_caller_is_answered_at_creation(bh):
    created = oslo(2026, 3, 9, 10, 5)
    events = response_events(created_at=created, answered_on_contact=True)
    result = evaluate_clock(bh, start=created, target_seconds=P1_RESPONSE, events=events, now=LATER)
    assert (result.state, result.elapsed_seconds, result.met, result.stopped_at) == (
        ClockState.STOPPED,
        0,
        True,
        created,
    )


def test_the_response_clock_stops_at_the_first_reply_or_resolution(bh):
    created = oslo(2026, 3, 9, 10)
    assert response_events(created_at=created) == []
    events = response_events(
        created_at=created, first_public_reply_at=oslo(2026, 3, 9, 12), resolved_at=oslo(2026, 3, 9, 11)
    )
    assert events == [ClockEvent(oslo(2026, 3, 9, 11), STOP)]
    result = evaluate_clock(bh, start=created, target_seconds=HOUR, events=events, now=LATER)
    assert (result.elapsed_seconds, result.met) == (HOUR, True)


def test_a_lower_target_already_exceeded_is_breached_at_once(bh):
    created = oslo(2026, 3, 9, 8)
    events = [event(oslo(2026, 3, 10, 10), TARGET, P1)]  # P3 → P1 after 10 business hours
    result = evaluate_clock(bh, start=created, target_seconds=P3, events=events, now=oslo(2026, 3, 10, 10))
    assert (result.target_seconds, result.elapsed_seconds, result.breached) == (P1, 10 * HOUR, True)
    assert result.due_at == utc(2026, 3, 9, 11)  # the instant 4 h were reached: Mon 12:00 CET
    assert result.remaining_seconds == -6 * HOUR


def test_a_priority_change_recomputes_from_the_original_start(bh):
    created = oslo(2026, 3, 9, 8)
    events = [
        event(oslo(2026, 3, 9, 10), PAUSE),
        event(oslo(2026, 3, 9, 11), RESUME),
        event(oslo(2026, 3, 9, 12), TARGET, P2),
    ]
    result = evaluate_clock(bh, start=created, target_seconds=P3, events=events, now=oslo(2026, 3, 9, 12))
    assert result.elapsed_seconds == 3 * HOUR
    assert result.due_at == utc(2026, 3, 10, 8)  # 5 h from 12:00: Tue 09:00 CET


def test_a_stopped_clock_keeps_the_target_in_effect_when_it_stopped(bh):
    created = oslo(2026, 3, 9, 8)
    events = [event(oslo(2026, 3, 9, 14), STOP), event(oslo(2026, 3, 9, 15), TARGET, P1)]
    result = evaluate_clock(bh, start=created, target_seconds=P2, events=events, now=LATER)
    assert (result.target_seconds, result.met, result.breached) == (P2, True, False)
    # A reopen afterwards runs on the target in effect then.
    reopened = evaluate_clock(
        bh,
        start=created,
        target_seconds=P2,
        events=[*events, event(oslo(2026, 3, 10, 8), RESUME)],
        now=oslo(2026, 3, 10, 8),
    )
    assert (reopened.target_seconds, reopened.breached) == (P1, True)


def test_events_at_the_same_instant_apply_in_the_order_given(bh):
    created, resolved = oslo(2026, 3, 9, 8), oslo(2026, 3, 9, 14)
    change_first = evaluate_clock(
        bh,
        start=created,
        target_seconds=P2,
        events=[event(resolved, TARGET, P1), event(resolved, STOP)],
        now=LATER,
    )
    stop_first = evaluate_clock(
        bh,
        start=created,
        target_seconds=P2,
        events=[event(resolved, STOP), event(resolved, TARGET, P1)],
        now=LATER,
    )
    assert (change_first.target_seconds, change_first.met) == (P1, False)
    assert (stop_first.target_seconds, stop_first.met) == (P2, True)


def test_events_after_now_are_ignored(bh):
    created = oslo(2026, 3, 9, 8)
    events = [event(oslo(2026, 3, 9, 10), PAUSE), event(oslo(2026, 3, 9, 15), STOP)]
    result = evaluate_clock(bh, start=created, target_seconds=P2, events=events, now=oslo(2026, 3, 9, 9))
    assert (result.state, result.elapsed_seconds) == (ClockState.RUNNING, HOUR)
    at_the_pause = evaluate_clock(
        bh, start=created, target_seconds=P2, events=events, now=oslo(2026, 3, 9, 10)
    )
    assert at_the_pause.state == ClockState.PAUSED


def test_events_may_come_in_any_order(bh):
    events = resolution_events(EXAMPLE_6_CHANGES)
    forward = evaluate_clock(bh, start=oslo(2026, 3, 9, 10), target_seconds=P2, events=events, now=LATER)
    backward = evaluate_clock(
        bh, start=oslo(2026, 3, 9, 10), target_seconds=P2, events=events[::-1], now=LATER
    )
    assert forward == backward


def test_the_cached_fields_give_elapsed_at_any_later_instant(bh):
    events = resolution_events(EXAMPLE_6_CHANGES[:2])
    start = oslo(2026, 3, 9, 10)
    cached = evaluate_clock(bh, start=start, target_seconds=P2, events=events, now=oslo(2026, 3, 10, 11))
    later = oslo(2026, 3, 11, 9, 17)
    fresh = evaluate_clock(bh, start=start, target_seconds=P2, events=events, now=later)
    assert cached.elapsed_before_last_resume + bh.elapsed(cached.last_resume, later) == fresh.elapsed_seconds


def test_the_warning_threshold_is_a_parameter(bh):
    start, now = oslo(2026, 3, 9, 8), oslo(2026, 3, 9, 13, 36)  # 5.6 h = 70 % of 8 h
    assert evaluate_clock(bh, start=start, target_seconds=P2, now=now).warning is False
    assert evaluate_clock(bh, start=start, target_seconds=P2, now=now, warning_percent=70).warning is True
    assert (
        evaluate_clock(bh, start=start, target_seconds=P2, now=now, warning_percent=Fraction(701, 10)).warning
        is False
    )


def test_the_escalation_instants(bh):
    start = oslo(2026, 3, 9, 8)
    events = [event(oslo(2026, 3, 9, 10), PAUSE), event(oslo(2026, 3, 9, 14), RESUME)]
    result = evaluate_clock(bh, start=start, target_seconds=P2, events=events, now=oslo(2026, 3, 9, 14))
    # 2 h before the pause, then 2 h on Monday afternoon: 75 % (6 h) on Tue 10:00 CET.
    assert instant_at_percent(bh, result, 75) == utc(2026, 3, 10, 9)
    assert instant_at_percent(bh, result, 100) == result.due_at == utc(2026, 3, 10, 11)  # Tue 12:00
    assert instant_at_percent(bh, result, 150) == utc(2026, 3, 10, 15)  # Tue 16:00
    assert instant_at_percent(bh, result, 25) == utc(2026, 3, 9, 9)  # reached at the pause: 10:00 CET
    assert instant_at_elapsed(bh, result, 0) == start
    assert instant_at_elapsed(bh, result, 2 * HOUR) == utc(2026, 3, 9, 9)
    assert instant_at_elapsed(bh, result, 2 * HOUR + 1) == utc(2026, 3, 9, 13, 0, 1)
    paused = evaluate_clock(bh, start=start, target_seconds=P2, events=events[:1], now=oslo(2026, 3, 9, 12))
    assert instant_at_percent(bh, paused, 75) is None
    assert instant_at_elapsed(bh, paused, 60) is None


def test_percent_thresholds_round_up_to_the_next_whole_second(bh):
    result = evaluate_clock(bh, start=oslo(2026, 3, 9, 8), target_seconds=10, now=oslo(2026, 3, 9, 8))
    assert instant_at_percent(bh, result, 75) == utc(2026, 3, 9, 7, 0, 8)  # 7.5 s → 8 s
    at = evaluate_clock(bh, start=oslo(2026, 3, 9, 8), target_seconds=10, now=oslo(2026, 3, 9, 8, 0, 8))
    before = evaluate_clock(bh, start=oslo(2026, 3, 9, 8), target_seconds=10, now=oslo(2026, 3, 9, 8, 0, 7))
    assert (before.warning, at.warning) == (False, True)


def test_a_twenty_four_seven_clock_runs_through_the_night_and_dst():
    calendar = BusinessCalendar(CalendarSpec.twenty_four_seven())
    result = evaluate_clock(
        calendar, start=oslo(2026, 3, 28, 23), target_seconds=P1, now=oslo(2026, 3, 29, 0)
    )
    assert result.due_at == utc(2026, 3, 29, 2)  # 4 absolute hours: 04:00 CEST on the wall clock
    assert result.due_at.astimezone(OSLO).hour == 4
    assert result.elapsed_seconds == HOUR


# --- Refusals -------------------------------------------------------------------------------------------


def test_events_before_the_start_are_refused(bh):
    with pytest.raises(ClockEventError):
        evaluate_clock(
            bh,
            start=oslo(2026, 3, 9, 10),
            target_seconds=P2,
            events=[event(oslo(2026, 3, 9, 9), STOP)],
            now=LATER,
        )


def test_now_before_the_start_is_refused(bh):
    with pytest.raises(ClockEventError):
        evaluate_clock(bh, start=oslo(2026, 3, 9, 10), target_seconds=P2, now=oslo(2026, 3, 9, 9))


@pytest.mark.parametrize("target", [0, -1, 1.5, True, None])
def test_targets_are_positive_whole_seconds(bh, target):
    with pytest.raises(ClockEventError):
        evaluate_clock(bh, start=oslo(2026, 3, 9, 10), target_seconds=target, now=LATER)


def test_only_target_events_carry_a_target():
    with pytest.raises(ClockEventError):
        ClockEvent(oslo(2026, 3, 9, 10), TARGET)
    with pytest.raises(ClockEventError):
        ClockEvent(oslo(2026, 3, 9, 10), STOP, P1)
    with pytest.raises(ClockEventError):
        ClockEvent(oslo(2026, 3, 9, 10), TARGET, 0)


def test_naive_instants_are_refused(bh):
    naive = dt.datetime(2026, 3, 9, 10)
    with pytest.raises(NaiveDatetimeError):
        ClockEvent(naive, STOP)
    with pytest.raises(NaiveDatetimeError):
        evaluate_clock(bh, start=naive, target_seconds=P2, now=LATER)
    with pytest.raises(NaiveDatetimeError):
        evaluate_clock(bh, start=oslo(2026, 3, 9, 10), target_seconds=P2, now=naive)
