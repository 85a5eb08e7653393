"""Writes to tickets. Every change goes through one of these functions, from the portal, the agent
workspace, the API and background jobs alike: lock the row, check the version and the transition,
save, write the timeline, and after commit broadcast to browsers and queue notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import SupportGroup
from servicedesk.markdown import render_markdown
from tickets import live, notifications
from tickets.attachments import UploadedAttachment
from tickets.models import (
    FIRST_CONTACT_CHANNELS,
    NUMBER_PREFIX,
    Attachment,
    Channel,
    Kind,
    PendingReason,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketSequence,
)
from tickets.transitions import Move, StaleTicket, TransitionNotAllowed, ensure_allowed

# Fields an agent may edit directly on the ticket page (status has its own path).
EDITABLE_FIELDS = ("title", "service", "support_group", "assignee", "impact", "urgency", "category")


def priority_for(*, impact: int, urgency: int) -> int:
    """Return the priority the matrix gives for impact × urgency."""
    from incidents.models import PriorityRule

    # A value outside 1–3 (from the API or an import) is a validation error, not a KeyError below.
    for name, value in (("impact", impact), ("urgency", urgency)):
        try:
            Ticket._meta.get_field(name).validate(value, None)
        except ValidationError as exc:
            raise ValidationError({name: exc.error_list}) from None
    rule = (
        PriorityRule.objects.filter(impact=impact, urgency=urgency).values_list("priority", flat=True).first()
    )
    if rule is not None:
        return rule
    from incidents.priority import DEFAULT_MATRIX

    return DEFAULT_MATRIX[(impact, urgency)]


def next_number(*, kind: str, at: dt.datetime) -> str:
    """Return the next readable number for the kind and year, e.g. INC-2026-000123 (call inside a transaction)."""
    year = timezone.localtime(at).year
    sequence, _created = TicketSequence.objects.select_for_update().get_or_create(kind=kind, year=year)
    TicketSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db(fields=["last"])
    return f"{NUMBER_PREFIX[Kind(kind)]}-{year}-{sequence.last:06d}"


def _event(ticket: Ticket, type_: str, *, author, now, public=True, body="", data=None) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket,
        type=type_,
        author=author,
        created_at=now,
        is_public=public,
        body=body,
        body_html=render_markdown(body) if body else "",
        data=data or {},
    )
    if _moves_a_clock(ticket, event, now):
        from sla.services import clocks_sync

        clocks_sync(ticket, now=now, event=event)
    return event


def _moves_a_clock(ticket: Ticket, event: TicketEvent, now: dt.datetime) -> bool:
    """Whether this timeline entry can move the ticket's SLA clocks (they are kept in the same transaction)."""
    if ticket.kind == Kind.CHANGE:
        return False
    if event.type in {TicketEvent.Type.CREATED, TicketEvent.Type.STATUS}:
        return True
    if event.type == TicketEvent.Type.FIELD:
        return event.data.get("field") in {"priority", "service"}
    # The first public reply by an agent stops the response clock.
    return event.type == TicketEvent.Type.REPLY and ticket.first_response_at == now


def _is_agent(user) -> bool:
    """Return whether the actor works tickets; None is the system itself (scheduled jobs)."""
    return user is None or user.has_perm("tickets.work_on_tickets")


