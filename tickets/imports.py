"""Import of the previous service desk's history (`manage.py import_tickets FILE.jsonl`): one ticket per
JSON line, replayed through the domain functions at its historical instants (docs/import-format.md).

Each line is checked, then written in its own transaction: the ticket is created, its status history,
first response, rating, outage, change record and caused-by link are replayed in time order with the
historical `now`, as the agents' actions would have written them. The SLA clocks are computed once at the
end from the timelines written (sla.recompute), exactly as they are for every native ticket.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from people import roles
from people.models import SupportGroup
from tickets import services
from tickets.models import (
    Channel,
    Kind,
    Notification,
    PendingReason,
    ResolutionCode,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
)
from tickets.transitions import Move, allowed_targets

IMPORT_USERNAME = "import"
KINDS = (Kind.INCIDENT, Kind.REQUEST, Kind.CHANGE)
HISTORY_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED, Status.CLOSED)
WAITING_FOR = (PendingReason.REQUESTER, PendingReason.SUPPLIER, PendingReason.CHANGE)
PRIORITIES = {"P1": 1, "P2": 2, "P3": 3, "P4": 4}
CHANGE_TYPES = ("standard", "normal", "emergency")
# The file's outcome names → changes.models.Change.Outcome.
OUTCOMES = {
    "successful": "successful",
    "successful_with_problems": "with_problems",
    "failed": "failed",
    "backed_out": "backed_out",
}
OUTAGE_KINDS = ("down", "degraded")
# The impact × urgency cells tried, in order, for the one that gives the line's priority.
CELLS = ((1, 1), (1, 2), (2, 1), (1, 3), (2, 2), (3, 1), (2, 3), (3, 2), (3, 3))
KNOWN_KEYS = frozenset(
    {
        "external_id",
        "kind",
        "title",
        "description",
        "requester",
        "service",
        "support_group",
        "priority",
        "opened_at",
        "first_response_at",
        "history",
        "first_contact_resolution",
        "csat",
        "outage",
        "caused_by_change",
        "change",
    }
)


class LineRefused(Exception):
    """A line cannot be imported; field names what is wrong with it."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class LineError:
    line: int
    external_id: str
    field: str
    message: str

    def __str__(self) -> str:
        who = f" ({self.external_id})" if self.external_id else ""
        return _("line %(line)s%(who)s: %(field)s: %(message)s") % {
            "line": self.line,
            "who": who,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)  # external ids
    unchanged: list[str] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


# --- Reading a line --------------------------------------------------------------------------------------


