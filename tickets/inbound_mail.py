"""Email into tickets: parse one message and route it (a new incident, or a reply on the ticket whose number
the subject carries), and fetch unread messages from a Maildir folder or an IMAP mailbox.

Every message handled is recorded as an InboundMail row, in the same transaction as the ticket or reply it
made, so that no message is ever imported twice and one bad message never stops the others."""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import imaplib
import logging
import os
import re
import ssl
from collections import Counter
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tickets import services
from tickets.attachments import UploadedAttachment, check_upload
from tickets.models import NUMBER_PREFIX, Channel, InboundMail, Kind, Ticket
from tickets.transitions import TransitionNotAllowed

logger = logging.getLogger(__name__)

Outcome = InboundMail.Outcome
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
# Deeper than this is no mail a person wrote; it is a parser bomb.
MAX_MIME_DEPTH = 10
MAX_MIME_PARTS = 200
# The parser's work grows with the square of the nesting: containers are counted before it runs.
MAX_CONTAINERS = 50
_CONTAINER = re.compile(rb"boundary\s*=|message/rfc822", re.IGNORECASE)
MAX_ATTACHMENTS = 20
# The same limits the portal's forms set.
MAX_BODY_CHARS = 20000
MAX_TITLE_CHARS = 200

# [INC-2026-000123], for every kind's prefix.
_PREFIXES = "|".join(sorted(NUMBER_PREFIX.values()))
TICKET_NUMBER = re.compile(rf"\[\s*((?:{_PREFIXES})-\d{{4}}-\d{{6,}})\s*\]", re.IGNORECASE)
# "Re:", "SV:" (svar), "Fwd:", "VS:" (videresendt) and friends, repeated.
REPLY_PREFIX = re.compile(r"^\s*((re|sv|aw|fw|fwd|vs|vb|wg)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# Where the quoted history of a reply starts.
QUOTE_HEADER = re.compile(
    r"^\s*(on\b.+\bwrote:|den\b.+\bskrev\b.*:|.+\bskrev\b.*:"
    r"|-{2,}\s*(original message|opprinnelig melding|videresendt melding|forwarded message)\s*-{2,})\s*$",
    re.IGNORECASE,
)
MACHINE_SENDERS = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply)([+.\-_].*)?$", re.IGNORECASE
)


# --- Settings ------------------------------------------------------------------------------------------


def max_bytes() -> int:
    return int(getattr(settings, "INBOUND_MAIL_MAX_BYTES", DEFAULT_MAX_BYTES))


def configured_maildir() -> str:
    return getattr(settings, "INBOUND_MAIL_MAILDIR", "") or ""


def configured_imap_host() -> str:
    return getattr(settings, "INBOUND_MAIL_IMAP_HOST", "") or ""


def mailbox_configured() -> bool:
    """Return whether a Maildir folder or an IMAP mailbox is configured to fetch from."""
    return bool(configured_maildir() or configured_imap_host())


# --- One message ---------------------------------------------------------------------------------------


@dataclass
class Result:
    outcome: str  # an InboundMail.Outcome, or "duplicate" for a message imported before
    reason: str = ""
    ticket: Ticket | None = None

    @property
    def is_duplicate(self) -> bool:
        return self.outcome == DUPLICATE


DUPLICATE = "duplicate"


class Refused(Exception):
    """The message is not imported; the text says why (for the record and the log)."""

    def __init__(self, outcome: str, reason: str):
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason


def message_key(headers, raw: bytes) -> str:
    """Return the key that identifies the message: its Message-ID, or a SHA-256 of its bytes."""
    try:
        value = str(headers.get("Message-ID", "") or "").strip()
    except Exception:  # a malformed header is no identity
        value = ""
    value = value.strip("<>").strip()
    if value and len(value) <= 240 and not any(c.isspace() for c in value):
        return value
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _header(headers, name: str) -> str:
    try:
        return str(headers.get(name, "") or "").strip()
    except Exception:
        return ""


def sender_address(headers) -> str:
    """Return the first address of the From header, lower-cased, or "" when there is none."""
    value = _header(headers, "From")
    addresses = [addr for _name, addr in getaddresses([value]) if "@" in addr]
    return addresses[0].strip().lower() if addresses else ""


