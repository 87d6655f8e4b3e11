"""Feeling at home, in a real browser, as a new user would go through it:

A KTH student, Astrid, is nominated to TPU. TPU's officer accepts the nomination on the
incoming nominations page, and that starts her arrival journey at TPU: she sees it by phase,
with the registration at the migration authority due seven Russian working days after she
arrives. Before she arrives she asks for a buddy, is matched with a TPU student at once and
reads why they were matched. She registers for TPU's welcome evening, which is full, and is
put on the waitlist; the local student who held the only seat cancels on her own page, and
Astrid's page now says her seat is confirmed.

Everything the people do happens through the pages (clicks and form fills). Only the
starting data is written directly, through the services (never the models), as the people
who would have done it earlier: KTH's placed student and her nomination, TPU's journey
template, TPU's buddy programme with one buddy, and the full welcome evening.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import formats, timezone, translation
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import User
from intercampus.core.testing import user_with_role
from intercampus.events import services as event_services
from intercampus.events.choices import Audience, EventKind, RegistrationStatus
from intercampus.events.models import Event
from intercampus.mobility.models import Nomination
from intercampus.mobility.services import nominations as nomination_services
from intercampus.mobility.tests import test_nominations_factories as mobility
from intercampus.onboarding import workdays
from intercampus.onboarding.clock import host_today
from intercampus.onboarding.models import BuddyMatch, BuddyProgramme, Journey
from intercampus.onboarding.services import buddies as buddy_services
from intercampus.onboarding.tests.journeys_factories import MIGRATION_STEP, make_template

pytestmark = pytest.mark.browser

# As in conftest.py: long enough for a slow machine, short enough to fail soon.
TIMEOUT_MS = 15_000
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
TOMSK = zoneinfo.ZoneInfo("Asia/Tomsk")
# The pages answer in English (the browser asks for en-GB, the site knows "en").
LANGUAGE = "en"

STUDENT = "Astrid Lindqvist"  # the name the mobility builders give the world's KTH student
BUDDY = "Dmitry Volkov"
LOCAL = "Olga Kuznetsova"
PROGRAMME = "TPU Buddy Club"
EVENT = "Welcome evening for newcomers"
# KTH's call is for term 1 of 2027/2028, which starts on 1 September 2027: mobility anchors
# the journey there, and Astrid gives the same day as her arrival.
ARRIVAL = datetime.date(2027, 9, 1)
PHASES = (
    "1. Attractiveness",
    "2. Selection & Application",
    "3. Formalities – First Days",
    "4. Onboarding – First 100 Days",
)


def shown(day: datetime.date) -> str:
    """A date as the templates write it (``|date:"DATE_FORMAT"``, in English)."""
    with translation.override(LANGUAGE):
        return formats.date_format(day, "DATE_FORMAT")


# --- Setting up: what was there before anybody opened a page --------------------------------


@dataclass
class Story:
    nomination: Nomination
    programme: BuddyProgramme
    buddy: User
    local: User
    event: Event


def tpu_student(world, email: str, given: str, family: str) -> User:
    with scopes_disabled():
        user = user_with_role(email, world.tpu, RoleKind.STUDENT)
    user.first_name, user.last_name = given, family
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def story(world) -> Story:
    # KTH's agreement with TPU, KTH's call with a place at TPU and a published allocation
    # that placed the world's KTH student there (the mobility builders); KTH's officer then
    # nominates her to TPU through the mobility service, as the nominations page would.
    _call, _place, application = mobility.kth_placed(world)
    nomination = nomination_services.nomination_create(
        actor=world.kth_officer, application=application
    )

    # TPU's journey template for exchange students (the onboarding services), with the
    # migration-authority step due 7 working days after arrival, only in Russia, and a
    # Swedish step that must not reach a student coming to Russia.
    make_template(world.tpu, world.tpu_officer)

    # TPU's buddy programme (the buddy services), and one local buddy, a TPU student who
    # speaks Russian and English B2 and is around from now until two months after arrival.
    programme = buddy_services.programme_create(
        actor=world.tpu_officer,
        institution=world.tpu,
        name=PROGRAMME,
        campus="Tomsk",
        interest_choices=["hiking", "chess", "jazz", "cooking"],
    )
    buddy = tpu_student(world, "d.volkov@tpu.ru", "Dmitry", "Volkov")
    buddy_services.buddy_signup(
        actor=buddy,
        programme=programme,
        languages={"ru": "C2", "en": "B2"},
        available_from=host_today(world.tpu),
        available_to=ARRIVAL + datetime.timedelta(days=60),
        capacity=2,
        interests=["hiking", "jazz"],
    )

    # TPU's welcome evening, two days after Astrid arrives, with a single seat (the event
    # services); a local TPU student registered first and holds it.
    starts = datetime.datetime(2027, 9, 3, 18, 0, tzinfo=TOMSK)
    event = event_services.event_create(
        actor=world.tpu_officer,
        institution=world.tpu,
        title=EVENT,
        kind=EventKind.INTEGRATION,
        starts=starts,
        ends=starts + datetime.timedelta(hours=3),
        place="TPU main building, assembly hall",
        capacity=1,
        audience=Audience.STUDENTS,
        published=True,
    )
    local = tpu_student(world, "o.kuznetsova@tpu.ru", "Olga", "Kuznetsova")
    seat = event_services.registration_create(actor=local, event=event)
    assert seat.status == RegistrationStatus.CONFIRMED
    return Story(nomination=nomination, programme=programme, buddy=buddy, local=local, event=event)


@pytest.fixture
def open_as(browser, live_server, login, request) -> Iterator[Callable[[User], Page]]:
    """``open_as(user)``: a fresh browser profile for ``user``, signed in through the login
    form. Every person keeps their own window for the whole journey."""
    pages: list[tuple[User, Page]] = []

    def open_as(user: User) -> Page:
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        login(page, user.email)
        pages.append((user, page))
        return page

    yield open_as
    report = getattr(request.node, "rep_call", None)
    for user, page in pages:
        if report is not None and report.failed:
            RESULTS_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", f"{request.node.name}-{user.email}")
            page.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
        page.context.close()


def expect_message(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


# --- 1. TPU accepts the nomination: the journey starts --------------------------------------


def tpu_accepts_the_nomination(tpu: Page) -> None:
    tpu.goto("/i/tpu.ru/mobility/nominations/incoming/")
    row = tpu.locator("main tbody tr", has_text=STUDENT)
    expect(row).to_contain_text("KTH")
    row.locator("form[action$='/accept/'] button[type=submit]").click()
    expect_message(tpu, "The nomination is accepted")
    expect(tpu.locator("hgroup .badge")).to_have_text("Accepted")


def the_journey_started_from_the_nomination(story: Story) -> None:
    """Mobility's hook started the journey, anchored on the first day of the term."""
    with scopes_disabled():
        journey = Journey.objects.get(newcomer=story.nomination.application.student)
    assert journey.reference == str(story.nomination.uuid)
    assert journey.anchor_date == ARRIVAL


