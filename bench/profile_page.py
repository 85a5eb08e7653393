#!/usr/bin/env python
"""Profile one page as the demo agent with pyinstrument (``pip install pyinstrument`` into the venv).

    DATABASE_URL=... .venv/bin/python bench/profile_page.py queue [--repeats 20] [--html FILE]

Renders the page through Django's test client with the production-like settings (DEBUG off) a few
times to warm up, then ``--repeats`` times under the profiler, and prints the call tree (time per
request is the total divided by the repeats). Pages: the names in bench/common.py or a path.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_SQLITE_URL, PAGES, production_env, setup_django


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("page", help="a page name (queue, queue_filtered, search, ticket) or a path")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--html", metavar="FILE", help="also write pyinstrument's HTML report")
    parser.add_argument("--show-all", action="store_true", help="do not hide library frames")
    args = parser.parse_args()
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("pyinstrument is not installed: .venv/bin/pip install pyinstrument") from None

    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_SQLITE_URL
    setup_django(production_env(url, os.environ.get("SECRET_KEY")))
    from common import agent_session_key, sample_numbers
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = agent_session_key()
    template = PAGES.get(args.page, args.page)
    numbers = sample_numbers(max(args.repeats, 5), seed=3) if "{number}" in template else [""]
    paths = [template.format(number=n) for n in numbers]
    for path in paths[:3]:
        assert client.get(path).status_code == 200, path
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for i in range(max(1, min(args.repeats, 500))):
            client.get(paths[i % len(paths)])
    per_request = (time.perf_counter() - started) * 1000 / args.repeats
    print(f"{template}: {per_request:.1f} ms per request under the profiler ({args.repeats} requests)")
    print(profiler.output_text(unicode=True, color=False, show_all=args.show_all))
    if args.html:
        Path(args.html).write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    sys.exit(main())
