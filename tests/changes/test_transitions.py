"""The change lifecycle and its guards, without a database: every allowed and refused move of each kind
of change, what each move needs, and the change's ticket kept in step with moves its lifecycle allows."""

import itertools
from dataclasses import replace

import pytest

from changes.models import Change, ChangeKind
from changes.transitions import (
    APPROVED_STATES,
    COMMITTING,
    EDITABLE,
    FINAL,
    ON_CALENDAR,
    TICKET_STATUS,
    ChangeMove,
    ChangeTransitionNotAllowed,
    Facts,
    allowed_targets,
    ensure_allowed,
    ticket_status_for,
)
from tickets.models import Kind, PendingReason, Status
from tickets.transitions import Move
from tickets.transitions import allowed_targets as ticket_targets
from tickets.transitions import ensure_allowed as ticket_ensure_allowed

S = Change.State
K = ChangeKind

# The lifecycle written out by hand, so the table in changes/transitions.py is checked, not copied.
NORMAL = {
    S.DRAFT: {S.SUBMITTED, S.CANCELLED},
    S.SUBMITTED: {S.ASSESSMENT, S.DRAFT, S.CANCELLED},
    S.ASSESSMENT: {S.AWAITING_APPROVAL, S.REJECTED, S.CANCELLED},
    S.AWAITING_APPROVAL: {S.SCHEDULED, S.ASSESSMENT, S.REJECTED, S.CANCELLED},
    S.SCHEDULED: {S.IMPLEMENTING, S.ASSESSMENT, S.CANCELLED},
    S.IMPLEMENTING: {S.REVIEW},
    S.REVIEW: {S.CLOSED},
    S.CLOSED: set(),
    S.CANCELLED: set(),
    S.REJECTED: set(),
}
EXPECTED = {
    K.NORMAL: NORMAL,
    # Emergency: straight from submitted to its approvers.
    K.EMERGENCY: {**NORMAL, S.SUBMITTED: {S.ASSESSMENT, S.AWAITING_APPROVAL, S.DRAFT, S.CANCELLED}},
    # Standard: pre-approved, from draft onto the calendar and back; never submitted, assessed or voted on.
    K.STANDARD: {
        S.DRAFT: {S.SCHEDULED, S.CANCELLED},
        S.SUBMITTED: {S.DRAFT, S.CANCELLED},
        S.ASSESSMENT: {S.REJECTED, S.CANCELLED},
        S.AWAITING_APPROVAL: {S.SCHEDULED, S.REJECTED, S.CANCELLED},
        S.SCHEDULED: {S.IMPLEMENTING, S.DRAFT, S.CANCELLED},
        S.IMPLEMENTING: {S.REVIEW},
        S.REVIEW: {S.CLOSED},
        S.CLOSED: set(),
        S.CANCELLED: set(),
        S.REJECTED: set(),
    },
}
KINDS = [K.STANDARD, K.NORMAL, K.EMERGENCY]
ALL = [(kind, a, b) for kind in KINDS for a, b in itertools.product(S, S)]
ALLOWED = [(kind, a, b) for kind, a, b in ALL if b in EXPECTED[kind][a]]
REFUSED = [(kind, a, b) for kind, a, b in ALL if b not in EXPECTED[kind][a]]


def ids(cases):
    return [f"{kind.value}:{a.value}->{b.value}" for kind, a, b in cases]


def satisfied(kind) -> Facts:
    """Facts under which every guard of every move is met."""
    return Facts(
        kind=kind,
        approved=True,
        needs_approval=kind != K.STANDARD,
        needs_review=kind == K.EMERGENCY,
        has_window=True,
        has_services=True,
        has_plans=True,
        conflicts=0,
        actual_started=True,
    )


def complete(to) -> ChangeMove:
    """A move that brings everything any guard asks for."""
    return ChangeMove(
        to=to,
        reason="Leverandøren har flyttet vedlikeholdet.",
        outcome=Change.Outcome.SUCCESSFUL,
        review_note="Gikk etter planen.",
    )


