"""The API's one router, the OpenAPI schema and its interactive docs (served from local static files).

Each domain registers its viewsets in ``ROUTES`` below; extra non-viewset endpoints go in ``urlpatterns``.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

app_name = "api"

router = SimpleRouter(trailing_slash=True)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/", include(router.urls)),
]
