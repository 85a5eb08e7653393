"""POST /api/v1/events/: the inbound event endpoint for monitoring and building automation."""

import datetime as dt
import json

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from api.tokens import token_create
from incidents.models import Alert, MonitoringEvent, MonitoringSource
from tests.catalog.factories import AssetFactory, CatalogItemFactory
from tests.factories import ServiceFactory, UserFactory
from tickets.models import ResolutionCode, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def monitor(db):
    return UserFactory(username="zabbix", is_service_account=True)


@pytest.fixture
def network(db):
    return ServiceFactory(code="nettverk", criticality=1)


def client_for(user, scopes="events:write"):
    _token, plain = token_create(user=user, name="monitoring", scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}", HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def api(monitor):
    return client_for(monitor)


def body(n=1, **overrides):
    data = {
        "source": "zabbix",
        "event_id": f"zbx-{n}",
        "dedup_key": "nett/sw-radhuset-3etg/uplink",
        "service": "nettverk",
        "severity": "critical",
        "summary": "Switch sw-radhuset-3etg: uplink down",
        "details": {"host": "sw-radhuset-3etg", "trigger_id": 23117},
        "occurred_at": (timezone.now() - dt.timedelta(minutes=10)).isoformat(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(api, data):
    return api.post(URL, data=json.dumps(data), content_type="application/json")


def nothing_stored():
    return not (
        MonitoringEvent.objects.exists()
        or Ticket.objects.exists()
        or Alert.objects.exists()
        or MonitoringSource.objects.exists()
    )


def test_an_event_opens_an_incident_and_answers_with_it(api, network, monitor):
    response = post(api, body())
    assert response.status_code == 201, response.content
    data = response.json()
    ticket = Ticket.objects.get()
    assert data["status"] == "created" and data["ticket"] == ticket.number
    assert data["alert"]["count"] == 1 and data["alert"]["state"] == "open"
    assert data["alert"]["source"] == "zabbix"
    assert (ticket.channel, ticket.requester, ticket.priority) == ("event", monitor, 1)


def test_a_duplicate_event_id_answers_200_with_the_first_outcome(api, network):
    first = post(api, body(1)).json()
    again = post(api, body(1, summary="sent again"))
    assert again.status_code == 200
    assert again.json()["status"] == "created" and again.json()["ticket"] == first["ticket"]
    assert MonitoringEvent.objects.count() == 1
    assert TicketEvent.objects.filter(ticket__number=first["ticket"]).count() == 1


def test_a_flood_for_one_key_makes_one_incident_with_the_count(api, network):
    for n in range(50):
        response = post(api, body(n))
        assert response.status_code == 201
    data = response.json()
    assert data["status"] == "appended" and data["alert"]["count"] == 50
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.count() == 1


def test_a_clear_resolves_the_incident(api, network):
    number = post(api, body(1, outage=True)).json()["ticket"]
    response = post(api, body(2, severity="clear", summary="Uplink up"))
    assert response.status_code == 201
    assert response.json()["status"] == "cleared" and response.json()["alert"]["state"] == "cleared"
    ticket = Ticket.objects.get(number=number)
    assert (ticket.status, ticket.resolution_code) == (Status.RESOLVED, ResolutionCode.MONITORING_CLEARED)


def test_a_clear_without_an_open_condition_is_only_stored(api, network):
    response = post(api, body(1, severity="clear"))
    assert response.status_code == 201
    assert response.json() == {
        "status": "stored",
        "ticket": None,
        "alert": None,
        "received_at": response.json()["received_at"],
    }
    assert not Ticket.objects.exists()


def test_an_asset_event_goes_to_the_assets_service(api):
    service = ServiceFactory(code="bygg-lys", criticality=3)
    AssetFactory(item=CatalogItemFactory(service=service), asset_tag="LYS-214-03")
    response = post(
        api,
        body(
            service=None,
            asset="LYS-214-03",
            source="bygg-iot",
            severity="minor",
            dedup_key="lys/rom-214/armatur-3",
            summary="Light fitting 3 in room 214 does not respond",
            details={"building": "Rådhuset", "room": "214"},
        ),
    )
    assert response.status_code == 201, response.content
    assert Ticket.objects.get().service == service


BIG = {"blob": "x" * (16 * 1024)}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"source": None}, "source"),
        ({"source": "not a slug!"}, "source"),
        ({"event_id": None}, "event_id"),
        ({"dedup_key": ""}, "dedup_key"),
        ({"severity": "disaster"}, "severity"),
        ({"summary": "x" * 201}, "summary"),
        ({"summary": "   "}, "summary"),
        ({"occurred_at": "2026-03-02T07:15:00"}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2099-01-01T00:00:00Z"}, "occurred_at"),
        ({"service": "ukjent"}, "service"),
        ({"service": None}, "service"),
        ({"service": None, "asset": "LYS-0"}, "asset"),
        ({"details": ["not", "an", "object"]}, "details"),
        ({"details": BIG}, "details"),
        ({"outage": "maybe"}, "outage"),
    ],
)
def test_malformed_events_answer_400_and_store_nothing(api, network, overrides, field):
    response = post(api, body(**overrides))
    assert response.status_code == 400
    assert field in response.json()
    assert nothing_stored()


def test_a_service_and_an_asset_together_are_refused(api, network):
    AssetFactory(asset_tag="LYS-214-03")
    response = post(api, body(asset="LYS-214-03"))
    assert response.status_code == 400
    assert "not both" in response.json()["service"][0]
    assert nothing_stored()


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"'])
def test_bodies_that_are_no_object_answer_400(api, network, raw):
    response = api.post(URL, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert nothing_stored()


def test_a_token_without_events_write_is_refused(monitor, network):
    response = post(client_for(monitor, scopes="read"), body())
    assert response.status_code == 403
    assert nothing_stored()


def test_no_token_is_refused(network):
    response = APIClient().post(URL, data=json.dumps(body()), content_type="application/json")
    assert response.status_code == 401
    assert nothing_stored()


def test_a_new_source_must_come_from_a_service_account(network):
    response = post(client_for(UserFactory()), body())
    assert response.status_code == 400
    assert "service account" in response.json()["source"][0]
    assert nothing_stored()


def test_a_source_belongs_to_its_account(api, network):
    post(api, body(1))
    other = client_for(UserFactory(is_service_account=True))
    response = post(other, body(2))
    assert response.status_code == 400 and "source" in response.json()
    assert MonitoringEvent.objects.count() == 1


def test_the_schema_documents_the_endpoint(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/events/"]["post"]
    assert {"200", "201", "400", "401", "403"} <= set(operation["responses"])
    request = schema["components"]["schemas"]["EventRequest"]
    assert set(request["required"]) == {
        "source",
        "event_id",
        "dedup_key",
        "severity",
        "summary",
        "occurred_at",
    }
    result = schema["components"]["schemas"]["EventResult"]["properties"]
    assert result["ticket"]["nullable"] is True