def line_digest(data: dict) -> str:
    """Return the SHA-256 of the line's canonical JSON (keys sorted, no spaces): the same content gives the
    same digest however the line was formatted."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _instant(value, name: str, *, now: dt.datetime, optional: bool = False) -> dt.datetime | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise LineRefused(name, _("Give an ISO 8601 date and time with its UTC offset."))
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise LineRefused(
            name, _("“%(value)s” is not an ISO 8601 date and time.") % {"value": value}
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        # 02:30 on the night clocks go back exists twice in Oslo: only the offset says which.
        raise LineRefused(name, _("“%(value)s” has no UTC offset.") % {"value": value})
    moment = moment.astimezone(dt.UTC)
    if moment > now:
        raise LineRefused(name, _("“%(value)s” is in the future.") % {"value": value})
    return moment


def _text(data: dict, name: str, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise LineRefused(name, _("Required text is missing."))
    return value


def _choice(value, name: str, choices: Iterable[str]):
    choices = list(choices)
    if value not in choices:
        raise LineRefused(name, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
    return value


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    status: str
    waiting_for: str
    name: str  # history[i], for the error messages


@dataclass
class Plan:
    """A line, checked: what to write, with the master data it names already looked up."""

    external_id: str
    kind: str
    title: str
    description: str
    requester: object
    service: object
    support_group: SupportGroup | None
    priority: int
    opened_at: dt.datetime
    first_response_at: dt.datetime | None
    history: list[Entry]
    first_contact_resolution: bool
    csat: tuple[int, dt.datetime] | None
    outage: tuple[dt.datetime, dt.datetime | None, str] | None
    caused_by: Ticket | None
    change: dict | None
    digest: str


class _Lookups:
    """Master data read once per import run."""

    def __init__(self):
        self.services: dict[str, object] = {}
        self.groups: dict[str, SupportGroup | None] = {}
        self.cells: dict[int, tuple[int, int] | None] = {}

    def service(self, code, name: str):
        from catalog.models import Service

        if not isinstance(code, str) or not code:
            raise LineRefused(name, _("Give a service code."))
        if code not in self.services:
            self.services[code] = Service.objects.filter(code=code).first()
        if self.services[code] is None:
            raise LineRefused(name, _("No service has the code “%(code)s”.") % {"code": code})
        return self.services[code]

    def group(self, code) -> SupportGroup | None:
        if code in (None, ""):
            return None
        if not isinstance(code, str):
            raise LineRefused("support_group", _("Give a support group code."))
        if code not in self.groups:
            self.groups[code] = SupportGroup.objects.filter(code=code).first()
        if self.groups[code] is None:
            raise LineRefused(
                "support_group", _("No support group has the code “%(code)s”.") % {"code": code}
            )
        return self.groups[code]

    def cell(self, priority: int) -> tuple[int, int] | None:
        """Return the impact and urgency the priority matrix turns into this priority (None: no cell does)."""
        if priority not in self.cells:
            self.cells[priority] = next(
                (
                    cell
                    for cell in CELLS
                    if services.priority_for(impact=cell[0], urgency=cell[1]) == priority
                ),
                None,
            )
        return self.cells[priority]


def _requester(value):
    if not isinstance(value, str) or not value.strip():
        raise LineRefused("requester", _("Give the requester's employee number, username or email."))
    value = value.strip()
    users = list(
        get_user_model()
        .objects.filter(Q(employee_number=value) | Q(username=value) | Q(email__iexact=value))
        .distinct()[:2]
    )
    if not users:
        raise LineRefused(
            "requester",
            _("No user has the employee number, username or email “%(value)s”.") % {"value": value},
        )
    if len(users) > 1:
        raise LineRefused("requester", _("“%(value)s” names more than one user.") % {"value": value})
    return users[0]


def parse_line(text: str, *, lookups: _Lookups, now: dt.datetime) -> Plan:
    """Check one line and return what it asks for; raise LineRefused naming the field otherwise."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise LineRefused("line", _("Not valid JSON: %(error)s") % {"error": exc}) from None
    if not isinstance(data, dict):
        raise LineRefused("line", _("A line must be one JSON object."))
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise LineRefused(unknown[0], _("Unknown field."))
    external_id = data.get("external_id")
    if not isinstance(external_id, str) or not external_id.strip() or len(external_id) > 100:
        raise LineRefused(
            "external_id", _("Give the ticket's id in the previous service desk (at most 100 characters).")
        )
    kind = _choice(data.get("kind"), "kind", KINDS)
    opened_at = _instant(data.get("opened_at"), "opened_at", now=now)
    first_response_at = _instant(data.get("first_response_at"), "first_response_at", now=now, optional=True)
    if first_response_at is not None and first_response_at < opened_at:
        raise LineRefused("first_response_at", _("The first response is before the ticket was opened."))
    history = _history(data.get("history", []), kind=kind, opened_at=opened_at, now=now)
    first_resolution = next((e.at for e in history if e.status in {Status.RESOLVED, Status.CLOSED}), None)
    if (
        first_response_at is not None
        and first_resolution is not None
        and first_response_at > first_resolution
    ):
        # A resolution answers the requester: the first response cannot come after it.
        raise LineRefused("first_response_at", _("The first response is after the first resolution."))
    fcr = data.get("first_contact_resolution", False)
    if not isinstance(fcr, bool):
        raise LineRefused("first_contact_resolution", _("Give true or false."))
    if fcr and first_resolution is None:
        raise LineRefused("first_contact_resolution", _("The ticket was never resolved."))
    if kind == Kind.CHANGE and fcr:
        raise LineRefused("first_contact_resolution", _("A change is not resolved on first contact."))
    plan = Plan(
        external_id=external_id.strip(),
        kind=kind,
        title=_text(data, "title"),
        description=_text(data, "description", required=False),
        requester=_requester(data.get("requester")),
        service=lookups.service(data.get("service"), "service"),
        support_group=lookups.group(data.get("support_group")),
        priority=PRIORITIES[_choice(data.get("priority"), "priority", PRIORITIES)],
        opened_at=opened_at,
        first_response_at=first_response_at,
        history=history,
        first_contact_resolution=fcr,
        csat=_csat(data.get("csat"), now=now),
        outage=_outage(data.get("outage"), kind=kind, now=now),
        caused_by=_caused_by(data.get("caused_by_change"), external_id.strip()),
        change=_change(data.get("change"), kind=kind, history=history, lookups=lookups, now=now),
        digest=line_digest(data),
    )
    return plan


