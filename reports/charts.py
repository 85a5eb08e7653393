"""The quality report's charts, defined once as reportlab Drawings and shown as inline SVG or in the PDF.

A chart never stands alone (universal design): each carries a title, a one- or two-sentence summary of
its main figures and the data table it is drawn from, all in the active language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

MISSING = "–"
WIDTH = 440
FONT = "Helvetica"
# Blue and orange stay apart for the common colour-vision deficiencies and in greyscale print.
SERIES_COLOURS = (colors.HexColor("#1f4e79"), colors.HexColor("#e08214"))
PRIORITIES = ("P1", "P2", "P3", "P4")


@dataclass(frozen=True)
class Chart:
    """A chart with the text that makes it readable without seeing it."""

    key: str
    title: str
    summary: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    drawing: Drawing


# --- Formatting ------------------------------------------------------------------------------------------


def format_number(value: float | int | None, places: int = 1) -> str:
    """Return value in the active language's number format, "–" for None."""
    if value is None:
        return MISSING
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def format_percent(value: float | None, places: int = 1) -> str:
    """Return value as a percentage in the active language ("99,5 %" in Bokmål), "–" for None."""
    if value is None:
        return MISSING
    return _("%(value)s%%") % {"value": format_number(value, places)}


def format_unit(value: float | None, unit: str, places: int = 1) -> str:
    """Return value with its unit ("%" is spaced as the language writes percentages)."""
    if unit == "%":
        return format_percent(value, places)
    if value is None:
        return MISSING
    return f"{format_number(value, places)} {unit}".rstrip()


# --- Drawing helpers -------------------------------------------------------------------------------------


def _no_data(height: int = 80) -> Drawing:
    drawing = Drawing(WIDTH, height)
    drawing.add(
        String(
            WIDTH / 2,
            height / 2,
            _("No data for this period."),
            fontName=FONT,
            fontSize=10,
            textAnchor="middle",
        )
    )
    return drawing


def _legend(x: float, y: float, names: Sequence[str]) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.fontName, legend.fontSize = FONT, 8
    legend.boxAnchor = "nw"
    legend.columnMaximum = 1
    legend.deltax = 120
    legend.dx = legend.dy = 8
    legend.colorNamePairs = list(zip(SERIES_COLOURS, names, strict=False))
    return legend


def _style_bars(chart, series: int) -> None:
    for index in range(series):
        chart.bars[index].fillColor = SERIES_COLOURS[index]
        chart.bars[index].strokeColor = None
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = FONT
        axis.labels.fontSize = 8


def _percent_floor(values: Sequence[float | None]) -> float:
    """Return the value axis' start: 0, or a round figure just below the lowest value when all are high,
    so that differences between 99.5 and 99.9 stay visible (the table states the exact figures)."""
    present = [v for v in values if v is not None]
    if not present or min(present) < 50:
        return 0
    return max(0, math.floor(min(present)) - 1)


# --- The charts ------------------------------------------------------------------------------------------


def availability_chart(figures: dict) -> Chart:
    """Return availability per service against its target (spec §4), a horizontal bar pair per service."""
    services = figures.get("availability") or []
    title = _("Availability per service")
    header = (_("Service"), _("Target"), _("Availability"), _("Target met"))
    rows = tuple(
        (
            entry.get("name") or entry.get("service") or MISSING,
            format_percent(entry.get("target_pct"), 2),
            format_percent(entry.get("availability_pct"), 2),
            met_in_words(entry.get("met")),
        )
        for entry in services
    )
    measured = [e for e in services if e.get("availability_pct") is not None]
    if not measured:
        return Chart(
            "availability", title, _("No availability figures for this period."), header, rows, _no_data()
        )

    judged = [e for e in measured if e.get("met") is not None]
    lowest = min(measured, key=lambda e: e["availability_pct"])
    summary = _("%(met)s of %(judged)s services with a target met it.") % {
        "met": sum(1 for e in judged if e["met"]),
        "judged": len(judged),
    }
    summary += " " + _("The lowest availability was %(name)s with %(value)s.") % {
        "name": lowest.get("name") or lowest.get("service"),
        "value": format_percent(lowest["availability_pct"], 2),
    }

    # Bars are drawn bottom-up; reverse so the table's first service is the top bar.
    ordered = list(reversed(services))
    availability = [e.get("availability_pct") for e in ordered]
    targets = [e.get("target_pct") for e in ordered]
    height = 60 + 22 * len(services)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 35
    chart.width, chart.height = WIDTH - 170, height - 50
    chart.data = [availability, targets]
    chart.categoryAxis.categoryNames = [_short(e.get("name") or e.get("service") or MISSING) for e in ordered]
    chart.valueAxis.valueMin = _percent_floor(availability + targets)
    chart.valueAxis.valueMax = 100
    chart.valueAxis.labelTextFormat = lambda v: format_number(v, 1)
    chart.barSpacing = 1
    chart.groupSpacing = 6
    _style_bars(chart, 2)
    drawing.add(chart)
    drawing.add(_legend(150, 18, [_("Availability"), _("Target")]))
    return Chart("availability", title, summary, header, rows, drawing)