def automatic_reason(headers, sender: str) -> str:
    """Return why the message is an automatic one (an auto-reply, a bounce, a list), or "" for a person's."""
    auto_submitted = _header(headers, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = _header(headers, "Precedence").lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    for name in ("X-Auto-Response-Suppress", "List-Id", "X-Autoreply", "X-Autorespond"):
        if _header(headers, name):
            return f"{name} header"
    if _header(headers, "Return-Path") == "<>":
        return "empty Return-Path (a delivery report)"
    if headers.get_content_type() == "multipart/report":
        return "delivery or read report"
    local = sender.split("@", 1)[0]
    if MACHINE_SENDERS.match(local):
        return f"machine sender {sender}"
    own = {
        address.lower()
        for _name, address in getaddresses([settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL])
        if address
    }
    if sender in own:
        return f"sent by the service desk itself ({sender})"
    return ""


def mime_depth(message, limit: int = MAX_MIME_DEPTH) -> tuple[int, int]:
    """Return (depth, number of parts) of the MIME tree, walking iteratively and stopping past the limit."""
    deepest, parts = 0, 0
    stack = [(message, 1)]
    while stack:
        part, depth = stack.pop()
        parts += 1
        deepest = max(deepest, depth)
        if deepest > limit or parts > MAX_MIME_PARTS:
            break
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if isinstance(child, email.message.Message))
    return deepest, parts


class _TextFromHtml(HTMLParser):
    """Collect the text of an HTML body, with line breaks where blocks end; scripts and styles dropped."""

    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "hr"}
    )
    SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.chunks.append("\n")
        if tag == "li":
            self.chunks.append("- ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.chunks.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(markup: str) -> str:
    """Return the readable text of an HTML body (no tags survive; the ticket renders it as Markdown)."""
    parser = _TextFromHtml()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.chunks)
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _part_text(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, ValueError):
        # An unknown or lying charset: read it as UTF-8 and replace what does not fit.
        data = part.get_payload(decode=True) or b""
        return data.decode("utf-8", errors="replace")


def body_text(message: EmailMessage) -> tuple[str, object | None]:
    """Return the message's text (plain preferred, HTML converted) and the part it came from."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return "", None
    text = _part_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").strip(), part


def strip_quoted(text: str) -> str:
    """Return the new part of a reply: cut at "On … wrote:" and drop lines quoted with ">".

    When nothing is left above the quote header (an answer written below or between the quoted
    lines), the unquoted lines of the whole message are the answer.
    """
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    above = []
    for line in lines:
        if QUOTE_HEADER.match(line):
            break
        above.append(line)
    return "\n".join(above).strip() or "\n".join(lines).strip()


def clean_subject(subject: str) -> str:
    """Return the subject as a ticket title: without reply prefixes and ticket numbers."""
    title = TICKET_NUMBER.sub(" ", subject)
    title = REPLY_PREFIX.sub("", title)
    title = re.sub(r"\s+", " ", title).strip(" -:")
    return title[:MAX_TITLE_CHARS]


def attachments_of(message: EmailMessage, body_part) -> tuple[list[UploadedAttachment], list[str]]:
    """Return the attachments that pass the portal's upload checks, and a note for each refused one."""
    accepted: list[UploadedAttachment] = []
    refused: list[str] = []
    for part in message.walk():
        if part.is_multipart() or part is body_part:
            continue
        name = part.get_filename()
        if not name and part.get_content_disposition() != "attachment":
            continue  # an alternative body or a bare text part, not a file
        name = name or "attachment"
        if len(accepted) >= MAX_ATTACHMENTS:
            refused.append(_("“%(name)s” was not added: too many attachments.") % {"name": name})
            continue
        data = part.get_payload(decode=True) or b""
        upload = SimpleUploadedFile(name, data, content_type=part.get_content_type())
        try:
            accepted.append(check_upload(upload))
        except ValidationError as exc:
            refused.extend(exc.messages)
    return accepted, refused


def known_employee(address: str):
    """Return the one active person (not a service account) with this address, or None."""
    if not address:
        return None
    people = list(
        get_user_model()
        .objects.filter(email__iexact=address, is_active=True, is_service_account=False)
        .order_by("pk")[:2]
    )
    # Two people sharing an address cannot be told apart: neither is assumed.
    return people[0] if len(people) == 1 else None


