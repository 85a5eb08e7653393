#!/usr/bin/env python
"""Time one month's quality report figures (`reports.figures.month_figures`) over a filled database (not a
test), count its queries, print the figures, and say whether the goal (≤ 10 s at 1,000,000 tickets on
PostgreSQL) is met.

    createdb -h 127.0.0.1 -U postgres sd_bench_quality
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench_quality \\
        .venv/bin/python bench/fill_tickets.py --tickets 1000000
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench_quality .venv/bin/python manage.py sla_recompute
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench_quality .venv/bin/python bench/quality_month.py

fill_tickets.py writes tickets without SLA clocks; the report reads the stored clocks and their logs, so run
`sla_recompute` first (the script warns when incidents and requests have no clocks). The month is the busiest
ended one (most incidents and requests opened, in Europe/Oslo) unless `--month YYYY-MM` is given. One warm-up
run, then the median of `--runs` timed runs (3); the queries are those of the first timed run.
`--explain` prints `EXPLAIN (ANALYZE, BUFFERS)` of the slowest queries (PostgreSQL; the plan of SQLite).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

GOAL_SECONDS = 10
GOAL_TICKETS = 1_000_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--month", help="the month to report, YYYY-MM (default: the busiest ended month)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs after the warm-up (median reported)")
    parser.add_argument(
        "--explain",
        type=int,
        nargs="?",
        const=3,
        default=0,
        metavar="N",
        help="print the plans of the N slowest queries (3 when no N)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the timings, queries and figures to FILE")
    parser.add_argument("--quiet", action="store_true", help="do not print the figures")
    return parser.parse_args()


def busiest_ended_month() -> tuple[int, int, int]:
    """Return (year, month, opened) of the ended month with the most incidents and requests opened."""
    from zoneinfo import ZoneInfo

    from django.db.models import Count
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from reports.figures import TICKET_KINDS
    from sla.availability import REPORTING_TZ, month_of
    from tickets.models import Ticket

    year, month = month_of(timezone.now())
    current = (year, month)
    rows = (
        Ticket.objects.filter(kind__in=TICKET_KINDS)
        .annotate(month=TruncMonth("opened_at", tzinfo=ZoneInfo(REPORTING_TZ)))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    for row in rows:
        if (row["month"].year, row["month"].month) < current:
            return row["month"].year, row["month"].month, row["n"]
    raise SystemExit("No ended month has tickets; fill the database first (bench/fill_tickets.py).")


def normalise(sql: str) -> str:
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    return re.sub(r"\b\d+\b", "?", sql)


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [str(row[-1]) for row in cursor.fetchall()]


def main() -> int:
    args = parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Exists, OuterRef
    from django.test.utils import CaptureQueriesContext

    from reports.figures import TICKET_KINDS, month_figures
    from sla.models import SlaClock, SlaClockLog
    from tickets.models import Ticket, TicketEvent

    tickets = Ticket.objects.count()
    clocked = Ticket.objects.filter(kind__in=TICKET_KINDS).count()
    clocks = SlaClock.objects.count()
    print(
        f"{connection.vendor} ({connection.settings_dict['NAME']}): {tickets:,} tickets "
        f"({clocked:,} incidents and requests), {TicketEvent.objects.count():,} timeline events, "
        f"{clocks:,} clocks, {SlaClockLog.objects.count():,} clock log entries"
    )
    unclocked = (
        Ticket.objects.filter(kind__in=TICKET_KINDS)
        .exclude(Exists(SlaClock.objects.filter(ticket=OuterRef("pk"))))
        .count()
    )
    if unclocked:
        print(
            f"warning: {unclocked:,} incidents and requests have no clocks; "
            "run `manage.py sla_recompute` first or the SLA figures are empty",
            file=sys.stderr,
        )

    if args.month:
        year, month = (int(part) for part in args.month.split("-"))
        opened = None
    else:
        year, month, opened = busiest_ended_month()
    label = f"{year:04d}-{month:02d}"
    print(
        f"month: {label}"
        + (f" (busiest ended month: {opened:,} incidents and requests opened)" if opened else "")
    )

    started = time.perf_counter()
    month_figures(year, month)
    warm = time.perf_counter() - started
    walls, captured_queries, figures = [], None, None
    for run in range(max(args.runs, 1)):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            figures = month_figures(year, month)
            walls.append(time.perf_counter() - started)
        if run == 0:
            captured_queries = [{"sql": q["sql"], "s": float(q["time"])} for q in captured.captured_queries]
    median = statistics.median(walls)
    sql_seconds = sum(q["s"] for q in captured_queries)
    repeated = {}
    for query in captured_queries:
        key = normalise(query["sql"])[:120]
        repeated[key] = repeated.get(key, 0) + 1

    if not args.quiet:
        print(json.dumps(figures, indent=2, ensure_ascii=False, default=str))
    print(f"warm-up: {warm:.2f} s; runs: {', '.join(f'{w:.2f}' for w in walls)} s")
    print(
        f"queries: {len(captured_queries)} ({sql_seconds:.2f} s in SQL, first timed run); "
        f"statements run more than once: {sum(1 for n in repeated.values() if n > 1)}"
    )
    print("slowest queries:")
    slowest = sorted(captured_queries, key=lambda q: -q["s"])
    for query in slowest[:5]:
        print(f"  {query['s'] * 1000:9.1f} ms  {query['sql'][:140]}")
    verdict = "met" if median <= GOAL_SECONDS else "NOT met"
    if tickets < GOAL_TICKETS or connection.vendor != "postgresql":
        verdict += f" here, but the goal is judged at {GOAL_TICKETS:,} tickets on PostgreSQL"
    print(
        f"median: {median:.2f} s for {label} over {tickets:,} tickets "
        f"(goal ≤ {GOAL_SECONDS} s at {GOAL_TICKETS:,} on PostgreSQL): {verdict}"
    )

    plans = []
    for query in slowest[: args.explain]:
        if not query["sql"].lstrip().upper().startswith("SELECT"):
            continue
        plan = explain(query["sql"])
        plans.append({"ms": round(query["s"] * 1000, 1), "sql": query["sql"], "plan": plan})
        print(f"\n--- plan of a {query['s'] * 1000:.1f} ms query ---\n{query['sql']}\n")
        print("\n".join(plan))

    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "vendor": connection.vendor,
                    "database": connection.settings_dict["NAME"],
                    "tickets": tickets,
                    "month": label,
                    "warmup_s": round(warm, 3),
                    "runs_s": [round(w, 3) for w in walls],
                    "median_s": round(median, 3),
                    "queries": len(captured_queries),
                    "sql_s": round(sql_seconds, 3),
                    "slowest": [{"ms": round(q["s"] * 1000, 1), "sql": q["sql"]} for q in slowest[:5]],
                    "plans": plans,
                    "figures": figures,
                },
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
