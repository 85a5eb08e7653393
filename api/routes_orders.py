"""API routes for orders: ``register(router)`` adds viewsets; ``urlpatterns`` holds any other v1 endpoint."""

from api.views_orders import OrderViewSet

urlpatterns: list = []


def register(router) -> None:
    """Add this domain's viewsets to the API router."""
    router.register("orders", OrderViewSet, basename="order")
