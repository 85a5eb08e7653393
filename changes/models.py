"""Change enablement: requests for change on the ticket core, their types and templates, approvals and
CAB votes, maintenance windows (which the availability figures subtract) and freeze windows.

Each change is also a work item of kind change on the ticket core (`Change.ticket`), so it shares the
agents' queues, the timeline, notifications and live updates. The change's own lifecycle is `Change.state`;
the ticket's status follows it (changes/transitions.py, TICKET_STATUS).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicedesk.i18n import BilingualName, in_active_language


class ChangeKind(models.TextChoices):
    STANDARD = "standard", _("Standard change")
    NORMAL = "normal", _("Normal change")
    EMERGENCY = "emergency", _("Emergency change")


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


RISK_ORDER = {Risk.LOW: 1, Risk.MEDIUM: 2, Risk.HIGH: 3}


class ChangeType(BilingualName, models.Model):
    """How one kind of change is approved; the change manager edits these in the UI.

    The three kinds are fixed (their lifecycles differ, changes/transitions.py); what is configurable is who
    approves them: whether the change manager must, from which risk the CAB must, and the CAB quorum.
    """

    class ApprovalRule(models.TextChoices):
        ALL = "all", _("The change manager and the CAB quorum")
        ANY = "any", _("The change manager or the CAB quorum")

    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices, unique=True)
    name_nb = models.CharField(_("name (Bokmål)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_nb = models.TextField(_("description (Bokmål)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    needs_approval = models.BooleanField(
        _("needs approval"), default=True, help_text=_("Off for pre-approved standard changes.")
    )
    approval_rule = models.CharField(
        _("approval rule"), max_length=3, choices=ApprovalRule.choices, default=ApprovalRule.ALL
    )
    cab_from_risk = models.CharField(
        _("CAB needed from risk"),
        max_length=6,
        choices=Risk.choices,
        blank=True,
        help_text=_("Changes of this risk or higher go to the CAB. Empty: never."),
    )
    cab_quorum = models.PositiveSmallIntegerField(
        _("CAB quorum"),
        default=2,
        help_text=_("How many CAB members must approve, besides the change manager."),
    )
    needs_review = models.BooleanField(
        _("review required before closing"),
        default=False,
        help_text=_("A written (retrospective) review must be recorded before the change can close."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("change type")
        verbose_name_plural = _("change types")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return in_active_language(self.description_nb, self.description_en)

    def cab_needed(self, risk: str) -> bool:
        if not self.needs_approval or not self.cab_from_risk or self.cab_quorum == 0:
            return False
        return RISK_ORDER[Risk(risk)] >= RISK_ORDER[Risk(self.cab_from_risk)]


class StandardChangeTemplate(BilingualName, models.Model):
    """A pre-approved, repeatable change ("patch Windows clients (monthly)") with its plans and tasks."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_nb = models.CharField(_("name (Bokmål)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("affected services"), related_name="change_templates", blank=True
    )
    implementer_group = models.ForeignKey(
        "people.SupportGroup",
        verbose_name=_("implementer group"),
        on_delete=models.PROTECT,
        related_name="change_templates",
    )
    implementation_plan = models.TextField(_("implementation plan"))
    backout_plan = models.TextField(_("back-out plan"))
    test_plan = models.TextField(_("test plan"), blank=True)
    causes_downtime = models.BooleanField(_("causes downtime"), default=False)
    duration_minutes = models.PositiveIntegerField(_("usual duration (minutes)"), default=60)
    tasks = models.TextField(_("tasks"), blank=True, help_text=_("One task per line."))
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("standard change template")
        verbose_name_plural = _("standard change templates")
        ordering = ["name_nb"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=1), name="template_duration_positive")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def task_list(self) -> list[str]:
        return [line.strip() for line in self.tasks.splitlines() if line.strip()]


