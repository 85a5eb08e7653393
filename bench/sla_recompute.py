#!/usr/bin/env python
"""Time `sla_recompute` over a filled database (not a test): rebuild every clock from the timelines, then
check them, and say whether the goal (≤ 60 s for 100,000 tickets on SQLite) is met.

    DEBUG=1 DATABASE_URL=sqlite:////tmp/servicedesk-bench/bench.sqlite3 \\
        .venv/bin/python bench/fill_tickets.py --tickets 100000
    DEBUG=1 DATABASE_URL=sqlite:////tmp/servicedesk-bench/bench.sqlite3 .venv/bin/python bench/sla_recompute.py

fill_tickets.py writes its tickets in bulk, as an import would: they have no clocks until the
first run here builds them (with their logs); the second run compares and must find nothing.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

GOAL_SECONDS = 60


def main() -> int:
    import django

    django.setup()
    from django.db import connection

    from sla.models import SlaClock, SlaEscalation
    from sla.recompute import recompute
    from tickets.models import Ticket

    tickets = Ticket.objects.count()
    print(f"{connection.vendor}: {tickets:,} tickets")
    # From scratch, as after an import: no clocks, nothing copied onto the tickets.
    SlaEscalation.objects.all().delete()
    SlaClock.objects.all().delete()
    Ticket.objects.update(sla_due_at=None, sla_warning_at=None, sla_breached=False)

    started = time.perf_counter()
    built = recompute()
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    checked = recompute(check=True)
    check_seconds = time.perf_counter() - started

    per_100k = 100_000 / max(built.tickets, 1)
    print(f"rebuild: {built.tickets:,} tickets, {built.clocks:,} clocks in {build_seconds:.1f} s")
    print(
        f"check:   {checked.tickets:,} tickets in {check_seconds:.1f} s, {len(checked.differences)} differences"
    )
    print(
        f"per 100,000 tickets: rebuild {build_seconds * per_100k:.1f} s, check {check_seconds * per_100k:.1f} s "
        f"(goal ≤ {GOAL_SECONDS} s): {'met' if build_seconds * per_100k <= GOAL_SECONDS else 'NOT met'}"
    )
    return 0 if not checked.differences else 1


if __name__ == "__main__":
    raise SystemExit(main())
