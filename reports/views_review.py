"""The review pages of the quality report: compute a month's draft, read it as the public will, publish it,
correct a published month. Only for users with reports.publish; the writes go through reports.services.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from reports import exports, public_views, services
from reports.charts import format_number
from reports.forms import CorrectForm, PublishForm
from reports.models import QualityReport
from sla.availability import month_bounds

LIST_MONTHS = 12
PREVIEW_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


def _now() -> dt.datetime:
    """Return the current time; tests replace it to stand on a given day."""
    return timezone.now()


def _require_publisher(request: HttpRequest) -> None:
    if not request.user.has_perm("reports.publish"):
        raise PermissionDenied


def _period_or_404(period: str) -> tuple[int, int]:
    try:
        return services.parse_period(period)
    except ValidationError as exc:
        raise Http404 from exc


def _revisions(period: str) -> list[QualityReport]:
    return list(QualityReport.objects.filter(period=period).defer("pdf").order_by("revision"))


def _ended_months(now: dt.datetime, count: int) -> list[str]:
    """Return the last `count` ended months before `now`, newest first, as "YYYY-MM"."""
    local = timezone.localtime(now)
    year, month = local.year, local.month
    periods = []
    while len(periods) < count:
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        if month_bounds(year, month)[1] <= now:
            periods.append(f"{year:04d}-{month:02d}")
    return periods


def _month_rows(now: dt.datetime) -> list[dict]:
    """Return one row per month: the recent ended months and every month with a report, newest first."""
    by_period: dict[str, list[QualityReport]] = {}
    for report in QualityReport.objects.defer("pdf", "document", "figures").order_by("revision"):
        by_period.setdefault(report.period, []).append(report)
    periods = sorted(set(_ended_months(now, LIST_MONTHS)) | set(by_period), reverse=True)
    rows = []
    for period in periods:
        revisions = by_period.get(period, [])
        published = [r for r in revisions if r.is_published]
        rows.append(
            {
                "period": period,
                "latest": revisions[-1] if revisions else None,
                "published": published[-1] if published else None,
            }
        )
    return rows


def _basis_counts(figures: dict) -> list[tuple[str, str]]:
    """Return the counts the month's percentages and medians rest on, for the internal notes."""

    def count(*keys):
        value = figures
        for key in keys:
            value = (value or {}).get(key)
        return format_number(value, 0)

    by_priority = figures.get("sla", {}).get("by_priority", {})
    return [
        (_("Tickets opened"), count("tickets", "opened")),
        (_("Tickets resolved (basis of the SLA and resolution time figures)"), count("tickets", "resolved")),
        (
            _("Resolved per priority"),
            " · ".join(f"{key}: {format_number(row.get('resolved'), 0)}" for key, row in by_priority.items()),
        ),
        (_("Satisfaction surveys sent"), count("csat", "sent")),
        (_("Satisfaction surveys answered"), count("csat", "answered")),
        (_("Changes closed"), count("changes", "closed")),
        (_("Changes successful"), count("changes", "successful")),
        (
            _("Requests delivered"),
            format_number(sum(row.get("count") or 0 for row in figures.get("requests", [])), 0),
        ),
        (_("Services measured for availability"), format_number(len(figures.get("availability", [])), 0)),
    ]


def _preview(report: QualityReport, now: dt.datetime) -> tuple[QualityReport, dict]:
    """Return the draft as it would be published now (unsaved) and its JSON document."""
    preview = copy.copy(report)
    preview.published_at = now
    return preview, exports.build_document(preview, organisation=services.organisation_name())


