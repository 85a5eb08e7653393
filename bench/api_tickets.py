#!/usr/bin/env python
"""Time the REST API's ticket list at 100,000 tickets: the first page and cursor pages, as the demo agent.

    DEBUG=1 DATABASE_URL=sqlite:////tmp/sd_api_bench.sqlite3 \\
        .venv/bin/python bench/fill_tickets.py --tickets 100000      # once (``--append`` after seed_demo)
    DATABASE_URL=sqlite:////tmp/sd_api_bench.sqlite3 .venv/bin/python bench/api_tickets.py

Runs in this process through Django's test client, with the production-like settings of the load test
(DEBUG off, see common.production_env) and the API's throttle lifted: a bearer token with the read scope
is created for the demo agent (and deleted at the end). It walks ``--pages`` cursor pages of the plain
list and of a filtered one (open statuses), then requests the first page and those cursor pages in turn
until ``--requests`` of each kind are done, after ``--warmup`` requests. Prints p50/p95/max in
milliseconds and the SQL queries per page (CaptureQueriesContext), and with ``--json`` writes them to a
file. ``--fill N`` first runs bench/fill_tickets.py to add N tickets to the database.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_SQLITE_URL, ROOT, WORK, database_label, production_env, setup_django

LIST = "/api/v1/tickets/"
KINDS = {
    "first page": LIST,
    "first page, open statuses": LIST + "?status=new&status=assigned&status=in_progress&status=pending",
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(walls: list[float]) -> dict:
    return {
        "n": len(walls),
        "p50_ms": round(statistics.median(walls), 1),
        "p95_ms": round(percentile(walls, 0.95), 1),
        "max_ms": round(max(walls), 1),
    }


def cursor_paths(client, path: str, pages: int, page_size: int) -> list[str]:
    """Return the paths of the first `pages` pages after the first, following the next links."""
    found = []
    link = path + ("&" if "?" in path else "?") + f"page_size={page_size}"
    for _ in range(pages + 1):
        response = client.get(link)
        if response.status_code != 200:
            raise SystemExit(f"{link}: HTTP {response.status_code} {response.content[:200]!r}")
        following = response.json()["next"]
        if not following:
            break
        link = following.split("://", 1)[-1].split("/", 1)[-1]
        link = "/" + link
        found.append(link)
    return found[:pages]


def queries_of(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:200]
    return len(captured)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None, help="default: $DATABASE_URL or the bench SQLite")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per kind (first/cursor)")
    parser.add_argument("--pages", type=int, default=5, help="cursor pages to walk after the first")
    parser.add_argument("--page-size", type=int, default=25, help="tickets per page")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests first")
    parser.add_argument(
        "--fill", type=int, default=0, metavar="N", help="first add N tickets (fill_tickets.py)"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    args = parser.parse_args()

    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_SQLITE_URL
    if args.fill:
        fill = [
            sys.executable,
            str(ROOT / "bench" / "fill_tickets.py"),
            "--tickets",
            str(args.fill),
            "--append",
        ]
        subprocess.run(fill, check=True, env={**os.environ, "DEBUG": "1", "DATABASE_URL": url})
    WORK.mkdir(parents=True, exist_ok=True)  # the Huey queue's file lives there
    env = production_env(url, os.environ.get("SECRET_KEY"))
    env["API_THROTTLE_RATE"] = "100000000/min"  # measure the endpoint, not the throttle
    setup_django(env)

    from common import AGENT
    from django.test import Client

    from api.models import ApiToken
    from api.tokens import token_create
    from people.models import User
    from tickets.models import Ticket

    tickets = Ticket.objects.count()
    token, plain = token_create(user=User.objects.get(username=AGENT), name="bench", scopes=["read"])
    try:
        client = Client(
            HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {plain}", HTTP_ACCEPT_LANGUAGE="en"
        )
        size = f"page_size={args.page_size}"
        paths: dict[str, list[str]] = {}
        for name, path in KINDS.items():
            first = path + ("&" if "?" in path else "?") + size
            paths[name] = [first]
            paths[name.replace("first page", "cursor pages")] = cursor_paths(
                client, path, args.pages, args.page_size
            )
        for _ in range(args.warmup):
            for group in paths.values():
                client.get(group[0])
        results = {}
        for name, group in paths.items():
            walls = []
            for i in range(args.requests):
                path = group[i % len(group)]
                started = time.perf_counter()
                response = client.get(path)
                walls.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code}")
            counts = sorted({queries_of(client, path) for path in group})
            results[name] = summary(walls) | {"queries_per_page": counts, "example": group[0]}
    finally:
        ApiToken.objects.filter(pk=token.pk).delete()

    from django.db import connection

    print(
        f"{tickets:,} tickets on {database_label(url)} ({connection.vendor}), page size {args.page_size}, "
        f"{args.requests} requests per kind, {platform.python_implementation()} {platform.python_version()}"
    )
    print(f"{'request':<30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    for name, row in results.items():
        queries = "/".join(str(n) for n in row["queries_per_page"])
        print(f"{name:<30} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['max_ms']:>8.1f} {queries:>8}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"tickets": tickets, "database": database_label(url), "results": results}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