def _referenced_ticket(subject: str) -> Ticket | None:
    for match in TICKET_NUMBER.finditer(subject):
        ticket = Ticket.objects.filter(number=match.group(1).upper()).first()
        if ticket is not None:
            return ticket
    return None


def _with_notes(body: str, notes: list[str]) -> str:
    body = body[:MAX_BODY_CHARS]
    if notes:
        body = "\n\n".join(filter(None, [body, "\n".join(f"- {note}" for note in notes)]))
    return body


def _record(
    *, key: str, mailbox: str, sender: str, subject: str, outcome: str, reason: str = "", ticket=None, now
) -> InboundMail:
    return InboundMail.objects.create(
        message_id=key,
        mailbox=mailbox[:255],
        sender=sender[:254],
        subject=subject[:255],
        outcome=outcome,
        reason=reason,
        ticket=ticket,
        received_at=now,
    )


def import_message(
    raw: bytes, *, mailbox: str, size: int | None = None, now: dt.datetime | None = None
) -> Result:
    """Route one raw message and record what became of it; never raise for a bad message.

    raw may be only the head of the message when size (its real length) is over the limit.
    """
    now = now or timezone.now()
    size = len(raw) if size is None else size
    try:
        headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    except Exception:  # whatever the bytes are, the job goes on
        headers = email.message.EmailMessage()
    key = message_key(headers, raw)
    if InboundMail.objects.filter(message_id=key).exists():
        return Result(DUPLICATE)
    sender = sender_address(headers)
    subject = _header(headers, "Subject")
    record = {"key": key, "mailbox": mailbox, "sender": sender, "subject": subject, "now": now}
    try:
        return _route(raw, size=size, headers=headers, record=record)
    except Refused as exc:
        level = logging.WARNING if exc.outcome == Outcome.REFUSED else logging.INFO
        logger.log(level, "Email %s from %s not imported: %s", key, sender or "?", exc.reason)
        return _record_safely(record, exc.outcome, exc.reason)
    except IntegrityError:
        # Another fetch recorded the same message in the meantime; its transaction won.
        if InboundMail.objects.filter(message_id=key).exists():
            return Result(DUPLICATE)
        logger.exception("Email %s from %s could not be imported", key, sender or "?")
        return _record_safely(record, Outcome.FAILED, "database integrity error")
    except (ValidationError, PermissionDenied, TransitionNotAllowed) as exc:
        reason = "; ".join(getattr(exc, "messages", None) or [str(exc)])
        logger.warning("Email %s from %s not imported: %s", key, sender or "?", reason)
        return _record_safely(record, Outcome.FAILED, reason)
    except Exception as exc:  # one bad message never stops the others
        logger.exception("Email %s from %s could not be imported", key, sender or "?")
        return _record_safely(record, Outcome.FAILED, f"{type(exc).__name__}: {exc}"[:1000])


def _record_safely(record: dict, outcome: str, reason: str) -> Result:
    try:
        with transaction.atomic():
            _record(**record, outcome=outcome, reason=reason)
    except IntegrityError:
        return Result(DUPLICATE)
    return Result(outcome, reason)


def _route(raw: bytes, *, size: int, headers, record: dict) -> Result:
    limit = max_bytes()
    if size > limit:
        raise Refused(Outcome.REFUSED, f"the message is {size} bytes; the limit is {limit} bytes")
    automatic = automatic_reason(headers, record["sender"])
    if automatic:
        raise Refused(Outcome.AUTO_REPLY, automatic)
    if len(_CONTAINER.findall(raw)) > MAX_CONTAINERS:
        raise Refused(Outcome.REFUSED, f"the message has more than {MAX_CONTAINERS} nested MIME containers")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except RecursionError:
        raise Refused(Outcome.REFUSED, "the MIME structure is nested too deeply") from None
    depth, parts = mime_depth(message)
    if depth > MAX_MIME_DEPTH:
        raise Refused(Outcome.REFUSED, f"the MIME structure is nested deeper than {MAX_MIME_DEPTH} levels")
    if parts > MAX_MIME_PARTS:
        raise Refused(Outcome.REFUSED, f"the message has more than {MAX_MIME_PARTS} MIME parts")
    person = known_employee(record["sender"])
    if person is None or not person.has_perm("tickets.report_incident"):
        raise Refused(Outcome.UNKNOWN_SENDER, f"no employee has the address {record['sender'] or '(none)'}")
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        return _import_from(person, message, record)


