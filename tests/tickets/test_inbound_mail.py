"""Email into tickets, on real messages (tests/data/mail/*.eml): new incidents, replies by ticket number,
attachments, loops and auto-replies, refusals, and importing the same mail only once."""

import datetime as dt
import imaplib
import logging
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.factories import UserFactory, make_ticket, move_ticket, resolve_ticket
from tickets import inbound_mail
from tickets.inbound_mail import TICKET_NUMBER, fetch_imap, fetch_maildir, import_message
from tickets.models import Attachment, Channel, InboundMail, Status, Ticket, TicketEvent
from tickets.tasks import _mail_fetch_due, fetch_inbound_mail

MAIL = Path(__file__).resolve().parents[1] / "data" / "mail"
Outcome = InboundMail.Outcome
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def no_mailbox(settings):
    settings.INBOUND_MAIL_MAILDIR = ""
    settings.INBOUND_MAIL_IMAP_HOST = ""


def eml(name: str) -> bytes:
    return (MAIL / name).read_bytes()


def import_eml(name: str, **replace: str):
    raw = eml(name)
    for old, new in replace.items():
        raw = raw.replace(old.encode(), new.encode())
    return import_message(raw, mailbox="test")


def as_reply(raw_name: str, ticket: Ticket, **replace: str):
    """The reply fixture, aimed at the given ticket's number."""
    return import_eml(raw_name, **{"INC-2026-000001": ticket.number, **replace})


# --- New mail ---------------------------------------------------------------------------------------


def test_plain_mail_from_an_employee_opens_an_email_incident(
    employee, agent, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = import_eml("plain.eml")

    assert result.outcome == Outcome.CREATED
    ticket = result.ticket
    assert ticket.requester == employee and ticket.created_by == employee
    assert ticket.channel == Channel.EMAIL and ticket.kind == "incident"
    assert ticket.title == "Skriveren i 2. etasje på rådhuset skriver ikke ut"
    assert "«Papirstopp»" in ticket.description
    record = InboundMail.objects.get()
    assert record.message_id == "20260302081402.4711@pc-kari.eksempel.kommune.no"
    assert (record.outcome, record.ticket, record.sender) == (
        Outcome.CREATED,
        ticket,
        "ansatt@eksempel.kommune.no",
    )
    # The receipt carries the number in its subject, so that a reply to it threads back to the ticket.
    receipt = next(m for m in mailoutbox if m.to == [employee.email])
    assert receipt.subject.startswith(f"[{ticket.number}]")
    assert TICKET_NUMBER.search(f"Re: {receipt.subject}").group(1) == ticket.number


def test_html_only_mail_becomes_text_without_markup(employee):
    ticket = import_eml("html_only.eml").ticket

    assert "VPN-en kobler fra hvert tiende minutt når jeg jobber hjemmefra." in ticket.description
    assert "- Windows 11" in ticket.description
    for markup in ("<p", "<script", "alert", "onerror", "<img", "color: red"):
        assert markup not in ticket.description
    for markup in ("<script", "alert", "onerror", "<img"):
        assert markup not in ticket.description_html


def test_attachments_follow_the_portal_rules_and_a_refused_one_is_noted(employee):
    employee.preferred_language = "en"  # the note is written in the sender's language
    employee.save(update_fields=["preferred_language"])

    result = import_eml("with_attachment.eml")

    ticket = result.ticket
    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.original_name, attachment.content_type) == ("skjermbilde.png", "image/png")
    assert attachment.uploaded_by == employee and attachment.is_public
    assert attachment.event.type == TicketEvent.Type.CREATED
    # The plain alternative is the description; the script is refused by content and name, and said so.
    assert ticket.description.startswith("Hei,\n\nSakssystemet gir en feilmelding når jeg lagrer.")
    assert "“oppsett.bat” is not a file type we accept" in ticket.description
    assert "oppsett.bat" in InboundMail.objects.get().reason


# --- Replies ----------------------------------------------------------------------------------------


def test_reply_with_the_number_is_a_public_reply_from_the_sender(employee, agent):
    ticket = make_ticket(employee)

    result = as_reply("reply_with_number.eml", ticket)

    assert result.outcome == Outcome.REPLIED and result.ticket == ticket
    reply = ticket.events.get(type=TicketEvent.Type.REPLY)
    assert reply.author == employee and reply.is_public
    # The quoted history is left out.
    assert reply.body == "Takk! Det gjelder skriveren ved kantina, ikke den i 2. etasje."
    assert Ticket.objects.count() == 1
    assert InboundMail.objects.get().ticket == ticket


