"""The home page routes each role, the health check answers, errors render in the layout."""

import pytest
from django.db import DatabaseError
from django.urls import reverse


def test_healthz_reports_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_reports_a_broken_database(client, db, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise DatabaseError("down")

    monkeypatch.setattr("servicedesk.views.connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_anonymous_home_offers_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert reverse("people:login").encode() in response.content


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("employee", "portal"),
        ("agent", "workspace"),
        ("management_reader", "dashboard"),
        ("service_owner", "dashboard"),
        ("administrator", "catalog:service_list"),
    ],
)
def test_home_sends_each_role_to_its_place(client, request, fixture, expected):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(expected)
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("url_name", ["workspace", "dashboard"])
def test_employee_cannot_open_staff_areas(client, employee, url_name):
    client.force_login(employee)
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert b"Ingen tilgang" in response.content


def test_areas_need_login(client, db):
    for name in ["portal", "workspace", "dashboard", "people:profile"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("people:login"))


def test_404_renders_in_the_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b'id="main"' in response.content
    assert b"Fant ikke siden" in response.content


def test_portal_lists_only_live_services(client, employee, service):
    from tests.factories import ServiceFactory

    ServiceFactory(code="planlagt", name_nb="Planlagt tjeneste", state="planned")
    client.force_login(employee)
    response = client.get(reverse("portal"))
    assert b"E-post og kalender" in response.content
    assert b"Planlagt tjeneste" not in response.content


def test_workspace_shows_the_agents_groups_and_their_services(client, agent):
    from tests.factories import ServiceFactory

    group = agent.support_groups.get()
    ServiceFactory(code="klient-pc", name_nb="Klient-PC", support_group=group)
    ServiceFactory(code="annen", name_nb="Annen tjeneste")
    client.force_login(agent)
    response = client.get(reverse("workspace"))
    assert b"1. linje" in response.content
    assert b"Klient-PC" in response.content
    assert b"Annen tjeneste" not in response.content


def test_dashboard_counts_services_by_state(client, management_reader, service):
    from tests.factories import ServiceFactory

    ServiceFactory(code="gammel", state="retired")
    client.force_login(management_reader)
    response = client.get(reverse("dashboard"))
    summary = response.context["summary"]
    assert summary["total"] == 2
    assert dict(summary["by_state"])["Utfaset"] == 1


def test_pages_send_a_strict_content_security_policy(client, db):
    response = client.get(reverse("people:login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_send_csrf_header_for_htmx(client, employee):
    client.force_login(employee)
    response = client.get(reverse("portal"))
    assert b'hx-headers=\'{"X-CSRFToken": "' in response.content
    assert b"django_htmx/htmx-2.min.js" in response.content


def test_english_switch(client, employee):
    client.force_login(employee)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("portal")})
    assert response.status_code == 302
    page = client.get(reverse("portal"))
    assert b'<html lang="en"' in page.content
    assert b"Our services" in page.content


def test_norwegian_is_the_default(client, employee):
    client.force_login(employee)
    page = client.get(reverse("portal"))
    assert b'<html lang="nb"' in page.content
    assert "Våre tjenester".encode() in page.content
