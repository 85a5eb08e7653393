"""tickets.imports and `manage.py import_tickets`: the sample files in tests/data/, bad lines, re-import,
and the same figures for imported tickets as for the same tickets worked through the product."""

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation

from changes import services as change_services
from changes import services_settings
from changes.models import Change, MaintenanceWindow
from changes.transitions import ChangeMove
from incidents import services as incident_services
from incidents.models import Outage, SatisfactionRating
from reports.figures import month_figures
from sla.models import SlaClock, SlaClockLog
from sla.recompute import recompute
from sla.services import COMPARED
from tests.factories import UserFactory
from tickets import services
from tickets.imports import IMPORT_USERNAME, import_lines
from tickets.models import Channel, Notification, Status, Ticket, TicketEvent, TicketLink
from tickets.transitions import Move

OSLO = ZoneInfo("Europe/Oslo")
DATA = Path(__file__).resolve().parent.parent / "data"
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=OSLO)


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


def lines(name: str) -> list[str]:
    return (DATA / name).read_text(encoding="utf-8").splitlines()


def line(**overrides) -> str:
    data = {
        "external_id": "OLD-1",
        "kind": "incident",
        "title": "Skriveren virker ikke",
        "requester": "ansatt",
        "service": "epost",
        "priority": "P3",
        "opened_at": "2026-03-02T09:00:00+01:00",
        "first_response_at": None,
        "history": [],
        "first_contact_resolution": False,
    }
    data.update(overrides)
    return json.dumps(data)


@pytest.fixture
def reception(db):
    return UserFactory(username="resepsjon", employee_number="E1001")


@pytest.fixture
def people(employee, other_employee, reception, agent, service):
    """The master data the sample files name: requesters, the service epost, the first line."""
    return {"employee": employee, "other": other_employee, "reception": reception, "agent": agent}


def ticket(external_id: str) -> Ticket:
    return Ticket.objects.get(external_id=external_id)


# --- The sample file ------------------------------------------------------------------------------------


def test_the_sample_file_is_imported_with_its_history(people, service):
    result = import_lines(lines("tickets.jsonl"), now=NOW)
    assert result.errors == []
    assert sorted(result.created) == ["OLD-101", "OLD-102", "OLD-103", "OLD-104", "OLD-900"]

    first = ticket("OLD-101")
    assert (first.status, first.channel, first.requester, first.priority) == (
        Status.CLOSED,
        Channel.IMPORT,
        people["employee"],
        3,
    )
    assert first.first_response_at == at(2026, 3, 2, 9, 30)
    assert (first.resolved_at, first.closed_at) == (at(2026, 3, 3, 12), at(2026, 3, 10, 12))
    statuses = list(first.events.filter(type="status").values_list("data__to", "data__pending_reason"))
    assert statuses == [
        ("in_progress", ""),
        ("pending", "requester"),
        ("in_progress", ""),
        ("resolved", ""),
        ("closed", ""),
    ]
    replayed = first.events.filter(type="status").values_list("author__username", flat=True)
    assert set(replayed) == {IMPORT_USERNAME}
    assert first.events.get(type="created").author == people["employee"]
    assert SatisfactionRating.objects.get(ticket=first).score == 5
    # The resolution clock paused for the requester from Mon 10:00 to Tue 10:00: 1 h + 2 h of work.
    assert SlaClock.objects.get(ticket=first, kind="resolution").elapsed_seconds == 3 * 3600

    second = ticket("OLD-102")
    assert second.requester == people["other"] and second.reopen_count == 1
    assert second.first_response_at == at(2026, 3, 16, 9, 5)  # null in the file: the resolution answered
    outage = Outage.objects.get(incident=second)
    assert (outage.start, outage.end, outage.severity) == (at(2026, 3, 16, 8), at(2026, 3, 16, 9), "down")
    change = Change.objects.get(ticket__external_id="OLD-900")
    assert (change.state, change.kind, change.outcome) == ("closed", "standard", "successful")
    assert TicketLink.objects.filter(source=second, target=change.ticket, type="caused_by").exists()
    window = MaintenanceWindow.objects.get(change=change)
    assert (window.actual_start, window.actual_end) == (at(2026, 3, 15, 20), at(2026, 3, 15, 22))

    assert ticket("OLD-103").requester == people["reception"]  # by employee number
    assert ticket("OLD-103").support_group.code == "servicedesk"
    assert ticket("OLD-104").status == Status.PENDING
    # Nobody hears about a history, and the stored clocks are what sla_recompute computes.
    assert not Notification.objects.exists()
    assert recompute(check=True).differences == []


