"""The monthly quality report as a PDF (A4, reportlab platypus), rendered from a figures snapshot.

The output is deterministic (reportlab's invariant mode): the same snapshot, revision, commentary and
language give the same bytes, so a published snapshot's PDF can be rebuilt and compared.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from reports.charts import (
    MISSING,
    Chart,
    availability_chart,
    format_number,
    format_percent,
    format_unit,
    met_in_words,
    sla_by_priority_chart,
    trend_chart,
)

MARGIN = 20 * mm
HEADER_BACKGROUND = colors.HexColor("#dce6f0")


def render_pdf(
    snapshot: dict, *, organisation: str, revision: int = 1, commentary: str = "", language: str = "nb"
) -> bytes:
    """Return the month's quality report as PDF bytes, in one language.

    snapshot: month_figures() output; any figure may be None. An optional "trends" list of
    {"key", "title", "unit", "points": [[label, value], ...]} adds a 12-month line chart each.
    """
    with translation.override(language):
        buffer = io.BytesIO()
        period = period_name(snapshot.get("period"))
        title = _("Quality report for the IT services")
        doc = _ReportTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=f"{title} – {period}",
            author=organisation,
            subject=_("Service desk figures for %(period)s") % {"period": period},
            creator="servicedesk",
            lang=language,
            invariant=1,
        )
        footer = f"{organisation} · {title} · {period} · " + _("revision %(number)s") % {"number": revision}

        def on_page(canvas, document):
            canvas.saveState()
            canvas.setFont("Helvetica", 8)
            canvas.drawString(MARGIN, 10 * mm, footer)
            canvas.drawRightString(A4[0] - MARGIN, 10 * mm, _("Page %(number)s") % {"number": document.page})
            canvas.restoreState()

        story = [
            *_cover(organisation, title, period, revision),
            *_summary(snapshot, commentary),
            *_availability(snapshot),
            *_sla(snapshot),
            *_requests(snapshot),
            *_trends(snapshot),
            *_appendix(),
        ]
        doc.build(story, onFirstPage=lambda canvas, document: None, onLaterPages=on_page)
        return buffer.getvalue()


def period_name(period: str | None) -> str:
    """Return "2026-03" as the month's name and year in the active language ("Mars 2026")."""
    try:
        year, month = (int(part) for part in (period or "").split("-"))
        name = str(MONTHS[month])
    except (ValueError, KeyError):
        return period or MISSING
    return f"{name[:1].upper()}{name[1:]} {year}"


# --- Layout ----------------------------------------------------------------------------------------------


class _ReportTemplate(SimpleDocTemplate):
    """A document whose headings become PDF bookmarks, so a reader can navigate by section."""

    def afterFlowable(self, flowable):
        if isinstance(flowable, Paragraph) and flowable.style.name in ("Heading1", "Heading2"):
            key = f"section-{self.seq.nextf('section')}"
            self.canv.bookmarkPage(key)
            level = 0 if flowable.style.name == "Heading1" else 1
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level)


def _styles() -> dict[str, ParagraphStyle]:
    sample = getSampleStyleSheet()
    return {
        "h1": sample["Heading1"],
        "h2": sample["Heading2"],
        "h3": sample["Heading3"],
        "body": sample["BodyText"],
        "cell": ParagraphStyle("cell", parent=sample["BodyText"], fontSize=8.5, leading=10.5),
        "head": ParagraphStyle(
            "head", parent=sample["BodyText"], fontName="Helvetica-Bold", fontSize=8.5, leading=10.5
        ),
        "cover_org": ParagraphStyle("cover_org", parent=sample["Title"], fontSize=16, alignment=TA_CENTER),
        "cover_title": ParagraphStyle("cover_title", parent=sample["Title"], fontSize=26, leading=32),
        "cover_line": ParagraphStyle(
            "cover_line", parent=sample["BodyText"], fontSize=14, leading=20, alignment=TA_CENTER
        ),
    }


