"""Websocket URL routes; each app's consumers are listed here."""

from django.urls import path

from servicedesk.consumers import PresenceConsumer

websocket_urlpatterns = [
    path("ws/ping/", PresenceConsumer.as_asgi()),
]
