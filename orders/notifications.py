"""Who hears about what happens to an order: approvers when a decision is asked of them, the orderer
when a line is rejected, a fulfilling group when stock runs low. In-app and by email, in each
recipient's language, sent by a background job (orders/tasks.py), never inside the request.

Links in emails are absolute (BASE_URL) and grant nothing by themselves: the pages need a login and
show only what the signed-in user may see.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import CatalogItem
from orders.models import Approval, OrderLine
from people.models import SupportGroup
from tickets.models import Notification


def _send(people, *, kind: str, context: dict, link: str) -> int:
    sent = 0
    for person in people:
        if not person.is_active:
            continue
        language = person.preferred_language or settings.LANGUAGE_CODE
        with translation.override(language):
            full = {
                **context,
                "recipient": person,
                "kind": kind,
                "link": settings.SERVICEDESK_BASE_URL + link,
            }
            subject = render_to_string("orders/email/subject.txt", full).strip()
            body = render_to_string("orders/email/body.txt", full)
        notification = Notification.objects.create(recipient=person, kind=kind, subject=subject, body=body)
        if person.email:
            send_mail(subject, body, None, [person.email], fail_silently=False)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def deliver(kind: str, object_id: int) -> int:
    """Send one order notice; return how many people it reached."""
    if kind == "approval_requested":
        approval = (
            Approval.objects.select_related(
                "line__order__requester", "line__order__recipient", "line__item", "approver", "approver_group"
            )
            .filter(pk=object_id, decision=Approval.Decision.PENDING)
            .first()
        )
        if approval is None:
            return 0  # decided or withdrawn before the job ran
        people = (
            [approval.approver]
            if approval.approver_id
            else list(approval.approver_group.members.filter(is_active=True))
        )
        context = {"approval": approval, "line": approval.line, "order": approval.line.order}
        return _send(
            people, kind=kind, context=context, link=reverse("orders:approval_detail", args=[approval.pk])
        )
    if kind == "line_rejected":
        line = OrderLine.objects.select_related("order__requester", "order__recipient", "item").get(
            pk=object_id
        )
        order = line.order
        people = {order.requester_id: order.requester, order.recipient_id: order.recipient}.values()
        context = {"line": line, "order": order}
        return _send(
            people, kind=kind, context=context, link=reverse("orders:order_detail", args=[order.number])
        )
    raise ValueError(f"Unknown order notice {kind!r}")


def warn_low_stock(item_id: int, group_id: int) -> int:
    """Tell the fulfilling group's members that an item's stock is at or below its reorder level."""
    item = CatalogItem.objects.get(pk=item_id)
    if not item.low_stock:
        return 0  # restocked before the job ran
    group = SupportGroup.objects.get(pk=group_id)
    people = list(group.members.filter(is_active=True))
    if group.lead_id and group.lead not in people:
        people.append(group.lead)
    return _send(
        people,
        kind="low_stock",
        context={"item": item, "group": group},
        link=reverse("orders:fulfilment_queue"),
    )
