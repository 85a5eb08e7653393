"""Placing orders through the API: the lines and their answers are checked exactly as the portal checks
them (orders.services.cart_add and order_submit), a refused line answers 400 at its index naming the
question, and nothing is half-written."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import translation
from rest_framework.test import APIClient

from api.tokens import token_create
from catalog.models import CatalogItem, OrderQuestion
from orders.models import Order, OrderLine
from tests.factories import DepartmentFactory, ServiceFactory, SupportGroupFactory, UnitFactory, UserFactory
from tests.orders.factories import CatalogItemFactory, OrderQuestionFactory, add_to_cart
from tickets.models import Ticket

GOOD = {"rom": "3.12", "antall_kabler": 2, "storrelse": "27"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, in a transaction rolled back at the module's end; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        with translation.override("en"):
            data = _build_world()
        yield data
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _in_a_savepoint_and_in_english(db):
    with translation.override("en"):
        yield


def _build_world():
    manager = UserFactory(username="sjef")
    team = UnitFactory(manager=manager, parent=DepartmentFactory())
    employee = UserFactory(username="kari", org_unit=team)
    colleague = UserFactory(username="ola")
    former = UserFactory(username="sluttet", is_active=False)
    warehouse = SupportGroupFactory(code="utstyr", is_first_line=True)
    service = ServiceFactory(code="utstyr", support_group=warehouse)
    monitor = CatalogItemFactory(code="skjerm", service=service, name_nb="Skjerm", price=Decimal("2490"))
    OrderQuestionFactory(item=monitor, key="rom", type=OrderQuestion.Type.TEXT, label_nb="Rom")
    OrderQuestionFactory(
        item=monitor,
        key="antall_kabler",
        type=OrderQuestion.Type.NUMBER,
        label_nb="Antall kabler",
        min_value=1,
        max_value=3,
    )
    OrderQuestionFactory(
        item=monitor,
        key="storrelse",
        type=OrderQuestion.Type.CHOICE,
        label_nb="Størrelse",
        choices=[{"value": "24", "label_nb": "24 tommer"}, {"value": "27", "label_nb": "27 tommer"}],
    )
    licence = CatalogItemFactory(code="lisens", service=service, kind=CatalogItem.Kind.LICENCE)
    OrderQuestionFactory(item=licence, key="hjemme", type=OrderQuestion.Type.YES_NO, required=True)
    OrderQuestionFactory(
        item=licence,
        key="moduler",
        type=OrderQuestion.Type.MULTI_CHOICE,
        required=False,
        choices=[
            {"value": "a", "label_nb": "A"},
            {"value": "b", "label_nb": "B"},
            {"value": "c", "label_nb": "C"},
        ],
    )
    OrderQuestionFactory(item=licence, key="for_hvem", type=OrderQuestion.Type.PERSON, required=False)
    approved = CatalogItemFactory(
        code="telefon", service=service, approval_policy=CatalogItem.ApprovalPolicy.MANAGER
    )
    retired = CatalogItemFactory(code="gammel", service=service, state=CatalogItem.State.RETIRED)
    return {
        "employee": employee,
        "colleague": colleague,
        "former": former,
        "manager": manager,
        "monitor": monitor,
        "licence": licence,
        "approved": approved,
        "retired": retired,
    }


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    _token, plain = token_create(user=user, name="test", scopes=["read", "orders:write"])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def counts() -> tuple[int, int, int]:
    return Order.objects.count(), OrderLine.objects.count(), Ticket.objects.count()


def post(world, body, user="employee"):
    return api(world[user]).post("/api/v1/orders/", body, format="json")


def test_an_order_with_lines_and_answers_is_placed_as_in_the_portal(world):
    body = {
        "lines": [
            {"item": "skjerm", "quantity": 2, "answers": GOOD},
            {
                "item": "lisens",
                "answers": {"hjemme": False, "moduler": ["a", "c"], "for_hvem": world["colleague"].pk},
            },
        ],
        "delivery_location": "Rådhuset, 3. etasje",
    }
    response = post(world, body)
    assert response.status_code == 201, response.content
    data = response.json()
    order = Order.objects.get(number=data["number"])
    assert response["Location"].endswith(f"/api/v1/orders/{order.number}/")
    assert (order.state, order.requester, order.recipient) == (
        "submitted",
        world["employee"],
        world["employee"],
    )
    monitor, licence = order.lines.order_by("position")
    # Stored as the portal stores them: the answer form's cleaned values.
    assert monitor.answers == {"rom": "3.12", "antall_kabler": "2", "storrelse": "27"}
    assert licence.answers["hjemme"] is False and licence.answers["moduler"] == ["a", "c"]
    assert licence.answers["for_hvem"]["id"] == world["colleague"].pk
    assert monitor.unit_price == Decimal("2490") and monitor.quantity == 2
    assert [line["ticket"] for line in data["lines"]] == [monitor.ticket.number, licence.ticket.number]
    assert data["lines"][0]["state"] == "approved"
    # Readable afterwards, by its number.
    again = api(world["employee"]).get(f"/api/v1/orders/{order.number}/")
    assert again.status_code == 200 and again.json()["lines"][0]["answers"]["storrelse"] == "27"


@pytest.mark.parametrize(
    ("answers", "key"),
    [
        ({**GOOD, "rom": ""}, "rom"),
        ({k: v for k, v in GOOD.items() if k != "rom"}, "rom"),
        ({**GOOD, "antall_kabler": 4}, "antall_kabler"),
        ({**GOOD, "antall_kabler": "mange"}, "antall_kabler"),
        ({**GOOD, "storrelse": "32"}, "storrelse"),
        ({**GOOD, "storrelse": ["27"]}, "storrelse"),
    ],
    ids=["empty-required", "missing-required", "above-max", "not-a-number", "not-an-option", "not-a-scalar"],
)
def test_a_bad_answer_names_the_line_and_the_question_and_nothing_is_saved(world, answers, key):
    before = counts()
    body = {"lines": [{"item": "skjerm", "answers": GOOD}, {"item": "skjerm", "answers": answers}]}
    response = post(world, body)
    assert response.status_code == 400, response.content
    lines = response.json()["lines"]
    assert lines[0] == {}
    assert list(lines[1]) == ["answers"] and list(lines[1]["answers"]) == [key]
    assert lines[1]["answers"][key][0]  # the portal's message, naming the question
    assert counts() == before


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"item": "finnes-ikke"}, "item"),
        ({"item": "gammel"}, "item"),
        ({"item": "skjerm", "quantity": 6, "answers": GOOD}, "quantity"),
        ({"item": "skjerm", "quantity": 0, "answers": GOOD}, "quantity"),
    ],
)
def test_unknown_retired_items_and_bad_quantities_are_refused_per_line(world, line, field):
    before = counts()
    response = post(world, {"lines": [line]})
    assert response.status_code == 400
    assert list(response.json()["lines"][0]) == [field]
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": []}, "lines"),
        ({}, "lines"),
        ({"lines": [{"item": "telefon"}]}, "justification"),
        ({"lines": [{"item": "skjerm", "answers": GOOD}], "recipient": "sluttet"}, "recipient"),
        ({"lines": [{"item": "skjerm", "answers": GOOD}], "recipient": "nobody"}, "recipient"),
    ],
)
def test_bad_orders_are_a_400_naming_the_field(world, body, field):
    before = counts()
    response = post(world, body)
    assert response.status_code == 400
    assert field in response.json()
    assert counts() == before


def test_an_order_needing_approval_waits_for_the_manager(world):
    body = {"lines": [{"item": "telefon"}], "justification": "On call from May."}
    response = post(world, body)
    assert response.status_code == 201, response.content
    line = OrderLine.objects.get(order__number=response.json()["number"])
    assert line.state == "awaiting_approval" and line.approvals.get().approver == world["manager"]


def test_an_order_for_a_colleague(world):
    body = {"lines": [{"item": "skjerm", "answers": GOOD}], "recipient": "ola"}
    response = post(world, body)
    assert response.status_code == 201
    assert response.json()["recipient"] == "ola"
    assert api(world["colleague"]).get(f"/api/v1/orders/{response.json()['number']}/").status_code == 200


def test_a_portal_cart_with_items_is_not_swept_into_the_order(world):
    add_to_cart(world["employee"], world["monitor"], 1, **{k: str(v) for k, v in GOOD.items()})
    before = counts()
    response = post(world, {"lines": [{"item": "lisens", "answers": {"hjemme": True}}]})
    assert response.status_code == 409
    assert "cart" in response.json()["detail"]
    assert counts() == before
    assert Order.objects.get(requester=world["employee"], state="cart").lines.count() == 1
