#!/usr/bin/env python
"""Measure the agent's pages under a production-like server on loopback; write JSON to bench/results/.

    .venv/bin/python bench/run_bench.py --database sqlite
    .venv/bin/python bench/run_bench.py --database postgresql

Per run: ``collectstatic``; a database session logged in as demo.agent; 2 server processes with DEBUG
off (daphne by default, one port each, requests spread round-robin by the load generator; or
``--server uvicorn``, one port, ``--workers 2``); for each page a warm-up, then a fixed number of
requests at concurrency 1 and at 8 (each bounded in time); the SQL query count per page (through
bench/querycount.py). The servers are stopped at the end, also on errors and Ctrl-C.

The database must have been filled first (bench/fill_tickets.py), or pass ``--fill N`` to create a
fresh one (for PostgreSQL: drop and create the database ``servicedesk_bench``; for SQLite: a new file).
``--app-dir`` runs the servers from another checkout (a scratch copy with an experimental change).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="sqlite", help="sqlite, postgresql, or a DATABASE_URL")
    parser.add_argument(
        "--fill", type=int, default=0, metavar="N", help="recreate the database with N tickets"
    )
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    parser.add_argument("--processes", type=int, default=2, help="server processes (default 2)")
    parser.add_argument(
        "--balancer",
        choices=["client", "nginx"],
        default="client",
        help="client: the load generator sends requests to the server processes in turn; nginx: through "
        "nginx (least_conn, keep-alive upstream), as a deployment would (needs Debian's nginx)",
    )
    parser.add_argument("--port", type=int, default=8760, help="first port (daphne uses port, port+1, ...)")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page at c=1")
    parser.add_argument("--requests-c8", type=int, default=400, help="measured requests per page at c=8")
    parser.add_argument("--warmup", type=int, default=24, help="warm-up requests before each measurement")
    parser.add_argument("--concurrency", default="1,8", help="comma-separated concurrency levels")
    parser.add_argument("--pages", default="queue,queue_filtered,search,ticket", help="comma-separated pages")
    parser.add_argument("--time-limit", type=float, default=120, help="seconds at most per measurement")
    parser.add_argument("--app-dir", default=None, help="run the servers from this checkout")
    parser.add_argument("--label", default="", help="a name for this run in the results file")
    parser.add_argument(
        "--wait-quiet", type=float, default=90, metavar="S", help="wait up to S seconds for an idle machine"
    )
    parser.add_argument("--quiet-below", type=float, default=30, help="idle means busy CPU under this %%")
    parser.add_argument("--no-querycount", action="store_true", help="skip the query count")
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="NAME=VALUE", help="extra server environment"
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.app_dir:
        os.environ["BENCH_APP_DIR"] = str(Path(args.app_dir).resolve())
    sys.path.insert(0, str(HERE))
    import loadgen
    from common import (
        APP_DIR,
        DEFAULT_POSTGRES_URL,
        DEFAULT_SQLITE_URL,
        GOALS_MS,
        PAGE_USERS,
        PAGES,
        RESULTS,
        WORK,
        database_label,
        production_env,
    )

    url = {"sqlite": DEFAULT_SQLITE_URL, "postgresql": DEFAULT_POSTGRES_URL}.get(args.database, args.database)
    label = database_label(url)
    WORK.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    hard_deadline = time.monotonic() + 3600  # the whole run, whatever the options

    if args.fill:
        recreate_database(url, label)
        fill_env = dict(os.environ, DEBUG="1", DATABASE_URL=url)
        subprocess.run(
            [python, str(HERE / "fill_tickets.py"), "--tickets", str(args.fill), "--json",
             str(RESULTS / f"fill-{label}.json")],
            cwd=APP_DIR, env=fill_env, check=True, timeout=600,
        )  # fmt: skip

    env = production_env(url)
    for item in args.server_env:
        name, _, value = item.partition("=")
        env[name] = value
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=APP_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    os.environ.update(env)
    sys.path.insert(0, str(APP_DIR))
    import django

    django.setup()
    from common import agent_session_key, sample_numbers

    meta = describe(url, label, args, APP_DIR)
    session_key = agent_session_key()
    numbers = sample_numbers(500)
    cookie = f"sessionid={session_key}"

    servers = start_servers(args, python, env, APP_DIR, WORK)
    results: dict = {"meta": meta, "scenarios": {}, "query_counts": None}
    try:
        addresses = [("127.0.0.1", port) for port in servers["ports"]]
        for host, port in addresses:
            wait_healthy(host, port, timeout=60)
        if args.balancer == "nginx":
            addresses = [start_nginx(servers, args.port + 100, WORK)]
            wait_healthy(*addresses[0], timeout=30)
        check_logged_in(addresses[0], cookie)
        levels = [int(c) for c in args.concurrency.split(",")]
        for page in args.pages.split(","):
            template = PAGES[page]
            rng = random.Random(f"{page}-numbers")
            picks = [
                rng.choice(numbers) for _ in range(max(args.requests, args.requests_c8) + args.warmup * 2)
            ]

            def paths(i: int, template=template, picks=picks) -> str:
                return template.format(number=picks[i % len(picks)]) if "{number}" in template else template

            results["scenarios"][page] = {"path": template}
            page_cookie = cookie
            if page in PAGE_USERS:
                page_cookie = f"sessionid={agent_session_key(PAGE_USERS[page])}"
                results["scenarios"][page]["user"] = PAGE_USERS[page]
            for level in levels:
                if time.monotonic() > hard_deadline:
                    raise TimeoutError("the whole run took over an hour")
                count = args.requests if level == 1 else args.requests_c8
                loadgen.run(
                    addresses,
                    paths,
                    requests=args.warmup,
                    concurrency=level,
                    cookie=page_cookie,
                    time_limit=60,
                )
                waited = wait_quiet(args.wait_quiet, args.quiet_below)
                before = cpu_snapshot(servers["pids"])
                figures = loadgen.run(
                    addresses,
                    paths,
                    requests=count,
                    concurrency=level,
                    cookie=page_cookie,
                    time_limit=args.time_limit,
                )
                figures["cpu"] = cpu_share(before, cpu_snapshot(servers["pids"]))
                figures["cpu"]["waited_for_quiet_s"] = waited
                # CPU the servers spent per request: barely moved by other load, unlike the latencies.
                figures["server_cpu_ms_per_request"] = round(
                    figures["cpu"]["servers_pct"]
                    / 100
                    * figures["wall_s"]
                    * 1000
                    / max(figures["requests"], 1),
                    1,
                )
                goal = GOALS_MS.get(page, (None, None))[0 if level == 1 else 1]
                figures["goal_p95_ms"] = goal
                figures["meets_goal"] = (
                    None if goal is None else figures["ms"]["p95"] <= goal and figures["errors"] == 0
                )
                results["scenarios"][page][f"c{level}"] = figures
                print(
                    f"{label:<10} {page:<15} c={level:<2} n={figures['requests']:<4} "
                    f"p50={figures['ms']['p50']:>7.1f} p95={figures['ms']['p95']:>7.1f} "
                    f"p99={figures['ms']['p99']:>7.1f} ms  {figures['throughput_rps']:>6.1f} req/s  "
                    f"errors={figures['errors']}  goal p95<={goal} {({True: 'met', False: 'MISSED'}).get(figures['meets_goal'], '-')}  "
                    f"server cpu {figures['server_cpu_ms_per_request']} ms/req, other {figures['cpu']['other_pct']}% "
                    f"load {figures['cpu']['loadavg_1m']}",
                    flush=True,
                )
        results["server_rss_mib"] = rss_mib(servers["pids"])
    finally:
        stop_servers(servers)

    if not args.no_querycount:
        out = WORK / f"querycount-{label}.json"
        subprocess.run(
            [python, str(HERE / "querycount.py"), "--database-url", url, "--json", str(out), "--quiet",
             "--pages", args.pages],
            cwd=APP_DIR, env=env, check=True, timeout=600,
        )  # fmt: skip
        counts = json.loads(out.read_text())
        results["query_counts"] = {
            name: {
                "queries": page["queries"],
                "queries_min": page.get("queries_min", page["queries"]),
                "queries_max": page.get("queries_max", page["queries"]),
                "sql_ms": page["sql_ms"],
                "in_process_ms_median": page["in_process_ms_median"],
                "bytes": page["bytes"],
                "slowest": page["slowest"][:3],
                "repeated_statements": page["repeated_statements"],
            }
            for name, page in counts["pages"].items()
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    server = args.server + ("-nginx" if args.balancer == "nginx" else "")
    name = f"{label}-{server}{'-' + args.label if args.label else ''}-{stamp}.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nResults: {RESULTS / name}")
    print(markdown_table(results))
    return 0


def recreate_database(url: str, label: str) -> None:
    from common import WORK

    if label == "sqlite":
        path = Path(url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        if not str(path).startswith(str(WORK)):
            raise SystemExit(f"refusing to delete {path}: only files under {WORK} are recreated")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[-1]
    if name != "servicedesk_bench":
        raise SystemExit(f"refusing to drop {name!r}: only servicedesk_bench is recreated")
    base = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
    subprocess.run(["dropdb", *base, "--if-exists", name], check=True, timeout=120)
    subprocess.run(["createdb", *base, name], check=True, timeout=120)


def start_servers(args, python: str, env: dict, app_dir: Path, work: Path) -> dict:
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs, ports = [], []
    if args.server == "daphne":
        for n in range(args.processes):
            port = args.port + n
            ensure_free(port)
            log = (logs / f"daphne-{port}.log").open("w")
            cmd = [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "servicedesk.asgi:application"]
            procs.append(
                subprocess.Popen(
                    cmd, cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
            ports.append(port)
    else:
        ensure_free(args.port)
        log = (logs / f"uvicorn-{args.port}.log").open("w")
        cmd = [python, "-m", "uvicorn", "servicedesk.asgi:application", "--host", "127.0.0.1", "--port",
               str(args.port), "--workers", str(args.processes), "--no-access-log", "--lifespan", "off"]  # fmt: skip
        procs.append(
            subprocess.Popen(
                cmd, cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )
        ports.append(args.port)
    return {"procs": procs, "ports": ports, "pids": [p.pid for p in procs]}


def start_nginx(servers: dict, port: int, work: Path) -> tuple[str, int]:
    """Start nginx in front of the server processes (least connections, kept-alive upstream connections).

    Its process joins the servers' so that its CPU counts as the serving stack's.
    """
    ensure_free(port)
    root = work / "nginx"
    for sub in ("", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    upstreams = "\n".join(f"    server 127.0.0.1:{p};" for p in servers["ports"])
    temp = " ".join(
        f"{kind}_temp_path {root / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = root / "nginx.conf"
    conf.write_text(
        f"""worker_processes 1;