def _history(value, *, kind: str, opened_at: dt.datetime, now: dt.datetime) -> list[Entry]:
    if not isinstance(value, list):
        raise LineRefused("history", _("Give a list of status changes."))
    entries: list[Entry] = []
    for index, item in enumerate(value):
        name = f"history[{index}]"
        if not isinstance(item, dict):
            raise LineRefused(name, _("Give an object with “at” and “status”."))
        unknown = sorted(set(item) - {"at", "status", "waiting_for"})
        if unknown:
            raise LineRefused(f"{name}.{unknown[0]}", _("Unknown field."))
        at = _instant(item.get("at"), f"{name}.at", now=now)
        status = _choice(item.get("status"), f"{name}.status", HISTORY_STATUSES)
        waiting_for = item.get("waiting_for") or ""
        if status == Status.PENDING:
            waiting_for = _choice(waiting_for, f"{name}.waiting_for", WAITING_FOR)
        elif waiting_for:
            raise LineRefused(f"{name}.waiting_for", _("Only a pending status waits for something."))
        if at < opened_at:
            raise LineRefused(f"{name}.at", _("The status change is before the ticket was opened."))
        if entries and at < entries[-1].at:
            raise LineRefused(f"{name}.at", _("The history must be in time order."))
        entries.append(Entry(at, status, waiting_for, name))
    if kind == Kind.CHANGE and (not entries or entries[-1].status != Status.CLOSED):
        raise LineRefused("history", _("An imported change must end closed."))
    return entries


def _csat(value, *, now) -> tuple[int, dt.datetime] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise LineRefused("csat", _("Give an object with “score” and “at”."))
    score = value.get("score")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise LineRefused("csat.score", _("Choose a score from 1 to 5."))
    return score, _instant(value.get("at"), "csat.at", now=now)


def _outage(value, *, kind: str, now) -> tuple | None:
    if value is None:
        return None
    if kind != Kind.INCIDENT:
        raise LineRefused("outage", _("Outages are recorded on incidents."))
    if not isinstance(value, dict):
        raise LineRefused("outage", _("Give an object with “start”, “end” and “kind”."))
    start = _instant(value.get("start"), "outage.start", now=now)
    end = _instant(value.get("end"), "outage.end", now=now, optional=True)
    if end is not None and end <= start:
        raise LineRefused("outage.end", _("The end must be after the start."))
    return start, end, _choice(value.get("kind"), "outage.kind", OUTAGE_KINDS)


def _caused_by(value, external_id: str) -> Ticket | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise LineRefused("caused_by_change", _("Give the external id of a change."))
    if value == external_id:
        raise LineRefused("caused_by_change", _("A ticket cannot be caused by itself."))
    change = Ticket.objects.filter(external_id=value, kind=Kind.CHANGE).first()
    if change is None:
        raise LineRefused(
            "caused_by_change", _("No imported change has the external id “%(id)s”.") % {"id": value}
        )
    return change


def _change(value, *, kind: str, history: list[Entry], lookups: _Lookups, now) -> dict | None:
    if kind != Kind.CHANGE:
        if value is not None:
            raise LineRefused("change", _("Only a change has change details."))
        return None
    if not isinstance(value, dict):
        raise LineRefused("change", _("A change needs its change details."))
    change_type = _choice(value.get("type"), "change.type", CHANGE_TYPES)
    start = _instant(value.get("planned_start"), "change.planned_start", now=now)
    end = _instant(value.get("planned_end"), "change.planned_end", now=now)
    if end <= start:
        raise LineRefused("change.planned_end", _("The planned end must be after the planned start."))
    windows = []
    maintenance = value.get("maintenance", [])
    if not isinstance(maintenance, list):
        raise LineRefused("change.maintenance", _("Give a list of maintenance windows."))
    for index, item in enumerate(maintenance):
        name = f"change.maintenance[{index}]"
        if not isinstance(item, dict):
            raise LineRefused(name, _("Give an object with “service”, “start” and “end”."))
        service = lookups.service(item.get("service"), f"{name}.service")
        window_start = _instant(item.get("start"), f"{name}.start", now=now)
        window_end = _instant(item.get("end"), f"{name}.end", now=now)
        if window_end <= window_start:
            raise LineRefused(f"{name}.end", _("The end must be after the start."))
        windows.append((service, window_start, window_end))
    outcome = OUTCOMES[_choice(value.get("outcome"), "change.outcome", OUTCOMES)]
    return {"type": change_type, "start": start, "end": end, "windows": windows, "outcome": outcome}


