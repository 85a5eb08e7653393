"""API routes for events: ``register(router)`` adds viewsets; ``urlpatterns`` holds any other v1 endpoint."""

from django.urls import path

from api.views_events import EventIngestView

urlpatterns: list = [path("events/", EventIngestView.as_view(), name="event-ingest")]


def register(router) -> None:
    """Add this domain's viewsets to the API router."""
