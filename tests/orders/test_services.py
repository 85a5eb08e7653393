"""Ordering through the services: the cart's server-side checks, submitting, approval routing,
decisions, cancelling and fulfilment with stock, with the request ticket kept in step."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from catalog.models import Asset, CatalogItem, OrderQuestion
from catalog.selectors import ItemNotOrderable
from orders import services
from orders.models import Approval, FulfilmentTask, Order, OrderLine
from orders.transitions import LineTransitionNotAllowed
from tests.factories import SupportGroupFactory, UserFactory
from tests.orders.factories import (
    ApproverGroupFactory,
    CatalogItemFactory,
    OrderQuestionFactory,
    add_to_cart,
    answer_data,
    place_order,
)
from tickets.models import Kind, Notification, PendingReason, Status, TicketEvent

S = OrderLine.State


def nothing_saved():
    return not Order.objects.exists() and not OrderLine.objects.exists()


# --- The cart: every check is on the server, and a refused line is never saved ------------------------------


@pytest.fixture
def monitor(equipment_service):
    """An item with a required text, a number from 1 to 3 and a choice."""
    item = CatalogItemFactory(
        code="skjerm", service=equipment_service, name_nb="Skjerm", price=Decimal("2490")
    )
    OrderQuestionFactory(item=item, key="rom", type=OrderQuestion.Type.TEXT, label_nb="Rom")
    OrderQuestionFactory(
        item=item,
        key="antall_kabler",
        type=OrderQuestion.Type.NUMBER,
        label_nb="Antall kabler",
        min_value=1,
        max_value=3,
    )
    OrderQuestionFactory(
        item=item,
        key="storrelse",
        type=OrderQuestion.Type.CHOICE,
        label_nb="Størrelse",
        choices=[
            {"value": "24", "label_nb": "24 tommer", "label_en": "24 inch"},
            {"value": "27", "label_nb": "27 tommer", "label_en": "27 inch"},
        ],
    )
    return item


GOOD = {"rom": "3.12", "antall_kabler": "2", "storrelse": "27"}


def test_a_line_keeps_the_answers_and_the_catalogue_price(employee, monitor):
    line = add_to_cart(employee, monitor, 2, **GOOD)
    assert line.quantity == 2
    assert line.unit_price == Decimal("2490")
    assert line.answers == {"rom": "3.12", "antall_kabler": "2", "storrelse": "27"}
    assert line.order.state == Order.State.CART and line.order.requester == employee
    assert line.state == S.DRAFT


def test_the_same_item_with_the_same_answers_adds_to_its_line(employee, monitor):
    add_to_cart(employee, monitor, 1, **GOOD)
    line = add_to_cart(employee, monitor, 2, **GOOD)
    assert OrderLine.objects.count() == 1 and line.quantity == 3
    add_to_cart(employee, monitor, 1, **{**GOOD, "storrelse": "24"})
    assert OrderLine.objects.count() == 2


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({**GOOD, "rom": ""}, "rom"),
        ({k: v for k, v in GOOD.items() if k != "rom"}, "rom"),
        ({**GOOD, "antall_kabler": "4"}, "antall_kabler"),
        ({**GOOD, "antall_kabler": "0"}, "antall_kabler"),
        ({**GOOD, "antall_kabler": "mange"}, "antall_kabler"),
        ({**GOOD, "storrelse": "32"}, "storrelse"),
    ],
    ids=["empty-required", "missing-required", "above-max", "below-min", "not-a-number", "not-an-option"],
)
def test_bad_answers_are_refused_with_a_message_per_question(employee, monitor, answers, field):
    with pytest.raises(ValidationError) as caught:
        add_to_cart(employee, monitor, 1, **answers)
    assert set(caught.value.message_dict) == {field}
    assert caught.value.message_dict[field][0]  # a message, not just a code
    assert nothing_saved()


@pytest.mark.parametrize("quantity", ["0", "-1", "6", "", "1.5", "to"])
def test_a_quantity_outside_1_to_the_maximum_is_refused(employee, monitor, quantity):
    with pytest.raises(ValidationError) as caught:
        services.cart_add(
            user=employee, code=monitor.code, quantity=quantity, data=answer_data(quantity, **GOOD)
        )
    assert set(caught.value.message_dict) == {"quantity"}
    assert nothing_saved()


@pytest.mark.parametrize("price", ["1", "0", "2490.01", "gratis"])
def test_a_tampered_price_is_refused(employee, monitor, price):
    data = {**answer_data(1, **GOOD), "unit_price": price}
    with pytest.raises(ValidationError, match="price comes from the catalogue"):
        services.cart_add(user=employee, code=monitor.code, quantity=1, data=data)
    assert nothing_saved()


def test_the_real_price_posted_along_is_harmless(employee, monitor):
    data = {**answer_data(1, **GOOD), "price": "2490.00"}
    line = services.cart_add(user=employee, code=monitor.code, quantity=1, data=data)
    assert line.unit_price == Decimal("2490")


def test_an_item_the_user_may_not_see_is_not_found(employee, other_employee, equipment_service):
    secret = CatalogItemFactory(service=equipment_service)
    secret.visible_to_org_units.add(other_employee.org_unit)
    draft = CatalogItemFactory(service=equipment_service, state=CatalogItem.State.DRAFT)
    for item in (secret, draft):
        with pytest.raises(Http404):
            add_to_cart(employee, item)
    with pytest.raises(Http404):
        services.cart_add(user=employee, code="finnes-ikke", quantity=1, data={})
    assert nothing_saved()


def test_a_retired_item_cannot_be_ordered(employee, equipment_service):
    old = CatalogItemFactory(service=equipment_service, state=CatalogItem.State.RETIRED)
    with pytest.raises(ItemNotOrderable):
        add_to_cart(employee, old)
    assert nothing_saved()


def test_only_the_owner_changes_a_cart_line(employee, other_employee, laptop):
    line = add_to_cart(employee, laptop)
    with pytest.raises(PermissionDenied):
        services.cart_line_update(user=other_employee, line=line, quantity=2)
    with pytest.raises(PermissionDenied):
        services.cart_line_remove(user=other_employee, line=line)
    with pytest.raises(ValidationError):
        services.cart_line_update(user=employee, line=line, quantity=99)
    assert services.cart_line_update(user=employee, line=line, quantity=3).quantity == 3
    services.cart_line_remove(user=employee, line=line)
    assert not OrderLine.objects.exists()


# --- Submitting -----------------------------------------------------------------------------------------------


def test_submitting_numbers_the_order_and_creates_a_request_ticket_per_line(
    employee, other_employee, laptop, monitor
):
    add_to_cart(employee, monitor, 2, **GOOD)
    order = place_order(employee, laptop, recipient=other_employee)
    assert re.fullmatch(r"ORD-\d{4}-\d{6}", order.number)
    assert order.state == Order.State.SUBMITTED and order.submitted_at
    assert order.recipient == other_employee
    assert order.delivery_location == other_employee.office_location  # the recipient's office by default
    lines = list(order.lines.select_related("ticket").order_by("position"))
    assert [line.state for line in lines] == [S.APPROVED, S.APPROVED]
    screen = lines[0].ticket
    assert screen.kind == Kind.REQUEST and screen.number.startswith("REQ-")
    assert screen.title == "Skjerm × 2"
    assert screen.requester == other_employee and screen.created_by == employee
    assert screen.service == monitor.service and screen.support_group == laptop.service.support_group
    assert screen.status == Status.NEW
    assert "Størrelse:** 27 inch" in screen.description and order.number in screen.description
    assert lines[0].support_group == monitor.service.support_group
    second = place_order(employee, laptop)
    assert int(second.number[-6:]) == int(order.number[-6:]) + 1


def test_the_price_is_taken_again_from_the_catalogue_at_submit(employee, laptop):
    add_to_cart(employee, laptop)
    CatalogItem.objects.filter(pk=laptop.pk).update(price=Decimal("9990"))
    order = services.order_submit(user=employee)
    assert order.lines.get().unit_price == Decimal("9990")


def test_the_fulfilment_group_of_the_item_wins_over_the_services(employee, laptop):
    other = SupportGroupFactory()
    CatalogItem.objects.filter(pk=laptop.pk).update(fulfilment_group=other)
    line = place_order(employee, laptop).lines.get()
    assert line.support_group == other and line.ticket.support_group == other


def test_an_empty_cart_cannot_be_sent(employee):
    with pytest.raises(ValidationError, match="empty"):
        services.order_submit(user=employee)


def test_the_recipient_must_be_active(employee, other_employee, laptop):
    other_employee.is_active = False
    other_employee.save()
    add_to_cart(employee, laptop)
    with pytest.raises(ValidationError) as caught:
        services.order_submit(user=employee, recipient=other_employee)
    assert "recipient" in caught.value.message_dict
    assert Order.objects.get().state == Order.State.CART


def test_what_was_retired_while_in_the_cart_is_refused_and_nothing_is_submitted(employee, laptop, monitor):
    add_to_cart(employee, laptop)
    add_to_cart(employee, monitor, **GOOD)
    CatalogItem.objects.filter(pk=monitor.pk).update(state=CatalogItem.State.RETIRED)
    with pytest.raises(ValidationError, match="Skjerm"):
        services.order_submit(user=employee)
    cart = Order.objects.get()
    assert cart.state == Order.State.CART and cart.number is None
    assert set(cart.lines.values_list("state", flat=True)) == {S.DRAFT}
    assert not cart.lines.filter(ticket__isnull=False).exists()


def test_answers_are_checked_again_at_submit(employee, monitor):
    add_to_cart(employee, monitor, **GOOD)
    OrderQuestionFactory(item=monitor, key="ny", label_nb="Nytt spørsmål", required=True)
    with pytest.raises(ValidationError, match="Nytt spørsmål"):
        services.order_submit(user=employee)
    assert Order.objects.get().state == Order.State.CART


# --- Approval routing ------------------------------------------------------------------------------------------


def test_no_approval_policy_approves_at_once(employee, laptop):
    line = place_order(employee, laptop).lines.get()
    assert line.state == S.APPROVED and line.approved_at
    assert not line.approvals.exists()
    assert line.ticket.status == Status.NEW


def test_manager_policy_routes_to_the_recipients_manager(employee, employee_in_team, manager, laptop):
    CatalogItem.objects.filter(pk=laptop.pk).update(approval_policy=CatalogItem.ApprovalPolicy.MANAGER)
    line = place_order(employee, laptop, recipient=employee_in_team).lines.get()
    approval = line.approvals.get()
    assert approval.approver == manager and approval.approver_group is None
    assert line.state == S.AWAITING_APPROVAL
    line.ticket.refresh_from_db()
    assert (line.ticket.status, line.ticket.pending_reason) == (Status.PENDING, PendingReason.APPROVAL)


@pytest.mark.parametrize(("quantity", "needs"), [(1, False), (2, True)])
def test_manager_above_threshold_only_when_the_line_total_is_above_it(
    employee_in_team, manager, laptop, quantity, needs
):
    CatalogItem.objects.filter(pk=laptop.pk).update(
        approval_policy=CatalogItem.ApprovalPolicy.MANAGER_ABOVE_THRESHOLD,
        approval_threshold=Decimal("15000"),
    )
    line = place_order(employee_in_team, laptop, quantity=quantity).lines.get()
    assert line.approvals.filter(approver=manager).exists() is needs
    assert line.state == (S.AWAITING_APPROVAL if needs else S.APPROVED)


def test_group_policy_routes_to_the_approver_group(employee, other_employee, laptop):
    group = ApproverGroupFactory(members_list=[other_employee])
    CatalogItem.objects.filter(pk=laptop.pk).update(
        approval_policy=CatalogItem.ApprovalPolicy.GROUP, approver_group=group
    )
    approval = place_order(employee, laptop).lines.get().approvals.get()
    assert approval.approver_group == group and approval.approver is None


def test_without_a_manager_the_fulfilling_groups_lead_approves(employee, laptop, warehouse):
    lead = UserFactory(username="gruppeleder")
    warehouse.lead = lead
    warehouse.save()
    CatalogItem.objects.filter(pk=laptop.pk).update(approval_policy=CatalogItem.ApprovalPolicy.MANAGER)
    assert employee.manager is None
    assert place_order(employee, laptop).lines.get().approvals.get().approver == lead


def test_without_a_manager_or_a_lead_the_order_is_refused(employee, laptop):
    CatalogItem.objects.filter(pk=laptop.pk).update(approval_policy=CatalogItem.ApprovalPolicy.MANAGER)
    with pytest.raises(ValidationError, match="Nobody can approve"):
        place_order(employee, laptop)
    assert Order.objects.get().state == Order.State.CART
    assert not Approval.objects.exists()


def test_a_justification_is_needed_when_something_must_be_approved(employee_in_team, laptop):
    CatalogItem.objects.filter(pk=laptop.pk).update(approval_policy=CatalogItem.ApprovalPolicy.MANAGER)
    with pytest.raises(ValidationError) as caught:
        place_order(employee_in_team, laptop, justification=" ")
    assert "justification" in caught.value.message_dict


def test_the_approver_gets_an_email_with_a_link_to_the_approval(
    employee_in_team, manager, laptop, settings, django_capture_on_commit_callbacks
):
    settings.SERVICEDESK_BASE_URL = "https://servicedesk.eksempel.no"
    CatalogItem.objects.filter(pk=laptop.pk).update(approval_policy=CatalogItem.ApprovalPolicy.MANAGER)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(employee_in_team, laptop)
    approval = order.lines.get().approvals.get()
    sent = [m for m in mail.outbox if m.to == [manager.email]]
    assert len(sent) == 1
    assert order.number in sent[0].subject
    assert f"https://servicedesk.eksempel.no/approvals/{approval.pk}/" in sent[0].body
    assert Notification.objects.filter(recipient=manager, kind="approval_requested").exists()


# --- Decisions -------------------------------------------------------------------------------------------------


@pytest.fixture
def two_lines_for_approval(employee_in_team, manager, laptop, equipment_service):
    """An order of two lines that both need the manager's approval."""
    mouse = CatalogItemFactory(
        code="mus",
        service=equipment_service,
        name_nb="Mus",
        price=Decimal("299"),
        approval_policy=CatalogItem.ApprovalPolicy.MANAGER,
    )
    CatalogItem.objects.filter(pk=laptop.pk).update(approval_policy=CatalogItem.ApprovalPolicy.MANAGER)
    order = place_order(employee_in_team, laptop, mouse)
    return order, list(order.lines.order_by("position"))


