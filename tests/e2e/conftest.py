"""Browser tests: a real daphne server with the demo data, driven by Debian's Chromium via Playwright.

The server runs production settings (DEBUG off, collected static files, strict CSP) over plain HTTP
on loopback, against its own database: a SQLite file, or a fresh PostgreSQL database named after
DATABASE_URL's with an ``_e2e`` suffix when the suite runs on PostgreSQL.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DEMO_PASSWORD = "demo-servicedesk-2026"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _e2e_database_url(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'e2e.sqlite3'}"
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_e2e" + os.environ.get("PYTEST_XDIST_WORKER", "")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


@pytest.fixture(scope="package")
def server_env(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("e2e")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="servicedesk.settings",
        DEBUG="0",
        SECRET_KEY="e2e-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback: the TLS switches are relaxed exactly as behind a TLS proxy.
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        DATABASE_URL=_e2e_database_url(tmp),
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        HUEY_SQLITE_PATH=str(tmp / "huey.sqlite3"),
        # Background jobs run inline after commit, so no worker process is needed for the browser tests.
        HUEY_IMMEDIATE="1",
    )
    if "REDIS_URL" in os.environ:
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    # The demo data, with a smaller incident history than seed_demo's year of ~2,000 tickets (which
    # takes minutes): enough for full queues and several pages. E2E_DEMO_INCIDENTS=all for the whole year.
    incidents = os.environ.get("E2E_DEMO_INCIDENTS", "150")
    seed = [["seed_demo", "--quiet"]]
    if incidents != "all":
        seed = [["seed_demo", "--quiet", "--no-incidents"]]
        if int(incidents) > 0:
            seed.append(["seed_incidents", "--quiet", "--count", incidents])
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        ["collectstatic", "--no-input", "-v", "0"],
        *seed,
    ):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=300)
    return env


def _start_daphne(env: dict) -> tuple[subprocess.Popen, str]:
    """Start a daphne server on a free port and wait until it answers /healthz."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "servicedesk.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    "daphne did not start: " + process.stderr.read().decode()[-2000:]
                ) from None
            time.sleep(0.2)


def _stop_daphne(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="package")
def live_url(server_env) -> str:
    process, url = _start_daphne(server_env)
    yield url
    _stop_daphne(process)


@pytest.fixture(scope="package")
def agent_url(server_env, live_url) -> str:
    """Where the agent's browser goes in the live tests.

    With REDIS_URL set, a second daphne process on another port, sharing the database and the Redis
    channel layer: live updates then have to cross processes to reach the agent. Without it, the
    channel layer is in memory and per process, so the agent uses the same server as everyone else.
    """
    if not server_env.get("REDIS_URL"):
        yield live_url
        return
    process, url = _start_daphne(server_env)
    yield url
    _stop_daphne(process)


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_url):
    context = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900}, locale="nb-NO")
    page = context.new_page()
    external = []

    def watch(request):
        if not request.url.startswith((live_url, "data:", "blob:")):
            external.append(request.url)

    page.on("request", watch)
    yield page
    context.close()
    assert external == [], f"pages made requests outside the server: {external}"


@pytest.fixture
def login(page):
    def sign_in(username: str) -> None:
        page.goto("/login/")
        page.get_by_label("Brukernavn").fill(username)
        page.get_by_label("Passord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_load_state("networkidle")

    return sign_in


def sign_in(page, username: str) -> None:
    """Sign in through the sign-in form (by field names, so it works in every language)."""
    page.goto("/login/")
    form = page.locator("main form:has([name=password])")
    form.locator("[name=username]").fill(username)
    form.locator("[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "/login/" not in page.url, f"{username} could not sign in"


@pytest.fixture
def user_page(browser, live_url):
    """Open a signed-in page in a browser context of its own: user_page("demo.agent", base_url=…).

    Each call without context= is another browser (own cookies), so an employee and an agent can work
    at the same time; pass a page's context (context=page.context) for a second tab of the same user.
    Pages may only talk to their own server.
    """
    bases = {}
    external = []

    def open_page(username=None, *, base_url=None, context=None, width=1280):
        if context is None:
            base_url = base_url or live_url
            context = browser.new_context(
                base_url=base_url, viewport={"width": width, "height": 900}, locale="nb-NO"
            )
            bases[context] = base_url
        page = context.new_page()
        allowed = (bases[context], "data:", "blob:")
        page.on("request", lambda request: request.url.startswith(allowed) or external.append(request.url))
        if username:
            sign_in(page, username)
        return page

    yield open_page
    for context in bases:
        context.close()
    assert external == [], f"pages made requests outside their server: {external}"


@pytest.fixture(scope="package")
def demo_colleague(server_env) -> dict:
    """A colleague in demo.leder's unit (Hjemmetjenesten) who can sign in with the demo password.

    The seed gives generated staff unusable passwords; the order test needs one of them to sign in and
    see the equipment ordered for them. Returns their username, pk and full name.
    """
    code = (
        "import json\n"
        "from people.models import User\n"
        "person = (User.objects.filter(org_unit__code='hjemmetjenesten', is_active=True)\n"
        "    .exclude(username__startswith='demo.').order_by('username').first())\n"
        "assert person.manager.username == 'demo.leder', person.manager\n"
        f"person.set_password({DEMO_PASSWORD!r})\n"
        "person.save(update_fields=['password'])\n"
        "print(json.dumps({'username': person.username, 'pk': person.pk, 'name': person.get_full_name()}))\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=server_env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])