def test_re_importing_the_same_file_changes_nothing(people):
    import_lines(lines("tickets.jsonl"), now=NOW)

    def state():
        return (
            list(Ticket.objects.order_by("pk").values_list("pk", "version", "updated_at", "status")),
            TicketEvent.objects.count(),
            SlaClockLog.objects.count(),
            list(SlaClock.objects.order_by("pk").values_list("pk", "updated_at", "elapsed_seconds")),
            Outage.objects.count(),
            TicketLink.objects.count(),
        )

    before = state()
    # Formatting differs (keys in another order): the content is the same, so the line is unchanged.
    reordered = [json.dumps(dict(reversed(json.loads(text).items()))) for text in lines("tickets.jsonl")]
    again = import_lines(reordered, now=NOW)
    assert (again.created, again.errors) == ([], [])
    assert len(again.unchanged) == 5
    assert state() == before


def test_a_changed_line_for_an_imported_ticket_is_refused(people):
    import_lines([line(history=[{"at": "2026-03-02T10:00:00+01:00", "status": "in_progress"}])], now=NOW)
    result = import_lines([line(title="Ny tittel")], now=NOW)
    [error] = result.errors
    assert (error.line, error.field) == (1, "external_id")
    assert "different content" in error.message
    assert ticket("OLD-1").title == "Skriveren virker ikke"


def test_an_external_id_of_a_native_ticket_is_refused(people, employee):
    native = services.ticket_create(requester=employee, created_by=employee, title="Native")
    Ticket.objects.filter(pk=native.pk).update(external_id="OLD-1")
    [error] = import_lines([line()], now=NOW).errors
    assert error.field == "external_id" and "was not imported" in error.message


# --- Bad lines ------------------------------------------------------------------------------------------


def test_bad_lines_are_reported_with_their_number_and_field_and_skipped(people):
    result = import_lines(lines("tickets_bad.jsonl"), now=NOW)
    assert result.created == ["OLD-201"]
    found = {(error.line, error.field) for error in result.errors}
    assert found == {
        (1, "line"),
        (2, "opened_at"),
        (3, "requester"),
        (4, "service"),
        (5, "history[0].status"),
        (6, "history[1].at"),
        (7, "history[0].waiting_for"),
        (9, "caused_by_change"),
        (10, "history[1].status"),
        (11, "csat"),
        (13, "external_id"),
        (14, "priority"),
        (15, "change"),
    }
    messages = {error.line: str(error) for error in result.errors}
    assert "has no UTC offset" in messages[2]
    assert messages[3].startswith("line 3 (BAD-3): requester:")
    # Refused while replaying: nothing of those lines is left behind.
    assert set(Ticket.objects.values_list("external_id", flat=True)) == {"OLD-201"}
    assert not SatisfactionRating.objects.exists()


def test_the_command_prints_the_errors_and_a_summary(people):
    out, err = StringIO(), StringIO()
    call_command("import_tickets", str(DATA / "tickets_bad.jsonl"), stdout=out, stderr=err)
    assert "1 created, 0 unchanged, 13 errors." in out.getvalue()
    assert "line 2 (BAD-2): opened_at:" in err.getvalue()
    out = StringIO()
    call_command("import_tickets", str(DATA / "tickets_bad.jsonl"), stdout=out, stderr=StringIO())
    assert "0 created, 1 unchanged, 13 errors." in out.getvalue()


