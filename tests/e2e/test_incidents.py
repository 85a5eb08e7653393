"""An incident from report to rating, worked by an employee and an agent at the same time in two browsers.

The agent's queue and both ticket pages are live (websocket, htmx out-of-band swaps): rows and replies
must arrive without a reload. With REDIS_URL set the agent uses a second server process, so the
updates cross processes through the Redis channel layer. Selectors use ids, names and data
attributes, not text, so they hold before and after the Norwegian catalogue is regenerated.
"""

import os
import re
import struct
import uuid
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import serious_violations

WIDTHS = [360, 1280]
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder: save full-page screenshots of the checked pages
expect.set_options(timeout=10_000)


def small_png() -> bytes:
    """A real 8×8 PNG (red), built by hand so the upload's content check sees an image."""
    width = height = 8
    raw = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def watch_console(page, problems: list) -> None:
    """Collect what must never appear: CSP refusals and htmx errors (e.g. an out-of-band swap with no target)."""

    def check(message):
        if message.type == "error" and re.search(r"Content Security Policy|htmx:", message.text):
            problems.append(f"{page.url}: {message.text}")

    page.on("console", check)


def wait_until_live(page) -> None:
    """Wait for the page's websocket to be open (servicedesk.js sets data-live on the ws-connect element)."""
    expect(page.locator("[ws-connect]")).to_have_attribute("data-live", "open")


def status(page):
    return page.locator("#ticket-header .sd-state")


def report_incident(page, title: str, description: str) -> str:
    """Fill in the employee's report form with a screenshot; return the new ticket's number."""
    page.goto("/tickets/report/")
    form = page.locator("#report-form")
    form.locator("[name=title]").fill(title)
    form.locator("[name=description]").fill(description)
    form.locator("input[name=affects][value='1']").check()
    form.locator("input[name=attachments]").set_input_files(
        files=[{"name": "skjermbilde.png", "mimeType": "image/png", "buffer": small_png()}]
    )
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    match = re.search(r"/tickets/(INC-\d{4}-\d{6})/$", page.url)
    assert match, f"not on the new ticket's page: {page.url}"
    return match.group(1)


