"""HTTP through the ASGI application: one synchronous middleware chain, the same responses as WSGI."""

import asyncio
import inspect

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from servicedesk.asgi import django_asgi_app


def _get(path: str, cookie: str = "") -> dict:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *([(b"cookie", cookie.encode())] if cookie else [])],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    messages, sent = [], False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)  # the client stays connected

    async def send(message):
        messages.append(message)

    asyncio.run(django_asgi_app({**scope}, receive, send))
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    headers = {name.lower(): value for name, value in start["headers"]}
    return {"status": start["status"], "headers": headers, "body": body}


def test_the_middleware_chain_is_built_synchronously():
    assert not inspect.iscoroutinefunction(django_asgi_app._middleware_chain)


@pytest.mark.django_db(transaction=True)
def test_a_page_through_asgi_runs_every_middleware(agent):
    session = SessionStore()
    session[SESSION_KEY] = str(agent.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    session.create()
    response = _get("/tickets/queue/all/", cookie=f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    assert response["status"] == 200
    assert b"queue-grid" in response["body"]
    headers = response["headers"]
    assert b"content-security-policy" in headers  # django-csp
    assert headers[b"x-frame-options"] == b"DENY"  # clickjacking middleware
    assert b"HX-Request" in headers[b"vary"]  # the view's vary_on_headers


@pytest.mark.django_db(transaction=True)
def test_anonymous_request_through_asgi_is_sent_to_sign_in():
    response = _get("/tickets/queue/all/")
    assert response["status"] == 302
    assert response["headers"][b"location"].startswith(b"/login/")
