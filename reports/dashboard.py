"""The management dashboard's quality section: a month's figures beside the previous month's, and a trend.

A month is read from its quality report: the latest published revision, else the stored draft. An ended
month without a report gets its draft computed once (reports.services.report_draft), so later visits
read the stored row; the month in progress is computed live. The trend reads stored reports only, so the
page never goes through every ticket of a year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.core.cache import cache
from django.db import IntegrityError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from reports import charts
from reports.charts import format_number, format_unit
from reports.figures import month_figures
from reports.models import PERIOD_PATTERN, QualityReport
from reports.services import report_draft
from sla.availability import month_of
from tickets.models import OPEN_STATUSES, Kind

TREND_MONTHS = 12
# The ticket figures count incidents and service requests (reports.figures.TICKET_KINDS).
FIGURE_KINDS = (Kind.INCIDENT, Kind.REQUEST)


class MonthForm(forms.Form):
    """The month picker: ?month=YYYY-MM, a month that has begun."""

    month = forms.RegexField(label=gettext_lazy("Month"), regex=PERIOD_PATTERN, required=False)

    def __init__(self, *args, now: dt.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now

    def clean_month(self) -> tuple[int, int] | None:
        value = self.cleaned_data["month"]
        if not value:
            return None
        year, month = int(value[:4]), int(value[5:])
        if (year, month) > month_of(self.now):
            raise forms.ValidationError(_("%(month)s has not begun yet."), params={"month": value})
        return year, month


def last_ended_month(now: dt.datetime) -> tuple[int, int]:
    year, month = month_of(now)
    return (year - 1, 12) if month == 1 else (year, month - 1)


def shift(year: int, month: int, months: int) -> tuple[int, int]:
    """Return the month that lies months after (year, month) (before, when negative)."""
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def period_of(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_label(year: int, month: int) -> str:
    """Return "november 2026" / "November 2026" in the active language."""
    from django.utils.dates import MONTHS

    return f"{MONTHS[month]} {year}"


def month_dates(year: int, month: int) -> tuple[dt.date, dt.date]:
    """Return the first and the last day of a month."""
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


# --- Snapshots -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """A month's figures and where they come from: a stored report, or live for the month in progress."""

    year: int
    month: int
    figures: dict
    report: QualityReport | None = None

    @property
    def period(self) -> str:
        return period_of(self.year, self.month)

    @property
    def live(self) -> bool:
        return self.report is None


def _pick(reports: list[QualityReport]) -> QualityReport | None:
    """Return the latest published revision of a month, else its draft."""
    published = [r for r in reports if r.is_published]
    if published:
        return max(published, key=lambda r: r.revision)
    return max(reports, key=lambda r: r.revision, default=None)


def stored_reports(periods: list[str]) -> dict[str, QualityReport]:
    """Return the report to show for each of the periods that has one (one query; no PDF or JSON)."""
    rows = QualityReport.objects.filter(period__in=periods).defer("pdf", "document")
    by_period: dict[str, list[QualityReport]] = {}
    for report in rows:
        by_period.setdefault(report.period, []).append(report)
    return {period: _pick(reports) for period, reports in by_period.items()}


def month_snapshot(year: int, month: int, *, now: dt.datetime, stored: dict[str, QualityReport]) -> Snapshot:
    """Return a month's snapshot: stored, computed and stored once for an ended month, or live."""
    period = period_of(year, month)
    report = stored.get(period)
    if report is None and (year, month) < month_of(now):
        try:
            report = report_draft(year, month, now=now)
        except IntegrityError:  # another request stored the draft first
            report = stored_reports([period])[period]
        stored[period] = report
    if report is None:
        return Snapshot(year, month, month_figures(year, month))
    return Snapshot(year, month, report.figures, report)


# --- What the page shows ---------------------------------------------------------------------------------