def test_the_command_refuses_a_missing_file(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_tickets", str(DATA / "tickets_missing.jsonl"))


# --- Replaying a history --------------------------------------------------------------------------------


def test_a_jump_the_lifecycle_forbids_gets_its_implied_step_at_the_same_instant(people):
    history = [{"at": "2026-03-02T12:00:00+01:00", "status": "closed"}]
    import_lines([line(history=history)], now=NOW)
    imported = ticket("OLD-1")
    steps = list(imported.events.filter(type="status").values_list("data__to", "created_at"))
    assert steps == [("resolved", at(2026, 3, 2, 12)), ("closed", at(2026, 3, 2, 12))]
    assert imported.resolved_at == imported.closed_at == at(2026, 3, 2, 12)


def test_resolved_then_in_progress_is_a_reopen(people):
    history = [
        {"at": "2026-03-02T10:00:00+01:00", "status": "resolved"},
        {"at": "2026-03-02T11:00:00+01:00", "status": "in_progress"},
        {"at": "2026-03-02T11:30:00+01:00", "status": "pending", "waiting_for": "supplier"},
    ]
    import_lines([line(history=history)], now=NOW)
    imported = ticket("OLD-1")
    assert (imported.reopen_count, imported.status, imported.resolved_at) == (1, "pending", None)
    # Pending for a supplier does not pause the clock by default: it has run since the reopening.
    clock = SlaClock.objects.get(ticket=imported, kind="resolution")
    assert clock.state == "running"


def test_the_stored_first_contact_resolution_and_first_response_are_kept(people):
    history = [{"at": "2026-03-02T09:20:00+01:00", "status": "resolved"}]
    import_lines(
        [line(history=history, first_contact_resolution=True, first_response_at="2026-03-02T09:05:00+01:00")],
        now=NOW,
    )
    imported = ticket("OLD-1")
    assert imported.first_contact_resolution is True
    assert imported.first_response_at == at(2026, 3, 2, 9, 5)
    assert SlaClock.objects.get(ticket=imported, kind="response").stopped_at == at(2026, 3, 2, 9, 5)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_response_at": "2026-03-02T08:00:00+01:00"}, "first_response_at"),
        (
            {
                "first_response_at": "2026-03-02T12:00:00+01:00",
                "history": [{"at": "2026-03-02T10:00:00+01:00", "status": "resolved"}],
            },
            "first_response_at",
        ),
        ({"first_contact_resolution": True}, "first_contact_resolution"),
        ({"history": [{"at": "2026-03-02T10:00:00", "status": "resolved"}]}, "history[0].at"),
        ({"opened_at": "2099-01-01T10:00:00+01:00"}, "opened_at"),
        ({"outage": {"start": "2026-03-02T09:00:00+01:00", "end": None, "kind": "gone"}}, "outage.kind"),
        ({"kind": "request", "outage": {"start": "2026-03-02T09:00:00+01:00", "kind": "down"}}, "outage"),
        ({"csat": {"score": 6, "at": "2026-03-02T10:00:00+01:00"}}, "csat.score"),
        ({"title": "x" * 201}, "title"),
        ({"colour": "blue"}, "colour"),
        ({"support_group": "nobody"}, "support_group"),
    ],
)
def test_a_bad_field_is_named(people, overrides, field):
    [error] = import_lines([line(**overrides)], now=NOW).errors
    assert error.field == field
    assert not Ticket.objects.filter(external_id="OLD-1").exists()


# --- The same figures as the product's own tickets ------------------------------------------------------


@pytest.fixture
def template(people, service):
    manager = UserFactory(username="endring", roles=["change_manager"])
    return services_settings.template_create(
        actor=manager,
        services=[service],
        code="epost-oppgradering",
        name_nb="Oppgradering av e-post",
        name_en="Email upgrade",
        description="Ny versjon av e-postserveren.",
        implementer_group=people["agent"].support_groups.get(),
        implementation_plan="Oppgrader.",
        backout_plan="Rull tilbake.",
        causes_downtime=True,
        duration_minutes=120,
    )


def _move(ticket_, actor, to, when, **kwargs):
    return services.ticket_transition(
        ticket=ticket_, actor=actor, move=Move(to=to, **kwargs), version=None, now=when
    )


def _resolve(ticket_, actor, when):
    return _move(ticket_, actor, "resolved", when, resolution_code="solved", resolution_note="Fikset.")


