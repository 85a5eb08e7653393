"""Demo logins land on their role's page; the pages pass axe in both languages at phone and desktop width."""

import re

import pytest

from tests.e2e.axe import serious_violations

WIDTHS = [360, 1280]


def test_employee_signs_in_and_lands_in_the_portal(page, login):
    login("demo.ansatt")
    assert page.url.endswith("/portal/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hei")
    assert page.get_by_role("heading", name="Våre tjenester").is_visible()
    # The employee has no way into the agents' workspace.
    response = page.goto("/workspace/")
    assert response.status == 403


def test_agent_signs_in_and_lands_in_the_workspace(page, login):
    login("demo.agent")
    assert page.url.endswith("/workspace/")
    assert page.get_by_role("heading", level=1, name="Arbeidsflate").is_visible()
    assert (
        page.get_by_role("navigation", name="Hovedmeny")
        .get_by_role("link", name="Arbeidsflate")
        .get_attribute("aria-current")
        == "page"
    )


def test_wrong_password_is_explained(page):
    page.goto("/login/")
    page.get_by_label("Brukernavn").fill("demo.ansatt")
    page.get_by_label("Passord").fill("feil-passord")
    page.get_by_role("button", name="Logg inn").click()
    assert page.get_by_role("alert").is_visible()
    assert page.url.endswith("/login/")


def test_language_switch_to_english_and_back(page, login):
    login("demo.ansatt")
    with page.expect_navigation():  # the select submits its form; wait for that page, not the old one
        page.get_by_label("Språk").select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Our services").is_visible()
    with page.expect_navigation():  # the select submits its form; wait for that page, not the old one
        page.get_by_label("Language").select_option("nb")
    assert page.locator("html").get_attribute("lang") == "nb"


def test_skip_link_moves_focus_to_main(page, login):
    login("demo.ansatt")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hopp til hovedinnholdet")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("username", ["demo.ansatt", "demo.agent"])
def test_pages_pass_axe(page, login, username, language):
    login(username)
    if language == "en":
        with page.expect_navigation():  # the select submits its form; wait for that page, not the old one
            page.get_by_label("Språk").select_option("en")
    pages = ["/", "/me/"]
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in pages:
            page.goto(path)
            found = serious_violations(page)
            if not _no_horizontal_scroll(page):
                found.append("page scrolls sideways")
            if found:
                problems[f"{path} @ {width}px"] = found
    # The sign-in page, seen signed out.
    page.context.clear_cookies()
    if language == "en":
        page.context.add_cookies(
            [{"name": "django_language", "value": "en", "domain": "127.0.0.1", "path": "/"}]
        )
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/login/")
        assert page.locator("html").get_attribute("lang") == language
        found = serious_violations(page)
        if not _no_horizontal_scroll(page):
            found.append("page scrolls sideways")
        if found:
            problems[f"/login/ @ {width}px"] = found
    assert problems == {}, problems


def test_no_inline_script_is_blocked_by_the_policy(page, login):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    login("demo.ansatt")
    page.goto("/me/")
    assert not [m for m in messages if re.search("Content Security Policy", m)], messages