def test_reply_to_a_resolved_ticket_is_added_without_reopening_it(employee, agent):
    ticket = resolve_ticket(make_ticket(employee), agent)

    result = as_reply("reply_with_number.eml", ticket)

    assert result.outcome == Outcome.REPLIED
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.events.filter(type=TicketEvent.Type.REPLY, author=employee).count() == 1


def test_an_agent_replying_by_email_answers_the_requester(employee, agent):
    ticket = make_ticket(employee)

    result = as_reply("reply_with_number.eml", ticket, **{"ansatt@": "agent@"})

    assert result.outcome == Outcome.REPLIED
    ticket.refresh_from_db()
    assert ticket.events.get(type=TicketEvent.Type.REPLY).author == agent
    assert ticket.first_response_at is not None


def test_a_number_the_sender_may_not_see_opens_a_new_ticket(employee, other_employee, agent):
    ticket = make_ticket(employee)

    result = as_reply("reply_with_number.eml", ticket, **{"ansatt@": "kollega@"})

    assert result.outcome == Outcome.CREATED
    assert result.ticket != ticket and result.ticket.requester == other_employee
    assert ticket.number not in result.ticket.title
    assert result.ticket.title == "Vi har mottatt saken din: Utskrift virker ikke"
    assert not ticket.events.filter(type=TicketEvent.Type.REPLY).exists()
    assert "not visible to the sender" in result.reason


def test_a_reply_to_a_closed_ticket_opens_a_new_one(employee, agent):
    ticket = move_ticket(resolve_ticket(make_ticket(employee), agent), employee, "closed")

    result = as_reply("reply_with_number.eml", ticket)

    assert result.outcome == Outcome.CREATED and result.ticket != ticket
    assert not ticket.events.filter(type=TicketEvent.Type.REPLY).exists()


# --- Ignored and refused ------------------------------------------------------------------------------


def test_an_auto_reply_is_ignored_and_recorded(employee, agent):
    ticket = make_ticket(employee)

    result = as_reply("auto_reply.eml", ticket)

    assert result.outcome == Outcome.AUTO_REPLY
    assert "Auto-Submitted" in result.reason
    assert not ticket.events.filter(type=TicketEvent.Type.REPLY).exists()
    assert Ticket.objects.count() == 1
    assert InboundMail.objects.get().outcome == Outcome.AUTO_REPLY


@pytest.mark.parametrize(
    "header",
    [
        "Precedence: bulk",
        "Precedence: list",
        "List-Id: <ansatte.eksempel.kommune.no>",
        "X-Auto-Response-Suppress: OOF",
        "Auto-Submitted: auto-generated",
    ],
)
def test_loop_and_list_headers_are_ignored(employee, header):
    raw = eml("plain.eml").replace(b"MIME-Version: 1.0\n", f"{header}\nMIME-Version: 1.0\n".encode())

    assert import_message(raw, mailbox="test").outcome == Outcome.AUTO_REPLY
    assert not Ticket.objects.exists()


def test_auto_submitted_no_is_a_person_writing(employee):
    raw = eml("plain.eml").replace(b"MIME-Version: 1.0\n", b"Auto-Submitted: no\nMIME-Version: 1.0\n")

    assert import_message(raw, mailbox="test").outcome == Outcome.CREATED


@pytest.mark.parametrize(
    "sender", ["noreply@eksempel.kommune.no", "postmaster@eksempel.kommune.no", "servicedesk@localhost"]
)
def test_machine_senders_are_ignored_even_with_a_matching_user(sender, settings):
    settings.DEFAULT_FROM_EMAIL = settings.SERVER_EMAIL = "Servicedesk <servicedesk@localhost>"
    UserFactory(username=sender.split("@")[0], email=sender)

    result = import_eml("plain.eml", **{"Ansatt@Eksempel.Kommune.NO": sender})

    assert result.outcome == Outcome.AUTO_REPLY
    assert not Ticket.objects.exists()


