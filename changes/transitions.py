"""The change lifecycle as data: which state may follow which for each kind of change, what each move
needs, and which status the change's ticket shows in each state.

Kept free of the ORM so that every allowed and refused move can be tested without a database; the
services gather the facts (is it approved, are there conflicts) and pass them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from changes.models import Change, ChangeKind
from tickets.models import PendingReason, Status

State = Change.State

# The moves every kind of change may make.
TRANSITIONS: Mapping[State, frozenset[State]] = {
    State.DRAFT: frozenset({State.SUBMITTED, State.CANCELLED}),
    State.SUBMITTED: frozenset({State.ASSESSMENT, State.DRAFT, State.CANCELLED}),
    State.ASSESSMENT: frozenset({State.AWAITING_APPROVAL, State.REJECTED, State.CANCELLED}),
    # Approval schedules it; "request information" sends it back to assessment.
    State.AWAITING_APPROVAL: frozenset({State.SCHEDULED, State.ASSESSMENT, State.REJECTED, State.CANCELLED}),
    # Re-planning a scheduled change sends it back to assessment, and its approval lapses.
    State.SCHEDULED: frozenset({State.IMPLEMENTING, State.ASSESSMENT, State.CANCELLED}),
    State.IMPLEMENTING: frozenset({State.REVIEW}),
    State.REVIEW: frozenset({State.CLOSED}),
    State.CLOSED: frozenset(),
    State.CANCELLED: frozenset(),
    State.REJECTED: frozenset(),
}

# Moves only some kinds may make, on top of the table above.
KIND_TRANSITIONS: Mapping[str, Mapping[State, frozenset[State]]] = {
    # A standard change is pre-approved: from draft straight onto the calendar, or back to draft.
    ChangeKind.STANDARD: {
        State.DRAFT: frozenset({State.SCHEDULED}),
        State.SCHEDULED: frozenset({State.DRAFT}),
    },
    # An emergency change skips the assessment queue and goes to its approvers at once.
    ChangeKind.EMERGENCY: {State.SUBMITTED: frozenset({State.AWAITING_APPROVAL})},
}

# Moves that standard changes may not make (they have no assessment or approval).
KIND_FORBIDDEN: Mapping[str, frozenset[State]] = {
    ChangeKind.STANDARD: frozenset({State.SUBMITTED, State.ASSESSMENT, State.AWAITING_APPROVAL}),
}

FINAL = frozenset({State.CLOSED, State.CANCELLED, State.REJECTED})
# The planned window, services and plans can be edited only before the change is committed to.
EDITABLE = frozenset({State.DRAFT, State.SUBMITTED, State.ASSESSMENT})
# States whose planned window occupies the calendar (and counts in conflict checks).
ON_CALENDAR = frozenset(
    {State.AWAITING_APPROVAL, State.SCHEDULED, State.IMPLEMENTING, State.REVIEW, State.CLOSED}
)
# States in which the change's maintenance windows are approved downtime (spec: availability, MW).
APPROVED_STATES = frozenset({State.SCHEDULED, State.IMPLEMENTING, State.REVIEW, State.CLOSED})
# Moves that commit the planned window: conflicts are checked and must be resolved or overridden.
COMMITTING = frozenset({State.AWAITING_APPROVAL, State.SCHEDULED})
# Outcomes that need a written review (what went wrong and what was learnt).
OUTCOMES_NEEDING_REVIEW = frozenset({Change.Outcome.FAILED, Change.Outcome.BACKED_OUT})

TICKET_STATUS: Mapping[State, tuple[Status, str]] = {
    State.DRAFT: (Status.NEW, ""),
    State.SUBMITTED: (Status.NEW, ""),
    State.ASSESSMENT: (Status.IN_PROGRESS, ""),
    State.AWAITING_APPROVAL: (Status.PENDING, PendingReason.APPROVAL),
    State.SCHEDULED: (Status.IN_PROGRESS, ""),
    State.IMPLEMENTING: (Status.IN_PROGRESS, ""),
    State.REVIEW: (Status.IN_PROGRESS, ""),
    State.CLOSED: (Status.CLOSED, ""),
    State.CANCELLED: (Status.CANCELLED, ""),
    State.REJECTED: (Status.CANCELLED, ""),
}


class ChangeTransitionNotAllowed(ValidationError):
    """The requested move of a change is not in its lifecycle, or a guard refused it."""


@dataclass(frozen=True)
class ChangeMove:
    """What the caller brings with a move; guards check it."""

    to: State
    reason: str = ""
    outcome: str = ""
    review_note: str = ""
    override_reason: str = ""


@dataclass(frozen=True)
class Facts:
    """What the services know about the change at the time of the move."""

    kind: str
    approved: bool = False
    needs_approval: bool = True
    needs_review: bool = False
    has_window: bool = False
    has_services: bool = False
    has_plans: bool = False
    conflicts: int = 0
    override_holds: bool = False
    actual_started: bool = False


def allowed_targets(current: str, kind: str) -> frozenset[State]:
    current = State(current)
    targets = TRANSITIONS[current] | KIND_TRANSITIONS.get(kind, {}).get(current, frozenset())
    return targets - KIND_FORBIDDEN.get(kind, frozenset())


def ensure_allowed(current: str, move: ChangeMove, facts: Facts) -> None:
    """Raise ChangeTransitionNotAllowed, naming the field that is missing, unless the move may happen."""
    current = State(current)
    to = State(move.to)
    if to not in allowed_targets(current, facts.kind):
        raise ChangeTransitionNotAllowed(
            _("A change that is “%(current)s” cannot become “%(to)s”.")
            % {"current": current.label, "to": to.label}
        )
    errors: dict[str, object] = {}
    if to in {State.SUBMITTED, *COMMITTING}:
        if not facts.has_window:
            errors["planned_start"] = _("Give the planned start and end before the change goes further.")
        if not facts.has_services:
            errors["services"] = _("Choose at least one affected service.")
        if not facts.has_plans:
            errors["implementation_plan"] = _("Write the implementation and back-out plans.")
    if to == State.SCHEDULED and facts.needs_approval and not facts.approved:
        errors["__all__"] = _("The change is not approved yet.")
    if to in COMMITTING and facts.conflicts and not (facts.override_holds or move.override_reason.strip()):
        errors["override_reason"] = _(
            "The planned window conflicts with other changes or a freeze window. Move it, or have the "
            "change manager override the conflict with a reason."
        )
    if to == State.IMPLEMENTING and facts.needs_approval and not facts.approved:
        errors["__all__"] = _("A change cannot be implemented before it is approved.")
    if to == State.REVIEW and not facts.actual_started:
        errors["actual_start"] = _("Record when the implementation started.")
    if to == State.CLOSED:
        if not move.outcome:
            errors["outcome"] = _("Choose the outcome of the change.")
        elif move.outcome not in Change.Outcome.values:
            errors["outcome"] = _("Choose one of the outcomes.")
        needs_review = facts.needs_review or move.outcome in OUTCOMES_NEEDING_REVIEW
        if needs_review and not move.review_note.strip():
            errors["review_note"] = (
                _("An emergency change cannot close without its retrospective review.")
                if facts.kind == ChangeKind.EMERGENCY
                else _("Write the review: what happened and what was learnt.")
            )
    if to in {State.CANCELLED, State.REJECTED} and not move.reason.strip():
        errors["reason"] = (
            _("Say why the change is rejected.")
            if to == State.REJECTED
            else _("Say why the change is cancelled.")
        )
    if current == State.AWAITING_APPROVAL and to == State.ASSESSMENT and not move.reason.strip():
        errors["reason"] = _("Say what information is needed.")
    if current == State.SCHEDULED and to in {State.ASSESSMENT, State.DRAFT} and not move.reason.strip():
        errors["reason"] = _("Say why the change is re-planned.")
    if errors:
        raise ChangeTransitionNotAllowed(errors)


def ticket_status_for(state: str) -> tuple[Status, str]:
    """Return the (status, pending reason) the change's ticket shows in this state."""
    return TICKET_STATUS[State(state)]