def _work_the_sample_natively(people, service, template):
    """The tickets of tests/data/tickets.jsonl, as agents and requesters would have worked them."""
    employee, other, reception, agent = (people[k] for k in ("employee", "other", "reception", "agent"))

    def create(requester, title, when, impact, urgency, **kwargs):
        return services.ticket_create(
            requester=requester,
            created_by=requester,
            title=title,
            impact=impact,
            urgency=urgency,
            service=service,
            now=when,
            **kwargs,
        )

    first = create(employee, "Outlook starter ikke", at(2026, 3, 2, 9), 2, 2)
    services.ticket_comment(ticket=first, actor=agent, body="Vi ser på det.", now=at(2026, 3, 2, 9, 30))
    _move(first, agent, "in_progress", at(2026, 3, 2, 9, 30))
    _move(first, agent, "pending", at(2026, 3, 2, 10), pending_reason="requester")
    services.ticket_comment(ticket=first, actor=employee, body="Prøvd nå.", now=at(2026, 3, 3, 10))
    _resolve(first, agent, at(2026, 3, 3, 12))
    services.ticket_rate(ticket=first, actor=employee, score=5, now=at(2026, 3, 3, 13))
    _move(first, employee, "closed", at(2026, 3, 10, 12))

    change = change_services.change_from_template(
        actor=agent,
        template=template,
        planned_start=at(2026, 3, 15, 20),
        planned_end=at(2026, 3, 15, 22),
        title="Oppgradering av e-postserveren",
        now=at(2026, 3, 10, 9),
    )
    for to, when in (
        ("scheduled", at(2026, 3, 10, 9)),
        ("implementing", at(2026, 3, 15, 20)),
        ("review", at(2026, 3, 15, 22)),
    ):
        change = change_services.change_move(change=change, actor=agent, move=ChangeMove(to=to), now=when)
    change_services.change_move(
        change=change, actor=agent, move=ChangeMove(to="closed", outcome="successful"), now=at(2026, 3, 16, 7)
    )

    second = create(other, "E-post er nede", at(2026, 3, 16, 8, 10), 1, 2)
    second = services.ticket_update(
        ticket=second, actor=agent, version=None, changes={"assignee": agent}, now=at(2026, 3, 16, 8, 20)
    )
    _move(second, agent, "in_progress", at(2026, 3, 16, 8, 30))
    services.ticket_link(
        source=second, target=change.ticket, actor=agent, type_="caused_by", now=at(2026, 3, 16, 8, 30)
    )
    incident_services.outage_record(
        incident=second,
        actor=agent,
        service=service,
        severity="down",
        start=at(2026, 3, 16, 8),
        end=at(2026, 3, 16, 9),
        now=at(2026, 3, 16, 9),
    )
    _resolve(second, agent, at(2026, 3, 16, 9, 5))
    _move(second, other, "in_progress", at(2026, 3, 17, 9), reason="Fortsatt nede.")
    _resolve(second, agent, at(2026, 3, 17, 10))
    _move(second, other, "closed", at(2026, 3, 24, 10))

    third = create(
        reception,
        "Delt postkasse for resepsjonen",
        at(2026, 3, 30, 15),
        3,
        3,
        kind="request",
        support_group=agent.support_groups.get(),
    )
    services.ticket_comment(ticket=third, actor=agent, body="Bestilt.", now=at(2026, 3, 31, 8, 30))
    _move(third, agent, "in_progress", at(2026, 3, 31, 8, 30))
    _move(third, agent, "pending", at(2026, 3, 31, 9), pending_reason="supplier")
    _move(third, agent, "in_progress", at(2026, 4, 1, 9))
    _resolve(third, agent, at(2026, 4, 2, 10))
    services.ticket_rate(ticket=third, actor=reception, score=3, now=at(2026, 4, 2, 11))

    fourth = create(employee, "Kalenderen synkroniserer ikke", at(2026, 4, 20, 10), 1, 1)
    services.ticket_comment(ticket=fourth, actor=agent, body="Vi ser på det.", now=at(2026, 4, 20, 10, 5))
    _move(fourth, agent, "in_progress", at(2026, 4, 20, 10, 5))
    _move(fourth, agent, "pending", at(2026, 4, 20, 10, 30), pending_reason="requester")


def _figures_and_clocks(service) -> dict:
    tickets = {}
    for item in Ticket.objects.order_by("title"):
        clocks = {}
        for clock in SlaClock.objects.filter(ticket=item):
            clocks[clock.kind] = {
                **{name: getattr(clock, name) for name in (*COMPARED, "started_at", "cycle")},
                "log": list(
                    clock.log.order_by("at", "pk").values_list("event", "at", "elapsed_seconds", "due_at")
                ),
            }
        tickets[item.title] = {
            **{
                name: getattr(item, name)
                for name in (
                    "kind",
                    "status",
                    "priority",
                    "opened_at",
                    "first_response_at",
                    "resolved_at",
                    "closed_at",
                    "reopen_count",
                    "first_contact_resolution",
                    "sla_due_at",
                    "sla_warning_at",
                    "sla_breached",
                )
            },
            "clocks": clocks,
        }
    windows = list(
        MaintenanceWindow.objects.values_list(
            "service__code", "planned_start", "planned_end", "actual_start", "actual_end"
        )
    )
    months = {month: month_figures(2026, month, services=[service]) for month in (3, 4)}
    return {"tickets": tickets, "windows": windows, "months": months}


def test_imported_tickets_give_the_same_figures_as_the_same_tickets_worked_natively(
    people, service, template
):
    _work_the_sample_natively(people, service, template)
    native = _figures_and_clocks(service)
    Ticket.objects.all().delete()

    result = import_lines(lines("tickets.jsonl"), now=NOW)
    assert result.errors == []
    imported = _figures_and_clocks(service)

    # The figures are not empty: the comparison below compares something.
    march = native["months"][3]
    assert march["tickets"]["resolved"] == 2 and march["csat"]["answered"] == 1
    assert march["changes"] == {
        "closed": 1,
        "successful": 0,
        "success_rate_pct": 0.0,
        "emergency_share_pct": 0.0,
    }
    assert march["reopen_rate_pct"] == 50.0 and march["availability"][0]["outages"] == 1
    assert native["months"][4]["tickets"]["backlog_pending_requester"] == 1
    assert imported["months"] == native["months"]
    assert imported["windows"] == native["windows"]
    assert imported["tickets"] == native["tickets"]
