"""The change manager's settings in a browser: the overview, the change types, the templates and the
freeze windows pass axe-core, and a freeze window made through the form shows in the list in Oslo time.
Selectors use URLs, names and ids, not text, so they hold in both languages.
"""

import uuid

from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.test_incidents import watch_console

expect.set_options(timeout=10_000)


def visit(page, path: str, a11y: list, *, status: int = 200) -> None:
    response = page.goto(path)
    assert response.status == status, f"{path}: {response.status}"
    found = serious_violations(page)
    if found:
        a11y.append(f"{path}: " + "; ".join(found))


def test_change_manager_settings(user_page):
    problems: list[str] = []
    a11y: list[str] = []
    manager = user_page("demo.endring")
    watch_console(manager, problems)

    visit(manager, "/changes/settings/", a11y)
    for section in ("types", "templates", "freezes", "maintenance"):
        expect(manager.locator(f"main a[href='/changes/settings/{section}/']")).to_have_count(1)

    visit(manager, "/changes/settings/types/", a11y)
    for kind in ("standard", "normal", "emergency"):
        expect(manager.locator(f"main a[href='/changes/settings/types/{kind}/']")).to_have_count(1)
    visit(manager, "/changes/settings/types/normal/", a11y)
    expect(manager.locator("#id_cab_quorum")).to_be_visible()
    visit(manager, "/changes/settings/types/standard/", a11y)
    # Standard changes are pre-approved: no approval settings, an explanation instead.
    expect(manager.locator("#id_needs_approval")).to_have_count(0)
    expect(manager.locator("main .ds-alert[data-color=info]")).to_be_visible()

    visit(manager, "/changes/settings/templates/", a11y)
    visit(manager, "/changes/settings/templates/new/", a11y)
    code = f"e2e-{uuid.uuid4().hex[:6]}"
    form = manager.locator("main form.sd-form")
    form.locator("#id_code").fill(code)
    form.locator("#id_name_nb").fill("Omstart av utskriftskø")
    form.locator("#id_name_en").fill("Restart the print queue")
    form.locator("input[name=services]").first.check()
    form.locator("#id_implementer_group").select_option(index=1)
    form.locator("#id_implementation_plan").fill("Stopp køen, tøm den og start den igjen.")
    form.locator("#id_backout_plan").fill("Start tjenesten på nytt.")
    form.locator("#id_duration_minutes").fill("15")
    with manager.expect_navigation():
        form.locator("button[type=submit]").click()
    assert manager.url.endswith("/changes/settings/templates/"), manager.url
    row = manager.locator(f"#template-{code}")
    expect(row).to_have_count(1)
    with manager.expect_navigation():
        row.locator("button[type=submit]").click()
    expect(manager.locator(f"#template-{code} input[name=is_active]")).to_have_value("true")
    found = serious_violations(manager)
    if found:
        a11y.append("template list after retiring: " + "; ".join(found))
    visit(manager, f"/changes/settings/templates/{code}/", a11y)
    visit(manager, "/changes/settings/maintenance/", a11y)

    visit(manager, "/changes/settings/freezes/", a11y)
    visit(manager, "/changes/settings/freezes/new/", a11y)
    name = f"Frys {uuid.uuid4().hex[:6]}"
    form = manager.locator("main form.sd-form")
    form.locator("#id_name_nb").fill(name)
    form.locator("#id_name_en").fill(name)
    form.locator("#id_reason").fill("Eksamensuke på skolene.")
    # The end before the start first: the form comes back with the error named and accessible.
    form.locator("#id_start").fill("2027-06-07T08:00")
    form.locator("#id_end").fill("2027-06-01T16:00")
    with manager.expect_response(lambda r: r.request.method == "POST") as refused:
        form.locator("button[type=submit]").click()
    assert refused.value.status == 400
    expect(manager.locator(".ds-error-summary a[href='#id_end']")).to_be_visible()
    expect(manager.locator("#id_end")).to_have_attribute("aria-invalid", "true")
    found = serious_violations(manager)
    if found:
        a11y.append("freeze form with errors: " + "; ".join(found))

    form.locator("#id_end").fill("2027-06-11T16:00")
    with manager.expect_navigation():
        form.locator("button[type=submit]").click()
    assert manager.url.endswith("/changes/settings/freezes/")
    row = manager.locator("tr[id^=freeze-]", has_text=name)
    expect(row).to_have_count(1)
    # Shown in Oslo time, as typed.
    expect(row).to_contain_text("08:00")
    expect(row).to_contain_text("16:00")
    found = serious_violations(manager)
    if found:
        a11y.append("freeze list after saving: " + "; ".join(found))

    assert problems == []
    assert a11y == []
