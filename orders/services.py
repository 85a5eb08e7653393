"""Writes to orders: the cart, submitting, approvals, fulfilment and stock.

Every change goes through one of these functions, from the portal, the fulfilment pages and (later) the
API alike: lock the line, check the move against orders/transitions.py, save, keep the line's request
ticket in step through tickets.services (which writes the timeline and broadcasts), and after commit
queue the emails.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import Http404, QueryDict
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from catalog.models import CatalogItem, OrderQuestion
from catalog.questions import ANSWER_PREFIX, answers_for_display, clean_answers
from catalog.selectors import item_orderable_by
from catalog.services import asset_register
from catalog.templatetags.catalogue import nok
from orders import selectors
from orders.models import Approval, FulfilmentTask, Order, OrderLine, OrderSequence
from orders.transitions import (
    FINAL,
    LineMove,
    LineTransitionNotAllowed,
    ensure_allowed,
    ticket_status_for,
)
from tickets import services as ticket_services
from tickets.models import Category, Channel, Kind, Status, Ticket
from tickets.transitions import Move, allowed_targets

logger = logging.getLogger(__name__)

State = OrderLine.State

# Fields a POST may carry that would try to set the price; the price always comes from the catalogue.
PRICE_FIELDS = ("price", "unit_price", "total")

TICKET_CATEGORY = {
    CatalogItem.Kind.EQUIPMENT: Category.HARDWARE,
    CatalogItem.Kind.LICENCE: Category.SOFTWARE,
    CatalogItem.Kind.ACCESS: Category.ACCESS,
    CatalogItem.Kind.OTHER: Category.OTHER,
}


class OutOfStock(ValidationError):
    """There are not enough units in stock to pick the line."""


class NoApprover(ValidationError):
    """The master data names nobody who could approve a line."""


# --- Helpers ------------------------------------------------------------------------------------------


def _lock_line(line: OrderLine) -> OrderLine:
    # of=self: PostgreSQL cannot lock the nullable side of an outer join; relations load lazily.
    return OrderLine.objects.select_for_update(of=("self",)).select_related("order", "item").get(pk=line.pk)


def _is_orderer(user, order: Order) -> bool:
    return user is not None and user.pk in {order.requester_id, order.recipient_id}


def _ensure_may_fulfil(actor, line: OrderLine) -> None:
    if actor is None:
        return
    if not actor.has_perm("orders.fulfil"):
        raise PermissionDenied(_("You may not fulfil orders."))
    if actor.has_perm("orders.fulfil_every_group"):
        return
    if not actor.support_groups.filter(pk=line.support_group_id).exists():
        raise PermissionDenied(_("This order line belongs to another group."))


def _ticket_actor(actor):
    """Return who the ticket core sees acting: an agent as themselves, anyone else as the order process.

    An approver or an employee may not move tickets in the workspace; the order process (the system)
    moves the request ticket for them, and the timeline entry names them in its text.
    """
    if actor is not None and actor.has_perm("tickets.work_on_tickets"):
        return actor
    return None


def _sync_ticket(line: OrderLine, *, actor, reason: str = "", now: dt.datetime) -> None:
    """Move the line's request ticket to the status its new state maps to, through tickets.services.

    The line is the record of the order; the ticket is the agents' work item. When an agent has already
    moved the ticket on by hand (or closed it), a move the ticket lifecycle refuses is skipped and logged
    rather than blocking the order.
    """
    target = ticket_status_for(line.state)
    if line.ticket_id is None or target is None:
        return
    status, pending_reason = target
    ticket = Ticket.objects.only("pk", "status", "pending_reason", "kind").get(pk=line.ticket_id)
    if ticket.status == status or ticket.is_finished:
        return
    if status not in allowed_targets(ticket.status, ticket.kind):
        logger.info(
            "Order line %s: ticket %s stays %s (line %s)", line.pk, ticket.pk, ticket.status, line.state
        )
        return
    text = reason.strip()
    if status == Status.RESOLVED:
        move = Move(to=status, resolution_code="solved", resolution_note=text or _("Delivered."))
    elif status == Status.CANCELLED:
        move = Move(to=status, reason=text or _("The order line was cancelled."))
    else:
        move = Move(to=status, pending_reason=pending_reason, reason=text)
    ticket_services.ticket_transition(
        ticket=ticket, actor=_ticket_actor(actor), move=move, version=None, now=now
    )


def _note(line: OrderLine, *, actor, body: str, now: dt.datetime) -> None:
    """Write an internal note on the line's ticket: the agents' record of the fulfilment steps."""
    author = _ticket_actor(actor)
    if line.ticket_id is None or author is None:
        return
    ticket = Ticket.objects.only("pk", "requester_id", "status").get(pk=line.ticket_id)
    if ticket.is_finished:
        return
    ticket_services.ticket_comment(ticket=ticket, actor=author, body=body, public=False, now=now)


def _complete_order_if_done(order: Order, now: dt.datetime) -> None:
    if order.state != Order.State.SUBMITTED:
        return
    if order.lines.exclude(state__in=FINAL).exists():
        return
    Order.objects.filter(pk=order.pk).update(state=Order.State.COMPLETED, completed_at=now)
    order.state, order.completed_at = Order.State.COMPLETED, now


def _next_order_number(now: dt.datetime) -> str:
    """Return the next order number, e.g. ORD-2026-000123 (call inside a transaction)."""
    year = timezone.localtime(now).year
    sequence, _created = OrderSequence.objects.select_for_update().get_or_create(year=year)
    OrderSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db(fields=["last"])
    return f"ORD-{year}-{sequence.last:06d}"


def _clean_quantity(item: CatalogItem, quantity) -> int:
    try:
        value = int(str(quantity).strip())
    except (TypeError, ValueError):
        raise ValidationError({"quantity": _("Give the quantity as a whole number.")}) from None
    if value < 1:
        raise ValidationError({"quantity": _("Order at least 1.")})
    if value > item.max_quantity:
        raise ValidationError(
            {"quantity": _("You can order at most %(max)d at a time.") % {"max": item.max_quantity}}
        )
    return value


def _refuse_tampered_price(item: CatalogItem, data: Mapping) -> None:
    for name in PRICE_FIELDS:
        if name not in data:
            continue
        try:
            given = Decimal(str(data.get(name)).strip().replace(",", "."))
        except InvalidOperation:
            given = None
        if given != item.price:
            raise ValidationError(
                _("The price comes from the catalogue and cannot be changed in the order. Reload the page.")
            )


def _as_form_data(item: CatalogItem, answers: dict) -> QueryDict:
    """Turn stored answers back into the item form's data, to check them again at submit (the questions
    may have changed since the line went into the cart)."""
    types = {q.key: q.type for q in item.questions.all()}
    data = QueryDict(mutable=True)
    for key, value in answers.items():
        name = f"{ANSWER_PREFIX}-{key}"
        kind = types.get(key)
        if kind == OrderQuestion.Type.MULTI_CHOICE:
            data.setlist(name, [str(v) for v in value])
        elif kind == OrderQuestion.Type.YES_NO:
            data[name] = "yes" if value else "no"
        elif kind == OrderQuestion.Type.PERSON:
            data[name] = str(value.get("id", "")) if isinstance(value, dict) else str(value)
        elif kind == OrderQuestion.Type.NUMBER:
            data[name] = str(value).replace(".", formats.get_format("DECIMAL_SEPARATOR"))
        else:
            data[name] = str(value)
    return data


def _line_group(item: CatalogItem):
    return item.fulfilment_group if item.fulfilment_group_id else item.service.support_group


# --- The cart -------------------------------------------------------------------------------------------


def _cart(user) -> Order:
    cart = Order.objects.select_for_update().filter(requester=user, state=Order.State.CART).first()
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return Order.objects.create(requester=user, recipient=user, state=Order.State.CART)
    except IntegrityError:
        # A second tab created it at the same moment (one cart per requester is a database constraint).
        return Order.objects.select_for_update().get(requester=user, state=Order.State.CART)


@transaction.atomic
def cart_add(*, user, code: str, quantity, data: Mapping) -> OrderLine:
    """Put an item in the user's cart with their answers; the price is always the catalogue's.

    Raise Http404 for an item the user may not see, ItemNotOrderable for a retired one and
    ValidationError (field → message) for bad answers or quantity. Nothing is saved unless all is well.
    """
    item = item_orderable_by(user=user, code=code)
    _refuse_tampered_price(item, data)
    errors: dict[str, list] = {}
    answers: dict = {}
    try:
        answers = clean_answers(item=item, data=data)
    except ValidationError as exc:
        errors.update(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
    try:
        quantity = _clean_quantity(item, quantity)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    cart = _cart(user)
    # The same item with the same answers again (a second click, or "one more"): add to that line.
    same = next((ln for ln in cart.lines.filter(item=item).order_by("id") if ln.answers == answers), None)
    if same is not None:
        same.quantity = _clean_quantity(item, same.quantity + quantity)
        same.unit_price = item.price
        same.save(update_fields=["quantity", "unit_price", "updated_at"])
        return same
    position = (cart.lines.aggregate(last=Max("position"))["last"] or 0) + 1
    return OrderLine.objects.create(
        order=cart, position=position, item=item, quantity=quantity, answers=answers, unit_price=item.price
    )


@transaction.atomic
def cart_line_update(*, user, line: OrderLine, quantity) -> OrderLine:
    """Change the quantity of a line in the user's own cart."""
    locked = _lock_line(line)
    if locked.order.requester_id != user.pk or locked.order.state != Order.State.CART:
        raise PermissionDenied(_("This line is not in your cart."))
    locked.quantity = _clean_quantity(locked.item, quantity)
    locked.unit_price = locked.item.price
    locked.save(update_fields=["quantity", "unit_price", "updated_at"])
    return locked


