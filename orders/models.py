"""Request fulfilment: orders (ITIL requests) from the catalogue, their lines, approvals and tasks.

Each submitted order line is also a work item of kind request on the ticket core (`OrderLine.ticket`),
so it shares the agents' queues, the timeline, notifications, live updates and SLA clocks.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Order(models.Model):
    """What an employee orders in one go, for themselves or for a colleague (the recipient).

    While `state` is cart the order is the requester's shopping cart; there is at most one.
    """

    class State(models.TextChoices):
        CART = "cart", _("Cart")
        SUBMITTED = "submitted", _("Submitted")
        COMPLETED = "completed", _("Completed")

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.CART)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordered by"),
        on_delete=models.PROTECT,
        related_name="orders_placed",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordered for"),
        on_delete=models.PROTECT,
        related_name="orders_received",
    )
    delivery_location = models.CharField(_("delivery location"), max_length=150, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["requester", "state", "-submitted_at"], name="order_requester"),
            models.Index(fields=["recipient", "state", "-submitted_at"], name="order_recipient"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["requester"], condition=Q(state="cart"), name="order_one_cart_per_requester"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["cart", "submitted", "completed"]), name="order_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.number or _("Cart")


# Which of the ticket status badges (static/css: .sd-state[data-state=…]) each line state looks like.
LINE_BADGE = {
    "draft": "planned",
    "awaiting_approval": "pending",
    "approved": "new",
    "in_fulfilment": "in_progress",
    "ready": "pending",
    "delivered": "resolved",
    "closed": "closed",
    "rejected": "cancelled",
    "cancelled": "cancelled",
}


class OrderLine(models.Model):
    """One item of an order ("request item"), with its quantity and the orderer's answers."""

    class State(models.TextChoices):
        DRAFT = "draft", _("In the cart")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        IN_FULFILMENT = "in_fulfilment", _("Being fulfilled")
        READY = "ready", _("Ready for pickup")
        DELIVERED = "delivered", _("Delivered")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    item = models.ForeignKey(
        "catalog.CatalogItem", verbose_name=_("item"), on_delete=models.PROTECT, related_name="order_lines"
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    unit_price = models.DecimalField(
        _("unit price (NOK)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("work item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_line",
    )
    support_group = models.ForeignKey(
        "people.SupportGroup",
        verbose_name=_("fulfilling group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position", "id"]
        indexes = [
            models.Index(fields=["support_group", "state", "approved_at"], name="orderline_fulfilment"),
            models.Index(fields=["item", "state"], name="orderline_item_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orderline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orderline_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.order} #{self.position}: {self.item}"

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def tasks_done(self) -> int:
        """Return how many of the line's fulfilment tasks are done (reads the prefetched tasks)."""
        return sum(1 for task in self.tasks.all() if task.done_at is not None)

    @property
    def badge(self) -> str:
        """Return the status-badge style (the ticket status look) for the state; the text says the state."""
        return LINE_BADGE.get(self.state, "new")


class Approval(models.Model):
    """A decision asked of one person (the recipient's manager) or of an approver group."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approvals",
    )
    approver_group = models.ForeignKey(
        "catalog.ApproverGroup",
        verbose_name=_("approver group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approvals",
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_decisions",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["approver", "decision", "created_at"], name="approval_approver"),
            models.Index(fields=["approver_group", "decision", "created_at"], name="approval_group"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(approver__isnull=False) | Q(approver_group__isnull=False),
                name="approval_has_an_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line}: {self.get_decision_display()}"


class FulfilmentTask(models.Model):
    """A step an agent ticks off while fulfilling a line."""

    class Kind(models.TextChoices):
        PICK_FROM_STOCK = "pick", _("Pick from stock")
        ORDER_FROM_SUPPLIER = "order", _("Order from the supplier")
        CONFIGURE = "configure", _("Configure")
        DELIVER = "deliver", _("Deliver")

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("task"), max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("fulfilment task")
        verbose_name_plural = _("fulfilment tasks")
        ordering = ["line", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "kind"], name="fulfilmenttask_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.line}: {self.get_kind_display()}"


class OrderSequence(models.Model):
    """The last order number used per year (ORD-2026-000123), incremented under a row lock."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