class Change(models.Model):
    """A request for change: what, why, where, when, how (and how back), and how risky."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ASSESSMENT = "assessment", _("In assessment")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        SCHEDULED = "scheduled", _("Scheduled")
        IMPLEMENTING = "implementing", _("Implementing")
        REVIEW = "review", _("In review")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        REJECTED = "rejected", _("Rejected")

    class Outcome(models.TextChoices):
        SUCCESSFUL = "successful", _("Successful")
        WITH_PROBLEMS = "with_problems", _("Successful with problems")
        FAILED = "failed", _("Failed")
        BACKED_OUT = "backed_out", _("Backed out")

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="change")
    kind = models.CharField(_("type"), max_length=10, choices=ChangeKind.choices, default=ChangeKind.NORMAL)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    template = models.ForeignKey(
        StandardChangeTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )
    reason = models.TextField(_("reason and benefit"), blank=True)
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("affected services"), related_name="changes", blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("change owner"),
        on_delete=models.PROTECT,
        related_name="owned_changes",
    )
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    implementation_plan = models.TextField(_("implementation plan"), blank=True)
    backout_plan = models.TextField(_("back-out plan"), blank=True)
    test_plan = models.TextField(_("test plan"), blank=True)
    risk_answers = models.JSONField(_("risk answers"), default=dict, blank=True)
    risk_score = models.PositiveSmallIntegerField(_("risk score"), default=0)
    risk = models.CharField(_("risk"), max_length=6, choices=Risk.choices, default=Risk.LOW)
    causes_downtime = models.BooleanField(_("causes downtime"), default=False)
    cab_required = models.BooleanField(_("CAB required"), default=False)
    approval_round = models.PositiveSmallIntegerField(default=0)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    review_note = models.TextField(_("review"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The change manager's override of scheduling conflicts holds for the window it was given for.
    override_reason = models.TextField(_("reason for overriding conflicts"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_start = models.DateTimeField(null=True, blank=True)
    override_end = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-planned_start", "-pk"]
        indexes = [
            # The calendar and conflict checks read changes by their window.
            models.Index(fields=["planned_start", "planned_end"], name="change_window"),
            models.Index(fields=["state", "planned_start"], name="change_state_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gt=models.F("planned_start")),
                name="change_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | Q(actual_end__isnull=True)
                | Q(actual_end__gte=models.F("actual_start")),
                name="change_actual_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | ~Q(outcome=""), name="change_closed_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.ticket.title}"

    def get_absolute_url(self) -> str:
        return reverse("changes:change_detail", kwargs={"number": self.ticket.number})

    @property
    def badge(self) -> str:
        """Which of the status badges (static/css: .sd-state[data-state=…]) the change's state looks like."""
        return STATE_BADGE[self.state]

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def override_holds(self) -> bool:
        """Whether the change manager's override covers the change's current planned window."""
        return bool(
            self.override_reason
            and self.override_start == self.planned_start
            and self.override_end == self.planned_end
        )


STATE_BADGE = {
    "draft": "planned",
    "submitted": "new",
    "assessment": "in_progress",
    "awaiting_approval": "pending",
    "scheduled": "assigned",
    "implementing": "in_progress",
    "review": "resolved",
    "closed": "closed",
    "cancelled": "cancelled",
    "rejected": "cancelled",
}


class ChangeTask(models.Model):
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class ChangeApproval(models.Model):
    """One approver's decision on one round of a change's approval: the change manager's or a CAB vote."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Change manager")
        CAB = "cab", _("CAB member")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Not decided")
        APPROVED = "approved", _("Approve")
        REJECTED = "rejected", _("Reject")
        INFO = "info", _("Request information")

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="approvals")
    round = models.PositiveSmallIntegerField(default=1)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="change_approvals"
    )
    role = models.CharField(_("as"), max_length=8, choices=Role.choices)
    decision = models.CharField(
        _("decision"), max_length=8, choices=Decision.choices, default=Decision.PENDING
    )
    comment = models.TextField(_("comment"), blank=True)
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("change approval")
        verbose_name_plural = _("change approvals")
        ordering = ["round", "role", "pk"]
        indexes = [models.Index(fields=["approver", "decision"], name="changeapproval_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "round", "approver", "role"], name="changeapproval_unique_vote"
            )
        ]

    def __str__(self) -> str:
        return f"{self.change_id} {self.role} {self.approver_id}: {self.decision}"


class MaintenanceWindow(models.Model):
    """Planned downtime of one service. The availability figures subtract it once its change is approved;
    when the change is implemented, the actual window (as executed) replaces the planned one."""

    change = models.ForeignKey(
        Change, null=True, blank=True, on_delete=models.CASCADE, related_name="maintenance_windows"
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="maintenance_windows",
    )
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        ordering = ["planned_start", "pk"]
        indexes = [
            models.Index(fields=["service", "planned_start"], name="maintenance_service_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gt=models.F("planned_start")), name="maintenance_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | Q(actual_end__isnull=True)
                | Q(actual_end__gt=models.F("actual_start")),
                name="maintenance_actual_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True, actual_end__isnull=True)
                | Q(actual_start__isnull=False, actual_end__isnull=False),
                name="maintenance_actual_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"

    @property
    def start(self):
        return self.actual_start or self.planned_start

    @property
    def end(self):
        return self.actual_end or self.planned_end


class FreezeWindow(BilingualName, models.Model):
    """A period in which no change should be made (exam weeks, year end, election days)."""

    name_nb = models.CharField(_("name (Bokmål)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.TextField(_("reason"), blank=True)
    services = models.ManyToManyField(
        "catalog.Service",
        verbose_name=_("services"),
        related_name="freeze_windows",
        blank=True,
        help_text=_("Leave empty to freeze every service."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("freeze window")
        verbose_name_plural = _("freeze windows")
        ordering = ["start"]
        indexes = [models.Index(fields=["start", "end"], name="freeze_window")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="freeze_end_after_start")
        ]

    def __str__(self) -> str:
        return self.name