def sla_by_priority_chart(figures: dict) -> Chart:
    """Return response and resolution SLA compliance per priority as grouped vertical bars."""
    by_priority = ((figures.get("sla") or {}).get("by_priority")) or {}
    title = _("SLA compliance per priority")
    header = (_("Priority"), _("Response SLA met"), _("Resolution SLA met"), _("Resolved"))
    priorities = [p for p in PRIORITIES if p in by_priority] or list(by_priority)
    response = [by_priority[p].get("response_met_pct") for p in priorities]
    resolution = [by_priority[p].get("resolution_met_pct") for p in priorities]
    rows = tuple(
        (p, format_percent(r), format_percent(s), format_number(by_priority[p].get("resolved"), 0))
        for p, r, s in zip(priorities, response, resolution, strict=True)
    )
    if all(v is None for v in response + resolution):
        return Chart("sla-priority", title, _("No SLA figures for this period."), header, rows, _no_data())

    def listing(values):
        return ", ".join(f"{p} {format_percent(v)}" for p, v in zip(priorities, values, strict=True))

    summary = _("Response SLA met: %(response)s.") % {"response": listing(response)}
    summary += " " + _("Resolution SLA met: %(resolution)s.") % {"resolution": listing(resolution)}

    drawing = Drawing(WIDTH, 200)
    chart = VerticalBarChart()
    chart.x, chart.y = 45, 45
    chart.width, chart.height = WIDTH - 65, 140
    chart.data = [response, resolution]
    chart.categoryAxis.categoryNames = priorities
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labelTextFormat = lambda v: format_percent(v, 0)
    chart.barSpacing = 2
    chart.groupSpacing = 12
    _style_bars(chart, 2)
    drawing.add(chart)
    drawing.add(_legend(45, 22, [_("Response"), _("Resolution")]))
    return Chart("sla-priority", title, summary, header, rows, drawing)


def trend_chart(
    series: Sequence[tuple[str, float | None]], title: str, unit: str, *, key: str = "trend", places: int = 1
) -> Chart:
    """Return a line over the months of series ((label, value) pairs, oldest first); None is a gap.

    unit is written after each value ("%", "h", or "" for counts); places is the decimals shown."""
    header = (_("Month"), title)
    rows = tuple((label, format_unit(value, unit, places)) for label, value in series)
    present = [(label, value) for label, value in series if value is not None]
    if not present:
        return Chart(key, title, _("No data for this period."), header, rows, _no_data())

    (first_label, first), (last_label, last) = present[0], present[-1]
    if len(present) == 1:
        summary = _("%(title)s was %(value)s in %(label)s.") % {
            "title": title,
            "value": format_unit(last, unit, places),
            "label": last_label,
        }
    else:
        summary = _("%(title)s was %(last)s in %(last_label)s, against %(first)s in %(first_label)s.") % {
            "title": title,
            "last": format_unit(last, unit, places),
            "last_label": last_label,
            "first": format_unit(first, unit, places),
            "first_label": first_label,
        }

    values = [value for _label, value in series]
    drawing = Drawing(WIDTH, 180)
    chart = HorizontalLineChart()
    chart.x, chart.y = 50, 30
    chart.width, chart.height = WIDTH - 70, 135
    chart.data = [values]
    chart.categoryAxis.categoryNames = [label for label, _value in series]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(series) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(series) > 6 else "n"
    low, high = min(v for _l, v in present), max(v for _l, v in present)
    chart.valueAxis.valueMin = _percent_floor(values) if unit == "%" else min(0, low)
    if unit == "%":
        chart.valueAxis.valueMax = 100
    elif high == low:
        chart.valueAxis.valueMax = high + 1
    chart.valueAxis.labelTextFormat = lambda v: format_number(v, 0 if float(v).is_integer() else 1)
    chart.lines[0].strokeColor = SERIES_COLOURS[0]
    chart.lines[0].strokeWidth = 1.5
    chart.joinedLines = 1
    chart.lines[0].symbol = None
    drawing.add(chart)
    return Chart(key, title, summary, header, rows, drawing)


def met_in_words(met: bool | None) -> str:
    """Return whether a target was met, in words ("–" when there is no target or no basis)."""
    if met is None:
        return MISSING
    return _("Met") if met else _("Not met")


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


# --- SVG -------------------------------------------------------------------------------------------------

_PROLOG = re.compile(r"^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.DOTALL)


def chart_svg(chart: Chart, *, id_prefix: str | None = None) -> str:
    """Return the chart as inline SVG for an HTML page: no XML prolog, role="img", labelled by its title
    and described by its summary. id_prefix keeps ids unique when a page holds several charts."""
    prefix = id_prefix or f"chart-{chart.key}"
    markup = renderSVG.drawToString(
        chart.drawing,
        svgAttrs={"role": "img", "aria-labelledby": f"{prefix}-title {prefix}-desc"},
    )
    markup = _PROLOG.sub("", markup)
    markup = markup.replace(
        "<title>...</title>", f"<title id={quoteattr(prefix + '-title')}>{escape(chart.title)}</title>", 1
    )
    markup = markup.replace(
        "<desc>...</desc>", f"<desc id={quoteattr(prefix + '-desc')}>{escape(chart.summary)}</desc>", 1
    )
    # renderSVG names its clip path and group "clip" and "group" in every drawing.
    markup = markup.replace('id="clip"', f'id="{prefix}-clip"').replace("url(#clip)", f"url(#{prefix}-clip)")
    return markup.replace('id="group"', f'id="{prefix}-group"')
