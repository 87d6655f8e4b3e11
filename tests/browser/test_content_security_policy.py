"""Under the Content-Security-Policy the pages still work: charts draw, the language switcher
submits, and the browser reports no blocked script or style."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def watch_for_violations(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(f"script error: {error}"))
    return violations


def test_the_home_page_draws_its_chart_with_no_policy_violation(page, world):
    violations = watch_for_violations(page)
    page.goto("/")
    page.wait_for_load_state("networkidle")
    drawn = page.evaluate(
        "() => { const c = document.querySelector('canvas[data-chart]');"
        " return !!(c && window.Chart && Chart.getChart(c)); }"
    )
    assert drawn
    assert violations == []


def test_the_language_switcher_still_submits_on_change(page, world):
    violations = watch_for_violations(page)
    page.goto("/")
    page.select_option("#language-select", "fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert violations == []


def test_signed_in_pages_and_the_api_docs_run_with_no_policy_violation(page, login, world):
    violations = watch_for_violations(page)
    login(page, world.tpu_officer.email)
    for path in ["/me/", "/me/tokens/", f"/i/{world.tpu.schac}/", "/api/v1/docs"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    expect(page.locator("#swagger-ui")).to_contain_text("Intercampus")
    assert violations == []