@transaction.atomic
def cart_line_remove(*, user, line: OrderLine) -> None:
    """Take a line out of the user's own cart."""
    locked = _lock_line(line)
    if locked.order.requester_id != user.pk or locked.order.state != Order.State.CART:
        raise PermissionDenied(_("This line is not in your cart."))
    locked.delete()


# --- Submitting --------------------------------------------------------------------------------------------


def _approver_for(*, item: CatalogItem, recipient, group):
    """Return who approves for the recipient: their manager from the organisation tree.

    When the tree names no manager (a unit without one, a top manager), the lead of the group that
    fulfils the item decides, as the person answerable for what the group hands out. When there is no
    lead either, nobody can approve and the order is refused with a message saying so.
    """
    for candidate in (recipient.manager, group.lead if group is not None else None):
        if candidate is not None and candidate.is_active and candidate.pk != recipient.pk:
            return candidate
    raise NoApprover(
        _(
            "Nobody can approve “%(item)s” for %(person)s: there is no manager in the organisation chart "
            "and no lead of the fulfilling group. Contact the service desk."
        )
        % {"item": item.name, "person": recipient}
    )


def approvals_needed(*, item: CatalogItem, recipient, total: Decimal, group) -> list[dict]:
    """Return the approvals a line of this item needs, routed from master data (approver or group)."""
    policy = item.approval_policy
    if policy == CatalogItem.ApprovalPolicy.NONE:
        return []
    if policy == CatalogItem.ApprovalPolicy.MANAGER_ABOVE_THRESHOLD:
        if total <= (item.approval_threshold or Decimal("0")):
            return []
        return [{"approver": _approver_for(item=item, recipient=recipient, group=group)}]
    if policy == CatalogItem.ApprovalPolicy.MANAGER:
        return [{"approver": _approver_for(item=item, recipient=recipient, group=group)}]
    if policy == CatalogItem.ApprovalPolicy.GROUP:
        if item.approver_group_id is None or not item.approver_group.members.filter(is_active=True).exists():
            raise NoApprover(
                _("Nobody can approve “%(item)s” right now. Contact the service desk.") % {"item": item.name}
            )
        return [{"approver_group": item.approver_group}]
    raise NoApprover(_("“%(item)s” has an unknown approval rule.") % {"item": item.name})


