"""reports.services, tasks and the quality_report command: draft, publish, freeze, correct, schedule."""

import datetime as dt
import hashlib
import importlib.util
import io
import json
import sys
import types
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from reports import exports, services
from reports.figures import month_figures
from reports.models import QualityReport, ReportFrozen
from reports.tasks import draft_due_report, first_business_day_after, month_due_on
from tests.factories import ServiceFactory
from tests.reports.test_figures import create, resolve

OSLO = ZoneInfo("Europe/Oslo")
pytestmark = pytest.mark.django_db
REAL_PDF = importlib.util.find_spec("reports.pdf") is not None


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


NOW = at(2026, 4, 2, 9)


@pytest.fixture(autouse=True)
def pdf_renderer(monkeypatch):
    """Use the real renderer; without reports.pdf, a stand-in so that the publish path still runs."""
    if REAL_PDF:
        return
    module = types.ModuleType("reports.pdf")
    module.render_pdf = lambda snapshot, **kwargs: b"%PDF-stand-in " + exports.canonical_json(snapshot)
    monkeypatch.setitem(sys.modules, "reports.pdf", module)


def seed_march(employee, agent, service=None):
    for day in (10, 11, 12):
        ticket = create(employee, at(2026, 3, day, 9), priority=2, service=service)
        resolve(ticket, agent, at(2026, 3, day, 14))
    create(employee, at(2026, 3, 30, 10), service=service)


def validate(document: dict) -> None:
    jsonschema.Draft202012Validator(services.document_schema()).validate(document)


@pytest.fixture
def draft(employee, agent):
    seed_march(employee, agent)
    return services.report_draft(2026, 3, now=NOW)


def test_the_schema_is_a_valid_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(services.document_schema())


def test_draft_then_publish_stores_the_json_the_pdf_and_their_hash(draft, management_reader):
    assert draft.state == QualityReport.State.DRAFT
    assert draft.revision == 1
    assert draft.figures["tickets"]["opened"] == 4

    report = services.report_publish(
        draft, actor=management_reader, commentary_nb="Stabil måned.", commentary_en="A calm month.", now=NOW
    )

    report.refresh_from_db()
    assert report.state == QualityReport.State.PUBLISHED
    assert report.published_by == management_reader
    document = json.loads(report.document)
    validate(document)
    assert document["period"] == "2026-03"
    assert document["revision"] == 1
    assert document["published_at"] == "2026-04-02T07:00:00Z"
    assert document["licence"]["url"] == "http://data.norge.no/nlod/no/2.0"
    assert document["commentary"] == {"nb": "Stabil måned.", "en": "A calm month."}
    pdf = bytes(report.pdf)
    assert pdf.startswith(b"%PDF")
    assert report.content_hash == hashlib.sha256(exports.canonical_json(document) + pdf).hexdigest()


def test_published_files_stay_byte_identical_when_new_tickets_arrive(draft, management_reader, employee):
    report = services.report_publish(draft, actor=management_reader, now=NOW)
    before = (report.document, exports.csv_text(json.loads(report.document)), bytes(report.pdf))

    create(employee, at(2026, 3, 20, 10))  # registered late, dated into March
    assert month_figures(2026, 3)["tickets"]["opened"] == 5
    with pytest.raises(services.ReportAlreadyPublished):
        services.report_draft(2026, 3, now=at(2026, 4, 3, 9))
    with pytest.raises(CommandError, match="published"):
        call_command("quality_report", "2026-03", stdout=io.StringIO(), stderr=io.StringIO())

    report = QualityReport.objects.get(pk=report.pk)
    assert (report.document, exports.csv_text(json.loads(report.document)), bytes(report.pdf)) == before
    assert json.loads(report.document)["tickets"]["opened"] == 4


def test_a_published_row_refuses_save_delete_and_a_second_publication(draft, management_reader):
    report = services.report_publish(draft, actor=management_reader, now=NOW)
    report.commentary_nb = "Endret i ettertid."
    with pytest.raises(ReportFrozen):
        report.save()
    with pytest.raises(ReportFrozen):
        report.delete()
    with pytest.raises(ReportFrozen):
        services.report_publish(report, actor=management_reader, now=NOW)
    assert QualityReport.objects.get(pk=report.pk).commentary_nb == ""


def test_recomputing_a_draft_replaces_it(draft, employee):
    create(employee, at(2026, 3, 20, 10))
    again = services.report_draft(2026, 3, now=at(2026, 4, 3, 9))
    assert again.pk == draft.pk
    assert again.figures["tickets"]["opened"] == 5
    assert QualityReport.objects.count() == 1


def test_a_month_that_has_not_ended_cannot_be_drafted(db):
    with pytest.raises(ValidationError):
        services.report_draft(2026, 4, now=NOW)


def test_a_correction_makes_revision_2_with_its_reason_and_both_stay_readable(
    draft, management_reader, employee
):
    first = services.report_publish(draft, actor=management_reader, now=NOW)
    create(employee, at(2026, 3, 20, 10))
    with pytest.raises(ValidationError):
        services.report_correct("2026-03", actor=management_reader, reason="  ", now=NOW)

    correction = services.report_correct(
        "2026-03", actor=management_reader, reason="En sak var registrert for sent.", now=at(2026, 4, 8, 9)
    )
    assert (correction.revision, correction.state) == (2, QualityReport.State.DRAFT)
    assert correction.figures["tickets"]["opened"] == 5
    second = services.report_publish(correction, actor=management_reader, now=at(2026, 4, 8, 10))

    published = QualityReport.objects.filter(period="2026-03", state="published").order_by("revision")
    assert [r.revision for r in published] == [1, 2]
    assert json.loads(second.document)["correction_reason"] == "En sak var registrert for sent."
    assert json.loads(second.document)["revision"] == 2
    assert QualityReport.objects.get(pk=first.pk).document == first.document


