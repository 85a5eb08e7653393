"""API routes for catalog: ``register(router)`` adds viewsets; ``urlpatterns`` holds any other v1 endpoint."""

urlpatterns: list = []


def register(router) -> None:
    """Add this domain's viewsets to the API router."""
    from api.views_catalog import AssetViewSet, CatalogItemViewSet, ServiceViewSet

    router.register("services", ServiceViewSet, basename="service")
    router.register("catalogue-items", CatalogItemViewSet, basename="catalogitem")
    router.register("assets", AssetViewSet, basename="asset")
