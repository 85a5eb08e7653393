"""SLA clocks (response and resolution) evaluated from a ticket's history as of a given instant.

Pure (docs: /work/shared/spec/sla.md §3): the caller turns the ticket's timeline into `ClockEvent`s
(`response_events` and `resolution_events` do it from plain facts and status strings), adds a TARGET
event for every priority change, and calls `evaluate_clock` with the calendar and `now`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from sla.calendar import UTC, BusinessCalendar, ensure_aware

DEFAULT_WARNING_PERCENT = 75
# Pending reasons that pause the resolution clock by default: waiting for a supplier does not (that risk
# belongs to the provider). The strings are tickets.models.PendingReason values.
DEFAULT_PAUSING_REASONS = frozenset({"requester"})


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    CANCELLED = "cancelled"


class ClockEventKind(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"  # also a reopen: a stopped clock runs again, the stopped interval not counted
    STOP = "stop"
    CANCEL = "cancel"
    TARGET = "target"  # a new target (priority change), in effect from this instant


class ClockEventError(ValueError):
    """The events cannot describe a clock: out of the clock's life, or a move the clock cannot make."""


# Which state each event leads to. A repeated event (RESUME while running) changes nothing. CANCELLED is
# final; a STOP is undone only by a reopen (RESUME, or PAUSE for a reopen straight into a pausing wait).
TRANSITIONS: Mapping[tuple[ClockState, ClockEventKind], ClockState] = {
    (ClockState.RUNNING, ClockEventKind.RESUME): ClockState.RUNNING,
    (ClockState.RUNNING, ClockEventKind.PAUSE): ClockState.PAUSED,
    (ClockState.RUNNING, ClockEventKind.STOP): ClockState.STOPPED,
    (ClockState.RUNNING, ClockEventKind.CANCEL): ClockState.CANCELLED,
    (ClockState.PAUSED, ClockEventKind.RESUME): ClockState.RUNNING,
    (ClockState.PAUSED, ClockEventKind.PAUSE): ClockState.PAUSED,
    (ClockState.PAUSED, ClockEventKind.STOP): ClockState.STOPPED,
    (ClockState.PAUSED, ClockEventKind.CANCEL): ClockState.CANCELLED,
    (ClockState.STOPPED, ClockEventKind.RESUME): ClockState.RUNNING,
    (ClockState.STOPPED, ClockEventKind.PAUSE): ClockState.PAUSED,
    (ClockState.STOPPED, ClockEventKind.STOP): ClockState.STOPPED,
    (ClockState.STOPPED, ClockEventKind.CANCEL): ClockState.CANCELLED,
}


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """Something that happened to a clock at an instant; TARGET events carry the new target."""

    at: dt.datetime
    kind: ClockEventKind
    target_seconds: int | None = None

    def __post_init__(self):
        ensure_aware(self.at, "at")
        if (self.kind == ClockEventKind.TARGET) != (self.target_seconds is not None):
            raise ClockEventError("A TARGET event, and only a TARGET event, carries target_seconds.")
        if self.target_seconds is not None:
            _check_target(self.target_seconds)


@dataclass(frozen=True, slots=True)
class RunningInterval:
    """A stretch during which the clock ran; end is None for the current one (counted up to now)."""

    start: dt.datetime
    end: dt.datetime | None
    elapsed_seconds: int


@dataclass(frozen=True)
class ClockResult:
    """A clock as of `now`.

    - target_seconds: the target it is judged on: the one in effect at the stop for a stopped (or
      cancelled) clock, the current one otherwise.
    - elapsed_seconds: business seconds while running, up to now or to the stop.
    - last_resume / elapsed_before_last_resume: while running, the start of the current running
      interval and the business seconds before it (what an ORM row can cache to compute elapsed at any
      later instant: before + calendar.elapsed(last_resume, t)); otherwise None and elapsed_seconds.
    - due_at: only while running: the instant elapsed reaches the target (in the past once breached).
    - percent: exact, 100 · elapsed / target (a Fraction; format it for display).
    - warning: percent >= the warning threshold (still true once breached).
    - breached: elapsed > target. met: elapsed <= target for a stopped clock, None otherwise (a
      cancelled clock is excluded from compliance).
    - remaining_seconds: target − elapsed, negative once breached.
    - stopped_at: the instant of the stop or cancellation, None otherwise.
    - cycle: 1, plus one per reopen (a stopped clock running or pausing again); escalations fire once
      per cycle.
    """

    state: ClockState
    target_seconds: int
    elapsed_seconds: int
    elapsed_before_last_resume: int
    last_resume: dt.datetime | None
    due_at: dt.datetime | None
    percent: Fraction
    warning: bool
    breached: bool
    met: bool | None
    remaining_seconds: int
    stopped_at: dt.datetime | None
    cycle: int
    intervals: tuple[RunningInterval, ...]


