"""Stock never goes below zero, even when several agents pick the last units at the same moment."""

import threading

import pytest
from django.db import connection

from catalog.models import CatalogItem
from orders import services
from orders.models import FulfilmentTask
from people.models import User
from tests.orders.factories import place_order

AGENTS = 6
STOCK = 3


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write transaction (one writer at a time, IMMEDIATE mode), so picks "
    "there cannot race; the conditional UPDATE is proven against PostgreSQL's concurrent writers, which "
    "CI runs with DATABASE_URL=postgres://…",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_picks_succeed_exactly_as_often_as_there_is_stock(employee, laptop, warehouse_agent):
    CatalogItem.objects.filter(pk=laptop.pk).update(stock_count=STOCK, reorder_level=0)
    lines = []
    for _ in range(AGENTS):
        line = place_order(employee, laptop).lines.get()
        lines.append(services.line_start_fulfilment(line=line, actor=warehouse_agent))

    barrier = threading.Barrier(AGENTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def pick(line):
        # Each thread has its own database connection, so each pick is its own transaction.
        try:
            actor = User.objects.get(pk=warehouse_agent.pk)
            barrier.wait(timeout=10)
            try:
                services.stock_pick(line=line, actor=actor)
                outcome = "picked"
            except services.OutOfStock:
                outcome = "out of stock"
        except Exception as exc:
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=pick, args=(line,)) for line in lines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["out of stock"] * (AGENTS - STOCK) + ["picked"] * STOCK, outcomes
    assert CatalogItem.objects.get(pk=laptop.pk).stock_count == 0
    picked = FulfilmentTask.objects.filter(kind=FulfilmentTask.Kind.PICK_FROM_STOCK, done_at__isnull=False)
    assert picked.count() == STOCK