def refused(current, move, facts) -> ChangeTransitionNotAllowed:
    with pytest.raises(ChangeTransitionNotAllowed) as caught:
        ensure_allowed(current, move, facts)
    return caught.value


def test_the_kinds_tables_match_the_lifecycle():
    for kind in KINDS:
        assert {state: set(allowed_targets(state, kind)) for state in S} == EXPECTED[kind], kind


@pytest.mark.parametrize(("kind", "current", "to"), ALLOWED, ids=ids(ALLOWED))
def test_an_allowed_move_passes_with_what_it_needs(kind, current, to):
    assert to in allowed_targets(current, kind)
    ensure_allowed(current.value, complete(to), satisfied(kind))


@pytest.mark.parametrize(("kind", "current", "to"), REFUSED, ids=ids(REFUSED))
def test_a_move_outside_the_lifecycle_is_refused_even_with_everything_given(kind, current, to):
    assert to not in allowed_targets(current, kind)
    error = refused(current, complete(to), satisfied(kind))
    # Refused by the table, not by a guard: a message for the whole move, naming both states.
    assert not hasattr(error, "error_dict")
    assert f"“{current.label}”" in error.messages[0] and f"“{to.label}”" in error.messages[0]


# --- The table's important expectations, one by one -------------------------------------------------


def test_a_standard_change_goes_from_draft_straight_onto_the_calendar():
    assert S.SCHEDULED in allowed_targets(S.DRAFT, K.STANDARD)
    assert S.SUBMITTED not in allowed_targets(S.DRAFT, K.STANDARD)
    refused(S.DRAFT, complete(S.SUBMITTED), satisfied(K.STANDARD))


def test_a_standard_change_is_never_assessed_or_put_to_approvers():
    for current in S:
        targets = allowed_targets(current, K.STANDARD)
        assert not targets & {S.SUBMITTED, S.ASSESSMENT, S.AWAITING_APPROVAL}, current


@pytest.mark.parametrize("kind", [K.NORMAL, K.EMERGENCY])
def test_normal_and_emergency_changes_cannot_skip_approval_from_draft(kind):
    assert S.SCHEDULED not in allowed_targets(S.DRAFT, kind)
    refused(S.DRAFT, complete(S.SCHEDULED), satisfied(kind))
    assert S.SCHEDULED not in allowed_targets(S.ASSESSMENT, kind)


def test_a_normal_change_is_assessed_before_its_approvers_see_it():
    assert S.AWAITING_APPROVAL not in allowed_targets(S.SUBMITTED, K.NORMAL)
    refused(S.SUBMITTED, complete(S.AWAITING_APPROVAL), satisfied(K.NORMAL))


def test_an_emergency_change_goes_from_submitted_to_its_approvers():
    ensure_allowed(S.SUBMITTED, complete(S.AWAITING_APPROVAL), satisfied(K.EMERGENCY))


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_closes_without_a_review_step(kind):
    for current in set(S) - {S.REVIEW}:
        assert S.CLOSED not in allowed_targets(current, kind), current
    refused(S.IMPLEMENTING, complete(S.CLOSED), satisfied(kind))


@pytest.mark.parametrize("kind", KINDS)
def test_implementation_is_reached_only_from_the_calendar_and_cannot_be_cancelled(kind):
    assert {s for s in S if S.IMPLEMENTING in allowed_targets(s, kind)} == {S.SCHEDULED}
    assert allowed_targets(S.IMPLEMENTING, kind) == {S.REVIEW}
    assert allowed_targets(S.REVIEW, kind) == {S.CLOSED}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("final", [S.CLOSED, S.CANCELLED, S.REJECTED])
def test_final_states_have_no_way_out(kind, final):
    assert final in FINAL
    assert allowed_targets(final, kind) == frozenset()