def test_a_bounce_from_the_mailer_daemon_is_ignored(employee):
    assert import_eml("bounce.eml").outcome == Outcome.AUTO_REPLY


def test_strangers_get_no_ticket(employee):
    result = import_eml("unknown_sender.eml")

    assert result.outcome == Outcome.UNKNOWN_SENDER
    assert not Ticket.objects.exists()
    assert InboundMail.objects.get().sender == "deals@offers.example.com"


@pytest.mark.parametrize("kind", ["inactive", "service_account", "shared_address"])
def test_only_one_active_person_counts_as_a_known_employee(kind):
    person = UserFactory(username="ansatt")
    if kind == "inactive":
        person.is_active = False
        person.save(update_fields=["is_active"])
    elif kind == "service_account":
        person.is_service_account = True
        person.save(update_fields=["is_service_account"])
    else:
        UserFactory(username="tvilling", email=person.email.upper())

    assert import_eml("plain.eml").outcome == Outcome.UNKNOWN_SENDER
    assert not Ticket.objects.exists()


def test_a_mail_over_the_size_limit_is_refused_and_logged(employee, settings, caplog):
    settings.INBOUND_MAIL_MAX_BYTES = 4096

    with caplog.at_level(logging.WARNING, logger="tickets.inbound_mail"):
        result = import_eml("oversize.eml")

    assert result.outcome == Outcome.REFUSED
    assert result.reason == "the message is 8742 bytes; the limit is 4096 bytes"
    assert "oversize-0001@pc-kari.eksempel.kommune.no" in caplog.text
    assert not Ticket.objects.exists()


def test_deeply_nested_mime_is_refused(employee):
    result = import_eml("nested_mime.eml")

    assert result.outcome == Outcome.REFUSED
    assert "nested deeper than 10" in result.reason
    assert not Ticket.objects.exists()


def test_a_mime_bomb_is_refused_before_it_is_parsed(employee):
    levels = 400
    raw = "From: ansatt@eksempel.kommune.no\nSubject: x\nContent-Type: multipart/mixed; boundary=b1\n\n"
    raw += "".join(f"--b{i}\nContent-Type: multipart/mixed; boundary=b{i + 1}\n\n" for i in range(1, levels))

    result = import_message(raw.encode(), mailbox="test")

    assert result.outcome == Outcome.REFUSED and "containers" in result.reason


def test_an_empty_reply_is_refused_not_crashed(employee, agent):
    ticket = make_ticket(employee)
    raw = eml("reply_with_number.eml").replace(b"INC-2026-000001", ticket.number.encode())
    raw = raw.split(b"\n\n", 1)[0] + b"\n\n> only the quote\n"

    result = import_message(raw, mailbox="test")

    assert result.outcome == Outcome.REFUSED and "empty" in result.reason


def test_garbage_bytes_never_raise(employee):
    result = import_message(b"\x00\xff\xfe not a mail at all \r\n\r\n\xff", mailbox="test")

    assert result.outcome == Outcome.UNKNOWN_SENDER
    assert InboundMail.objects.get().message_id.startswith("sha256:")


def test_without_a_message_id_the_bytes_identify_the_mail(employee):
    raw = b"".join(line for line in eml("plain.eml").splitlines(True) if not line.startswith(b"Message-ID"))

    first = import_message(raw, mailbox="test")
    second = import_message(raw, mailbox="test")

    assert first.outcome == Outcome.CREATED and second.is_duplicate
    assert InboundMail.objects.get().message_id.startswith("sha256:")
    assert Ticket.objects.count() == 1


# --- Maildir, the command and the schedule --------------------------------------------------------------

FIXTURES = [
    "plain.eml",
    "html_only.eml",
    "with_attachment.eml",
    "auto_reply.eml",
    "bounce.eml",
    "unknown_sender.eml",
    "oversize.eml",
    "nested_mime.eml",
]


def deliver(maildir: Path, round_: int) -> None:
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(FIXTURES):
        shutil.copy(MAIL / name, maildir / "new" / f"17093{round_}{i:04d}.M{i}P42.mx1")


