"""The SLA where agents and employees see it: the "breaching soon" queue with its due column (state in
words and an icon, not colour alone), the ticket page's SLA panel with both clocks and the log of how each
due time was reached, and the employee's plain-words aim. axe-core checks each page."""

import re

from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.test_incidents import report_incident, watch_console

expect.set_options(timeout=10_000)


def test_breaching_soon_queue_and_the_sla_panel(user_page):
    problems: list[str] = []
    agent = user_page("demo.agent")
    watch_console(agent, problems)
    agent.goto("/tickets/queue/breaching/")
    assert serious_violations(agent) == []
    rows = agent.locator("#queue-table tbody tr[id^=ticket-row-]")
    # The demo history has open tickets past their warning level.
    expect(rows.first).to_be_visible()
    first_state = rows.first.locator(".sd-sla").first
    expect(first_state).to_have_attribute("data-sla", re.compile("breached|soon"))
    # The state is in the text, not in a colour alone.
    expect(first_state).to_contain_text(re.compile("Brutt|Snart"))
    link = rows.first.locator("a.ds-link").first
    number = link.inner_text()
    with agent.expect_navigation():
        link.click()
    panel = agent.locator("#sla-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("#sla-response")).to_be_visible()
    expect(panel.locator("#sla-resolution progress")).to_have_attribute("max", "100")
    resolution_log = panel.locator("#sla-resolution details")
    resolution_log.locator("summary").click()
    expect(resolution_log.locator("tbody tr").first).to_contain_text("Startet")
    assert serious_violations(agent) == []
    assert number.startswith(("INC-", "REQ-"))
    assert problems == [], problems


def test_the_employee_reads_the_aims_in_plain_words(user_page):
    employee = user_page("demo.ansatt")
    number = report_incident(employee, "Skriveren på lærerværelset", "Den skriver bare blanke ark.")
    employee.goto(f"/tickets/{number}/")
    summary = employee.locator(".sd-ticket-summary")
    # When we aim to answer and to solve it, said as a day and a time ("torsdag 14:00").
    expect(summary).to_contain_text("Vi tar sikte på å svare innen")
    expect(summary).to_contain_text(re.compile(r"løse saken innen.*\d\d:\d\d", re.S))
    # No clock log for the employee.
    expect(employee.locator("#sla-panel")).to_have_count(0)
    assert serious_violations(employee) == []
