"""A normal change from request to successful close, in four browsers.

The demo agent raises a normal change with downtime on a live service; the risk questionnaire makes it
medium, so it goes to the CAB. The change manager assesses it and sends it for approval; the change
manager and two CAB members approve it in the CAB view (htmx, in place); it appears on the change
calendar; the agent implements it, and closes it as successful after the review. axe-core checks the
change form, the change page and the CAB view. Selectors use ids, names and URLs, not text.
"""

import datetime as dt
import re
import uuid

from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.test_incidents import watch_console

expect.set_options(timeout=10_000)
SERVICE = "Fagsystem for barnehage"
MEDIUM = {"users": "unit", "done_before": "once", "tested": "partly", "backout": "minutes", "data": "no"}


def assert_accessible(page, problems: list) -> None:
    found = serious_violations(page)
    if found:
        problems.append(f"{page.url}: " + "; ".join(found))


def _window() -> tuple[dt.datetime, dt.datetime]:
    """A Tuesday evening some 16 weeks ahead: beyond the demo's planned changes."""
    day = dt.date.today() + dt.timedelta(weeks=16)
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    start = dt.datetime.combine(day, dt.time(21, 0))
    return start, start + dt.timedelta(hours=2)


def _vote_in_cab(page, number: str, problems: list, a11y: list | None = None) -> None:
    page.goto("/changes/cab/")
    if a11y is not None:
        assert_accessible(page, a11y)
    page.evaluate("window.__marker = 1")
    card = page.locator(f"#agenda li.sd-card:has(a[href='/changes/{number}/'])")
    expect(card).to_have_count(1)
    card.locator("button[name=decision][value=approved]").click()
    # The card is replaced in place with the vote recorded; the page is not reloaded.
    expect(card.locator("form button[name=decision]")).to_have_count(3)
    expect(card.locator("tbody")).to_contain_text("Godkjenn")  # the vote, in the votes table
    assert page.evaluate("window.__marker") == 1, "the CAB view was reloaded"


def test_normal_change_through_the_cab_to_a_successful_close(user_page):
    problems: list[str] = []
    a11y: list[str] = []
    start, end = _window()
    title = f"Oppgradere fagsystem for barnehage {uuid.uuid4().hex[:6]}"

    # --- The agent raises the change ------------------------------------------------------------
    agent = user_page("demo.agent")
    watch_console(agent, problems)
    agent.goto("/changes/new/")
    assert_accessible(agent, a11y)
    form = agent.locator("#change-form")
    form.locator("input[name=kind][value=normal]").check()
    form.locator("#id_title").fill(title)
    form.locator("#id_description").fill("Ny hovedversjon av fagsystemet, med databaseoppgradering.")
    form.locator("#id_reason").fill("Leverandøren avslutter støtten for dagens versjon.")
    form.get_by_label(SERVICE, exact=True).check()
    form.locator("#id_planned_start").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.locator("#id_planned_end").fill(end.strftime("%Y-%m-%dT%H:%M"))
    form.locator("#id_causes_downtime").check()
    form.locator("#id_implementation_plan").fill(
        "1. Varsle barnehagene. 2. Ta backup. 3. Oppgrader. 4. Test."
    )
    form.locator("#id_backout_plan").fill("Gjenopprett backup og forrige versjon.")
    for code, value in MEDIUM.items():
        form.locator(f"input[name=risk_{code}][value={value}]").check()
    # The live preview shows the score the answers give, and no conflicts for this window.
    expect(agent.locator("#risk-preview")).to_contain_text("4")
    expect(agent.locator("#change-preview #conflicts")).to_have_count(0)
    with agent.expect_navigation():
        form.locator("button[type=submit]").click()
    match = re.search(r"/changes/(CHG-\d{4}-\d{6})/$", agent.url)
    assert match, agent.url
    number = match.group(1)
    expect(agent.locator("#change-risk")).to_contain_text("4")
    expect(agent.locator("#window-table tbody tr")).to_have_count(1)
    assert_accessible(agent, a11y)
    with agent.expect_navigation():
        agent.locator("#move-submitted button[type=submit]").click()
    expect(agent.locator("#change-state")).to_have_attribute("data-state", "new")

    # --- The change manager assesses it and sends it for approval -------------------------------
    manager = user_page("demo.endring")
    watch_console(manager, problems)
    manager.goto(f"/changes/{number}/")
    with manager.expect_navigation():
        manager.locator("#move-assessment button[type=submit]").click()
    with manager.expect_navigation():
        manager.locator("#move-awaiting_approval button[type=submit]").click()
    expect(manager.locator("#change-state")).to_have_attribute("data-state", "pending")
    # Medium risk: the change manager and two CAB members are asked.
    expect(manager.locator("#votes li")).to_have_count(3)
    assert_accessible(manager, a11y)

    # --- The CAB: the change manager and two members approve, in the CAB view -------------------
    _vote_in_cab(manager, number, problems, a11y)
    for member in ("demo.gruppeleder", "demo.tjenesteeier"):
        page = user_page(member)
        watch_console(page, problems)
        page.goto("/changes/cab/")
        card = page.locator(f"#agenda li.sd-card:has(a[href='/changes/{number}/'])")
        page.evaluate("window.__marker = 1")
        card.locator("button[name=decision][value=approved]").click()
        expect(card.locator("form button[name=decision]")).to_have_count(
            0 if member == "demo.tjenesteeier" else 3
        )
        assert page.evaluate("window.__marker") == 1
    # The quorum is met: the change is scheduled.
    manager.goto(f"/changes/{number}/")
    expect(manager.locator("#change-state")).to_have_attribute("data-state", "assigned")

    # --- It is on the calendar -----------------------------------------------------------------
    agent.goto(f"/changes/calendar/?view=week&date={start.date().isoformat()}")
    expect(agent.locator(f"a[href='/changes/{number}/']").first).to_be_visible()
    agent.goto(f"/changes/calendar/?view=month&date={start.date().isoformat()}")
    expect(agent.locator(f"a[href='/changes/{number}/']").first).to_be_visible()

    # --- The agent implements it, and closes it after the review --------------------------------
    agent.goto(f"/changes/{number}/")
    with agent.expect_navigation():
        agent.locator("#move-implementing button[type=submit]").click()
    expect(agent.locator("#change-state")).to_have_attribute("data-state", "in_progress")
    with agent.expect_navigation():
        agent.locator("#move-review button[type=submit]").click()
    expect(agent.locator("#change-state")).to_have_attribute("data-state", "resolved")
    # Closing without an outcome is refused with the field named.
    with agent.expect_navigation():
        agent.locator("#move-closed button[type=submit]").click()
    expect(agent.locator("#move-closed .ds-error-summary")).to_be_visible()
    agent.locator("#move-closed select[name='move-closed-outcome']").select_option("successful")
    agent.locator("#move-closed textarea[name='move-closed-review_note']").fill("Gikk etter planen.")
    with agent.expect_navigation():
        agent.locator("#move-closed button[type=submit]").click()
    expect(agent.locator("#change-state")).to_have_attribute("data-state", "closed")
    expect(agent.locator("#change-summary")).to_contain_text("Vellykket")
    # The maintenance window now holds the window as carried out.
    expect(agent.locator("#window-table tbody td").nth(2)).not_to_have_text("–")

    assert problems == [], problems
    assert a11y == [], a11y
