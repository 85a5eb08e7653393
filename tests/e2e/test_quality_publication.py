"""The quality report from review to the public: demo.ledelse computes and reads last month's draft, adds a
commentary and publishes it; an anonymous visitor then finds the month at /kvalitet/ and downloads its PDF,
CSV and JSON, whose figures agree. Review, list and month pages pass axe-core. Selectors use URLs, ids and
form field names, not text, so they hold in both languages (the commentary typed is ours).
"""

import csv
import datetime as dt
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pypdf
from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.test_incidents import watch_console

expect.set_options(timeout=10_000)
SCHEMA = Path(__file__).resolve().parents[2] / "reports" / "schema" / "quality-report.schema.json"
COMMENTARY = "Rolig måned for brukerstøtten."


def previous_month() -> str:
    today = dt.datetime.now(ZoneInfo("Europe/Oslo")).date()
    last = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def check(page, where: str, a11y: list) -> None:
    """Run axe on the page at a phone's width and a desktop's, and check it does not scroll sideways."""
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        found = serious_violations(page)
        if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
            found.append("the page scrolls sideways")
        if found:
            a11y.append(f"{where} @ {width}px: " + "; ".join(found))


def test_a_month_is_reviewed_published_and_downloaded(user_page):
    problems: list[str] = []
    a11y: list[str] = []
    period = previous_month()
    review = f"/dashboard/report/{period}/"

    reader = user_page("demo.ledelse")
    watch_console(reader, problems)
    assert reader.goto("/dashboard/report/").status == 200
    check(reader, "review list", a11y)
    row = reader.locator(f"#month-{period}")
    compute = row.locator(f"form[action='{review}draft/'] button")
    if compute.count():
        with reader.expect_navigation():
            compute.click()
    else:
        with reader.expect_navigation():
            row.locator(f"a[href='{review}']").first.click()
    assert reader.url.endswith(review), reader.url
    expect(reader.locator("#review-status")).to_be_visible()
    expect(reader.locator("#internal-notes")).to_be_visible()
    expect(reader.locator("#summary-heading")).to_be_visible()
    check(reader, "the draft", a11y)

    form = reader.locator("#publish-form")
    form.locator("[name=commentary_nb]").fill(COMMENTARY)
    with reader.expect_navigation():
        form.locator("button[type=submit]").click()
    assert reader.url.endswith(review), reader.url
    expect(reader.locator("#correct-form")).to_be_visible()
    expect(reader.locator("#publish-form")).to_have_count(0)
    check(reader, "the published month", a11y)

    visitor = user_page()
    watch_console(visitor, problems)
    assert visitor.goto("/kvalitet/").status == 200
    check(visitor, "/kvalitet/", a11y)
    with visitor.expect_navigation():
        visitor.locator(f"main a[href='/kvalitet/{period}/']").first.click()
    expect(visitor.locator("#commentary-heading")).to_be_visible()
    expect(visitor.locator("main")).to_contain_text(COMMENTARY)
    check(visitor, f"/kvalitet/{period}/", a11y)

    links = {
        kind: visitor.locator(f"main a[href^='/kvalitet/{period}.{kind}']").get_attribute("href")
        for kind in ("pdf", "csv", "json")
    }

    document_response = visitor.request.get(links["json"])
    assert document_response.status == 200
    document = json.loads(document_response.body())
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(document)
    assert document["period"] == period
    assert document["revision"] == 1
    assert document["commentary"]["nb"] == COMMENTARY
    opened = document["tickets"]["opened"]
    assert opened > 0, "the demo data should have tickets last month"

    pdf_response = visitor.request.get(links["pdf"])
    assert pdf_response.status == 200
    assert pdf_response.headers["content-type"] == "application/pdf"
    reader_pdf = pypdf.PdfReader(io.BytesIO(pdf_response.body()))
    text = "\n".join(page.extract_text() for page in reader_pdf.pages)
    assert period in text or str(int(period[5:])) in text
    assert str(opened) in text
    assert str(document["tickets"]["resolved"]) in text
    assert "Rolig måned" in text

    csv_response = visitor.request.get(links["csv"])
    assert csv_response.status == 200
    rows = list(csv.DictReader(io.StringIO(csv_response.body().decode("utf-8"))))
    figures = {(row["service"], row["figure"]): row["value"] for row in rows}
    assert figures[("", "tickets.opened")] == str(opened)
    assert {row["period"] for row in rows} == {period}

    assert problems == []
    assert a11y == []
