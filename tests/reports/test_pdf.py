"""Tests for the quality report's PDF."""

import io
import time

import pytest
from django.utils import translation
from pypdf import PdfReader

from reports.pdf import definitions, period_name, render_pdf


def snapshot(services: int = 3, items: int = 2) -> dict:
    """Return a month's figures by hand, with every key and some None."""
    availability = [
        {
            "service": "okonomi",
            "name": "Økonomisystem",
            "target_pct": 99.5,
            "availability_pct": 99.87,
            "agreed_minutes": 44580.0,
            "downtime_minutes": 58.0,
            "outages": 2,
            "mtrs_minutes": 29.0,
            "mtbf_minutes": 22261.0,
            "met": True,
        },
        {
            "service": "sak",
            "name": "Sak/arkiv",
            "target_pct": 99.9,
            "availability_pct": 98.42,
            "agreed_minutes": 10000.0,
            "downtime_minutes": 158.0,
            "outages": 1,
            "mtrs_minutes": 158.0,
            "mtbf_minutes": 9842.0,
            "met": False,
        },
        {
            "service": "nytt",
            "name": "Nytt system",
            "target_pct": None,
            "availability_pct": None,
            "agreed_minutes": 0.0,
            "downtime_minutes": None,
            "outages": 0,
            "mtrs_minutes": None,
            "mtbf_minutes": None,
            "met": None,
        },
    ]
    availability += [
        {**availability[0], "service": f"svc{n}", "name": f"Tjeneste {n}"} for n in range(services - 3)
    ]
    return {
        "period": "2026-03",
        "tickets": {"opened": 412, "resolved": 398, "backlog": 57, "backlog_pending_requester": 9},
        "sla": {
            "response_met_pct": 93.4,
            "resolution_met_pct": 88.1,
            "breached_open": 4,
            "by_priority": {
                "P1": {"response_met_pct": 100.0, "resolution_met_pct": 75.0, "resolved": 4},
                "P2": {"response_met_pct": 95.2, "resolution_met_pct": 90.4, "resolved": 21},
                "P3": {"response_met_pct": 92.8, "resolution_met_pct": 88.3, "resolved": 300},
                "P4": {"response_met_pct": None, "resolution_met_pct": None, "resolved": 0},
            },
        },
        "resolution_hours": {"median": 4.5, "p90": 31.25},
        "first_contact_resolution_pct": 71.3,
        "reopen_rate_pct": 3.2,
        "csat": {"sent": 398, "answered": 120, "response_rate_pct": 30.1, "average": 4.37, "top2_pct": 86.6},
        "availability": availability,
        "changes": {"closed": 20, "successful": 19, "success_rate_pct": 95.0, "emergency_share_pct": 5.0},
        "requests": [
            {
                "item": f"item{n}",
                "name": f"Bærbar PC {n}",
                "count": 12,
                "median_hours": 6.5,
                "p90_hours": 14.0,
                "within_target_pct": None if n == 0 else 91.6,
            }
            for n in range(items)
        ],
        "by_service": [
            {
                "code": "okonomi",
                "name": "Økonomisystem",
                "opened": 40,
                "resolved": 38,
                "backlog": 5,
                "resolution_met_pct": 90.0,
            },
            {
                "code": None,
                "name": None,
                "opened": 3,
                "resolved": 1,
                "backlog": 2,
                "resolution_met_pct": None,
            },
        ],
        "by_group": [
            {
                "code": "l1",
                "name": "Førstelinje",
                "opened": 300,
                "resolved": 290,
                "backlog": 30,
                "resolution_met_pct": 91.2,
            },
        ],
    }


def all_none(data):
    """Return the snapshot's shape with every figure None."""
    if isinstance(data, dict):
        return {key: "2026-03" if key == "period" else all_none(value) for key, value in data.items()}
    if isinstance(data, list):
        return [all_none(item) for item in data]
    return None


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def rendered():
    return render_pdf(
        snapshot(),
        organisation="Eksempel kommune",
        revision=2,
        commentary="Tilgjengelighet var god.\n\nØkonomi hadde to avbrudd.",
        language="nb",
    )


def test_the_headline_figures_appear(rendered):
    text = text_of(rendered)
    for figure in (
        "412",
        "398",
        "57",
        "93,4",
        "88,1",
        "4,50",
        "31,25",
        "71,3",
        "3,2",
        "4,37",
        "30,1",
        "95,0",
    ):
        assert figure in text, figure


def test_norwegian_letters_survive(rendered):
    text = text_of(rendered)
    assert "Økonomisystem" in text
    assert "Tilgjengelighet var god." in text
    assert "Økonomi hadde to avbrudd." in text
    assert "Førstelinje" in text


def test_cover_has_period_in_the_language(rendered):
    assert "Mars 2026" in text_of(rendered)
    english = render_pdf(snapshot(), organisation="Eksempel kommune", language="en")
    assert "March 2026" in text_of(english)


def test_availability_table_states_met_in_words():
    text = text_of(render_pdf(snapshot(), organisation="Eksempel kommune", language="en"))
    assert "98.42" in text
    assert "Not met" in text
    assert "158" in text


def test_appendix_defines_every_figure():
    text = text_of(render_pdf(snapshot(), organisation="Eksempel kommune", language="en"))
    assert "Appendix: definitions" in text
    with translation.override("en"):
        names = [name for name, _definition in definitions()]
    for name in names:
        assert name in text


def test_metadata(rendered):
    reader = PdfReader(io.BytesIO(rendered))
    assert reader.metadata.author == "Eksempel kommune"
    assert "2026" in reader.metadata.title
    assert reader.metadata.subject
    assert reader.trailer["/Root"]["/Lang"] == "nb"


def test_two_renders_are_byte_identical(rendered):
    again = render_pdf(
        snapshot(),
        organisation="Eksempel kommune",
        revision=2,
        commentary="Tilgjengelighet var god.\n\nØkonomi hadde to avbrudd.",
        language="nb",
    )
    assert again == rendered


def test_an_all_none_snapshot_renders():
    pdf = render_pdf(all_none(snapshot()), organisation="Eksempel kommune", language="en")
    text = text_of(pdf)
    assert "–" in text
    assert "No data for this period." in text


def test_an_empty_snapshot_renders():
    assert text_of(render_pdf({}, organisation="Eksempel kommune")).strip()


def test_trends_add_a_chart_with_its_table():
    data = snapshot()
    data["trends"] = [
        {
            "key": "backlog",
            "title": "Backlog",
            "unit": "",
            "points": [["jan", 50], ["feb", None], ["mar", 57]],
        }
    ]
    text = text_of(render_pdf(data, organisation="Eksempel kommune", language="en"))
    assert "Trends over 12 months" in text
    assert "Backlog was 57.0 in mar" in text


@pytest.mark.parametrize(
    ("period", "language", "expected"), [("2026-03", "nb", "Mars 2026"), ("x", "nb", "x"), (None, "en", "–")]
)
def test_period_name(period, language, expected):
    with translation.override(language):
        assert period_name(period) == expected


def test_render_time_is_measured_not_asserted():
    """Render a demo-sized month (16 services, 30 catalogue items) once and report the time."""
    start = time.perf_counter()
    pdf = render_pdf(snapshot(services=16, items=30), organisation="Eksempel kommune")
    print(f"render_pdf: {time.perf_counter() - start:.3f} s, {len(pdf)} bytes")
    assert pdf.startswith(b"%PDF")
