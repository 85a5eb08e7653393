"""What users write and upload cannot run in anyone's browser, and nobody sees what is not theirs."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import PNG_BYTES, checked_png, make_ticket, png_upload
from tickets import services
from tickets.consumers import TicketConsumer
from tickets.models import Attachment, Notification, Ticket, TicketEvent

PAYLOAD = """Skriveren er død.

<script>alert('beskrivelse')</script>
[klikk her](javascript:alert(1))
<a href="javascript:alert(2)">lenke</a> <a href="JaVaScRiPt:alert(2)">lenke2</a>
<img src="x" onerror="alert(3)">
<svg onload="alert(4)"><circle r="5"/></svg>
<p onclick="alert(5)" onerror="alert(6)">avsnitt</p>
<iframe src="javascript:alert(7)"></iframe>
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==)
<math><mi xlink:href="javascript:alert(9)">x</mi></math>
"""
DANGEROUS = ("<script", "javascript:", "onerror", "<svg", "onload", "onclick", "<iframe", "data:text/html")


def main_of(response) -> str:
    """The page's main content: everything users wrote is shown there (the head has the app's own scripts)."""
    html = response.content.decode()
    start = html.index("<main")
    return html[start : html.index("</main>", start)]


def prose_parts(html: str) -> list[str]:
    """The rendered Markdown blocks: the description and the timeline entries' bodies."""
    return re.findall(r'<div class="sd-prose[^"]*">(.*?)</div>', html, flags=re.DOTALL)


def assert_inert(html: str) -> None:
    lowered = html.lower()
    for marker in DANGEROUS:
        assert marker not in lowered, marker


# --- Markdown from users ------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["employee", "agent"])
def test_description_and_reply_payloads_render_inert_on_the_ticket_page(
    client, request, employee, agent, viewer
):
    ticket = make_ticket(employee, title="<script>alert('tittel')</script>", description=PAYLOAD)
    services.ticket_comment(ticket=ticket, actor=employee, body="Svar: " + PAYLOAD)
    services.ticket_comment(ticket=ticket, actor=agent, body="Fra oss: " + PAYLOAD)
    client.force_login(request.getfixturevalue(viewer))
    response = client.get(ticket.get_absolute_url())
    assert response.status_code == 200
    main = main_of(response)
    parts = prose_parts(main)
    assert len(parts) == 3  # the description and both replies were rendered ...
    assert all("Skriveren er død." in part for part in parts)  # ... with their harmless text kept
    assert all("lenke" in part and "avsnitt" in part for part in parts)
    for part in parts:
        assert_inert(part)
    assert_inert(main)
    assert "&lt;script&gt;alert(&#x27;tittel&#x27;)&lt;/script&gt;" in main  # the title is shown as text


def test_links_keep_safe_targets_and_get_rel(employee, agent):
    from servicedesk.markdown import render_markdown

    html = render_markdown("[Intranett](https://intranett.eksempel.no) og [x](javascript:alert(1))")
    assert 'href="https://intranett.eksempel.no"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert_inert(html)


def test_my_cases_shows_a_reply_payload_as_text(client, employee, agent):
    ticket = make_ticket(employee, title="<svg onload=alert(1)>")
    services.ticket_comment(ticket=ticket, actor=agent, body="<script>alert(1)</script> <img onerror=x>")
    client.force_login(employee)
    main = main_of(client.get(reverse("tickets:my_tickets")))
    # The reply is quoted as escaped text: the words are there, but no tag and so no attribute is.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img onerror=x&gt;" in main
    assert "&lt;svg onload=alert(1)&gt;" in main
    for tag in ("<script", "<img", "<svg"):
        assert tag not in main.lower()


# --- Uploads ------------------------------------------------------------------------------------------

FORBIDDEN = [
    pytest.param(
        "bilde.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        id="svg",
    ),
    pytest.param(
        "bilde.svg",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        id="svg-with-xml-declaration",
    ),
    pytest.param("verktøy.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", id="exe"),
    pytest.param("verktøy", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56, id="elf"),
    pytest.param(
        "skjermbilde.png",
        b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
        id="html-renamed-png",
    ),
    pytest.param(
        "skjermbilde.png", b"<img src=x onerror=alert(document.cookie)>", id="bare-markup-renamed-png"
    ),
    pytest.param("side.html", b"<body onload=alert(1)>hei</body>", id="markup-as-html"),
    pytest.param("fiks.bat", b"del /s /q C:\\Users\\*", id="script-as-text"),
    pytest.param("rapport.docm", b"PK\x03\x04" + b"\x00" * 30, id="broken-zip"),
]


def media_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def report(client, *files, **extra):
    data = {"title": "PC-en starter ikke", "description": "Svart skjerm.", "affects": "2", **extra}
    if files:
        data["attachments"] = list(files)
    return client.post(reverse("tickets:report"), data)


def attachments_label() -> str:
    with translation.override("nb"):
        return gettext("Attachments")


@pytest.mark.parametrize(("name", "data"), FORBIDDEN)
def test_a_forbidden_file_is_refused_on_the_report_form_and_nothing_is_saved(
    client, employee, agent, media_root, name, data
):
    client.force_login(employee)
    response = report(client, SimpleUploadedFile(name, data, content_type="image/png"))
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["attachments"]
    assert name in form.errors["attachments"][0]
    summary = response.content.decode()
    assert f"{attachments_label()}: “{name}”" in summary  # the error summary names the field and the file
    assert 'aria-invalid="true"' in summary
    assert Ticket.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert media_files(media_root) == []


