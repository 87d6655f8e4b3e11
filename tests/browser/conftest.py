"""Browser test fixtures: Debian's Chromium driven by Playwright against pytest-django's
live server.

Reuse them in any test under tests/browser/:

    @pytest.mark.browser
    def test_secretariat_adds_a_member(page, login, world):
        login(page, world.secretariat.email)
        page.goto("/i/kuleuven.be/...")

``page`` opens on the live server (``page.goto("/")`` is its home page); the database is
transactional, so data that a test creates (``world``, factories) is visible to the server.
When a test fails, a screenshot is saved in test-results/<test name>.png.

Chromium comes from Debian (``apt-get install chromium``), never from ``playwright install``.
Without /usr/bin/chromium the tests are skipped, unless INTERCAMPUS_REQUIRE_BROWSER=1 (as in
CI), which makes them fail instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from intercampus.core.testing import PASSWORD

# Playwright's sync API keeps an asyncio event loop in the main thread; Django would otherwise
# refuse ORM calls from fixtures and tests ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("INTERCAMPUS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Long enough for a slow CI machine, short enough that a missing element fails the test soon.
TIMEOUT_MS = 15_000
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


def _browser_unavailable(reason: str) -> None:
    if os.environ.get("INTERCAMPUS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (INTERCAMPUS_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the whole test session."""
    if not CHROMIUM.exists():
        _browser_unavailable(f"{CHROMIUM} not found: apt-get install chromium")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _browser_unavailable("the playwright package is not installed: pip install -e '.[test]'")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server) -> Iterator:
    """A fresh browser profile (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context, request) -> Iterator:
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        page.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
    page.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keeps each phase's report on the test item, so that `page` can tell a failed test.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form (allauth: fields ``login`` and ``password``)."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def login() -> Callable[..., None]:
    """``login(page, email, password=PASSWORD)``: sign in as a persona before the test acts."""
    return sign_in
