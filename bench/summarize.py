#!/usr/bin/env python
"""Print Markdown tables that compare benchmark runs (JSON files written by run_bench.py).

    .venv/bin/python bench/summarize.py bench/results/sqlite-*.json

One table per file set: a row per page and concurrency, for each run p50/p95/p99, the server CPU per
request and the CPU other processes used meanwhile (a noise indicator), and whether the p95 goal is met.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(paths: list[str]) -> int:
    runs = []
    for path in paths:
        data = json.loads(Path(path).read_text())
        meta = data["meta"]
        runs.append((meta.get("label") or Path(path).stem, data))
    if not runs:
        print(__doc__)
        return 2
    pages = list(runs[0][1]["scenarios"])
    header = "| page | c | goal p95 |" + "".join(
        f" {label}: p50 / p95 / p99 ms | CPU ms/req | other CPU % |" for label, _ in runs
    )
    print(header)
    print("|---|---|---|" + "---|---|---|" * len(runs))
    for page in pages:
        for level in ("c1", "c8"):
            first = runs[0][1]["scenarios"][page].get(level)
            if not first:
                continue
            cells = [page, level[1:], str(first["goal_p95_ms"])]
            for _label, data in runs:
                fig = data["scenarios"].get(page, {}).get(level)
                if not fig:
                    cells += ["–", "–", "–"]
                    continue
                ms = fig["ms"]
                mark = " ✗" if fig["meets_goal"] is False else ""
                cells += [
                    f"{ms['p50']:.0f} / {ms['p95']:.0f}{mark} / {ms['p99']:.0f}",
                    f"{fig.get('server_cpu_ms_per_request', '–')}",
                    f"{fig.get('cpu', {}).get('other_pct', '–')}",
                ]
            print("| " + " | ".join(cells) + " |")
    print()
    print("| page |" + "".join(f" {label}: queries | SQL ms |" for label, _ in runs))
    print("|---|" + "---|---|" * len(runs))
    for page in pages:
        cells = [page]
        for _label, data in runs:
            q = (data.get("query_counts") or {}).get(page)
            if not q:
                cells += ["–", "–"]
                continue
            queries = q["queries"]
            if q.get("queries_min") != q.get("queries_max"):
                queries = f"{q['queries_min']}–{q['queries_max']}"
            cells += [str(queries), str(q["sql_ms"])]
        print("| " + " | ".join(cells) + " |")
    for label, data in runs:
        code = data["meta"].get("code") or {}
        print(
            f"\n{label}: {data['meta']['date']}, {data['meta']['database']} {data['meta']['database_version']}, "
            f"{data['meta']['server']} ×{data['meta']['processes']}, code {code.get('sha256', '?')} "
            f"({data['meta'].get('app_dir')})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