def _ticket_description(*, order: Order, line: OrderLine, item: CatalogItem) -> str:
    rows = [
        f"- **{_('Order')}:** {order.number}",
        f"- **{_('Ordered by')}:** {order.requester}",
        f"- **{_('Ordered for')}:** {order.recipient}",
        f"- **{_('Delivery location')}:** {order.delivery_location}",
        f"- **{_('Quantity')}:** {line.quantity}",
        f"- **{_('Unit price')}:** {nok(line.unit_price)}",
    ]
    rows += [
        f"- **{label}:** {value}" for label, value in answers_for_display(item=item, answers=line.answers)
    ]
    text = "\n".join(rows)
    if order.justification.strip():
        text += f"\n\n**{_('Justification')}:**\n\n{order.justification.strip()}"
    return text


@transaction.atomic
def order_submit(
    *,
    user,
    recipient=None,
    delivery_location: str = "",
    justification: str = "",
    now: dt.datetime | None = None,
) -> Order:
    """Submit the user's cart as one order, in one transaction: number it, create each line's request
    ticket, route the approvals each item needs (or approve at once), and queue the approvers' emails.

    Visibility, retirement, answers and quantity are checked again here, since the cart may be old.
    """
    now = now or timezone.now()
    cart = Order.objects.select_for_update().filter(requester=user, state=Order.State.CART).first()
    lines = list(cart.lines.select_related("item").order_by("position", "id")) if cart else []
    if not lines:
        raise ValidationError(_("Your cart is empty."))
    recipient = recipient or user
    if not recipient.is_active:
        raise ValidationError({"recipient": _("Choose a colleague who is still employed.")})
    location = (delivery_location or "").strip() or recipient.office_location.strip()
    if not location:
        raise ValidationError({"delivery_location": _("Say where it should be delivered.")})

    errors: list[str] = []
    plans: list[tuple[OrderLine, CatalogItem, object, list[dict]]] = []
    for line in lines:
        name = line.item.name
        try:
            item = item_orderable_by(user=user, code=line.item.code)
            if recipient.pk != user.pk:
                try:
                    item_orderable_by(user=recipient, code=item.code)
                except Http404:
                    raise ValidationError(
                        _("It is not available to %(person)s.") % {"person": recipient}
                    ) from None
            clean_answers(item=item, data=_as_form_data(item, line.answers))
            _clean_quantity(item, line.quantity)
            group = _line_group(item)
            total = item.price * line.quantity
            approvals = approvals_needed(item=item, recipient=recipient, total=total, group=group)
        except Http404:
            errors.append(_("%(item)s: it can no longer be ordered.") % {"item": name})
        except ValidationError as exc:
            errors.append(f"{name}: {' '.join(exc.messages)}")
        else:
            plans.append((line, item, group, approvals))
    if errors:
        raise ValidationError(errors)
    if any(approvals for *_rest, approvals in plans) and not justification.strip():
        raise ValidationError({"justification": _("Say why this is needed; your approver reads it.")})

    cart.number = _next_order_number(now)
    cart.state = Order.State.SUBMITTED
    cart.recipient = recipient
    cart.delivery_location = location[:150]
    cart.justification = justification.strip()
    cart.submitted_at = now
    cart.save(
        update_fields=["number", "state", "recipient", "delivery_location", "justification", "submitted_at"]
    )

    approval_ids: list[int] = []
    for line, item, group, approvals in plans:
        line.unit_price = item.price
        line.support_group = group
        ticket = ticket_services.ticket_create(
            requester=recipient,
            created_by=user,
            title=f"{item.name} × {line.quantity}"[:200],
            description=_ticket_description(order=cart, line=line, item=item),
            kind=Kind.REQUEST,
            service=item.service,
            support_group=group,
            category=TICKET_CATEGORY.get(item.kind, Category.OTHER),
            channel=Channel.PORTAL,
            now=now,
            on_behalf_checked=True,
        )
        line.ticket = ticket
        if approvals:
            ensure_allowed(line.state, LineMove(to=State.AWAITING_APPROVAL))
            line.state = State.AWAITING_APPROVAL
        else:
            ensure_allowed(line.state, LineMove(to=State.APPROVED))
            line.state = State.APPROVED
            line.approved_at = now
        line.save(
            update_fields=["unit_price", "support_group", "ticket", "state", "approved_at", "updated_at"]
        )
        for routing in approvals:
            approval = Approval.objects.create(line=line, **routing)
            approval_ids.append(approval.pk)
        if approvals:
            _sync_ticket(line, actor=user, reason=_("Waiting for approval."), now=now)
    for approval_id in approval_ids:
        transaction.on_commit(lambda approval_id=approval_id: _queue("approval_requested", approval_id))
    return cart