def test_an_oversize_file_is_refused_and_nothing_is_saved(client, settings, employee, agent, media_root):
    settings.ATTACHMENT_MAX_BYTES = 100
    big = png_upload("stor.png", PNG_BYTES + b"\x00" * 100)
    client.force_login(employee)
    response = report(client, big)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["attachments"]
    assert "stor.png" in errors["attachments"][0] and "100" in errors["attachments"][0]
    assert Ticket.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert media_files(media_root) == []


def test_one_bad_file_among_good_ones_refuses_the_whole_upload(client, employee, agent, media_root):
    client.force_login(employee)
    response = report(client, png_upload("ok.png"), SimpleUploadedFile("bilde.svg", b"<svg></svg>"))
    assert response.status_code == 400
    assert "bilde.svg" in response.context["form"].errors["attachments"][0]
    assert Attachment.objects.count() == 0
    assert media_files(media_root) == []


def test_a_forbidden_file_on_a_reply_is_refused_and_nothing_is_saved(client, employee, agent, media_root):
    ticket = make_ticket(employee)
    client.force_login(employee)
    response = client.post(
        reverse("tickets:reply", args=[ticket.number]),
        {"body": "Her er skjermbilde", "attachments": [SimpleUploadedFile("x.png", b"<html>hi</html>")]},
    )
    assert response.status_code == 400
    assert list(response.context["reply_form"].errors) == ["attachments"]
    assert "x.png" in response.content.decode()
    assert [e.type for e in TicketEvent.objects.filter(ticket=ticket)] == ["created"]
    assert Attachment.objects.count() == 0
    assert media_files(media_root) == []


# --- Other people's tickets ---------------------------------------------------------------------------


def test_another_employees_ticket_and_attachment_are_not_found(client, employee, other_employee, agent):
    ticket = make_ticket(employee, attachments=[checked_png()])
    attachment = Attachment.objects.get(ticket=ticket)
    client.force_login(other_employee)
    assert client.get(ticket.get_absolute_url()).status_code == 404
    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Hei"}).status_code == 404
    assert client.post(reverse("tickets:confirm", args=[ticket.number])).status_code == 404
    assert [e.type for e in TicketEvent.objects.filter(ticket=ticket)] == ["created"]
    # The owner does get them, which shows the URLs are right.
    client.force_login(employee)
    assert client.get(ticket.get_absolute_url()).status_code == 200
    assert client.get(attachment.get_absolute_url()).status_code == 200


def test_an_attachment_url_with_another_tickets_number_is_not_found(client, employee, agent):
    mine = make_ticket(employee)
    other = make_ticket(agent, attachments=[checked_png()])
    attachment = Attachment.objects.get(ticket=other)
    client.force_login(employee)
    url = reverse("tickets:attachment", args=[mine.number, attachment.pk])
    assert client.get(url).status_code == 404


# --- Internal notes stay internal ---------------------------------------------------------------------

SECRET = "HEMMELIG-NOTAT-1234"


@pytest.fixture
def ticket_with_note(employee, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(employee)
        services.ticket_comment(
            ticket=ticket,
            actor=agent,
            body=f"{SECRET}: brukeren har skrevet passordet på en lapp.",
            public=False,
            attachments=[checked_png("intern-logg.png")],
        )
        services.ticket_comment(ticket=ticket, actor=agent, body="Vi ser på saken.")
    return ticket


def test_an_internal_note_is_not_on_any_employee_page(client, employee, agent, ticket_with_note):
    internal = Attachment.objects.get(original_name="intern-logg.png")
    assert internal.is_public is False
    client.force_login(employee)
    page = client.get(ticket_with_note.get_absolute_url()).content.decode()
    assert "Vi ser på saken." in page  # the public reply is there
    assert SECRET not in page
    assert "intern-logg.png" not in page
    assert 'data-public="false"' not in page
    assert client.get(internal.get_absolute_url()).status_code == 404
    mine = client.get(reverse("tickets:my_tickets")).content.decode()
    assert ticket_with_note.number in mine
    assert SECRET not in mine
    notifications = client.get(reverse("tickets:notifications")).content.decode()
    assert SECRET not in notifications
    # The agent sees it, so the note really is on the ticket.
    client.force_login(agent)
    assert SECRET in client.get(ticket_with_note.get_absolute_url()).content.decode()
    assert client.get(internal.get_absolute_url()).status_code == 200


def test_an_internal_note_is_never_emailed(employee, agent, ticket_with_note):
    assert mail.outbox, "the public reply and the receipt were emailed"
    assert {m.to[0] for m in mail.outbox} >= {employee.email}
    for message in mail.outbox:
        assert SECRET not in message.subject
        assert SECRET not in message.body
    assert not any(SECRET in n.body for n in Notification.objects.all())


def test_an_internal_note_is_not_in_the_live_update_for_the_requester(employee, agent, ticket_with_note):
    def render_for(user, is_agent):
        consumer = TicketConsumer()
        consumer.scope = {"user": user}
        consumer.ticket_id = ticket_with_note.pk
        consumer.last_event_id = 0
        consumer.language = "nb"
        consumer.is_agent = is_agent
        return consumer._render_update()

    for_requester = render_for(employee, False)
    assert "Vi ser på saken." in for_requester
    assert SECRET not in for_requester
    assert "intern-logg.png" not in for_requester
    assert SECRET in render_for(agent, True)
