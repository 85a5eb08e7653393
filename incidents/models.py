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