def _queue(kind: str, object_id: int) -> None:
    from orders.tasks import deliver_order_notice

    deliver_order_notice(kind, object_id)


# --- Approvals -------------------------------------------------------------------------------------------------


def may_decide(*, user, approval: Approval) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if approval.approver_id is not None:
        return approval.approver_id == user.pk
    return approval.approver_group.members.filter(pk=user.pk).exists()


@transaction.atomic
def approval_decide(
    *, user, approval: Approval, decision: str, comment: str = "", now: dt.datetime | None = None
) -> Approval:
    """Approve or reject one approval (the routed approver or a member of the approver group).

    A rejection needs a comment and closes the line as rejected, with the comment as the reason the
    requester reads; the other lines of the order go on. When every approval of a line is approved, the
    line is approved and appears in the fulfilling group's queue.
    """
    now = now or timezone.now()
    locked = (
        Approval.objects.select_for_update(of=("self",)).select_related("approver_group").get(pk=approval.pk)
    )
    if not may_decide(user=user, approval=locked):
        raise PermissionDenied(_("This approval is not yours to decide."))
    if decision not in {Approval.Decision.APPROVED, Approval.Decision.REJECTED}:
        raise ValidationError({"decision": _("Choose approve or reject.")})
    comment = (comment or "").strip()
    if decision == Approval.Decision.REJECTED and not comment:
        raise ValidationError({"comment": _("Say why the order is rejected.")})
    if locked.decision != Approval.Decision.PENDING:
        raise LineTransitionNotAllowed(_("This approval has already been decided."))
    line = _lock_line(locked.line)
    if line.state != State.AWAITING_APPROVAL:
        raise LineTransitionNotAllowed(_("This order line no longer waits for approval."))

    locked.decision, locked.decided_by, locked.decided_at, locked.comment = decision, user, now, comment
    locked.save(update_fields=["decision", "decided_by", "decided_at", "comment"])

    if decision == Approval.Decision.REJECTED:
        ensure_allowed(line.state, LineMove(to=State.REJECTED, reason=comment))
        line.approvals.filter(decision=Approval.Decision.PENDING).update(decision=Approval.Decision.WITHDRAWN)
        line.state, line.rejection_reason, line.closed_at = State.REJECTED, comment, now
        line.save(update_fields=["state", "rejection_reason", "closed_at", "updated_at"])
        _sync_ticket(
            line,
            actor=user,
            reason=_("Rejected by %(person)s: %(reason)s") % {"person": user, "reason": comment},
            now=now,
        )
        _complete_order_if_done(line.order, now)
        transaction.on_commit(lambda: _queue("line_rejected", line.pk))
    elif not line.approvals.exclude(decision=Approval.Decision.APPROVED).exists():
        ensure_allowed(line.state, LineMove(to=State.APPROVED))
        line.state, line.approved_at = State.APPROVED, now
        line.save(update_fields=["state", "approved_at", "updated_at"])
        text = _("Approved by %(person)s.") % {"person": user}
        _sync_ticket(line, actor=user, reason=f"{text} {comment}".strip(), now=now)
    return locked