def _lock(ticket: Ticket, version: int | None) -> Ticket:
    """Lock the ticket row; refuse if the caller's version is not the current one."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if version is not None and locked.version != version:
        changes = list(
            TicketEvent.objects.filter(ticket=locked, data__version__gt=version)
            .select_related("author")
            .order_by("created_at", "pk")
        )
        raise StaleTicket(
            _("Someone else changed %(number)s while you were working on it. Your change was not saved.")
            % {"number": locked.number},
            current=locked,
            changes=changes,
        )
    return locked


def _save(ticket: Ticket, now: dt.datetime, fields: Iterable[str]) -> None:
    ticket.version += 1
    ticket.updated_at = now
    ticket.save(update_fields=[*fields, "version", "updated_at"])


def _after_commit(ticket: Ticket, *notices: tuple[str, int]) -> None:
    ticket_id = ticket.pk
    transaction.on_commit(lambda: live.ticket_changed(ticket_id))
    for kind, event_id in notices:
        transaction.on_commit(lambda kind=kind, event_id=event_id: notifications.queue(kind, event_id))


def _attach(
    ticket: Ticket, event: TicketEvent, files: Iterable[UploadedAttachment], *, actor, public, now
) -> None:
    for upload in files:
        Attachment.objects.create(
            ticket=ticket,
            event=event,
            file=upload.file,
            original_name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            is_public=public,
            uploaded_by=actor,
            created_at=now,
        )


@transaction.atomic
def ticket_create(
    *,
    requester,
    created_by,
    title: str,
    description: str = "",
    kind: str = Kind.INCIDENT,
    service=None,
    support_group: SupportGroup | None = None,
    impact: int = 3,
    urgency: int = 2,
    category: str = "other",
    channel: str = Channel.PORTAL,
    attachments: Iterable[UploadedAttachment] = (),
    now: dt.datetime | None = None,
    on_behalf_checked: bool = False,
) -> Ticket:
    """Register a ticket; route it to the service's group, or the first line when the service is unknown.

    on_behalf_checked: the calling process has itself checked that created_by may act for the requester
    (an employee ordering from the catalogue for a colleague, orders.services.order_submit).
    """
    now = now or timezone.now()
    if created_by.pk != requester.pk and not (on_behalf_checked or _is_agent(created_by)):
        raise PermissionDenied(_("Only agents may register tickets on behalf of others."))
    if support_group is None:
        support_group = service.support_group if service is not None else None
    if support_group is None:
        support_group = SupportGroup.objects.filter(is_first_line=True).order_by("pk").first()
    ticket = Ticket(
        number=next_number(kind=kind, at=now),
        kind=kind,
        title=title.strip(),
        description=description,
        description_html=render_markdown(description),
        requester=requester,
        created_by=created_by,
        service=service,
        support_group=support_group,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact=impact, urgency=urgency),
        category=category,
        channel=channel,
        opened_at=now,
        updated_at=now,
    )
    # An agent registering a call while talking to the caller has responded at once (spec §3).
    if channel in FIRST_CONTACT_CHANNELS and created_by.pk != requester.pk:
        ticket.first_response_at = now
    ticket.full_clean(exclude=["number"], validate_constraints=False)
    ticket.save()
    event = _event(
        ticket,
        TicketEvent.Type.CREATED,
        author=created_by,
        now=now,
        data={"version": ticket.version, "channel": channel},
    )
    _attach(ticket, event, attachments, actor=created_by, public=True, now=now)
    _after_commit(ticket, ("created", event.pk))
    return ticket


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor,
    version: int | None,
    changes: dict,
    reason: str = "",
    now: dt.datetime | None = None,
    process: bool = False,
) -> Ticket:
    """Change editable fields (agents only); a priority given by hand needs a reason.

    process: the edit comes from the process that owns the ticket (a change's plan edited on its change
    page, changes.services), which has checked the actor's permission; the description may change too.
    """
    now = now or timezone.now()
    if not (process or _is_agent(actor)):
        raise PermissionDenied(_("Only agents may edit tickets."))
    locked = _lock(ticket, version)
    if not locked.is_open and locked.status != Status.RESOLVED:
        raise TransitionNotAllowed(_("A closed ticket cannot be changed."))
    changed: dict[str, tuple] = {}
    if process and "description" in changes and changes["description"] != locked.description:
        changed["description"] = ("", "")  # the timeline says it changed; the texts stay on the ticket
        locked.description = changes["description"]
        locked.description_html = render_markdown(locked.description)
    for name in EDITABLE_FIELDS:
        if name not in changes:
            continue
        new = changes[name]
        old = getattr(locked, name)
        if old != new:
            changed[name] = (old, new)
            setattr(locked, name, new)
    priority = changes.get("priority")
    if priority is not None and int(priority) != locked.priority:
        if not reason.strip():
            raise ValidationError({"priority_reason": _("Give a reason for setting the priority by hand.")})
        changed["priority"] = (locked.priority, int(priority))
        locked.priority = int(priority)
        locked.priority_overridden = True
    elif {"impact", "urgency"} & changed.keys() and not locked.priority_overridden:
        computed = priority_for(impact=locked.impact, urgency=locked.urgency)
        if computed != locked.priority:
            changed["priority"] = (locked.priority, computed)
            locked.priority = computed
    if not changed:
        return locked
    if "support_group" in changed:
        locked.reassignment_count += 1
    if "assignee" in changed and locked.assignee is not None and locked.status == Status.NEW:
        locked.status = Status.ASSIGNED
        changed["status"] = (Status.NEW, Status.ASSIGNED)
    elif (
        "assignee" in changed
        and locked.assignee is None
        and locked.status in {Status.ASSIGNED, Status.IN_PROGRESS}
    ):
        # Nobody holds it any more (unassigned or escalated): it waits in the group's queue as new.
        changed["status"] = (locked.status, Status.NEW)
        locked.status = Status.NEW
    if (
        "assignee" in changed
        and locked.assignee is not None
        and not locked.assignee.has_perm("tickets.work_on_tickets")
    ):
        raise ValidationError({"assignee": _("Tickets can only be assigned to agents.")})
    # The database enforces the CHECK constraints itself; validating them here would cost a query each.
    locked.full_clean(exclude=["number"], validate_constraints=False)
    fields = [*changed.keys(), "priority_overridden", "reassignment_count", "status"]
    if "description" in changed:
        fields.append("description_html")
    _save(locked, now, fields)
    notices = []
    for name, (old, new) in changed.items():
        type_ = (
            TicketEvent.Type.ASSIGNMENT if name in {"assignee", "support_group"} else TicketEvent.Type.FIELD
        )
        event = _event(
            locked,
            type_,
            author=actor,
            now=now,
            public=name in {"status"},
            body=reason if name == "priority" else "",
            data={
                "field": name,
                "from": _display(locked, name, old),
                "to": _display(locked, name, new),
                "version": locked.version,
                # The raw priorities, for the SLA clocks (the labels are in the author's language).
                **({"from_value": old, "to_value": new} if name == "priority" else {}),
            },
        )
        if name == "assignee" and new is not None and new != actor:
            notices.append(("assigned", event.pk))
        if name == "support_group" and locked.assignee_id is None:
            notices.append(("group_new", event.pk))
    _after_commit(locked, *notices)
    return locked


def _display(ticket: Ticket, name: str, value) -> str:
    if value is None or value == "":
        return ""
    field = Ticket._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


@transaction.atomic
def ticket_escalate(
    *,
    ticket: Ticket,
    actor,
    version: int | None,
    group: SupportGroup,
    note: str,
    now: dt.datetime | None = None,
) -> Ticket:
    """Hand the ticket to another group with an internal note, in one transaction: both or neither."""
    if not note.strip():
        raise ValidationError({"note": _("Tell the group what they need to know.")})
    updated = ticket_update(
        ticket=ticket,
        actor=actor,
        version=version,
        changes={"support_group": group, "assignee": None},
        now=now,
    )
    ticket_comment(ticket=updated, actor=actor, body=note, public=False, now=now)
    return updated


@transaction.atomic
def ticket_transition(
    *,
    ticket: Ticket,
    actor,
    move: Move,
    version: int | None,
    now: dt.datetime | None = None,
    with_children: bool = False,
    process: bool = False,
) -> Ticket:
    """Move the ticket to another status through the lifecycle's table and guards.

    With with_children, resolving a major incident resolves its open children with the same
    resolution, in the same transaction.

    process: the move comes from the process that owns the ticket's lifecycle (a change moves its
    ticket from changes.services), which has itself checked that the actor may make it. A change's
    ticket moves only that way.
    """
    now = now or timezone.now()
    locked = _lock(ticket, version)
    if locked.kind == Kind.CHANGE and not process:
        raise TransitionNotAllowed(_("A change moves through its own lifecycle, on its change page."))
    is_requester = actor is not None and actor.pk == locked.requester_id
    agent = process or _is_agent(actor)
    reopening = locked.status == Status.RESOLVED and move.to == Status.IN_PROGRESS
    confirming = locked.status == Status.RESOLVED and move.to == Status.CLOSED
    withdrawing = move.to == Status.CANCELLED and is_requester and locked.is_open
    if not agent and not (is_requester and (reopening or confirming or withdrawing)):
        raise PermissionDenied(_("You may not change the status of this ticket."))
    ensure_allowed(
        locked.status,
        Move(**{**move.__dict__, "assignee_id": move.assignee_id or locked.assignee_id}),
        kind=locked.kind,
    )
    previous = locked.status
    fields = ["status", "pending_reason"]
    locked.status = move.to
    locked.pending_reason = move.pending_reason if move.to == Status.PENDING else ""
    if move.to == Status.RESOLVED:
        locked.resolution_code = move.resolution_code
        locked.resolution_note = move.resolution_note
        locked.resolved_at = now
        # The first line solved it on first contact: no reassignment, no earlier reopen, by phone/chat/desk.
        locked.first_contact_resolution = bool(
            locked.channel in FIRST_CONTACT_CHANNELS
            and locked.reassignment_count == 0
            and locked.reopen_count == 0
            and locked.support_group_id is not None
            and locked.support_group.is_first_line
        )
        if locked.first_response_at is None:
            locked.first_response_at = now
        fields += [
            "resolution_code",
            "resolution_note",
            "resolved_at",
            "first_contact_resolution",
            "first_response_at",
        ]
    if reopening:
        # The resolution was rejected: the ticket is open again, and the timeline keeps the old one.
        locked.reopen_count += 1
        locked.first_contact_resolution = False
        locked.resolved_at = None
        locked.resolution_code = ""
        locked.resolution_note = ""
        fields += [
            "reopen_count",
            "first_contact_resolution",
            "resolved_at",
            "resolution_code",
            "resolution_note",
        ]
    if move.to == Status.CLOSED:
        locked.closed_at = now
        fields.append("closed_at")
    if move.to == Status.CANCELLED:
        locked.resolution_code = "cancelled"
        locked.resolution_note = move.reason
        fields += ["resolution_code", "resolution_note"]
    _save(locked, now, fields)
    body = move.resolution_note if move.to == Status.RESOLVED else move.reason
    event = _event(
        locked,
        TicketEvent.Type.STATUS,
        author=actor,
        now=now,
        public=True,
        body=body,
        data={
            "from": previous,
            "to": move.to,
            "pending_reason": locked.pending_reason,
            "resolution_code": locked.resolution_code if move.to == Status.RESOLVED else "",
            "version": locked.version,
        },
    )
    notices = []
    if move.to == Status.RESOLVED:
        notices.append(("resolved", event.pk))
    _after_commit(locked, *notices)
    if with_children and move.to == Status.RESOLVED:
        resolve_children(parent=locked, actor=actor, now=now)
    return locked


@transaction.atomic
def ticket_comment(
    *,
    ticket: Ticket,
    actor,
    body: str,
    public: bool = True,
    attachments: Iterable[UploadedAttachment] = (),
    version: int | None = None,
    now: dt.datetime | None = None,
) -> TicketEvent:
    """Add a public reply or (agents only) an internal note, with attachments.

    A requester's reply to a ticket waiting for them puts it back in progress; an agent's first public
    reply is the first response.
    """
    now = now or timezone.now()
    agent = _is_agent(actor)
    is_requester = actor.pk == ticket.requester_id
    if not (agent or is_requester):
        raise PermissionDenied(_("You may not comment on this ticket."))
    if not public and not agent:
        raise PermissionDenied(_("Only agents may write internal notes."))
    attachments = list(attachments)
    if not body.strip() and not attachments:
        raise ValidationError({"body": _("Write a message or attach a file.")})
    locked = _lock(ticket, version)
    if locked.is_finished:
        raise TransitionNotAllowed(_("This case is closed. If the problem is back, open a follow-up case."))
    fields: list[str] = []
    resumed = False
    if (
        public
        and is_requester
        and locked.status == Status.PENDING
        and locked.pending_reason == PendingReason.REQUESTER
    ):
        locked.status = Status.IN_PROGRESS
        locked.pending_reason = ""
        fields += ["status", "pending_reason"]
        resumed = True
    if public and agent and not is_requester and locked.first_response_at is None:
        locked.first_response_at = now
        fields.append("first_response_at")
    _save(locked, now, fields)
    event = _event(
        locked,
        TicketEvent.Type.REPLY if public else TicketEvent.Type.NOTE,
        author=actor,
        now=now,
        public=public,
        body=body,
        data={"version": locked.version},
    )
    _attach(locked, event, attachments, actor=actor, public=public, now=now)
    if resumed:
        _event(
            locked,
            TicketEvent.Type.STATUS,
            author=actor,
            now=now,
            public=True,
            data={"from": Status.PENDING, "to": Status.IN_PROGRESS, "version": locked.version},
        )
    notices = []
    if public:
        notices.append(("requester_reply" if is_requester else "agent_reply", event.pk))
    _after_commit(locked, *notices)
    return event


@transaction.atomic
def ticket_reopen_closed(*, ticket: Ticket, actor, reason: str, now: dt.datetime | None = None) -> Ticket:
    """A closed incident is final; reopening it creates a follow-up linked to it."""
    ticket = (
        # of=self: PostgreSQL cannot lock the nullable side of the outer joins (service, support group).
        Ticket.objects.select_for_update(of=("self",))
        .select_related("requester", "service", "support_group")
        .get(pk=ticket.pk)
    )
    if ticket.status != Status.CLOSED:
        raise TransitionNotAllowed(_("Only closed tickets get a follow-up; reopen this one instead."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the problem is back.")})
    follow_up = ticket_create(
        requester=ticket.requester,
        created_by=actor,
        title=ticket.title,
        description=_("Follow-up of %(number)s: %(reason)s") % {"number": ticket.number, "reason": reason},
        kind=ticket.kind,
        service=ticket.service,
        support_group=ticket.support_group,
        impact=ticket.impact,
        urgency=ticket.urgency,
        category=ticket.category,
        channel=Channel.PORTAL,
        now=now,
    )
    Ticket.objects.filter(pk=follow_up.pk).update(reopened_from=ticket)
    follow_up.reopened_from = ticket
    return follow_up


@transaction.atomic
def ticket_rate(*, ticket: Ticket, actor, score: int, comment: str = "", now: dt.datetime | None = None):
    """Record the requester's satisfaction with a resolved or closed ticket (once)."""
    from incidents.models import SatisfactionRating

    now = now or timezone.now()
    if actor.pk != ticket.requester_id:
        raise PermissionDenied(_("Only the requester may rate the resolution."))
    locked = _lock(ticket, None)
    if locked.status not in {Status.RESOLVED, Status.CLOSED}:
        raise TransitionNotAllowed(_("A ticket can be rated once it is resolved."))
    if not 1 <= int(score) <= 5:
        raise ValidationError({"score": _("Choose a score from 1 to 5.")})
    if SatisfactionRating.objects.filter(ticket=locked).exists():
        raise ValidationError({"score": _("You have already rated this ticket.")})
    rating = SatisfactionRating.objects.create(ticket=locked, score=score, comment=comment, created_at=now)
    _save(locked, now, [])
    _event(
        locked,
        TicketEvent.Type.RATING,
        author=actor,
        now=now,
        public=True,
        body=comment,
        data={"score": int(score), "version": locked.version},
    )
    _after_commit(locked)
    return rating