# --- Writing a ticket ------------------------------------------------------------------------------------


def import_account():
    """Return the service account that authors the replayed agents' actions, creating it if missing."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=IMPORT_USERNAME,
        defaults={"first_name": "Import", "last_name": "", "is_service_account": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        # It acts as an agent (status changes, replies, outages, links) but belongs to no support group.
        user.groups.add(*Group.objects.filter(name__in=[roles.EMPLOYEE, roles.AGENT]))
    return user


def _path(current: str, to: str, kind: str) -> list[str]:
    """Return the shortest run of statuses the lifecycle allows from current to to (at least one move)."""
    queue = deque([(current, [])])
    seen = set()
    while queue:
        status, path = queue.popleft()
        for target in sorted(allowed_targets(status, kind) - {Status.CANCELLED, Status.NEW}):
            if target == to:
                return [*path, target]
            if target not in seen:
                seen.add(target)
                queue.append((target, [*path, target]))
    return []


def _domain(name: str, call: Callable):
    """Run a domain function; turn its refusal into a LineRefused naming the line's field."""
    try:
        return call()
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise LineRefused(name, " ".join(exc.messages)) from None
        errors = exc.message_dict
        if name == "line" and len(errors) == 1:
            # A field of the ticket itself (the title too long, say): name it.
            key, messages = next(iter(errors.items()))
            raise LineRefused(key, " ".join(messages)) from None
        raise LineRefused(name, "; ".join(f"{key}: {' '.join(m)}" for key, m in errors.items())) from None
    except PermissionDenied as exc:
        raise LineRefused(name, str(exc)) from None