def _review_context(request: HttpRequest, period: str, **forms) -> dict:
    revisions = _revisions(period)
    if not revisions:
        raise Http404
    latest = revisions[-1]
    published = [r for r in revisions if r.is_published]
    if latest.is_published:
        report, document = latest, json.loads(latest.document)
        suffix = f"?revision={report.revision}"
        downloads = {
            kind: reverse(f"reports_public:report_{kind}", args=[period]) + suffix for kind in PREVIEW_TYPES
        }
        shown_revisions, current = published, latest
        commentary = report.commentary_en if request.LANGUAGE_CODE == "en" and report.commentary_en else ""
        commentary = commentary or report.commentary_nb
        forms.setdefault("correct_form", CorrectForm())
    else:
        report, document = _preview(latest, _now())
        downloads = {kind: reverse("reports:preview_file", args=[period, kind]) for kind in PREVIEW_TYPES}
        shown_revisions, current, commentary = [*published, report], None, ""
        forms.setdefault("publish_form", PublishForm())
    return {
        # The public page's context (reports/public/detail.html), as the public will see it.
        "report": report,
        "figures": document,
        "headlines": public_views._headlines(report),
        "tables": public_views._tables(document),
        "commentary": commentary,
        "revisions": shown_revisions,
        "latest": current,
        "licence": exports.LICENCE,
        "downloads": downloads,
        # The internal notes.
        "is_draft": not latest.is_published,
        "basis": _basis_counts(report.figures),
        **forms,
    }


@require_safe
@login_required
@never_cache
def review_list(request: HttpRequest) -> HttpResponse:
    _require_publisher(request)
    return render(request, "reports/review_list.html", {"rows": _month_rows(_now())})


@require_safe
@login_required
@never_cache
def review(request: HttpRequest, period: str) -> HttpResponse:
    _require_publisher(request)
    _period_or_404(period)
    return render(request, "reports/review.html", _review_context(request, period))


@require_POST
@login_required
def draft(request: HttpRequest, period: str) -> HttpResponse:
    """Compute the month's draft (or recompute the open one)."""
    _require_publisher(request)
    year, month = _period_or_404(period)
    try:
        services.report_draft(year, month, now=_now())
    except ValidationError as exc:
        context = {"rows": _month_rows(_now()), "errors": exc.messages, "failed_period": period}
        return render(request, "reports/review_list.html", context, status=400)
    messages.success(request, _("The draft for %(period)s is computed.") % {"period": period})
    return redirect("reports:review", period)


@require_POST
@login_required
def publish(request: HttpRequest, period: str) -> HttpResponse:
    _require_publisher(request)
    _period_or_404(period)
    latest = services.latest_revision(period)
    if latest is None:
        raise Http404
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.report_publish(
                latest,
                actor=request.user,
                commentary_nb=form.cleaned_data["commentary_nb"],
                commentary_en=form.cleaned_data["commentary_en"],
                now=_now(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
    if form.errors:
        context = _review_context(request, period, publish_form=form)
        return render(request, "reports/review.html", context, status=400)
    messages.success(
        request,
        _("Revision %(revision)s of %(period)s is published.")
        % {"revision": latest.revision, "period": period},
    )
    return redirect("reports:review", period)


@require_POST
@login_required
def correct(request: HttpRequest, period: str) -> HttpResponse:
    """Open the next revision of a published month as a draft, with the reason for the correction."""
    _require_publisher(request)
    _period_or_404(period)
    if services.latest_revision(period) is None:
        raise Http404
    form = CorrectForm(request.POST)
    if form.is_valid():
        try:
            report = services.report_correct(
                period, actor=request.user, reason=form.cleaned_data["reason"], now=_now()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
    if form.errors:
        context = _review_context(request, period, correct_form=form)
        return render(request, "reports/review.html", context, status=400)
    messages.success(
        request,
        _("Revision %(revision)s of %(period)s is a draft; publish it when it is right.")
        % {"revision": report.revision, "period": period},
    )
    return redirect("reports:review", period)


@require_safe
@login_required
@never_cache
def preview_file(request: HttpRequest, period: str, kind: str) -> HttpResponse:
    """Return the open draft's PDF, CSV or JSON as it would be published now."""
    from reports.pdf import render_pdf

    _require_publisher(request)
    _period_or_404(period)
    latest = services.latest_revision(period)
    if kind not in PREVIEW_TYPES or latest is None or latest.is_published:
        raise Http404
    report, document = _preview(latest, _now())
    if kind == "pdf":
        content = bytes(
            render_pdf(
                document,
                organisation=services.organisation_name(),
                revision=report.revision,
                commentary="",
                language="nb",
            )
        )
    elif kind == "csv":
        content = exports.csv_text(document).encode()
    else:
        content = exports.document_text(document).encode()
    response = HttpResponse(content, content_type=PREVIEW_TYPES[kind])
    response["Content-Disposition"] = f'inline; filename="kvalitet-{period}-r{report.revision}-utkast.{kind}"'
    return response
