"""The ticket pages through the test client: reporting, the ticket page and htmx, the agent's queues."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import PNG_BYTES, UserFactory, make_ticket, png_upload, resolve_ticket
from tickets import services
from tickets.models import (
    Attachment,
    Channel,
    QueuePreference,
    SavedFilter,
    Status,
    Ticket,
    TicketEvent,
)


def event_types(ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("pk").values_list("type", flat=True))


# --- Reporting and attachments ------------------------------------------------------------------------


def test_employee_reports_an_incident_with_a_screenshot_and_downloads_it(
    client, employee, first_line, service, media_root
):
    client.force_login(employee)
    form_page = client.get(reverse("tickets:report"))
    assert form_page.status_code == 200
    assert service.name_nb.encode() in form_page.content  # live services are offered

    response = client.post(
        reverse("tickets:report"),
        {
            "service": service.pk,
            "title": "Outlook krasjer",
            "description": "Krasjer når jeg åpner kalenderen.",
            "affects": "1",
            "attachments": [png_upload("skjermbilde.png")],
        },
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert response.redirect_chain == [(ticket.get_absolute_url(), 302)]
    assert ticket.number in response.content.decode()  # the thank-you message names the number
    assert (ticket.requester, ticket.created_by, ticket.channel) == (employee, employee, Channel.PORTAL)
    assert (ticket.service, ticket.support_group, ticket.urgency) == (service, service.support_group, 1)
    assert event_types(ticket) == ["created"]

    attachment = Attachment.objects.get()
    assert attachment.event == TicketEvent.objects.get(ticket=ticket)
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "skjermbilde.png",
        "image/png",
        len(PNG_BYTES),
    )
    assert (attachment.is_public, attachment.uploaded_by) == (True, employee)
    # Stored under MEDIA_ROOT with a random name, nowhere near the static files.
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(Path(media_root).resolve())
    assert "skjermbilde" not in stored.name
    for static_dir in [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]:
        assert not stored.is_relative_to(Path(static_dir).resolve())
    assert stored.read_bytes() == PNG_BYTES

    assert "skjermbilde.png" in response.content.decode()  # listed on the timeline
    download = client.get(attachment.get_absolute_url())
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="skjermbilde.png"' in download["Content-Disposition"]
    assert download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == PNG_BYTES


def test_report_form_names_missing_fields_and_saves_nothing(client, employee, first_line):
    client.force_login(employee)
    response = client.post(reverse("tickets:report"), {"title": "", "description": "", "affects": "9"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "description", "affects"}
    assert Ticket.objects.count() == 0


def test_agent_registers_a_phone_call(client, agent, employee):
    client.force_login(agent)
    assert client.get(reverse("tickets:register_call")).status_code == 200
    response = client.post(
        reverse("tickets:register_call"),
        {
            "requester": employee.username,
            "channel": "phone",
            "title": "Glemt passord",
            "description": "Ringer fra resepsjonen.",
            "affects": "1",
            "impact": "3",
            "category": "access",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.requester, ticket.created_by, ticket.channel) == (employee, agent, Channel.PHONE)
    assert ticket.first_response_at is not None
    assert ticket.priority == 3  # low impact × high urgency
    assert event_types(ticket) == ["created"]


def test_employees_cannot_register_calls(client, employee):
    client.force_login(employee)
    assert client.get(reverse("tickets:register_call")).status_code == 403


# --- The ticket page and htmx -------------------------------------------------------------------------


def test_a_plain_reply_redirects_back_to_the_ticket(client, employee, agent):
    ticket = make_ticket(employee)
    client.force_login(employee)
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Det gjelder begge."})
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()
    assert event_types(ticket) == ["created", "reply"]


def test_an_htmx_reply_gets_the_main_partial_and_a_ticket_changed_event(client, employee, agent):
    ticket = make_ticket(employee)
    client.force_login(agent)
    response = client.post(
        reverse("tickets:reply", args=[ticket.number]),
        {"body": "Har du prøvd å starte på nytt?"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<body" not in html
    assert re.search(r'<div id="ticket-header"[^>]*hx-swap-oob="true"', html)  # header refreshed out of band
    assert 'class="sd-ticket-layout"' in html
    assert "Har du prøvd å starte på nytt?" in html
    assert json.loads(response["HX-Trigger"]) == {"ticketChanged": {"number": ticket.number}}
    assert event_types(ticket) == ["created", "reply"]


def test_an_htmx_status_change_gets_the_partial_with_the_new_status(client, employee, agent):
    ticket = make_ticket(employee)
    client.force_login(agent)
    response = client.post(
        reverse("tickets:transition", args=[ticket.number]),
        {"to": "pending", "pending_reason": "requester", "version": ticket.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'data-state="pending"' in response.content.decode()
    assert json.loads(response["HX-Trigger"])["ticketChanged"]["number"] == ticket.number
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING
    assert event_types(ticket) == ["created", "status"]


def test_a_refused_status_change_names_the_missing_field(client, employee, agent):
    ticket = make_ticket(employee)
    client.force_login(agent)
    response = client.post(
        reverse("tickets:transition", args=[ticket.number]),
        {"to": "resolved", "resolution_code": "solved", "version": ticket.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert set(response.context["transition_form"].errors) == {"resolution_note"}
    assert "HX-Trigger" not in response.headers
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW
    assert event_types(ticket) == ["created"]


def test_employee_cannot_use_agent_actions(client, employee, agent):
    ticket = make_ticket(employee)
    client.force_login(employee)
    fields = client.post(reverse("tickets:fields", args=[ticket.number]), {"title": "x", "version": 1})
    assert fields.status_code == 403
    resolve = client.post(
        reverse("tickets:transition", args=[ticket.number]),
        {"to": "resolved", "resolution_code": "solved", "resolution_note": "Selvløst"},
    )
    assert resolve.status_code == 403
    assert client.post(reverse("tickets:link", args=[ticket.number]), {}).status_code == 403
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'name="internal"' not in page  # no internal-note checkbox for employees
    assert event_types(ticket) == ["created"]


def test_requester_confirms_and_rates_on_the_page(client, employee, agent):
    ticket = resolve_ticket(make_ticket(employee), agent)
    client.force_login(employee)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert reverse("tickets:confirm", args=[ticket.number]) in page
    assert client.post(reverse("tickets:confirm", args=[ticket.number])).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED
    assert client.post(reverse("tickets:rate", args=[ticket.number]), {"score": "5"}).status_code == 302
    again = client.post(reverse("tickets:rate", args=[ticket.number]), {"score": "1"})
    assert again.status_code == 400
    assert Ticket.objects.get(pk=ticket.pk).rating.score == 5
    assert event_types(ticket) == ["created", "status", "status", "rating"]


def test_requester_reopening_a_closed_case_is_sent_to_the_follow_up(client, employee, agent):
    ticket = resolve_ticket(make_ticket(employee), agent)
    services.ticket_transition(ticket=ticket, actor=employee, move=_close(), version=None)
    client.force_login(employee)
    response = client.post(reverse("tickets:reopen", args=[ticket.number]), {"reason": "Tilbake igjen."})
    follow_up = Ticket.objects.get(reopened_from=ticket)
    assert response.status_code == 302
    assert response["Location"] == follow_up.get_absolute_url()
    assert event_types(follow_up) == ["created"]


def _close():
    from tickets.transitions import Move

    return Move(to=Status.CLOSED)


# --- Queues -------------------------------------------------------------------------------------------


@pytest.fixture
def queue_tickets(employee, agent, other_agent, network_group):
    """One ticket in each position relative to the agent's queues."""
    mine = make_ticket(employee, title="Min sak")
    services.ticket_update(ticket=mine, actor=agent, version=1, changes={"assignee": agent})
    colleagues = make_ticket(employee, title="Kollegas sak")
    services.ticket_update(ticket=colleagues, actor=agent, version=1, changes={"assignee": other_agent})
    unassigned = make_ticket(employee, title="Ingen har tatt den")
    elsewhere = make_ticket(employee, title="Nettverkssak", support_group=network_group)
    closed = resolve_ticket(make_ticket(employee, title="Ferdig sak"), agent)
    return {"mine": mine, "colleagues": colleagues, "unassigned": unassigned, "elsewhere": elsewhere,
            "resolved": closed}  # fmt: skip