def test_approving_puts_the_line_in_the_fulfilment_queue(manager, two_lines_for_approval):
    _order, (first, _second) = two_lines_for_approval
    services.approval_decide(user=manager, approval=first.approvals.get(), decision="approved", comment="")
    first.refresh_from_db()
    first.ticket.refresh_from_db()
    assert first.state == S.APPROVED and first.approved_at
    assert first.ticket.status == Status.NEW and first.ticket.pending_reason == ""
    event = first.ticket.events.filter(type=TicketEvent.Type.STATUS).last()
    assert event.data["to"] == Status.NEW and "Siri Sjef" in event.body
    approval = first.approvals.get()
    assert (approval.decision, approval.decided_by) == (Approval.Decision.APPROVED, manager)


def test_rejecting_needs_a_comment(manager, two_lines_for_approval):
    _order, (first, _second) = two_lines_for_approval
    with pytest.raises(ValidationError) as caught:
        services.approval_decide(
            user=manager, approval=first.approvals.get(), decision="rejected", comment=" "
        )
    assert "comment" in caught.value.message_dict
    assert first.approvals.get().decision == Approval.Decision.PENDING


def test_a_rejected_line_closes_with_the_reason_and_the_rest_go_on(
    manager, employee_in_team, two_lines_for_approval, django_capture_on_commit_callbacks
):
    order, (first, second) = two_lines_for_approval
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approval_decide(
            user=manager, approval=first.approvals.get(), decision="rejected", comment="Du har fått en i år."
        )
    first.refresh_from_db()
    first.ticket.refresh_from_db()
    assert first.state == S.REJECTED and first.rejection_reason == "Du har fått en i år."
    assert first.ticket.status == Status.CANCELLED
    assert "Du har fått en i år." in first.ticket.resolution_note
    assert [m.to for m in mail.outbox] == [[employee_in_team.email]]
    assert "Du har fått en i år." in mail.outbox[0].body
    order.refresh_from_db()
    assert order.state == Order.State.SUBMITTED  # the mouse still waits
    services.approval_decide(user=manager, approval=second.approvals.get(), decision="approved")
    second.refresh_from_db()
    assert second.state == S.APPROVED