@transaction.atomic
def ticket_process_event(
    *,
    ticket: Ticket,
    author,
    body: str,
    public: bool = False,
    data: dict | None = None,
    now: dt.datetime | None = None,
) -> TicketEvent:
    """Record a step of the process that owns the ticket (a CAB vote, a conflict override) on its
    timeline, authored by whoever took it; the calling process has checked that they may."""
    now = now or timezone.now()
    locked = _lock(ticket, None)
    _save(locked, now, [])
    event = _event(
        locked,
        TicketEvent.Type.NOTE if not public else TicketEvent.Type.REPLY,
        author=author,
        now=now,
        public=public,
        body=body,
        data={**(data or {}), "version": locked.version},
    )
    _after_commit(locked)
    return event


@transaction.atomic
def ticket_link(
    *,
    source: Ticket,
    target: Ticket,
    actor,
    type_: str = TicketLink.Type.RELATED,
    now: dt.datetime | None = None,
) -> TicketLink:
    now = now or timezone.now()
    if not _is_agent(actor):
        raise PermissionDenied(_("Only agents may link tickets."))
    if source.pk == target.pk:
        raise ValidationError({"target": _("A ticket cannot be linked to itself.")})
    # "Caused by change X" feeds the change success figures: the cause must be a change.
    if type_ == TicketLink.Type.CAUSED_BY and target.kind != Kind.CHANGE:
        raise ValidationError({"target": _("Only a change can be named as the cause. Give a CHG number.")})
    link, created = TicketLink.objects.get_or_create(
        source=source, target=target, type=type_, defaults={"created_by": actor, "created_at": now}
    )
    if created:
        for ticket, other in ((source, target), (target, source)):
            locked = _lock(ticket, None)
            _save(locked, now, [])
            _event(
                locked,
                TicketEvent.Type.LINK,
                author=actor,
                now=now,
                public=False,
                data={"link": type_, "other": other.number, "version": locked.version},
            )
            _after_commit(locked)
    return link


