#!/usr/bin/env python
"""Count (and optionally explain) the SQL queries each benchmarked page runs, as the demo agent.

    DATABASE_URL=... .venv/bin/python bench/querycount.py [--explain] [--json FILE]

Renders each page through Django's test client inside this process, with the production-like settings
of the load test (DEBUG off), under ``CaptureQueriesContext``. Needs ``collectstatic`` first (the
runner does it). Prints per page: queries, time spent in SQL, the slowest queries, repeated statements
(N+1 patterns), and with ``--explain`` the plan of the slowest queries.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_SQLITE_URL, PAGES, RESULTS, database_label, production_env, setup_django


def normalise(sql: str) -> str:
    """Return the statement with literals replaced, to spot the same query run again and again."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    return re.sub(r"\b\d+\b", "?", sql)


def measure(client, path: str, explain: bool, repeats: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    queries = [{"sql": q["sql"], "ms": float(q["time"]) * 1000} for q in captured.captured_queries]
    walls = []
    for _ in range(repeats):
        started = time.perf_counter()
        client.get(path)
        walls.append((time.perf_counter() - started) * 1000)
    repeated = Counter(normalise(q["sql"]) for q in queries)
    result = {
        "path": path,
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": len(queries),
        "sql_ms": round(sum(q["ms"] for q in queries), 2),
        "in_process_ms_median": round(statistics.median(walls), 1) if walls else None,
        "repeated_statements": {sql[:160]: n for sql, n in repeated.items() if n > 1},
        "slowest": [
            {"ms": round(q["ms"], 2), "sql": q["sql"][:600]}
            for q in sorted(queries, key=lambda q: -q["ms"])[:6]
        ],
        "all": [{"ms": round(q["ms"], 2), "sql": q["sql"][:300]} for q in queries],
    }
    if explain:
        result["plans"] = [
            {"ms": round(q["ms"], 2), "sql": q["sql"][:600], "plan": explain_query(q["sql"])}
            for q in sorted(queries, key=lambda q: -q["ms"])[:4]
            if q["sql"].lstrip().upper().startswith("SELECT")
        ]
    return result


def explain_query(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [f"{'  ' * 0}{row[-1]}" for row in cursor.fetchall()]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None, help="default: $DATABASE_URL or the bench SQLite")
    parser.add_argument("--explain", action="store_true", help="print the plans of the slowest queries")
    parser.add_argument("--tickets", type=int, default=5, help="how many ticket pages to count")
    parser.add_argument("--repeats", type=int, default=5, help="in-process timing repeats per page")
    parser.add_argument("--json", metavar="FILE", help="write the result as JSON to FILE")
    parser.add_argument("--quiet", action="store_true", help="print only the summary table")
    parser.add_argument(
        "--pages", default=",".join(PAGES), help="comma-separated page names (default: all of them)"
    )
    args = parser.parse_args()
    wanted = [name.strip() for name in args.pages.split(",") if name.strip()]
    unknown = sorted(set(wanted) - set(PAGES))
    if unknown:
        parser.error(f"unknown pages: {', '.join(unknown)} (known: {', '.join(PAGES)})")

    import os

    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_SQLITE_URL
    setup_django(production_env(url, os.environ.get("SECRET_KEY")))
    from common import PAGE_USERS, agent_session_key, sample_numbers
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = agent_session_key()
    client.get("/tickets/queue/all/")  # warm: templates compiled, translations loaded

    pages = {}
    for name in wanted:
        path = PAGES[name]
        if "{number}" in path:
            runs = [
                measure(client, path.format(number=n), args.explain and i == 0, args.repeats)
                for i, n in enumerate(sample_numbers(args.tickets, seed=11))
            ]
            counts = [r["queries"] for r in runs]
            pages[name] = runs[0] | {"queries_min": min(counts), "queries_max": max(counts)}
        elif name in PAGE_USERS:
            other = Client(HTTP_HOST="127.0.0.1")
            other.cookies["sessionid"] = agent_session_key(PAGE_USERS[name])
            other.get(path)  # warm, and an ended month's draft is stored on the first visit
            pages[name] = measure(other, path, args.explain, args.repeats)
        else:
            pages[name] = measure(client, path, args.explain, args.repeats)
    from django.db import connection

    result = {"database": database_label(url), "vendor": connection.vendor, "pages": pages}
    print(f"{'page':<16} {'status':>6} {'queries':>8} {'sql ms':>8} {'in-proc ms':>10} {'KiB':>6}")
    for name, page in pages.items():
        queries = page["queries"]
        if "queries_min" in page and page["queries_min"] != page["queries_max"]:
            queries = f"{page['queries_min']}-{page['queries_max']}"
        print(
            f"{name:<16} {page['status']:>6} {queries!s:>8} {page['sql_ms']:>8.1f} "
            f"{page['in_process_ms_median']:>10.1f} {page['bytes'] / 1024:>6.0f}"
        )
    if not args.quiet:
        for name, page in pages.items():
            print(f"\n== {name} {page['path']}: {page['queries']} queries, {page['sql_ms']} ms in SQL")
            for q in page["slowest"][:4]:
                print(f"  {q['ms']:8.2f} ms  {q['sql'][:300]}")
            for sql, n in page["repeated_statements"].items():
                print(f"  repeated x{n}: {sql}")
            for plan in page.get("plans", []):
                print(f"  -- plan ({plan['ms']} ms): {plan['sql'][:160]}")
                for line in plan["plan"]:
                    print(f"     {line}")
    out = Path(args.json) if args.json else None
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
    else:
        RESULTS.mkdir(parents=True, exist_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
