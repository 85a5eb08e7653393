"""Seed a year of realistic incident history for the demo municipality (see incidents/demo_incidents.py).

Idempotent: if the demo incidents are already there (tickets whose external id starts with "demo-"),
nothing is written. The whole run is one transaction, and no notification or email goes out for it.
"""

from __future__ import annotations

from incidents import demo_incidents
from people.management.demo_history import DemoHistoryCommand
from tickets.models import Priority, Status


class Command(DemoHistoryCommand):
    help = (
        "Generate about 2,000 incidents over the last 12 months for the demo municipality, written through "
        "the ticket services with past timestamps. Needs seed_demo first; does nothing if already seeded."
    )
    generator = demo_incidents
    count_help = (
        "How many tickets to generate (default {default}; at least the ~30 scripted ones for the demo "
        "logins and the major incidents)."
    )
    nothing_to_do = "Demo incidents are already there; nothing to do."

    def report(self, result: demo_incidents.Result) -> None:
        write = self.stdout.write
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
