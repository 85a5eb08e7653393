"""API routes for quality: ``register(router)`` adds viewsets; ``urlpatterns`` holds any other v1 endpoint."""

from django.urls import path, re_path

from api.views_quality import QualityDocument, QualityPeriodList

urlpatterns: list = [
    path("quality/", QualityPeriodList.as_view(), name="quality-list"),
    # Any segment: a malformed month is the API's JSON 404 (the view checks the YYYY-MM form).
    re_path(r"^quality/(?P<period>[^/]+)/$", QualityDocument.as_view(), name="quality-detail"),
]


def register(router) -> None:
    """Add this domain's viewsets to the API router."""