def _import_from(person, message: EmailMessage, record: dict) -> Result:
    text, body_part = body_text(message)
    files, refused = attachments_of(message, body_part)
    subject = record["subject"]
    ticket = _referenced_ticket(subject)
    reason = "\n".join(refused)
    if ticket is not None and person.has_perm("tickets.view_ticket", ticket) and not ticket.is_finished:
        body = strip_quoted(text)
        if not body.strip() and not files and not refused:
            raise Refused(Outcome.REFUSED, f"the reply to {ticket.number} is empty")
        with transaction.atomic():
            services.ticket_comment(
                ticket=ticket,
                actor=person,
                body=_with_notes(body, refused) or "-",
                public=True,
                attachments=files,
                now=record["now"],
            )
            _record(**record, outcome=Outcome.REPLIED, reason=reason, ticket=ticket)
        return Result(Outcome.REPLIED, reason, ticket)
    if ticket is not None:
        # A number the sender may not see, or a finished case: a new case, as if there were no number.
        why = "is finished" if ticket.is_finished else "is not visible to the sender"
        reason = "\n".join(filter(None, [f"{ticket.number} {why}; a new ticket was opened", reason]))
    title = clean_subject(subject) or _("Email without a subject")
    with transaction.atomic():
        created = services.ticket_create(
            requester=person,
            created_by=person,
            title=title,
            description=_with_notes(text, refused),
            kind=Kind.INCIDENT,
            channel=Channel.EMAIL,
            attachments=files,
            now=record["now"],
        )
        _record(**record, outcome=Outcome.CREATED, reason=reason, ticket=created)
    return Result(Outcome.CREATED, reason, created)


# --- Fetching --------------------------------------------------------------------------------------------


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)

    def add(self, result: Result) -> None:
        self.counts[result.outcome] += 1

    def merge(self, other: Summary) -> None:
        self.counts.update(other.counts)

    @property
    def created(self) -> int:
        return self.counts[Outcome.CREATED]

    @property
    def replied(self) -> int:
        return self.counts[Outcome.REPLIED]

    @property
    def ignored(self) -> int:
        return self.counts[Outcome.UNKNOWN_SENDER] + self.counts[Outcome.AUTO_REPLY]

    @property
    def refused(self) -> int:
        return self.counts[Outcome.REFUSED] + self.counts[Outcome.FAILED]

    @property
    def already_imported(self) -> int:
        return self.counts[DUPLICATE]

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "replied": self.replied,
            "ignored": self.ignored,
            "refused": self.refused,
            "already_imported": self.already_imported,
        }

    def __str__(self) -> str:
        return ", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in self.as_dict().items())


