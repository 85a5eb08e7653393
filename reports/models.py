"""The monthly quality report: one row per period and revision; a published row is frozen."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


class ReportFrozen(ValidationError):
    """A published report was about to be changed or deleted."""


class QualityReport(models.Model):
    """One revision of a month's quality report: its figures, and once published its JSON, PDF and hash."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    period = models.CharField(
        _("period"), max_length=7, validators=[RegexValidator(PERIOD_PATTERN)], help_text="YYYY-MM"
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # The aggregates only (reports.services.public_figures); the draft's working copy.
    figures = models.JSONField(_("figures"), default=dict)
    # The published JSON file, byte for byte: a text column keeps the key order and spacing that jsonb
    # would not, so the download and its hash never change.
    document = models.TextField(_("published JSON"), blank=True)
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"")
    content_hash = models.CharField(_("SHA-256"), max_length=64, blank=True)
    commentary_nb = models.TextField(_("commentary (Bokmål)"), blank=True)
    commentary_en = models.TextField(_("commentary (English)"), blank=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    generated_at = models.DateTimeField(_("generated at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # None for a report published by the system (the management command).
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("quality report")
        verbose_name_plural = _("quality reports")
        ordering = ["-period", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["period", "revision"], name="reports_period_revision_unique"),
            models.UniqueConstraint(
                fields=["period"], condition=Q(state="draft"), name="reports_one_draft_per_period"
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="reports_revision_positive"),
            models.CheckConstraint(condition=Q(period__regex=PERIOD_PATTERN), name="reports_period_format"),
            models.CheckConstraint(
                condition=Q(revision=1) | ~Q(correction_reason=""), name="reports_correction_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(state="draft")
                | (Q(published_at__isnull=False) & ~Q(content_hash="") & ~Q(document="")),
                name="reports_published_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} r{self.revision} ({self.get_state_display()})"

    def save(self, *args, **kwargs):
        """Save, refusing any write to a row that is already published in the database."""
        if self.pk and QualityReport.objects.filter(pk=self.pk, state=self.State.PUBLISHED).exists():
            raise ReportFrozen(_("A published quality report cannot be changed."), code="frozen")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if QualityReport.objects.filter(pk=self.pk, state=self.State.PUBLISHED).exists():
            raise ReportFrozen(_("A published quality report cannot be deleted."), code="frozen")
        return super().delete(*args, **kwargs)

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def month(self) -> int:
        return int(self.period[5:])

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED
