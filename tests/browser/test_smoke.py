"""The site comes up in a real browser: pages render with their styles and scripts, and a
visitor can switch the language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_page_shows_the_consortium_with_its_styles_and_scripts(page, world):
    failures = []

    def record_failed_response(response):
        if response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    page.on("pageerror", lambda error: failures.append(f"script error: {error}"))
    page.on("response", record_failed_response)

    response = page.goto("/")
    page.wait_for_load_state("networkidle")

    assert response.ok
    assert "Intercampus" in page.title()
    expect(page.locator("main")).to_contain_text(world.consortium.name)
    assert failures == []


def test_visitor_switches_the_language_to_russian(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.select_option("#language-select", "ru")

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#language-select")).to_have_value("ru")


def test_persona_signs_in_through_the_login_form(page, login, world):
    login(page, world.student.email)

    page.goto("/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
