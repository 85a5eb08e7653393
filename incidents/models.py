"""Incident management: the priority matrix, outage records and satisfaction ratings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Impact, Priority, Urgency


class PriorityRule(models.Model):
    """One cell of the impact × urgency matrix; administrators may change the priority it gives."""

    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)

    class Meta:
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority matrix")
        ordering = ["impact", "urgency"]
        constraints = [models.UniqueConstraint(fields=["impact", "urgency"], name="priorityrule_unique_cell")]

    def __str__(self) -> str:
        return f"{self.impact}×{self.urgency} → P{self.priority}"


class Outage(models.Model):
    """A period in which a service was down or degraded, recorded on the incident that covered it."""

    class Severity(models.TextChoices):
        DOWN = "down", _("Down")
        DEGRADED = "degraded", _("Degraded")

    incident = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="outages")
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="outages")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.DOWN)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        ordering = ["-start"]
        indexes = [models.Index(fields=["service", "start"], name="outage_service_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")), name="outage_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.severity} {self.start:%Y-%m-%d %H:%M}"


class SatisfactionRating(models.Model):
    """The requester's rating of a resolution (the CSAT figure of the quality report)."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("score"), choices=[(i, str(i)) for i in range(1, 6)])
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"


class EventSeverity(models.TextChoices):
    """How bad a monitoring event says the condition is; ``clear`` ends it, ``info`` only informs."""

    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Information")
    CLEAR = "clear", _("Clear")


# The severities that open an incident, worst first.
ACTIONABLE_SEVERITIES = (
    EventSeverity.CRITICAL,
    EventSeverity.MAJOR,
    EventSeverity.MINOR,
    EventSeverity.WARNING,
)


class MonitoringSource(models.Model):
    """A monitoring system or building-automation integration that sends events as a service account."""

    code = models.SlugField(_("code"), max_length=60, unique=True, help_text=_("The events' “source”."))
    name = models.CharField(_("name"), max_length=100, blank=True)
    service_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service account"),
        on_delete=models.PROTECT,
        related_name="monitoring_sources",
        limit_choices_to={"is_service_account": True},
    )
    auto_resolve = models.BooleanField(
        _("resolve on clear"),
        null=True,
        blank=True,
        help_text=_("Empty: as the event rules say. Yes or no: for every event from this source."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("monitoring source")
        verbose_name_plural = _("monitoring sources")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code


class EventRule(models.Model):
    """The priority an event of a severity gives on a service of a criticality, and whether a clear resolves."""

    severity = models.CharField(
        _("severity"), max_length=10, choices=[(s.value, s.label) for s in ACTIONABLE_SEVERITIES]
    )
    criticality = models.PositiveSmallIntegerField(
        _("service criticality"), choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4")]
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    auto_resolve = models.BooleanField(
        _("resolve on clear"),
        default=True,
        help_text=_("A clear event resolves the incident; otherwise the clear is noted on its timeline."),
    )

    class Meta:
        verbose_name = _("event rule")
        verbose_name_plural = _("event rules")
        ordering = ["criticality", "severity"]
        constraints = [
            models.UniqueConstraint(fields=["severity", "criticality"], name="eventrule_unique_cell"),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=4), name="eventrule_priority_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(criticality__gte=1, criticality__lte=4), name="eventrule_criticality_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.severity} × {self.criticality} → P{self.priority}"


class Alert(models.Model):
    """An open (or past) condition from one source, identified by its dedup key; one incident per condition."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLEARED = "cleared", _("Cleared")
        CLOSED = "closed", _("Closed with its incident")

    source = models.ForeignKey(MonitoringSource, on_delete=models.PROTECT, related_name="alerts")
    dedup_key = models.CharField(_("dedup key"), max_length=255)
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="alerts"
    )
    asset = models.ForeignKey(
        "catalog.Asset",
        verbose_name=_("asset"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("incident"), on_delete=models.CASCADE, related_name="alerts"
    )
    outage = models.ForeignKey(
        Outage, verbose_name=_("outage"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    severity = models.CharField(_("severity"), max_length=10, choices=EventSeverity.choices)
    highest_severity = models.CharField(_("highest severity"), max_length=10, choices=EventSeverity.choices)
    count = models.PositiveIntegerField(_("events"), default=1)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "dedup_key"], condition=Q(state="open"), name="alert_one_open_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.dedup_key} ({self.state})"


class MonitoringEvent(models.Model):
    """One event as received; (source, event_id) is unique, so a repeated delivery is stored once."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Opened an incident")
        APPENDED = "appended", _("Added to an open incident")
        CLEARED = "cleared", _("Cleared an incident")
        STORED = "stored", _("Stored only")

    source = models.ForeignKey(MonitoringSource, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(_("event id"), max_length=200)
    dedup_key = models.CharField(_("dedup key"), max_length=255)
    severity = models.CharField(_("severity"), max_length=10, choices=EventSeverity.choices)
    summary = models.CharField(_("summary"), max_length=200)
    details = models.JSONField(_("details"), default=dict, blank=True)
    outage = models.BooleanField(_("outage"), default=False)
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    asset = models.ForeignKey(
        "catalog.Asset",
        verbose_name=_("asset"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("occurred"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    alert = models.ForeignKey(
        Alert,
        verbose_name=_("alert"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitoring_events",
    )

    class Meta:
        verbose_name = _("monitoring event")
        verbose_name_plural = _("monitoring events")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["source", "dedup_key", "received_at"], name="monitoringevent_key")]
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="monitoringevent_unique_event_id"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.event_id}"
