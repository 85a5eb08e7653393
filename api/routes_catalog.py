"""API routes for catalog: ``register(router)`` adds viewsets; ``urlpatterns`` holds any other v1 endpoint."""

urlpatterns: list = []


def register(router) -> None:
    """Add this domain's viewsets to the API router."""
