"""The order lists run a fixed, small number of queries however many orders there are."""

import pytest
from django.urls import reverse

from orders import services
from orders.models import Order
from tests.orders.factories import CatalogItemFactory, place_order

MY_ORDERS_BUDGET = 8
FULFILMENT_BUDGET = 10


def fill(count, *, user, recipient, items, agent=None):
    """Orders of two lines each, half of them placed for the user by a colleague; optionally started."""
    for n in range(count):
        orderer, for_whom = (recipient, user) if n % 2 else (user, None)
        order = place_order(orderer, *items, recipient=for_whom)
        if agent is not None and n % 3 == 0:
            services.line_start_fulfilment(line=order.lines.first(), actor=agent)


@pytest.fixture
def items(laptop, equipment_service):
    return [laptop, CatalogItemFactory(service=equipment_service, name_nb="Dokkingstasjon", stocked=False)]


def test_my_orders_runs_the_same_queries_for_5_and_50_orders(
    client, employee, other_employee, items, django_assert_max_num_queries, django_assert_num_queries
):
    client.force_login(employee)
    url = reverse("orders:my_orders")
    fill(5, user=employee, recipient=other_employee, items=items)
    with django_assert_max_num_queries(MY_ORDERS_BUDGET) as five:
        response = client.get(url)
    assert len(response.context["orders"]) == 5
    fill(45, user=employee, recipient=other_employee, items=items)
    assert Order.objects.count() == 50
    with django_assert_num_queries(len(five.captured_queries)):
        response = client.get(url)
    assert len(response.context["orders"]) == 50
    assert "Dokkingstasjon" in response.content.decode()


def test_the_fulfilment_queue_runs_the_same_queries_for_5_and_50_orders(
    client,
    employee,
    other_employee,
    items,
    warehouse_agent,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    client.force_login(warehouse_agent)
    url = reverse("orders:fulfilment_queue")
    fill(5, user=employee, recipient=other_employee, items=items, agent=warehouse_agent)
    with django_assert_max_num_queries(FULFILMENT_BUDGET) as five:
        response = client.get(url)
    assert len(response.context["lines"]) == 10
    fill(45, user=employee, recipient=other_employee, items=items, agent=warehouse_agent)
    with django_assert_num_queries(len(five.captured_queries)):
        response = client.get(url)
    assert len(response.context["lines"]) == 100
    assert "1 of 3" in response.content.decode() or "0 of 3" in response.content.decode()
