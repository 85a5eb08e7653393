"""The order line lifecycle as data: which state may follow which, what each move needs, and which
ticket status the line's request ticket shows in each state.

Kept free of the ORM so that every allowed and refused move can be tested without a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from orders.models import OrderLine
from tickets.models import PendingReason, Status

State = OrderLine.State

TRANSITIONS: Mapping[State, frozenset[State]] = {
    # Submitting sends a line for approval, or approves it at once when its item needs none.
    State.DRAFT: frozenset({State.AWAITING_APPROVAL, State.APPROVED, State.CANCELLED}),
    State.AWAITING_APPROVAL: frozenset({State.APPROVED, State.REJECTED, State.CANCELLED}),
    State.APPROVED: frozenset({State.IN_FULFILMENT, State.CANCELLED}),
    State.IN_FULFILMENT: frozenset({State.READY, State.DELIVERED}),
    State.READY: frozenset({State.DELIVERED}),
    State.DELIVERED: frozenset({State.CLOSED}),
    State.CLOSED: frozenset(),
    State.REJECTED: frozenset(),
    State.CANCELLED: frozenset(),
}

# Until fulfilment starts the orderer may change their mind; after that the goods are on their way.
CANCELLABLE = frozenset({State.DRAFT, State.AWAITING_APPROVAL, State.APPROVED})

FINAL = frozenset({State.CLOSED, State.REJECTED, State.CANCELLED})

# Lines an agent works on in the fulfilment queue.
IN_QUEUE = frozenset({State.APPROVED, State.IN_FULFILMENT, State.READY})

# The status (and what it waits for) of the line's request ticket in each state. A line in the cart has
# no ticket yet. Ready for pickup waits for the requester to collect it, so its clock is paused.
TICKET_STATUS: Mapping[State, tuple[Status, str] | None] = {
    State.DRAFT: None,
    State.AWAITING_APPROVAL: (Status.PENDING, PendingReason.APPROVAL),
    State.APPROVED: (Status.NEW, ""),
    State.IN_FULFILMENT: (Status.IN_PROGRESS, ""),
    State.READY: (Status.PENDING, PendingReason.REQUESTER),
    State.DELIVERED: (Status.RESOLVED, ""),
    State.CLOSED: (Status.CLOSED, ""),
    State.REJECTED: (Status.CANCELLED, ""),
    State.CANCELLED: (Status.CANCELLED, ""),
}


class LineTransitionNotAllowed(ValidationError):
    """The requested change of an order line is not in the lifecycle, or a guard refused it."""


@dataclass(frozen=True)
class LineMove:
    """What the caller brings with a change of state; guards check it.

    by_orderer: the actor is the one who ordered the line or the one it is for.
    """

    to: State
    reason: str = ""
    by_orderer: bool = False


def allowed_targets(current: str) -> frozenset[State]:
    return TRANSITIONS[State(current)]


def ensure_allowed(current: str, move: LineMove) -> None:
    """Raise LineTransitionNotAllowed, naming the field that is missing, unless the move may happen."""
    current = State(current)
    to = State(move.to)
    if to not in TRANSITIONS[current]:
        if to == State.CANCELLED:
            raise LineTransitionNotAllowed(
                _("This line can no longer be cancelled: fulfilment has started or it is finished.")
            )
        raise LineTransitionNotAllowed(
            _("An order line that is “%(current)s” cannot become “%(to)s”.")
            % {"current": current.label, "to": to.label}
        )
    if to == State.REJECTED and not move.reason.strip():
        raise LineTransitionNotAllowed({"comment": _("Say why the order is rejected.")})
    if to == State.CANCELLED and not move.by_orderer:
        raise LineTransitionNotAllowed(
            _("Only the person who ordered it, or the person it is for, may cancel an order line.")
        )


def ticket_status_for(state: str) -> tuple[Status, str] | None:
    """Return the (status, pending reason) the request ticket of a line in this state should show."""
    return TICKET_STATUS[State(state)]
