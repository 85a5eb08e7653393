"""The work-item core shared by every process: tickets, their timeline and their attachments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    REQUEST = "request", _("Service request")
    CHANGE = "change", _("Change")
    PROBLEM = "problem", _("Problem")


NUMBER_PREFIX = {Kind.INCIDENT: "INC", Kind.REQUEST: "REQ", Kind.CHANGE: "CHG", Kind.PROBLEM: "PRB"}


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING})
# Nothing more happens to a finished ticket (a resolved one can still be reopened).
FINISHED_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED})


class PendingReason(models.TextChoices):
    REQUESTER = "requester", _("Waiting for the requester")
    SUPPLIER = "supplier", _("Waiting for a supplier")
    CHANGE = "change", _("Waiting for a change")
    APPROVAL = "approval", _("Waiting for approval")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Self-service portal")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    WALK_IN = "walk_in", _("Walk-in")
    EVENT = "event", _("Monitoring event")
    API = "api", _("API")
    IMPORT = "import", _("Imported from the previous service desk")


FIRST_CONTACT_CHANNELS = frozenset({Channel.PHONE, Channel.CHAT, Channel.WALK_IN})


class Impact(models.IntegerChoices):
    HIGH = 1, _("High – many people or a whole service")
    MEDIUM = 2, _("Medium – a group or a department")
    LOW = 3, _("Low – one person")


class Urgency(models.IntegerChoices):
    HIGH = 1, _("High – work has stopped")
    MEDIUM = 2, _("Medium – work is hard")
    LOW = 3, _("Low – a nuisance")


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 – critical")
    P2 = 2, _("P2 – high")
    P3 = 3, _("P3 – medium")
    P4 = 4, _("P4 – low")


class Category(models.TextChoices):
    HARDWARE = "hardware", _("Hardware")
    SOFTWARE = "software", _("Software")
    NETWORK = "network", _("Network")
    ACCESS = "access", _("Access and accounts")
    PRINTING = "printing", _("Printing")
    OTHER = "other", _("Other")


class ResolutionCode(models.TextChoices):
    SOLVED = "solved", _("Solved (permanent fix)")
    WORKAROUND = "workaround", _("Solved with a workaround")
    USER_GUIDANCE = "guidance", _("User guided")
    NO_FAULT = "no_fault", _("No fault found")
    DUPLICATE = "duplicate", _("Duplicate")
    CANCELLED = "cancelled", _("Withdrawn by the requester")
    MONITORING_CLEARED = "monitoring", _("Cleared by monitoring")


class TicketSequence(models.Model):
    """The last number used per kind and year, incremented under a row lock."""

    kind = models.CharField(max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="ticketsequence_unique_kind_year")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INCIDENT)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    description_html = models.TextField(editable=False, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="registered_tickets",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    support_group = models.ForeignKey(
        "people.SupportGroup",
        verbose_name=_("support group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    pending_reason = models.CharField(
        _("waiting for"), max_length=10, choices=PendingReason.choices, blank=True
    )
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices, default=Impact.LOW)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.MEDIUM)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.P3)
    priority_overridden = models.BooleanField(_("priority set by hand"), default=False)
    category = models.CharField(
        _("category"), max_length=12, choices=Category.choices, default=Category.OTHER
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    resolution_code = models.CharField(
        _("resolution code"), max_length=12, choices=ResolutionCode.choices, blank=True
    )
    resolution_note = models.TextField(_("resolution"), blank=True)
    first_contact_resolution = models.BooleanField(_("solved on first contact"), default=False)
    reassignment_count = models.PositiveIntegerField(default=0)
    reopen_count = models.PositiveIntegerField(default=0)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent (major incident)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    reopened_from = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(default=1)
    # The resolution clock, copied from sla.SlaClock for the queues' "due" column and "breaching soon".
    sla_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    sla_warning_at = models.DateTimeField(null=True, blank=True)
    sla_breached = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-opened_at"]
        indexes = [
            # The queues: my tickets, my groups' unassigned and all, sorted by priority and age.
            models.Index(
                fields=["assignee", "status", "priority", "opened_at"], name="ticket_assignee_queue"
            ),
            models.Index(
                fields=["support_group", "status", "priority", "opened_at"], name="ticket_group_queue"
            ),
            models.Index(fields=["status", "priority", "opened_at"], name="ticket_status_queue"),
            # The "all" queue and free-text search sort everything by priority and age: read in order.
            models.Index(fields=["priority", "opened_at", "status"], name="ticket_priority_queue"),
            models.Index(fields=["requester", "opened_at"], name="ticket_requester"),
            models.Index(fields=["service", "opened_at"], name="ticket_service"),
            models.Index(fields=["updated_at"], name="ticket_updated"),
            models.Index(fields=["kind", "opened_at"], name="ticket_kind_opened"),
            # Open tickets by when their resolution is due, and the "breaching soon" queue.
            models.Index(fields=["status", "sla_due_at"], name="ticket_sla_due"),
            models.Index(fields=["status", "sla_warning_at"], name="ticket_sla_warning"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=4), name="ticket_priority_1_to_4"
            ),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=3), name="ticket_impact_1_to_3"),
            models.CheckConstraint(condition=Q(urgency__gte=1, urgency__lte=3), name="ticket_urgency_1_to_3"),
            models.CheckConstraint(
                condition=~Q(status="pending") | ~Q(pending_reason=""), name="ticket_pending_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"]) | Q(resolved_at__isnull=False),
                name="ticket_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:ticket_detail", kwargs={"number": self.number})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class TicketEvent(models.Model):
    """One entry on a ticket's timeline, written in the same transaction as the change it records."""

    class Type(models.TextChoices):
        CREATED = "created", _("Created")
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        STATUS = "status", _("Status change")
        ASSIGNMENT = "assignment", _("Assignment")
        FIELD = "field", _("Field change")
        ATTACHMENT = "attachment", _("Attachment")
        LINK = "link", pgettext_lazy("timeline entry", "Link")
        RATING = "rating", _("Rating")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=12, choices=Type.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ticket_events",
    )
    created_at = models.DateTimeField(default=timezone.now)
    is_public = models.BooleanField(default=True)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="ticketevent_timeline"),
            # A month's status changes, for the quality report (reports.figures): found, not scanned.
            models.Index(fields=["type", "created_at"], name="ticketevent_type_created"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.type} {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the user's file name is kept in the database, never trusted on disk.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_public = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("tickets:attachment", kwargs={"number": self.ticket.number, "pk": self.pk})


class TicketLink(models.Model):
    """A relation between two tickets other than parent/child and duplicate-of, which are fields."""

    class Type(models.TextChoices):
        RELATED = "related", _("Related to")
        CAUSED_BY = "caused_by", _("Caused by")

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    type = models.CharField(max_length=12, choices=Type.choices, default=Type.RELATED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "type"], name="ticketlink_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="ticketlink_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.type} {self.target_id}"


