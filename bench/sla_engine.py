#!/usr/bin/env python
"""Evaluations per second of the pure SLA engine (sla/calendar.py, sla/clock.py) on one core.

    .venv/bin/python bench/sla_engine.py [--count 200000] [--repeat 5] [--seed 7] [--no-save]

Draws random spans of up to 90 days starting in 2025–2027 on the default calendar (Mon–Fri 08–16
Europe/Oslo, Norwegian holidays), warms the year tables, then times with `time.perf_counter` in one
process (one core; pinned to one CPU where the OS allows it):
- elapsed business seconds between two instants (`BusinessCalendar.elapsed`, aware datetimes in),
- the instant a duration after a start (`BusinessCalendar.add`, as many seconds as the span holds),
- the same two on epoch seconds (`elapsed_ts`, `add_ts`), what the datetime methods call,
- a whole clock (`evaluate_clock`) with a pause, a resume and a priority change.
Prints the best and the median of the repeats and writes bench/results/sla-engine-<time>.json. The goal
(the SLA issue's acceptance): at least 100,000 elapsed and 100,000 add evaluations per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from common import RESULTS  # noqa: E402

from sla.calendar import CalendarSpec, business_calendar  # noqa: E402
from sla.clock import ClockEvent, ClockEventKind, evaluate_clock  # noqa: E402

GOAL_PER_SECOND = 100_000
MAX_SPAN = 90 * 86_400


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=200_000, help="evaluations per measurement")
    parser.add_argument("--repeat", type=int, default=5, help="measurements per operation")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-save", action="store_true", help="do not write a result file")
    return parser.parse_args()


def timed(function, arguments, repeat: int) -> list[float]:
    """Return evaluations per second of function over arguments, once per repeat."""
    rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        for argument in arguments:
            function(*argument)
        rates.append(len(arguments) / (time.perf_counter() - started))
    return rates


def main() -> int:
    args = parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rng = random.Random(args.seed)

    low = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp())
    high = int(dt.datetime(2028, 1, 1, tzinfo=dt.UTC).timestamp())
    started = time.perf_counter()
    calendar = business_calendar(CalendarSpec.default())
    calendar.elapsed_ts(low, high + MAX_SPAN)  # validation and the year tables 2025–2028, once per process
    cold_build = time.perf_counter() - started

    pairs_ts = []
    for _ in range(args.count):
        start = rng.randrange(low, high)
        pairs_ts.append((start, start + rng.randrange(MAX_SPAN + 1)))
    # Aware datetimes as the ORM hands them over (UTC), converted once, outside the timed loops.
    pairs = [
        (dt.datetime.fromtimestamp(a, dt.UTC), dt.datetime.fromtimestamp(b, dt.UTC)) for a, b in pairs_ts
    ]
    adds_ts = [(a, calendar.elapsed_ts(a, b)) for a, b in pairs_ts]
    adds = [(start, seconds) for (start, _), (_, seconds) in zip(pairs, adds_ts, strict=True)]

    clock_count = max(1, args.count // 10)
    clocks = []
    for start, end in pairs[:clock_count]:
        length = end - start
        events = [
            ClockEvent(start + length / 4, ClockEventKind.PAUSE),
            ClockEvent(start + length / 2, ClockEventKind.RESUME),
            ClockEvent(start + length * 3 / 4, ClockEventKind.TARGET, 4 * 3600),
        ]
        clocks.append((start, events, end))

    def clock(start, events, now):
        return evaluate_clock(calendar, start=start, target_seconds=8 * 3600, events=events, now=now)

    measured = {
        "elapsed": timed(calendar.elapsed, pairs, args.repeat),
        "add": timed(calendar.add, adds, args.repeat),
        "elapsed_ts": timed(calendar.elapsed_ts, pairs_ts, args.repeat),
        "add_ts": timed(calendar.add_ts, adds_ts, args.repeat),
        "evaluate_clock": timed(clock, clocks, args.repeat),
    }

    print(f"SLA engine, default calendar, {args.count:,} random spans of up to 90 days in 2025–2027")
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"cold start: calendar validated and year tables 2025–2028 built in {cold_build * 1000:.1f} ms\n")
    print(f"{'operation':<16}{'best /s':>12}{'median /s':>12}{'µs each':>10}  goal")
    summary = {}
    for name, rates in measured.items():
        best, median = max(rates), statistics.median(rates)
        goal = "" if name == "evaluate_clock" else ("met" if median >= GOAL_PER_SECOND else "MISSED")
        print(f"{name:<16}{best:>12,.0f}{median:>12,.0f}{1e6 / median:>10.2f}  {goal}")
        summary[name] = {"best_per_second": round(best), "median_per_second": round(median), "rates": rates}

    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = RESULTS / f"sla-engine-{stamp}.json"
        result = {
            "count": args.count,
            "repeat": args.repeat,
            "seed": args.seed,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "cold_build_seconds": cold_build,
            "operations": summary,
        }
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nResults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
