"""Who hears about what happens on a ticket: in-app notifications and email, sent by a background job."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tickets.models import Notification, TicketEvent

# kind → whom it reaches: the requester, the assignee, or the members of the ticket's group.
RECIPIENTS = {
    "created": ("requester", "group_if_unassigned"),
    "agent_reply": ("requester",),
    "resolved": ("requester",),
    "merged": ("requester",),
    "assigned": ("assignee",),
    "requester_reply": ("assignee_or_group",),
    "group_new": ("group_if_unassigned",),
}


def queue(kind: str, event_id: int) -> None:
    """Hand the notification to the background worker (never sent inside the request)."""
    from tickets.tasks import deliver_notifications

    deliver_notifications(kind, event_id)


# A change's people hear about it from the change process (approval requests), not as a "case".
NOT_FOR_CHANGES = frozenset({"created", "resolved"})


def recipients_for(kind: str, event: TicketEvent) -> list:
    ticket = event.ticket
    if ticket.kind == "change" and kind in NOT_FOR_CHANGES:
        return []
    people = {}
    for rule in RECIPIENTS.get(kind, ()):
        if rule == "requester":
            people[ticket.requester_id] = ticket.requester
            if kind in {"agent_reply", "resolved"}:
                # Requesters of tickets merged into this one follow it from now on.
                for duplicate in ticket.duplicates.select_related("requester"):
                    people[duplicate.requester_id] = duplicate.requester
        elif rule == "assignee" and ticket.assignee_id:
            people[ticket.assignee_id] = ticket.assignee
        elif rule in {"group_if_unassigned", "assignee_or_group"}:
            if ticket.assignee_id and rule == "assignee_or_group":
                people[ticket.assignee_id] = ticket.assignee
            elif not ticket.assignee_id and ticket.support_group_id:
                for member in ticket.support_group.members.filter(is_active=True):
                    people[member.pk] = member
    # Nobody is told about their own action, except the requester's receipt for a new case.
    if kind != "created" or event.author_id != ticket.requester_id:
        people.pop(event.author_id, None)
    return [person for person in people.values() if person.is_active]


def deliver(kind: str, event_id: int) -> int:
    """Create the in-app notifications and send the emails for one event; return how many were sent."""
    event = TicketEvent.objects.select_related(
        "ticket__requester", "ticket__assignee", "ticket__support_group", "author"
    ).get(pk=event_id)
    if not event.is_public and kind not in {"assigned", "group_new"}:
        return 0  # internal notes never leave the workspace
    sent = 0
    for person in recipients_for(kind, event):
        language = person.preferred_language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {
                "event": event,
                "ticket": event.ticket,
                "recipient": person,
                "kind": kind,
                "base_url": settings.SERVICEDESK_BASE_URL,
            }
            subject = render_to_string("notifications/subject.txt", context).strip()
            body = render_to_string("notifications/body.txt", context)
        notification = Notification.objects.create(
            recipient=person, ticket=event.ticket, kind=kind, subject=subject, body=body
        )
        if person.email:
            # Auto-Submitted keeps other systems' auto-responders from answering (RFC 3834), so no mail loop.
            EmailMessage(
                subject, body, None, [person.email], headers={"Auto-Submitted": "auto-generated"}
            ).send(fail_silently=False)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
