"""Seed a year of demo changes with their CAB votes, calendar and freeze windows (see
changes/demo_changes.py).

Idempotent: if the demo changes are already there (tickets whose external id starts with "demochange-"),
nothing is written (the standard change templates are created if missing). The whole run is one
transaction, and nobody is notified of the history.
"""

from __future__ import annotations

from django.utils import translation

from changes import demo_changes
from changes.models import Change, ChangeKind
from people.management.demo_history import DemoHistoryCommand


class Command(DemoHistoryCommand):
    help = (
        "Generate about 150 changes over the last 12 months and the next 6 weeks for the demo municipality: "
        "standard changes from templates, normal changes through the CAB, emergency changes, freeze and "
        "maintenance windows. Needs seed_demo first; does nothing if already seeded."
    )
    generator = demo_changes
    count_help = (
        "How many changes to generate (default {default}; at least the scripted ones: the present, the "
        "monthly patching, the emergencies and the failures)."
    )
    nothing_to_do = "The demo changes are in place; nothing to do."

    def report(self, result: demo_changes.Result) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(f"{result.changes} demo changes seeded in {result.seconds:.1f} s."))
        with translation.override("en"):
            kinds = {value: str(label) for value, label in ChangeKind.choices}
            states = {value: str(label) for value, label in Change.State.choices}
            outcomes = {value: str(label) for value, label in Change.Outcome.choices}
        write("  by kind:    " + ", ".join(f"{kinds[k]} {result.by_kind.get(k, 0)}" for k in kinds))
        write("  by state:   " + ", ".join(f"{states[s]} {n}" for s, n in result.by_state.items()))
        write("  outcomes:   " + ", ".join(f"{outcomes[o]} {result.by_outcome.get(o, 0)}" for o in outcomes))
        write(
            f"  templates {result.templates} ({result.templates_created} created), freeze windows "
            f"{result.freeze_windows}, maintenance windows {result.maintenance_windows}, approvals "
            f"{result.approvals}, overridden conflicts {result.overrides}"
        )
        write(f"  incidents caused by changes {result.incidents}, timeline events {result.events}")
