"""reports.figures: hand-built months through the services, one rule of spec §5 at a time."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from catalog.models import Service
from changes.models import Change, MaintenanceWindow
from incidents import services as incident_services
from orders import services as order_services
from reports.figures import half_up, median_and_p90, month_figures, percent_down
from sla.models import BusinessCalendar, ClockKind, SlaClock
from tests.changes.conftest import LOW_RISK
from tests.factories import make_ticket
from tests.orders.factories import CatalogItemFactory, add_to_cart
from tickets import services
from tickets.models import Channel, Ticket, TicketLink
from tickets.transitions import Move

OSLO = ZoneInfo("Europe/Oslo")
pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


def create(employee, when, *, priority=3, **kwargs):
    impact, urgency = {1: (1, 1), 2: (1, 2), 3: (2, 2), 4: (3, 3)}[priority]
    kwargs.setdefault("created_by", employee)
    return services.ticket_create(
        requester=employee, title="Feil", impact=impact, urgency=urgency, now=when, **kwargs
    )


def move(ticket, actor, to, when, **kwargs):
    return services.ticket_transition(
        ticket=ticket, actor=actor, move=Move(to=to, **kwargs), version=None, now=when
    )


def resolve(ticket, actor, when):
    return move(ticket, actor, "resolved", when, resolution_code="solved", resolution_note="Fikset.")


def reopen(ticket, actor, when):
    return move(ticket, actor, "in_progress", when, assignee_id=actor.pk, reason="Ikke fikset.")


def march():
    return month_figures(2026, 3)


# --- Pure helpers ----------------------------------------------------------------------------------------


def test_median_and_p90_of_the_spec_example():
    assert median_and_p90([1.5, 2, 3, 4, 4, 5, 7.5, 8, 9, 30]) == (4.5, 9)
    assert median_and_p90([]) == (None, None)
    assert median_and_p90([3]) == (3, 3)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(2, 3, 66.6), (1, 3, 33.3), (3, 3, 100.0), (0, 4, 0.0), (1, 0, None), (999, 1000, 99.9)],
)
def test_percentages_are_rounded_down_to_one_decimal(part, whole, expected):
    assert percent_down(part, whole) == expected


def test_half_up_rounds_a_half_up():
    assert half_up(Decimal("4.125")) == 4.13
    assert half_up(2.675) == 2.68  # from its decimal text, not the binary float below 2.675
    assert half_up(None) is None


# --- Tickets at the month's boundary ---------------------------------------------------------------------


def test_opened_resolved_and_backlog_are_a_snapshot_at_the_months_end(employee, agent):
    before = create(employee, at(2026, 2, 27, 10))
    resolve(before, agent, at(2026, 3, 3, 10))  # opened before March, resolved in it
    reopened_later = create(employee, at(2026, 3, 2, 10))
    resolve(reopened_later, agent, at(2026, 3, 31, 15))
    reopen(reopened_later, agent, at(2026, 4, 1, 9))  # after the end: March is published as it was
    twice = create(employee, at(2026, 3, 3, 10))
    resolve(twice, agent, at(2026, 3, 4, 10))
    reopen(twice, agent, at(2026, 3, 5, 10))
    resolve(twice, agent, at(2026, 3, 6, 10))  # resolved twice in March: counts once
    create(employee, at(2026, 3, 10, 10))  # still new at the end
    waiting = create(employee, at(2026, 3, 11, 10))
    move(waiting, agent, "pending", at(2026, 3, 11, 11), pending_reason="requester", assignee_id=agent.pk)
    cancelled = create(employee, at(2026, 3, 12, 10))
    move(cancelled, employee, "cancelled", at(2026, 3, 13, 10), reason="Trekker saken.")
    old = create(employee, at(2026, 2, 20, 10))
    resolve(old, agent, at(2026, 2, 25, 10))
    create(employee, at(2026, 4, 2, 10))  # after the month
    change_of_mind = create(employee, at(2026, 2, 10, 10))
    resolve(change_of_mind, agent, at(2026, 2, 11, 10))
    services.ticket_transition(  # the requester closes it in March: its resolution is February's
        ticket=change_of_mind, actor=employee, move=Move(to="closed"), version=None, now=at(2026, 3, 2, 10)
    )

    figures = march()

    assert figures["period"] == "2026-03"
    assert figures["tickets"] == {"opened": 5, "resolved": 3, "backlog": 2, "backlog_pending_requester": 1}
    # Reopened in March: `twice` only (the other one in April) ÷ tickets with a resolution in March.
    assert figures["reopen_rate_pct"] == 33.3
    assert figures["csat"]["sent"] == 3
    by_group = {row["code"]: row for row in figures["by_group"]}
    assert by_group["servicedesk"]["opened"] == 5
    assert by_group["servicedesk"]["backlog"] == 2


# --- SLA compliance, resolution times --------------------------------------------------------------------


def test_compliance_is_rounded_down_and_open_breaches_are_counted(employee, agent):
    for day in (10, 11):  # P2, 8 h target: 5.5 business hours each, met
        resolve(create(employee, at(2026, 3, day, 9), priority=2), agent, at(2026, 3, day, 14, 30))
    late = create(employee, at(2026, 3, 10, 9), priority=2)
    resolve(late, agent, at(2026, 3, 12, 9))  # 16 business hours: breached
    create(employee, at(2026, 3, 2, 9), priority=2)  # open all month: breached at the end
    create(employee, at(2026, 3, 31, 14), priority=4)  # open, but well within its target

    figures = march()

    assert figures["sla"]["resolution_met_pct"] == 66.6
    assert figures["sla"]["by_priority"]["P2"]["resolution_met_pct"] == 66.6
    assert figures["sla"]["by_priority"]["P2"]["resolved"] == 3
    assert figures["sla"]["by_priority"]["P1"] == {
        "response_met_pct": None,
        "resolution_met_pct": None,
        "resolved": 0,
    }
    assert figures["sla"]["breached_open"] == 1
    assert figures["resolution_hours"] == {"median": 5.5, "p90": 16}
    # Response clocks stopped in March: the three resolved tickets' (stopped at their resolution).
    met = SlaClock.objects.filter(kind=ClockKind.RESPONSE, state="stopped", met=True).count()
    assert figures["sla"]["response_met_pct"] == percent_down(met, 3)


def test_first_contact_resolution(employee, agent):
    by_phone = create(employee, at(2026, 3, 10, 9), created_by=agent, channel=Channel.PHONE)
    resolve(by_phone, agent, at(2026, 3, 10, 9, 10))
    reopened = create(employee, at(2026, 3, 10, 10), created_by=agent, channel=Channel.CHAT)
    resolve(reopened, agent, at(2026, 3, 10, 10, 10))
    reopen(reopened, agent, at(2026, 3, 11, 10))
    resolve(reopened, agent, at(2026, 3, 11, 11))  # not on first contact: reopened
    resolve(create(employee, at(2026, 3, 10, 11)), agent, at(2026, 3, 10, 12))  # portal: not in the basis

    figures = march()

    assert Ticket.objects.get(pk=by_phone.pk).first_contact_resolution
    assert figures["first_contact_resolution_pct"] == 50.0
    assert figures["reopen_rate_pct"] == 33.3


def test_csat_counts_answers_before_the_end_and_rounds_the_mean_half_up(employee, agent):
    scores = [5, 5, 4, 4, 4, 4, 4, 3]  # mean 4.125 → 4.13
    tickets = []
    for index, score in enumerate([*scores, None]):
        ticket = resolve(create(employee, at(2026, 3, 2 + index, 9)), agent, at(2026, 3, 2 + index, 10))
        tickets.append(ticket)
        if score is not None:
            services.ticket_rate(ticket=ticket, actor=employee, score=score, now=at(2026, 3, 20))
    services.ticket_rate(ticket=tickets[-1], actor=employee, score=1, now=at(2026, 4, 2))  # after the end

    csat = march()["csat"]

    assert csat == {
        "sent": 9,
        "answered": 8,
        "response_rate_pct": 88.8,
        "average": 4.13,
        "top2_pct": 87.5,
    }


# --- Availability ----------------------------------------------------------------------------------------


@pytest.fixture
def public_service(service):
    Service.objects.filter(pk=service.pk).update(
        support_calendar=BusinessCalendar.objects.get(code="24x7"),
        in_public_report=True,
        availability_target=Decimal("99.7"),
    )
    service.refresh_from_db()
    return service


@pytest.fixture
def record_outage(agent, employee, public_service):
    incident = make_ticket(employee, title="Nede", service=public_service)

    def record(start, end):
        return incident_services.outage_record(
            incident=incident,
            actor=agent,
            service=public_service,
            severity="down",
            start=start,
            end=end,
            now=at(2026, 7, 1),
        )

    return record


def test_availability_worked_example_7(public_service, record_outage):
    record_outage(at(2026, 4, 8, 10), at(2026, 4, 8, 11, 30))
    record_outage(at(2026, 4, 8, 10, 45), at(2026, 4, 8, 12))
    record_outage(at(2026, 4, 20, 22, 10), at(2026, 4, 20, 22, 40))

    [row] = month_figures(2026, 4)["availability"]

    assert row == {
        "service": public_service.code,
        "name": public_service.name,
        "target_pct": 99.7,
        "availability_pct": 99.65,
        "agreed_minutes": 43200,
        "downtime_minutes": 150,
        "outages": 2,
        "mtrs_minutes": 75,
        "mtbf_minutes": 21525,
        "met": False,  # 99.6527… < 99.7
    }


def test_availability_worked_example_8(public_service, record_outage):
    MaintenanceWindow.objects.create(
        service=public_service,
        planned_start=at(2026, 5, 5, 20),
        planned_end=at(2026, 5, 5, 23),
        description="Lev.",
    )
    record_outage(at(2026, 5, 5, 22, 30), at(2026, 5, 5, 23, 45))
    record_outage(at(2026, 5, 12, 9), at(2026, 5, 12, 9, 30))

    [row] = month_figures(2026, 5)["availability"]

    assert (row["availability_pct"], row["agreed_minutes"], row["downtime_minutes"]) == (99.83, 44460, 75)
    assert (row["outages"], row["mtrs_minutes"], row["met"]) == (2, 37.5, True)


def test_only_live_services_in_the_public_report_are_listed(public_service):
    Service.objects.filter(pk=public_service.pk).update(in_public_report=False)
    assert month_figures(2026, 4)["availability"] == []


# --- Changes ---------------------------------------------------------------------------------------------


def _close(change, implementer, manager, outcome, soon, **kwargs):
    from changes import services as change_services
    from changes.transitions import ChangeMove

    def step(to, actor=implementer, **more):
        change_services.change_move(
            change=change, actor=actor, move=ChangeMove(to=to, **more), **kwargs.get(to, {})
        )
        change.refresh_from_db()

    step(Change.State.SUBMITTED)
    if change.kind == "normal":
        step(Change.State.ASSESSMENT, manager)
    step(Change.State.AWAITING_APPROVAL, manager)
    change_services.approval_decide(change=change, actor=manager, decision="approved", comment="")
    change.refresh_from_db()
    assert change.state == Change.State.SCHEDULED
    change_services.change_move(
        change=change, actor=implementer, move=ChangeMove(to=Change.State.IMPLEMENTING), actual_start=soon
    )
    change_services.change_move(
        change=change,
        actor=implementer,
        move=ChangeMove(to=Change.State.REVIEW),
        actual_end=soon + dt.timedelta(minutes=30),
    )
    step(Change.State.CLOSED, manager, outcome=outcome, review_note="Gikk greit.")
    assert change.state == Change.State.CLOSED
    return change


def test_change_success_and_emergency_share(make_change, implementer, change_manager, soon, employee, agent):
    plain = _close(make_change(answers=LOW_RISK), implementer, change_manager, "successful", soon)
    _close(make_change(kind="emergency"), implementer, change_manager, "successful", soon)
    caused = _close(make_change(answers=LOW_RISK), implementer, change_manager, "successful", soon)
    _close(make_change(answers=LOW_RISK), implementer, change_manager, "failed", soon)
    make_change(answers=LOW_RISK)  # not closed: not counted
    incident = make_ticket(employee, title="Nettet er nede etter endringen")
    services.ticket_link(source=incident, target=caused.ticket, actor=agent, type_=TicketLink.Type.CAUSED_BY)
    assert plain.outcome == "successful"

    now = timezone.localtime()
    figures = month_figures(now.year, now.month, services=[])

    assert figures["changes"] == {
        "closed": 4,
        "successful": 2,
        "success_rate_pct": 50.0,
        "emergency_share_pct": 25.0,
    }


# --- Requests --------------------------------------------------------------------------------------------


def test_request_fulfilment_per_catalogue_item(employee, agent, service):
    laptop = CatalogItemFactory(code="laptop", service=service, name_nb="Bærbar PC", name_en="Laptop")
    lines = []
    for _ in range(2):
        add_to_cart(employee, laptop)
        order = order_services.order_submit(user=employee, justification="Trengs.", now=at(2026, 3, 2, 9))
        lines.extend(order.lines.select_related("ticket"))
    resolve(lines[0].ticket, agent, at(2026, 3, 3, 12))  # 11 business hours of 40: within target
    resolve(lines[1].ticket, agent, at(2026, 3, 16, 9))  # 10 business days = 80 h: late

    [row] = march()["requests"]

    assert row == {
        "item": "laptop",
        "name": laptop.name,
        "count": 2,
        "median_hours": 45.5,
        "p90_hours": 80,
        "within_target_pct": 50.0,
    }


# --- Empty months and the query count --------------------------------------------------------------------


def test_an_empty_month_has_no_basis_anywhere(db):
    figures = month_figures(2026, 3)

    assert figures["tickets"] == {"opened": 0, "resolved": 0, "backlog": 0, "backlog_pending_requester": 0}
    assert figures["sla"]["response_met_pct"] is None
    assert figures["sla"]["resolution_met_pct"] is None
    assert figures["sla"]["breached_open"] == 0
    assert all(
        value is None
        for row in figures["sla"]["by_priority"].values()
        for key, value in row.items()
        if key != "resolved"
    )
    assert figures["resolution_hours"] == {"median": None, "p90": None}
    assert figures["first_contact_resolution_pct"] is None
    assert figures["reopen_rate_pct"] is None
    assert figures["csat"] == {
        "sent": 0,
        "answered": 0,
        "response_rate_pct": None,
        "average": None,
        "top2_pct": None,
    }
    assert figures["changes"] == {
        "closed": 0,
        "successful": 0,
        "success_rate_pct": None,
        "emergency_share_pct": None,
    }
    assert (
        figures["availability"] == figures["requests"] == figures["by_service"] == figures["by_group"] == []
    )


def _busy_month(employee, agent, count):
    for index in range(count):
        ticket = create(employee, at(2026, 3, 2 + index % 20, 9), priority=2, service=None)
        if index % 3 == 0:
            resolve(ticket, agent, at(2026, 3, 2 + index % 20, 15))
            services.ticket_rate(ticket=ticket, actor=employee, score=4, now=at(2026, 3, 25))
        elif index % 3 == 1:
            move(
                ticket,
                agent,
                "pending",
                at(2026, 3, 23, 10),
                pending_reason="requester",
                assignee_id=agent.pk,
            )


@pytest.mark.parametrize("count", [3, 30])
def test_the_query_count_does_not_grow_with_the_tickets(employee, agent, count, django_assert_num_queries):
    _busy_month(employee, agent, count)
    # One query for the tickets, three for the calendars of open clocks past due, one for the changes,
    # one for the public services (none here). On PostgreSQL the tickets' query runs in a savepoint with
    # JIT off: three more.
    with django_assert_num_queries(6 + (3 if connection.vendor == "postgresql" else 0)):
        figures = march()
    assert figures["tickets"]["opened"] == count
    assert figures["sla"]["breached_open"] > 0
