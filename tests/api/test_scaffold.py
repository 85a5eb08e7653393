"""The API's groundwork: bearer tokens authenticate, scopes are enforced, the schema and docs serve."""

import datetime as dt

import pytest
from django.utils import timezone

from api.tokens import token_authenticate, token_create, token_revoke
from tests.factories import UserFactory


@pytest.mark.django_db
def test_token_is_stored_hashed_and_authenticates():
    user = UserFactory()
    token, plain = token_create(user=user, name="ci", scopes="read")
    assert plain not in token.key_hash and len(token.key_hash) == 64
    assert token_authenticate(plain).pk == token.pk
    assert token_authenticate(plain[:-1] + ("A" if plain[-1] != "A" else "B")) is None


@pytest.mark.django_db
def test_expired_and_revoked_tokens_fail():
    user = UserFactory()
    token, plain = token_create(user=user, name="old", scopes=["read"], days=1)
    assert token_authenticate(plain, now=timezone.now() + dt.timedelta(days=2)) is None
    token_revoke(token=token)
    assert token_authenticate(plain) is None


@pytest.mark.django_db
def test_schema_and_docs_serve(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert client.get("/api/docs/").status_code == 200