def test_the_state_sets_hold_what_the_services_rely_on():
    assert {S.CLOSED, S.CANCELLED, S.REJECTED} == FINAL
    assert {S.DRAFT, S.SUBMITTED, S.ASSESSMENT} == EDITABLE
    assert {S.AWAITING_APPROVAL, S.SCHEDULED} == COMMITTING
    # Approved downtime begins with approval; a window still awaiting approval is on the calendar only.
    assert {S.SCHEDULED, S.IMPLEMENTING, S.REVIEW, S.CLOSED} == APPROVED_STATES
    assert APPROVED_STATES | {S.AWAITING_APPROVAL} == ON_CALENDAR
    assert not EDITABLE & ON_CALENDAR and not FINAL & EDITABLE


# --- Guards --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [K.NORMAL, K.EMERGENCY])
def test_an_unapproved_change_is_not_scheduled(kind):
    facts = replace(satisfied(kind), approved=False)
    error = refused(S.AWAITING_APPROVAL, complete(S.SCHEDULED), facts)
    assert error.message_dict == {"__all__": ["The change is not approved yet."]}


@pytest.mark.parametrize("kind", [K.NORMAL, K.EMERGENCY])
def test_an_unapproved_change_is_not_implemented(kind):
    facts = replace(satisfied(kind), approved=False)
    error = refused(S.SCHEDULED, complete(S.IMPLEMENTING), facts)
    assert set(error.message_dict) == {"__all__"}
    assert "before it is approved" in error.message_dict["__all__"][0]


def test_a_standard_change_is_scheduled_and_implemented_without_approval():
    facts = replace(satisfied(K.STANDARD), approved=False)
    assert not facts.needs_approval
    ensure_allowed(S.DRAFT, complete(S.SCHEDULED), facts)
    ensure_allowed(S.SCHEDULED, complete(S.IMPLEMENTING), facts)


def test_a_change_type_that_needs_no_approval_lets_an_unapproved_change_through():
    facts = replace(satisfied(K.NORMAL), approved=False, needs_approval=False)
    ensure_allowed(S.SCHEDULED, complete(S.IMPLEMENTING), facts)


@pytest.mark.parametrize("kind", KINDS)
def test_closing_needs_an_outcome(kind):
    error = refused(S.REVIEW, ChangeMove(to=S.CLOSED, review_note="Gikk fint."), satisfied(kind))
    assert error.message_dict == {"outcome": ["Choose the outcome of the change."]}


@pytest.mark.parametrize("outcome", ["great", "Successful", " successful"])
def test_closing_with_an_unknown_outcome_is_refused(outcome):
    move = ChangeMove(to=S.CLOSED, outcome=outcome, review_note="Gikk fint.")
    error = refused(S.REVIEW, move, satisfied(K.NORMAL))
    assert error.message_dict == {"outcome": ["Choose one of the outcomes."]}


@pytest.mark.parametrize("outcome", Change.Outcome.values)
@pytest.mark.parametrize("note", ["", "  \n "])
def test_an_emergency_change_does_not_close_without_its_retrospective_review(outcome, note):
    move = ChangeMove(to=S.CLOSED, outcome=outcome, review_note=note)
    error = refused(S.REVIEW, move, satisfied(K.EMERGENCY))
    assert set(error.message_dict) == {"review_note"}
    assert "retrospective review" in error.message_dict["review_note"][0]
    ensure_allowed(
        S.REVIEW, ChangeMove(to=S.CLOSED, outcome=outcome, review_note="Lærdom."), satisfied(K.EMERGENCY)
    )


@pytest.mark.parametrize("kind", [K.NORMAL, K.STANDARD])
@pytest.mark.parametrize("outcome", [Change.Outcome.FAILED, Change.Outcome.BACKED_OUT])
def test_a_failed_or_backed_out_change_needs_a_review(kind, outcome):
    error = refused(S.REVIEW, ChangeMove(to=S.CLOSED, outcome=outcome), satisfied(kind))
    assert error.message_dict == {"review_note": ["Write the review: what happened and what was learnt."]}
    ensure_allowed(S.REVIEW, ChangeMove(to=S.CLOSED, outcome=outcome, review_note="Lærdom."), satisfied(kind))


