"""The authenticated websocket every page can open; later issues add per-queue and per-ticket groups."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class PresenceConsumer(AsyncJsonWebsocketConsumer):
    """Accept signed-in users only and answer pings, proving the live channel end to end."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user_group = f"user-{user.pk}"
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "user_group"):
            await self.channel_layer.group_discard(self.user_group, self.channel_name)

    async def receive_json(self, content: dict, **kwargs) -> None:
        if content.get("type") == "ping":
            await self.send_json({"type": "pong", "user": self.scope["user"].get_username()})

    async def user_message(self, event: dict) -> None:
        """Forward a message sent to this user's group."""
        await self.send_json({"type": "message", "payload": event.get("payload")})