QUEUE_CONTENTS = {
    "mine": {"mine"},
    "unassigned": {"unassigned"},
    "groups": {"mine", "colleagues", "unassigned"},
    "all": {"mine", "colleagues", "unassigned", "elsewhere", "resolved"},
}


@pytest.mark.parametrize("name", list(QUEUE_CONTENTS))
def test_each_queue_shows_its_tickets(client, agent, queue_tickets, name):
    client.force_login(agent)
    response = client.get(reverse("tickets:queue", args=[name]))
    assert response.status_code == 200
    shown = {row.record.pk for row in response.context["table"].paginated_rows}
    assert shown == {queue_tickets[key].pk for key in QUEUE_CONTENTS[name]}
    html = response.content.decode()
    for key, ticket in queue_tickets.items():
        assert (f'id="ticket-row-{ticket.pk}"' in html) == (key in QUEUE_CONTENTS[name])


def test_employees_get_403_on_every_queue(client, employee):
    client.force_login(employee)
    for name in QUEUE_CONTENTS:
        assert client.get(reverse("tickets:queue", args=[name])).status_code == 403
    assert client.get(reverse("tickets:queue")).status_code == 403
    assert client.post(reverse("tickets:queue_columns"), {"columns": ["kind"]}).status_code == 403
    assert client.post(reverse("tickets:bulk", args=["all"]), {}).status_code == 403
    assert QueuePreference.objects.count() == 0


