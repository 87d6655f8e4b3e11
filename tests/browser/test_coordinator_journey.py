"""The foundation's main journey, in a real browser on the demo consortium:

a visitor opens the home page, switches to Russian, signs in as the coordinator at Tomsk
Polytechnic University, adds a meeting with a decision to the Associate Partners Work Group,
and sees both on the group's public page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from intercampus.network.demo.loader import load_demo
from intercampus.network.demo.personas import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

MEETING = "Онлайн-встреча точек доступа, декабрь 2026"
DECISION = "Подготовить общий каталог летних школ ассоциированных партнёров."


@pytest.fixture
def demo(transactional_db, monkeypatch):
    monkeypatch.delenv("INTERCAMPUS_DEMO_PASSWORD", raising=False)
    load_demo()


def test_coordinator_adds_a_meeting_with_a_decision_in_russian(page, demo):
    page.goto("/")
    expect(page.locator("main")).to_contain_text("CLUSTER")

    page.select_option("#language-select", "ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("main")).to_contain_text("Ассоциированные партнёры")

    page.locator("header a[href^='/accounts/login/']").click()
    page.fill("input[name=login]", "coordinator@tpu.demo")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    page.goto("/i/tpu.ru/")
    page.locator("main a[href='/i/tpu.ru/groups/cluster/associate-partners/']").first.click()
    expect(page.locator("h1")).to_contain_text("Associate Partners Work Group")

    page.locator("main details summary").first.click()
    form = page.locator("main details form").first
    form.locator("input[name=title]").fill(MEETING)
    form.locator("input[name=date]").fill("2026-12-10")
    form.locator("input[name=location]").fill("https://meet.example.org/apwg")
    form.locator("textarea[name=decision_text]").fill(DECISION)
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("main")).to_contain_text(MEETING)

    page.goto("/c/cluster/groups/associate-partners/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("main")).to_contain_text(MEETING)
    expect(page.locator("main")).to_contain_text(DECISION)