STYLES = _styles()


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), STYLES[style])


def _table(
    header: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[float] | None = None
) -> Table:
    """Return a data table with a repeated header row; cells wrap."""
    data = [[_p(cell, "head") for cell in header]]
    data += [[_p(str(cell), "cell") for cell in row] for row in rows]
    if len(data) == 1:
        data.append([_p(_("No data for this period."), "cell")] + [""] * (len(header) - 1))
    usable = A4[0] - 2 * MARGIN
    shares = widths or [1 / len(header)] * len(header)
    widths = [usable * share for share in shares]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _chart(chart: Chart, *, with_table: bool = False) -> list:
    """Return the chart with its title and summary (and its data table when no other table shows it)."""
    parts = [_p(chart.title, "h3"), chart.drawing, Spacer(1, 2 * mm), _p(chart.summary)]
    flowables = [KeepTogether(parts)]
    if with_table:
        flowables.append(_table(chart.header, chart.rows))
    return [*flowables, Spacer(1, 6 * mm)]


def _get(data: dict | None, *keys):
    """Return data[k1][k2]…, None where a level is missing or None."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


# --- Sections --------------------------------------------------------------------------------------------


def _cover(organisation: str, title: str, period: str, revision: int) -> list:
    return [
        Spacer(1, 60 * mm),
        _p(organisation, "cover_org"),
        Spacer(1, 10 * mm),
        _p(title, "cover_title"),
        Spacer(1, 8 * mm),
        _p(period, "cover_line"),
        _p(_("Revision %(number)s") % {"number": revision}, "cover_line"),
        PageBreak(),
    ]


def headline_rows(snapshot: dict) -> list[tuple[str, str]]:
    """Return the summary's headline figures as (label, value) pairs in the active language."""
    hours = _("hours")
    changes_closed = _get(snapshot, "changes", "closed")
    success = format_percent(_get(snapshot, "changes", "success_rate_pct"))
    if changes_closed:
        success = _("%(pct)s (%(successful)s of %(closed)s changes)") % {
            "pct": success,
            "successful": format_number(_get(snapshot, "changes", "successful"), 0),
            "closed": format_number(changes_closed, 0),
        }
    average = _get(snapshot, "csat", "average")
    return [
        (_("Tickets opened"), format_number(_get(snapshot, "tickets", "opened"), 0)),
        (_("Tickets resolved"), format_number(_get(snapshot, "tickets", "resolved"), 0)),
        (_("Backlog at month end"), format_number(_get(snapshot, "tickets", "backlog"), 0)),
        (
            _("of which pending the requester"),
            format_number(_get(snapshot, "tickets", "backlog_pending_requester"), 0),
        ),
        (_("Response SLA met"), format_percent(_get(snapshot, "sla", "response_met_pct"))),
        (_("Resolution SLA met"), format_percent(_get(snapshot, "sla", "resolution_met_pct"))),
        (_("Breached and still open"), format_number(_get(snapshot, "sla", "breached_open"), 0)),
        (_("Median resolution time"), format_unit(_get(snapshot, "resolution_hours", "median"), hours, 2)),
        (_("P90 resolution time"), format_unit(_get(snapshot, "resolution_hours", "p90"), hours, 2)),
        (_("First-contact resolution"), format_percent(_get(snapshot, "first_contact_resolution_pct"))),
        (_("Reopen rate"), format_percent(_get(snapshot, "reopen_rate_pct"))),
        (
            _("Satisfaction (CSAT), average"),
            MISSING if average is None else _("%(score)s of 5") % {"score": format_number(average, 2)},
        ),
        (_("Survey response rate"), format_percent(_get(snapshot, "csat", "response_rate_pct"))),
        (_("Share of ratings 4–5"), format_percent(_get(snapshot, "csat", "top2_pct"))),
        (_("Change success"), success),
        (_("Emergency changes"), format_percent(_get(snapshot, "changes", "emergency_share_pct"))),
    ]