pid {root / "nginx.pid"};
error_log {work / "logs" / "nginx-error.log"} warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  {temp}
  upstream app {{
    least_conn;
{upstreams}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }}
  }}
}}
"""
    )
    proc = subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(root), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    servers["procs"].append(proc)
    servers["pids"].append(proc.pid)
    return ("127.0.0.1", port)


def stop_servers(servers: dict) -> None:
    """Stop the server processes this run started (each in its own process group), by their ids."""
    for proc in servers["procs"]:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in servers["procs"]:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def ensure_free(port: int) -> None:
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is in use on 127.0.0.1: stop that server or pass --port")


def wait_healthy(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server on {host}:{port} did not answer /healthz within {timeout:.0f} s")


def check_logged_in(address: tuple[str, int], cookie: str) -> None:
    import http.client

    conn = http.client.HTTPConnection(*address, timeout=30)
    conn.request("GET", "/tickets/queue/all/", headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise SystemExit(
            f"the queue answered {response.status} (expected 200 as demo.agent): check the session"
        )


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_snapshot(pids: list[int]) -> dict:
    """Machine-wide busy and total CPU time (/proc/stat), and the CPU time of the servers and of us."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    servers = 0
    for pid in pids:
        for proc_pid in [pid, *children(pid)]:
            try:
                stat = Path(f"/proc/{proc_pid}/stat").read_text().rsplit(")", 1)[1].split()
                servers += int(stat[11]) + int(stat[12])
            except OSError:
                pass
    own = os.times()
    return {
        "total": sum(fields[:8]),
        "busy": sum(fields[:8]) - idle,
        "servers": servers,
        "self": round((own.user + own.system) * CLOCK_TICKS),
        "time": time.monotonic(),
    }