def test_only_the_routed_approver_decides(other_employee, two_lines_for_approval):
    _order, (first, _second) = two_lines_for_approval
    with pytest.raises(PermissionDenied):
        services.approval_decide(user=other_employee, approval=first.approvals.get(), decision="approved")


def test_any_member_of_the_approver_group_decides_once(employee, other_employee, laptop):
    third = UserFactory()
    group = ApproverGroupFactory(members_list=[other_employee, third])
    CatalogItem.objects.filter(pk=laptop.pk).update(
        approval_policy=CatalogItem.ApprovalPolicy.GROUP, approver_group=group
    )
    approval = place_order(employee, laptop).lines.get().approvals.get()
    with pytest.raises(PermissionDenied):
        services.approval_decide(user=employee, approval=approval, decision="approved")
    services.approval_decide(user=third, approval=approval, decision="approved")
    with pytest.raises(LineTransitionNotAllowed, match="already been decided"):
        services.approval_decide(user=other_employee, approval=approval, decision="rejected", comment="Nei")


def test_the_order_completes_when_every_line_is_finished(manager, two_lines_for_approval, employee_in_team):
    order, (first, second) = two_lines_for_approval
    services.approval_decide(user=manager, approval=first.approvals.get(), decision="rejected", comment="Nei")
    services.line_cancel(line=second, actor=employee_in_team, reason="Trenger den ikke likevel")
    order.refresh_from_db()
    assert order.state == Order.State.COMPLETED and order.completed_at
    assert second.approvals.get().decision == Approval.Decision.WITHDRAWN


