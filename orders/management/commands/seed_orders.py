"""Seed a year of demo orders from the catalogue (see orders/demo_orders.py).

Idempotent: if the demo orders are already there (request tickets whose external id starts with
"demoorder-"), nothing is written. The whole run is one transaction, and nobody is notified.
"""

from __future__ import annotations

from django.utils import translation

from orders import demo_orders
from orders.models import OrderLine
from people.management.demo_history import DemoHistoryCommand


class Command(DemoHistoryCommand):
    help = (
        "Generate about 200 orders over the last 12 months for the demo municipality, with request "
        "tickets, approvals, fulfilment tasks and assets. Needs seed_demo first; does nothing if already seeded."
    )
    generator = demo_orders
    count_help = (
        "How many orders to generate (default {default}, the scripted ones for the demo logins included)."
    )
    nothing_to_do = "The demo orders are in place; nothing to do."

    def report(self, result: demo_orders.Result) -> None:
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"{result.orders} demo orders with {result.lines} lines seeded in {result.seconds:.1f} s."
            )
        )
        with translation.override("en"):
            labels = {value: str(label) for value, label in OrderLine.State.choices}
        write("  lines by state: " + ", ".join(f"{labels[s]} {n}" for s, n in result.by_state.items()))
        write(
            f"  request tickets {result.tickets}, timeline events {result.events}, "
            f"approvals {result.approvals}, assets {result.assets}"
        )