def _summary(snapshot: dict, commentary: str) -> list:
    story = [_p(_("Summary"), "h1"), _table((_("Figure"), _("Value")), headline_rows(snapshot), (0.6, 0.4))]
    paragraphs = [part.strip() for part in commentary.split("\n\n") if part.strip()]
    if paragraphs:
        story += [Spacer(1, 6 * mm), _p(_("Commentary"), "h2")]
        story += [_p(" ".join(part.split())) for part in paragraphs]
    return [*story, PageBreak()]


def _availability(snapshot: dict) -> list:
    header = (
        _("Service"),
        _("Target"),
        _("Availability"),
        _("Downtime (min)"),
        _("Outages"),
        _("MTRS (min)"),
        _("Target met"),
    )
    rows = [
        (
            entry.get("name") or entry.get("service") or MISSING,
            format_percent(entry.get("target_pct"), 2),
            format_percent(entry.get("availability_pct"), 2),
            format_number(entry.get("downtime_minutes"), 0),
            format_number(entry.get("outages"), 0),
            format_number(entry.get("mtrs_minutes"), 0),
            met_in_words(entry.get("met")),
        )
        for entry in snapshot.get("availability") or []
    ]
    return [
        _p(_("Availability per service"), "h1"),
        _table(header, rows, (0.28, 0.11, 0.13, 0.13, 0.1, 0.12, 0.13)),
        Spacer(1, 6 * mm),
        *_chart(availability_chart(snapshot)),
        PageBreak(),
    ]


def _breakdown_rows(entries: Iterable[dict]) -> list[tuple[str, ...]]:
    return [
        (
            entry.get("name") or entry.get("code") or _("Not set"),
            format_number(entry.get("opened"), 0),
            format_number(entry.get("resolved"), 0),
            format_number(entry.get("backlog"), 0),
            format_percent(entry.get("resolution_met_pct")),
        )
        for entry in entries
    ]


def _sla(snapshot: dict) -> list:
    chart = sla_by_priority_chart(snapshot)
    breakdown = (_("Opened"), _("Resolved"), _("Backlog"), _("Resolution SLA met"))
    widths = (0.36, 0.14, 0.14, 0.14, 0.22)
    return [
        _p(_("SLA per priority"), "h1"),
        _table(chart.header, chart.rows),
        Spacer(1, 6 * mm),
        *_chart(chart),
        _p(_("SLA per support group"), "h2"),
        _table((_("Support group"), *breakdown), _breakdown_rows(snapshot.get("by_group") or []), widths),
        Spacer(1, 6 * mm),
        _p(_("Tickets per service"), "h2"),
        _table((_("Service"), *breakdown), _breakdown_rows(snapshot.get("by_service") or []), widths),
    ]


def _requests(snapshot: dict) -> list:
    header = (_("Catalogue item"), _("Resolved"), _("Median (h)"), _("P90 (h)"), _("Within target"))
    rows = [
        (
            entry.get("name") or entry.get("item") or MISSING,
            format_number(entry.get("count"), 0),
            format_number(entry.get("median_hours"), 2),
            format_number(entry.get("p90_hours"), 2),
            format_percent(entry.get("within_target_pct")),
        )
        for entry in snapshot.get("requests") or []
    ]
    return [
        Spacer(1, 6 * mm),
        _p(_("Request fulfilment per catalogue item"), "h2"),
        _table(header, rows, (0.4, 0.12, 0.15, 0.15, 0.18)),
        PageBreak(),
    ]


def _trends(snapshot: dict) -> list:
    trends = snapshot.get("trends") or []
    if not trends:
        return []
    story = [_p(_("Trends over 12 months"), "h1")]
    for trend in trends:
        chart = trend_chart(
            [(label, value) for label, value in trend.get("points") or []],
            trend.get("title") or MISSING,
            trend.get("unit") or "",
            key=trend.get("key") or "trend",
        )
        story += _chart(chart, with_table=True)
    return [*story, PageBreak()]


