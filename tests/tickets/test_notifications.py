"""Who is told what about a ticket, in which language, by in-app notification and email."""

import polib
import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import UserFactory, make_ticket, resolve_ticket
from tickets import services
from tickets.models import Channel, Notification, PendingReason, Status
from tickets.transitions import Move


@pytest.fixture
def deliver_now(django_capture_on_commit_callbacks):
    """Run what the services hand over after commit (the worker runs immediately in tests)."""

    def run(action, *args, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = action(*args, **kwargs)
        return result

    return run


def inbox() -> dict[str, list[str]]:
    """Email address → the subjects sent to it."""
    sent: dict[str, list[str]] = {}
    for message in mail.outbox:
        for address in message.to:
            sent.setdefault(address, []).append(message.subject)
    return sent


def subject(key: str, ticket, language="nb") -> str:
    with translation.override(language):
        return f"[{ticket.number}] {gettext(key)}: {ticket.title}"


def test_a_reported_case_gives_the_requester_a_receipt_and_the_group_a_heads_up(
    employee, agent, other_agent, deliver_now
):
    ticket = deliver_now(make_ticket, employee)
    assert inbox() == {
        employee.email: [subject("We have received your case", ticket)],
        agent.email: [subject("New ticket in your group", ticket)],
        other_agent.email: [subject("New ticket in your group", ticket)],
    }
    receipt = next(m for m in mail.outbox if m.to == [employee.email])
    assert ticket.number in receipt.body and ticket.get_absolute_url() in receipt.body
    kinds = sorted(Notification.objects.values_list("recipient__username", "kind"))
    assert kinds == [("agent", "created"), ("agent2", "created"), ("ansatt", "created")]
    assert all(n.emailed_at is not None for n in Notification.objects.all())


def test_a_call_registered_by_an_agent_is_not_announced_to_that_agent(
    employee, agent, other_agent, deliver_now
):
    ticket = deliver_now(make_ticket, employee, created_by=agent, channel=Channel.PHONE)
    assert set(inbox()) == {employee.email, other_agent.email}
    assert inbox()[employee.email] == [subject("We have received your case", ticket)]


def test_an_agent_reply_reaches_the_requester_with_its_text(employee, agent, other_agent, deliver_now):
    ticket = make_ticket(employee)
    deliver_now(services.ticket_comment, ticket=ticket, actor=agent, body="Prøv å starte PC-en på nytt.")
    assert inbox() == {employee.email: [subject("New reply to your case", ticket)]}
    assert "Prøv å starte PC-en på nytt." in mail.outbox[0].body
    assert "Per Agent" in mail.outbox[0].body


def test_internal_notes_are_not_emailed_or_notified(employee, agent, other_agent, deliver_now):
    ticket = make_ticket(employee)
    Notification.objects.all().delete()
    deliver_now(services.ticket_comment, ticket=ticket, actor=agent, body="Intern vurdering", public=False)
    assert mail.outbox == []
    assert Notification.objects.count() == 0


def test_a_requester_reply_reaches_the_assignee_only(employee, agent, other_agent, deliver_now):
    ticket = make_ticket(employee)
    services.ticket_update(ticket=ticket, actor=agent, version=1, changes={"assignee": other_agent})
    move = Move(to=Status.PENDING, pending_reason=PendingReason.REQUESTER)
    services.ticket_transition(ticket=ticket, actor=other_agent, move=move, version=None)
    deliver_now(services.ticket_comment, ticket=ticket, actor=employee, body="Her er feilmeldingen.")
    assert inbox() == {other_agent.email: [subject("The requester replied", ticket)]}
    assert "Her er feilmeldingen." in mail.outbox[0].body


def test_a_requester_reply_on_an_unassigned_ticket_reaches_the_group(
    employee, agent, other_agent, deliver_now
):
    ticket = make_ticket(employee)
    deliver_now(services.ticket_comment, ticket=ticket, actor=employee, body="Haster litt.")
    assert set(inbox()) == {agent.email, other_agent.email}


def test_assignment_tells_the_new_assignee_but_not_someone_who_takes_it_themselves(
    employee, agent, other_agent, deliver_now
):
    ticket = make_ticket(employee)
    deliver_now(
        services.ticket_update, ticket=ticket, actor=agent, version=1, changes={"assignee": other_agent}
    )
    assert inbox() == {other_agent.email: [subject("Assigned to you", ticket)]}
    deliver_now(services.ticket_update, ticket=ticket, actor=agent, version=2, changes={"assignee": agent})
    assert inbox() == {}


def test_moving_an_unassigned_ticket_tells_the_new_group(employee, agent, network_group, deliver_now):
    ticket = make_ticket(employee)
    deliver_now(
        services.ticket_update,
        ticket=ticket,
        actor=agent,
        version=1,
        changes={"support_group": network_group},
    )
    member = network_group.members.get()
    assert inbox() == {member.email: [subject("New ticket in your group", ticket)]}


def test_resolution_reaches_the_requester_with_the_note(employee, agent, deliver_now):
    ticket = make_ticket(employee)
    deliver_now(resolve_ticket, ticket, agent, note="Toneren er byttet.")
    assert inbox() == {employee.email: [subject("Your case is resolved", ticket)]}
    assert "Toneren er byttet." in mail.outbox[0].body


def test_a_merged_requester_is_told_and_then_follows_the_master(employee, other_employee, agent, deliver_now):
    master = make_ticket(employee, title="Nettet er nede")
    duplicate = make_ticket(other_employee, title="Får ikke koblet til")
    deliver_now(services.ticket_merge, duplicate=duplicate, master=master, actor=agent)
    assert inbox() == {other_employee.email: [subject("Your case was merged with another", duplicate)]}
    assert master.number in mail.outbox[0].body

    deliver_now(services.ticket_comment, ticket=master, actor=agent, body="Ruteren er byttet.")
    assert inbox() == {
        employee.email: [subject("New reply to your case", master)],
        other_employee.email: [subject("New reply to your case", master)],
    }


def test_inactive_people_and_people_without_email_are_handled(agent, other_agent, deliver_now):
    requester = UserFactory(username="uten-epost", email="")
    other_agent.is_active = False
    other_agent.save()
    deliver_now(make_ticket, requester)
    assert set(inbox()) == {agent.email}  # no email to send to, and the inactive colleague is skipped
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"uten-epost", "agent"}
    assert Notification.objects.get(recipient=requester).emailed_at is None