def _get(figures: dict, path: str):
    value = figures
    for key in path.split("."):
        value = (value or {}).get(key)
    return value


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    change: str
    href: str | None = None


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, and the link to the tickets behind it for those who may see them."""

    text: str
    href: str | None = None


@dataclass
class QualityDashboard:
    year: int
    month: int
    snapshot: Snapshot
    previous: Snapshot
    tiles: list[Tile]
    availability: list[dict]
    by_priority: list[list[Cell]]
    by_group: list[list[Cell]]
    csat: list[tuple[str, Cell]]
    changes: list[tuple[str, str]]
    requests: list[list[str]]
    trends: list[dict] = field(default_factory=list)
    public_url: str | None = None
    review_url: str | None = None

    @property
    def period(self) -> str:
        return period_of(self.year, self.month)

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)

    @property
    def previous_period(self) -> str:
        return self.previous.period

    @property
    def next_period(self) -> str | None:
        return None if self.snapshot.live else period_of(*shift(self.year, self.month, 1))


def change_in_words(current: float | None, previous: float | None, unit: str, places: int) -> str:
    """Return the change from the previous month in words ("Up 3 from 12"), never by colour alone."""
    if previous is None:
        return _("No figure for the previous month")
    was = format_unit(previous, unit, places)
    if current is None:
        return _("No figure this month; %(previous)s the previous month") % {"previous": was}
    difference = round(current - previous, places)
    if difference == 0:
        return _("Unchanged from %(previous)s") % {"previous": was}
    if unit == "%":
        amount = _("%(value)s percentage points") % {"value": format_number(abs(difference), places)}
    else:
        amount = format_unit(abs(difference), unit, places)
    if difference > 0:
        return _("Up %(amount)s from %(previous)s") % {"amount": amount, "previous": was}
    return _("Down %(amount)s from %(previous)s") % {"amount": amount, "previous": was}


# Where a figure's count links to: the queue for those who work on tickets, the records page (numbers and
# facts, no personal data: reports.records) for the other dashboard readers.
LINK_TARGETS = {"queue": ("tickets:queue", ["all"]), "records": ("figure_records", [])}


class TicketLinks:
    """The links behind a month's counts, or None everywhere when ``target`` is None."""

    def __init__(self, year: int, month: int, *, target: str | None, live: bool):
        self.first, self.last = month_dates(year, month)
        self.enabled = target is not None
        self.live = live
        self.base = reverse(LINK_TARGETS[target][0], args=LINK_TARGETS[target][1]) if target else ""

    def _url(self, params: list[tuple[str, str]]) -> str:
        kinds = [("kinds", kind.value) for kind in FIGURE_KINDS]
        return f"{self.base}?{urlencode(params + kinds)}"

    def opened(self, **codes) -> str | None:
        if not self.enabled:
            return None
        return self._url(
            [("opened_from", self.first.isoformat()), ("opened_to", self.last.isoformat()), *_codes(codes)]
        )

    def resolved(self, **codes) -> str | None:
        if not self.enabled:
            return None
        return self._url(
            [
                ("resolved_from", self.first.isoformat()),
                ("resolved_to", self.last.isoformat()),
                *_codes(codes),
            ]
        )

    def backlog(self, **codes) -> str | None:
        """Link the backlog: the open tickets now for the month in progress, the tickets open at its end
        (by their timelines) for an ended month."""
        if not self.enabled:
            return None
        if self.live:
            return self._url([*(("status", status) for status in OPEN_STATUSES), *_codes(codes)])
        return self._url([("open_end_of", self.last.isoformat()), *_codes(codes)])


def _codes(codes: dict) -> list[tuple[str, str]]:
    return [(name, str(value)) for name, value in codes.items() if value is not None]


TILES = (
    # (label, path in the figures, unit, decimals, link)
    (gettext_lazy("Opened"), "tickets.opened", "", 0, "opened"),
    (gettext_lazy("Resolved"), "tickets.resolved", "", 0, "resolved"),
    (gettext_lazy("Backlog at the month's end"), "tickets.backlog", "", 0, "backlog"),
    (gettext_lazy("Response SLA met"), "sla.response_met_pct", "%", 1, None),
    (gettext_lazy("Resolution SLA met"), "sla.resolution_met_pct", "%", 1, None),
    (gettext_lazy("Median resolution time"), "resolution_hours.median", "h", 1, None),
    (gettext_lazy("First contact resolution"), "first_contact_resolution_pct", "%", 1, None),
    (gettext_lazy("Reopen rate"), "reopen_rate_pct", "%", 1, None),
    (gettext_lazy("Satisfaction (average of 1–5)"), "csat.average", "", 2, None),
    (gettext_lazy("Successful changes"), "changes.success_rate_pct", "%", 1, None),
)


def _tiles(figures: dict, previous: dict, links: TicketLinks) -> list[Tile]:
    tiles = []
    for label, path, unit, places, link in TILES:
        current, before = _get(figures, path), _get(previous, path)
        tiles.append(
            Tile(
                key=path,
                label=str(label),
                value=format_unit(current, unit, places),
                change=change_in_words(current, before, unit, places),
                href=getattr(links, link)() if link and current else None,
            )
        )
    return tiles


def _count(value, href: str | None) -> Cell:
    return Cell(format_number(value, 0), href if value else None)


# Rendering a chart to SVG is most of the dashboard's time. The trend's data come from stored reports,
# so the SVG is cached under a hash of everything it is drawn from: a changed figure is a new key.
CHART_CACHE_SECONDS = 24 * 3600


def chart_cache_key(series, title, unit: str, key: str, places: int) -> str:
    """Return the cache key of a trend chart's SVG: a hash of its data, words, language and format."""
    drawn_from = repr((series, str(title), unit, key, places, get_language()))
    return "dashboard-chart:" + hashlib.sha256(drawn_from.encode()).hexdigest()