def _read_head(path: Path, limit: int) -> tuple[bytes, int]:
    """Return the message's bytes (only the first limit + 1 when it is larger) and its real size."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        return handle.read(limit + 1 if size > limit else size), size


def _maildir_flags(name: str) -> str:
    return name.split(":2,", 1)[1] if ":2," in name else ""


def fetch_maildir(path: str | os.PathLike, *, now: dt.datetime | None = None) -> Summary:
    """Import the unread messages of a Maildir folder; move each handled one to cur/ flagged as seen."""
    root = Path(path)
    if not (root / "new").is_dir() or not (root / "cur").is_dir():
        raise FileNotFoundError(f"{root} is not a Maildir folder (it needs new/ and cur/).")
    mailbox = f"maildir:{root}"
    limit = max_bytes()
    summary = Summary()
    unread = [(p, "new") for p in sorted((root / "new").iterdir())]
    unread += [(p, "cur") for p in sorted((root / "cur").iterdir()) if "S" not in _maildir_flags(p.name)]
    for file, _subdir in unread:
        if not file.is_file() or file.name.startswith("."):
            continue
        try:
            raw, size = _read_head(file, limit)
        except OSError:
            logger.exception("Could not read %s", file)
            continue
        result = import_message(raw, mailbox=mailbox, size=size, now=now)
        summary.add(result)
        _mark_seen(root, file)
    return summary


def _mark_seen(root: Path, file: Path) -> None:
    base, _sep, _info = file.name.partition(":2,")
    flags = "".join(sorted(set(_maildir_flags(file.name)) | {"S"}))
    try:
        file.rename(root / "cur" / f"{base}:2,{flags}")
    except OSError:
        # The database already says it was handled; a read-only folder only costs a lookup next time.
        logger.warning("Could not mark %s as seen", file)


class MailboxError(Exception):
    """The mailbox could not be reached or read (the message says why, never the password)."""


_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def _fetched_bytes(data) -> bytes:
    for item in data or ():
        if isinstance(item, tuple) and len(item) >= 2:
            return item[1]
    return b""


def fetch_imap(
    *,
    host: str,
    user: str,
    password: str,
    port: int = 993,
    folder: str = "INBOX",
    use_ssl: bool = True,
    now: dt.datetime | None = None,
) -> Summary:
    """Import the unseen messages of an IMAP folder and flag each handled one as seen."""
    mailbox = f"imap://{user}@{host}/{folder}"
    limit = max_bytes()
    summary = Summary()
    try:
        context = ssl.create_default_context()
        if use_ssl:
            connection = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=60)
        else:
            # Without implicit TLS the password still never travels in clear text: STARTTLS first.
            connection = imaplib.IMAP4(host, port, timeout=60)
            connection.starttls(ssl_context=context)
        connection.login(user, password)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise MailboxError(f"Could not sign in to {mailbox}: {exc}") from None
    try:
        status, _data = connection.select(folder)
        if status != "OK":
            raise MailboxError(f"Could not open the folder {folder!r} on {host}.")
        status, data = connection.uid("SEARCH", None, "UNSEEN")
        if status != "OK":
            raise MailboxError(f"Could not search {mailbox} for unseen messages.")
        for uid in (data[0] or b"").split():
            try:
                result = _fetch_one(connection, uid, mailbox=mailbox, limit=limit, now=now)
            except (imaplib.IMAP4.error, OSError):
                logger.exception("Could not fetch message %s from %s", uid.decode(), mailbox)
                continue
            summary.add(result)
            connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    except (imaplib.IMAP4.error, OSError) as exc:
        raise MailboxError(f"Lost the connection to {mailbox}: {exc}") from None
    finally:
        try:
            connection.close()
            connection.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return summary


def _fetch_one(connection, uid: bytes, *, mailbox: str, limit: int, now) -> Result:
    status, data = connection.uid("FETCH", uid, "(RFC822.SIZE)")
    found = _SIZE.search(b" ".join(d if isinstance(d, bytes) else d[0] for d in data or () if d))
    size = int(found.group(1)) if found else 0
    # An oversized message is refused on its headers alone; BODY.PEEK leaves the \Seen flag to us.
    part = "BODY.PEEK[HEADER]" if size > limit else "BODY.PEEK[]"
    status, data = connection.uid("FETCH", uid, f"({part})")
    if status != "OK":
        raise imaplib.IMAP4.error(f"FETCH {part} answered {status}")
    raw = _fetched_bytes(data)
    if not raw:
        raise imaplib.IMAP4.error(f"FETCH {part} returned no message")
    return import_message(raw, mailbox=mailbox, size=max(size, len(raw)), now=now)


def fetch_configured(*, now: dt.datetime | None = None) -> Summary:
    """Fetch from every configured mailbox (the Maildir folder and the IMAP mailbox)."""
    summary = Summary()
    if configured_maildir():
        summary.merge(fetch_maildir(configured_maildir(), now=now))
    if configured_imap_host():
        summary.merge(
            fetch_imap(
                host=configured_imap_host(),
                port=int(getattr(settings, "INBOUND_MAIL_IMAP_PORT", 993)),
                user=getattr(settings, "INBOUND_MAIL_IMAP_USER", ""),
                password=getattr(settings, "INBOUND_MAIL_IMAP_PASSWORD", ""),
                folder=getattr(settings, "INBOUND_MAIL_IMAP_FOLDER", "INBOX") or "INBOX",
                use_ssl=bool(getattr(settings, "INBOUND_MAIL_IMAP_SSL", True)),
                now=now,
            )
        )
    return summary