# --- 2. The student reads her journey --------------------------------------------------------


def the_student_reads_her_journey(student: Page) -> None:
    """The timeline by phase; the migration step is due seven Russian working days after
    arrival (a weekend in between: not seven calendar days); the Swedish step is not there."""
    due = workdays.add_working_days(ARRIVAL, 7, "RU")
    assert due != ARRIVAL + datetime.timedelta(days=7)

    student.goto("/me/")
    student.locator("main a", has_text="My arrival journey").click()
    expect(student.locator("h1")).to_have_text("My arrival journey")
    journey = student.locator("section.journey")
    expect(journey.locator("h2")).to_have_text("At Tomsk Polytechnic University")
    expect(journey).to_contain_text(f"Arrival or matriculation: {shown(ARRIVAL)}.")
    expect(journey).to_contain_text("0 of 7 steps done.")

    headings = journey.locator("section > h3")
    expect(headings).to_have_count(len(PHASES))
    for heading, phase in zip(headings.all(), PHASES, strict=True):
        expect(heading).to_contain_text(phase)
    expect(journey.locator(".grid-cards article").first).to_contain_text(
        "Explore the programmes taught in English"
    )

    formalities = journey.locator("section", has=student.locator("h3", has_text=PHASES[2]))
    migration = formalities.locator("ol.journey-steps > li", has_text=MIGRATION_STEP)
    expect(migration.locator("header p")).to_have_text(f"Due on {shown(due)}")
    expect(migration.locator("dl")).to_contain_text("Student")
    expect(migration.locator("dl")).to_contain_text("Legal")
    expect(migration.locator("dl")).to_contain_text("Yes")
    expect(journey.get_by_text("Apply for a Swedish personal number")).to_have_count(0)


# --- 3. She asks for a buddy and is matched before arriving ----------------------------------


def the_worker_matches_her(story: Story) -> None:
    """Her acceptance put her in TPU's buddy programme with the languages of her application
    and queued a matching run (never run inside the web request): the task worker runs it."""
    assert not BuddyMatch.objects.filter(programme=story.programme).exists()
    call_command("worker", "--batch", verbosity=0)
    assert BuddyMatch.objects.filter(programme=story.programme).count() == 1


def the_student_asks_for_a_buddy(student: Page) -> None:
    """The worker matched her: before she even opens the page, she has a buddy."""
    student.goto("/me/buddy/")
    expect(student.locator("article[id^=match-] h3")).to_have_text(f"Your buddy: {BUDDY}")