def _trend(series: list[tuple[str, float | None]], title: str, unit: str, key: str, places: int) -> dict:
    chart = charts.trend_chart(series, title, unit, key=key, places=places)
    cache_key = chart_cache_key(series, title, unit, key, places)
    svg = cache.get(cache_key)
    if svg is None:
        svg = charts.chart_svg(chart, id_prefix=key)
        cache.set(cache_key, svg, CHART_CACHE_SECONDS)
    return {"chart": chart, "svg": svg}


def quality_dashboard(
    year: int, month: int, *, now: dt.datetime, ticket_links: str | None
) -> QualityDashboard:
    """Return the quality section for a month; ticket_links ("queue", "records" or None) says where the
    counts link to."""
    months = [shift(year, month, -offset) for offset in range(TREND_MONTHS - 1, -1, -1)]
    stored = stored_reports([period_of(*m) for m in months])
    snapshot = month_snapshot(year, month, now=now, stored=stored)
    previous = month_snapshot(*shift(year, month, -1), now=now, stored=stored)
    figures = snapshot.figures
    links = TicketLinks(year, month, target=ticket_links, live=snapshot.live)

    by_priority = [
        [
            Cell(key),
            Cell(format_unit(row.get("response_met_pct"), "%")),
            Cell(format_unit(row.get("resolution_met_pct"), "%")),
            _count(row.get("resolved"), links.resolved(priority=key[1:])),
        ]
        for key, row in (_get(figures, "sla.by_priority") or {}).items()
    ]
    no_group = _("No group")
    by_group = [
        [
            Cell(row.get("name") or no_group),
            _count(row["opened"], links.opened(group=row["code"]) if row["code"] else None),
            _count(row["resolved"], links.resolved(group=row["code"]) if row["code"] else None),
            _count(row["backlog"], links.backlog(group=row["code"]) if row["code"] else None),
            Cell(format_unit(row.get("resolution_met_pct"), "%")),
        ]
        for row in figures.get("by_group") or []
    ]
    csat = figures.get("csat") or {}
    changes = figures.get("changes") or {}
    hours = _("h")

    trend_rows = {period: report.figures for period, report in stored.items()}
    labels = [(month_label(*m), period_of(*m)) for m in months]
    trends = [
        _trend(
            [(label, _get(trend_rows.get(period), "tickets.backlog")) for label, period in labels],
            _("Backlog at the month's end"),
            "",
            "trend-backlog",
            0,
        ),
        _trend(
            [(label, _get(trend_rows.get(period), "sla.resolution_met_pct")) for label, period in labels],
            _("Resolution SLA met"),
            "%",
            "trend-resolution-sla",
            1,
        ),
    ]

    report = snapshot.report
    public_url = review_url = None
    if report is not None and report.is_published:
        public_url = reverse("reports_public:report", args=[snapshot.period])
    if report is not None:
        try:
            review_url = reverse("reports:review", args=[snapshot.period])
        except NoReverseMatch:
            review_url = None

    return QualityDashboard(
        year=year,
        month=month,
        snapshot=snapshot,
        previous=previous,
        tiles=_tiles(figures, previous.figures, links),
        availability=[
            {
                "name": row.get("name") or row.get("service"),
                "target": format_unit(row.get("target_pct"), "%", 2),
                "availability": format_unit(row.get("availability_pct"), "%", 2),
                "downtime": format_number(row.get("downtime_minutes"), 0),
                "met": row.get("met"),
            }
            for row in figures.get("availability") or []
        ],
        by_priority=by_priority,
        by_group=by_group,
        csat=[
            (_("Surveys sent"), _count(csat.get("sent"), links.resolved())),
            (_("Answered"), Cell(format_number(csat.get("answered"), 0))),
            (_("Response rate"), Cell(format_unit(csat.get("response_rate_pct"), "%"))),
            (_("Average (1–5)"), Cell(format_number(csat.get("average"), 2))),
            (_("Share rating 4 or 5"), Cell(format_unit(csat.get("top2_pct"), "%"))),
        ],
        changes=[
            (_("Closed changes"), format_number(changes.get("closed"), 0)),
            (_("Successful"), format_number(changes.get("successful"), 0)),
            (_("Success rate"), format_unit(changes.get("success_rate_pct"), "%")),
            (_("Emergency changes"), format_unit(changes.get("emergency_share_pct"), "%")),
        ],
        requests=[
            [
                row.get("name") or row.get("item"),
                format_number(row.get("count"), 0),
                format_unit(row.get("median_hours"), hours),
                format_unit(row.get("p90_hours"), hours),
                format_unit(row.get("within_target_pct"), "%"),
            ]
            for row in figures.get("requests") or []
        ],
        trends=trends,
        public_url=public_url,
        review_url=review_url,
    )