# --- Cancelling ------------------------------------------------------------------------------------------------


def test_the_orderer_and_the_recipient_may_cancel_before_fulfilment(
    employee, other_employee, laptop, warehouse_agent
):
    order = place_order(employee, laptop, laptop, recipient=other_employee)
    first = order.lines.get()  # the same item twice is one line of two
    assert first.quantity == 2
    with pytest.raises(LineTransitionNotAllowed):
        services.line_cancel(line=first, actor=warehouse_agent)
    services.line_cancel(line=first, actor=other_employee)
    first.refresh_from_db()
    first.ticket.refresh_from_db()
    assert first.state == S.CANCELLED and first.ticket.status == Status.CANCELLED


def test_no_cancelling_after_fulfilment_started(employee, laptop, warehouse_agent):
    line = place_order(employee, laptop).lines.get()
    services.line_start_fulfilment(line=line, actor=warehouse_agent)
    with pytest.raises(LineTransitionNotAllowed, match="no longer be cancelled"):
        services.line_cancel(line=line, actor=employee)


# --- Fulfilment ------------------------------------------------------------------------------------------------


def test_starting_creates_the_tasks_and_takes_the_ticket(
    employee, laptop, warehouse_agent, equipment_service
):
    line = place_order(employee, laptop).lines.get()
    services.line_start_fulfilment(line=line, actor=warehouse_agent)
    line.refresh_from_db()
    line.ticket.refresh_from_db()
    assert line.state == S.IN_FULFILMENT
    assert list(line.tasks.values_list("kind", flat=True)) == ["pick", "configure", "deliver"]
    assert line.ticket.status == Status.IN_PROGRESS and line.ticket.assignee == warehouse_agent

    licence = CatalogItemFactory(service=equipment_service, kind=CatalogItem.Kind.LICENCE, stocked=False)
    other = place_order(employee, licence).lines.get()
    services.line_start_fulfilment(line=other, actor=warehouse_agent)
    assert list(other.tasks.values_list("kind", flat=True)) == ["order", "deliver"]


