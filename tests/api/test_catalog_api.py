"""api.views_catalog: services, catalogue items and assets, scoped exactly as the web pages scope them."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from api.tokens import token_create
from catalog.models import CatalogItem, Service
from tests.catalog.factories import AssetFactory, CatalogItemFactory
from tests.factories import ServiceFactory, SupportGroupFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "employee_a", "employee_b", "agent_x", "agent_y", "administrator")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@dataclass
class World:
    users: dict
    tokens: dict

    def client(self, role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.tokens[role]}")
        return client


@pytest.fixture
def world(db) -> World:
    """Two employees in different units, agents of two groups, an administrator, and their read tokens;
    services, items and assets that some of them may see and others may not."""
    employee_a = UserFactory(username="ansatt.a", employee_number="1001")
    employee_b = UserFactory(username="ansatt.b", employee_number="1002")
    agent_x = UserFactory(username="agent.x", roles=["agent"])
    agent_y = UserFactory(username="agent.y", roles=["agent"])
    administrator = UserFactory(username="admin.z", roles=["administrator"])
    group_x = SupportGroupFactory(code="gruppe-x", members_list=[agent_x])
    group_y = SupportGroupFactory(code="gruppe-y", members_list=[agent_y])
    live = ServiceFactory(code="epost", support_group=group_x, in_public_report=True)
    planned = ServiceFactory(code="ny-tjeneste", support_group=group_y, state=Service.State.PLANNED)
    CatalogItemFactory(code="pc", service=live, kind=CatalogItem.Kind.EQUIPMENT)
    CatalogItemFactory(
        code="b-only", service=live, kind=CatalogItem.Kind.ACCESS, visible_to_org_units=[employee_b.org_unit]
    )
    CatalogItemFactory(code="kladd", service=live, state=CatalogItem.State.DRAFT)
    CatalogItemFactory(code="planlagt-vare", service=planned)
    AssetFactory(asset_tag="PC-A", holder=employee_a, item=CatalogItem.objects.get(code="pc"))
    AssetFactory(asset_tag="PC-B", holder=employee_b, item=CatalogItem.objects.get(code="pc"))
    users = {
        "employee_a": employee_a,
        "employee_b": employee_b,
        "agent_x": agent_x,
        "agent_y": agent_y,
        "administrator": administrator,
    }
    tokens = {role: token_create(user=user, name="test", scopes="read")[1] for role, user in users.items()}
    return World(users=users, tokens=tokens)


STAFF = {"agent_x", "agent_y", "administrator"}
EMPLOYEES = {"employee_a", "employee_b", *STAFF}

# (url, who gets 200; everyone else signed in gets 404 for an object, anonymous 401 always)
DETAIL_CASES = [
    ("/api/v1/services/epost/", EMPLOYEES),
    ("/api/v1/services/ny-tjeneste/", STAFF),
    ("/api/v1/catalogue-items/pc/", EMPLOYEES),
    ("/api/v1/catalogue-items/b-only/", {"employee_b", "administrator"}),
    ("/api/v1/catalogue-items/kladd/", {"administrator"}),
    ("/api/v1/catalogue-items/planlagt-vare/", {"administrator"}),
    ("/api/v1/assets/PC-A/", {"employee_a", *STAFF}),
    ("/api/v1/assets/PC-B/", {"employee_b", *STAFF}),
]
# (url, the key of each result, what each role sees)
LIST_CASES = [
    (
        "/api/v1/services/",
        "code",
        {
            "employee_a": {"epost"},
            "employee_b": {"epost"},
            **{role: {"epost", "ny-tjeneste"} for role in STAFF},
        },
    ),
    (
        "/api/v1/catalogue-items/",
        "code",
        {
            "employee_a": {"pc"},
            "employee_b": {"pc", "b-only"},
            "agent_x": {"pc"},
            "agent_y": {"pc"},
            "administrator": {"pc", "b-only", "kladd", "planlagt-vare"},
        },
    ),
    (
        "/api/v1/assets/",
        "asset_tag",
        {"employee_a": {"PC-A"}, "employee_b": {"PC-B"}, **{role: {"PC-A", "PC-B"} for role in STAFF}},
    ),
]


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, role):
    """Every catalogue endpoint for every kind of user, on own and foreign objects: no unexpected 2xx."""
    client = world.client(role)
    wrong = []
    for url, allowed in DETAIL_CASES:
        expected = 401 if role == "anonymous" else 200 if role in allowed else 404
        status = client.get(url).status_code
        if status != expected:
            wrong.append((url, status, expected))
    for url, key, seen in LIST_CASES:
        response = client.get(url)
        if role == "anonymous":
            if response.status_code != 401:
                wrong.append((url, response.status_code, 401))
            continue
        got = {row[key] for row in response.json()["results"]}
        if response.status_code != 200 or got != seen[role]:
            wrong.append((url, response.status_code, got, seen[role]))
    assert wrong == []


def test_the_browser_session_sees_the_same_as_a_token(world):
    client = APIClient()
    client.force_login(world.users["employee_a"])
    assert {row["code"] for row in client.get("/api/v1/catalogue-items/").json()["results"]} == {"pc"}
    assert client.get("/api/v1/assets/PC-B/").status_code == 404


def test_a_token_without_the_read_scope_is_refused(world):
    _token, plain = token_create(user=world.users["agent_x"], name="events", scopes="events:write")
    response = APIClient().get("/api/v1/services/", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 403
    assert "read" in response.json()["detail"]


def test_unknown_tokens_get_401_with_the_bearer_challenge(world):
    response = APIClient().get("/api/v1/services/", HTTP_AUTHORIZATION="Bearer sd_00000000_nope")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_service_filters(world):
    client = world.client("agent_x")

    def codes(query: str) -> set[str]:
        response = client.get(f"/api/v1/services/?{query}")
        assert response.status_code == 200
        return {row["code"] for row in response.json()["results"]}

    assert codes("state=planned") == {"ny-tjeneste"}
    assert codes("group=gruppe-x") == {"epost"}
    assert codes("public=true") >= {"epost"}
    assert "epost" not in codes("public=false")
    assert client.get("/api/v1/services/?public=maybe").status_code == 400
    assert client.get("/api/v1/services/?public=").status_code == 400
    assert client.get("/api/v1/services/?state=").status_code == 400
    for size in ("x", "0", "101"):
        assert client.get(f"/api/v1/services/?page_size={size}").status_code == 400
    response = client.get("/api/v1/services/?state=gone")
    assert response.status_code == 400
    assert "state" in response.json()


def test_item_filters_and_fields(world):
    client = world.client("employee_b")
    rows = client.get("/api/v1/catalogue-items/?kind=access").json()["results"]
    assert [row["code"] for row in rows] == ["b-only"]
    assert rows[0]["service"] == "epost"
    assert rows[0]["url"] == "http://testserver/api/v1/catalogue-items/b-only/"
    assert client.get("/api/v1/catalogue-items/?service=ny-tjeneste").json()["results"] == []


def test_asset_notes_only_for_the_desk(world):
    asset = world.client("employee_a").get("/api/v1/assets/PC-A/").json()
    assert asset["holder"] == "ansatt.a" and asset["item"] == "pc"
    assert asset["notes"] is None
    assert world.client("agent_y").get("/api/v1/assets/PC-A/").json()["notes"] == ""


def test_cursor_pagination_reads_every_row_once(world):
    client = world.client("administrator")
    seen, url = [], "/api/v1/catalogue-items/?page_size=1"
    while url:
        page = client.get(url).json()
        seen += [row["code"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(seen) == ["b-only", "kladd", "pc", "planlagt-vare"]
    assert client.get("/api/v1/catalogue-items/?cursor=garbage").status_code == 404


def test_lists_run_a_fixed_number_of_queries(world):
    client = world.client("administrator")
    client.get("/api/v1/assets/")  # warm up: the role cache, content types
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/assets/")
    for n in range(5):
        AssetFactory(asset_tag=f"PC-N{n}", holder=UserFactory(), item=CatalogItem.objects.get(code="pc"))
    with CaptureQueriesContext(connection) as more:
        response = client.get("/api/v1/assets/")
    assert len(response.json()["results"]) == 7
    assert len(more.captured_queries) == len(few.captured_queries)
