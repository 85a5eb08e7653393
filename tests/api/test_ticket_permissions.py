"""The ticket and order endpoints × who asks × whose object: exactly the statuses the web UI's policy
gives (tickets/rules.py, tickets_visible_to: every agent sees and works every ticket, an employee only
their own; orders_visible_to: one's own orders only), and internal notes never reach an employee."""

import pytest
from django.db import transaction
from django.utils import translation
from rest_framework.test import APIClient

from api.tokens import token_create
from tests.factories import ServiceFactory, SupportGroupFactory, UserFactory, make_ticket
from tests.orders.factories import CatalogItemFactory, place_order
from tickets import services

ACTORS = ["anonymous", "employee_a", "employee_b", "agent_x", "agent_y", "admin"]
ALL_SCOPES = ["read", "tickets:write", "orders:write"]


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at its end; each test runs in a
    savepoint inside it (pytest-django's db fixture), so what a test writes is undone after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with translation.override("en"):
            data = _build_world()
        yield data
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _each_test_in_a_savepoint(db):
    """Every test's writes are rolled back (the module's data stays)."""


def _build_world():
    """Two employees, two groups with an agent each, an administrator; A's ticket in group X with an
    internal note, B's ticket in group Y; a catalogue item and one order by each employee."""
    people = {
        "employee_a": UserFactory(username="ansatt-a"),
        "employee_b": UserFactory(username="ansatt-b"),
        "agent_x": UserFactory(username="agent-x", roles=["agent"]),
        "agent_y": UserFactory(username="agent-y", roles=["agent"]),
        "admin": UserFactory(username="admin", roles=["administrator"]),
    }
    group_x = SupportGroupFactory(code="x", is_first_line=True, members_list=[people["agent_x"]])
    group_y = SupportGroupFactory(code="y", members_list=[people["agent_y"]])
    service_x = ServiceFactory(code="svc-x", support_group=group_x)
    service_y = ServiceFactory(code="svc-y", support_group=group_y)
    ticket_a = make_ticket(people["employee_a"], service=service_x, title="A's printer")
    ticket_b = make_ticket(people["employee_b"], service=service_y, title="B's screen")
    services.ticket_comment(
        ticket=ticket_a, actor=people["agent_x"], body="Secret: the toner is stolen.", public=False
    )
    item = CatalogItemFactory(code="mus", service=ServiceFactory(code="utstyr"), name_nb="Mus")
    orders = {
        "item": item,
        "a": place_order(people["employee_a"], item),
        "b": place_order(people["employee_b"], item),
    }
    tickets = {"a": ticket_a, "b": ticket_b}
    tickets.update({f"order_{key}": orders[key].lines.get().ticket for key in "ab"})
    return {**people, "tickets": tickets, "orders": orders}


def client_for(world, actor: str, scopes=ALL_SCOPES) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if actor != "anonymous":
        _token, plain = token_create(user=world[actor], name="test", scopes=scopes)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def fresh_version(ticket) -> int:
    ticket.refresh_from_db(fields=["version"])
    return ticket.version


# (status on A's ticket, status on B's ticket) per actor.
SEE = {
    "anonymous": (401, 401),
    "employee_a": (200, 404),
    "employee_b": (404, 200),
    "agent_x": (200, 200),
    "agent_y": (200, 200),
    "admin": (200, 200),
}
WORK = {**SEE, "employee_a": (403, 404), "employee_b": (404, 403)}
REPLY = {actor: tuple(201 if s == 200 else s for s in pair) for actor, pair in SEE.items()}
NOTE = {actor: tuple(201 if s == 200 else s for s in pair) for actor, pair in WORK.items()}


def _request(client, endpoint: str, ticket):
    base = f"/api/v1/tickets/{ticket.number}/"
    version = fresh_version(ticket)
    match endpoint:
        case "retrieve":
            return client.get(base)
        case "events":
            return client.get(base + "events/")
        case "update":
            return client.patch(base, {"title": "Renamed", "version": version}, format="json")
        case "transition":
            return client.post(base + "transitions/", {"to": "in_progress"}, format="json")
        case "reply":
            return client.post(base + "comments/", {"body": "Any news?"}, format="json")
        case "note":
            return client.post(base + "comments/", {"body": "Between us.", "internal": True}, format="json")
    raise AssertionError(endpoint)


MATRIX = [
    (endpoint, actor, target, expected[actor][index])
    for endpoint, expected in (
        ("retrieve", SEE),
        ("events", SEE),
        ("update", WORK),
        ("transition", WORK),
        ("reply", REPLY),
        ("note", NOTE),
    )
    for actor in ACTORS
    for index, target in enumerate("ab")
]


@pytest.mark.parametrize(("endpoint", "actor", "target", "expected"), MATRIX)
def test_ticket_endpoint_answers_as_the_web_ui_would(world, endpoint, actor, target, expected):
    ticket = world["tickets"][target]
    before = fresh_version(ticket)
    response = _request(client_for(world, actor), endpoint, ticket)
    assert response.status_code == expected, response.content
    writes = endpoint in {"update", "transition", "reply", "note"}
    # A refused write leaves the ticket as it was.
    assert (fresh_version(ticket) > before) == (writes and expected in {200, 201})


@pytest.mark.parametrize(
    ("actor", "visible"),
    [
        ("employee_a", ["order_a", "a"]),
        ("employee_b", ["order_b", "b"]),
        ("agent_x", ["order_b", "order_a", "b", "a"]),
        ("agent_y", ["order_b", "order_a", "b", "a"]),
        ("admin", ["order_b", "order_a", "b", "a"]),
    ],
)
def test_the_list_holds_exactly_what_the_user_sees_in_the_portal(world, actor, visible):
    """Newest first: the request tickets of the two orders, then the two incidents."""
    response = client_for(world, actor).get("/api/v1/tickets/")
    assert response.status_code == 200
    numbers = [row["number"] for row in response.json()["results"]]
    assert numbers == [world["tickets"][key].number for key in visible]


def test_anonymous_gets_401_on_the_list_and_on_create(world):
    client = client_for(world, "anonymous")
    assert client.get("/api/v1/tickets/").status_code == 401
    response = client.post("/api/v1/tickets/", {"title": "x", "description": "y"}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("actor", "requester", "expected"),
    [
        ("employee_a", None, 201),
        ("employee_a", "employee_a", 201),
        ("employee_a", "employee_b", 403),
        ("agent_x", "employee_a", 201),
        ("agent_y", "employee_b", 201),
        ("admin", "employee_b", 201),
    ],
)
def test_create_for_oneself_or_as_an_agent_for_others(world, actor, requester, expected):
    body = {"title": "VPN drops", "description": "Every ten minutes."}
    if requester:
        body["requester"] = world[requester].username
    response = client_for(world, actor).post("/api/v1/tickets/", body, format="json")
    assert response.status_code == expected, response.content
    if expected == 201:
        assert response.json()["requester"] == world[requester or actor].username


@pytest.mark.parametrize("endpoint", ["retrieve", "events"])
@pytest.mark.parametrize("actor", ["employee_a", "agent_x", "agent_y", "admin"])
def test_internal_notes_reach_only_those_who_work_tickets(world, endpoint, actor):
    response = _request(client_for(world, actor), endpoint, world["tickets"]["a"])
    assert response.status_code == 200
    text = response.content.decode()
    if actor == "employee_a":
        assert "toner is stolen" not in text
        if endpoint == "events":
            assert all(event["is_public"] for event in response.json()["results"])
    else:
        assert ("toner is stolen" in text) == (endpoint == "events")


@pytest.mark.parametrize(
    ("scopes", "method", "expected"),
    [
        (["read"], "get", 200),
        (["read"], "post", 403),
        (["read"], "patch", 403),
        (["tickets:write"], "get", 403),
        (["orders:write", "read"], "patch", 403),
        (["tickets:write", "read"], "patch", 200),
    ],
)
def test_tokens_need_the_scope_of_the_request(world, scopes, method, expected):
    ticket = world["tickets"]["a"]
    client = client_for(world, "agent_x", scopes=scopes)
    url = f"/api/v1/tickets/{ticket.number}/"
    if method == "get":
        response = client.get(url)
    elif method == "post":
        response = client.post(url + "comments/", {"body": "Hello"}, format="json")
    else:
        response = client.patch(url, {"title": "New", "version": fresh_version(ticket)}, format="json")
    assert response.status_code == expected, response.content


# --- Orders ----------------------------------------------------------------------------------------


@pytest.fixture
def orders(world):
    return world["orders"]


ORDER_SEE = {
    "anonymous": (401, 401),
    "employee_a": (200, 404),
    "employee_b": (404, 200),
    # Agents and administrators see their own orders in the portal, not other people's.
    "agent_x": (404, 404),
    "agent_y": (404, 404),
    "admin": (404, 404),
}


@pytest.mark.parametrize(
    ("actor", "target", "expected"),
    [(actor, target, ORDER_SEE[actor][i]) for actor in ACTORS for i, target in enumerate("ab")],
)
def test_order_retrieve(world, orders, actor, target, expected):
    response = client_for(world, actor).get(f"/api/v1/orders/{orders[target].number}/")
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("actor", "visible"),
    [("employee_a", ["a"]), ("employee_b", ["b"]), ("agent_x", []), ("agent_y", []), ("admin", [])],
)
def test_order_list_holds_only_ones_own_orders(world, orders, actor, visible):
    response = client_for(world, actor).get("/api/v1/orders/")
    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]] == [orders[k].number for k in visible]


@pytest.mark.parametrize(
    ("actor", "scopes", "expected"),
    [
        ("anonymous", ALL_SCOPES, 401),
        ("employee_a", ALL_SCOPES, 201),
        ("employee_b", ["read", "tickets:write"], 403),
        ("agent_x", ALL_SCOPES, 201),
        ("admin", ALL_SCOPES, 201),
    ],
)
def test_order_create(world, orders, actor, scopes, expected):
    body = {"lines": [{"item": orders["item"].code, "quantity": 1}]}
    response = client_for(world, actor, scopes=scopes).post("/api/v1/orders/", body, format="json")
    assert response.status_code == expected, response.content
    if expected == 201:
        assert response.json()["requester"] == world[actor].username