def submit_reply(page, text: str, *, internal: bool = False) -> None:
    form = page.locator("#reply-form")
    form.locator("[name=body]").fill(text)
    if internal:
        form.locator("[name=internal]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def change_status(page, to: str, **fields: str) -> None:
    """Use the agent's status form (htmx: the ticket's main part is swapped, no page load)."""
    form = page.locator("#status-form")
    form.locator("[name=to]").select_option(to)
    for name, value in fields.items():
        control = form.locator(f"[name={name}]")
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    with page.expect_response(lambda r: r.url.endswith("/status/") and r.request.method == "POST"):
        form.locator("button[type=submit]").click()


def test_incident_from_report_to_rating_live(user_page, live_url, agent_url):
    if os.environ.get("REDIS_URL"):
        # The live updates must cross processes: the agent is served by the second server.
        assert agent_url != live_url
    problems: list[str] = []
    tag = uuid.uuid4().hex[:8]
    title = f"Skjermen flimrer {tag}"
    secret = f"Intern merknad {tag}: sjekk driveren"
    answer = f"Hei! Har du prøvd en annen kabel? {tag}"
    employee_answer = f"Ja, det hjelper ikke. {tag}"

    agent = user_page("demo.agent", base_url=agent_url)
    employee = user_page("demo.ansatt")
    for page in (agent, employee):
        watch_console(page, problems)
    agent_name = agent.locator(".sd-user__link").inner_text().strip()

    # The agent watches the unassigned queue of their groups before anything is reported.
    agent.goto("/tickets/queue/unassigned/")
    wait_until_live(agent)

    number = report_incident(employee, title, "Skjermen **flimrer** når jeg åpner sakssystemet.")
    expect(employee.locator(".sd-messages")).to_contain_text(number)
    expect(status(employee)).to_have_attribute("data-state", "new")
    expect(employee.locator("#timeline .sd-attachments")).to_contain_text("skjermbilde.png")

    # The new row arrives in the agent's open queue without a reload, first in the table.
    rows = agent.locator("#queue-rows")
    expect(rows).to_contain_text(number)
    row = rows.locator("tr", has_text=number)
    expect(row).to_contain_text(title)
    expect(rows.locator("tr").first).to_contain_text(number)
    expect(agent.locator("#queue-live")).to_contain_text(number)
    expect(agent.locator(".sd-queue-empty")).to_be_hidden()

    # The agent opens it, sees the screenshot, and assigns it to themself.
    with agent.expect_navigation():
        row.get_by_role("link", name=number).click()
    wait_until_live(agent)
    link = agent.locator("#timeline .sd-attachments a", has_text="skjermbilde.png")
    download = agent.request.get(link.get_attribute("href"))
    assert download.ok and download.body() == small_png()

    fields = agent.locator("#fields-form")
    fields.locator("[name=assignee]").select_option(label=agent_name)
    with agent.expect_response(lambda r: r.url.endswith("/fields/") and r.request.method == "POST"):
        fields.locator("button[type=submit]").click()
    expect(status(agent)).to_have_attribute("data-state", "assigned")
    expect(agent.locator("#ticket-header")).to_contain_text(agent_name)

    # An internal note, then a public reply; then the agent waits for the requester.
    wait_until_live(employee)
    submit_reply(agent, secret, internal=True)
    expect(agent.locator("#timeline .sd-event[data-type=note][data-public=false]")).to_contain_text(secret)
    submit_reply(agent, answer)
    wait_until_live(agent)
    change_status(agent, "pending", pending_reason="requester")
    expect(status(agent)).to_have_attribute("data-state", "pending")

    # The employee, who kept the ticket open, sees the reply and the new status arrive by themselves,
    # but never the internal note.
    expect(employee.locator("#timeline")).to_contain_text(answer)
    expect(employee.locator("#ticket-live")).not_to_be_empty()  # announced to screen readers
    expect(status(employee)).to_have_attribute("data-state", "pending")
    expect(employee.locator("#timeline")).not_to_contain_text(secret)
    assert employee.locator("#timeline .sd-event[data-public=false]").count() == 0

    # The employee answers; the ticket goes back to in progress, and the agent's page says so live.
    submit_reply(employee, employee_answer)
    expect(status(employee)).to_have_attribute("data-state", "in_progress")
    expect(status(agent)).to_have_attribute("data-state", "in_progress")
    expect(agent.locator("#timeline")).to_contain_text(employee_answer)
    expect(agent.locator("#ticket-stale")).to_be_visible()

    # The agent reloads (the warning asks for it) and resolves it with a code and a note.
    agent.reload()
    wait_until_live(agent)
    change_status(
        agent, "resolved", resolution_code="solved", resolution_note=f"Ny skjermkabel montert. {tag}"
    )
    expect(status(agent)).to_have_attribute("data-state", "resolved")
    expect(status(employee)).to_have_attribute("data-state", "resolved")

    # The employee confirms the resolution and rates the help.
    employee.reload()
    expect(employee.locator("#resolution-heading")).to_be_visible()
    expect(employee.locator(".sd-ticket-side")).to_contain_text(f"Ny skjermkabel montert. {tag}")
    with employee.expect_navigation():
        employee.locator("#confirm-form button[type=submit]").click()
    expect(status(employee)).to_have_attribute("data-state", "closed")
    expect(employee.locator("#reply-form")).to_have_count(0)
    rating = employee.locator("#rating-form")
    rating.locator("input[name=score][value='5']").check()
    rating.locator("[name=comment]").fill(f"Rask og hyggelig hjelp. {tag}")
    with employee.expect_navigation():
        rating.locator("button[type=submit]").click()
    result = employee.locator("#rating-result")
    expect(result).to_have_attribute("data-score", "5")
    expect(result).to_contain_text("5")
    expect(result).to_contain_text(f"Rask og hyggelig hjelp. {tag}")
    expect(status(employee)).to_have_attribute("data-state", "closed")

    # The agent's page followed along: closed, with the rating in the timeline.
    expect(status(agent)).to_have_attribute("data-state", "closed")
    expect(agent.locator("#timeline .sd-event[data-type=rating]")).to_contain_text(
        f"Rask og hyggelig hjelp. {tag}"
    )
    for page in (agent, employee):
        ids = page.locator("#timeline > li").evaluate_all("items => items.map(item => item.id)")
        assert len(ids) == len(set(ids)), f"an entry is shown twice: {ids}"

    # The closed page with the rating passes axe too; and the case is closed in the employee's list.
    findings: dict[str, list[str]] = {}
    _check(employee, "ticket-employee-closed", findings)
    employee.goto("/tickets/mine/")
    card = employee.locator(".sd-ticket-list > li", has_text=number)
    expect(card.locator(".sd-state")).to_have_attribute("data-state", "closed")
    assert findings == {}, findings
    assert problems == [], problems


@pytest.mark.parametrize("who", ["two agents", "one agent in two tabs"])
def test_second_save_of_a_stale_ticket_gets_the_conflict_message(user_page, who):
    first = user_page("demo.agent")
    # Register a call for the employee, so that this test has a ticket of its own.
    first.goto("/tickets/call/")
    first.locator("[name=requester]").fill("demo.ansatt")
    first.locator("[name=title]").fill(f"Skriveren skriver ikke {uuid.uuid4().hex[:6]}")
    first.locator("[name=description]").fill("Ringte inn: skriveren i 2. etasje svarer ikke.")
    with first.expect_navigation():
        first.locator("main form button[type=submit]").click()
    assert re.search(r"/tickets/INC-\d{4}-\d{6}/$", first.url), first.url
    second = user_page("demo.gruppeleder") if who == "two agents" else user_page(context=first.context)
    second.goto(first.url)
    wait_until_live(first)
    wait_until_live(second)
    if who == "two agents":
        # Each agent sees that the other has the ticket open.
        expect(first.locator("#ticket-viewers")).to_contain_text("Anders Fjeldstad")
        expect(second.locator("#ticket-viewers")).to_contain_text("Sofie Lindqvist")

    def save(page) -> None:
        with page.expect_response(lambda r: r.url.endswith("/fields/") and r.request.method == "POST"):
            page.locator("#fields-form button[type=submit]").click()

    # The first page changes the title and saves: fine.
    new_title = "Skriveren i 2. etasje er frakoblet"
    first.locator("#fields-form [name=title]").fill(new_title)
    save(first)
    expect(first.locator("#conflict")).to_have_count(0)
    expect(first.locator("#ticket-header h1")).to_contain_text(new_title)
    # The second page, opened before that, gets the new heading live (and, if another agent made the
    # change, a warning) …
    expect(second.locator("#ticket-header h1")).to_contain_text(new_title)
    if who == "two agents":
        expect(second.locator("#ticket-stale .ds-alert")).to_be_visible()

    # … and its save (of another field) is refused instead of silently undoing the first change.
    second.locator("#fields-form [name=category]").select_option("network")
    save(second)
    conflict = second.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_have_attribute("role", "alert")
    _screenshot(second, f"conflict-{who.replace(' ', '-')}")
    expect(second.locator("#ticket-stale")).to_be_empty()  # the forms are current again
    expect(second.locator("#ticket-header h1")).to_contain_text(new_title)
    # The form now shows the ticket as it is, so making the change again works and keeps the title.
    expect(second.locator("#fields-form [name=title]")).to_have_value(new_title)
    expect(second.locator("#fields-form [name=category]")).not_to_have_value("network")
    second.locator("#fields-form [name=category]").select_option("network")
    save(second)
    expect(second.locator("#conflict")).to_have_count(0)
    expect(second.locator("#fields-form [name=category]")).to_have_value("network")
    expect(second.locator("#fields-form [name=title]")).to_have_value(new_title)


def _screenshot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _check(page, name: str, problems: dict) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(50)
        found = serious_violations(page)
        if not _no_horizontal_scroll(page):
            found.append("page scrolls sideways")
        duplicates = page.evaluate(
            "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
            " return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))]; }"
        )
        if duplicates:
            found.append(f"ids used more than once: {duplicates}")
        if found:
            problems[f"{name} @ {width}px"] = found
        _screenshot(page, f"{name}-{width}")


def test_ticket_pages_pass_axe(user_page):
    """The report form, my cases, the queue and both sides of a ticket, open and resolved, at both widths."""
    employee = user_page("demo.ansatt")
    agent = user_page("demo.agent")
    problems: dict[str, list[str]] = {}

    employee.goto("/tickets/report/")
    _check(employee, "report", problems)
    number = report_incident(
        employee, f"Teams starter ikke {uuid.uuid4().hex[:6]}", "Teams henger ved oppstart."
    )
    agent.goto(f"/tickets/{number}/")
    submit_reply(agent, "Intern: kan være samme feil som i går.", internal=True)
    submit_reply(agent, "Vi ser på det. Prøv å starte PC-en på nytt i mellomtiden.")
    _check(agent, "ticket-agent-open", problems)
    agent.goto("/tickets/queue/unassigned/")
    expect(agent.locator("#queue-rows")).to_contain_text(number)
    _check(agent, "queue-unassigned", problems)
    employee.goto("/tickets/mine/")
    _check(employee, "my-cases", problems)
    employee.goto(f"/tickets/{number}/")
    _check(employee, "ticket-employee-open", problems)

    agent.goto(f"/tickets/{number}/")
    change_status(agent, "resolved", resolution_code="guidance", resolution_note="Omstart løste det.")
    expect(status(agent)).to_have_attribute("data-state", "resolved")
    _check(agent, "ticket-agent-resolved", problems)
    employee.reload()
    _check(employee, "ticket-employee-resolved", problems)
    assert problems == {}, problems
