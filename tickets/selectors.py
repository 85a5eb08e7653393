"""Reads of tickets, always scoped to what the user may see, with related rows fetched up front."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from tickets.models import OPEN_STATUSES, Attachment, SavedFilter, Status, Ticket, TicketEvent, TicketLink

LIST_RELATED = ("requester", "assignee", "support_group", "service")
# What a queue row shows (tickets/tables.py): long texts and the people's other fields stay unread,
# which also spares converting a dozen timestamps per row.
_PERSON = ("first_name", "last_name", "username")
QUEUE_FIELDS = (
    *("number", "kind", "title", "status", "pending_reason", "priority", "opened_at", "updated_at"),
    *("sla_due_at", "sla_warning_at", "sla_breached"),
    *("service__name_nb", "service__name_en", "support_group__name_nb", "support_group__name_en"),
    *(f"requester__{f}" for f in _PERSON),
    *(f"assignee__{f}" for f in _PERSON),
)


def tickets_visible_to(*, user) -> QuerySet[Ticket]:
    """Return the tickets the user may see: all for those who work tickets, their own for employees."""
    queryset = Ticket.objects.all()
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.has_perm("tickets.work_on_tickets"):
        return queryset
    return queryset.filter(requester=user)


def my_tickets(*, user) -> QuerySet[Ticket]:
    """Return the employee's own tickets, open first, newest first."""
    return (
        Ticket.objects.filter(requester=user)
        .select_related("service", "assignee")
        .order_by("closed_at", "-opened_at")
    )


def open_at(queryset: QuerySet[Ticket], instant) -> QuerySet[Ticket]:
    """Return the tickets of queryset that were open at an instant, by their timelines: opened before it,
    and the last status change before it (none: new) an open status. As the quality report's backlog.

    A ticket closed before the instant is left out by its column first: closed and cancelled are terminal.
    """
    last_status = TicketEvent.objects.filter(
        ticket=OuterRef("pk"), type=TicketEvent.Type.STATUS, created_at__lt=instant
    ).order_by("-created_at", "-pk")
    return (
        queryset.filter(opened_at__lt=instant)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=instant))
        .annotate(
            status_then=Coalesce(
                Subquery(last_status.annotate(value=KT("data__to")).values("value")[:1]),
                Value(Status.NEW),
                output_field=TextField(),
            )
        )
        .filter(status_then__in=sorted(OPEN_STATUSES))
    )


def latest_public_replies(*, tickets: list[Ticket]) -> dict[int, TicketEvent]:
    """Return the newest public reply per ticket, for the given tickets, in one query."""
    events = (
        TicketEvent.objects.filter(ticket__in=tickets, type=TicketEvent.Type.REPLY, is_public=True)
        .select_related("author")
        .order_by("ticket_id", "-created_at", "-pk")
    )
    latest: dict[int, TicketEvent] = {}
    for event in events:
        latest.setdefault(event.ticket_id, event)
    return latest


def timeline(*, ticket: Ticket, user, after_id: int | None = None) -> QuerySet[TicketEvent]:
    """Return the timeline the user may read: internal notes and internal events only for agents."""
    events = ticket.events.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=_attachments_for(user))
    )
    if not user.has_perm("tickets.see_internal"):
        events = events.filter(is_public=True)
    if after_id is not None:
        events = events.filter(pk__gt=after_id)
    return events.order_by("created_at", "pk")


def timeline_events(*, ticket: Ticket, user, after_id: int | None = None) -> list[TicketEvent]:
    """Return timeline()'s events as a list, each with ``shown_attachments``: the attachments the user may
    see, in two queries (the events with their authors, the ticket's attachments) without Django's
    prefetch machinery, which cost the ticket page more than the attachments themselves."""
    events = list(timeline(ticket=ticket, user=user, after_id=after_id).prefetch_related(None))
    by_event: dict[int, list[Attachment]] = {event.pk: [] for event in events}
    if events:
        attachments = _attachments_for(user).filter(ticket=ticket, event__in=list(by_event))
        for attachment in attachments:  # in their model order, as the prefetch read them
            by_event[attachment.event_id].append(attachment)
    for event in events:
        event.shown_attachments = by_event[event.pk]
    return events


def _attachments_for(user) -> QuerySet[Attachment]:
    attachments = Attachment.objects.all()
    if not user.has_perm("tickets.see_internal"):
        attachments = attachments.filter(is_public=True)
    return attachments


# The page names related tickets by number only, and most tickets have none: they are read in a
# query of their own, when there are any, rather than joined (each join brings some thirty columns, and
# deferring them costs Django more than it saves).
_NUMBER_ONLY = ("parent", "duplicate_of", "reopened_from")