def test_importing_the_same_maildir_twice_creates_nothing_new(employee, tmp_path, settings):
    settings.INBOUND_MAIL_MAX_BYTES = 4096
    maildir = tmp_path / "Maildir"
    deliver(maildir, 1)

    first = fetch_maildir(maildir)

    assert first.as_dict() == {"created": 3, "replied": 0, "ignored": 3, "refused": 2, "already_imported": 0}
    assert not list((maildir / "new").iterdir())
    assert all(p.name.endswith(":2,S") for p in (maildir / "cur").iterdir())
    tickets, records = Ticket.objects.count(), InboundMail.objects.count()
    assert (tickets, records) == (3, 8)

    # The same mails delivered again (a restored backup, a server that forgot its flags).
    deliver(maildir, 2)
    second = fetch_maildir(maildir)

    assert second.as_dict() == {"created": 0, "replied": 0, "ignored": 0, "refused": 0, "already_imported": 8}
    assert (Ticket.objects.count(), InboundMail.objects.count()) == (tickets, records)
    # Nothing unread is left: a third run reads nothing at all.
    assert sum(fetch_maildir(maildir).counts.values()) == 0


def test_the_command_prints_a_summary(employee, tmp_path, capsys, settings):
    settings.INBOUND_MAIL_MAX_BYTES = 4096
    maildir = tmp_path / "Maildir"
    deliver(maildir, 1)
    (maildir / "new" / "17093999.M1P1.mx1").write_bytes(eml("plain.eml"))

    call_command("fetch_mail", "--maildir", str(maildir))

    out = capsys.readouterr().out
    assert "created: 4" not in out  # the second copy of plain.eml is the same mail
    assert "created: 3" in out and "already imported: 1" in out


def test_the_command_needs_a_mailbox(tmp_path):
    with pytest.raises(CommandError, match="No mailbox is configured"):
        call_command("fetch_mail")
    with pytest.raises(CommandError, match="not a Maildir"):
        call_command("fetch_mail", "--maildir", str(tmp_path))


def test_the_scheduled_fetch_runs_only_with_a_mailbox(employee, tmp_path, settings):
    at = dt.datetime(2026, 3, 2, 9, 10)
    settings.INBOUND_MAIL_INTERVAL_MINUTES = 5
    settings.INBOUND_MAIL_MAX_BYTES = 4096
    assert not _mail_fetch_due(at)
    assert fetch_inbound_mail.call_local() == {}

    maildir = tmp_path / "Maildir"
    deliver(maildir, 1)
    settings.INBOUND_MAIL_MAILDIR = str(maildir)

    assert _mail_fetch_due(at) and not _mail_fetch_due(at + dt.timedelta(minutes=2))
    assert fetch_inbound_mail.call_local()["created"] == 3
    assert Ticket.objects.filter(channel=Channel.EMAIL).count() == 3


# --- IMAP (a fake server stands in for imaplib's connection) ----------------------------------------


class FakeIMAP:
    """The part of imaplib.IMAP4_SSL the fetch uses, over a dict of messages."""

    instances: list["FakeIMAP"] = []
    mailbox: dict[bytes, bytes] = {}
    seen: set[bytes] = set()

    def __init__(self, host, port, ssl_context=None, timeout=None):
        self.host, self.port = host, port
        self.fetched: list[tuple[bytes, str]] = []
        FakeIMAP.instances.append(self)

    def login(self, user, password):
        if password != "hemmelig":
            raise imaplib.IMAP4.error("[AUTHENTICATIONFAILED] Invalid credentials")
        return "OK", [b"Logged in"]

    def select(self, folder):
        return ("OK", [str(len(self.mailbox)).encode()]) if folder == "INBOX" else ("NO", [b"No such folder"])

    def uid(self, command, *args):
        if command == "SEARCH":
            return "OK", [b" ".join(uid for uid in self.mailbox if uid not in self.seen)]
        if command == "FETCH":
            uid, what = args
            self.fetched.append((uid, what))
            raw = self.mailbox[uid]
            if what == "(RFC822.SIZE)":
                return "OK", [b"%s (UID %s RFC822.SIZE %d)" % (uid, uid, len(raw))]
            if what == "(BODY.PEEK[HEADER])":
                raw = raw.split(b"\n\n", 1)[0] + b"\n\n"
            return "OK", [(b"%s (UID %s BODY[] {%d}" % (uid, uid, len(raw)), raw), b")"]
        if command == "STORE":
            self.seen.add(args[0])
            return "OK", [b""]
        raise AssertionError(command)

    def close(self):
        return "OK", [b""]

    def logout(self):
        return "BYE", [b""]