# --- The orderer -------------------------------------------------------------------------------------------------


@transaction.atomic
def line_cancel(*, line: OrderLine, actor, reason: str = "", now: dt.datetime | None = None) -> OrderLine:
    """Cancel a line (the orderer or the recipient), only before fulfilment starts."""
    now = now or timezone.now()
    locked = _lock_line(line)
    reason = (reason or "").strip()
    ensure_allowed(
        locked.state, LineMove(to=State.CANCELLED, reason=reason, by_orderer=_is_orderer(actor, locked.order))
    )
    locked.approvals.filter(decision=Approval.Decision.PENDING).update(decision=Approval.Decision.WITHDRAWN)
    locked.state, locked.cancel_reason, locked.closed_at = State.CANCELLED, reason, now
    locked.save(update_fields=["state", "cancel_reason", "closed_at", "updated_at"])
    text = _("Cancelled by %(person)s.") % {"person": actor}
    _sync_ticket(locked, actor=actor, reason=f"{text} {reason}".strip(), now=now)
    _complete_order_if_done(locked.order, now)
    return locked


# --- Fulfilment -----------------------------------------------------------------------------------------------------


def _tasks_for(item: CatalogItem) -> list[str]:
    kinds = [FulfilmentTask.Kind.PICK_FROM_STOCK if item.stocked else FulfilmentTask.Kind.ORDER_FROM_SUPPLIER]
    if item.kind == CatalogItem.Kind.EQUIPMENT:
        kinds.append(FulfilmentTask.Kind.CONFIGURE)
    kinds.append(FulfilmentTask.Kind.DELIVER)
    return kinds