def the_student_reads_why_they_were_matched(student: Page, story: Story) -> None:
    """Her buddy's name, and why: English in common (35 points), her arrival inside his
    availability (15 points); no faculty and, as yet, no interests."""
    match = student.locator("article[id^=match-]")
    expect(match).to_have_count(1)
    expect(match.locator("h3")).to_have_text(f"Your buddy: {BUDDY}")
    expect(match).to_contain_text("d.volkov@tpu.ru")
    expect(match.locator("h4")).to_have_text("Why we matched you")
    reasons = match.locator("ul.reasons > li")
    expect(reasons.filter(has_text="Shared languages")).to_contain_text(
        "(35 points): You both speak English (B1 or better)."
    )
    # Matched at acceptance, before she said what she likes: no interest points yet.
    expect(reasons.filter(has_text="Common interests")).to_contain_text("(0 points)")
    expect(reasons.filter(has_text="Availability")).to_contain_text(
        f"The buddy is available when the newcomer arrives, on {shown(ARRIVAL)}."
    )
    expect(reasons.filter(has_text="Same faculty")).to_contain_text("(0 points)")

    # Matched before she arrives: the day of the match (on TPU's clock) comes before arrival.
    with scopes_disabled():
        made = BuddyMatch.objects.get(programme=story.programme, buddy__user=story.buddy)
    matched_on = timezone.localtime(made.matched_at).date()
    matched_row = match.locator("dl > div", has_text="Matched on")
    expect(matched_row.locator("dd")).to_have_text(shown(matched_on))
    assert host_today(story.programme.institution, made.matched_at) < ARRIVAL
    expect(student.locator("main")).to_contain_text(
        f"Newcomer in {PROGRAMME} (TPU), arriving on {shown(ARRIVAL)}."
    )

    match.locator("button[type=submit]", has_text="Accept").click()
    expect_message(student, "You accepted; we wait for the other side.")


def the_student_is_told_on_her_page(student: Page) -> None:
    student.goto("/me/")
    notices = student.locator("section[aria-labelledby=notices-heading]")
    expect(notices).to_contain_text(f"You have a buddy: {BUDDY}.")


# --- 4. A full welcome evening: the waitlist, then a seat -----------------------------------


def the_student_joins_the_waitlist(student: Page) -> None:
    student.goto("/me/")
    student.locator("main a", has_text="Upcoming integration events").click()
    student.locator("main table a", has_text=EVENT).click()
    expect(student.locator("h1")).to_have_text(EVENT)
    expect(student.locator("dl.facts")).to_contain_text("0 of 1 seats left")
    expect(student.locator("main")).to_contain_text("You register as an international student.")

    student.locator("main form button[type=submit]", has_text="Join the waitlist").click()
    expect_message(student, "The event is full: you are on the waitlist.")
    yours = student.locator("section[aria-labelledby=you-heading]")
    expect(yours.locator(".badge")).to_have_text("Waitlist, number 1")
    expect(student.locator("dl.facts")).to_contain_text("1 person waiting")


def the_local_student_cancels(local: Page, event: Event) -> None:
    local.goto(f"/events/{event.uuid}/")
    yours = local.locator("section[aria-labelledby=you-heading]")
    expect(yours.locator(".badge")).to_have_text("Seat confirmed")
    yours.locator("button[type=submit]", has_text="Cancel my registration").click()
    expect_message(local, "Your registration is cancelled.")


def the_student_has_the_seat(student: Page, story: Story) -> None:
    student.reload()
    yours = student.locator("section[aria-labelledby=you-heading]")
    expect(yours.locator(".badge")).to_have_text("Seat confirmed")
    expect(yours).to_contain_text("You moved up from the waitlist.")
    expect(student.locator("dl.facts")).to_contain_text("0 people waiting")
    # ... and she is told by e-mail.
    student_email = story.nomination.application.student.email
    told = [m for m in mail.outbox if m.to == [student_email] and EVENT in m.subject]
    assert [m.subject for m in told] == [f"You have a seat at {EVENT}"]


# --- The journey ----------------------------------------------------------------------------


def test_a_nominated_student_gets_a_journey_a_buddy_and_a_seat_from_the_waitlist(
    world, story, open_as
):
    tpu = open_as(world.tpu_officer)
    tpu_accepts_the_nomination(tpu)
    the_journey_started_from_the_nomination(story)
    with scopes_disabled():
        the_worker_matches_her(story)

    student = open_as(world.student)
    the_student_reads_her_journey(student)
    the_student_asks_for_a_buddy(student)
    the_student_reads_why_they_were_matched(student, story)
    the_student_is_told_on_her_page(student)

    the_student_joins_the_waitlist(student)
    local = open_as(story.local)
    the_local_student_cancels(local, story.event)
    the_student_has_the_seat(student, story)
