"""API routes for people: ``register(router)`` adds viewsets; ``urlpatterns`` holds any other v1 endpoint."""

urlpatterns: list = []


def register(router) -> None:
    """Add this domain's viewsets to the API router."""
    from api.views_people import OrgUnitViewSet, PersonViewSet

    router.register("people", PersonViewSet, basename="person")
    router.register("org-units", OrgUnitViewSet, basename="orgunit")