@transaction.atomic
def line_start_fulfilment(*, line: OrderLine, actor, now: dt.datetime | None = None) -> OrderLine:
    """Start fulfilling an approved line: create its tasks and take its ticket."""
    now = now or timezone.now()
    locked = _lock_line(line)
    _ensure_may_fulfil(actor, locked)
    ensure_allowed(locked.state, LineMove(to=State.IN_FULFILMENT))
    FulfilmentTask.objects.bulk_create(
        [
            FulfilmentTask(line=locked, kind=kind, position=n)
            for n, kind in enumerate(_tasks_for(locked.item), 1)
        ]
    )
    locked.state = State.IN_FULFILMENT
    locked.save(update_fields=["state", "updated_at"])
    if locked.ticket_id and actor is not None and actor.has_perm("tickets.work_on_tickets"):
        ticket = Ticket.objects.only("pk", "assignee_id", "status").get(pk=locked.ticket_id)
        if ticket.assignee_id is None and ticket.status in {Status.NEW, Status.ASSIGNED}:
            ticket_services.ticket_update(
                ticket=ticket, actor=actor, version=None, changes={"assignee": actor}, now=now
            )
    _sync_ticket(locked, actor=actor, reason=_("Fulfilment has started."), now=now)
    return locked


def _open_task(line: OrderLine, kind: str) -> FulfilmentTask:
    task = line.tasks.filter(kind=kind).first()
    if task is None:
        raise LineTransitionNotAllowed(_("This line has no such task."))
    if task.done_at is not None:
        raise LineTransitionNotAllowed(_("This task is already done."))
    return task


def _finish(task: FulfilmentTask, actor, now: dt.datetime) -> None:
    task.done_at, task.done_by = now, actor
    task.save(update_fields=["done_at", "done_by"])


@transaction.atomic
def task_complete(*, task: FulfilmentTask, actor, now: dt.datetime | None = None) -> FulfilmentTask:
    """Tick off a step of fulfilment (order from the supplier, configure). Picking from stock goes
    through stock_pick and delivering through line_deliver, which do more than tick."""
    now = now or timezone.now()
    line = _lock_line(task.line)
    _ensure_may_fulfil(actor, line)
    if line.state != State.IN_FULFILMENT:
        raise LineTransitionNotAllowed(_("Start fulfilment first."))
    if task.kind == FulfilmentTask.Kind.PICK_FROM_STOCK:
        raise LineTransitionNotAllowed(_("Use “Pick from stock”, which takes the units out of stock."))
    if task.kind == FulfilmentTask.Kind.DELIVER:
        raise LineTransitionNotAllowed(_("Use “Deliver”, which registers what was handed over."))
    locked = _open_task(line, task.kind)
    _finish(locked, actor, now)
    _note(line, actor=actor, body=_("Done: %(task)s.") % {"task": locked.get_kind_display()}, now=now)
    return locked