def test_an_agent_of_another_group_may_not_fulfil(employee, laptop, network_group):
    line = place_order(employee, laptop).lines.get()
    outsider = network_group.members.get()
    with pytest.raises(PermissionDenied):
        services.line_start_fulfilment(line=line, actor=outsider)
    with pytest.raises(PermissionDenied):
        services.line_start_fulfilment(line=line, actor=employee)


def _started(employee, item, agent, quantity=1):
    line = place_order(employee, item, quantity=quantity).lines.get()
    return services.line_start_fulfilment(line=line, actor=agent)


def test_picking_takes_the_units_out_of_stock(employee, laptop, warehouse_agent):
    line = _started(employee, laptop, warehouse_agent, quantity=3)
    assert services.stock_pick(line=line, actor=warehouse_agent) == 7
    laptop.refresh_from_db()
    assert laptop.stock_count == 7
    assert line.tasks.get(kind="pick").done_by == warehouse_agent
    note = line.ticket.events.filter(type=TicketEvent.Type.NOTE).last()
    assert not note.is_public and "7" in note.body
    with pytest.raises(LineTransitionNotAllowed, match="already done"):
        services.stock_pick(line=line, actor=warehouse_agent)
    assert CatalogItem.objects.get(pk=laptop.pk).stock_count == 7


