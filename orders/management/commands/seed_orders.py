"""Seed a year of demo orders from the catalogue (see orders/demo_orders.py).

Idempotent: if the demo orders are already there (request tickets whose external id starts with
"demoorder-"), nothing is written. The whole run is one transaction, and nobody is notified.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from incidents.management.commands.seed_incidents import parse_now
from orders import demo_orders
from orders.models import OrderLine


class Command(BaseCommand):
    help = (
        "Generate about 200 orders over the last 12 months for the demo municipality, with request "
        "tickets, approvals, fulfilment tasks and assets. Needs seed_demo first; does nothing if already seeded."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now",
            type=parse_now,
            help="Reference time (ISO 8601; local time if no offset). The history ends here. Default: now.",
        )
        parser.add_argument(
            "--count",
            type=int,
            default=demo_orders.DEFAULT_COUNT,
            help=f"How many orders to generate (default {demo_orders.DEFAULT_COUNT}, the scripted ones for "
            "the demo logins included).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing except errors.")

    def handle(self, *args, **options) -> None:
        if options["count"] < 1:
            raise CommandError("--count must be positive.")
        try:
            result = demo_orders.generate(now=options["now"], count=options["count"])
        except demo_orders.DemoDataMissing as exc:
            raise CommandError(str(exc)) from None
        if options["quiet"] or options["verbosity"] == 0:
            return
        write = self.stdout.write
        if result.skipped:
            write("The demo orders are in place; nothing to do.")
            return
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