@transaction.atomic
def stock_pick(*, line: OrderLine, actor, now: dt.datetime | None = None) -> int:
    """Take the line's units out of stock and tick the pick task; return the units left.

    The stock never goes below zero, even when several agents pick at once: the decrement is one
    conditional UPDATE (stock_count >= quantity) whose row count says whether it happened, so the
    database serialises concurrent picks on the item's row. At or below the reorder level the group is
    warned after commit.
    """
    now = now or timezone.now()
    locked = _lock_line(line)
    _ensure_may_fulfil(actor, locked)
    if locked.state != State.IN_FULFILMENT:
        raise LineTransitionNotAllowed(_("Start fulfilment first."))
    task = _open_task(locked, FulfilmentTask.Kind.PICK_FROM_STOCK)
    quantity = locked.quantity
    picked = CatalogItem.objects.filter(pk=locked.item_id, stocked=True, stock_count__gte=quantity).update(
        stock_count=F("stock_count") - quantity
    )
    if picked != 1:
        left = (
            CatalogItem.objects.filter(pk=locked.item_id).values_list("stock_count", flat=True).first() or 0
        )
        raise OutOfStock(
            _("Not enough in stock: %(left)d left, %(wanted)d needed. Order from the supplier instead.")
            % {"left": left, "wanted": quantity}
        )
    left, reorder_level = (
        CatalogItem.objects.filter(pk=locked.item_id).values_list("stock_count", "reorder_level").get()
    )
    _finish(task, actor, now)
    _note(
        locked,
        actor=actor,
        body=_("Picked %(count)d from stock; %(left)d left.") % {"count": quantity, "left": left},
        now=now,
    )
    if left <= reorder_level and locked.support_group_id:
        item_id, group_id = locked.item_id, locked.support_group_id
        transaction.on_commit(lambda: _queue_low_stock(item_id, group_id))
    return left


def _queue_low_stock(item_id: int, group_id: int) -> None:
    from orders.tasks import warn_low_stock

    warn_low_stock(item_id, group_id)


@transaction.atomic
def line_order_from_supplier(*, line: OrderLine, actor, now: dt.datetime | None = None) -> OrderLine:
    """Replace the pick-from-stock task by ordering from the supplier (when stock has run out)."""
    locked = _lock_line(line)
    _ensure_may_fulfil(actor, locked)
    if locked.state != State.IN_FULFILMENT:
        raise LineTransitionNotAllowed(_("Start fulfilment first."))
    task = _open_task(locked, FulfilmentTask.Kind.PICK_FROM_STOCK)
    task.kind = FulfilmentTask.Kind.ORDER_FROM_SUPPLIER
    task.save(update_fields=["kind"])
    _note(locked, actor=actor, body=_("Not in stock: ordering from the supplier."), now=now or timezone.now())
    return locked


def _ensure_steps_done(line: OrderLine) -> None:
    waiting = [t for t in line.tasks.all() if t.kind != FulfilmentTask.Kind.DELIVER and t.done_at is None]
    if waiting:
        raise LineTransitionNotAllowed(
            _("Finish these tasks first: %(tasks)s.")
            % {"tasks": ", ".join(t.get_kind_display() for t in waiting)}
        )


@transaction.atomic
def line_ready(*, line: OrderLine, actor, now: dt.datetime | None = None) -> OrderLine:
    """Mark the line ready for pickup: the ticket waits for the requester to collect it."""
    now = now or timezone.now()
    locked = _lock_line(line)
    _ensure_may_fulfil(actor, locked)
    ensure_allowed(locked.state, LineMove(to=State.READY))
    _ensure_steps_done(locked)
    locked.state = State.READY
    locked.save(update_fields=["state", "updated_at"])
    _sync_ticket(
        locked,
        actor=actor,
        reason=_("Ready for pickup at %(place)s.") % {"place": locked.order.delivery_location},
        now=now,
    )
    return locked


