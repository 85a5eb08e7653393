"""Writes to the quality report: compute a draft, publish it, correct a published month.

Every caller (the command, the scheduled job, a future page) goes through these, so the permission
check and the freeze of published rows hold everywhere. actor=None is the system.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from catalog.models import Service
from reports import exports
from reports.figures import month_figures
from reports.models import PERIOD_PATTERN, QualityReport, ReportFrozen
from sla.availability import month_bounds

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "quality-report.schema.json"


class ReportPermissionDenied(PermissionDenied):
    """The actor may not publish or correct quality reports."""


class ReportAlreadyPublished(ValidationError):
    """The month is published; only a correction (report_correct) can give it new figures."""


@cache
def document_schema() -> dict:
    """Return the JSON Schema of the published JSON file."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def parse_period(period: str) -> tuple[int, int]:
    """Return (year, month) of a "YYYY-MM" period, or raise ValidationError."""
    if not isinstance(period, str) or not re.fullmatch(PERIOD_PATTERN, period):
        raise ValidationError(
            _("“%(period)s” is not a month in the form YYYY-MM."), code="period", params={"period": period}
        )
    return int(period[:4]), int(period[5:])


def organisation_name() -> str:
    return settings.SERVICEDESK_ORGANISATION_NAME


def _ensure_allowed(actor) -> None:
    if actor is not None and not actor.has_perm("reports.publish"):
        raise ReportPermissionDenied(_("You may not publish quality reports."))


def compute_figures(year: int, month: int) -> dict:
    """Return the month's public figures: aggregates only, services in the public report only.

    Computed in Bokmål so that the stored names do not depend on the language of whoever ran it.
    """
    public = set(Service.objects.filter(in_public_report=True).values_list("code", flat=True))
    with translation.override("nb"):
        figures = month_figures(year, month)
    return exports.public_figures(figures, public_services=public)


def _ensure_month_ended(year: int, month: int, now: dt.datetime) -> None:
    _start, end = month_bounds(year, month)
    if now < end:
        raise ValidationError(
            _("%(period)s has not ended yet."), code="not_ended", params={"period": f"{year:04d}-{month:02d}"}
        )


def latest_revision(period: str) -> QualityReport | None:
    return QualityReport.objects.filter(period=period).order_by("-revision").first()


@transaction.atomic
def report_draft(year: int, month: int, *, now: dt.datetime) -> QualityReport:
    """Compute the month's draft: recompute the open draft, or start revision 1.

    A published month without an open draft is refused (ReportAlreadyPublished): its figures change only
    through report_correct.
    """
    period = f"{year:04d}-{month:02d}"
    parse_period(period)
    _ensure_month_ended(year, month, now)
    latest = QualityReport.objects.select_for_update().filter(period=period).order_by("-revision").first()
    if latest is not None and latest.is_published:
        raise ReportAlreadyPublished(
            _("%(period)s is published (revision %(revision)s); correct it to change its figures."),
            code="published",
            params={"period": period, "revision": latest.revision},
        )
    report = latest or QualityReport(period=period, revision=1)
    report.figures = compute_figures(year, month)
    report.generated_at = now
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_publish(
    report: QualityReport, *, actor, commentary_nb: str = "", commentary_en: str = "", now: dt.datetime
) -> QualityReport:
    """Publish a draft: freeze its JSON document, render its PDF from the stored figures, hash both."""
    from reports.pdf import render_pdf  # written alongside; imported late so the app loads without it

    _ensure_allowed(actor)
    report = QualityReport.objects.select_for_update().get(pk=report.pk)
    if report.is_published:
        raise ReportFrozen(_("This revision is already published."), code="frozen")
    report.commentary_nb = commentary_nb.strip()
    report.commentary_en = commentary_en.strip()
    report.published_at = now
    report.published_by = actor
    organisation = organisation_name()
    document = exports.build_document(report, organisation=organisation)
    _validate(document)
    report.pdf = bytes(
        render_pdf(
            document,
            organisation=organisation,
            revision=report.revision,
            commentary=report.commentary_nb,
            language="nb",
        )
    )
    report.document = exports.document_text(document)
    report.content_hash = exports.content_hash(document, report.pdf)
    report.state = QualityReport.State.PUBLISHED
    report.full_clean()
    report.save()
    return report


def _validate(document: dict) -> None:
    """Refuse to publish a document its own schema rejects (a figure missing, a key too many)."""
    import jsonschema

    errors = sorted(jsonschema.Draft202012Validator(document_schema()).iter_errors(document), key=str)
    if errors:
        raise ValidationError(
            _("The report does not match its schema: %(error)s"), code="schema", params={"error": errors[0]}
        )


@transaction.atomic
def report_correct(period: str, *, actor, reason: str, now: dt.datetime) -> QualityReport:
    """Open revision n+1 of a published month, computed now, with the reason for the correction.

    An open correction is recomputed with the new reason. Earlier revisions stay as they were.
    """
    _ensure_allowed(actor)
    year, month = parse_period(period)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the correction."), code="reason")
    latest = QualityReport.objects.select_for_update().filter(period=period).order_by("-revision").first()
    if latest is None:
        raise ValidationError(
            _("%(period)s has no report to correct."), code="no_report", params={"period": period}
        )
    if latest.is_published:
        report = QualityReport(period=period, revision=latest.revision + 1)
    elif latest.revision == 1:
        raise ValidationError(
            _("%(period)s is not published yet; publish the draft instead."),
            code="not_published",
            params={"period": period},
        )
    else:
        report = latest
    report.correction_reason = reason
    report.figures = compute_figures(year, month)
    report.generated_at = now
    report.full_clean()
    report.save()
    return report
