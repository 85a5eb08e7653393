"""Reads of orders, approvals and fulfilment work, always scoped to what the user may see, with the
related rows fetched up front so every page runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Prefetch, Q, QuerySet, Sum

from catalog.models import CatalogItem, OrderQuestion
from orders.models import Approval, FulfilmentTask, Order, OrderLine
from orders.transitions import IN_QUEUE
from tickets.models import Status

# The questions of each line's item, in order, for showing the answers with their labels.
_QUESTIONS_FOR_LINES = Prefetch(
    "lines__item__questions", queryset=OrderQuestion.objects.order_by("position", "id")
)


def cart_for(*, user) -> Order | None:
    """Return the user's cart with its lines, items and their questions; None when there is none."""
    if not user.is_authenticated:
        return None
    return (
        Order.objects.filter(requester=user, state=Order.State.CART)
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("item").order_by("position", "id")),
            _QUESTIONS_FOR_LINES,
        )
        .first()
    )


def cart_count(*, user) -> int:
    """Return how many units are in the user's cart (one query)."""
    if not user.is_authenticated:
        return 0
    total = OrderLine.objects.filter(order__requester=user, order__state=Order.State.CART).aggregate(
        n=Sum("quantity")
    )["n"]
    return total or 0


def cart_line_of(*, user, pk: int) -> OrderLine:
    """Return a line of the user's own cart; raise OrderLine.DoesNotExist otherwise."""
    return OrderLine.objects.select_related("item", "order").get(
        pk=pk, order__requester=user, order__state=Order.State.CART, state=OrderLine.State.DRAFT
    )


def orders_visible_to(*, user) -> QuerySet[Order]:
    """Return the submitted orders the user placed or that were placed for them, newest first."""
    if not user.is_authenticated or not user.is_active:
        return Order.objects.none()
    return (
        Order.objects.filter(Q(requester=user) | Q(recipient=user))
        .exclude(state=Order.State.CART)
        .select_related("requester", "recipient")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("item", "ticket").order_by("position", "id"),
            )
        )
        .order_by("-submitted_at", "-id")
    )


def order_for_page(*, user, number: str) -> Order:
    """Return one visible order with its lines, answers' questions and approvals; raise Order.DoesNotExist."""
    return (
        orders_visible_to(user=user)
        .prefetch_related(
            _QUESTIONS_FOR_LINES,
            Prefetch(
                "lines__approvals", queryset=Approval.objects.select_related("approver", "approver_group")
            ),
        )
        .get(number=number)
    )


def approvals_for(*, user) -> QuerySet[Approval]:
    """Return the approvals routed to the user or to an approver group they are a member of."""
    if not user.is_authenticated or not user.is_active:
        return Approval.objects.none()
    return (
        Approval.objects.filter(Q(approver=user) | Q(approver_group__in=user.approver_groups.values("pk")))
        .select_related(
            "line__order__requester",
            "line__order__recipient",
            "line__item",
            "line__ticket",
            "approver",
            "approver_group",
            "decided_by",
        )
        .order_by("created_at", "id")
    )


def approval_for_page(*, user, pk: int) -> Approval:
    return (
        approvals_for(user=user)
        .prefetch_related(
            Prefetch("line__item__questions", queryset=OrderQuestion.objects.order_by("position", "id"))
        )
        .get(pk=pk)
    )


def fulfilment_lines_for(*, user) -> QuerySet[OrderLine]:
    """Return the submitted lines the user may fulfil: their support groups' lines for agents, every
    group's for group leads and administrators (as they see every ticket), none for others."""
    if not user.is_authenticated or not user.has_perm("orders.fulfil"):
        return OrderLine.objects.none()
    lines = OrderLine.objects.exclude(state=OrderLine.State.DRAFT)
    if not user.has_perm("orders.fulfil_every_group"):
        lines = lines.filter(support_group__in=user.support_groups.values("pk"))
    return lines.select_related(
        "order__requester", "order__recipient", "item", "support_group", "ticket__assignee"
    ).prefetch_related(Prefetch("tasks", queryset=FulfilmentTask.objects.order_by("position", "id")))


def fulfilment_queue(*, user) -> QuerySet[OrderLine]:
    """Return the lines waiting for or in fulfilment, oldest approval first."""
    return fulfilment_lines_for(user=user).filter(state__in=IN_QUEUE).order_by("approved_at", "id")


def fulfilment_line_for_page(*, user, pk: int) -> OrderLine:
    return (
        fulfilment_lines_for(user=user)
        .prefetch_related(
            Prefetch("item__questions", queryset=OrderQuestion.objects.order_by("position", "id")),
            "assets",
            "tasks__done_by",
        )
        .get(pk=pk)
    )


def low_stock_items_for(*, user) -> QuerySet[CatalogItem]:
    """Return the stocked, orderable items the user's groups fulfil whose stock is at or below reorder level."""
    items = CatalogItem.objects.filter(
        stocked=True, stock_count__lte=F("reorder_level"), state=CatalogItem.State.LIVE
    )
    if not user.has_perm("orders.fulfil_every_group"):
        groups = user.support_groups.values("pk")
        items = items.filter(
            Q(fulfilment_group__in=groups)
            | Q(fulfilment_group__isnull=True, service__support_group__in=groups)
        )
    return items.order_by("name_nb").only("code", "name_nb", "name_en", "stock_count", "reorder_level")


def lines_delivered_before(*, cutoff: dt.datetime) -> QuerySet[OrderLine]:
    """Return the delivered lines handed over at or before cutoff that may close without a person.

    A line whose request ticket is open again (the requester reopened it, or an agent took it back)
    is left for the agent: someone is still waiting on it.
    """
    return (
        OrderLine.objects.filter(state=OrderLine.State.DELIVERED, delivered_at__lte=cutoff)
        .filter(
            Q(ticket__isnull=True) | Q(ticket__status__in=[Status.RESOLVED, Status.CLOSED, Status.CANCELLED])
        )
        .order_by("delivered_at", "id")
        .only("pk", "delivered_at")
    )
