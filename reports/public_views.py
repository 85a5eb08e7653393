"""The open quality report: public pages and files of the published months (no login, aggregates only).

Everything here reads the stored, published revision, never the live tables.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from reports import exports
from reports.models import QualityReport
from reports.services import organisation_name, parse_period

THEME_URI = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
MONTHLY_URI = "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
MEDIA_TYPES = {
    "csv": "https://www.iana.org/assignments/media-types/text/csv",
    "json": "https://www.iana.org/assignments/media-types/application/json",
    "pdf": "https://www.iana.org/assignments/media-types/application/pdf",
}
FILE_FORMATS = {
    "csv": "http://publications.europa.eu/resource/authority/file-type/CSV",
    "json": "http://publications.europa.eu/resource/authority/file-type/JSON",
    "pdf": "http://publications.europa.eu/resource/authority/file-type/PDF",
}
public = cache_control(public=True, max_age=600)


def _published():
    return QualityReport.objects.filter(state=QualityReport.State.PUBLISHED)


def _latest_per_period(queryset) -> list[QualityReport]:
    latest: dict[str, QualityReport] = {}
    for report in queryset.order_by("-period", "-revision"):
        latest.setdefault(report.period, report)
    return list(latest.values())


def _report_or_404(request, period: str, *, light: bool = False) -> QualityReport:
    """Return the published revision asked for (?revision=N) or the latest; 404 for anything else."""
    try:
        parse_period(period)
    except Exception as exc:
        raise Http404 from exc
    reports = _published().filter(period=period)
    if light:
        reports = reports.defer("pdf")
    revision = request.GET.get("revision")
    if revision is not None:
        if not revision.isdigit():
            raise Http404
        reports = reports.filter(revision=int(revision))
    report = reports.order_by("-revision").first()
    if report is None:
        raise Http404
    return report


def _headlines(report: QualityReport) -> list[tuple[str, str]]:
    from reports.pdf import headline_rows

    return headline_rows(report.figures)


def _tables(figures: dict) -> list[dict]:
    """Return the page's data tables (caption, column headers, rows of formatted cells)."""
    from reports.charts import format_number, format_percent, format_unit, met_in_words

    minutes, hours = _("min"), _("hours")
    return [
        {
            "id": "availability",
            "caption": _("Availability per service"),
            "headers": [
                _("Service"),
                _("Availability"),
                _("Target"),
                _("Target met"),
                _("Downtime"),
                _("Outages"),
            ],
            "rows": [
                [
                    row["name"],
                    format_percent(row["availability_pct"], 2),
                    format_percent(row["target_pct"], 2),
                    met_in_words(row["met"]),
                    format_unit(row["downtime_minutes"], minutes, 0),
                    format_number(row["outages"], 0),
                ]
                for row in figures["availability"]
            ],
        },
        {
            "id": "sla",
            "caption": _("Service levels per priority"),
            "headers": [_("Priority"), _("Response SLA met"), _("Resolution SLA met"), _("Resolved")],
            "rows": [
                [
                    key,
                    format_percent(row["response_met_pct"]),
                    format_percent(row["resolution_met_pct"]),
                    format_number(row["resolved"], 0),
                ]
                for key, row in figures["sla"]["by_priority"].items()
            ],
        },
        {
            "id": "services",
            "caption": _("Tickets per service"),
            "headers": [_("Service"), _("Opened"), _("Resolved"), _("Backlog"), _("Resolution SLA met")],
            "rows": [
                [
                    row["name"] or _("No service given"),
                    format_number(row["opened"], 0),
                    format_number(row["resolved"], 0),
                    format_number(row["backlog"], 0),
                    format_percent(row["resolution_met_pct"]),
                ]
                for row in figures["by_service"]
            ],
        },
        {
            "id": "requests",
            "caption": _("Request fulfilment per catalogue item"),
            "headers": [_("Item"), _("Delivered"), _("Median"), _("P90"), _("Within target")],
            "rows": [
                [
                    row["name"],
                    format_number(row["count"], 0),
                    format_unit(row["median_hours"], hours, 2),
                    format_unit(row["p90_hours"], hours, 2),
                    format_percent(row["within_target_pct"]),
                ]
                for row in figures["requests"]
            ],
        },
    ]


def _filename(report: QualityReport, extension: str) -> str:
    return f"kvalitet-{report.period}-r{report.revision}.{extension}"