@pytest.mark.parametrize("kind", [K.NORMAL, K.STANDARD])
@pytest.mark.parametrize("outcome", [Change.Outcome.SUCCESSFUL, Change.Outcome.WITH_PROBLEMS])
def test_a_successful_change_closes_without_a_review(kind, outcome):
    ensure_allowed(S.REVIEW, ChangeMove(to=S.CLOSED, outcome=outcome), satisfied(kind))


def test_a_change_type_that_needs_review_asks_for_it_on_every_outcome():
    facts = replace(satisfied(K.NORMAL), needs_review=True)
    error = refused(S.REVIEW, ChangeMove(to=S.CLOSED, outcome=Change.Outcome.SUCCESSFUL), facts)
    assert set(error.message_dict) == {"review_note"}


CANCELLING = [(kind, a, b) for kind, a, b in ALLOWED if b in {S.CANCELLED, S.REJECTED}]


@pytest.mark.parametrize(("kind", "current", "to"), CANCELLING, ids=ids(CANCELLING))
@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_or_rejecting_needs_a_reason(kind, current, to, reason):
    error = refused(current, ChangeMove(to=to, reason=reason), satisfied(kind))
    assert set(error.message_dict) == {"reason"}
    word = "rejected" if to == S.REJECTED else "cancelled"
    assert word in error.message_dict["reason"][0]


SENDING_BACK = [
    (K.NORMAL, S.AWAITING_APPROVAL, S.ASSESSMENT),
    (K.EMERGENCY, S.AWAITING_APPROVAL, S.ASSESSMENT),
    (K.NORMAL, S.SCHEDULED, S.ASSESSMENT),
    (K.EMERGENCY, S.SCHEDULED, S.ASSESSMENT),
    (K.STANDARD, S.SCHEDULED, S.DRAFT),
]


@pytest.mark.parametrize(("kind", "current", "to"), SENDING_BACK, ids=ids(SENDING_BACK))
def test_sending_a_change_back_needs_a_reason(kind, current, to):
    error = refused(current, ChangeMove(to=to), satisfied(kind))
    assert set(error.message_dict) == {"reason"}
    ensure_allowed(current, ChangeMove(to=to, reason="Trenger ny plan."), satisfied(kind))


def test_going_back_from_submitted_to_draft_needs_no_reason():
    ensure_allowed(S.SUBMITTED, ChangeMove(to=S.DRAFT), satisfied(K.NORMAL))


COMMITS = [
    (K.NORMAL, S.ASSESSMENT, S.AWAITING_APPROVAL),
    (K.NORMAL, S.AWAITING_APPROVAL, S.SCHEDULED),
    (K.EMERGENCY, S.SUBMITTED, S.AWAITING_APPROVAL),
    (K.STANDARD, S.DRAFT, S.SCHEDULED),
]


@pytest.mark.parametrize(("kind", "current", "to"), COMMITS, ids=ids(COMMITS))
def test_a_conflict_blocks_committing_the_window_unless_overridden(kind, current, to):
    facts = replace(satisfied(kind), conflicts=2)
    error = refused(current, ChangeMove(to=to), facts)
    assert set(error.message_dict) == {"override_reason"}
    assert "change manager" in error.message_dict["override_reason"][0]
    refused(current, ChangeMove(to=to, override_reason="  "), facts)
    ensure_allowed(current, ChangeMove(to=to, override_reason="Avtalt med skolene."), facts)
    ensure_allowed(current, ChangeMove(to=to), replace(facts, override_holds=True))


def test_conflicts_do_not_matter_once_the_window_is_committed():
    facts = replace(satisfied(K.NORMAL), conflicts=1)
    ensure_allowed(S.SCHEDULED, complete(S.IMPLEMENTING), facts)
    ensure_allowed(S.DRAFT, complete(S.SUBMITTED), facts)