def wait_quiet(limit: float, below: float) -> float:
    """Wait (at most `limit` seconds) until the machine is nearly idle; return the seconds waited.

    Other work on the machine (test suites, builds) competes for the 2 cores and inflates latencies;
    the load test starts once busy CPU over 2 s drops under `below` % of one core."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        first = cpu_snapshot([])
        time.sleep(2)
        second = cpu_snapshot([])
        busy = (second["busy"] - first["busy"]) / CLOCK_TICKS / (second["time"] - first["time"]) * 100
        if busy < below:
            break
    return round(time.monotonic() - started, 1)


def cpu_share(before: dict, after: dict) -> dict:
    """Return CPU use during a measurement in % of one core: servers, load generator, everything else.

    "other" is all remaining busy time on the machine: the database server (PostgreSQL backends) and
    anything else running, such as other people's test suites. A high figure means a noisy sample."""
    seconds = max(after["time"] - before["time"], 1e-6)

    def pct(key: str) -> float:
        return round((after[key] - before[key]) / CLOCK_TICKS / seconds * 100, 1)

    busy, servers, own = pct("busy"), pct("servers"), pct("self")
    return {
        "busy_pct": busy,
        "servers_pct": servers,
        "loadgen_pct": own,
        "other_pct": round(max(busy - servers - own, 0), 1),
        "loadavg_1m": float(Path("/proc/loadavg").read_text().split()[0]),
    }


