"""An order from the catalogue to the colleague's equipment list, in four browsers.

The demo employee finds a laptop by searching the catalogue, answers its questions, puts it in the cart
(htmx: no page load) and orders it for a colleague; the colleague's manager approves it in the approval
list (htmx, in place); the service desk agent starts fulfilment, picks it from stock and delivers it with
an asset tag; the colleague then finds it under "My equipment". axe-core checks every page on the way.
Selectors use ids, names, URLs and data attributes, not text, so they hold in both languages.
"""

import datetime as dt
import re
import uuid

from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.test_incidents import watch_console

expect.set_options(timeout=10_000)
LAPTOP = "pc-standard"


def assert_accessible(page, problems: list) -> None:
    found = serious_violations(page)
    if found:
        problems.append(f"{page.url}: " + "; ".join(found))


def mark(page) -> None:
    """Leave a marker in the page's JavaScript state: a full page load would wipe it."""
    page.evaluate("window.__marker = 1")


def assert_no_reload(page) -> None:
    assert page.evaluate("window.__marker") == 1, f"{page.url} was reloaded"


def test_order_from_catalogue_to_my_equipment(user_page, demo_colleague):
    problems: list[str] = []
    a11y: list[str] = []
    tag = f"EK-2026-9{uuid.uuid4().int % 10000:04d}"
    serial = f"5CGE2E{uuid.uuid4().hex[:6].upper()}"

    # --- The employee: search, answer, cart, checkout for a colleague -----------------------------
    employee = user_page("demo.ansatt")
    watch_console(employee, problems)
    employee.goto("/catalogue/")
    assert_accessible(employee, a11y)
    mark(employee)
    expect(employee.locator("#results a[href='/catalogue/items/iphone/']")).to_have_count(1)
    employee.locator("#id_q").fill("bærbar")
    # The results are swapped in by htmx as the employee types: the phones go, the laptops stay.
    expect(employee.locator("#results a[href='/catalogue/items/iphone/']")).to_have_count(0)
    link = employee.locator(f"#results a[href='/catalogue/items/{LAPTOP}/']")
    expect(link).to_be_visible()
    expect(employee).to_have_url(re.compile(r"/catalogue/\?(.*&)?q=b"))
    assert_no_reload(employee)
    with employee.expect_navigation():
        link.click()
    assert employee.url.endswith(f"/catalogue/items/{LAPTOP}/")
    assert_accessible(employee, a11y)

    form = employee.locator("#order-form form")
    form.locator("input[name='answer-tastatur'][value='nb']").check()
    form.locator("input[name='answer-ekstra-lader'][value='yes']").check()
    wanted = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    form.locator("input[name='answer-leveringsdato']").fill(wanted)
    mark(employee)
    with employee.expect_response(
        lambda r: "/orders/cart/add/" in r.url and r.request.method == "POST"
    ) as added:
        form.locator("button[type=submit]").click()
    assert added.value.status == 200
    expect(employee.locator("#order-form .ds-alert[data-color=success]")).to_be_visible()
    # The cart badge in the menu follows the cartChanged event.
    expect(employee.locator("#cart-badge .sd-state")).to_be_visible()
    assert_no_reload(employee)

    employee.goto("/orders/cart/")
    lines = employee.locator("#cart-lines li[id^=cart-line-]")
    expect(lines).to_have_count(1)
    assert_accessible(employee, a11y)
    checkout = employee.locator("#checkout-form")
    checkout.locator("input[name=for_whom][value=colleague]").check()
    checkout.locator("input[name=recipient-search]").fill(demo_colleague["username"])
    choice = checkout.locator(f"#recipient-person-{demo_colleague['pk']}")
    expect(choice).to_be_visible()
    choice.check()
    checkout.locator("[name=justification]").fill(
        "Ny bærbar til hjemmetjenesten: den gamle PC-en er for treg."
    )
    with employee.expect_navigation():
        checkout.locator("button[type=submit]").click()
    match = re.search(r"/orders/(ORD-\d{4}-\d{6})/$", employee.url)
    assert match, f"not on the new order's page: {employee.url}"
    number = match.group(1)
    assert_accessible(employee, a11y)

    employee.goto("/orders/")
    expect(employee.locator(f"#order-{number}")).to_be_visible()
    expect(employee.locator(f"#order-{number} .sd-state")).to_have_count(1)
    assert_accessible(employee, a11y)

    # --- The colleague's manager approves in the list -----------------------------------------------
    manager = user_page("demo.leder")
    watch_console(manager, problems)
    manager.goto("/approvals/")
    card = manager.locator("li[id^=approval-]", has_text=number)
    expect(card).to_have_count(1)
    assert_accessible(manager, a11y)
    card_id = card.get_attribute("id")
    mark(manager)
    with manager.expect_response(
        lambda r: r.url.endswith("/decide/") and r.request.method == "POST"
    ) as decided:
        card.locator("button[type=submit][value=approved]").click()
    assert decided.value.status == 200
    decided_card = manager.locator(f"#{card_id}")
    expect(decided_card.locator(".sd-state[data-state=resolved]")).to_be_visible()
    expect(decided_card.locator("form")).to_have_count(0)
    assert_no_reload(manager)

    # --- The service desk picks it from stock and delivers it with an asset tag ------------------------
    agent = user_page("demo.agent")
    watch_console(agent, problems)
    agent.goto("/fulfilment/")
    row = agent.locator("#fulfilment-grid tr[id^=fulfil-]", has_text=number)
    expect(row).to_have_count(1)
    assert_accessible(agent, a11y)
    with agent.expect_navigation():
        row.locator("a").first.click()
    work = agent.locator("#work")
    assert_accessible(agent, a11y)
    mark(agent)

    def act(selector: str) -> None:
        with agent.expect_response(lambda r: r.request.method == "POST" and "/fulfilment/" in r.url) as done:
            work.locator(selector).click()
        assert done.value.status == 200, f"{selector}: {done.value.status}"

    act("form[action$='/start/'] button[type=submit]")
    expect(work.locator("form[action$='/pick/']")).to_be_visible()
    act("form[action$='/pick/'] button[type=submit]")
    expect(work.locator("form[action$='/pick/']")).to_have_count(0)
    # Equipment is configured before it is handed over.
    act("form[action*='/tasks/'] button[type=submit]")
    expect(work.locator("form[action*='/tasks/']")).to_have_count(0)
    deliver = work.locator("form[action$='/deliver/']")
    deliver.locator("[name=asset_tag_0]").fill(tag)
    deliver.locator("[name=serial_number_0]").fill(serial)
    act("form[action$='/deliver/'] button[type=submit]")
    expect(work).to_contain_text(tag)
    expect(work.locator("form[action$='/close/']")).to_be_visible()
    assert_no_reload(agent)

    # --- The colleague finds it under My equipment --------------------------------------------------
    colleague = user_page(demo_colleague["username"])
    watch_console(colleague, problems)
    colleague.goto("/catalogue/my-equipment/")
    card = colleague.locator("li[id^=asset-]", has_text=tag)
    expect(card).to_have_count(1)
    expect(card).to_contain_text(serial)
    expect(card.locator(f"a[href='/assets/{tag}/']")).to_have_count(1)
    assert_accessible(colleague, a11y)

    assert problems == [], problems
    assert a11y == [], "\n".join(a11y)