def test_picking_more_than_there_is_is_refused_and_the_stock_stays(employee, laptop, warehouse_agent):
    CatalogItem.objects.filter(pk=laptop.pk).update(stock_count=1)
    line = _started(employee, laptop, warehouse_agent, quantity=2)
    with pytest.raises(services.OutOfStock, match="1 left, 2 needed"):
        services.stock_pick(line=line, actor=warehouse_agent)
    assert CatalogItem.objects.get(pk=laptop.pk).stock_count == 1
    assert line.tasks.get(kind="pick").done_at is None
    services.line_order_from_supplier(line=line, actor=warehouse_agent)
    assert list(line.tasks.values_list("kind", flat=True)) == ["order", "configure", "deliver"]


def test_low_stock_warns_the_group(
    employee, laptop, warehouse_agent, warehouse, django_capture_on_commit_callbacks
):
    CatalogItem.objects.filter(pk=laptop.pk).update(stock_count=3, reorder_level=2)
    line = _started(employee, laptop, warehouse_agent)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.stock_pick(line=line, actor=warehouse_agent) == 2
    warning = Notification.objects.get(kind="low_stock")
    assert warning.recipient == warehouse_agent and "Bærbar PC" in warning.subject
    assert [m.to for m in mail.outbox] == [[warehouse_agent.email]]