def code_fingerprint(app_dir: Path) -> dict:
    """Identify the code measured (the work tree changes while people work): a hash of its sources."""
    import hashlib

    digest, newest, count = hashlib.sha256(), 0.0, 0
    for path in sorted(app_dir.rglob("*")):
        rel = path.relative_to(app_dir)
        if rel.parts[0] in {
            ".venv",
            ".git",
            "bench",
            "tests",
            "static",
            "staticfiles",
            "node_modules",
            "var",
        }:
            continue
        if path.suffix in {".py", ".html"} and path.is_file():
            digest.update(str(rel).encode() + b"\0" + path.read_bytes())
            newest, count = max(newest, path.stat().st_mtime), count + 1
    return {
        "sha256": digest.hexdigest()[:16],
        "files": count,
        "newest_change": dt.datetime.fromtimestamp(newest, dt.UTC).isoformat(timespec="seconds"),
    }


def rss_mib(pids: list[int]) -> dict:
    """Return the resident memory of each server process and its children (uvicorn workers)."""
    out = {}
    for pid in pids:
        for proc_pid in [pid, *children(pid)]:
            try:
                for line in Path(f"/proc/{proc_pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out[str(proc_pid)] = round(int(line.split()[1]) / 1024, 1)
            except OSError:
                pass
    return out


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def describe(url: str, label: str, args, app_dir: Path) -> dict:
    import django
    from django.db import connection

    from tickets.models import Ticket, TicketEvent

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        db_version = cursor.fetchone()[0]

    def version(module: str) -> str:
        try:
            from importlib.metadata import version as v

            return v(module)
        except Exception:
            return "not installed"

    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "label": args.label,
        "database": label,
        "database_version": db_version,
        "server": args.server,
        "server_version": version(args.server),
        "processes": args.processes,
        "balancer": args.balancer,
        "app_dir": str(app_dir),
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": {"cpus": os.cpu_count(), "memory_gib": round(mem_kib / 1024 / 1024, 1), "cpu": cpu},
        "requests": {"c1": args.requests, "c8": args.requests_c8, "warmup": args.warmup},
        "server_env": args.server_env,
        "code": code_fingerprint(app_dir),
    }


def markdown_table(results: dict) -> str:
    lines = [
        "| page | c | requests | p50 ms | p95 ms | p99 ms | req/s | server CPU ms/req | other CPU % | goal p95 | met"
        " | queries |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    counts = results.get("query_counts") or {}
    for page, data in results["scenarios"].items():
        for key, figures in data.items():
            if not key.startswith("c"):
                continue
            q = counts.get(page, {})
            queries = q.get("queries", "")
            if q and q.get("queries_min") != q.get("queries_max"):
                queries = f"{q['queries_min']}–{q['queries_max']}"
            lines.append(
                f"| {page} | {key[1:]} | {figures['requests']} | {figures['ms']['p50']} | {figures['ms']['p95']} | "
                f"{figures['ms']['p99']} | {figures['throughput_rps']} | {figures['server_cpu_ms_per_request']} | "
                f"{figures['cpu']['other_pct']} | {figures['goal_p95_ms']} | "
                f"{({True: 'yes', False: 'no'}).get(figures['meets_goal'], '–')} | {queries} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
