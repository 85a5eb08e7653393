"""The management dashboard's quality section in a browser: accessible, and its counts lead to the tickets."""

import re

from playwright.sync_api import expect

from tests.e2e.axe import serious_violations


def test_the_opened_figure_leads_to_the_tickets_behind_it(page, login):
    login("demo.admin")  # both the dashboard and the tickets
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", level=2, name=re.compile("^Kvalitet|^Quality"))).to_be_visible()
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert serious_violations(page) == [], width
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width

    opened = page.locator(".sd-tile").first.get_by_role("link")
    expect(opened).to_have_attribute("href", re.compile(r"/tickets/queue/all/\?opened_from=\d{4}-\d{2}-01"))
    count = int(opened.inner_text())
    opened.click()
    page.wait_for_load_state("networkidle")
    assert "/tickets/queue/all/" in page.url
    rows = page.locator("#queue-table tbody tr[id^=ticket-row-]")
    expect(rows.first).to_be_visible()
    # The queue lists exactly the tickets behind the figure, 25 to a page.
    assert rows.count() == min(count, 25)


def test_the_management_user_follows_a_figure_to_its_records(page, login):
    login("demo.ledelse")  # reads figures, does not work on tickets
    page.goto("/dashboard/")
    opened = page.locator(".sd-tile").first.get_by_role("link")
    expect(opened).to_have_attribute("href", re.compile(r"/dashboard/records/\?opened_from=\d{4}-\d{2}-01"))
    count = int(opened.inner_text())
    opened.click()
    page.wait_for_load_state("networkidle")
    assert "/dashboard/records/" in page.url
    # The records behind the figure: exactly its tickets, 25 to a page, by number and facts only.
    expect(page.locator("#record-count")).to_contain_text(str(count))
    rows = page.locator("#records tbody tr")
    assert rows.count() == min(count, 25)
    assert re.fullmatch(r"(INC|REQ)-\d{4}-\d+", rows.first.locator("th").inner_text().strip())
    assert serious_violations(page) == []


def test_a_bad_month_is_explained_not_an_error(page, login):
    login("demo.ledelse")
    response = page.goto("/dashboard/?month=2026-13")
    assert response.status == 200
    expect(page.get_by_role("status")).to_be_visible()
    # A management reader sees the figures without links to tickets.
    assert page.locator('a[href*="/tickets/queue/"]').count() == 0
