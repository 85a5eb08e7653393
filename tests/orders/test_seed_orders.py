"""The order seed: a year of consistent demo orders, idempotent, and in step with the order lifecycle."""

import datetime as dt
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from catalog.models import Asset, CatalogItem
from incidents import demo_incidents
from orders import demo_orders
from orders.demo_orders import EXTERNAL_PREFIX
from orders.models import Approval, FulfilmentTask, Order, OrderLine, OrderSequence
from orders.transitions import TICKET_STATUS
from people.models import User
from tests.shared_data import shared_data
from tickets import services as ticket_services
from tickets.models import Kind, Status, Ticket, TicketEvent, TicketSequence

pytestmark = pytest.mark.django_db

NOW = dt.datetime.fromisoformat("2026-11-18T14:30:00+01:00")  # a Wednesday afternoon
State = OrderLine.State
OPEN = {State.AWAITING_APPROVAL, State.APPROVED, State.IN_FULFILMENT, State.READY, State.DELIVERED}


def seed_orders(*args: str) -> str:
    out = StringIO()
    call_command("seed_orders", *args, stdout=out)
    return out.getvalue()


# Runs before the module's seeding (the `seeded` fixture below is created at its first use).
def test_needs_the_municipality_first():
    with pytest.raises(CommandError, match="seed_demo"):
        seed_orders("--quiet")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo municipality and catalogue, then the orders up to NOW, seeded once for the module."""

    def build():
        call_command("seed_demo", quiet=True, no_incidents=True, no_orders=True, no_changes=True)
        return seed_orders(f"--now={NOW.isoformat()}")

    yield from shared_data(django_db_blocker, build)


def lines():
    return OrderLine.objects.select_related("order__recipient", "order__requester", "item", "ticket")


def test_a_year_of_orders_in_every_state(seeded):
    assert "200 demo orders" in seeded
    assert Order.objects.count() == 200
    assert not Order.objects.filter(state=Order.State.CART).exists()
    states = Counter(OrderLine.objects.values_list("state", flat=True))
    assert 230 <= sum(states.values()) <= 340
    assert states[State.DRAFT] == 0
    for state in State.values:
        if state != State.DRAFT:
            assert states[state] >= 2, (state, states)
    # Most of the year is long done; the last weeks keep a backlog in every open state.
    assert states[State.CLOSED] > sum(states.values()) / 2
    assert sum(states[s] for s in OPEN) >= 25
    submitted = sorted(Order.objects.values_list("submitted_at", flat=True))
    assert submitted[0] >= NOW - dt.timedelta(days=366)
    assert submitted[-1] < NOW
    # Orders are complete exactly when every line is finished.
    for order in Order.objects.prefetch_related("lines"):
        finished = all(
            line.state in {State.CLOSED, State.REJECTED, State.CANCELLED} for line in order.lines.all()
        )
        assert (order.state == Order.State.COMPLETED) == finished, order.number
        assert (order.completed_at is not None) == finished, order.number


def test_every_line_has_a_request_ticket_in_the_matching_status(seeded):
    for line in lines():
        ticket = line.ticket
        label = f"{line.order.number} {line.item.code} {line.state}"
        assert ticket is not None, label
        assert ticket.kind == Kind.REQUEST
        assert ticket.external_id.startswith(EXTERNAL_PREFIX)
        assert (ticket.status, ticket.pending_reason) == TICKET_STATUS[State(line.state)], label
        assert ticket.requester_id == line.order.recipient_id
        assert ticket.created_by_id == line.order.requester_id
        assert ticket.opened_at == line.order.submitted_at
        assert ticket.support_group_id == line.support_group_id
        assert line.support_group_id == (line.item.fulfilment_group_id or line.item.service.support_group_id)
        assert line.unit_price == line.item.price
        assert line.order.submitted_at <= line.updated_at < NOW
        if line.state in {State.DELIVERED, State.CLOSED}:
            assert ticket.resolved_at == line.delivered_at and ticket.resolution_code == "solved", label
        if line.state == State.CLOSED:
            assert ticket.closed_at == line.closed_at, label
        if line.state in {State.APPROVED, State.IN_FULFILMENT, State.READY, State.DELIVERED, State.CLOSED}:
            assert line.approved_at is not None, label
        if line.state in {State.IN_FULFILMENT, State.READY, State.DELIVERED, State.CLOSED}:
            assert ticket.assignee is not None, label
            assert ticket.assignee.support_groups.filter(pk=line.support_group_id).exists(), label


def test_timelines_replay_to_the_ticket_status(seeded):
    tickets = Ticket.objects.filter(external_id__startswith=EXTERNAL_PREFIX).prefetch_related("events")
    for ticket in tickets:
        events = sorted(ticket.events.all(), key=lambda e: e.pk)
        assert events[0].type == TicketEvent.Type.CREATED
        assert events[0].created_at == ticket.opened_at
        times = [e.created_at for e in events]
        assert times == sorted(times) and times[-1] < NOW, ticket.number
        assert ticket.updated_at == times[-1]
        assert ticket.version == max(e.data["version"] for e in events)
        status, reason = Status.NEW, ""
        for event in events:
            if event.type == TicketEvent.Type.STATUS:
                assert event.data["from"] == status, ticket.number
                status, reason = event.data["to"], event.data["pending_reason"]
            elif event.type == TicketEvent.Type.FIELD and event.data.get("field") == "status":
                status, reason = Status.ASSIGNED, ""
        assert (status, reason) == (ticket.status, ticket.pending_reason), ticket.number


def test_approvals_follow_the_item_policy_and_the_line_state(seeded):
    for line in lines().prefetch_related("approvals"):
        approvals = list(line.approvals.all())
        policy = line.item.approval_policy
        label = f"{line.order.number} {line.item.code} {line.state}"
        needs = policy == CatalogItem.ApprovalPolicy.MANAGER or policy == CatalogItem.ApprovalPolicy.GROUP
        if policy == CatalogItem.ApprovalPolicy.MANAGER_ABOVE_THRESHOLD:
            needs = line.total > line.item.approval_threshold
        assert len(approvals) == (1 if needs else 0), label
        if line.state == State.AWAITING_APPROVAL:
            assert approvals, label
        if not approvals:
            continue
        approval = approvals[0]
        if approval.approver_id:
            assert approval.approver_id == (line.order.recipient.manager or line.support_group.lead).pk, label
        else:
            assert approval.approver_group_id == line.item.approver_group_id, label
        expected = {
            State.AWAITING_APPROVAL: Approval.Decision.PENDING,
            State.REJECTED: Approval.Decision.REJECTED,
        }.get(line.state, Approval.Decision.APPROVED)
        if line.state == State.CANCELLED:
            assert approval.decision in {Approval.Decision.WITHDRAWN, Approval.Decision.APPROVED}, label
        else:
            assert approval.decision == expected, label
        if approval.decision in {Approval.Decision.APPROVED, Approval.Decision.REJECTED}:
            assert approval.decided_at and line.order.submitted_at <= approval.decided_at < NOW, label
            if approval.approver_id:
                assert approval.decided_by_id == approval.approver_id
            else:
                assert approval.approver_group.members.filter(pk=approval.decided_by_id).exists()
        else:
            assert approval.decided_by_id is None and approval.decided_at is None, label
        if line.state == State.REJECTED:
            assert approval.comment and line.rejection_reason == approval.comment
    # Submitting asks for a justification when a line needs approval.
    for order in Order.objects.filter(lines__approvals__isnull=False).distinct():
        assert order.justification, order.number


def test_delivered_equipment_has_assets_and_stock_never_goes_negative(seeded):
    tag = re.compile(r"^EK-20\d\d-\d{5}$")
    for line in lines().prefetch_related("assets", "tasks"):
        assets = list(line.assets.all())
        label = f"{line.order.number} {line.item.code} {line.state}"
        delivered = line.state in {State.DELIVERED, State.CLOSED}
        if line.item.kind == CatalogItem.Kind.EQUIPMENT and delivered:
            assert len(assets) == line.quantity, label
            for asset in assets:
                assert tag.match(asset.asset_tag) and asset.serial_number, asset.asset_tag
                assert asset.holder_id == line.order.recipient_id
                assert asset.delivered_on == timezone.localtime(line.delivered_at).date()
                if line.item.warranty_months:
                    assert asset.warranty_end > asset.delivered_on
        else:
            assert assets == [], label
        tasks = {t.kind: t for t in line.tasks.all()}
        if line.state in {State.AWAITING_APPROVAL, State.APPROVED, State.REJECTED, State.CANCELLED}:
            assert tasks == {}, label
        else:
            first = (
                FulfilmentTask.Kind.PICK_FROM_STOCK
                if line.item.stocked
                else FulfilmentTask.Kind.ORDER_FROM_SUPPLIER
            )
            assert first in tasks and FulfilmentTask.Kind.DELIVER in tasks, label
            assert (FulfilmentTask.Kind.CONFIGURE in tasks) == (line.item.kind == CatalogItem.Kind.EQUIPMENT)
            done = [t for t in tasks.values() if t.done_at]
            assert all(t.done_by_id == line.ticket.assignee_id for t in done), label
            if delivered:
                assert len(done) == len(tasks), label
            else:
                assert tasks[FulfilmentTask.Kind.DELIVER].done_at is None, label
    assert Asset.objects.count() == Asset.objects.values("asset_tag").distinct().count()
    assert Asset.history.count() == Asset.objects.count()
    assert not CatalogItem.objects.filter(stock_count__lt=0).exists()
    # The low-stock items of the catalogue table are still low after the history.
    low = {i.code for i in CatalogItem.objects.filter(stocked=True) if i.low_stock}
    assert low == {"skjerm-27", "dokkingstasjon"}


def test_numbers_continue_the_sequences(seeded):
    for model, kind_filter, pattern in (
        (OrderSequence, {}, r"^ORD-(\d{4})-(\d{6})$"),
        (TicketSequence, {"kind": Kind.REQUEST}, r"^REQ-(\d{4})-(\d{6})$"),
    ):
        rows = (
            Order.objects.values_list("number", flat=True)
            if model is OrderSequence
            else (Ticket.objects.filter(kind=Kind.REQUEST).values_list("number", flat=True))
        )
        highest: dict[int, int] = {}
        for number in rows:
            year, n = map(int, re.match(pattern, number).groups())
            highest[year] = max(highest.get(year, 0), n)
        for year, n in highest.items():
            assert model.objects.get(year=year, **kind_filter).last == n
    # Numbers follow the submission time within a year.
    numbers = [o.number for o in Order.objects.order_by("submitted_at")]
    assert numbers == sorted(numbers)
    # A request opened afterwards gets the next number.
    kari = User.objects.get(username="demo.ansatt")
    at = NOW + dt.timedelta(minutes=5)
    last = TicketSequence.objects.get(kind=Kind.REQUEST, year=2026).last
    ticket = ticket_services.ticket_create(
        requester=kari, created_by=kari, title="Ny bestilling", kind=Kind.REQUEST, now=at
    )
    assert ticket.number == f"REQ-2026-{last + 1:06d}"


def test_the_demo_logins_have_something_to_see(seeded):
    kari = User.objects.get(username="demo.ansatt")
    assert Asset.objects.filter(holder=kari).count() >= 3
    assert Order.objects.filter(requester=kari, lines__state=State.AWAITING_APPROVAL).exists()
    assert not Order.objects.filter(requester=kari, state=Order.State.CART).exists()
    pending = Approval.objects.filter(decision=Approval.Decision.PENDING)
    assert pending.filter(approver__username="demo.leder").count() >= 3
    assert Approval.objects.filter(
        approver__username="demo.leder", decision=Approval.Decision.APPROVED
    ).exists()
    assert pending.filter(approver_group__members__username="demo.admin").count() >= 2
    queue = OrderLine.objects.filter(support_group__members__username="demo.agent")
    for state in (State.APPROVED, State.IN_FULFILMENT, State.READY):
        assert queue.filter(state=state).exists(), state


def test_idempotent_and_deterministic(seeded):
    counts = [m.objects.count() for m in (Order, OrderLine, Ticket, TicketEvent, Approval, Asset)]
    assert "in place; nothing to do" in seed_orders(f"--now={NOW.isoformat()}")
    call_command("seed_demo", quiet=True, no_incidents=True, no_changes=True)
    assert [m.objects.count() for m in (Order, OrderLine, Ticket, TicketEvent, Approval, Asset)] == counts

    def plan():
        generator = demo_orders.Generator(now=NOW, count=200)
        generator.plan()
        return [
            (
                o.requester.username,
                o.recipient.username,
                o.submitted_at,
                [(line.item.code, line.state, line.quantity) for line in o.lines],
            )
            for o in generator.orders
        ]

    assert plan() == plan()
    assert sorted(OrderLine.objects.values_list("item__code", "state", "quantity")) == sorted(
        (code, state, quantity) for *_people, _when, items in plan() for code, state, quantity in items
    )


def test_the_incident_seed_still_runs_after_the_orders(seeded):
    # The order tickets must not look like the incident history ("demo-" external ids).
    assert not demo_incidents.already_seeded()
    call_command("seed_incidents", "--now", NOW.isoformat(), "--count", "40", "--quiet")
    assert Ticket.objects.filter(external_id__startswith=demo_incidents.EXTERNAL_PREFIX).count() >= 40
    assert Ticket.objects.filter(external_id__startswith=EXTERNAL_PREFIX).count() == OrderLine.objects.count()
