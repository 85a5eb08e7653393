"""The OpenAPI schema and the interactive docs: every endpoint described, docs served from local files."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import path
from drf_spectacular.views import SpectacularSwaggerSplitView

from servicedesk import urls as project_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

# The project's URLs with the docs page on the template that leaves out the inline <style>.
urlpatterns = [
    path(
        "api/docs-strict/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
    ),
    *project_urls.urlpatterns,
]

MY_PATHS = {
    "/api/v1/services/",
    "/api/v1/services/{code}/",
    "/api/v1/catalogue-items/",
    "/api/v1/catalogue-items/{code}/",
    "/api/v1/assets/",
    "/api/v1/assets/{tag}/",
    "/api/v1/people/",
    "/api/v1/people/{username}/",
    "/api/v1/org-units/",
    "/api/v1/org-units/{code}/",
    "/api/v1/quality/",
    "/api/v1/quality/{period}/",
}


def referenced_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]*)"', html)


def test_the_schema_describes_every_read_endpoint_with_its_errors(client):
    schema = client.get("/api/schema/?format=json").json()
    assert set(schema["paths"]) >= MY_PATHS
    for url in MY_PATHS:
        operation = schema["paths"][url]["get"]
        assert "200" in operation["responses"] and "404" in operation["responses"], url
        assert "429" in operation["responses"], url
    services = schema["paths"]["/api/v1/services/"]["get"]
    assert {p["name"] for p in services["parameters"]} >= {"state", "public", "group", "cursor", "page_size"}
    document = schema["components"]["schemas"]["QualityDocument"]
    assert {"period", "revision", "tickets", "availability", "by_group"} <= set(document["required"])


def test_the_docs_page_uses_only_local_static_files_and_no_inline_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = referenced_urls(html)
    assert urls, "the page loads Swagger UI"
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


def test_the_strict_docs_template_has_no_inline_style(client):
    html = client.get("/api/docs-strict/").content.decode()
    assert "<style" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in html
    assert all(url.startswith("/") for url in referenced_urls(html))