def test_an_agent_may_neither_publish_nor_correct(draft, agent, administrator, management_reader):
    with pytest.raises(services.ReportPermissionDenied):
        services.report_publish(draft, actor=agent, now=NOW)
    assert QualityReport.objects.get(pk=draft.pk).state == QualityReport.State.DRAFT
    services.report_publish(draft, actor=administrator, now=NOW)
    with pytest.raises(services.ReportPermissionDenied):
        services.report_correct("2026-03", actor=agent, reason="Feil.", now=NOW)
    assert management_reader.has_perm("reports.publish")
    assert not agent.has_perm("reports.publish")


def test_only_aggregates_of_public_services_are_stored(employee, agent):
    public = ServiceFactory(code="epost", name_nb="E-post", name_en="Email")
    hidden = ServiceFactory(code="lonn", name_nb="Lønn", name_en="Payroll", in_public_report=False)
    seed_march(employee, agent, public)
    seed_march(employee, agent, hidden)

    report = services.report_draft(2026, 3, now=NOW)

    assert [row["code"] for row in report.figures["by_service"]] == ["epost"]
    assert [row["service"] for row in report.figures["availability"]] == ["epost"]
    assert "lonn" not in json.dumps(report.figures)
    assert set(report.figures) == {"period", *exports.FIGURES_SHAPE}


def test_public_figures_drop_unknown_keys_and_refuse_nested_objects():
    figures = {"period": "2026-03", "tickets": {"opened": 1, "titles": ["Printer"]}, "people": ["Kari"]}
    picked = exports.public_figures(figures, public_services=set())
    assert "people" not in picked
    assert picked["tickets"] == {
        "opened": 1,
        "resolved": None,
        "backlog": None,
        "backlog_pending_requester": None,
    }
    with pytest.raises(TypeError):
        exports.public_figures({"period": "2026-03", "reopen_rate_pct": {"x": 1}}, public_services=set())


# --- The command -----------------------------------------------------------------------------------------


def test_the_command_prints_the_draft_as_valid_json(employee, agent):
    seed_march(employee, agent)
    out = io.StringIO()

    call_command("quality_report", "2026-03", "--json", stdout=out, stderr=io.StringIO())

    document = json.loads(out.getvalue())
    validate(document)
    assert document["period"] == "2026-03"
    assert document["published_at"] is None
    assert QualityReport.objects.get().state == QualityReport.State.DRAFT


def test_the_command_publishes_as_the_system(employee, agent):
    seed_march(employee, agent)
    out = io.StringIO()

    call_command("quality_report", "2026-03", "--publish", "--json", stdout=out, stderr=io.StringIO())

    report = QualityReport.objects.get()
    assert report.state == QualityReport.State.PUBLISHED
    assert report.published_by is None
    assert out.getvalue() == report.document
    validate(json.loads(out.getvalue()))


def test_the_command_opens_and_publishes_a_correction(draft):
    services.report_publish(draft, actor=None, now=NOW)
    call_command(
        "quality_report", "2026-03", "--correct", "Nedetid rettet.", "--publish", stderr=io.StringIO()
    )
    assert QualityReport.objects.get(revision=2).correction_reason == "Nedetid rettet."


@pytest.mark.parametrize("period", ["2026-13", "26-03", "mars", "2026-3"])
def test_the_command_refuses_a_bad_period(db, period):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("quality_report", period, stdout=io.StringIO())


# --- The scheduled job -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 12, dt.date(2027, 1, 4)),  # 1 Jan is New Year's Day, 2–3 Jan a weekend
        (2026, 3, dt.date(2026, 4, 1)),  # a Wednesday before Easter
        (2026, 4, dt.date(2026, 5, 4)),  # 1 May (Friday) is Labour Day
        (2026, 1, dt.date(2026, 2, 2)),  # 1 Feb is a Sunday
        (2027, 4, dt.date(2027, 5, 3)),  # 1 May is a Saturday
        (2027, 2, dt.date(2027, 3, 1)),  # an ordinary Monday
    ],
)
def test_first_business_day_after_a_month(year, month, expected):
    assert first_business_day_after(year, month) == expected


def test_the_month_due_on_a_day():
    assert month_due_on(dt.date(2027, 1, 4)) == (2026, 12)
    assert month_due_on(dt.date(2027, 1, 1)) is None
    assert month_due_on(dt.date(2027, 1, 5)) is None
    assert month_due_on(dt.date(2026, 4, 1)) == (2026, 3)


def test_the_job_drafts_once_at_six_on_the_due_day(employee, agent):
    seed_march(employee, agent)
    assert draft_due_report(at(2026, 4, 1, 5)) is None  # before 06:00
    assert draft_due_report(at(2026, 3, 31, 6)) is None  # not the day
    report = draft_due_report(at(2026, 4, 1, 6))
    assert report.period == "2026-03"
    assert draft_due_report(at(2026, 4, 1, 6, 30)) is None  # idempotent
    assert QualityReport.objects.count() == 1