class Notification(models.Model):
    """An in-app notification; the same event is also emailed by a background job."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.subject


class CannedResponse(models.Model):
    """A prepared reply an agent can insert; shared within a support group."""

    group = models.ForeignKey(
        "people.SupportGroup", on_delete=models.CASCADE, related_name="canned_responses"
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class SavedFilter(models.Model):
    """A named set of queue filters an agent keeps for reuse."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=1000)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="savedfilter_unique_name")]

    def __str__(self) -> str:
        return self.name


class QueuePreference(models.Model):
    """The columns an agent chose for the queue tables."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_preference"
    )
    columns = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(self.columns)}"


class InboundMail(models.Model):
    """One email the mailbox fetch has handled, whatever became of it: the marker that keeps it from
    being imported twice (written in the same transaction as the ticket or reply it made)."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Ticket created")
        REPLIED = "replied", _("Reply added")
        UNKNOWN_SENDER = "unknown_sender", _("Unknown sender")
        AUTO_REPLY = "auto_reply", _("Automatic message or loop")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Could not be imported")

    # The Message-ID header, or "sha256:<hex>" of the raw message when it has none (or a useless one).
    message_id = models.CharField(_("message id"), max_length=255, unique=True)
    mailbox = models.CharField(_("mailbox"), max_length=255)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("imported"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_mails",
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["outcome", "received_at"], name="inboundmail_outcome")]

    def __str__(self) -> str:
        return f"{self.message_id} {self.outcome}"