@transaction.atomic
def line_deliver(
    *,
    line: OrderLine,
    actor,
    assets: Iterable[Mapping] = (),
    delivered_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> OrderLine:
    """Hand the line over: equipment registers one asset per unit (tag, serial, warranty) for the
    recipient, linked to the line; the ticket resolves. All or nothing."""
    now = now or timezone.now()
    locked = _lock_line(line)
    _ensure_may_fulfil(actor, locked)
    ensure_allowed(locked.state, LineMove(to=State.DELIVERED))
    _ensure_steps_done(locked)
    delivered_on = delivered_on or timezone.localdate(now)
    item, order = locked.item, locked.order
    tags: list[str] = []
    if item.kind == CatalogItem.Kind.EQUIPMENT:
        units = list(assets)
        errors: dict[str, list[str]] = {}
        if len(units) != locked.quantity:
            raise ValidationError(
                _("Register one asset per unit: %(count)d expected.") % {"count": locked.quantity}
            )
        for index, unit in enumerate(units):
            tag = str(unit.get("asset_tag") or "").strip()
            if not tag:
                errors[f"asset_tag_{index}"] = [_("Give the asset tag.")]
            elif tag in tags:
                errors[f"asset_tag_{index}"] = [_("Each unit needs its own asset tag.")]
            tags.append(tag)
        if errors:
            raise ValidationError(errors)
        for index, unit in enumerate(units):
            try:
                with transaction.atomic():
                    asset_register(
                        item=item,
                        holder=order.recipient,
                        asset_tag=tags[index],
                        serial_number=str(unit.get("serial_number") or "").strip(),
                        delivered_on=delivered_on,
                        warranty_end=unit.get("warranty_end") or None,
                        order_line=locked,
                        actor=actor,
                    )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    errors.update({f"{field}_{index}": msgs for field, msgs in exc.message_dict.items()})
                else:
                    errors[f"asset_tag_{index}"] = exc.messages
        if errors:
            raise ValidationError(errors)
    task = locked.tasks.filter(kind=FulfilmentTask.Kind.DELIVER, done_at__isnull=True).first()
    if task is not None:
        _finish(task, actor, now)
    locked.state, locked.delivered_at = State.DELIVERED, now
    locked.save(update_fields=["state", "delivered_at", "updated_at"])
    text = _("Delivered to %(person)s at %(place)s.") % {
        "person": order.recipient,
        "place": order.delivery_location,
    }
    if tags:
        text += " " + _("Asset tags: %(tags)s.") % {"tags": ", ".join(tags)}
    _sync_ticket(locked, actor=actor, reason=text, now=now)
    return locked


@transaction.atomic
def line_close(*, line: OrderLine, actor, reason: str = "", now: dt.datetime | None = None) -> OrderLine:
    """Close a delivered line (the fulfiller, the orderer confirming receipt, or the order process with
    actor None); the ticket closes and the order completes when no line is left open."""
    now = now or timezone.now()
    locked = _lock_line(line)
    if not _is_orderer(actor, locked.order):
        _ensure_may_fulfil(actor, locked)
    ensure_allowed(locked.state, LineMove(to=State.CLOSED))
    locked.state, locked.closed_at = State.CLOSED, now
    locked.save(update_fields=["state", "closed_at", "updated_at"])
    if not reason and actor is not None:
        reason = _("Closed by %(person)s.") % {"person": actor}
    _sync_ticket(locked, actor=actor, reason=reason, now=now)
    _complete_order_if_done(locked.order, now)
    return locked


def close_delivered(*, now: dt.datetime, business_days: int) -> int:
    """Close the lines delivered at least the given number of business days ago; return how many.

    The twin of tickets.services.close_resolved, and run as often: the line drives its request ticket,
    so the line closes here (and closes the ticket, unless the tickets job already has) and the order
    completes. Each line is its own transaction, so one refused line does not hold back the others.
    """
    from incidents.calendar_days import subtract_business_days

    cutoff = subtract_business_days(now, business_days)
    closed = 0
    for line in selectors.lines_delivered_before(cutoff=cutoff):
        delivered = formats.date_format(timezone.localtime(line.delivered_at), "SHORT_DATE_FORMAT")
        reason = _("Closed automatically: delivered on %(date)s, with no problem reported since.") % {
            "date": delivered
        }
        try:
            line_close(line=line, actor=None, reason=reason, now=now)
        except LineTransitionNotAllowed:
            # Closed meanwhile by the orderer or an agent.
            continue
        closed += 1
    return closed
