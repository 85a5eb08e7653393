"""The order pages: htmx fragments and events, form errors as 4xx, and scoping — other people's orders,
approvals and fulfilment lines are not found, whatever URL is typed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import CatalogItem, OrderQuestion
from orders import services
from orders.models import Approval, Order, OrderLine
from tests.factories import UserFactory
from tests.orders.factories import (
    ApproverGroupFactory,
    CatalogItemFactory,
    OrderQuestionFactory,
    add_to_cart,
    answer_data,
    place_order,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def htmx_to(target: str) -> dict:
    return {**HTMX, "HTTP_HX_TARGET": target}


@pytest.fixture
def headset(equipment_service):
    item = CatalogItemFactory(
        code="hodetelefoner", service=equipment_service, name_nb="Hodetelefoner", price=Decimal("899")
    )
    OrderQuestionFactory(
        item=item,
        key="farge",
        type=OrderQuestion.Type.CHOICE,
        label_nb="Farge",
        choices=[{"value": "svart", "label_nb": "Svart", "label_en": "Black"}],
    )
    return item


# --- Adding from the item page -------------------------------------------------------------------------------


def test_adding_from_the_item_page_answers_with_a_fragment_and_a_cart_event(client, employee, headset):
    client.force_login(employee)
    response = client.post(
        reverse("orders:cart_add", args=[headset.code]), answer_data(2, farge="svart"), **HTMX
    )
    assert response.status_code == 200
    assert 'id="order-form"' in response.content.decode()
    assert '"cartChanged": {"count": 2}' in response["HX-Trigger"]
    assert OrderLine.objects.get().quantity == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (answer_data(1), "Farge"),
        (answer_data(1, farge="rosa"), "Farge"),
        (answer_data(0, farge="svart"), "at least 1"),
        (answer_data(-3, farge="svart"), "at least 1"),
        ({**answer_data(1, farge="svart"), "unit_price": "1"}, "price comes from the catalogue"),
    ],
    ids=["missing-answer", "not-an-option", "zero", "negative", "tampered-price"],
)
def test_a_refused_line_comes_back_in_the_order_form_with_400(client, employee, headset, data, message):
    client.force_login(employee)
    response = client.post(reverse("orders:cart_add", args=[headset.code]), data, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="order-form"' in html and "ds-error-summary" in html
    assert message in html
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_an_invisible_item_is_404_and_a_retired_one_409(client, employee, other_employee, equipment_service):
    client.force_login(employee)
    secret = CatalogItemFactory(service=equipment_service)
    secret.visible_to_org_units.add(other_employee.org_unit)
    retired = CatalogItemFactory(service=equipment_service, state=CatalogItem.State.RETIRED)
    assert client.post(reverse("orders:cart_add", args=[secret.code]), answer_data(1)).status_code == 404
    assert client.post(reverse("orders:cart_add", args=["ukjent"]), answer_data(1)).status_code == 404
    response = client.post(reverse("orders:cart_add", args=[retired.code]), answer_data(1), **HTMX)
    assert response.status_code == 409 and "can no longer be ordered" in response.content.decode()
    assert not OrderLine.objects.exists()


def test_without_javascript_adding_goes_to_the_cart(client, employee, laptop):
    client.force_login(employee)
    response = client.post(reverse("orders:cart_add", args=[laptop.code]), answer_data(1))
    assert response.status_code == 302 and response["Location"] == reverse("orders:cart")


# --- The cart page ----------------------------------------------------------------------------------------------


def test_the_cart_updates_and_removes_lines_in_place(client, employee, laptop, headset):
    client.force_login(employee)
    line = add_to_cart(employee, laptop)
    add_to_cart(employee, headset, farge="svart")
    page = client.get(reverse("orders:cart"))
    assert page.status_code == 200
    assert "Bærbar PC" in page.content.decode() and 'id="checkout-form"' in page.content.decode()

    response = client.post(reverse("orders:cart_line_update", args=[line.pk]), {"quantity": "3"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="cart-lines"') and "<html" not in html
    assert '"cartChanged": {"count": 4}' in response["HX-Trigger"]
    assert 'role="status">Bærbar PC: the quantity is now 3.' in html

    response = client.post(reverse("orders:cart_line_update", args=[line.pk]), {"quantity": "0"}, **HTMX)
    assert response.status_code == 400 and "HX-Trigger" not in response
    assert 'aria-invalid="true"' in response.content.decode()
    assert OrderLine.objects.get(pk=line.pk).quantity == 3

    response = client.post(reverse("orders:cart_line_remove", args=[line.pk]), **HTMX)
    assert response.status_code == 200 and '"count": 1' in response["HX-Trigger"]
    assert not OrderLine.objects.filter(pk=line.pk).exists()


def test_removing_the_last_line_hides_the_checkout(client, employee, laptop):
    client.force_login(employee)
    line = add_to_cart(employee, laptop)
    html = client.post(reverse("orders:cart_line_remove", args=[line.pk]), **HTMX).content.decode()
    assert "Your cart is empty." in html and '<div id="checkout" hx-swap-oob="true"></div>' in html


def test_another_persons_cart_line_is_not_found(client, employee, other_employee, laptop):
    line = add_to_cart(employee, laptop)
    client.force_login(other_employee)
    assert (
        client.post(reverse("orders:cart_line_update", args=[line.pk]), {"quantity": "2"}).status_code == 404
    )
    assert client.post(reverse("orders:cart_line_remove", args=[line.pk])).status_code == 404
    assert OrderLine.objects.get(pk=line.pk).quantity == 1


def test_the_badge_counts_the_units_in_the_cart(client, employee, laptop):
    client.force_login(employee)
    assert client.get(reverse("orders:cart_badge")).content.decode().strip() == ""
    add_to_cart(employee, laptop, 2)
    html = client.get(reverse("orders:cart_badge")).content.decode()
    assert "2 items in the cart" in html
    page = client.get(reverse("orders:cart")).content.decode()
    assert 'hx-trigger="load, cartChanged from:body"' in page


def test_checkout_for_a_colleague_goes_to_the_order_page(client, employee, other_employee, laptop):
    client.force_login(employee)
    add_to_cart(employee, laptop)
    response = client.post(
        reverse("orders:checkout"),
        {
            "for_whom": "colleague",
            "recipient": str(other_employee.pk),
            "delivery_location": "",
            "justification": "",
        },
    )
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "orders:order_detail", args=[order.number]
    )
    assert order.recipient == other_employee and order.state == Order.State.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert order.number in page and "Bærbar PC" in page


def test_checkout_for_a_colleague_without_choosing_one_is_a_form_error(client, employee, laptop):
    client.force_login(employee)
    add_to_cart(employee, laptop)
    response = client.post(reverse("orders:checkout"), {"for_whom": "colleague", "recipient-search": "Ola"})
    assert response.status_code == 400
    assert "ds-error-summary" in response.content.decode()
    assert Order.objects.get().state == Order.State.CART


def test_the_colleague_lookup_lists_matches_as_radio_buttons(client, employee, other_employee):
    client.force_login(employee)
    html = client.get(reverse("orders:colleagues"), {"recipient-search": "Ola"}).content.decode()
    assert f'name="recipient" id="recipient-person-{other_employee.pk}" value="{other_employee.pk}"' in html


# --- My orders and the order page -----------------------------------------------------------------------------


def test_my_orders_lists_mine_and_those_for_me_and_polls(client, employee, other_employee, laptop):
    mine = place_order(employee, laptop)
    for_me = place_order(other_employee, laptop, recipient=employee)
    theirs = place_order(other_employee, laptop)
    client.force_login(employee)
    html = client.get(reverse("orders:my_orders")).content.decode()
    assert mine.number in html and for_me.number in html and theirs.number not in html
    assert 'hx-trigger="every 20s"' in html
    fragment = client.get(reverse("orders:my_orders"), **HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="order-list"') and mine.number in fragment


def test_an_order_page_is_for_the_orderer_and_the_recipient_only(client, employee, other_employee, laptop):
    order = place_order(employee, laptop, recipient=other_employee)
    url = reverse("orders:order_detail", args=[order.number])
    for user, status in ((employee, 200), (other_employee, 200), (UserFactory(), 404)):
        client.force_login(user)
        assert client.get(url).status_code == status
    client.force_login(UserFactory(roles=["agent"]))
    assert client.get(url).status_code == 404
    assert client.get(reverse("orders:order_detail", args=["ORD-2026-999999"])).status_code == 404


def test_cancelling_a_line_replaces_it_in_place(client, employee, other_employee, laptop):
    order = place_order(employee, laptop)
    line = order.lines.get()
    url = reverse("orders:line_cancel", args=[order.number, line.pk])
    client.force_login(other_employee)
    assert client.post(url, {}, **HTMX).status_code == 404
    client.force_login(employee)
    response = client.post(url, {f"cancel-{line.pk}-reason": "Feil bestilling"}, **htmx_to(f"line-{line.pk}"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="ds-card sd-card" id="line-{line.pk}"')
    assert 'data-state="cancelled">Cancelled<' in html and "Feil bestilling" in html
    assert "orderLineChanged" in response["HX-Trigger"]
    assert client.post(url, {}, **HTMX).status_code == 400  # a second time: already cancelled


# --- Approvals -----------------------------------------------------------------------------------------------


@pytest.fixture
def waiting_approval(employee_in_team, laptop):
    CatalogItem.objects.filter(pk=laptop.pk).update(approval_policy=CatalogItem.ApprovalPolicy.MANAGER)
    return place_order(employee_in_team, laptop).lines.get().approvals.get()


def test_the_approver_sees_what_is_routed_to_them_and_nobody_else_does(
    client, manager, waiting_approval, other_employee
):
    client.force_login(manager)
    html = client.get(reverse("orders:approval_list")).content.decode()
    assert f'id="approval-{waiting_approval.pk}"' in html and "Mona Medarbeider" in html
    assert client.get(reverse("orders:approval_detail", args=[waiting_approval.pk])).status_code == 200
    client.force_login(other_employee)
    assert (
        f"approval-{waiting_approval.pk}" not in client.get(reverse("orders:approval_list")).content.decode()
    )
    assert client.get(reverse("orders:approval_detail", args=[waiting_approval.pk])).status_code == 404
    response = client.post(
        reverse("orders:approval_decide", args=[waiting_approval.pk]),
        {f"decision-{waiting_approval.pk}-decision": "approved"},
        **HTMX,
    )
    assert response.status_code == 404
    assert Approval.objects.get().decision == Approval.Decision.PENDING


def test_a_group_member_sees_the_groups_approvals(client, employee, other_employee, laptop):
    group = ApproverGroupFactory(members_list=[other_employee])
    CatalogItem.objects.filter(pk=laptop.pk).update(
        approval_policy=CatalogItem.ApprovalPolicy.GROUP, approver_group=group
    )
    approval = place_order(employee, laptop).lines.get().approvals.get()
    client.force_login(other_employee)
    assert client.get(reverse("orders:approval_detail", args=[approval.pk])).status_code == 200


def test_deciding_from_the_list_replaces_the_row(client, manager, waiting_approval):
    client.force_login(manager)
    url = reverse("orders:approval_decide", args=[waiting_approval.pk])
    prefix = f"decision-{waiting_approval.pk}"
    response = client.post(
        url,
        {f"{prefix}-decision": "rejected", f"{prefix}-comment": ""},
        **htmx_to(f"approval-{waiting_approval.pk}"),
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    response = client.post(
        url,
        {f"{prefix}-decision": "rejected", f"{prefix}-comment": "Ikke i år"},
        **htmx_to(f"approval-{waiting_approval.pk}"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="ds-card sd-card" id="approval-{waiting_approval.pk}"')
    assert "Rejected" in html and "Ikke i år" in html
    assert "approvalDecided" in response["HX-Trigger"]
    assert OrderLine.objects.get().state == OrderLine.State.REJECTED


def test_deciding_on_the_approval_page_replaces_the_decision_panel(client, manager, waiting_approval):
    client.force_login(manager)
    response = client.post(
        reverse("orders:approval_decide", args=[waiting_approval.pk]),
        {f"decision-{waiting_approval.pk}-decision": "approved"},
        **htmx_to("decision"),
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="decision"')
    assert OrderLine.objects.get().state == OrderLine.State.APPROVED


def test_an_email_link_needs_a_login(client, waiting_approval):
    response = client.get(reverse("orders:approval_detail", args=[waiting_approval.pk]))
    assert response.status_code == 302 and reverse("people:login") in response["Location"]


# --- Fulfilment ------------------------------------------------------------------------------------------------


def test_agents_see_only_their_groups_lines(client, employee, laptop, warehouse_agent, network_group):
    line = place_order(employee, laptop).lines.get()
    client.force_login(warehouse_agent)
    html = client.get(reverse("orders:fulfilment_queue")).content.decode()
    assert f'id="fulfil-{line.pk}"' in html
    assert client.get(reverse("orders:fulfilment_line", args=[line.pk])).status_code == 200
    client.force_login(network_group.members.get())
    assert f'id="fulfil-{line.pk}"' not in client.get(reverse("orders:fulfilment_queue")).content.decode()
    assert client.get(reverse("orders:fulfilment_line", args=[line.pk])).status_code == 404
    assert client.post(reverse("orders:fulfilment_action", args=[line.pk, "start"])).status_code == 404
    assert client.post(reverse("orders:stock_pick", args=[line.pk])).status_code == 404
    client.force_login(employee)
    assert client.get(reverse("orders:fulfilment_queue")).status_code == 403
    assert client.get(reverse("orders:fulfilment_line", args=[line.pk])).status_code == 403


def test_group_leads_see_every_groups_lines(client, employee, laptop):
    line = place_order(employee, laptop).lines.get()
    client.force_login(UserFactory(roles=["group_lead"]))
    assert client.get(reverse("orders:fulfilment_line", args=[line.pk])).status_code == 200


def test_fulfilling_on_the_line_page_with_htmx(client, employee, laptop, warehouse_agent):
    line = place_order(employee, laptop).lines.get()
    client.force_login(warehouse_agent)
    response = client.post(reverse("orders:fulfilment_action", args=[line.pk, "start"]), **HTMX)
    assert response.status_code == 200 and response.content.decode().lstrip().startswith('<section id="work"')
    response = client.post(reverse("orders:stock_pick", args=[line.pk]), **HTMX)
    assert response.status_code == 200 and "9 left" in response.content.decode()
    configure = line.tasks.get(kind="configure")
    response = client.post(reverse("orders:task_complete", args=[line.pk, configure.pk]), **HTMX)
    assert response.status_code == 200
    response = client.post(reverse("orders:line_deliver", args=[line.pk]), {"asset_tag_0": ""}, **HTMX)
    assert response.status_code == 400 and 'aria-invalid="true"' in response.content.decode()
    response = client.post(
        reverse("orders:line_deliver", args=[line.pk]),
        {"asset_tag_0": "EK-1", "serial_number_0": "S1"},
        **HTMX,
    )
    assert response.status_code == 200 and "Delivered" in response.content.decode()
    assert OrderLine.objects.get(pk=line.pk).state == OrderLine.State.DELIVERED
    assert client.post(reverse("orders:fulfilment_action", args=[line.pk, "nonsense"])).status_code == 404


def test_the_queue_warns_about_low_stock(client, employee, laptop, warehouse_agent):
    CatalogItem.objects.filter(pk=laptop.pk).update(stock_count=1, reorder_level=2)
    client.force_login(warehouse_agent)
    html = client.get(reverse("orders:fulfilment_queue")).content.decode()
    assert 'id="low-stock"' in html and "Bærbar PC: 1 left (reorder level 2)" in html


def test_out_of_stock_is_a_400_with_the_reason(client, employee, laptop, warehouse_agent):
    line = place_order(employee, laptop).lines.get()
    services.line_start_fulfilment(line=line, actor=warehouse_agent)
    CatalogItem.objects.filter(pk=laptop.pk).update(stock_count=0)
    client.force_login(warehouse_agent)
    response = client.post(reverse("orders:stock_pick", args=[line.pk]), **HTMX)
    assert response.status_code == 400 and "Not enough in stock" in response.content.decode()


# --- The menu --------------------------------------------------------------------------------------------------


def test_the_menu_shows_each_role_its_entries(client, employee, manager, warehouse_agent, team):
    def menu(user):
        client.force_login(user)
        return [area.url_name for area in client.get(reverse("orders:my_orders")).context["menu"]]

    assert {"orders:cart", "orders:my_orders"} <= set(menu(employee))
    assert "orders:approval_list" not in menu(employee)
    assert "orders:fulfilment_queue" not in menu(employee)
    assert "orders:approval_list" in menu(manager)  # manages a unit
    assert "orders:fulfilment_queue" in menu(warehouse_agent)
    assert "orders:approval_list" in menu(UserFactory(roles=["approver"]))