def definitions() -> list[tuple[str, str]]:
    """Return every figure's name and how it is computed, in plain language (spec §4–5)."""
    return [
        (
            _("The month"),
            _(
                "From midnight on the first day of the month to midnight on the first day of the next, Norwegian "
                "time. Every figure is taken as things stood the moment the month ended, so a published month "
                "never changes."
            ),
        ),
        (_("Tickets opened"), _("Incidents and service requests registered during the month.")),
        (
            _("Tickets resolved"),
            _(
                "Tickets whose latest resolution fell in the month and that were still resolved or closed when the "
                "month ended. A ticket resolved twice in the month counts once."
            ),
        ),
        (
            _("Backlog at month end"),
            _(
                "Tickets registered before the month ended that were neither resolved, closed nor cancelled at that "
                "moment. Tickets waiting for the requester are shown separately."
            ),
        ),
        (
            _("Response SLA met"),
            _("Of the response deadlines that were settled during the month, the share that was met."),
        ),
        (
            _("Resolution SLA met"),
            _(
                "Of the tickets resolved in the month that had a resolution deadline, the share resolved in time. "
                "Breached and still open counts open tickets already past their deadline."
            ),
        ),
        (
            _("Median and P90 resolution time"),
            _(
                "Resolution time counts business hours only and leaves out time on hold. The median is the middle "
                "value of the month's resolved tickets; P90 is the time that 90 per cent were resolved within "
                "(the value at position 0.9 × the number of tickets, rounded up, in ascending order)."
            ),
        ),
        (
            _("First-contact resolution"),
            _(
                "Of the tickets resolved in the month that came in by phone, chat or in person, the share the first "
                "line solved at the first contact, without passing them on and without a reopening."
            ),
        ),
        (
            _("Reopen rate"),
            _(
                "Tickets reopened after a resolution during the month, as a share of the tickets with a resolution "
                "in the month."
            ),
        ),
        (
            _("Satisfaction (CSAT)"),
            _(
                "Everyone whose ticket was resolved in the month is asked to rate it from 1 to 5. The response rate "
                "is the share who answered before the month ended; the average is their mean score, and the share "
                "of ratings 4–5 is the satisfied share."
            ),
        ),
        (
            _("Availability"),
            _(
                "The share of the agreed service time the service was usable. Agreed service time is the service's "
                "agreed hours in the month minus approved maintenance windows. Downtime is the time covered by "
                "outages within it; overlapping outages count once, and an outage that runs past its maintenance "
                "window counts for the overrun. The figure is rounded down to two decimals, so 100 % means no "
                "downtime at all, and a target is only reported as met when the exact figure meets it."
            ),
        ),
        (
            _("Outages and MTRS"),
            _(
                "Outages are the separate periods of downtime after overlapping ones are merged. MTRS (mean time to "
                "restore service) is the downtime divided by the number of outages."
            ),
        ),
        (
            _("Change success"),
            _(
                "Of the changes closed in the month, the share that succeeded and caused no incident. Changes "
                "cancelled before implementation are left out. Emergency changes are their share of the same set."
            ),
        ),
        (
            _("Request fulfilment"),
            _(
                "Per catalogue item: the number of requests resolved in the month, the median and P90 fulfilment "
                "time in business hours and the share fulfilled within the target."
            ),
        ),
        (
            _("Rounding"),
            _(
                "Percentages are rounded down to one decimal (availability to two), so a figure is never shown "
                "better than it is. Hours and the average score are rounded to two decimals. A dash (–) means "
                "there was nothing to compute the figure from."
            ),
        ),
    ]


def _appendix() -> list:
    story = [_p(_("Appendix: definitions"), "h1")]
    for name, text in definitions():
        story += [_p(name, "h3"), _p(text)]
    return story