def evaluate_clock(
    calendar: BusinessCalendar,
    *,
    start: dt.datetime,
    target_seconds: int,
    events: Iterable[ClockEvent] = (),
    now: dt.datetime,
    warning_percent: int | Fraction = DEFAULT_WARNING_PERCENT,
) -> ClockResult:
    """Return the clock that started running at start with target_seconds, after events, as of now.

    Events are applied in order of time; events at the same instant in the order given (put a priority
    change before a stop at the same second if it should judge the stop). Events after now are ignored,
    so `now` may be any instant of the history (a month's end for a snapshot). A priority change is a
    TARGET event: the clock is measured against the new target from its original start, elapsed time
    and pauses kept; a stopped clock keeps the target in effect when it stopped.
    """
    _check_target(target_seconds)
    start_ts = _ts(start, "start")
    now_ts = _ts(now, "now")
    if now_ts < start_ts:
        raise ClockEventError("now is before the clock started.")

    state = ClockState.RUNNING
    target = judged_target = target_seconds
    running_since = start_ts
    closed: list[tuple[int, int, int]] = []  # finished running intervals: (start, end, elapsed)
    elapsed_before = 0
    stopped_at: int | None = None
    cycle = 1
    for event in sorted(events, key=lambda item: item.at):
        at = _ts(event.at, "event")
        if at < start_ts:
            raise ClockEventError(
                f"A {event.kind} event at {event.at.isoformat()} precedes the clock's start."
            )
        if at > now_ts:
            break
        if event.kind == ClockEventKind.TARGET:
            target = event.target_seconds
            continue
        following = TRANSITIONS.get((state, event.kind))
        if following is None:
            raise ClockEventError(f"A {state} clock cannot {event.kind} (at {event.at.isoformat()}).")
        if following == state:
            continue
        if state == ClockState.RUNNING:
            seconds = calendar.elapsed_ts(running_since, at)
            closed.append((running_since, at, seconds))
            elapsed_before += seconds
        if state == ClockState.STOPPED and following != ClockState.CANCELLED:
            cycle += 1  # a reopen
        if following == ClockState.RUNNING:
            running_since = at
        if following in (ClockState.STOPPED, ClockState.CANCELLED):
            stopped_at, judged_target = at, target
        else:
            stopped_at = None
        state = following

    intervals = [RunningInterval(_dt(a), _dt(b), seconds) for a, b, seconds in closed]
    if state == ClockState.RUNNING:
        current = calendar.elapsed_ts(running_since, now_ts)
        elapsed = elapsed_before + current
        intervals.append(RunningInterval(_dt(running_since), None, current))
    else:
        elapsed = elapsed_before
    if state in (ClockState.STOPPED, ClockState.CANCELLED):
        target = judged_target

    due_at = None
    if state == ClockState.RUNNING:
        if target > elapsed_before:
            due_at = _dt(calendar.add_ts(running_since, target - elapsed_before))
        else:  # crossed in an earlier running interval
            due_at = _instant_in_closed(calendar, closed, target)
    percent = Fraction(100 * elapsed, target)
    return ClockResult(
        state=state,
        target_seconds=target,
        elapsed_seconds=elapsed,
        elapsed_before_last_resume=elapsed_before if state == ClockState.RUNNING else elapsed,
        last_resume=_dt(running_since) if state == ClockState.RUNNING else None,
        due_at=due_at,
        percent=percent,
        warning=percent >= warning_percent,
        breached=elapsed > target,
        met=elapsed <= target if state == ClockState.STOPPED else None,
        remaining_seconds=target - elapsed,
        stopped_at=_dt(stopped_at) if stopped_at is not None else None,
        cycle=cycle,
        intervals=tuple(intervals),
    )


