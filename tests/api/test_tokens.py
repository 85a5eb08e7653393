"""api.tokens selectors and the create_api_token command."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import service_accounts_with_tokens, token_create, tokens_of, tokens_revocable_by
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args) -> str:
    out = io.StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_only_a_working_token(employee):
    output = run("ansatt", "--scopes", "read,tickets:write", "--days", "30", "--name", "Skript")
    plain = output.strip()
    assert output == plain + "\n" and plain.startswith("sd_") and " " not in plain
    token = ApiToken.objects.get(user=employee)
    assert token.name == "Skript" and token.scopes == ["read", "tickets:write"]
    assert (token.expires_at - token.created_at).days == 30
    assert APIClient().get("/api/v1/services/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nobody", "--scopes", "read"), "No user with the username 'nobody'"),
        (("ansatt", "--scopes", "read,fly"), "Unknown scope: fly"),
        (("ansatt", "--scopes", ","), "Choose at least one scope"),
        (("ansatt", "--scopes", "admin"), "Only administrators may hold the admin scope"),
        (("ansatt", "--scopes", "read", "--days", "0"), "at least one day"),
    ],
)
def test_the_command_refuses_bad_input_without_writing(employee, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not ApiToken.objects.exists()


def test_selectors_list_own_tokens_and_let_administrators_revoke_any(employee, other_employee, administrator):
    mine, _ = token_create(user=employee, name="a", scopes="read")
    theirs, _ = token_create(user=other_employee, name="b", scopes="read")
    monitor = UserFactory(username="monitor", is_service_account=True)
    machine, _ = token_create(user=monitor, name="m", scopes="events:write", created_by=administrator)
    assert list(tokens_of(user=employee)) == [mine]
    assert set(tokens_revocable_by(user=employee)) == {mine}
    assert set(tokens_revocable_by(user=administrator)) == {mine, theirs, machine}
    accounts = list(service_accounts_with_tokens())
    assert accounts == [monitor] and list(accounts[0].api_tokens.all()) == [machine]
