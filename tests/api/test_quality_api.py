"""api.views_quality: the published quality figures, open to everyone, the same bytes as the open report."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from api.tokens import token_create
from reports import services
from servicedesk import urls as project_urls

# The project's URLs without any older route that answered /api/v1/quality/<period>/ before this API.
urlpatterns = [p for p in project_urls.urlpatterns if getattr(p, "name", None) != "quality_api"]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

OSLO = ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2026, 4, 2, 9, tzinfo=OSLO)


@pytest.fixture
def published(management_reader):
    """March published twice (a correction), February only as a draft."""
    march = services.report_publish(services.report_draft(2026, 3, now=NOW), actor=management_reader, now=NOW)
    later = NOW + dt.timedelta(days=1)
    correction = services.report_correct("2026-03", actor=management_reader, reason="Rettet.", now=later)
    march_2 = services.report_publish(correction, actor=management_reader, now=later)
    services.report_draft(2026, 2, now=NOW)
    return {"march": march, "march_2": march_2}


def test_the_list_shows_each_published_month_once_with_its_latest_revision(published):
    response = APIClient().get("/api/v1/quality/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["period"], row["revision"]) for row in rows] == [("2026-03", 2)]
    assert rows[0]["url"] == "http://testserver/api/v1/quality/2026-03/"
    assert rows[0]["links"]["json"] == "http://testserver/kvalitet/2026-03.json?revision=2"


def test_the_document_is_the_published_file_byte_for_byte(published):
    client = APIClient()
    response = client.get("/api/v1/quality/2026-03/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert (
        response.content
        == published["march_2"].document.encode()
        == client.get("/kvalitet/2026-03.json").content
    )
    assert response["ETag"] == f'"{published["march_2"].content_hash}"'
    assert response["Access-Control-Allow-Origin"] == "*"
    first = client.get("/api/v1/quality/2026-03/?revision=1")
    assert first.content == published["march"].document.encode()
    assert set(json.loads(first.content)) >= {"period", "revision", "tickets", "availability"}


def test_unpublished_and_malformed_months_are_404(published):
    client = APIClient()
    urls = [
        "/api/v1/quality/2026-02/",  # a draft only
        "/api/v1/quality/2025-12/",  # nothing at all
        "/api/v1/quality/2026-13/",
        "/api/v1/quality/mars/",
        "/api/v1/quality/2026-03/?revision=7",
        "/api/v1/quality/2026-03/?revision=x",
    ]
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 404)


def test_tokens_and_sessions_read_it_too(published, employee):
    _token, plain = token_create(user=employee, name="t", scopes="read")
    assert APIClient().get("/api/v1/quality/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200
    client = APIClient()
    client.force_login(employee)
    assert client.get("/api/v1/quality/2026-03/?revision=1").content == published["march"].document.encode()