@transaction.atomic
def ticket_merge(*, duplicate: Ticket, master: Ticket, actor, now: dt.datetime | None = None) -> Ticket:
    """Close the duplicate into the master; its requester is told, and follows the master from now on."""
    now = now or timezone.now()
    if not _is_agent(actor):
        raise PermissionDenied(_("Only agents may merge tickets."))
    if duplicate.pk == master.pk:
        raise ValidationError({"target": _("A ticket cannot be merged into itself.")})
    if Kind.CHANGE in {duplicate.kind, master.kind}:
        raise ValidationError({"target": _("Changes cannot be merged; cancel the one not needed instead.")})
    # Lock both rows in primary-key order, so two opposite merges cannot deadlock; check the locked rows.
    rows = {
        t.pk: t
        for t in Ticket.objects.select_for_update().filter(pk__in=[duplicate.pk, master.pk]).order_by("pk")
    }
    locked, master = rows[duplicate.pk], rows[master.pk]
    if not master.is_open:
        raise ValidationError({"target": _("Merge into an open ticket.")})
    if not locked.is_open:
        raise TransitionNotAllowed(_("Only open tickets can be merged."))
    note = _("Merged into %(number)s, where the work continues.") % {"number": master.number}
    previous = locked.status
    locked.duplicate_of = master
    locked.status = Status.CLOSED
    locked.resolution_code = "duplicate"
    locked.resolution_note = note
    locked.resolved_at = locked.closed_at = now
    if locked.first_response_at is None:
        # Closing it as a duplicate answers the requester (the response clock stops at resolution).
        locked.first_response_at = now
    _save(
        locked,
        now,
        [
            "duplicate_of",
            "status",
            "resolution_code",
            "resolution_note",
            "resolved_at",
            "closed_at",
            "first_response_at",
        ],
    )
    event = _event(
        locked,
        TicketEvent.Type.STATUS,
        author=actor,
        now=now,
        public=True,
        body=note,
        data={"from": previous, "to": Status.CLOSED, "merged_into": master.number, "version": locked.version},
    )
    master_locked = _lock(master, None)
    _save(master_locked, now, [])
    _event(
        master_locked,
        TicketEvent.Type.LINK,
        author=actor,
        now=now,
        public=False,
        data={"link": "duplicate", "other": locked.number, "version": master_locked.version},
    )
    _after_commit(locked, ("merged", event.pk))
    _after_commit(master_locked)
    return locked


