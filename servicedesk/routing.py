"""Websocket URL routes; each app's consumers are listed here."""

from django.urls import path

from servicedesk.consumers import PresenceConsumer
from tickets.consumers import QueueConsumer, TicketConsumer

websocket_urlpatterns = [
    path("ws/ping/", PresenceConsumer.as_asgi()),
    path("ws/queue/", QueueConsumer.as_asgi()),
    path("ws/tickets/<str:number>/", TicketConsumer.as_asgi()),
]
