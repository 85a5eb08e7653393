"""The websocket endpoint lets signed-in users in, keeps others out, and reaches users through the layer."""

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from servicedesk.asgi import application
from servicedesk.consumers import PresenceConsumer


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_signed_in_user_connects_and_gets_pong():
    from tests.factories import UserFactory

    user = await sync_to_async(UserFactory)(username="ws-user")
    communicator = WebsocketCommunicator(PresenceConsumer.as_asgi(), "/ws/ping/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong", "user": "ws-user"}

    await get_channel_layer().group_send(f"user-{user.pk}", {"type": "user.message", "payload": {"n": 1}})
    assert await communicator.receive_json_from() == {"type": "message", "payload": {"n": 1}}
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_anonymous_user_is_refused():
    communicator = WebsocketCommunicator(PresenceConsumer.as_asgi(), "/ws/ping/")
    communicator.scope["user"] = AnonymousUser()
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_router_rejects_foreign_origin():
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected
