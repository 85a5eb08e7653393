"""API routes for tickets: ``register(router)`` adds viewsets; ``urlpatterns`` holds any other v1 endpoint."""

from api.views_tickets import TicketViewSet

urlpatterns: list = []


def register(router) -> None:
    """Add this domain's viewsets to the API router."""
    router.register("tickets", TicketViewSet, basename="ticket")
