"""Seed a year of realistic incident history for the demo municipality (see incidents/demo_incidents.py).

Idempotent: if the demo incidents are already there (tickets whose external id starts with "demo-"),
nothing is written. The whole run is one transaction, and no notification or email goes out for it.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from incidents import demo_incidents
from tickets.models import Priority, Status


def parse_now(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now must be an ISO 8601 date and time, e.g. 2026-03-18T14:30: {exc}") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Generate about 2,000 incidents over the last 12 months for the demo municipality, written through "
        "the ticket services with past timestamps. Needs seed_demo first; does nothing if already seeded."
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
            default=demo_incidents.DEFAULT_COUNT,
            help=f"How many tickets to generate (default {demo_incidents.DEFAULT_COUNT}; at least the ~30 "
            "scripted ones for the demo logins and the major incidents).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing except errors.")

    def handle(self, *args, **options) -> None:
        if options["count"] < 1:
            raise CommandError("--count must be positive.")
        try:
            result = demo_incidents.generate(now=options["now"], count=options["count"])
        except demo_incidents.DemoDataMissing as exc:
            raise CommandError(str(exc)) from None
        if options["quiet"] or options["verbosity"] == 0:
            return
        write = self.stdout.write
        if result.skipped:
            write("Demo incidents are already there; nothing to do.")
            return
        write(self.style.SUCCESS(f"{result.created} demo incidents seeded in {result.seconds:.1f} s."))
        statuses = dict(Status.choices)
        write(
            "  by status:   "
            + ", ".join(f"{statuses[s]} {result.by_status.get(s, 0)}" for s in Status.values)
        )
        write("  by priority: " + ", ".join(f"P{p} {result.by_priority.get(p, 0)}" for p in Priority.values))
        write("  by channel:  " + ", ".join(f"{c} {n}" for c, n in sorted(result.by_channel.items())))
        average = f", average {result.average_score:.2f}" if result.average_score is not None else ""
        write(f"  ratings:     {result.ratings}{average}")
        write(f"  outages:     {result.outages}")
        write(f"  events:      {result.events}")
        write(f"  canned responses created: {result.canned_responses}")
