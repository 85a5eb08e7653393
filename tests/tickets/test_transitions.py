"""The lifecycle table and its guards, without a database: every allowed and every refused move."""

import itertools

import pytest

from tickets.models import PendingReason, ResolutionCode, Status
from tickets.transitions import TRANSITIONS, Move, TransitionNotAllowed, allowed_targets, ensure_allowed

# The lifecycle as the spec draws it, written out by hand so the table in the code is checked against it.
EXPECTED = {
    Status.NEW: {Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED, Status.CANCELLED},
    Status.ASSIGNED: {Status.NEW, Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED, Status.CANCELLED},
    Status.IN_PROGRESS: {Status.ASSIGNED, Status.PENDING, Status.RESOLVED, Status.CANCELLED},
    Status.PENDING: {Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED},
    Status.RESOLVED: {Status.IN_PROGRESS, Status.CLOSED},
    Status.CLOSED: set(),
    Status.CANCELLED: set(),
}
ALL_PAIRS = list(itertools.product(Status, Status))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in EXPECTED[a]]
REFUSED = [(a, b) for a, b in ALL_PAIRS if b not in EXPECTED[a]]


def complete_move(to: Status) -> Move:
    """A move that carries everything any guard could ask for."""
    return Move(
        to=to,
        assignee_id=7,
        pending_reason=PendingReason.SUPPLIER,
        resolution_code=ResolutionCode.SOLVED,
        resolution_note="Byttet toner.",
        reason="Fordi.",
    )


def test_table_matches_the_lifecycle():
    assert {status: set(targets) for status, targets in TRANSITIONS.items()} == EXPECTED
    assert set(TRANSITIONS) == set(Status)


@pytest.mark.parametrize(("current", "to"), ALLOWED, ids=[f"{a.value}->{b.value}" for a, b in ALLOWED])
def test_allowed_move_passes_with_what_it_needs(current, to):
    ensure_allowed(current.value, complete_move(to))  # a plain string, as read from the database
    assert to in allowed_targets(current)


@pytest.mark.parametrize(("current", "to"), REFUSED, ids=[f"{a.value}->{b.value}" for a, b in REFUSED])
def test_refused_move_is_refused_even_with_everything_given(current, to):
    with pytest.raises(TransitionNotAllowed) as caught:
        ensure_allowed(current, complete_move(to))
    assert not hasattr(caught.value, "error_dict")  # a whole-form error, not a missing field
    assert to not in allowed_targets(current)


@pytest.mark.parametrize("final", [Status.CLOSED, Status.CANCELLED])
def test_final_states_have_no_way_out(final):
    assert allowed_targets(final) == frozenset()


def _missing(current, move) -> dict:
    with pytest.raises(TransitionNotAllowed) as caught:
        ensure_allowed(current, move)
    return {field: [str(m) for m in errors] for field, errors in caught.value.message_dict.items()}


@pytest.mark.parametrize("current", [Status.NEW, Status.IN_PROGRESS])
def test_assigning_needs_an_assignee(current):
    assert set(_missing(current, Move(to=Status.ASSIGNED))) == {"assignee"}
    ensure_allowed(current, Move(to=Status.ASSIGNED, assignee_id=3))


@pytest.mark.parametrize("current", [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS])
def test_pending_needs_a_reason_for_waiting(current):
    assert set(_missing(current, Move(to=Status.PENDING))) == {"pending_reason"}
    ensure_allowed(current, Move(to=Status.PENDING, pending_reason=PendingReason.REQUESTER))


@pytest.mark.parametrize("current", [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING])
def test_resolving_needs_code_and_note(current):
    assert set(_missing(current, Move(to=Status.RESOLVED))) == {"resolution_code", "resolution_note"}
    assert set(_missing(current, Move(to=Status.RESOLVED, resolution_code="solved"))) == {"resolution_note"}
    blank_note = Move(to=Status.RESOLVED, resolution_code="solved", resolution_note="   \n")
    assert set(_missing(current, blank_note)) == {"resolution_note"}
    assert set(_missing(current, Move(to=Status.RESOLVED, resolution_note="Fikset."))) == {"resolution_code"}
    ensure_allowed(current, Move(to=Status.RESOLVED, resolution_code="solved", resolution_note="Fikset."))


def test_reopening_a_resolved_ticket_needs_a_reason():
    assert set(_missing(Status.RESOLVED, Move(to=Status.IN_PROGRESS, reason="  "))) == {"reason"}
    ensure_allowed(Status.RESOLVED, Move(to=Status.IN_PROGRESS, reason="Skriveren stoppet igjen."))


def test_resuming_from_pending_needs_no_reason():
    ensure_allowed(Status.PENDING, Move(to=Status.IN_PROGRESS))


def test_closing_a_resolved_ticket_needs_nothing():
    ensure_allowed(Status.RESOLVED, Move(to=Status.CLOSED))


@pytest.mark.parametrize("current", [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING])
def test_cancelling_needs_a_reason(current):
    assert set(_missing(current, Move(to=Status.CANCELLED))) == {"reason"}
    ensure_allowed(current, Move(to=Status.CANCELLED, reason="Meldt to ganger."))


def test_refusal_names_both_states():
    with pytest.raises(TransitionNotAllowed) as caught:
        ensure_allowed(Status.CLOSED, complete_move(Status.IN_PROGRESS))
    message = caught.value.messages[0]
    assert str(Status.CLOSED.label).lower() in message
    assert str(Status.IN_PROGRESS.label).lower() in message
