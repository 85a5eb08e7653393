"""The incident lifecycle as data: which status may follow which, and what each move needs.

Kept free of the ORM so that every allowed and refused move can be tested without a database.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tickets.models import Kind, Status

TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    Status.NEW: frozenset(
        {Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED, Status.CANCELLED}
    ),
    Status.ASSIGNED: frozenset(
        {Status.NEW, Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED, Status.CANCELLED}
    ),
    Status.IN_PROGRESS: frozenset({Status.ASSIGNED, Status.PENDING, Status.RESOLVED, Status.CANCELLED}),
    Status.PENDING: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED}),
    # Reopening goes back to in progress; confirming (or the closing job) closes.
    Status.RESOLVED: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
}


# Moves only service requests may make, on top of the table above. A request waiting for approval goes
# back to its group's queue as new once it is approved (the order process drives it, orders/transitions.py).
KIND_TRANSITIONS: Mapping[str, Mapping[Status, frozenset[Status]]] = {
    Kind.REQUEST: {Status.PENDING: frozenset({Status.NEW})},
    # A scheduled standard change sent back to draft (changes/transitions.py drives it).
    Kind.CHANGE: {Status.IN_PROGRESS: frozenset({Status.NEW})},
}


class TransitionNotAllowed(ValidationError):
    """The requested status change is not in the lifecycle, or a guard refused it."""


class StaleTicket(ValidationError):
    """The ticket changed since the caller read it (optimistic locking)."""

    def __init__(self, message, *, current, changes):
        super().__init__(message)
        self.current = current
        self.changes = changes


@dataclass(frozen=True)
class Move:
    """What the caller brings with a status change; guards check it."""

    to: Status
    assignee_id: int | None = None
    pending_reason: str = ""
    resolution_code: str = ""
    resolution_note: str = ""
    reason: str = ""


def allowed_targets(current: Status, kind: str = "") -> frozenset[Status]:
    current = Status(current)
    return TRANSITIONS[current] | KIND_TRANSITIONS.get(kind, {}).get(current, frozenset())


def ensure_allowed(current: str, move: Move, *, kind: str = "") -> None:
    """Raise TransitionNotAllowed, naming the field that is missing, unless the move may happen."""
    current = Status(current)
    if move.to not in allowed_targets(current, kind):
        raise TransitionNotAllowed(
            _("A ticket that is %(current)s cannot become %(to)s.")
            % {"current": current.label.lower(), "to": Status(move.to).label.lower()}
        )
    errors = {}
    if move.to == Status.ASSIGNED and not move.assignee_id:
        errors["assignee"] = _("Choose who the ticket is assigned to.")
    if move.to == Status.PENDING and not move.pending_reason:
        errors["pending_reason"] = _("Say what the ticket is waiting for.")
    if move.to == Status.RESOLVED:
        if not move.resolution_code:
            errors["resolution_code"] = _("Choose a resolution code.")
        if not move.resolution_note.strip():
            errors["resolution_note"] = _("Describe the resolution for the requester.")
    if current == Status.RESOLVED and move.to == Status.IN_PROGRESS and not move.reason.strip():
        errors["reason"] = _("Say why the ticket is reopened.")
    if move.to == Status.CANCELLED and not move.reason.strip():
        errors["reason"] = _("Say why the ticket is cancelled.")
    if errors:
        raise TransitionNotAllowed(errors)
