"""The API's one router, the OpenAPI schema and its interactive docs (served from local static files).

Each domain registers its viewsets in ``api/routes_<domain>.py`` (``register(router)``) and lists any
other v1 endpoint in that module's ``urlpatterns``.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import routes_catalog, routes_events, routes_orders, routes_people, routes_quality, routes_tickets

app_name = "api"

DOMAINS = (routes_tickets, routes_orders, routes_catalog, routes_people, routes_quality, routes_events)

router = SimpleRouter(trailing_slash=True)
for domain in DOMAINS:
    domain.register(router)

v1 = [*router.urls]
for domain in DOMAINS:
    v1 += domain.urlpatterns

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("v1/", include(v1)),
]
