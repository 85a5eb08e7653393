"""reports.public_views: the open quality report pages and files, read anonymously."""

import csv
import importlib.util
import io
import json

import jsonschema
import pytest

from reports import services
from tests.factories import ServiceFactory, SupportGroupFactory, UserFactory
from tests.reports.test_figures import create, resolve
from tests.reports.test_publication import NOW, at, pdf_renderer, seed_march  # noqa: F401 (a fixture)
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db
REAL_PDF = importlib.util.find_spec("reports.pdf") is not None


def validate(document: dict) -> None:
    jsonschema.Draft202012Validator(services.document_schema()).validate(document)


@pytest.fixture
def published(employee, agent, management_reader):
    seed_march(employee, agent, ServiceFactory(code="epost", name_nb="E-post", name_en="Email"))
    draft = services.report_draft(2026, 3, now=NOW)
    return services.report_publish(
        draft, actor=management_reader, commentary_nb="Rolig måned for brukerstøtten.", now=NOW
    )


def test_the_list_shows_published_months_with_headline_figures(client, published):
    response = client.get("/kvalitet/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/kvalitet/2026-03/"' in html
    assert "<caption>" in html


def test_the_month_page_shows_the_snapshot_commentary_licence_and_downloads(client, published):
    response = client.get("/kvalitet/2026-03/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rolig måned for brukerstøtten." in html
    assert "Norsk lisens for offentlige data (NLOD) 2.0" in html
    assert 'href="http://data.norge.no/nlod/no/2.0"' in html
    for extension in ("pdf", "csv", "json"):
        assert f'href="/kvalitet/2026-03.{extension}?revision=1"' in html
    assert "E-post" in html


def test_the_downloads(client, published):
    pdf = client.get("/kvalitet/2026-03.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(published.pdf)

    response = client.get("/kvalitet/2026-03.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["period", "service", "figure", "value", "unit", "target"]
    figures = {(row["service"], row["figure"]): row for row in rows}
    assert figures[("", "tickets.opened")]["value"] == "4"
    assert figures[("epost", "availability.availability_pct")]["target"] == "99.5"
    assert figures[("epost", "availability.availability_pct")]["unit"] == "percent"
    assert figures[("epost", "by_service.opened")]["value"] == "4"
    assert {row["period"] for row in rows} == {"2026-03"}

    document = client.get("/kvalitet/2026-03.json")
    assert document["Content-Type"] == "application/json; charset=utf-8"
    validate(json.loads(document.content))
    api = client.get("/api/v1/quality/2026-03/")
    assert api.status_code == 200
    assert api.content == document.content == published.document.encode()


def test_the_dcat_description(client, published):
    response = client.get("/kvalitet/dcat.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    dataset = json.loads(response.content)
    assert dataset["@type"] == "dcat:Dataset"
    assert dataset["dct:license"] == {"@id": "http://data.norge.no/nlod/no/2.0"}
    assert {title["@language"] for title in dataset["dct:title"]} == {"nb", "en"}
    media = sorted(d["dcat:mediaType"]["@id"].rsplit("/", 1)[-1] for d in dataset["dcat:distribution"])
    assert media == ["csv", "json", "pdf"]
    assert all(
        d["dcat:downloadURL"]["@id"].startswith("http://testserver/kvalitet/2026-03.")
        for d in dataset["dcat:distribution"]
    )


def test_unpublished_and_unknown_months_are_404(client, published, employee):
    create(employee, at(2026, 2, 10, 9))
    services.report_draft(2026, 2, now=NOW)  # a draft is not public
    for url in (
        "/kvalitet/2026-02/",
        "/kvalitet/2026-02.json",
        "/kvalitet/2026-02.csv",
        "/kvalitet/2026-02.pdf",
        "/api/v1/quality/2026-02/",
        "/kvalitet/2025-01/",
        "/api/v1/quality/2026-13/",
        "/api/v1/quality/mars/",
        "/kvalitet/2026-03/?revision=2",
        "/kvalitet/2026-03.json?revision=x",
    ):
        assert client.get(url).status_code == 404, url


def test_earlier_revisions_stay_readable_with_the_reasons(client, published, management_reader, employee):
    create(employee, at(2026, 3, 20, 10))
    correction = services.report_correct(
        "2026-03", actor=management_reader, reason="En sak kom for sent med.", now=at(2026, 4, 8, 9)
    )
    services.report_publish(correction, actor=management_reader, now=at(2026, 4, 8, 10))

    html = client.get("/kvalitet/2026-03/").content.decode()
    assert "En sak kom for sent med." in html
    assert 'href="/kvalitet/2026-03/?revision=1"' in html
    assert json.loads(client.get("/kvalitet/2026-03.json").content)["tickets"]["opened"] == 5
    first = client.get("/kvalitet/2026-03.json?revision=1")
    assert first.content == published.document.encode()
    earlier = client.get("/kvalitet/2026-03/?revision=1").content.decode()
    assert 'href="/kvalitet/2026-03.pdf?revision=1"' in earlier
    assert 'role="alert"' not in earlier and "ds-alert" in earlier  # it says a later revision replaces it
    index = client.get("/kvalitet/").content.decode()
    assert index.count('href="/kvalitet/2026-03/"') == 1


def test_no_personal_data_or_ticket_text_reaches_any_public_page_or_file(client, management_reader):
    requester = UserFactory(username="zq", first_name="Zebulon", last_name="Quixotesson")
    agent = UserFactory(username="xg", first_name="Xanthippe", last_name="Grimsdottir", roles=["agent"])
    SupportGroupFactory(code="servicedesk", name_nb="1. linje", is_first_line=True, members_list=[agent])
    service = ServiceFactory(code="epost", name_nb="E-post", name_en="Email")
    for day in (10, 11, 12):
        ticket = ticket_services.ticket_create(
            requester=requester,
            created_by=requester,
            title=f"Flibbertigibbet skriver ut {day}",
            description="Skriveren til Zebulon Quixotesson sier Snorkelwhistle.",
            service=service,
            now=at(2026, 3, day, 9),
        )
        ticket_services.ticket_comment(
            ticket=ticket,
            actor=agent,
            body="Internt: Snorkelwhistle-feil.",
            public=False,
            now=at(2026, 3, day, 10),
        )
        if day < 12:
            resolve(ticket, agent, at(2026, 3, day, 12))
    draft = services.report_draft(2026, 3, now=NOW)
    services.report_publish(draft, actor=management_reader, commentary_nb="Ingen navn her.", now=NOW)

    bodies = {
        url: client.get(url).content
        for url in (
            "/kvalitet/",
            "/kvalitet/2026-03/",
            "/kvalitet/2026-03.csv",
            "/kvalitet/2026-03.json",
            "/kvalitet/2026-03.pdf",
            "/api/v1/quality/2026-03/",
            "/kvalitet/dcat.jsonld",
        )
    }
    assert all(len(body) > 0 for body in bodies.values())
    texts = {url: body.decode("utf-8", "replace") for url, body in bodies.items() if not url.endswith(".pdf")}
    if REAL_PDF:
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(bodies["/kvalitet/2026-03.pdf"]))
        texts["pdf"] = "\n".join(page.extract_text() for page in reader.pages)
        assert "2026" in texts["pdf"]
    forbidden = (
        "Zebulon",
        "Quixotesson",
        "Xanthippe",
        "Grimsdottir",
        "Flibbertigibbet",
        "Snorkelwhistle",
        "zq@",
    )
    for url, text in texts.items():
        for word in forbidden:
            assert word.lower() not in text.lower(), (word, url)
    assert json.loads(texts["/kvalitet/2026-03.json"])["tickets"]["opened"] == 3