class _Replay:
    """Write one checked line through the domain functions, step by step in time order."""

    def __init__(self, plan: Plan, *, actor, lookups: _Lookups):
        self.plan = plan
        self.actor = actor
        self.lookups = lookups
        self.ticket: Ticket | None = None

    def run(self) -> Ticket:
        plan = self.plan
        self._create()
        # Same instant: the reply before the status change it preceded, the rating and the outage after.
        steps: list[tuple[dt.datetime, int, Callable]] = []
        if plan.first_response_at is not None:
            steps.append((plan.first_response_at, 0, self._first_response))
        for entry in plan.history:
            steps.append((entry.at, 1, lambda entry=entry: self._status(entry)))
        if plan.csat is not None:
            steps.append((plan.csat[1], 2, self._rate))
        if plan.outage is not None:
            steps.append((max(plan.outage[1] or plan.outage[0], plan.opened_at), 3, self._outage))
        for _at, _order, step in sorted(steps, key=lambda item: (item[0], item[1])):
            step()
        if plan.change is not None:
            self._change_record()
        if plan.caused_by is not None:
            _domain(
                "caused_by_change",
                lambda: services.ticket_link(
                    source=self.ticket,
                    target=plan.caused_by,
                    actor=self.actor,
                    type_=TicketLink.Type.CAUSED_BY,
                    now=plan.opened_at,
                ),
            )
        ticket = Ticket.objects.get(pk=self.ticket.pk)
        if ticket.first_contact_resolution != plan.first_contact_resolution:
            # The previous desk decided it; natively it is derived from the channel, which an import lacks.
            Ticket.objects.filter(pk=ticket.pk).update(first_contact_resolution=plan.first_contact_resolution)
        if plan.first_response_at is not None and ticket.first_response_at != plan.first_response_at:
            raise LineRefused(
                "first_response_at", _("The first response could not be replayed at this instant.")
            )
        return ticket

    def _create(self) -> None:
        plan = self.plan
        cell = self.lookups.cell(plan.priority) or (3, 3)
        self.ticket = _domain(
            "line",
            lambda: services.ticket_create(
                requester=plan.requester,
                created_by=plan.requester,
                title=plan.title,
                description=plan.description,
                kind=plan.kind,
                service=plan.service,
                support_group=plan.support_group,
                impact=cell[0],
                urgency=cell[1],
                channel=Channel.IMPORT,
                now=plan.opened_at,
                on_behalf_checked=True,
            ),
        )
        Ticket.objects.filter(pk=self.ticket.pk).update(external_id=plan.external_id)
        self.ticket.external_id = plan.external_id
        created = self.ticket.events.get(type=TicketEvent.Type.CREATED)
        data = {**created.data, "import": {"sha256": plan.digest}}
        if self.ticket.kind != Kind.CHANGE:
            from sla.services import rules_for

            # The terms the ticket is measured by, as a native ticket gets them at its creation.
            data["sla"] = rules_for(self.ticket.service_id).snapshot()
        TicketEvent.objects.filter(pk=created.pk).update(data=data)
        if self.ticket.priority != plan.priority:
            # The administrators' matrix has no cell for it: set it by hand at the same instant.
            self.ticket = _domain(
                "priority",
                lambda: services.ticket_update(
                    ticket=self.ticket,
                    actor=self.actor,
                    version=None,
                    changes={"priority": plan.priority},
                    reason=_("Priority from the previous service desk."),
                    now=plan.opened_at,
                ),
            )

    def _first_response(self) -> None:
        ticket = Ticket.objects.get(pk=self.ticket.pk)
        if ticket.first_response_at is not None:
            return
        _domain(
            "first_response_at",
            lambda: services.ticket_comment(
                ticket=ticket,
                actor=self.actor,
                body=_("First response given in the previous service desk."),
                public=True,
                now=self.plan.first_response_at,
            ),
        )

    def _status(self, entry: Entry) -> None:
        ticket = Ticket.objects.get(pk=self.ticket.pk)
        waiting_for = PendingReason.APPROVAL if ticket.kind == Kind.CHANGE else entry.waiting_for
        if ticket.status == entry.status and ticket.pending_reason == waiting_for:
            return  # the previous desk recorded the same status again: nothing changes
        path = _path(ticket.status, entry.status, ticket.kind)
        if not path:
            raise LineRefused(
                f"{entry.name}.status",
                _("A ticket that is %(current)s cannot become %(to)s.")
                % {"current": Status(ticket.status).label.lower(), "to": Status(entry.status).label.lower()},
            )
        for status in path:
            current = ticket.status
            move = Move(
                to=status,
                assignee_id=self.actor.pk if status == Status.ASSIGNED else None,
                pending_reason=waiting_for if status == Status.PENDING else "",
                resolution_code=ResolutionCode.SOLVED if status == Status.RESOLVED else "",
                resolution_note=_("Resolved in the previous service desk.")
                if status == Status.RESOLVED
                else "",
                reason=_("Reopened in the previous service desk.")
                if current == Status.RESOLVED and status == Status.IN_PROGRESS
                else "",
            )
            ticket = _domain(
                f"{entry.name}.status",
                lambda move=move, ticket=ticket: services.ticket_transition(
                    ticket=ticket,
                    actor=self.actor,
                    move=move,
                    version=None,
                    now=entry.at,
                    process=ticket.kind == Kind.CHANGE,
                ),
            )

    def _rate(self) -> None:
        score, at = self.plan.csat
        _domain(
            "csat",
            lambda: services.ticket_rate(
                ticket=Ticket.objects.get(pk=self.ticket.pk), actor=self.plan.requester, score=score, now=at
            ),
        )

    def _outage(self) -> None:
        from incidents.services import outage_record

        start, end, severity = self.plan.outage
        _domain(
            "outage",
            lambda: outage_record(
                incident=Ticket.objects.get(pk=self.ticket.pk),
                actor=self.actor,
                service=self.plan.service,
                severity=severity,
                start=start,
                end=end,
                now=max(end or start, self.plan.opened_at),
            ),
        )

    def _change_record(self) -> None:
        """Record the change as it ended: closed with its outcome, its window and maintenance as executed.

        The change's approval and CAB history stayed in the previous desk; its ticket's statuses were
        replayed above, the way the change's moves drive them natively."""
        from changes.models import Change, MaintenanceWindow

        spec = self.plan.change
        ticket = Ticket.objects.get(pk=self.ticket.pk)
        started = next((e.at for e in self.plan.history if e.status == Status.IN_PROGRESS), ticket.opened_at)
        windows = spec["windows"]
        actual_start = min((w[1] for w in windows), default=spec["start"])
        actual_end = max((w[2] for w in windows), default=spec["end"])
        change = Change(
            ticket=ticket,
            kind=spec["type"],
            state=Change.State.CLOSED,
            owner=self.plan.requester,
            planned_start=spec["start"],
            planned_end=spec["end"],
            actual_start=actual_start,
            actual_end=actual_end,
            causes_downtime=bool(windows),
            approved_at=started,
            outcome=spec["outcome"],
        )
        _domain("change", lambda: change.full_clean(exclude=["ticket"]))
        change.save()
        change.services.set([self.plan.service, *(w[0] for w in windows if w[0] != self.plan.service)])
        MaintenanceWindow.objects.bulk_create(
            MaintenanceWindow(
                change=change,
                service=service,
                planned_start=start,
                planned_end=end,
                actual_start=start,
                actual_end=end,
            )
            for service, start, end in windows
        )