def test_unknown_queue_is_not_found(client, agent):
    client.force_login(agent)
    assert client.get(reverse("tickets:queue", args=["nope"])).status_code == 404


def test_the_queue_filters_and_htmx_gets_only_the_table(client, agent, queue_tickets):
    client.force_login(agent)
    response = client.get(
        reverse("tickets:queue", args=["all"]), {"q": "Nettverk"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="ticket-row-{queue_tickets["elsewhere"].pk}"' in html
    assert f'id="ticket-row-{queue_tickets["mine"].pk}"' not in html
    assert "HX-Request" in response["Vary"]


def test_bulk_assign_and_move(client, agent, other_agent, employee, network_group):
    first, second, untouched = (make_ticket(employee, title=f"Sak {n}") for n in range(3))
    client.force_login(agent)
    response = client.post(
        reverse("tickets:bulk", args=["unassigned"]),
        {"tickets": [first.number, second.number], "action": "assign", "assignee": other_agent.pk},
    )
    assert response.status_code == 302
    for ticket in (first, second):
        stored = Ticket.objects.get(pk=ticket.pk)
        assert (stored.assignee, stored.status) == (other_agent, Status.ASSIGNED)
        assert event_types(ticket) == ["created", "assignment", "field"]
    assert Ticket.objects.get(pk=untouched.pk).assignee is None
    assert event_types(untouched) == ["created"]

    client.post(
        reverse("tickets:bulk", args=["unassigned"]),
        {"tickets": [first.number], "action": "group", "support_group": network_group.pk},
    )
    stored = Ticket.objects.get(pk=first.pk)
    assert (stored.support_group, stored.assignee, stored.reassignment_count) == (network_group, None, 1)


def test_bulk_cancel_needs_a_reason_and_reports_each_refusal(client, agent, employee):
    first, second = make_ticket(employee), make_ticket(employee)
    client.force_login(agent)
    response = client.post(
        reverse("tickets:bulk", args=["unassigned"]),
        {"tickets": [first.number, second.number], "action": "status", "status": "cancelled"},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any(first.number in m for m in messages) and any(second.number in m for m in messages)
    assert set(Ticket.objects.values_list("status", flat=True)) == {Status.NEW}
    assert event_types(first) == ["created"]

    client.post(
        reverse("tickets:bulk", args=["unassigned"]),
        {"tickets": [first.number], "action": "status", "status": "cancelled", "reason": "Dublett"},
    )
    assert Ticket.objects.get(pk=first.pk).status == Status.CANCELLED
    assert Ticket.objects.get(pk=second.pk).status == Status.NEW
    assert event_types(first) == ["created", "status"]


def test_bulk_without_a_target_is_an_error_naming_the_field(client, agent, employee):
    ticket = make_ticket(employee)
    client.force_login(agent)
    response = client.post(
        reverse("tickets:bulk", args=["all"]), {"tickets": [ticket.number], "action": "assign"}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and messages[0].startswith(str(_bulk_label("assignee")))
    assert event_types(ticket) == ["created"]


def _bulk_label(name):
    from tickets.forms import BulkForm

    return BulkForm.base_fields[name].label


def test_saved_filters_belong_to_their_owner(client, agent, other_agent):
    client.force_login(agent)
    response = client.post(
        reverse("tickets:saved_filter_create", args=["all"]), {"name": "Mine P1", "query": "priority=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:queue", args=["all"]) + "?priority=1"
    saved = SavedFilter.objects.get()
    assert (saved.owner, saved.name, saved.query) == (agent, "Mine P1", "priority=1")
    assert "Mine P1" in client.get(reverse("tickets:queue", args=["all"])).content.decode()

    client.force_login(other_agent)
    assert "Mine P1" not in client.get(reverse("tickets:queue", args=["all"])).content.decode()
    assert client.post(reverse("tickets:saved_filter_delete", args=[saved.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()

    client.force_login(agent)
    assert client.post(reverse("tickets:saved_filter_delete", args=[saved.pk])).status_code == 302
    assert not SavedFilter.objects.exists()


def test_the_column_choice_is_remembered_across_sessions(client, agent, employee):
    make_ticket(employee)
    client.force_login(agent)
    default = client.get(reverse("tickets:queue", args=["all"])).context["table"]
    assert "service" in default.columns.names() and "requester" not in default.columns.names()

    response = client.post(
        reverse("tickets:queue_columns"),
        {"columns": ["requester", "kind", "not-a-column"], "next": reverse("tickets:queue", args=["all"])},
    )
    assert response.status_code == 302
    assert QueuePreference.objects.get(user=agent).columns == ["requester", "kind"]

    client.logout()
    client.force_login(agent)
    response = client.get(reverse("tickets:queue", args=["all"]))
    names = response.context["table"].columns.names()
    assert "requester" in names and "kind" in names
    assert "service" not in names and "support_group" not in names
    html = response.content.decode()
    assert 'value="requester" id="col-requester" checked' in html
    assert "Kari Nordmann" in html  # the requester column shows the requester

    someone_else = UserFactory(username="agent3", roles=["agent"])
    client.force_login(someone_else)
    assert "service" in client.get(reverse("tickets:queue", args=["all"])).context["table"].columns.names()


def _form_html(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start : html.index("</form>", start)]


def test_the_filter_and_bulk_forms_list_every_agent_and_group_and_keep_the_choice(
    client, agent, other_agent, network_group, employee
):
    colleagues = make_ticket(employee, title="Kollegas sak")
    services.ticket_update(ticket=colleagues, actor=agent, version=1, changes={"assignee": other_agent})
    make_ticket(employee, title="Ingen har tatt den")
    client.force_login(agent)
    response = client.get(
        reverse("tickets:queue", args=["all"]),
        {"assignee": other_agent.pk, "support_group": colleagues.support_group_id},
    )
    assert [row.record.pk for row in response.context["table"].paginated_rows] == [colleagues.pk]
    html = response.content.decode()
    filters = _form_html(html, 'class="sd-filters"')
    assert re.search(rf'<option value="{other_agent.pk}" selected>Siri Agent</option>', filters)
    assert re.search(rf'<option value="{colleagues.support_group_id}" selected>1. linje</option>', filters)
    assert f'<option value="{network_group.pk}">Nettverk</option>' in filters
    bulk = _form_html(html, 'id="bulk-form"')
    agents = {"Per Agent", "Siri Agent", "Nils Nett"}
    assert set(re.findall(r'<option value="\d+">([^<]+)</option>', bulk)) >= agents | {"1. linje", "Nettverk"}
    assert "Kari Nordmann" not in bulk  # employees are not offered as assignees


def test_queue_labels_follow_the_viewers_language(client, agent):
    client.force_login(agent)
    client.cookies["django_language"] = "en"
    english = client.get(reverse("tickets:queue", args=["all"])).content.decode()
    assert "Assigned to me" in english
    assert "Tildelt meg" not in english
    client.cookies["django_language"] = "nb"
    norwegian = client.get(reverse("tickets:queue", args=["all"])).content.decode()
    assert "Tildelt meg" in norwegian