# --- Language -----------------------------------------------------------------------------------------

NB = {
    "Hello %(name)s,": "Hei %(name)s,",
    "We have received your case": "Vi har mottatt saken din",
    "New ticket in your group": "Ny sak i gruppen din",
    "We have registered your case as %(number)s and will get back to you.": (
        "Vi har registrert saken din som %(number)s og tar kontakt."
    ),
}


@pytest.fixture
def nb_catalogue(settings, tmp_path):
    """A Bokmål catalogue for the notification strings, ahead of the project's own."""
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "nb"}
    for msgid, msgstr in NB.items():
        catalogue.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    target = tmp_path / "locale" / "nb" / "LC_MESSAGES"
    target.mkdir(parents=True)
    catalogue.save_as_mofile(str(target / "django.mo"))
    # Changing the setting (and restoring it afterwards) makes Django drop its loaded catalogues.
    settings.LOCALE_PATHS = [tmp_path / "locale", *settings.LOCALE_PATHS]


def test_each_recipient_gets_their_own_language(nb_catalogue, agent, other_agent, deliver_now):
    requester = UserFactory(username="engelsk", first_name="John", preferred_language="en")
    agent.preferred_language = "nb"
    agent.save()
    other_agent.preferred_language = ""  # not chosen: the site's language, Bokmål
    other_agent.save()
    ticket = deliver_now(make_ticket, requester)
    assert inbox() == {
        requester.email: [f"[{ticket.number}] We have received your case: {ticket.title}"],
        agent.email: [f"[{ticket.number}] Ny sak i gruppen din: {ticket.title}"],
        other_agent.email: [f"[{ticket.number}] Ny sak i gruppen din: {ticket.title}"],
    }
    english = next(m for m in mail.outbox if m.to == [requester.email])
    assert english.body.startswith("Hello John,")
    assert f"We have registered your case as {ticket.number}" in english.body
    norwegian = next(m for m in mail.outbox if m.to == [agent.email])
    assert norwegian.body.startswith("Hei Per,")
    stored = Notification.objects.get(recipient=agent)
    assert stored.subject == f"[{ticket.number}] Ny sak i gruppen din: {ticket.title}"
    assert translation.get_language() == "nb"  # the request's language is left as it was


def test_a_norwegian_requester_gets_a_norwegian_receipt(nb_catalogue, agent, deliver_now):
    requester = UserFactory(username="norsk", first_name="Kari", preferred_language="nb")
    with translation.override("en"):  # whatever language the request was in
        ticket = deliver_now(make_ticket, requester)
    receipt = next(m for m in mail.outbox if m.to == [requester.email])
    assert receipt.subject == f"[{ticket.number}] Vi har mottatt saken din: {ticket.title}"
    assert f"Vi har registrert saken din som {ticket.number}" in receipt.body
