"""api.views_people: the people directory and the organisation tree, for agents and administrators only."""

import pytest
from rest_framework.test import APIClient

from api.tokens import token_create
from tests.api import test_catalog_api as catalog_api
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROLES, STAFF = catalog_api.ROLES, catalog_api.STAFF
# The same people and objects as the catalogue's tests.
english = catalog_api.english
world = catalog_api.world


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, role):
    """Every people endpoint for every kind of user, on own and foreign records: no unexpected 2xx."""
    unit_a = world.users["employee_a"].org_unit
    client = world.client(role)
    urls = [
        "/api/v1/people/",
        "/api/v1/people/ansatt.a/",
        "/api/v1/people/ansatt.b/",
        "/api/v1/people/agent.x/",
        "/api/v1/org-units/",
        f"/api/v1/org-units/{unit_a.code}/",
        f"/api/v1/org-units/{unit_a.parent.code}/",
    ]
    expected = 401 if role == "anonymous" else 200 if role in STAFF else 403
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, expected)


def test_a_person_by_username_or_employee_number_without_secrets(world):
    client = world.client("agent_x")
    by_name = client.get("/api/v1/people/ansatt.b/").json()
    assert client.get("/api/v1/people/1002/").json() == by_name
    assert by_name["employee_number"] == "1002"
    assert by_name["org_unit"] == world.users["employee_b"].org_unit.code
    assert not {"password", "is_superuser", "last_login", "groups"} & set(by_name)
    assert client.get("/api/v1/people/9999/").status_code == 404


def test_the_directory_leaves_out_service_accounts_and_inactive_people(world):
    UserFactory(username="monitor", is_service_account=True)
    UserFactory(username="sluttet", is_active=False)
    client = world.client("administrator")
    usernames = []
    url = "/api/v1/people/?page_size=2"
    while url:
        page = client.get(url).json()
        usernames += [row["username"] for row in page["results"]]
        url = page["next"]
    assert usernames == sorted(set(usernames))
    assert {"ansatt.a", "ansatt.b", "agent.x", "agent.y", "admin.z"} <= set(usernames)
    assert not {"monitor", "sluttet"} & set(usernames)
    assert client.get("/api/v1/people/monitor/").status_code == 404


def test_people_filter_by_unit_and_units_by_kind(world):
    unit = world.users["employee_a"].org_unit
    client = world.client("agent_y")
    rows = client.get(f"/api/v1/people/?org_unit={unit.code}").json()["results"]
    assert [row["username"] for row in rows] == ["ansatt.a"]
    units = client.get("/api/v1/org-units/?kind=sector").json()["results"]
    assert unit.parent.parent.code in {row["code"] for row in units}
    assert all(row["parent"] is None for row in units)
    detail = client.get(f"/api/v1/org-units/{unit.code}/").json()
    assert detail["parent"] == unit.parent.code and detail["kind"] == "unit"


def test_a_group_lead_reads_the_directory_like_the_web_ui(db):
    lead = UserFactory(username="leder", roles=["group_lead"])
    _token, plain = token_create(user=lead, name="t", scopes="read")
    assert APIClient().get("/api/v1/people/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200
