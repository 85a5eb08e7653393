"""Tests for the report's charts: one definition, shown as SVG or in the PDF, never without its text."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from reportlab.graphics.shapes import Drawing

from reports.charts import (
    availability_chart,
    chart_svg,
    format_percent,
    sla_by_priority_chart,
    trend_chart,
)

SVG = "{http://www.w3.org/2000/svg}"

FIGURES = {
    "availability": [
        {"service": "okonomi", "name": "Økonomi", "target_pct": 99.5, "availability_pct": 99.87, "met": True},
        {
            "service": "sak",
            "name": "Sak & arkiv",
            "target_pct": 99.9,
            "availability_pct": 98.42,
            "met": False,
        },
        {"service": "nytt", "name": "Nytt", "target_pct": None, "availability_pct": None, "met": None},
    ],
    "sla": {
        "by_priority": {
            "P1": {"response_met_pct": 100.0, "resolution_met_pct": 75.0, "resolved": 4},
            "P2": {"response_met_pct": 95.2, "resolution_met_pct": None, "resolved": 0},
            "P3": {"response_met_pct": 92.8, "resolution_met_pct": 88.3, "resolved": 300},
            "P4": {"response_met_pct": None, "resolution_met_pct": None, "resolved": 0},
        }
    },
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 (our own renderer's output, not untrusted input)


def charts():
    return [
        availability_chart(FIGURES),
        sla_by_priority_chart(FIGURES),
        trend_chart([("Jan", 10.0), ("Feb", None), ("Mar", 12.5)], "Backlog", ""),
        availability_chart({}),
        sla_by_priority_chart({"sla": None}),
        trend_chart([], "Backlog", ""),
        trend_chart([("Jan", None)], "Reopen rate", "%"),
    ]


@pytest.mark.parametrize("chart", charts(), ids=lambda chart: f"{chart.key}-{len(chart.rows)}")
def test_svg_is_embeddable_labelled_xml(chart):
    markup = chart_svg(chart)
    assert not markup.lstrip().startswith("<?xml")
    assert "<!DOCTYPE" not in markup
    root = parsed(markup)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    assert title.get("id") == title_id
    assert title.text == chart.title
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert isinstance(chart.drawing, Drawing)


def test_ids_are_unique_per_prefix():
    chart = availability_chart(FIGURES)
    first, second = chart_svg(chart, id_prefix="a"), chart_svg(chart, id_prefix="b")
    ids = [e.get("id") for svg in (first, second) for e in parsed(svg).iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert "url(#a-clip)" in first


def test_availability_rows_match_the_data():
    chart = availability_chart(FIGURES)
    assert chart.rows == (
        ("Økonomi", "99.50%", "99.87%", "Met"),
        ("Sak & arkiv", "99.90%", "98.42%", "Not met"),
        ("Nytt", "–", "–", "–"),
    )
    assert "1 of 2 services" in chart.summary
    assert "Sak & arkiv with 98.42%" in chart.summary
    assert "Sak &amp; arkiv" in chart_svg(chart)


def test_sla_rows_and_summary():
    chart = sla_by_priority_chart(FIGURES)
    assert chart.rows[0] == ("P1", "100.0%", "75.0%", "4")
    assert chart.rows[3] == ("P4", "–", "–", "0")
    assert "P2 95.2%" in chart.summary
    assert "P3 88.3%" in chart.summary


def test_trend_keeps_gaps_in_the_table():
    chart = trend_chart([("Jan", 10.0), ("Feb", None), ("Mar", 12.5)], "Backlog", "")
    assert chart.rows == (("Jan", "10.0"), ("Feb", "–"), ("Mar", "12.5"))
    assert chart.summary == "Backlog was 12.5 in Mar, against 10.0 in Jan."


def test_trend_over_twelve_months_in_percent():
    series = [(f"M{n}", 90.0 + n / 2) for n in range(12)]
    chart = trend_chart(series, "Resolution SLA", "%", places=1)
    assert len(chart.rows) == 12
    assert "95.5%" in chart.summary
    parsed(chart_svg(chart))


@pytest.mark.parametrize(
    "build",
    [lambda: availability_chart({}), lambda: trend_chart([], "Backlog", "")],
    ids=["availability", "trend"],
)
def test_empty_data_says_so(build):
    chart = build()  # built in the test, in its language (English), not at collection time
    assert "No " in chart.summary
    assert "No data for this period." in chart_svg(chart)


def test_bokmal_number_format():
    with translation.override("nb"):
        assert format_percent(99.5).startswith("99,5")
        chart = trend_chart([("jan", 1.25)], "Median", "t", places=2)
        assert "1,25 t" in chart.summary