@pytest.fixture
def imap(monkeypatch):
    FakeIMAP.instances = []
    FakeIMAP.mailbox = {b"11": eml("plain.eml"), b"12": eml("auto_reply.eml"), b"13": eml("oversize.eml")}
    FakeIMAP.seen = set()
    monkeypatch.setattr(imaplib, "IMAP4_SSL", FakeIMAP)
    return FakeIMAP


def test_imap_fetches_unseen_mail_and_flags_it_seen(employee, imap, settings):
    settings.INBOUND_MAIL_MAX_BYTES = 4096
    options = {"host": "imap.eksempel.kommune.no", "user": "servicedesk", "password": "hemmelig"}

    summary = fetch_imap(**options)

    assert summary.as_dict() == {
        "created": 1,
        "replied": 0,
        "ignored": 1,
        "refused": 1,
        "already_imported": 0,
    }
    assert imap.seen == {b"11", b"12", b"13"}
    # The oversized message is refused on its headers: its body is never downloaded.
    assert (b"13", "(BODY.PEEK[HEADER])") in imap.instances[0].fetched
    assert (b"13", "(BODY.PEEK[])") not in imap.instances[0].fetched
    assert (
        InboundMail.objects.filter(mailbox="imap://servicedesk@imap.eksempel.kommune.no/INBOX").count() == 3
    )
    # Flagged seen: the next run finds nothing to do.
    assert sum(fetch_imap(**options).counts.values()) == 0
    assert Ticket.objects.count() == 1


def test_imap_sign_in_failure_is_an_error_without_the_password(employee, imap, settings):
    settings.INBOUND_MAIL_IMAP_HOST = "imap.eksempel.kommune.no"
    settings.INBOUND_MAIL_IMAP_USER = "servicedesk"
    settings.INBOUND_MAIL_IMAP_PASSWORD = "feil-passord"

    with pytest.raises(CommandError) as error:
        call_command("fetch_mail")

    assert "AUTHENTICATIONFAILED" in str(error.value) and "feil-passord" not in str(error.value)
    assert not InboundMail.objects.exists()
    assert fetch_inbound_mail.call_local() == {}  # the scheduled job logs it and goes on


def test_inbound_mail_module_reads_its_limit_from_settings(settings):
    settings.INBOUND_MAIL_MAX_BYTES = 123
    assert inbound_mail.max_bytes() == 123
    del settings.INBOUND_MAIL_MAX_BYTES
    assert inbound_mail.max_bytes() == 25 * 1024 * 1024


# --- Pure helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fixed, thanks.\n\nOn Mon, 2 Mar 2026 at 09:00, Servicedesk wrote:\n> Hello", "Fixed, thanks."),
        ("Takk.\n\nDen 2. mars 2026 kl. 09:00 skrev Servicedesk <sd@x.no>:\n> Hei", "Takk."),
        ("Ja.\n\n-----Original Message-----\nFrom: Servicedesk", "Ja."),
        (
            "> Which printer?\nThe one by the canteen.\n> Since when?\nMonday.",
            "The one by the canteen.\nMonday.",
        ),
    ],
)
def test_quoted_history_is_left_out_of_replies(text, expected):
    assert inbound_mail.strip_quoted(text) == expected


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("SV: SV: [INC-2026-000123] Skriveren virker ikke", "Skriveren virker ikke"),
        ("Re: Fwd: VPN", "VPN"),
        ("[REQ-2026-000001] Ny PC", "Ny PC"),
        ("Spørsmål om Re:Member", "Spørsmål om Re:Member"),
    ],
)
def test_subjects_become_titles_without_prefixes_and_numbers(subject, title):
    assert inbound_mail.clean_subject(subject) == title


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [INC-2026-000123] Skriveren virker ikke", "INC-2026-000123"),
        ("SV: [ chg-2026-000042 ] Endring", "chg-2026-000042"),
        ("INC-2026-000123 without brackets", None),
        ("[XYZ-2026-000123] another system's number", None),
    ],
)
def test_ticket_numbers_are_found_only_in_brackets(subject, number):
    match = TICKET_NUMBER.search(subject)
    assert (match.group(1) if match else None) == number