def test_tasks_are_ticked_and_delivery_registers_one_asset_per_unit(employee, laptop, warehouse_agent):
    line = _started(employee, laptop, warehouse_agent, quantity=2)
    deliver = [
        {"asset_tag": "EK-0001", "serial_number": "SN1", "warranty_end": None},
        {"asset_tag": "EK-0002", "serial_number": "SN2", "warranty_end": None},
    ]
    with pytest.raises(LineTransitionNotAllowed, match="Finish these tasks first"):
        services.line_deliver(line=line, actor=warehouse_agent, assets=deliver)
    services.stock_pick(line=line, actor=warehouse_agent)
    with pytest.raises(LineTransitionNotAllowed, match="Pick from stock"):
        services.task_complete(task=line.tasks.get(kind="pick"), actor=warehouse_agent)
    services.task_complete(task=line.tasks.get(kind="configure"), actor=warehouse_agent)
    with pytest.raises(ValidationError) as caught:
        services.line_deliver(
            line=line, actor=warehouse_agent, assets=[deliver[0], {**deliver[1], "asset_tag": "EK-0001"}]
        )
    assert "asset_tag_1" in caught.value.message_dict
    assert not Asset.objects.exists()

    services.line_deliver(line=line, actor=warehouse_agent, assets=deliver)
    line.refresh_from_db()
    line.ticket.refresh_from_db()
    assert line.state == S.DELIVERED and line.delivered_at
    assets = list(Asset.objects.order_by("asset_tag"))
    assert [a.asset_tag for a in assets] == ["EK-0001", "EK-0002"]
    assert all(a.holder == employee and a.order_line == line and a.warranty_end for a in assets)
    assert line.ticket.status == Status.RESOLVED and "EK-0001" in line.ticket.resolution_note
    assert line.tasks.filter(done_at__isnull=True).count() == 0

    services.line_close(line=line, actor=employee)
    line.refresh_from_db()
    line.ticket.refresh_from_db()
    line.order.refresh_from_db()
    assert line.state == S.CLOSED and line.ticket.status == Status.CLOSED
    assert line.order.state == Order.State.COMPLETED


def test_an_asset_tag_already_registered_is_refused(employee, laptop, warehouse_agent):
    Asset.objects.create(asset_tag="EK-0001", item=laptop)
    CatalogItem.objects.filter(pk=laptop.pk).update(stocked=False)
    laptop.refresh_from_db()
    line = _started(employee, laptop, warehouse_agent)
    for task in line.tasks.exclude(kind="deliver"):
        services.task_complete(task=task, actor=warehouse_agent)
    with pytest.raises(ValidationError) as caught:
        services.line_deliver(line=line, actor=warehouse_agent, assets=[{"asset_tag": "EK-0001"}])
    assert "asset_tag_0" in caught.value.message_dict
    line.refresh_from_db()
    assert line.state == S.IN_FULFILMENT


def test_ready_for_pickup_waits_for_the_requester(employee, laptop, warehouse_agent):
    line = _started(employee, laptop, warehouse_agent)
    services.stock_pick(line=line, actor=warehouse_agent)
    services.task_complete(task=line.tasks.get(kind="configure"), actor=warehouse_agent)
    services.line_ready(line=line, actor=warehouse_agent)
    line.refresh_from_db()
    line.ticket.refresh_from_db()
    assert line.state == S.READY
    assert (line.ticket.status, line.ticket.pending_reason) == (Status.PENDING, PendingReason.REQUESTER)
    services.line_deliver(line=line, actor=warehouse_agent, assets=[{"asset_tag": "EK-9"}])
    line.ticket.refresh_from_db()
    assert line.ticket.status == Status.RESOLVED


def test_other_kinds_deliver_without_assets(employee, warehouse_agent, equipment_service):
    licence = CatalogItemFactory(service=equipment_service, kind=CatalogItem.Kind.LICENCE)
    line = _started(employee, licence, warehouse_agent)
    services.task_complete(
        task=line.tasks.get(kind=FulfilmentTask.Kind.ORDER_FROM_SUPPLIER), actor=warehouse_agent
    )
    services.line_deliver(line=line, actor=warehouse_agent)
    assert OrderLine.objects.get(pk=line.pk).state == S.DELIVERED
    assert not Asset.objects.exists()


# --- Closing delivered lines (the periodic job) ----------------------------------------------------------

OSLO = dt.timezone(dt.timedelta(hours=1))  # Norwegian winter time
NOW = dt.datetime(2030, 1, 23, 10, 0, tzinfo=OSLO)  # a Wednesday; later than the orders' real timestamps


