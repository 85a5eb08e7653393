"""Two agents open the same ticket and both save: the second is told, and nothing of theirs is saved."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import make_ticket
from tickets import services
from tickets.models import Ticket, TicketEvent
from tickets.transitions import StaleTicket


def field_changes(ticket) -> list[tuple[str, str, str]]:
    events = TicketEvent.objects.filter(ticket=ticket).exclude(type="created").order_by("pk")
    return [(e.data.get("field"), e.data.get("from"), e.data.get("to")) for e in events]


def fields_post(ticket, version, **changes) -> dict:
    """What the details form on the ticket page posts: every field, as loaded, plus the changes."""
    data = {
        "title": ticket.title,
        "service": ticket.service_id or "",
        "support_group": ticket.support_group_id,
        "assignee": ticket.assignee_id or "",
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "priority": ticket.priority,
        "priority_reason": "",
        "category": ticket.category,
        "version": version,
    }
    data.update(changes)
    return data


def conflict_message(ticket) -> str:
    with translation.override("nb"):
        return gettext(
            "Someone else changed %(number)s while you were working on it. Your change was not saved."
        ) % {"number": ticket.number}


def test_service_refuses_the_second_of_two_saves_from_the_same_version(employee, agent, other_agent):
    ticket = make_ticket(employee)
    seen_by_first = Ticket.objects.get(pk=ticket.pk)
    seen_by_second = Ticket.objects.get(pk=ticket.pk)
    assert seen_by_first.version == seen_by_second.version == 1

    services.ticket_update(
        ticket=seen_by_first, actor=agent, version=seen_by_first.version, changes={"title": "Skriver 2. etg."}
    )
    with pytest.raises(StaleTicket) as caught:
        services.ticket_update(
            ticket=seen_by_second,
            actor=other_agent,
            version=seen_by_second.version,
            changes={"urgency": 1, "category": "hardware"},
        )
    conflict = caught.value
    assert conflict.current.version == 2
    assert conflict.current.title == "Skriver 2. etg."
    assert [(e.author, e.data["field"], e.data["to"]) for e in conflict.changes] == [
        (agent, "title", "Skriver 2. etg.")
    ]
    assert ticket.number in conflict.messages[0]

    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.title, stored.urgency, stored.category, stored.version) == (
        "Skriver 2. etg.",
        2,
        "other",
        2,
    )
    assert field_changes(ticket) == [("title", "Utskrift virker ikke", "Skriver 2. etg.")]


def test_a_status_change_from_an_old_version_is_refused_too(employee, agent, other_agent):
    ticket = make_ticket(employee)
    services.ticket_update(ticket=ticket, actor=agent, version=1, changes={"assignee": agent})
    from tickets.transitions import Move

    with pytest.raises(StaleTicket):
        services.ticket_transition(
            ticket=ticket, actor=other_agent, version=1, move=Move(to="pending", pending_reason="supplier")
        )
    assert Ticket.objects.get(pk=ticket.pk).status == "assigned"
    assert [e.type for e in TicketEvent.objects.filter(ticket=ticket).order_by("pk")] == [
        "created",
        "assignment",
        "field",
    ]


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_the_details_form_refuses_a_stale_save_with_409(client, employee, agent, other_agent, htmx):
    ticket = make_ticket(employee)
    url = reverse("tickets:fields", args=[ticket.number])
    headers = {"HX-Request": "true"} if htmx else {}

    # Both agents open the page and get the same version in the details form.
    client.force_login(agent)
    first_page = client.get(ticket.get_absolute_url())
    client.force_login(other_agent)
    second_page = client.get(ticket.get_absolute_url())
    version = first_page.context["fields_form"]["version"].value()
    assert version == second_page.context["fields_form"]["version"].value() == 1
    assert re.search(rf'name="version" value="{version}"', first_page.content.decode())

    client.force_login(agent)
    saved = client.post(url, fields_post(ticket, version, title="Skriver 2. etg."), headers=headers)
    assert saved.status_code == (200 if htmx else 302)

    client.force_login(other_agent)
    refused = client.post(url, fields_post(ticket, version, urgency=1), headers=headers)
    assert refused.status_code == 409
    html = refused.content.decode()
    conflict = html[html.index('id="conflict"') :]
    conflict = conflict[: conflict.index("</div>")]
    assert conflict_message(ticket) in conflict
    assert "Skriver 2. etg." in conflict  # what the other agent changed
    if htmx:
        assert "<html" not in html
        assert "HX-Trigger" not in refused.headers  # nothing changed, listeners are not told

    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.title, stored.urgency, stored.version) == ("Skriver 2. etg.", 2, 2)
    assert field_changes(ticket) == [("title", "Utskrift virker ikke", "Skriver 2. etg.")]

    # The page that comes back is the ticket as it is now, so saving again from it works.
    fresh_form = refused.context["fields_form"]
    assert fresh_form["version"].value() == 2
    assert fresh_form["title"].value() == "Skriver 2. etg."
    again = client.post(url, fields_post(stored, fresh_form["version"].value(), urgency=1), headers=headers)
    assert again.status_code == (200 if htmx else 302)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.title, stored.urgency, stored.version) == ("Skriver 2. etg.", 1, 3)
    assert [c[0] for c in field_changes(ticket)] == ["title", "urgency", "priority"]


def test_a_stale_reopen_by_the_requester_is_refused_with_409(client, employee, agent):
    from tests.factories import resolve_ticket

    ticket = resolve_ticket(make_ticket(employee), agent)
    client.force_login(employee)
    page = client.get(ticket.get_absolute_url())
    version = page.context["reopen_form"]["version"].value()
    services.ticket_comment(ticket=ticket, actor=agent, body="Meld fra om det skjer igjen.")

    refused = client.post(
        reverse("tickets:reopen", args=[ticket.number]), {"reason": "Virker ikke", "version": version}
    )
    assert refused.status_code == 409
    assert conflict_message(ticket) in refused.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"
    # The form that comes back keeps the reason but carries the current version, so sending it again works.
    fresh_form = refused.context["reopen_form"]
    assert (fresh_form["reason"].value(), fresh_form["version"].value()) == ("Virker ikke", version + 1)
    again = client.post(
        reverse("tickets:reopen", args=[ticket.number]),
        {"reason": "Virker ikke", "version": fresh_form["version"].value()},
    )
    assert again.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    assert [e.type for e in TicketEvent.objects.filter(ticket=ticket).order_by("pk")] == [
        "created",
        "status",
        "reply",
        "status",
    ]
