"""The ticket endpoints: filters and cursor pages, the ticket's fields and its SLA object, create, edit
with optimistic concurrency (If-Match or version; 412/409 with the current version), transitions through
the lifecycle's guards, comments and the timeline — every refusal a 4xx naming the field."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone, translation
from rest_framework.test import APIClient

from api.tokens import token_create
from tests.factories import (
    ServiceFactory,
    SupportGroupFactory,
    UserFactory,
    make_ticket,
    move_ticket,
    resolve_ticket,
)
from tickets import services
from tickets.models import Ticket


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, in a transaction rolled back at the module's end; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        with translation.override("en"):
            data = _build_world()
        yield data
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _in_a_savepoint_and_in_english(db):
    with translation.override("en"):
        yield


def _build_world():
    employee = UserFactory(username="kari")
    other = UserFactory(username="ola")
    agent = UserFactory(username="per", roles=["agent"])
    first_line = SupportGroupFactory(code="forste", is_first_line=True, members_list=[agent])
    network = SupportGroupFactory(code="nett")
    mail = ServiceFactory(code="epost", support_group=first_line)
    vpn = ServiceFactory(code="vpn", support_group=network)
    tickets = [
        make_ticket(employee, service=mail, title="Mail is slow", urgency=3),
        make_ticket(employee, service=vpn, title="VPN drops", urgency=1),
        make_ticket(other, title="Printer jam"),
    ]
    services.ticket_update(
        ticket=tickets[1], actor=agent, version=None, changes={"assignee": agent}, reason=""
    )
    Ticket.objects.filter(pk=tickets[2].pk).update(external_id="OLD-42")
    return {"employee": employee, "other": other, "agent": agent, "mail": mail, "tickets": tickets}


def api(user, scopes=("read", "tickets:write")) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    _token, plain = token_create(user=user, name="test", scopes=list(scopes))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def url(ticket, tail="") -> str:
    return f"/api/v1/tickets/{ticket.number}/{tail}"


def current(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --- The list ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [2, 1, 0]),
        ("?kind=incident", [2, 1, 0]),
        ("?kind=change", []),
        ("?status=assigned", [1]),
        ("?status=new&status=assigned", [2, 1, 0]),
        ("?service=vpn", [1]),
        ("?service=unknown", []),
        ("?group=forste", [2, 0]),
        ("?assignee=per", [1]),
        ("?requester=ola", [2]),
        ("?external_id=OLD-42", [2]),
        ("?priority=4", [2, 0]),
        ("?priority=1", []),
        ("?q=printer", [2]),
    ],
)
def test_filters(world, query, expected):
    tickets = world["tickets"]
    assert numbers(api(world["agent"]).get(f"/api/v1/tickets/{query}")) == [
        tickets[i].number for i in expected
    ]


def test_updated_since_takes_iso_times(world):
    tickets = world["tickets"]
    Ticket.objects.filter(pk=tickets[0].pk).update(updated_at=timezone.now() - dt.timedelta(days=3))
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = api(world["agent"]).get("/api/v1/tickets/", {"updated_since": since})
    assert numbers(response) == [tickets[2].number, tickets[1].number]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=open", "status"),
        ("?kind=bug", "kind"),
        ("?kind=", "kind"),
        ("?updated_since=yesterday", "updated_since"),
        ("?updated_since=", "updated_since"),
        ("?page_size=0", "page_size"),
        ("?page_size=101", "page_size"),
        ("?page_size=ten", "page_size"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_it(world, query, field):
    response = api(world["agent"]).get(f"/api/v1/tickets/{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_filters_stay_inside_what_an_employee_sees(world):
    assert numbers(api(world["employee"]).get("/api/v1/tickets/?requester=ola")) == []


def test_cursor_pages_neither_skip_nor_repeat(world):
    client = api(world["agent"])
    first = client.get("/api/v1/tickets/?page_size=2").json()
    assert len(first["results"]) == 2 and first["previous"] is None
    # A ticket created between the pages does not shift the next one.
    make_ticket(world["other"], title="New meanwhile")
    second = client.get(first["next"]).json()
    assert second["next"] is None
    seen = [row["number"] for row in first["results"] + second["results"]]
    assert seen == [t.number for t in reversed(world["tickets"])]
    assert client.get("/api/v1/tickets/?cursor=garbage").status_code == 404
    # A well-formed cursor whose position is not a key: the same answer, not a server error.
    assert client.get("/api/v1/tickets/?cursor=cD1hYmM%3D").status_code == 404


def test_a_ticket_carries_number_external_id_priority_status_and_sla(world):
    rows = {row["number"]: row for row in api(world["agent"]).get("/api/v1/tickets/").json()["results"]}
    vpn, imported = world["tickets"][1], world["tickets"][2]
    row = rows[vpn.number]
    assert row["external_id"] is None and rows[imported.number]["external_id"] == "OLD-42"
    assert (row["status"], row["priority"], row["assignee"], row["service"]) == ("assigned", 3, "per", "vpn")
    assert row["version"] == current(vpn).version
    detail = api(world["agent"]).get(url(vpn)).json()
    # The list's sla object is the ticket page's (sla.selectors.ticket_sla), built for the page at once.
    assert row["sla"] is not None and set(row["sla"]) == set(detail["sla"])
    for kind in row["sla"]:
        assert set(row["sla"][kind]) == {
            "state",
            "target_seconds",
            "elapsed_seconds",
            "due_at",
            "breached",
            "met",
        }
        assert row["sla"][kind]["target_seconds"] == detail["sla"][kind]["target_seconds"]


# --- Retrieve, create -------------------------------------------------------------------------------


def test_retrieve_by_number_with_the_version_as_etag(world):
    ticket = world["tickets"][0]
    response = api(world["employee"]).get(url(ticket).lower())
    assert response.status_code == 200
    assert response["ETag"] == f'"{current(ticket).version}"'
    assert response.json()["description"] and response.json()["title"] == "Mail is slow"
    assert api(world["employee"]).get("/api/v1/tickets/INC-2026-999999/").status_code == 404


def test_an_employee_reports_an_incident_as_in_the_portal(world):
    body = {"title": "Teams crashes", "description": "Since this morning.", "service": "epost", "urgency": 1}
    response = api(world["employee"]).post("/api/v1/tickets/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    ticket = Ticket.objects.get(number=data["number"])
    assert (ticket.requester, ticket.created_by, ticket.channel) == (world["employee"],) * 2 + ("api",)
    assert (
        ticket.support_group.code == "forste" and ticket.urgency == 1 and data["priority"] == ticket.priority
    )
    assert response["Location"].endswith(f"/api/v1/tickets/{ticket.number}/")
    assert response["ETag"] == '"1"'


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "x"}, "title"),
        ({"title": "x"}, "description"),
        ({"title": "x", "description": "y", "service": "nope"}, "service"),
        ({"title": "x", "description": "y", "urgency": 7}, "urgency"),
        ({"title": "x", "description": "y", "impact": 1}, "impact"),
        ({"title": "x", "description": "y", "support_group": "nett"}, "support_group"),
        ({"title": "x" * 201, "description": "y"}, "title"),
    ],
)
def test_bad_input_to_create_is_a_400_naming_the_field_and_nothing_is_saved(world, body, field):
    before = Ticket.objects.count()
    response = api(world["employee"]).post("/api/v1/tickets/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Ticket.objects.count() == before


def test_an_agent_registers_a_call_for_someone_with_group_impact_and_channel(world):
    body = {
        "title": "Cannot log in",
        "description": "Called at 9.",
        "requester": "ola",
        "support_group": "nett",
        "impact": 1,
        "urgency": 1,
        "category": "access",
        "channel": "phone",
    }
    response = api(world["agent"]).post("/api/v1/tickets/", body, format="json")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert (ticket.requester.username, ticket.support_group.code, ticket.channel) == ("ola", "nett", "phone")
    assert ticket.priority == 1 and ticket.first_response_at is not None


# --- Edit: optimistic concurrency -------------------------------------------------------------------


@pytest.mark.parametrize("header", ['"{v}"', "{v}", 'W/"{v}"'])
def test_edit_with_if_match_answers_the_new_version(world, header):
    ticket = world["tickets"][0]
    version = current(ticket).version
    response = api(world["agent"]).patch(
        url(ticket), {"title": "Mail is very slow"}, format="json", HTTP_IF_MATCH=header.format(v=version)
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Mail is very slow"
    assert response["ETag"] == f'"{version + 1}"' == f'"{current(ticket).version}"'


@pytest.mark.parametrize(("how", "expected"), [("header", 412), ("body", 409)])
def test_a_stale_version_is_refused_with_the_current_one(world, how, expected):
    ticket = world["tickets"][0]
    stale = current(ticket).version
    services.ticket_update(ticket=ticket, actor=world["agent"], version=None, changes={"urgency": 1})
    body = {"title": "Overwritten"}
    kwargs = {"HTTP_IF_MATCH": f'"{stale}"'} if how == "header" else {}
    if how == "body":
        body["version"] = stale
    response = api(world["agent"]).patch(url(ticket), body, format="json", **kwargs)
    assert response.status_code == expected
    assert response.json()["current_version"] == current(ticket).version == stale + 1
    assert "detail" in response.json()
    assert current(ticket).title == "Mail is slow"


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        ({"title": "x"}, {}, "version"),
        ({"title": "x"}, {"HTTP_IF_MATCH": "yesterday"}, "If-Match"),
        ({"priority": 1, "version": "{v}"}, {}, "priority_reason"),
        ({"assignee": "ola", "version": "{v}"}, {}, "assignee"),
        ({"support_group": None, "version": "{v}"}, {}, "support_group"),
        ({"impact": 9, "version": "{v}"}, {}, "impact"),
    ],
)
def test_bad_edits_are_a_400_naming_the_field(world, body, headers, field):
    ticket = world["tickets"][0]
    version = current(ticket).version
    body = {k: (version if v == "{v}" else v) for k, v in body.items()}
    response = api(world["agent"]).patch(url(ticket), body, format="json", **headers)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert current(ticket).version == version


def test_a_priority_by_hand_with_a_reason(world):
    ticket = world["tickets"][0]
    body = {"priority": 1, "priority_reason": "The mayor's mail.", "version": current(ticket).version}
    response = api(world["agent"]).patch(url(ticket), body, format="json")
    assert response.status_code == 200
    assert response.json()["priority"] == 1 and current(ticket).priority_overridden


# --- Transitions, comments, the timeline -----------------------------------------------------------------


def test_transitions_go_through_the_lifecycle_and_its_guards(world):
    ticket, client = world["tickets"][0], api(world["agent"])
    refused = client.post(url(ticket, "transitions/"), {"to": "resolved"}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"resolution_code", "resolution_note"}
    not_allowed = client.post(url(ticket, "transitions/"), {"to": "closed"}, format="json")
    assert not_allowed.status_code == 400 and list(not_allowed.json()) == ["to"]
    body = {"to": "resolved", "resolution_code": "solved", "resolution_note": "Cleared the cache."}
    done = client.post(url(ticket, "transitions/"), body, format="json")
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    # The requester confirms the resolution, as on the ticket page.
    confirmed = api(world["employee"]).post(url(ticket, "transitions/"), {"to": "closed"}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "closed"


def test_a_stale_transition_answers_409(world):
    ticket = world["tickets"][0]
    stale = current(ticket).version
    services.ticket_comment(ticket=ticket, actor=world["agent"], body="Looking at it.")
    body = {"to": "in_progress", "version": stale}
    response = api(world["agent"]).post(url(ticket, "transitions/"), body, format="json")
    assert response.status_code == 409 and response.json()["current_version"] == stale + 1
    assert current(ticket).status == "new"


def test_replies_and_notes(world):
    ticket = world["tickets"][0]
    reply = api(world["employee"]).post(url(ticket, "comments/"), {"body": "Any news?"}, format="json")
    assert reply.status_code == 201
    assert (reply.json()["type"], reply.json()["is_public"], reply.json()["author"]) == (
        "reply",
        True,
        "kari",
    )
    note = api(world["agent"]).post(
        url(ticket, "comments/"), {"body": "Hm.", "internal": True}, format="json"
    )
    assert note.status_code == 201 and note.json()["type"] == "note" and not note.json()["is_public"]
    empty = api(world["agent"]).post(url(ticket, "comments/"), {"body": "  "}, format="json")
    assert empty.status_code == 400 and "body" in empty.json()


def test_no_comment_on_a_finished_ticket(world):
    ticket = world["tickets"][0]
    move_ticket(resolve_ticket(ticket, world["agent"]), world["employee"], "closed")
    response = api(world["employee"]).post(url(ticket, "comments/"), {"body": "Hello?"}, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_the_timeline_in_cursor_pages_oldest_first(world):
    ticket = world["tickets"][1]
    for text in ("one", "two", "three"):
        services.ticket_comment(ticket=ticket, actor=world["agent"], body=text)
    client = api(world["employee"])
    events, link, pages = [], url(ticket, "events/?page_size=2"), 0
    while link:
        page = client.get(link).json()
        assert len(page["results"]) <= 2
        events += page["results"]
        link, pages = page["next"], pages + 1
    assert pages >= 3
    assert events[0]["type"] == "created" and all(e["is_public"] for e in events)
    assert [e["body"] for e in events if e["type"] == "reply"] == ["one", "two", "three"]
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)


def test_the_schema_documents_if_match_and_the_conflict_body(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    patch = schema["paths"]["/api/v1/tickets/{number}/"]["patch"]
    assert "If-Match" in [p["name"] for p in patch["parameters"]]
    assert {"409", "412", "400", "404"} <= set(patch["responses"])
    conflict = schema["components"]["schemas"]["Conflict"]
    assert set(conflict["required"]) == {"detail", "current_version"}