def _delivered_at(employee, agent, service, when):
    """Place, fulfil and deliver a licence (no assets to register), delivered at `when`."""
    licence = CatalogItemFactory(service=service, kind=CatalogItem.Kind.LICENCE)
    line = _started(employee, licence, agent)
    services.task_complete(task=line.tasks.get(kind=FulfilmentTask.Kind.ORDER_FROM_SUPPLIER), actor=agent)
    return services.line_deliver(line=line, actor=agent, now=when)


def test_lines_delivered_long_enough_ago_close_with_their_ticket_and_order(
    employee, warehouse_agent, equipment_service
):
    old = _delivered_at(
        employee, warehouse_agent, equipment_service, dt.datetime(2030, 1, 15, 10, tzinfo=OSLO)
    )
    recent = _delivered_at(
        employee, warehouse_agent, equipment_service, dt.datetime(2030, 1, 21, 10, tzinfo=OSLO)
    )

    assert services.close_delivered(now=NOW, business_days=5) == 1

    old.refresh_from_db()
    old.ticket.refresh_from_db()
    old.order.refresh_from_db()
    assert (old.state, old.closed_at) == (S.CLOSED, NOW)
    assert (old.ticket.status, old.ticket.closed_at) == (Status.CLOSED, NOW)
    assert (old.order.state, old.order.completed_at) == (Order.State.COMPLETED, NOW)
    event = old.ticket.events.filter(type=TicketEvent.Type.STATUS).last()
    assert (event.author, event.created_at, event.data["to"]) == (None, NOW, Status.CLOSED)
    assert event.body.startswith("Closed automatically: delivered on ")

    recent.refresh_from_db()
    recent.ticket.refresh_from_db()
    recent.order.refresh_from_db()
    assert recent.state == S.DELIVERED and recent.ticket.status == Status.RESOLVED
    assert recent.order.state == Order.State.SUBMITTED
    # Nothing is left to close: the job can run again and again.
    assert services.close_delivered(now=NOW, business_days=5) == 0


def test_a_line_whose_ticket_the_tickets_job_closed_still_closes(
    employee, warehouse_agent, equipment_service
):
    from tickets.services import close_resolved

    line = _delivered_at(
        employee, warehouse_agent, equipment_service, dt.datetime(2030, 1, 15, 10, tzinfo=OSLO)
    )
    assert close_resolved(now=NOW, business_days=5) == 1
    events_before = line.ticket.events.count()

    assert services.close_delivered(now=NOW, business_days=5) == 1

    line.refresh_from_db()
    line.ticket.refresh_from_db()
    line.order.refresh_from_db()
    assert line.state == S.CLOSED and line.ticket.status == Status.CLOSED
    assert line.order.state == Order.State.COMPLETED
    assert line.ticket.events.count() == events_before  # the tickets job already wrote the close


def test_a_line_whose_ticket_was_reopened_is_left_for_the_agent(employee, warehouse_agent, equipment_service):
    from tickets import services as ticket_services
    from tickets.transitions import Move

    line = _delivered_at(
        employee, warehouse_agent, equipment_service, dt.datetime(2030, 1, 15, 10, tzinfo=OSLO)
    )
    ticket_services.ticket_transition(
        ticket=line.ticket,
        actor=employee,
        move=Move(to=Status.IN_PROGRESS, reason="The licence key does not work."),
        version=None,
        now=dt.datetime(2030, 1, 16, 9, tzinfo=OSLO),
    )

    assert services.close_delivered(now=NOW, business_days=5) == 0
    line.refresh_from_db()
    assert line.state == S.DELIVERED


def test_an_agent_closing_a_line_is_named_on_the_timeline(employee, warehouse_agent, equipment_service):
    line = _delivered_at(
        employee, warehouse_agent, equipment_service, dt.datetime(2030, 1, 15, 10, tzinfo=OSLO)
    )
    services.line_close(line=line, actor=warehouse_agent, now=NOW)
    event = line.ticket.events.filter(type=TicketEvent.Type.STATUS).last()
    assert event.body == f"Closed by {warehouse_agent}."
