"""Shared by the benchmark scripts: the production-like environment, the pages, a logged-in session."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The checkout whose code is measured: this one, or a scratch copy with an experimental change.
APP_DIR = Path(os.environ.get("BENCH_APP_DIR", ROOT))
WORK = Path(os.environ.get("BENCH_WORKDIR", "/tmp/servicedesk-bench"))
RESULTS = ROOT / "bench" / "results"
DEFAULT_SQLITE_URL = f"sqlite:///{WORK / 'bench.sqlite3'}"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/servicedesk_bench"
AGENT = "demo.agent"

# The pages under test; "{number}" is replaced by a random ticket number from the data set.
PAGES = {
    "queue": "/tickets/queue/all/",
    "queue_filtered": "/tickets/queue/all/?status=new&status=assigned&priority=1&priority=2",
    "search": "/tickets/queue/all/?q=skriver",
    "ticket": "/tickets/{number}/",
    # The management dashboard (quality reports issue), as the demo management reader.
    "dashboard": "/dashboard/",
    # Not a goal: the cost of the server, the ASGI handler and the middleware around a trivial view.
    "healthz": "/healthz",
}
# Pages read as another demo user than the agent.
PAGE_USERS = {"dashboard": "demo.ledelse"}
# Goals from the incident issue: p95 in milliseconds at concurrency 1 and 8.
GOALS_MS = {
    "queue": (50, 200),
    "queue_filtered": (50, 200),
    "search": (50, 200),
    "ticket": (30, 120),
    "dashboard": (80, None),
}


def production_env(database_url: str, secret_key: str | None = None) -> dict[str, str]:
    """Return the environment of a production-like server on loopback (DEBUG off, no TLS)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secret_key or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(WORK / "static"),
        HUEY_SQLITE_PATH=str(WORK / "huey.sqlite3"),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="servicedesk.settings",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("REDIS_URL", None)  # the embedded defaults: locmem cache, in-memory channel layer
    return env


def setup_django(env: dict[str, str]) -> None:
    """Set up Django in this process with the given environment."""
    os.environ.update(env)
    sys.path.insert(0, str(APP_DIR))
    import django

    django.setup()


def agent_session_key(username: str | None = None) -> str:
    """Create a database session logged in as the demo agent, or as ``username`` (as a login would), and
    return its key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from people.models import User

    user = User.objects.get(username=username or AGENT)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The last backend is the one that holds local accounts (as login() records it).
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def sample_numbers(count: int, seed: int = 7) -> list[str]:
    """Return `count` ticket numbers drawn at random (fixed seed) from the data set's tickets that have a
    ticket page (a change's redirects to its change page)."""
    import random

    from tickets.models import Kind, Ticket

    ids = list(Ticket.objects.exclude(kind=Kind.CHANGE).order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise SystemExit("The database has no tickets: run bench/fill_tickets.py first.")
    chosen = random.Random(seed).sample(ids, min(count, len(ids)))
    by_id = dict(Ticket.objects.filter(pk__in=chosen).values_list("pk", "number"))
    return [by_id[pk] for pk in chosen]


def database_label(url: str) -> str:
    return "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"