def _file(report: QualityReport, content, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{_filename(report, extension)}"'
    response["Access-Control-Allow-Origin"] = "*"
    response["ETag"] = f'"{report.content_hash}"'
    return response


@require_safe
@public
def report_index(request):
    reports = _latest_per_period(_published().defer("pdf", "document"))
    rows = [{"report": report, "headlines": _headlines(report)[:3]} for report in reports]
    return render(request, "reports/public/index.html", {"rows": rows})


@require_safe
@public
def report_detail(request, period: str):
    report = _report_or_404(request, period, light=True)
    revisions = _published().filter(period=period).defer("pdf", "document", "figures").order_by("revision")
    figures = json.loads(report.document)
    commentary = report.commentary_en if request.LANGUAGE_CODE == "en" and report.commentary_en else ""
    suffix = f"?revision={report.revision}"
    return render(
        request,
        "reports/public/detail.html",
        {
            "report": report,
            "figures": figures,
            "headlines": _headlines(report),
            "tables": _tables(figures),
            "commentary": commentary or report.commentary_nb,
            "revisions": revisions,
            "latest": revisions.last(),
            "licence": exports.LICENCE,
            "downloads": {
                kind: reverse(f"reports_public:report_{kind}", args=[period]) + suffix
                for kind in ("pdf", "csv", "json")
            },
        },
    )


@require_safe
@public
def report_pdf(request, period: str):
    report = _report_or_404(request, period)
    return _file(report, bytes(report.pdf), "application/pdf", "pdf")


@require_safe
@public
def report_csv(request, period: str):
    report = _report_or_404(request, period, light=True)
    text = exports.csv_text(json.loads(report.document))
    return _file(report, text.encode(), "text/csv; charset=utf-8", "csv")


@require_safe
@public
def report_json(request, period: str):
    report = _report_or_404(request, period, light=True)
    return _file(report, report.document.encode(), "application/json; charset=utf-8", "json")


def _text(nb: str, en: str) -> list[dict]:
    return [{"@value": nb, "@language": "nb"}, {"@value": en, "@language": "en"}]


def _distribution(request, report: QualityReport, kind: str) -> dict:
    url = request.build_absolute_uri(
        reverse(f"reports_public:report_{kind}", args=[report.period]) + f"?revision={report.revision}"
    )
    return {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": _text(
            f"Kvalitetsrapport {report.period} ({kind.upper()})",
            f"Quality report {report.period} ({kind.upper()})",
        ),
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": MEDIA_TYPES[kind]},
        "dct:format": {"@id": FILE_FORMATS[kind]},
        "dct:license": {"@id": exports.LICENCE_URL},
        "dct:issued": {"@value": exports.timestamp(report.published_at), "@type": "xsd:dateTime"},
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": f"{report.period}-01", "@type": "xsd:date"},
        },
    }


@require_safe
@public
def dcat(request):
    """Return the DCAT-AP-NO description of the dataset: one distribution per published month and format."""
    reports = _latest_per_period(_published().defer("pdf", "document", "figures"))
    landing = request.build_absolute_uri(reverse("reports_public:index"))
    organisation = organisation_name()
    dataset = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": landing + "#dataset",
        "@type": "dcat:Dataset",
        "dct:title": _text("Kvalitetsrapport for IT-tjenestene", "Quality report for the IT services"),
        "dct:description": _text(
            "Månedlige nøkkeltall for kommunens IT-brukerstøtte: saker, tjenestenivå (SLA), tilgjengelighet, "
            "endringer og brukertilfredshet. Bare aggregerte tall, ingen personopplysninger.",
            "Monthly figures of the municipality's IT service desk: tickets, service levels (SLA), "
            "availability, changes and satisfaction. Aggregates only, no personal data.",
        ),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": organisation},
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": organisation,
            "vcard:hasURL": {"@id": landing},
        },
        "dct:license": {"@id": exports.LICENCE_URL},
        "dct:accessRights": {"@id": "http://publications.europa.eu/resource/authority/access-right/PUBLIC"},
        "dcat:theme": {"@id": THEME_URI},
        "dcat:keyword": [
            {"@value": "kvalitetsrapport", "@language": "nb"},
            {"@value": "brukerstøtte", "@language": "nb"},
            {"@value": "quality report", "@language": "en"},
            {"@value": "service desk", "@language": "en"},
        ],
        "dct:accrualPeriodicity": {"@id": MONTHLY_URI},
        "dcat:landingPage": {"@id": landing},
        "dct:language": [
            {"@id": "http://publications.europa.eu/resource/authority/language/NOB"},
            {"@id": "http://publications.europa.eu/resource/authority/language/ENG"},
        ],
        "dcat:distribution": [
            _distribution(request, report, kind) for report in reports for kind in ("csv", "json", "pdf")
        ],
    }
    response = JsonResponse(dataset, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"
    return response
