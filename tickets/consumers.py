"""Websocket consumers that keep queue tables and ticket pages live with server-rendered fragments.

Each connection knows its viewer, so what it renders is exactly what that viewer may see: queue rows
through the same selector and filter as the page, timeline entries through the same visibility rule.
Messages are htmx out-of-band swaps (the htmx websocket extension applies them)."""

from __future__ import annotations

from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import HttpRequest, QueryDict
from django.template.loader import render_to_string
from django.utils import translation

from tickets import live


def _language(scope) -> str:
    from django.conf import settings

    cookies = scope.get("cookies") or {}
    language = cookies.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class QueueConsumer(AsyncWebsocketConsumer):
    """One open queue table: rows change, appear and leave as tickets change."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if (
            user is None
            or not user.is_authenticated
            or not await sync_to_async(user.has_perm)("tickets.work_on_tickets")
        ):
            await self.close(code=4403)
            return
        params = parse_qs(self.scope.get("query_string", b"").decode())
        self.queue_name = (params.get("queue") or ["unassigned"])[0]
        self.filter_query = (params.get("q") or [""])[0]
        self.language = _language(self.scope)
        self.shown = await sync_to_async(self._rows_on_page)()
        await self.channel_layer.group_add(live.QUEUE_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(live.QUEUE_GROUP, self.channel_name)

    def _request(self) -> HttpRequest:
        request = HttpRequest()
        request.GET = QueryDict(self.filter_query)
        request.user = self.scope["user"]
        return request

    def _rows_on_page(self) -> set[int]:
        from tickets.views import queue_context

        context = queue_context(self._request(), self.queue_name)
        return {record.pk for record in context["table"].records()}

    def _render_change(self, ticket_id: int) -> str:
        from people import selectors as people_selectors
        from tickets.filters import TicketFilter
        from tickets.selectors import queue
        from tickets.tables import TicketTable
        from tickets.views import _columns_for

        user = self.scope["user"]
        with translation.override(self.language):
            base = queue(user=user, name=self.queue_name)
            filterset = TicketFilter(
                QueryDict(self.filter_query) or None, queryset=base, agents=people_selectors.agents()
            )
            queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else base
            ticket = queryset.filter(pk=ticket_id).first()
            if ticket is None:
                if ticket_id not in self.shown:
                    return ""
                self.shown.discard(ticket_id)
                return render_to_string("tickets/live/queue_row.html", {"delete_id": ticket_id})
            table = TicketTable([ticket], columns=_columns_for(user))
            swap = "true" if ticket_id in self.shown else "afterbegin:#queue-rows"
            # An updated row swaps itself; a new one arrives in a <tbody> that carries the swap.
            row = table.row_html(ticket, swap="true" if swap == "true" else "")
            self.shown.add(ticket_id)
            return render_to_string(
                "tickets/live/queue_row.html", {"row": row, "swap": swap, "ticket": ticket}
            )

    async def ticket_changed(self, event: dict) -> None:
        html = await sync_to_async(self._render_change)(event["id"])
        if html:
            await self.send(text_data=html)


class TicketConsumer(AsyncWebsocketConsumer):
    """One open ticket page: new timeline entries, the header, and who else is looking."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        number = self.scope["url_route"]["kwargs"]["number"]
        self.ticket_id = await sync_to_async(self._visible_ticket_id)(number)
        if self.ticket_id is None:
            await self.close(code=4404)
            return
        params = parse_qs(self.scope.get("query_string", b"").decode())
        try:
            self.last_event_id = int((params.get("after") or ["0"])[0])
        except ValueError:
            self.last_event_id = 0
        self.language = _language(self.scope)
        self.is_agent = await sync_to_async(user.has_perm)("tickets.work_on_tickets")
        self.viewers: dict[str, str] = {}
        self.group = live.ticket_group(self.ticket_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.channel_layer.group_send(self.group, self._presence("presence.hello"))

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_send(self.group, self._presence("presence.bye"))
            await self.channel_layer.group_discard(self.group, self.channel_name)

    def _visible_ticket_id(self, number: str) -> int | None:
        from tickets.selectors import tickets_visible_to

        return (
            tickets_visible_to(user=self.scope["user"])
            .filter(number=number)
            .values_list("pk", flat=True)
            .first()
        )

    def _presence(self, kind: str) -> dict:
        user = self.scope["user"]
        return {
            "type": kind,
            "channel": self.channel_name,
            "name": user.get_full_name() or user.get_username(),
            "agent": self.is_agent,
        }

    def _render_update(self) -> str:
        from tickets.selectors import ticket_for_page, timeline_events

        user = self.scope["user"]
        with translation.override(self.language):
            from tickets.models import Ticket

            number = Ticket.objects.filter(pk=self.ticket_id).values_list("number", flat=True).first()
            ticket = ticket_for_page(user=user, number=number)
            events = timeline_events(ticket=ticket, user=user, after_id=self.last_event_id)
            if events:
                self.last_event_id = events[-1].pk
            changed_by_other = any(event.author_id != user.pk for event in events)
            return render_to_string(
                "tickets/live/ticket_update.html",
                {
                    "ticket": ticket,
                    "events": events,
                    "agent": self.is_agent,
                    "changed_by_other": changed_by_other,
                    "user": user,
                },
            )

    async def ticket_updated(self, event: dict) -> None:
        html = await sync_to_async(self._render_update)()
        await self.send(text_data=html)

    # Presence: only agents are shown to each other; requesters are never told who is looking.
    async def presence_hello(self, event: dict) -> None:
        if event["channel"] != self.channel_name:
            if event["agent"]:
                self.viewers[event["channel"]] = event["name"]
            await self.channel_layer.send(event["channel"], {**self._presence("presence.here")})
            await self._send_viewers()

    async def presence_here(self, event: dict) -> None:
        if event["agent"] and event["channel"] != self.channel_name:
            self.viewers[event["channel"]] = event["name"]
            await self._send_viewers()

    async def presence_bye(self, event: dict) -> None:
        if self.viewers.pop(event["channel"], None) is not None:
            await self._send_viewers()

    async def _send_viewers(self) -> None:
        if not self.is_agent:
            return
        names = sorted(set(self.viewers.values()))
        with translation.override(self.language):
            html = render_to_string("tickets/live/viewers.html", {"names": names})
        await self.send(text_data=html)
