"""Service levels: business calendars, SLA policies with their targets, the ticket clocks stored for SQL,
their append-only log, and the escalation steps taken (once each)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicedesk.i18n import BilingualName
from tickets.models import PendingReason, Priority


class BusinessCalendar(BilingualName, models.Model):
    """Opening hours: weekly segments, Norwegian public holidays, extra closed and open dates."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_nb = models.CharField(_("name (Bokmål)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=60, default="Europe/Oslo")
    always_open = models.BooleanField(
        _("open around the clock (24x7)"), default=False, help_text=_("Plain absolute time; no holidays.")
    )
    public_holidays = models.BooleanField(_("closed on Norwegian public holidays"), default=True)
    is_default = models.BooleanField(_("default calendar"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["-is_default", "name_nb"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="calendar_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CalendarSegment(models.Model):
    """One weekly opening segment, e.g. Monday 08:00–11:30 (several per day allowed)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="segments")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="segment_closes_after_opens"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="segment_weekday_0_to_6"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class CalendarDate(models.Model):
    """A date that differs from the week: closed (e.g. Christmas Eve) or open with its own hours."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Closed")
        OPEN = "open", _("Open")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="dates")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices, default=Kind.CLOSED)
    label = models.CharField(_("label"), max_length=120, blank=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)

    class Meta:
        verbose_name = _("special date")
        verbose_name_plural = _("special dates")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendardate_unique"),
            models.CheckConstraint(
                condition=Q(kind="closed")
                | Q(opens__isnull=False, closes__isnull=False, closes__gt=models.F("opens")),
                name="calendardate_open_has_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


def default_pausing_reasons() -> list[str]:
    return [PendingReason.REQUESTER]


def default_escalations() -> list[dict]:
    return [
        {"percent": 75, "notify": "assignee"},
        {"percent": 100, "notify": "group_lead"},
        {"percent": 150, "notify": "service_owner"},
    ]


class SlaPolicy(BilingualName, models.Model):
    """Targets per priority on a calendar; the default policy, or one service's own."""

    name_nb = models.CharField(_("name (Bokmål)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    service = models.OneToOneField(
        "catalog.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policy",
        help_text=_("Empty: the default policy for every service without its own."),
    )
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="policies"
    )
    pausing_reasons = models.JSONField(
        _("pending reasons that pause the clock"), default=default_pausing_reasons
    )
    warning_percent = models.PositiveSmallIntegerField(_("warning at (%)"), default=75)
    escalations = models.JSONField(_("escalation steps"), default=default_escalations)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["service", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"], condition=Q(service__isnull=True), name="slapolicy_one_default"
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=100),
                name="slapolicy_warning_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """Response and resolution targets for one priority, optionally on a calendar of its own (P1 on 24x7)."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    response_seconds = models.PositiveIntegerField(_("response target (seconds)"))
    resolution_seconds = models.PositiveIntegerField(_("resolution target (seconds)"))
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar for this priority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["policy", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="slatarget_unique_priority"),
            models.CheckConstraint(
                condition=Q(response_seconds__gte=1) & Q(resolution_seconds__gte=1), name="slatarget_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} P{self.priority}"


class ClockKind(models.TextChoices):
    RESPONSE = "response", _("Response")
    RESOLUTION = "resolution", _("Resolution")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")
    CANCELLED = "cancelled", _("Cancelled")


class SlaClock(models.Model):
    """A ticket's response or resolution clock as of its last change, stored so queues can sort and filter
    by it in SQL. The pure engine (sla/clock.py) computes it from the ticket's history."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="sla_clocks")
    kind = models.CharField(max_length=10, choices=ClockKind.choices)
    state = models.CharField(max_length=10, choices=ClockState.choices)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    target_seconds = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    # Elapsed business seconds up to the last resume (or the stop), and when it last resumed.
    elapsed_seconds = models.PositiveIntegerField(default=0)
    resumed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warning_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    breached = models.BooleanField(default=False)
    met = models.BooleanField(null=True, blank=True)
    cycle = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        indexes = [
            # "Breaching soon" and the due column: running clocks by due time.
            models.Index(fields=["kind", "state", "due_at"], name="slaclock_due"),
            models.Index(fields=["kind", "state", "warning_at"], name="slaclock_warning"),
        ]
        constraints = [models.UniqueConstraint(fields=["ticket", "kind"], name="slaclock_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.state}"


class SlaClockLog(models.Model):
    """Append-only: how a clock got where it is (start, pause with reason, resume, stop, target change,
    escalation, recompute)."""

    class Event(models.TextChoices):
        START = "start", _("Started")
        PAUSE = "pause", _("Paused")
        RESUME = "resume", _("Resumed")
        STOP = "stop", _("Stopped")
        CANCEL = "cancel", _("Cancelled")
        TARGET = "target", _("Target changed")
        ESCALATION = "escalation", _("Escalated")
        RECOMPUTED = "recomputed", _("Recomputed")

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    event = models.CharField(max_length=12, choices=Event.choices)
    elapsed_seconds = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["clock", "at"], name="slaclocklog_clock")]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.event} {self.at:%Y-%m-%d %H:%M:%S}"


class SlaEscalation(models.Model):
    """One escalation step taken: at most once per clock, step and cycle (restarts and retries are no-ops)."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="escalations")
    percent = models.PositiveSmallIntegerField()
    cycle = models.PositiveSmallIntegerField()
    fired_at = models.DateTimeField()
    notified = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clock", "percent", "cycle"], name="slaescalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.percent}% #{self.cycle}"
