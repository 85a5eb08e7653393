"""Tell running browsers that a ticket changed. Called after commit; consumers render what each viewer sees."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

QUEUE_GROUP = "ticket-queues"


def ticket_group(ticket_id: int) -> str:
    return f"ticket-{ticket_id}"


def ticket_changed(ticket_id: int) -> None:
    """Broadcast to every open queue table and to the ticket's own page."""
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    send(QUEUE_GROUP, {"type": "ticket.changed", "id": ticket_id})
    send(ticket_group(ticket_id), {"type": "ticket.updated", "id": ticket_id})
