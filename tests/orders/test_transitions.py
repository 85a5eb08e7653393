"""The order line lifecycle and its guards, without a database: every allowed and refused move, and
the request ticket's status kept in step with moves the ticket lifecycle allows."""

import itertools

import pytest

from orders.models import OrderLine
from orders.transitions import (
    CANCELLABLE,
    TICKET_STATUS,
    TRANSITIONS,
    LineMove,
    LineTransitionNotAllowed,
    allowed_targets,
    ensure_allowed,
    ticket_status_for,
)
from tickets.models import Kind, PendingReason, Status
from tickets.transitions import TRANSITIONS as TICKET_TRANSITIONS
from tickets.transitions import Move, TransitionNotAllowed
from tickets.transitions import allowed_targets as ticket_targets
from tickets.transitions import ensure_allowed as ticket_ensure_allowed

S = OrderLine.State

EXPECTED = {
    S.DRAFT: {S.AWAITING_APPROVAL, S.APPROVED, S.CANCELLED},
    S.AWAITING_APPROVAL: {S.APPROVED, S.REJECTED, S.CANCELLED},
    S.APPROVED: {S.IN_FULFILMENT, S.CANCELLED},
    S.IN_FULFILMENT: {S.READY, S.DELIVERED},
    S.READY: {S.DELIVERED},
    S.DELIVERED: {S.CLOSED},
    S.CLOSED: set(),
    S.REJECTED: set(),
    S.CANCELLED: set(),
}
ALL_PAIRS = list(itertools.product(S, S))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in EXPECTED[a]]
REFUSED = [(a, b) for a, b in ALL_PAIRS if b not in EXPECTED[a]]


def complete(to) -> LineMove:
    return LineMove(to=to, reason="Fordi.", by_orderer=True)


def test_table_matches_the_lifecycle():
    assert {state: set(targets) for state, targets in TRANSITIONS.items()} == EXPECTED
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize(("current", "to"), ALLOWED, ids=[f"{a.value}->{b.value}" for a, b in ALLOWED])
def test_allowed_move_passes_with_what_it_needs(current, to):
    ensure_allowed(current.value, complete(to))
    assert to in allowed_targets(current)


@pytest.mark.parametrize(("current", "to"), REFUSED, ids=[f"{a.value}->{b.value}" for a, b in REFUSED])
def test_refused_move_is_refused_even_with_everything_given(current, to):
    with pytest.raises(LineTransitionNotAllowed) as caught:
        ensure_allowed(current, complete(to))
    assert not hasattr(caught.value, "error_dict")


@pytest.mark.parametrize("final", [S.CLOSED, S.REJECTED, S.CANCELLED])
def test_final_states_have_no_way_out(final):
    assert allowed_targets(final) == frozenset()


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_needs_a_reason(reason):
    with pytest.raises(LineTransitionNotAllowed) as caught:
        ensure_allowed(S.AWAITING_APPROVAL, LineMove(to=S.REJECTED, reason=reason))
    assert set(caught.value.message_dict) == {"comment"}


@pytest.mark.parametrize("current", sorted(CANCELLABLE))
def test_only_the_orderer_or_recipient_cancels_before_fulfilment(current):
    with pytest.raises(LineTransitionNotAllowed):
        ensure_allowed(current, LineMove(to=S.CANCELLED, by_orderer=False))
    ensure_allowed(current, LineMove(to=S.CANCELLED, by_orderer=True))  # no reason needed


@pytest.mark.parametrize("current", [S.IN_FULFILMENT, S.READY, S.DELIVERED, S.CLOSED])
def test_no_cancelling_once_fulfilment_started(current):
    with pytest.raises(LineTransitionNotAllowed, match="no longer be cancelled"):
        ensure_allowed(current, LineMove(to=S.CANCELLED, by_orderer=True))


def test_cancellable_states_are_those_before_fulfilment():
    assert (
        {s for s in S if S.CANCELLED in TRANSITIONS[s]}
        == CANCELLABLE
        == {
            S.DRAFT,
            S.AWAITING_APPROVAL,
            S.APPROVED,
        }
    )


def test_every_state_maps_to_a_ticket_status():
    assert set(TICKET_STATUS) == set(S)
    assert ticket_status_for(S.DRAFT) is None
    assert ticket_status_for(S.AWAITING_APPROVAL) == (Status.PENDING, PendingReason.APPROVAL)
    assert ticket_status_for(S.APPROVED) == (Status.NEW, "")
    assert ticket_status_for(S.IN_FULFILMENT) == (Status.IN_PROGRESS, "")
    assert ticket_status_for(S.DELIVERED) == (Status.RESOLVED, "")
    assert ticket_status_for(S.CLOSED) == (Status.CLOSED, "")
    assert ticket_status_for(S.REJECTED) == ticket_status_for(S.CANCELLED) == (Status.CANCELLED, "")


# Each line move after submit, with the ticket status it starts from (a new request ticket is "new").
LINE_PATHS = [
    (S.AWAITING_APPROVAL, S.APPROVED),
    (S.AWAITING_APPROVAL, S.REJECTED),
    (S.AWAITING_APPROVAL, S.CANCELLED),
    (S.APPROVED, S.IN_FULFILMENT),
    (S.APPROVED, S.CANCELLED),
    (S.IN_FULFILMENT, S.READY),
    (S.IN_FULFILMENT, S.DELIVERED),
    (S.READY, S.DELIVERED),
    (S.DELIVERED, S.CLOSED),
]


@pytest.mark.parametrize(("a", "b"), LINE_PATHS, ids=[f"{a.value}->{b.value}" for a, b in LINE_PATHS])
def test_the_ticket_lifecycle_allows_every_move_the_line_makes(a, b):
    start, _reason = TICKET_STATUS[a]
    end, pending_reason = TICKET_STATUS[b]
    assert end in ticket_targets(start, Kind.REQUEST)
    ticket_ensure_allowed(
        start,
        Move(
            to=end,
            pending_reason=pending_reason,
            resolution_code="solved",
            resolution_note="Levert.",
            reason="x",
        ),
        kind=Kind.REQUEST,
    )


def test_submitting_for_approval_moves_a_new_ticket_to_pending():
    assert TICKET_STATUS[S.AWAITING_APPROVAL][0] in ticket_targets(Status.NEW, Kind.REQUEST)


def test_the_request_only_move_leaves_incidents_alone():
    """Pending → new exists for requests (approved after waiting for approval), never for incidents."""
    assert Status.NEW not in TICKET_TRANSITIONS[Status.PENDING]
    assert Status.NEW not in ticket_targets(Status.PENDING)
    assert Status.NEW not in ticket_targets(Status.PENDING, Kind.INCIDENT)
    with pytest.raises(TransitionNotAllowed):
        ticket_ensure_allowed(Status.PENDING, Move(to=Status.NEW), kind=Kind.INCIDENT)
    ticket_ensure_allowed(Status.PENDING, Move(to=Status.NEW), kind=Kind.REQUEST)
