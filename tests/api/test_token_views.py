"""api.views_tokens: the token pages for everyone, and service accounts' tokens for administrators."""

import re

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """The pages in English (the site's default is Bokmål)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def monitor(db):
    return UserFactory(username="monitor", first_name="", last_name="", is_service_account=True)


def shown_token(response) -> str:
    match = re.search(r'value="(sd_[A-Za-z0-9_-]+)"', response.content.decode())
    assert match, "the new token is on the page"
    return match.group(1)


def test_the_page_lists_own_tokens_only(client, employee, other_employee):
    token_create(user=employee, name="Mitt skript", scopes="read")
    token_create(user=other_employee, name="Kollegas skript", scopes="read")
    client.force_login(employee)
    response = client.get("/profile/tokens/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mitt skript" in html and "Kollegas skript" not in html
    assert "<legend" in html and 'value="admin"' not in html and "no_expiry" not in html
    assert "Service accounts" not in html
    assert client.get("/profile/tokens/", follow=False).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/profile/tokens/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_creating_shows_the_token_once_and_it_works(client, employee):
    client.force_login(employee)
    response = client.post("/profile/tokens/new/", {"name": "Rapport", "scopes": ["read"], "days": "30"})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    assert "shown only this once" in response.content.decode()
    plain = shown_token(response)
    token = ApiToken.objects.get(user=employee)
    assert token.scopes == ["read"] and token.created_by == employee
    assert (token.expires_at - token.created_at).days == 30
    assert APIClient().get("/api/v1/services/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200
    # The list never shows the secret again, only the prefix.
    listing = client.get("/profile/tokens/").content.decode()
    assert plain not in listing and token.prefix in listing


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "x", "days": "30"}, "scopes"),
        ({"name": "x", "scopes": ["admin"], "days": "30"}, "scopes"),
        ({"name": "x", "scopes": ["read"], "days": "0"}, "days"),
        ({"name": "x", "scopes": ["read"], "days": ""}, "days"),
        ({"name": "x", "scopes": ["read"], "no_expiry": "on"}, "days"),
        ({"name": "", "scopes": ["read"], "days": "30"}, "name"),
    ],
)
def test_bad_input_is_an_error_on_its_field_and_writes_nothing(client, employee, data, field):
    client.force_login(employee)
    response = client.post("/profile/tokens/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html
    assert f'href="#id_{field}' in html  # the error summary links to the field
    assert not ApiToken.objects.exists()


def test_revoking_own_token_but_not_someone_elses(client, employee, other_employee):
    mine, plain = token_create(user=employee, name="a", scopes="read")
    theirs, _ = token_create(user=other_employee, name="b", scopes="read")
    client.force_login(employee)
    assert client.get(f"/profile/tokens/{mine.pk}/revoke/").status_code == 405
    assert client.post(f"/profile/tokens/{theirs.pk}/revoke/").status_code == 404
    response = client.post(f"/profile/tokens/{mine.pk}/revoke/")
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert APIClient().get("/api/v1/services/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


def test_revoking_needs_the_csrf_token(employee):
    from django.test import Client

    token, _ = token_create(user=employee, name="a", scopes="read")
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee)
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_administrators_create_and_revoke_service_account_tokens(client, administrator, monitor):
    client.force_login(administrator)
    html = client.get("/profile/tokens/").content.decode()
    assert "Service accounts" in html and "monitor" in html and 'value="admin"' in html
    response = client.post(
        "/profile/tokens/service/new/",
        {
            "service-account": "monitor",
            "service-name": "Zabbix",
            "service-scopes": ["events:write"],
            "service-no_expiry": "on",
        },
    )
    assert response.status_code == 201
    token = ApiToken.objects.get(user=monitor)
    assert token.expires_at is None and token.created_by == administrator
    assert shown_token(response).split("_")[1] == token.prefix
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_only_administrators_create_for_service_accounts(client, employee, monitor):
    client.force_login(employee)
    data = {
        "service-account": "monitor",
        "service-name": "x",
        "service-scopes": ["read"],
        "service-days": "9",
    }
    assert client.post("/profile/tokens/service/new/", data).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_regular_user_cannot_be_chosen_as_a_service_account(client, administrator, employee, monitor):
    client.force_login(administrator)
    data = {"service-account": "ansatt", "service-name": "x", "service-scopes": ["read"], "service-days": "9"}
    response = client.post("/profile/tokens/service/new/", data)
    assert response.status_code == 400
    assert 'id="id_service-account-error"' in response.content.decode()
    assert not ApiToken.objects.exists()