def instant_at_elapsed(calendar: BusinessCalendar, result: ClockResult, seconds: int) -> dt.datetime | None:
    """Return when a running clock's elapsed time reaches seconds (past or future); None if not running.

    0 seconds is the clock's start. A paused or stopped clock has no such instant: it depends on when
    it runs again.
    """
    if result.state != ClockState.RUNNING:
        return None
    if seconds > result.elapsed_before_last_resume:
        return calendar.add(result.last_resume, seconds - result.elapsed_before_last_resume)
    closed = [(_ts(i.start, "start"), _ts(i.end, "end"), i.elapsed_seconds) for i in result.intervals[:-1]]
    if seconds <= 0:
        return result.intervals[0].start
    return _instant_in_closed(calendar, closed, seconds)


def instant_at_percent(
    calendar: BusinessCalendar, result: ClockResult, percent: int | Fraction
) -> dt.datetime | None:
    """Return when a running clock reaches percent of its target (75, 100, 150); None if not running.

    The instant elapsed reaches ⌈target · percent / 100⌉, so 100 gives due_at; the breach (elapsed >
    target) starts with the next business second. An instant in the past means the threshold is
    already reached: the escalation is late, not skipped.
    """
    return instant_at_elapsed(calendar, result, math.ceil(Fraction(percent) * result.target_seconds / 100))


def response_events(
    *,
    created_at: dt.datetime,
    first_public_reply_at: dt.datetime | None = None,
    resolved_at: dt.datetime | None = None,
    answered_on_contact: bool = False,
) -> list[ClockEvent]:
    """Return the events of a response clock (started at creation; it never pauses).

    It stops at the first requester-visible reply by an agent or at the first resolution, whichever is
    first; a ticket an agent registers while talking to the caller (phone, walk-in) is answered at
    creation. Add TARGET events for priority changes.
    """
    if answered_on_contact:
        return [ClockEvent(created_at, ClockEventKind.STOP)]
    stops = [at for at in (first_public_reply_at, resolved_at) if at is not None]
    return [ClockEvent(min(stops), ClockEventKind.STOP)] if stops else []


def resolution_events(
    status_changes: Iterable[tuple[dt.datetime, str, str]],
    *,
    pausing_reasons: frozenset[str] = DEFAULT_PAUSING_REASONS,
) -> list[ClockEvent]:
    """Return the events of a resolution clock from (at, status, pending_reason) status changes.

    Statuses and reasons are tickets.models.Status and PendingReason values. Pending with a pausing
    reason pauses; any other open status (pending for a supplier included) runs; resolved and closed
    stop; a reopen runs again; cancelled cancels. Add TARGET events for priority changes.
    """
    events = []
    for at, status, pending_reason in status_changes:
        if status == "pending" and pending_reason in pausing_reasons:
            kind = ClockEventKind.PAUSE
        elif status in ("resolved", "closed"):
            kind = ClockEventKind.STOP
        elif status == "cancelled":
            kind = ClockEventKind.CANCEL
        else:
            kind = ClockEventKind.RESUME
        events.append(ClockEvent(at, kind))
    return events


def _instant_in_closed(
    calendar: BusinessCalendar, closed: list[tuple[int, int, int]], seconds: int
) -> dt.datetime:
    """Return when the elapsed time over the finished intervals reaches seconds (0 < seconds <= their sum)."""
    before = 0
    for start, _, elapsed in closed:
        if before + elapsed >= seconds:
            return _dt(calendar.add_ts(start, seconds - before))
        before += elapsed
    raise AssertionError("the finished intervals hold fewer seconds than asked")  # pragma: no cover


def _check_target(seconds) -> None:
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0:
        raise ClockEventError(f"A target is a positive whole number of seconds, not {seconds!r}.")


def _ts(value: dt.datetime, name: str) -> int:
    return math.floor(ensure_aware(value, name).timestamp())


def _dt(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, UTC)
