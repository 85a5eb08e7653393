"""Reads of tickets, always scoped to what the user may see, with related rows fetched up front."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from tickets.models import OPEN_STATUSES, Attachment, Status, Ticket, TicketEvent

LIST_RELATED = ("requester", "assignee", "support_group", "service")


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


def _attachments_for(user) -> QuerySet[Attachment]:
    attachments = Attachment.objects.all()
    if not user.has_perm("tickets.see_internal"):
        attachments = attachments.filter(is_public=True)
    return attachments


def ticket_for_page(*, user, number: str) -> Ticket:
    """Return one visible ticket with what its page shows; raise Ticket.DoesNotExist otherwise."""
    return (
        tickets_visible_to(user=user)
        .select_related(
            "requester__org_unit",
            "assignee",
            "support_group",
            "service",
            "created_by",
            "parent",
            "duplicate_of",
            "reopened_from",
        )
        .get(number=number)
    )


def attachment_for(*, user, number: str, pk: int) -> Attachment:
    ticket = tickets_visible_to(user=user).get(number=number)
    return _attachments_for(user).select_related("ticket").get(ticket=ticket, pk=pk)


QUEUES = ("mine", "unassigned", "groups", "all")


def queue(*, user, name: str) -> QuerySet[Ticket]:
    """Return one of the agent's queues: mine, my groups' unassigned, my groups' all, or all."""
    visible = tickets_visible_to(user=user).select_related(*LIST_RELATED)
    group_ids = list(user.support_groups.values_list("pk", flat=True))
    if name == "mine":
        return visible.filter(assignee=user, status__in=OPEN_STATUSES)
    if name == "unassigned":
        return visible.filter(support_group__in=group_ids, assignee__isnull=True, status__in=OPEN_STATUSES)
    if name == "groups":
        return visible.filter(support_group__in=group_ids, status__in=OPEN_STATUSES)
    return visible


def search(queryset: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(number__iexact=text) | Q(title__icontains=text) | Q(description__icontains=text))


__all__ = ["QUEUES", "Status"]
