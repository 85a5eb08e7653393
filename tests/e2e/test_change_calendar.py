"""The change calendar in a browser: the month and the week view render their grid and agenda, pass
axe-core at a wide and a narrow width, and work from the keyboard — Tab reaches the first entry, the
skip link jumps to the agenda. The demo data may or may not hold changes, so the test looks for a
month with entries a few months either way and checks that they link to change pages when it finds
them. Selectors use ids, names and URLs, not text, so they hold in both languages.
"""

import datetime as dt
import re

from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.test_incidents import watch_console

expect.set_options(timeout=10_000)
CHANGE_PAGE = re.compile(r"^/changes/(?!calendar/)[^/]+/$")
ENTRY_LINKS = "#calendar-grid .sd-cal-entry__link"


def assert_accessible(page, problems: list) -> None:
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        found = serious_violations(page)
        if found:
            problems.append(f"{page.url} at {width}px: " + "; ".join(found))
    page.set_viewport_size({"width": 1280, "height": 900})


def tab_until(page, selector: str, limit: int = 250) -> bool:
    """Press Tab from the top of the page until the first element matching the selector has focus."""
    page.locator("body").focus()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement === document.querySelector({selector!r})"):
            return True
    return False


def find_month_with_entries(page) -> bool:
    """Open the month calendar at this month, or the first of the next or previous two with entries."""
    first = dt.date.today().replace(day=1)
    for offset in (0, 1, 2, -1, -2):
        index = first.year * 12 + first.month - 1 + offset
        month = dt.date(index // 12, index % 12 + 1, 1)
        page.goto(f"/changes/calendar/?view=month&date={month.isoformat()}")
        if page.locator(ENTRY_LINKS).count():
            return True
    page.goto("/changes/calendar/?view=month")
    return False


def check_entries_link_to_changes(page) -> None:
    hrefs = page.locator(f"{ENTRY_LINKS}, #calendar-agenda a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert hrefs, "no entries to check"
    assert all(CHANGE_PAGE.match(href) for href in hrefs), hrefs
    response = page.request.get(hrefs[0])
    assert response.status == 200, f"{hrefs[0]}: {response.status}"


def check_keyboard(page, has_entries: bool) -> None:
    if has_entries:
        assert tab_until(page, ENTRY_LINKS), "Tab never reached the first calendar entry"
    # The skip link takes keyboard users past the grid to the agenda.
    assert tab_until(page, ".sd-cal-skip a"), "Tab never reached the skip link"
    page.keyboard.press("Enter")
    expect(page.locator("#agenda-heading")).to_be_focused()


def test_month_and_week_views(page, login):
    problems: list[str] = []
    a11y: list[str] = []
    watch_console(page, problems)
    login("demo.agent")

    # --- Month ----------------------------------------------------------------------------------------
    has_entries = find_month_with_entries(page)
    grid = page.locator("table#calendar-grid")
    expect(grid).to_be_visible()
    # A week-number column and seven weekdays, Monday first; four to six weeks.
    expect(grid.locator("thead th[scope=col]")).to_have_count(8)
    weeks = grid.locator("tbody > tr").count()
    assert 4 <= weeks <= 6, weeks
    expect(grid.locator("tbody th[scope=row]")).to_have_count(weeks)
    expect(grid.locator("tbody td")).to_have_count(weeks * 7)
    expect(page.locator("table#calendar-agenda")).to_be_visible()
    expect(page.locator("#calendar-agenda thead th")).to_have_count(7)
    expect(page.locator("#feed-url")).to_have_value(
        re.compile(r"^http://127\.0\.0\.1:\d+/changes/calendar/feed/.+\.ics$")
    )
    for link in ("#calendar-previous", "#calendar-today", "#calendar-next"):
        expect(page.locator(link)).to_have_attribute("href", re.compile(r"^\?view=month"))
    if has_entries:
        check_entries_link_to_changes(page)
        assert page.locator("#calendar-agenda tbody tr[id^=agenda-]").count() >= 1
    assert_accessible(page, a11y)
    check_keyboard(page, has_entries)

    # The feed behind the address is a calendar.
    feed = page.request.get(page.locator("#feed-url").input_value())
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert feed.text().startswith("BEGIN:VCALENDAR")

    # --- Week -----------------------------------------------------------------------------------------
    with page.expect_navigation():
        page.locator(".sd-tabs__link[href*='view=week']").click()
    assert "view=week" in page.url
    week = page.locator("ol#calendar-grid")
    expect(week).to_be_visible()
    expect(week.locator("> li")).to_have_count(7)
    expect(week.locator("> li h3 time")).to_have_count(7)
    expect(page.locator("table#calendar-agenda")).to_be_visible()
    week_has_entries = page.locator(ENTRY_LINKS).count() > 0
    if not week_has_entries and has_entries:
        # Step through the weeks of the month that had entries until one shows them.
        for _ in range(6):
            with page.expect_navigation():
                page.locator("#calendar-next").click()
            if page.locator(ENTRY_LINKS).count():
                week_has_entries = True
                break
    if week_has_entries:
        check_entries_link_to_changes(page)
        expect(page.locator(f"{ENTRY_LINKS} .sd-cal-entry__time").first).to_have_text(
            re.compile(r"\d{2}:\d{2}")
        )
    assert_accessible(page, a11y)
    check_keyboard(page, week_has_entries)

    # Previous and next are plain links: they keep the view.
    with page.expect_navigation():
        page.locator("#calendar-previous").click()
    assert "view=week" in page.url
    expect(page.locator("ol#calendar-grid > li")).to_have_count(7)

    # A bad value in the address still gives the page, with a message.
    response = page.goto("/changes/calendar/?view=year&date=2026-13-45")
    assert response.status == 400
    expect(page.locator("#calendar-errors")).to_be_visible()
    expect(page.locator("#calendar-grid")).to_be_visible()

    assert problems == [], problems
    assert a11y == [], "\n".join(a11y)
