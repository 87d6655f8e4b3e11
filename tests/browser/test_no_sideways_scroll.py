"""No key page is wider than the screen, for any role, on a phone (390 px) or a laptop
(1366 px): the navigation wraps, tables scroll inside their own box, long ids wrap.

The pages are those of the demo consortium (loaded once for the test): the data people meet,
with real names, long titles and ids. One test for every role, so the demo loads once; the
failure lists every page that scrolls sideways and the elements that stick out.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

pytestmark = pytest.mark.browser

VIEWPORTS = [(390, 844), (1366, 768)]
# The demo's accounts are created with it when INTERCAMPUS_DEMO_PASSWORD is not set.
DEMO_PASSWORD = "intercampus-demo"

# The page's width against the window's, and the outermost elements that stick out (those
# inside a box that scrolls or clips do not widen the page).
OVERFLOW = """() => {
  const width = window.innerWidth;
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1 && !clipped(el)) {
      const classes = typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes}`
        + ` (right edge ${Math.round(box.right)} px)`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, offenders: out.slice(0, 5)};
}"""


def _demo_pages() -> dict[str, tuple[str | None, list[str]]]:
    """For each role: who signs in (None: a visitor) and the key pages they use."""
    from intercampus.events.models import Event
    from intercampus.mobility.choices import CallStatus
    from intercampus.mobility.models import Agreement, Application, Call, Nomination
    from intercampus.network.models import Meeting, Project
    from intercampus.onboarding.models import BuddyProgramme, Journey

    with scopes_disabled():
        event = Event.objects.filter(institution__schac="tpu.ru").order_by("starts").first()
        project = Project.objects.order_by("slug").first()
        # The open call at TPU, and KTH's showcase call with published results.
        tpu_call = Call.objects.filter(owner__schac="tpu.ru").order_by("opens_at").first()
        kth_call = (
            Call.objects.filter(owner__schac="kth.se", status=CallStatus.RESULTS_PUBLISHED)
            .order_by("opens_at")
            .first()
        )
        agreement = Agreement.objects.filter(owner__schac="kth.se").order_by("iia_code").first()
        nomination = Nomination.objects.filter(home__schac="kth.se").order_by("pk").first()
        placed = Application.objects.get(student__email="student@kth.demo", state="placed")
        draft = Application.objects.filter(state="draft").select_related("student").first()
        meeting = Meeting.objects.filter(work_group__slug="associate-partners").first()
        journey = Journey.objects.filter(institution__schac="tpu.ru").first()
        programme = BuddyProgramme.objects.filter(institution__schac="tpu.ru").first()

    def staff(name: str, schac: str, **kwargs) -> str:
        return reverse(f"staff:{name}", kwargs={"institution": schac, **kwargs})

    group = {"slug": "cluster", "group": "associate-partners"}
    return {
        "visitor": (
            None,
            [
                "/",
                reverse("network:institutions"),
                reverse("network:institution", kwargs={"schac": "tpu.ru"}),
                reverse("network:consortium", kwargs={"slug": "cluster"}),
                reverse("network:work_group", kwargs=group),
                reverse("network:project", kwargs={"slug": project.slug}),
                reverse("events:list"),
                reverse("events:detail", kwargs={"event": event.uuid}),
                reverse("account_login"),
                reverse("account_signup"),
            ],
        ),
        "student": (
            "student@kth.demo",
            [
                reverse("me:home"),
                reverse("mobility:home"),
                reverse("mobility:application", kwargs={"application": placed.uuid}),
                reverse("journey:home"),
                reverse("buddy:home"),
                reverse("my_events:list"),
            ],
        ),
        "student with a draft": (
            draft.student.email,
            [
                reverse("mobility:call", kwargs={"call": tpu_call.uuid}),
                reverse("mobility:application", kwargs={"application": draft.uuid}),
            ],
        ),
        "officer": (
            "iro@kth.demo",
            [
                staff("home", "kth.se"),
                staff("agreements", "kth.se"),
                staff("agreement_detail", "kth.se", agreement=agreement.uuid),
                staff("agreement_create", "kth.se"),
                staff("calls", "kth.se"),
                staff("call", "kth.se", call=kth_call.uuid),
                staff("applications", "kth.se", call=kth_call.uuid),
                staff("allocation_runs", "kth.se", call=kth_call.uuid),
                staff("nominations", "kth.se"),
                staff("nomination", "kth.se", nomination=nomination.uuid),
                staff("mobility_report", "kth.se"),
                staff("headcounts", "kth.se"),
                staff("people", "kth.se"),
                staff("audit", "kth.se"),
            ],
        ),
        "host officer": (
            "iro@tpu.demo",
            [
                staff("nominations_incoming", "tpu.ru"),
                staff("events", "tpu.ru"),
                staff("event_registrations", "tpu.ru", event=event.uuid),
                staff("journey_dashboard", "tpu.ru"),
                staff("journey_detail", "tpu.ru", journey=journey.uuid),
                staff("buddy_programmes", "tpu.ru"),
                staff("buddy_programme", "tpu.ru", programme=programme.uuid),
                staff("buddy_matches", "tpu.ru", programme=programme.uuid),
            ],
        ),
        "coordinator": (
            "coordinator@tpu.demo",
            [
                staff("work_group", "tpu.ru", consortium="cluster", group="associate-partners"),
                staff(
                    "meeting",
                    "tpu.ru",
                    consortium="cluster",
                    group="associate-partners",
                    meeting=meeting.uuid,
                ),
            ],
        ),
        "secretariat": (
            "secretariat@cluster.demo",
            [
                staff("consortium", "kuleuven.be", slug="cluster"),
                staff("work_groups", "kuleuven.be", slug="cluster"),
                staff("work_group_manage", "kuleuven.be", **group),
                staff("projects", "kuleuven.be", slug="cluster"),
                staff("project", "kuleuven.be", slug="cluster", project=project.slug),
            ],
        ),
    }


@pytest.fixture
def demo(monkeypatch):
    from intercampus.network.demo.loader import load_demo

    monkeypatch.delenv("INTERCAMPUS_DEMO_PASSWORD", raising=False)
    load_demo()
    return _demo_pages()


def _sideways(page, urls: list[str]) -> list[str]:
    found = []
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        for url in urls:
            response = page.goto(url)
            assert response.ok, f"{url}: {response.status}"
            seen = page.evaluate(OVERFLOW)
            if seen["scrollWidth"] > seen["width"]:
                found.append(
                    f"{url} at {width} px is {seen['scrollWidth']} px wide: "
                    + "; ".join(seen["offenders"])
                )
    return found


def test_no_key_page_scrolls_sideways_for_any_role(browser, live_server, demo, login):
    failures = []
    for role, (email, urls) in demo.items():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        page = context.new_page()
        if email:
            login(page, email, DEMO_PASSWORD)
        failures += [f"{role}: {line}" for line in _sideways(page, urls)]
        context.close()

    assert failures == [], "\n".join(failures)