@transaction.atomic
def ticket_set_parent(
    *, child: Ticket, parent: Ticket | None, actor, now: dt.datetime | None = None
) -> Ticket:
    """Make the ticket a child of a major incident (or detach it)."""
    now = now or timezone.now()
    if not _is_agent(actor):
        raise PermissionDenied(_("Only agents may link tickets."))
    if parent is not None and (parent.pk == child.pk or parent.parent_id == child.pk):
        raise ValidationError({"target": _("A ticket cannot be its own parent.")})
    if parent is not None and Kind.CHANGE in {child.kind, parent.kind}:
        raise ValidationError(
            {"target": _("A change is linked to incidents as their cause, not as a parent or child.")}
        )
    locked = _lock(child, None)
    locked.parent = parent
    _save(locked, now, ["parent"])
    _event(
        locked,
        TicketEvent.Type.LINK,
        author=actor,
        now=now,
        public=False,
        data={"link": "parent", "other": parent.number if parent else "", "version": locked.version},
    )
    _after_commit(locked)
    return locked


def resolve_children(*, parent: Ticket, actor, now: dt.datetime | None = None) -> list[Ticket]:
    """Resolve the open children of a resolved major incident with its resolution."""
    resolved = []
    for child in parent.children.filter(
        status__in=[Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING]
    ):
        resolved.append(
            ticket_transition(
                ticket=child,
                actor=actor,
                version=None,
                now=now,
                move=Move(
                    to=Status.RESOLVED,
                    resolution_code=parent.resolution_code,
                    resolution_note=parent.resolution_note,
                ),
            )
        )
    return resolved


def close_resolved(*, now: dt.datetime | None = None, business_days: int = 5) -> int:
    """Close tickets resolved at least the given number of business days ago; return how many."""
    from incidents.calendar_days import subtract_business_days

    now = now or timezone.now()
    cutoff = subtract_business_days(now, business_days)
    closed = 0
    # A change's ticket is never left resolved: its own lifecycle closes it (changes/transitions.py).
    resolved = Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lte=cutoff).exclude(
        kind=Kind.CHANGE
    )
    for ticket in resolved.only("pk", "version"):
        try:
            ticket_transition(ticket=ticket, actor=None, move=Move(to=Status.CLOSED), version=None, now=now)
            closed += 1
        except (TransitionNotAllowed, PermissionDenied):
            continue
    return closed