READINESS = [
    ("has_window", "planned_start"),
    ("has_services", "services"),
    ("has_plans", "implementation_plan"),
]
SUBMITS = [
    (K.NORMAL, S.DRAFT, S.SUBMITTED),
    (K.EMERGENCY, S.DRAFT, S.SUBMITTED),
    *COMMITS,
]


@pytest.mark.parametrize(("kind", "current", "to"), SUBMITS, ids=ids(SUBMITS))
@pytest.mark.parametrize(("fact", "field"), READINESS, ids=[fact for fact, _field in READINESS])
def test_a_change_goes_further_only_with_window_services_and_plans(kind, current, to, fact, field):
    error = refused(current, complete(to), replace(satisfied(kind), **{fact: False}))
    assert set(error.message_dict) == {field}


def test_every_missing_part_is_named_at_once():
    facts = Facts(kind=K.NORMAL)
    error = refused(S.DRAFT, ChangeMove(to=S.SUBMITTED), facts)
    assert set(error.message_dict) == {"planned_start", "services", "implementation_plan"}


def test_withdrawing_a_submitted_change_needs_no_plan():
    ensure_allowed(S.SUBMITTED, ChangeMove(to=S.DRAFT), Facts(kind=K.NORMAL))
    ensure_allowed(S.DRAFT, ChangeMove(to=S.CANCELLED, reason="Ikke nødvendig."), Facts(kind=K.NORMAL))


@pytest.mark.parametrize("kind", KINDS)
def test_a_change_is_reviewed_only_after_its_implementation_started(kind):
    facts = replace(satisfied(kind), actual_started=False)
    error = refused(S.IMPLEMENTING, complete(S.REVIEW), facts)
    assert set(error.message_dict) == {"actual_start"}


# --- The change's ticket -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", list(S))
def test_every_state_maps_to_a_ticket_status(state):
    status, pending_reason = ticket_status_for(state.value)
    assert status in Status.values
    if status == Status.PENDING:
        assert pending_reason == PendingReason.APPROVAL
    else:
        assert pending_reason == ""


def test_the_ticket_statuses_of_the_change_states():
    assert set(TICKET_STATUS) == set(S)
    assert ticket_status_for(S.DRAFT) == ticket_status_for(S.SUBMITTED) == (Status.NEW, "")
    assert ticket_status_for(S.AWAITING_APPROVAL) == (Status.PENDING, PendingReason.APPROVAL)
    for state in (S.ASSESSMENT, S.SCHEDULED, S.IMPLEMENTING, S.REVIEW):
        assert ticket_status_for(state) == (Status.IN_PROGRESS, ""), state
    assert ticket_status_for(S.CLOSED) == (Status.CLOSED, "")
    assert ticket_status_for(S.CANCELLED) == ticket_status_for(S.REJECTED) == (Status.CANCELLED, "")


def _ticket_allows(start, end, pending_reason):
    """Check the ticket lifecycle allows start → end as changes.services makes it (closing resolves first)."""
    if end == Status.CLOSED and start != Status.RESOLVED:
        _ticket_allows(start, Status.RESOLVED, "")
        start = Status.RESOLVED
    assert end in ticket_targets(start, Kind.CHANGE), f"{start} -> {end}"
    ticket_ensure_allowed(
        start,
        Move(
            to=end,
            assignee_id=1,
            pending_reason=pending_reason,
            resolution_code="solved",
            resolution_note="Endringen er lukket.",
            reason="Endringen gikk videre.",
        ),
        kind=Kind.CHANGE,
    )


TICKET_MOVES = [(kind, a, b) for kind, a, b in ALLOWED if TICKET_STATUS[a] != TICKET_STATUS[b]]


@pytest.mark.parametrize(("kind", "current", "to"), TICKET_MOVES, ids=ids(TICKET_MOVES))
def test_the_ticket_lifecycle_allows_every_move_the_change_makes(kind, current, to):
    start, _pending = TICKET_STATUS[current]
    end, pending_reason = TICKET_STATUS[to]
    _ticket_allows(start, end, pending_reason)
