"""reports.views_review: the review pages where a management reader computes, reads, publishes and corrects."""

import pytest

from reports import views_review
from reports.models import QualityReport
from tests.factories import ServiceFactory
from tests.reports.test_publication import NOW, pdf_renderer, seed_march  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
LIST, REVIEW = "/dashboard/report/", "/dashboard/report/2026-03/"


@pytest.fixture(autouse=True)
def on_the_second_of_april(monkeypatch):
    monkeypatch.setattr(views_review, "_now", lambda: NOW)


@pytest.fixture
def march(employee, agent):
    seed_march(employee, agent, ServiceFactory(code="epost", name_nb="E-post", name_en="Email"))


@pytest.fixture
def reader(client, management_reader):
    client.force_login(management_reader)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def public():
    """An anonymous browser of its own, beside the signed-in reader."""
    from django.test import Client

    return Client()


def rows():
    return list(QualityReport.objects.order_by("revision").values_list("revision", "state"))


@pytest.mark.parametrize("role", ["employee", "agent", "service_owner"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", LIST),
        ("get", REVIEW),
        ("post", REVIEW + "draft/"),
        ("post", REVIEW + "publish/"),
        ("post", REVIEW + "correct/"),
        ("get", REVIEW + "preview.pdf"),
    ],
)
def test_everyone_but_the_publishers_is_refused(request, client, role, method, path):
    client.force_login(request.getfixturevalue(role))
    assert getattr(client, method)(path).status_code == 403
    assert rows() == []


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_administrators_may_review(client, administrator):
    client.force_login(administrator)
    assert client.get(LIST).status_code == 200


def test_the_list_offers_to_compute_ended_months(reader):
    response = reader.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/dashboard/report/2026-03/draft/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "/dashboard/report/2026-04/draft/" not in html  # April has not ended


def test_an_unknown_or_malformed_period_is_404(reader):
    assert reader.get(REVIEW).status_code == 404
    assert reader.get("/dashboard/report/2026-13/").status_code == 404
    assert reader.post("/dashboard/report/march/draft/").status_code == 404
    assert reader.post(REVIEW + "publish/").status_code == 404


def test_computing_a_draft_and_reading_it_as_the_public_will(reader, march):
    response = reader.post(REVIEW + "draft/")
    assert response.status_code == 302
    assert response["Location"] == REVIEW
    assert rows() == [(1, "draft")]

    response = reader.get(REVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert "not public yet" in html
    assert 'id="summary-heading"' in html  # the public page's parts
    assert "E-post" in html
    assert 'id="internal-notes"' in html
    assert 'action="/dashboard/report/2026-03/publish/"' in html
    assert 'href="/dashboard/report/2026-03/preview.pdf"' in html
    assert response.context["basis"][0][1] == "4"
    assert reader.get("/kvalitet/2026-03/").status_code == 404  # not public yet

    for kind, start in (("pdf", b"%PDF"), ("json", b"{")):
        preview = reader.get(f"{REVIEW}preview.{kind}")
        assert preview.status_code == 200
        assert preview.content.startswith(start)
    assert reader.get(REVIEW + "preview.csv").content.startswith(b"period,")
    assert reader.get(REVIEW + "preview.txt").status_code == 404


def test_a_month_that_has_not_ended_is_refused(reader):
    response = reader.post("/dashboard/report/2026-04/draft/")
    assert response.status_code == 400
    assert response.context["errors"] == ["2026-04 has not ended yet."]
    assert 'class="ds-error-summary"' in response.content.decode()
    assert rows() == []


def test_publishing_writes_the_published_row_and_the_public_page_answers(public, reader, march):
    reader.post(REVIEW + "draft/")
    response = reader.post(
        REVIEW + "publish/", {"commentary_nb": "Rolig måned.", "commentary_en": "A quiet month."}
    )
    assert response.status_code == 302
    report = QualityReport.objects.get()
    assert report.state == QualityReport.State.PUBLISHED
    assert len(report.content_hash) == 64
    assert bytes(report.pdf).startswith(b"%PDF")
    assert report.commentary_nb == "Rolig måned."
    assert report.published_at == NOW
    assert report.published_by.username == "leder"

    page = public.get("/kvalitet/2026-03/")
    assert page.status_code == 200
    assert "Rolig måned." in page.content.decode()

    # The review page of a published month offers a correction, not another publication.
    html = reader.get(REVIEW).content.decode()
    assert 'action="/dashboard/report/2026-03/correct/"' in html
    assert 'action="/dashboard/report/2026-03/publish/"' not in html


def test_publishing_twice_is_a_form_error(reader, march):
    reader.post(REVIEW + "draft/")
    reader.post(REVIEW + "publish/")
    before = QualityReport.objects.get()
    response = reader.post(REVIEW + "publish/", {"commentary_nb": "Igjen."})
    assert response.status_code == 400
    assert response.context["publish_form"].non_field_errors() == ["This revision is already published."]
    after = QualityReport.objects.get()
    assert (after.content_hash, after.commentary_nb) == (before.content_hash, before.commentary_nb)


def test_a_commentary_too_long_is_400_and_nothing_is_written(reader, march):
    reader.post(REVIEW + "draft/")
    response = reader.post(REVIEW + "publish/", {"commentary_nb": "x" * 5001})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert rows() == [(1, "draft")]


def test_a_correction_needs_a_reason(reader, march):
    reader.post(REVIEW + "draft/")
    reader.post(REVIEW + "publish/")
    response = reader.post(REVIEW + "correct/", {"reason": "  "})
    assert response.status_code == 400
    assert 'href="#id_reason"' in response.content.decode()
    assert rows() == [(1, "published")]


def test_correcting_a_draft_that_was_never_published_is_400(reader, march):
    reader.post(REVIEW + "draft/")
    response = reader.post(REVIEW + "correct/", {"reason": "Feil tall."})
    assert response.status_code == 400
    assert rows() == [(1, "draft")]


def test_a_correction_is_revision_2_and_the_public_page_lists_both(public, reader, march):
    reader.post(REVIEW + "draft/")
    reader.post(REVIEW + "publish/")
    response = reader.post(REVIEW + "correct/", {"reason": "En sak var registrert i feil måned."})
    assert response.status_code == 302
    assert rows() == [(1, "published"), (2, "draft")]
    html = reader.get(REVIEW).content.decode()
    assert "En sak var registrert i feil måned." in html
    assert 'action="/dashboard/report/2026-03/publish/"' in html

    assert reader.post(REVIEW + "publish/").status_code == 302
    assert rows() == [(1, "published"), (2, "published")]
    page = public.get("/kvalitet/2026-03/").content.decode()
    assert 'href="/kvalitet/2026-03/?revision=1"' in page
    assert '<span aria-current="page">2</span>' in page
    assert "En sak var registrert i feil måned." in page


def test_the_posts_need_the_csrf_token(management_reader, march):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(management_reader)
    assert client.post(REVIEW + "draft/").status_code == 403
    assert rows() == []