# --- The run ---------------------------------------------------------------------------------------------


def _import_line(text: str, *, lookups: _Lookups, actor, now: dt.datetime) -> tuple[str, str, Ticket | None]:
    """Import one line in its own transaction; return (external id, "created" or "unchanged", ticket)."""
    plan = None
    with transaction.atomic():
        connection = transaction.get_connection()
        queued_before = len(connection.run_on_commit)
        external_id = _peek_external_id(text)
        existing = Ticket.objects.filter(external_id=external_id).only("pk").first() if external_id else None
        if existing is not None:
            data = json.loads(text)
            created = existing.events.filter(type=TicketEvent.Type.CREATED).only("data").first()
            digest = ((created.data if created else {}).get("import") or {}).get("sha256")
            if digest is None:
                raise LineRefused(
                    "external_id", _("A ticket with this external id exists and was not imported.")
                )
            if digest != line_digest(data):
                raise LineRefused(
                    "external_id",
                    _("Already imported with different content; an imported history is not changed."),
                )
            return external_id, "unchanged", None
        plan = parse_line(text, lookups=lookups, now=now)
        ticket = _Replay(plan, actor=actor, lookups=lookups).run()
        # This is history: nobody is notified of it, and no browser needs a push for each step.
        connection.run_on_commit = connection.run_on_commit[:queued_before]
        Notification.objects.filter(ticket_id=ticket.pk).delete()
    return plan.external_id, "created", ticket


def _peek_external_id(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return ""
    value = data.get("external_id") if isinstance(data, dict) else None
    return value.strip() if isinstance(value, str) else ""


def import_lines(lines: Iterable[str], *, now: dt.datetime | None = None) -> ImportResult:
    """Import the lines (one ticket each; blank lines are skipped) and rebuild the SLA clocks of the new
    tickets. Changes are imported before the other tickets, so a caused-by may name a later line."""
    from sla.escalation import record_past_steps
    from sla.recompute import recompute
    from sla.services import clocks_deferred

    now = now or timezone.now()
    numbered = [(number, text) for number, text in enumerate(lines, start=1) if text.strip()]
    numbered.sort(key=lambda item: (not _is_change(item[1]), item[0]))
    result = ImportResult()
    lookups = _Lookups()
    actor = import_account()
    earliest, created_ids = None, []
    with clocks_deferred():
        for number, text in numbered:
            try:
                external_id, outcome, ticket = _import_line(text, lookups=lookups, actor=actor, now=now)
            except LineRefused as exc:
                result.errors.append(LineError(number, _peek_external_id(text), exc.field, exc.message))
                continue
            except (IntegrityError, DataError) as exc:
                # A database constraint caught what the checks above missed; the line is rolled back.
                result.errors.append(LineError(number, _peek_external_id(text), "line", str(exc)))
                continue
            if outcome == "created":
                result.created.append(external_id)
                created_ids.append(ticket.pk)
                earliest = ticket.opened_at if earliest is None else min(earliest, ticket.opened_at)
            else:
                result.unchanged.append(external_id)
    result.errors.sort(key=lambda error: error.line)
    if earliest is not None:
        # The clocks of the new tickets, from their timelines, as sla_recompute builds them; past
        # escalation steps of the still-open ones are recorded as taken, not sent.
        recompute(since=earliest)
        if record_past_steps(now=now, ticket_ids=created_ids):
            recompute(since=earliest)
    return result


def _is_change(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("kind") == Kind.CHANGE
