"""The live queue and ticket page over websockets: each viewer gets only what they may see.

The services broadcast after commit, so these tests run in real transactions and let on_commit fire."""

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from servicedesk.routing import websocket_urlpatterns
from tests.factories import make_ticket
from tickets import live, services
from tickets.models import TicketEvent

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
WAIT = 5  # seconds; generous for a loaded CI machine


def socket(path: str, user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    communicator.scope["user"] = user
    return communicator


async def connected(path: str, user) -> WebsocketCommunicator:
    communicator = socket(path, user)
    ok, code = await communicator.connect(timeout=WAIT)
    assert ok, code
    return communicator


# --- The queue ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["employee", "anonymous"])
async def test_the_queue_socket_refuses_non_agents(request, who):
    user = AnonymousUser() if who == "anonymous" else await sync_to_async(request.getfixturevalue)(who)
    ok, code = await socket("/ws/queue/?queue=all", user).connect(timeout=WAIT)
    assert (ok, code) == (False, 4403)


async def test_a_new_ticket_in_the_queue_arrives_as_a_new_row(agent, employee):
    ws = await connected("/ws/queue/?queue=unassigned", agent)
    ticket = await sync_to_async(make_ticket)(employee, title="Ny sak fra portalen")
    message = await ws.receive_from(timeout=WAIT)
    assert 'hx-swap-oob="afterbegin:#queue-rows"' in message
    assert f'id="ticket-row-{ticket.pk}"' in message
    assert "Ny sak fra portalen" in message
    assert ticket.number in message
    await ws.disconnect()


async def test_a_shown_row_is_replaced_when_the_ticket_changes(agent, employee):
    ticket = await sync_to_async(make_ticket)(employee, title="Gammel tittel")
    ws = await connected("/ws/queue/?queue=unassigned", agent)
    await sync_to_async(services.ticket_update)(
        ticket=ticket, actor=agent, version=1, changes={"title": "Ny tittel"}
    )
    message = await ws.receive_from(timeout=WAIT)
    assert f'<tr id="ticket-row-{ticket.pk}"' in message
    assert 'hx-swap-oob="true"' in message
    assert "afterbegin" not in message
    assert "Ny tittel" in message and "Gammel tittel" not in message
    await ws.disconnect()


async def test_a_row_is_deleted_when_its_ticket_leaves_the_queue(agent, employee):
    ticket = await sync_to_async(make_ticket)(employee)
    ws = await connected("/ws/queue/?queue=unassigned", agent)
    await sync_to_async(services.ticket_update)(
        ticket=ticket, actor=agent, version=1, changes={"assignee": agent}
    )
    message = await ws.receive_from(timeout=WAIT)
    assert f'id="ticket-row-{ticket.pk}" hx-swap-oob="delete"' in message
    # It is gone from this table now: a further change sends nothing here.
    await sync_to_async(services.ticket_update)(ticket=ticket, actor=agent, version=2, changes={"title": "x"})
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


async def test_changes_outside_the_queue_send_nothing(agent, employee, network_group):
    ws = await connected("/ws/queue/?queue=unassigned", agent)
    await sync_to_async(make_ticket)(employee, support_group=network_group)
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


async def test_the_queue_socket_applies_the_pages_filter(agent, employee):
    ws = await connected("/ws/queue/?queue=all&q=priority%3D1", agent)
    await sync_to_async(make_ticket)(employee, impact=3, urgency=3)  # P4: filtered out
    assert await ws.receive_nothing(timeout=0.5)
    urgent = await sync_to_async(make_ticket)(employee, impact=1, urgency=1)
    message = await ws.receive_from(timeout=WAIT)
    assert f'id="ticket-row-{urgent.pk}"' in message
    await ws.disconnect()


# --- The ticket page ----------------------------------------------------------------------------------


async def test_the_ticket_socket_refuses_a_ticket_the_user_cannot_see(employee, other_employee, agent):
    ticket = await sync_to_async(make_ticket)(employee)
    ok, code = await socket(f"/ws/tickets/{ticket.number}/", other_employee).connect(timeout=WAIT)
    assert (ok, code) == (False, 4404)
    ok, code = await socket("/ws/tickets/INC-1999-000001/", agent).connect(timeout=WAIT)
    assert (ok, code) == (False, 4404)
    ok, code = await socket(f"/ws/tickets/{ticket.number}/", AnonymousUser()).connect(timeout=WAIT)
    assert (ok, code) == (False, 4401)


async def test_the_requester_gets_public_events_but_never_internal_notes(employee, agent):
    ticket = await sync_to_async(make_ticket)(employee)
    created = await sync_to_async(TicketEvent.objects.get)(ticket=ticket)
    path = f"/ws/tickets/{ticket.number}/?after={created.pk}"
    requester = await connected(path, employee)
    worker = await connected(path, agent)
    assert await requester.receive_nothing(timeout=0.3)  # nobody is told who else is looking
    await worker.receive_nothing(timeout=0.3)

    note = await sync_to_async(services.ticket_comment)(
        ticket=ticket, actor=agent, body="HEMMELIG: sjekk lisensen", public=False
    )
    for_requester = await requester.receive_from(timeout=WAIT)
    assert "HEMMELIG" not in for_requester
    assert f'id="event-{note.pk}"' not in for_requester
    assert 'id="ticket-header"' in for_requester  # only the header is refreshed
    for_agent = await worker.receive_from(timeout=WAIT)
    assert "HEMMELIG" in for_agent and f'id="event-{note.pk}"' in for_agent

    reply = await sync_to_async(services.ticket_comment)(ticket=ticket, actor=agent, body="Vi ser på det nå.")
    for_requester = await requester.receive_from(timeout=WAIT)
    assert 'hx-swap-oob="beforeend:#timeline"' in for_requester
    assert f'id="event-{reply.pk}"' in for_requester and "Vi ser på det nå." in for_requester
    assert "HEMMELIG" not in for_requester
    assert "ticket-stale" not in for_requester  # the reload warning is for agents
    for_agent = await worker.receive_from(timeout=WAIT)
    assert for_agent.count('class="sd-event"') == 1  # only what is new since the last message
    await requester.disconnect()
    await worker.disconnect()


async def test_an_agent_is_warned_when_someone_else_changes_the_ticket(employee, agent):
    ticket = await sync_to_async(make_ticket)(employee)
    created = await sync_to_async(TicketEvent.objects.get)(ticket=ticket)
    worker = await connected(f"/ws/tickets/{ticket.number}/?after={created.pk}", agent)

    await sync_to_async(services.ticket_comment)(ticket=ticket, actor=agent, body="Mitt eget svar")
    own = await worker.receive_from(timeout=WAIT)
    assert "Mitt eget svar" in own and 'id="ticket-stale"' not in own

    await sync_to_async(services.ticket_comment)(ticket=ticket, actor=employee, body="Svar fra brukeren")
    other = await worker.receive_from(timeout=WAIT)
    assert "Svar fra brukeren" in other and 'id="ticket-stale"' in other
    await worker.disconnect()


async def test_a_direct_broadcast_reaches_the_page(employee):
    ticket = await sync_to_async(make_ticket)(employee)
    page = await connected(f"/ws/tickets/{ticket.number}/?after=0", employee)
    await sync_to_async(live.ticket_changed)(ticket.pk)
    message = await page.receive_from(timeout=WAIT)
    assert 'data-type="created"' in message  # everything after event 0, i.e. the whole public timeline
    await page.disconnect()
