"""API routes for quality: ``register(router)`` adds viewsets; ``urlpatterns`` holds any other v1 endpoint."""

from django.urls import path, re_path

from api.views_quality import PERIOD_REGEX, QualityDocument, QualityPeriodList

urlpatterns: list = [
    path("quality/", QualityPeriodList.as_view(), name="quality-list"),
    re_path(rf"^quality/(?P<period>{PERIOD_REGEX})/$", QualityDocument.as_view(), name="quality-detail"),
]


def register(router) -> None:
    """Add this domain's viewsets to the API router."""
