"""The SLA rules' worked examples end to end: tickets created and moved through tickets.services with a
controlled clock, read back through the ticket's `sla` representation (what the REST API serves), and
the stored clocks rebuilt by sla_recompute without a difference."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from sla.models import SlaClock, SlaClockLog
from sla.recompute import recompute
from sla.selectors import breaching_soon, sla_panel, ticket_sla
from tests.factories import UserFactory
from tickets import services
from tickets.models import Channel, PendingReason, Ticket
from tickets.transitions import Move

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC
pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


@pytest.fixture
def agent(db):
    from tests.factories import SupportGroupFactory

    user = UserFactory(username="agent", roles=["agent"])
    SupportGroupFactory(
        code="sd", name_nb="1. linje", name_en="1st line", is_first_line=True, members_list=[user]
    )
    return user


@pytest.fixture
def employee(db):
    return UserFactory(username="ansatt")


def create(employee, when, *, priority, **kwargs):
    impact, urgency = {1: (1, 1), 2: (1, 2), 3: (2, 2), 4: (3, 3)}[priority]
    ticket = services.ticket_create(
        requester=employee,
        created_by=employee,
        title="Feil",
        impact=impact,
        urgency=urgency,
        now=when,
        **kwargs,
    )
    assert ticket.priority == priority
    return ticket


def move(ticket, actor, to, when, **kwargs):
    return services.ticket_transition(
        ticket=ticket, actor=actor, move=Move(to=to, **kwargs), version=None, now=when
    )


def resolve(ticket, actor, when):
    return move(ticket, actor, "resolved", when, resolution_code="solved", resolution_note="Fikset.")


def reply(ticket, actor, when):
    return services.ticket_comment(ticket=ticket, actor=actor, body="Vi ser på det.", now=when)


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_example_1_p2_resolved_the_same_day(employee, agent):
    ticket = create(employee, at(2026, 3, 10, 9), priority=2)
    resolve(ticket, agent, at(2026, 3, 10, 14, 30))
    sla = ticket_sla(fresh(ticket), now=at(2026, 3, 11, 12))
    assert sla["resolution"] == {
        "state": "stopped",
        "target_seconds": 8 * 3600,
        "elapsed_seconds": 19_800,
        "due_at": None,
        "breached": False,
        "met": True,
    }
    assert 100 * 19_800 / (8 * 3600) == 68.75


def test_example_2_p1_over_the_weekend(employee, agent):
    ticket = create(employee, at(2026, 3, 13, 14), priority=1)
    reply(ticket, agent, at(2026, 3, 13, 14, 10))
    sla = ticket_sla(fresh(ticket), now=at(2026, 3, 13, 14, 10))
    assert sla["response"]["state"] == "stopped" and sla["response"]["met"] is True
    assert sla["response"]["elapsed_seconds"] == 600
    assert sla["resolution"]["due_at"] == "2026-03-16T09:00:00Z"
    clock = SlaClock.objects.get(ticket=ticket, kind="resolution")
    assert clock.warning_at == dt.datetime(2026, 3, 16, 8, 0, tzinfo=UTC)  # Mon 09:00 CET
    resolve(ticket, agent, at(2026, 3, 16, 9, 30))
    sla = ticket_sla(fresh(ticket), now=at(2026, 3, 17, 9))
    assert sla["resolution"]["elapsed_seconds"] == 3 * 3600 + 1800
    assert sla["resolution"]["met"] is True


@pytest.mark.parametrize(
    ("resolved", "elapsed", "met"),
    [((2026, 3, 9, 16, 0, 1), 28_800, True), ((2026, 3, 10, 8, 0, 1), 28_801, False)],
)
def test_example_3_the_second_after_the_due_time(employee, agent, resolved, elapsed, met):
    ticket = create(employee, at(2026, 3, 9, 8), priority=2)
    assert ticket_sla(fresh(ticket), now=at(2026, 3, 9, 8))["resolution"]["due_at"] == "2026-03-09T15:00:00Z"
    resolve(ticket, agent, at(*resolved))
    sla = ticket_sla(fresh(ticket), now=at(2026, 3, 11))
    assert sla["resolution"]["elapsed_seconds"] == elapsed
    assert sla["resolution"]["met"] is met and sla["resolution"]["breached"] is (not met)


def test_example_4_easter(employee):
    ticket = create(employee, at(2026, 4, 1, 13), priority=2)
    assert ticket_sla(fresh(ticket), now=at(2026, 4, 1, 13))["resolution"]["due_at"] == "2026-04-07T11:00:00Z"


def test_example_5_summer_time(employee):
    ticket = create(employee, at(2026, 3, 27, 15), priority=1)
    assert (
        ticket_sla(fresh(ticket), now=at(2026, 3, 27, 15))["resolution"]["due_at"] == "2026-03-30T09:00:00Z"
    )


def test_example_6_waiting_for_the_requester_pauses(employee, agent):
    ticket = create(employee, at(2026, 3, 9, 10), priority=2)
    assert fresh(ticket).sla_due_at == at(2026, 3, 10, 10)
    move(ticket, agent, "in_progress", at(2026, 3, 9, 11))
    move(ticket, agent, "pending", at(2026, 3, 9, 13), pending_reason=PendingReason.REQUESTER)
    paused = ticket_sla(fresh(ticket), now=at(2026, 3, 10, 9))["resolution"]
    assert paused["state"] == "paused" and paused["due_at"] is None and paused["elapsed_seconds"] == 3 * 3600
    # The requester answers: the ticket runs again.
    services.ticket_comment(
        ticket=fresh(ticket), actor=employee, body="Her er svaret.", now=at(2026, 3, 10, 11)
    )
    assert fresh(ticket).sla_due_at == at(2026, 3, 10, 16)
    resolve(fresh(ticket), agent, at(2026, 3, 10, 15))
    sla = ticket_sla(fresh(ticket), now=at(2026, 3, 11))
    assert sla["resolution"]["elapsed_seconds"] == 7 * 3600 and sla["resolution"]["met"] is True
    events = list(
        SlaClockLog.objects.filter(clock__ticket=ticket, clock__kind="resolution").values_list(
            "event", flat=True
        )
    )
    assert events == ["start", "pause", "resume", "stop"]
    pause = SlaClockLog.objects.get(clock__ticket=ticket, clock__kind="resolution", event="pause")
    assert pause.data["reason"] == "requester" and pause.elapsed_seconds == 3 * 3600


def test_waiting_for_a_supplier_does_not_pause(employee, agent):
    ticket = create(employee, at(2026, 3, 9, 10), priority=2)
    move(ticket, agent, "pending", at(2026, 3, 9, 11), pending_reason=PendingReason.SUPPLIER)
    assert ticket_sla(fresh(ticket), now=at(2026, 3, 9, 12))["resolution"]["state"] == "running"


def test_a_phone_call_is_answered_at_once(employee, agent):
    ticket = services.ticket_create(
        requester=employee, created_by=agent, title="Ringte", channel=Channel.PHONE, now=at(2026, 3, 9, 10)
    )
    response = ticket_sla(fresh(ticket), now=at(2026, 3, 9, 11))["response"]
    assert response["state"] == "stopped" and response["elapsed_seconds"] == 0 and response["met"] is True


def test_a_priority_change_keeps_elapsed_time_and_judges_against_the_new_target(employee, agent):
    ticket = create(employee, at(2026, 3, 9, 8), priority=3)  # 24 h
    services.ticket_update(
        ticket=fresh(ticket),
        actor=agent,
        version=None,
        changes={"priority": 1},
        reason="Hele skolen",
        now=at(2026, 3, 9, 13),
    )
    sla = ticket_sla(fresh(ticket), now=at(2026, 3, 9, 13))["resolution"]
    # 5 h already elapsed against P1's 4 h: breached at once.
    assert (
        sla["target_seconds"] == 4 * 3600 and sla["elapsed_seconds"] == 5 * 3600 and sla["breached"] is True
    )
    services.ticket_update(
        ticket=fresh(ticket),
        actor=agent,
        version=None,
        changes={"priority": 3},
        reason="Feil",
        now=at(2026, 3, 9, 14),
    )
    assert fresh(ticket).sla_due_at == at(2026, 3, 11, 16)  # back to P3: the original due time
    log = SlaClockLog.objects.filter(clock__ticket=ticket, clock__kind="resolution", event="target")
    assert [entry.data["to"] for entry in log] == [4 * 3600, 24 * 3600]


def test_a_reopen_carries_the_elapsed_time_over(employee, agent):
    ticket = create(employee, at(2026, 3, 9, 8), priority=2)
    resolve(ticket, agent, at(2026, 3, 9, 10))
    move(fresh(ticket), employee, "in_progress", at(2026, 3, 10, 8), reason="Virker fortsatt ikke.")
    sla = ticket_sla(fresh(ticket), now=at(2026, 3, 10, 9))["resolution"]
    assert sla["state"] == "running" and sla["elapsed_seconds"] == 3 * 3600
    assert fresh(ticket).sla_due_at == at(2026, 3, 10, 14)


def test_cancelled_is_excluded(employee, agent):
    ticket = create(employee, at(2026, 3, 9, 8), priority=2)
    move(ticket, agent, "cancelled", at(2026, 3, 9, 9), reason="Feilmeldt.")
    sla = ticket_sla(fresh(ticket), now=at(2026, 3, 9, 10))
    assert sla["resolution"]["state"] == "cancelled" and sla["resolution"]["met"] is None
    assert sla["response"]["state"] == "cancelled"


def test_the_panel_and_breaching_soon(employee, agent):
    ticket = create(employee, at(2026, 3, 9, 8), priority=1)  # due 12:00, warning at 11:00
    panel = sla_panel(fresh(ticket), now=at(2026, 3, 9, 11, 30))
    resolution = next(row for row in panel if row["clock"].kind == "resolution")
    assert resolution["percent"] == 87 and resolution["warning"] and resolution["log"][0].event == "start"
    assert list(breaching_soon(Ticket.objects.all(), now=at(2026, 3, 9, 10, 59))) == []
    assert list(breaching_soon(Ticket.objects.all(), now=at(2026, 3, 9, 11))) == [ticket]


def test_recompute_agrees_and_repairs(employee, agent):
    ticket = create(employee, at(2026, 3, 9, 10), priority=2)
    move(ticket, agent, "pending", at(2026, 3, 9, 13), pending_reason=PendingReason.REQUESTER)
    move(fresh(ticket), agent, "in_progress", at(2026, 3, 10, 11))
    resolve(fresh(ticket), agent, at(2026, 3, 10, 15))
    assert recompute(check=True).differences == []
    # Tamper with a stored figure: --check reports it and changes nothing; a run repairs it and logs that.
    SlaClock.objects.filter(ticket=ticket, kind="resolution").update(elapsed_seconds=1)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("sla_recompute", "--check", stdout=out)
    assert "resolution.elapsed_seconds: stored 1, computed 25200" in out.getvalue()
    assert SlaClock.objects.get(ticket=ticket, kind="resolution").elapsed_seconds == 1
    call_command("sla_recompute", stdout=StringIO())
    clock = SlaClock.objects.get(ticket=ticket, kind="resolution")
    assert clock.elapsed_seconds == 25_200 and clock.log.last().event == "recomputed"
    assert recompute(check=True).differences == []


def test_recompute_builds_the_clocks_of_an_imported_history(employee, agent):
    from sla.services import clocks_deferred

    with clocks_deferred():
        ticket = create(employee, at(2026, 3, 9, 10), priority=2)
        move(ticket, agent, "pending", at(2026, 3, 9, 13), pending_reason=PendingReason.REQUESTER)
        move(fresh(ticket), agent, "in_progress", at(2026, 3, 10, 11))
    assert not SlaClock.objects.exists()
    report = recompute(check=True)
    assert {d.field for d in report.differences} >= {"clock"}
    recompute()
    assert recompute(check=True).differences == []
    log = SlaClockLog.objects.filter(clock__ticket=ticket, clock__kind="resolution")
    assert list(log.values_list("event", flat=True)) == ["start", "pause", "resume"]
    assert fresh(ticket).sla_due_at == at(2026, 3, 10, 16)


def test_recompute_reports_nothing_on_the_demo_data():
    # The demo generators with a sample of their year (the full year is the same code, ten times over).
    call_command("seed_demo", quiet=True, no_incidents=True, no_orders=True, no_changes=True)
    call_command("seed_incidents", "--count", "300", "--quiet")
    call_command("seed_orders", "--count", "60", "--quiet")
    report = recompute(check=True)
    assert report.tickets > 300 and report.differences == []


def test_a_ticket_keeps_the_terms_it_was_given_when_the_policy_changes_later(employee, agent):
    from sla.models import SlaTarget

    before = create(employee, at(2026, 3, 9, 8), priority=2)  # 8 h: due Mon 16:00
    SlaTarget.objects.filter(policy__service__isnull=True, priority=2).update(resolution_seconds=4 * 3600)
    after = create(employee, at(2026, 3, 9, 8, 30), priority=2)
    # The earlier ticket keeps its 8 hours, also when it moves again and when everything is recomputed.
    move(before, agent, "in_progress", at(2026, 3, 9, 9))
    assert ticket_sla(fresh(before), now=at(2026, 3, 9, 9))["resolution"]["target_seconds"] == 8 * 3600
    assert fresh(before).sla_due_at == at(2026, 3, 9, 16)
    assert ticket_sla(fresh(after), now=at(2026, 3, 9, 9))["resolution"]["target_seconds"] == 4 * 3600
    assert recompute(check=True).differences == []
    created = fresh(before).events.get(type="created")
    assert created.data["sla"]["targets"]["2"][1] == 8 * 3600
