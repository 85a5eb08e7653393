"""api.throttling on the API's read endpoints: per token, per user, per address; 429 with Retry-After."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.throttling import TokenRateThrottle
from api.tokens import token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_minute(monkeypatch):
    """Allow three requests a minute per token and per anonymous address; start from an empty cache."""
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min", "anon": "3/min"})
    cache.clear()
    yield
    cache.clear()


def test_the_fourth_request_of_a_token_gets_429_with_retry_after(three_a_minute):
    user = UserFactory()
    _token, first = token_create(user=user, name="one", scopes="read")
    _token, second = token_create(user=user, name="two", scopes="read")
    client = APIClient()
    statuses = [
        client.get("/api/v1/services/", HTTP_AUTHORIZATION=f"Bearer {first}").status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/services/", HTTP_AUTHORIZATION=f"Bearer {first}")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # The limit is the token's: another token of the same user still has its own three.
    assert client.get("/api/v1/services/", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200


def test_anonymous_readers_of_the_public_figures_are_limited_per_address(three_a_minute):
    client = APIClient()
    statuses = [client.get("/api/v1/quality/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Retry-After" in client.get("/api/v1/quality/")
