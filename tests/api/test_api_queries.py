"""A page of the ticket list (with each ticket's SLA object), of the timeline and of the orders runs a
fixed number of queries, however many rows it holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.tokens import token_create
from tests.factories import ServiceFactory, SupportGroupFactory, UserFactory, make_ticket
from tests.orders.factories import CatalogItemFactory, place_order
from tickets import services


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    _token, plain = token_create(user=user, name="test", scopes=["read"])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    # The token's first use is recorded once (api.tokens): out of the way before counting.
    assert client.get("/api/v1/orders/").status_code == 200
    return client


def count(client, path: str) -> tuple[int, int]:
    """Return (queries, rows) of one page."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


@pytest.fixture
def desk(db):
    agents = [UserFactory(roles=["agent"]) for _ in range(3)]
    groups = [SupportGroupFactory(is_first_line=i == 0, members_list=[agents[i]]) for i in range(3)]
    return {
        "agents": agents,
        "services": [ServiceFactory(support_group=group) for group in groups],
        "employees": [UserFactory() for _ in range(3)],
    }


def add_tickets(desk, how_many: int, requester=None) -> None:
    for i in range(how_many):
        ticket = make_ticket(
            requester or desk["employees"][i % 3], service=desk["services"][i % 3], title=f"Case {i}"
        )
        if i % 2:
            services.ticket_update(
                ticket=ticket,
                actor=desk["agents"][i % 3],
                version=None,
                changes={"assignee": desk["agents"][i % 3]},
            )


@pytest.mark.parametrize("who", ["agent", "employee"])
def test_a_list_page_runs_the_same_queries_for_5_and_30_tickets(desk, who):
    user = desk["agents"][0] if who == "agent" else desk["employees"][0]
    client = api(user)
    requester = desk["employees"][0] if who == "employee" else None
    make_ticket(desk["employees"][1], title="Someone else's")  # seen by the agent only
    add_tickets(desk, 5 if who == "employee" else 4, requester)
    small, small_rows = count(client, "/api/v1/tickets/?page_size=100")
    add_tickets(desk, 25, requester)
    large, large_rows = count(client, "/api/v1/tickets/?page_size=100")
    assert (small_rows, large_rows) == (5, 30)
    assert small == large
    # Token, role checks, the page, its SLA clocks and their calendars: a handful, not one per row.
    assert large <= 12


def test_a_timeline_page_runs_the_same_queries_for_few_and_many_events(desk):
    agent = desk["agents"][0]
    ticket = make_ticket(desk["employees"][0], service=desk["services"][0])
    client = api(agent)
    few, _rows = count(client, f"/api/v1/tickets/{ticket.number}/events/")
    for i in range(12):
        services.ticket_comment(
            ticket=ticket, actor=desk["agents"][i % 3], body=f"Note {i}", public=i % 2 == 0
        )
    many, rows = count(client, f"/api/v1/tickets/{ticket.number}/events/")
    assert rows == 13 and few == many


def test_an_orders_page_runs_the_same_queries_for_one_and_several_orders(desk):
    employee = desk["employees"][0]
    items = [CatalogItemFactory(service=desk["services"][i]) for i in range(2)]
    client = api(employee)
    place_order(employee, items[0])
    one, _rows = count(client, "/api/v1/orders/")
    for _ in range(3):
        place_order(employee, *items)
    several, rows = count(client, "/api/v1/orders/")
    assert rows == 4 and one == several