def ticket_for_page(*, user, number: str) -> Ticket:
    """Return one visible ticket with what its page shows; raise Ticket.DoesNotExist otherwise."""
    ticket = (
        tickets_visible_to(user=user)
        .select_related("requester__org_unit", "assignee", "support_group", "service", "rating")
        .get(number=number)
    )
    related = {name: getattr(ticket, f"{name}_id") for name in _NUMBER_ONLY}
    if any(related.values()):
        found = Ticket.objects.only("id", "number").in_bulk([pk for pk in related.values() if pk])
        for name, pk in related.items():
            if pk in found:
                setattr(ticket, name, found[pk])
    return ticket


def ticket_links(*, ticket: Ticket) -> list[TicketLink]:
    """Return the ticket's links both ways in one query: the ones it makes first, then the ones to it."""
    links = (
        TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket))
        .select_related("source", "target")
        .only("type", "created_at", "source_id", "target_id", "source__number", "target__number")
        .order_by("created_at", "pk")
    )
    return sorted(links, key=lambda link: link.source_id != ticket.pk)


def attachment_for(*, user, number: str, pk: int) -> Attachment:
    ticket = tickets_visible_to(user=user).get(number=number)
    return _attachments_for(user).select_related("ticket").get(ticket=ticket, pk=pk)


def queue(*, user, name: str) -> QuerySet[Ticket]:
    """Return one of the agent's queues: mine, my groups' unassigned, my groups' all, or all."""
    visible = tickets_visible_to(user=user).select_related(*LIST_RELATED).only(*QUEUE_FIELDS)
    group_ids = user.support_groups.values("pk")  # a subquery, not a query of its own
    if name == "mine":
        return visible.filter(assignee=user, status__in=OPEN_STATUSES)
    if name == "unassigned":
        return visible.filter(support_group__in=group_ids, assignee__isnull=True, status__in=OPEN_STATUSES)
    if name == "groups":
        return visible.filter(support_group__in=group_ids, status__in=OPEN_STATUSES)
    if name == "breaching":
        # Open tickets whose resolution clock has reached its warning level or is breached.
        now = timezone.now()
        return visible.filter(status__in=OPEN_STATUSES).filter(
            Q(sla_warning_at__lte=now) | Q(sla_breached=True) | Q(sla_due_at__lte=now)
        )
    return visible


def queue_settings(*, user) -> tuple[list[str] | None, list[SavedFilter]]:
    """Return the agent's chosen queue columns (None if never chosen) and saved filters, in one query."""
    # One row per saved filter (or a single row without one), each carrying the one-to-one preference.
    rows = list(
        get_user_model()
        .objects.filter(pk=user.pk)
        .order_by("saved_filters__name")
        .values_list(
            "queue_preference__columns", "saved_filters__pk", "saved_filters__name", "saved_filters__query"
        )
    )
    columns = rows[0][0] if rows else None
    saved = [
        SavedFilter(pk=pk, owner_id=user.pk, name=name, query=query)
        for _columns, pk, name, query in rows
        if pk is not None
    ]
    return columns, saved


# Up to this many matches, a search is answered from the text index (see search()).
SEARCH_FEW_MATCHES = 5000


def search(queryset: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Return the tickets whose number is the text, or whose title or description contains it.

    Case-insensitive substring search, as `icontains`, answered from the trigram indexes of migration
    tickets/0004: on SQLite through its FTS5 table (for three characters or more; a trigram index
    cannot answer shorter text), on PostgreSQL by pg_trgm indexes that `icontains` uses by itself.
    """
    text = text.strip()
    if not text:
        return queryset
    # Numbers are stored upper-case (INC-2026-000123): an exact match can use the unique index.
    by_number = Q(number=text.upper())
    contains = Q(title__icontains=text) | Q(description__icontains=text)
    connection = connections[queryset.db]
    if connection.vendor == "sqlite" and len(text) >= 3:
        phrase = '"' + text.replace('"', '""') + '"'  # one FTS5 phrase: the text as it stands
        # SQLite has no statistics to choose between the two plans, so count (up to a bound) first.
        # Few matches: fetch them from the index and sort them. Many: walk the queue's sort index and
        # test each row, which finds a page of matches after a few hundred rows.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM (SELECT rowid FROM tickets_ticket_search "
                "WHERE tickets_ticket_search MATCH %s LIMIT %s)",
                [phrase, SEARCH_FEW_MATCHES + 1],
            )
            (matches,) = cursor.fetchone()
        if matches <= SEARCH_FEW_MATCHES:
            indexed = RawSQL(
                "SELECT rowid FROM tickets_ticket_search WHERE tickets_ticket_search MATCH %s", (phrase,)
            )
            return queryset.filter(by_number | Q(pk__in=indexed))
    return queryset.filter(by_number | contains)


def resolution_aim(*, ticket: Ticket):
    """Return when we aim to resolve an open ticket: its resolution clock's due time while it runs
    (sla.services keeps it on the ticket); None while it waits for the requester, or without a clock."""
    if not ticket.is_open or ticket.status == Status.PENDING:
        return None
    return ticket.sla_due_at
