"""The service level editors in a browser: the overview, the calendars with their preview and the policies
pass axe-core; a calendar made through the form shows its hours, refuses a time in the DST hour with an
accessible error, and shows a closed date added through the form in its preview until it is removed.
Selectors use URLs, names and ids, not text, so they hold in both languages (the label typed is ours).
"""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.test_incidents import watch_console

expect.set_options(timeout=10_000)


def visit(page, path: str, a11y: list, *, status: int = 200) -> None:
    response = page.goto(path)
    assert response.status == status, f"{path}: {response.status}"
    check(page, path, a11y)


def check(page, where: str, a11y: list) -> None:
    found = serious_violations(page)
    if found:
        a11y.append(f"{where}: " + "; ".join(found))


def test_the_sla_editors(user_page):
    problems: list[str] = []
    a11y: list[str] = []
    admin = user_page("demo.admin")
    watch_console(admin, problems)

    visit(admin, "/sla/", a11y)
    for section in ("calendars", "policies"):
        expect(admin.locator(f"main a[href='/sla/{section}/']")).to_have_count(1)

    visit(admin, "/sla/calendars/", a11y)
    expect(admin.locator("main a[href='/sla/calendars/kontortid/']")).to_have_count(1)
    visit(admin, "/sla/calendars/kontortid/", a11y)
    expect(admin.locator("#preview tbody tr")).to_have_count(14)
    expect(admin.locator("#holidays dt")).not_to_have_count(0)
    visit(admin, "/sla/calendars/24x7/", a11y)
    expect(admin.locator("#preview-always-open")).to_be_visible()

    visit(admin, "/sla/policies/", a11y)
    default = admin.locator("main table tbody tr[id^=policy-] a[href^='/sla/policies/']").first
    href = default.get_attribute("href")
    visit(admin, href, a11y)
    expect(admin.locator("#id_p1_response")).to_have_value("0:15")
    expect(admin.locator("#id_p4_resolution")).to_have_value("80:00")

    # A new calendar: it starts as office hours.
    visit(admin, "/sla/calendars/new/", a11y)
    code = f"e2e-{uuid.uuid4().hex[:6]}"
    form = admin.locator("main form#calendar-form")
    form.locator("#id_code").fill(code)
    form.locator("#id_name_nb").fill("Brukerstøtte E2E")
    form.locator("#id_name_en").fill("Help desk E2E")
    expect(form.locator("#id_d0_1_opens")).to_have_value("08:00")
    # A time in the hour the clocks skip is refused, named and linked from the error summary.
    form.locator("#id_d0_1_opens").fill("02:30")
    with admin.expect_response(lambda r: r.request.method == "POST") as refused:
        form.locator("button[type=submit]").click()
    assert refused.value.status == 400
    expect(admin.locator(".ds-error-summary a[href='#id_d0_1_opens']")).to_be_visible()
    expect(admin.locator("#id_d0_1_opens")).to_have_attribute("aria-invalid", "true")
    check(admin, "calendar form with errors", a11y)

    form = admin.locator("main form#calendar-form")
    form.locator("#id_d0_1_opens").fill("08:00")
    with admin.expect_navigation():
        form.locator("button[type=submit]").click()
    assert admin.url.endswith(f"/sla/calendars/{code}/"), admin.url
    expect(admin.locator("#preview tbody tr")).to_have_count(14)
    check(admin, "the new calendar", a11y)

    # A closed date through the form shows in the preview with its label, until it is removed.
    day = (dt.datetime.now(ZoneInfo("Europe/Oslo")) + dt.timedelta(days=3)).date()
    row = admin.locator(f"#preview-{day.isoformat()}")
    expect(row).not_to_contain_text("Stengt for E2E")
    form = admin.locator("main form#calendar-form")
    form.locator("#id_dates-0-date").fill(day.isoformat())
    form.locator("#id_dates-0-kind").select_option("closed")
    form.locator("#id_dates-0-label").fill("Stengt for E2E")
    with admin.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(row).to_contain_text("Stengt for E2E")
    expect(admin.locator("#id_dates-0-label")).to_have_value("Stengt for E2E")
    check(admin, "the calendar with a closed date", a11y)

    admin.locator("#id_dates-0-DELETE").check()
    with admin.expect_navigation():
        admin.locator("main form#calendar-form button[type=submit]").click()
    expect(row).not_to_contain_text("Stengt for E2E")
    expect(admin.locator("#id_dates-0-label")).to_have_value("")

    visit(admin, "/sla/calendars/", a11y)
    expect(admin.locator(f"#calendar-{code}")).to_have_count(1)

    assert problems == []
    assert a11y == []
