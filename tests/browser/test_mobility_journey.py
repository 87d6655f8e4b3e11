"""Student mobility from end to end, in a real browser, as new users would go through it:

TPU's officer proposes an agreement to KTH; KTH's officer creates KTH's copy from it, sees
the difference TPU's later change makes, fixes it and approves, and TPU approves back. TPU
opens a call, derives its places from the agreement and keeps one seat at KTH; three TPU
students apply, one of them with a choice they are not eligible for and told why. Once the
call has closed, TPU runs and publishes the allocation; the student left without a place
sees the cut-off next to their own score. TPU nominates the placed student, KTH accepts,
and the student's page says so.

Everything happens through the pages (clicks and form fills). Only the starting data (the
small world and three students) and the clock (the call's closing time) are set directly.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import User
from intercampus.core.testing import user_with_role
from intercampus.mobility.models import Call

pytestmark = pytest.mark.browser

AGREEMENT = "TPU-KTH-2026"
KTH_CODE = "KTH-TPU-2026"
CALL = "Exchange semester at partners 2027/2028"
YEAR = "2027/2028"
# As in conftest.py: long enough for a slow machine, short enough to fail soon.
TIMEOUT_MS = 15_000
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"

# The call weighs grades 60 %, language 20 %, committee 20 % (the form's defaults); nobody is
# scored by the committee, and the best CEFR level counts C1 = 83.33, B2 = 66.67 points.
ANNA_SCORE = "70.67"  # grade 90, English C1: 0.6 × 90 + 0.2 × 83.33
BORIS_SCORE = "64.33"  # grade 85, English B2: 0.6 × 85 + 0.2 × 66.67


# --- Setting up: the small world, three TPU students, one browser per person ---------------


@pytest.fixture
def students(world) -> dict[str, User]:
    """Three students of TPU, named so that the pages are easy to read."""
    people = {}
    for key, first, last in (
        ("anna", "Anna", "Petrova"),
        ("boris", "Boris", "Ivanov"),
        ("vera", "Vera", "Sokolova"),
    ):
        with scopes_disabled():
            user = user_with_role(f"{key}@student.tpu.ru", world.tpu, RoleKind.STUDENT)
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
        people[key] = user
    return people


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


def submit(page: Page) -> None:
    """Submit the one form of the page's main content."""
    page.locator("main form button[type=submit]").click()


def expect_message(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


# --- 1. TPU proposes an agreement to KTH ----------------------------------------------------


def fill_condition(
    page: Page, *, sending: str, receiving: str, mobilities: str, language_level: str
) -> None:
    """Fill the cooperation condition form: student studies in ISCED 0714 (electronics and
    automation), master level (EQF 7), in English, 2026/2027 to 2028/2029."""
    page.select_option("select[name=mobility_type]", "student-studies")
    page.select_option("select[name=sending_hei_id]", sending)
    page.select_option("select[name=receiving_hei_id]", receiving)
    page.fill("input[name=first_academic_year]", "2026/2027")
    page.fill("input[name=last_academic_year]", "2028/2029")
    page.fill("input[name=mobilities_per_year]", mobilities)
    page.fill("input[name=total_months_per_year]", str(5 * int(mobilities)))
    page.check("input[name=eqf_levels][value='7']")
    page.fill("input[name=subject_1_code]", "0714")
    page.fill("input[name=language_1]", "en")
    page.select_option("select[name=language_1_level]", language_level)


def tpu_proposes_the_agreement(tpu: Page) -> None:
    """TPU's officer creates the agreement with KTH and its two conditions: 2 TPU students a
    year to KTH with English B2, and 2 KTH students a year to TPU."""
    tpu.goto("/i/tpu.ru/mobility/agreements/")
    tpu.locator("main a[href='/i/tpu.ru/mobility/agreements/new/']").click()
    tpu.fill("input[name=partner_hei_id]", "kth.se")
    tpu.fill("input[name=iia_code]", AGREEMENT)
    submit(tpu)
    expect(tpu.locator("h1")).to_have_text(f"Agreement {AGREEMENT}")
    expect_message(tpu, f"The agreement {AGREEMENT} was created")

    for sending, receiving in (("tpu.ru", "kth.se"), ("kth.se", "tpu.ru")):
        tpu.locator("main a[href$='/conditions/add/']").click()
        fill_condition(
            tpu, sending=sending, receiving=receiving, mobilities="2", language_level="B2"
        )
        submit(tpu)
        expect_message(tpu, "The condition was added.")
    expect(tpu.locator("#conditions")).to_contain_text("Condition 2: KTH → TPU")


def edit_first_condition(page: Page, *, mobilities: str) -> None:
    """On an agreement's page: change the mobilities per year of condition 1 (TPU → KTH)."""
    edit = page.locator("#conditions .condition-actions a[href*='/conditions/']")
    edit.first.click()
    expect(page.locator("h1")).to_have_text("Edit a cooperation condition")
    page.fill("input[name=mobilities_per_year]", mobilities)
    page.fill("input[name=total_months_per_year]", str(5 * int(mobilities)))
    submit(page)
    expect_message(page, "The condition was saved.")


# --- 2. KTH adopts, sees the difference, fixes it and approves; TPU approves back -----------


def kth_creates_its_copy(kth: Page) -> None:
    """KTH's officer finds TPU's proposal among the notices and creates KTH's copy from it."""
    kth.goto("/i/kth.se/mobility/agreements/")
    kth.locator("main a[href='/i/kth.se/mobility/agreements/inbox/']").click()
    notice = kth.locator("main table a", has_text=f"proposed a new agreement, {AGREEMENT}")
    notice.click()
    expect(kth.locator("h1")).to_have_text(f"Agreement {AGREEMENT} proposed by TPU")

    kth.locator("main a[href$='/adopt/']").click()
    kth.fill("input[name=iia_code]", KTH_CODE)
    submit(kth)
    expect(kth.locator("h1")).to_have_text(f"Agreement {KTH_CODE}")
    expect(kth.locator("#conditions")).to_contain_text("The two copies are the same.")


def kth_sees_and_fixes_the_difference(kth: Page) -> None:
    """TPU changed its copy (3 students a year instead of 2): KTH's officer opens the notice,
    reads the difference on its copy's page, agrees and changes its own copy to match."""
    kth.goto("/i/kth.se/mobility/agreements/inbox/")
    kth.locator("main table a", has_text=f"changed its copy of agreement {AGREEMENT}").click()
    expect(kth.locator("h1")).to_have_text(f"Agreement {KTH_CODE}")

    conditions = kth.locator("#conditions")
    expect(conditions).to_contain_text("2 differences")
    expect(conditions).to_contain_text(
        "Condition 1: mobilities per year 2 in ours, 3 in the partner's."
    )
    expect(conditions.locator("tr.differs").first).to_contain_text("Different")
    # A copy that differs cannot be approved.
    expect(kth.locator("form[action$='/approve/']")).to_have_count(0)

    edit_first_condition(kth, mobilities="3")
    expect(conditions).to_contain_text("The two copies are the same.")


def approve_the_partners_copy(page: Page) -> None:
    """On our copy's page: approve the partner's copy at the version shown."""
    page.locator("form[action$='/approve/'] button[type=submit]").click()
    expect_message(page, "You approved the partner's copy at the version shown.")
    our_approval = page.locator("#approval-title ~ div tr", has_text="Our approval")
    expect(our_approval).to_contain_text("Approved, at the current version")


def tpu_approves_back(tpu: Page) -> None:
    """TPU's officer reads that KTH approved TPU's copy, and approves KTH's copy in turn."""
    tpu.goto("/i/tpu.ru/mobility/agreements/inbox/")
    tpu.locator("main table a", has_text=f"KTH approved your copy of agreement {AGREEMENT}").click()
    expect(tpu.locator("h1")).to_have_text(f"Agreement {AGREEMENT}")
    approve_the_partners_copy(tpu)


def both_copies_are_approved(tpu: Page, kth: Page) -> None:
    for page, schac, code in ((tpu, "tpu.ru", AGREEMENT), (kth, "kth.se", KTH_CODE)):
        page.reload()
        expect(page.locator("#approval-title ~ p.notice")).to_contain_text("Mutually approved")
        page.goto(f"/i/{schac}/mobility/agreements/")
        row = page.locator("main table tr", has_text=code)
        expect(row.locator(".badge.approved")).to_have_text("Approved by both")


# --- 3. TPU opens a call --------------------------------------------------------------------


def _tomsk(moment: datetime.datetime) -> str:
    """A moment as a datetime-local field takes it, in TPU's time zone."""
    return moment.astimezone(zoneinfo.ZoneInfo("Asia/Tomsk")).strftime("%Y-%m-%dT%H:%M")


def tpu_opens_a_call(tpu: Page) -> None:
    """TPU's officer creates a call for 2027/2028, open since yesterday and for 10 more days
    (Tomsk time), derives its places from the agreement, keeps 1 of the 3 seats at KTH so
    that students compete for it, and publishes the call."""
    now = timezone.now()
    tpu.goto("/i/tpu.ru/mobility/calls/")
    tpu.locator("main a[href='/i/tpu.ru/mobility/calls/add/']").click()
    tpu.fill("input[name=title]", CALL)
    tpu.fill("input[name=academic_year]", YEAR)
    tpu.select_option("select[name=mobility_type]", "student-studies")
    tpu.fill("input[name=opens_at]", _tomsk(now - datetime.timedelta(days=1)))
    tpu.fill("input[name=closes_at]", _tomsk(now + datetime.timedelta(days=10)))
    submit(tpu)
    expect(tpu.locator("h1")).to_have_text(CALL)
    expect(tpu.locator("main dl")).to_contain_text("Asia/Tomsk")

    tpu.locator("form[action$='/places/derive/'] button[type=submit]").click()
    expect_message(tpu, "proposed from your agreements")
    place = tpu.locator("#places tbody tr", has_text="KTH")
    expect(place.locator("td.num")).to_have_text("3")

    place.locator("td.row-actions a").first.click()
    tpu.fill("input[name=seats]", "1")
    submit(tpu)
    expect_message(tpu, "are saved")
    expect(place.locator("td.num")).to_have_text("1")

    tpu.locator("form[action$='/publish/'] button[type=submit]").click()
    expect_message(tpu, f"“{CALL}” is published.")
    expect(tpu.locator("hgroup")).to_contain_text("Published")


# --- 4. Three students apply ----------------------------------------------------------------


def start_an_application(student: Page) -> None:
    """From the student's mobility page, open the call and start an application."""
    student.goto("/me/mobility/")
    student.locator("main a", has_text=CALL).first.click()
    expect(student.locator("h1")).to_have_text(CALL)
    student.locator("form[action$='/apply/'] button[type=submit]").click()
    expect(student.locator("h1")).to_have_text(f"My application: {CALL}")


def fill_the_application(student: Page, *, grade: str, english: str) -> None:
    """A master student's grade average and English level, with the place at KTH first."""
    student.fill("#id_grade_average", grade)
    student.select_option("#id_cycle", "7")
    student.fill("#id_language_0", "en")
    student.select_option("#id_level_0", english)
    student.fill("#id_motivation", "Electronics and automation at KTH fit my master thesis.")
    # The call has one place, KTH's; the first option is "— none —".
    student.select_option("#id_choice_1", index=1)
    expect(student.locator("#id_choice_1 option:checked")).to_contain_text("KTH")


def submit_the_application(student: Page) -> None:
    student.locator("button[formaction$='/submit/']").click()
    expect(student.locator(".messages")).to_contain_text("Your application is submitted")


def student_applies(student: Page, *, grade: str, english: str) -> None:
    """An eligible student applies: their choice is marked eligible."""
    start_an_application(student)
    fill_the_application(student, grade=grade, english=english)
    submit_the_application(student)
    expect(student.locator("hgroup")).to_contain_text("Eligible")
    expect(student.locator("#choices-heading + div")).to_contain_text("Eligible")


def student_below_the_language_level_applies(student: Page) -> None:
    """Vera has English B1, below the B2 the agreement recommends: while she fills in the
    form the page tells her why the place at KTH is not eligible, and again once submitted."""
    start_an_application(student)
    fill_the_application(student, grade="95", english="B1")
    reason = "Your English is B1; this place asks for B2."
    # The draft saves itself as she types, and the verdict by the choice follows it.
    verdict = student.locator("#eligibility-1")
    expect(verdict).to_contain_text("Not eligible")
    expect(verdict).to_contain_text(reason)

    submit_the_application(student)
    expect(student.locator(".messages")).to_contain_text("none of your choices is eligible")
    expect(student.locator("hgroup")).to_contain_text("Not eligible")
    expect(student.locator("#choices-heading + div")).to_contain_text(reason)


# --- 5. The call closes; TPU runs and publishes the allocation ------------------------------


def the_call_closes() -> None:
    """Move the clock past the call's closing time. The test cannot wait ten days for the
    window to close, so the closing time is set a minute in the past, directly in the
    database, exactly as if the days had gone by."""
    with scopes_disabled():
        moved = Call.objects.filter(title=CALL).update(
            closes_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    assert moved == 1


def tpu_runs_and_publishes_the_allocation(tpu: Page) -> None:
    """From the call's page, TPU's officer runs the allocation, reviews the cut-off at KTH
    (Anna's score: she took the only seat) and publishes the results."""
    tpu.goto("/i/tpu.ru/mobility/calls/")
    tpu.locator("main table a", has_text=CALL).click()
    expect(tpu.locator("main dl")).to_contain_text("closed")
    tpu.locator("main .actions-bar a[href$='/runs/']").click()
    expect(tpu.locator("hgroup")).to_contain_text("2 eligible applications")
    # The call has closed: no "allocate now anyway" to confirm.
    expect(tpu.locator("input[name=early]")).to_have_count(0)

    tpu.locator("#run-panel button[type=submit]").click()
    tpu.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}/$"))
    expect(tpu.locator("main dl")).to_contain_text("1 of 2 students")
    kth_place = tpu.locator("#places tbody tr", has_text="KTH")
    expect(kth_place.locator("td.num").last).to_have_text(ANNA_SCORE)
    students = tpu.locator("#students tbody tr")
    expect(students.filter(has_text="anna@student.tpu.ru")).to_contain_text("choice 1")
    expect(students.filter(has_text="boris@student.tpu.ru")).to_contain_text("not placed")

    tpu.locator("form[action$='/publish/'] button[type=submit]").click()
    expect_message(tpu, "The results are published")
    expect(tpu.locator("hgroup")).to_contain_text("Published")


# --- 6. The students read their results -----------------------------------------------------


def students_read_their_results(anna: Page, boris: Page, vera: Page) -> None:
    """Anna has the place; Boris has none and sees the cut-off at KTH next to his own score;
    Vera, who was not eligible, reads why again."""
    anna.reload()
    expect(anna.locator("#result")).to_contain_text("You have a place at KTH")
    expect(anna.locator("hgroup")).to_contain_text("Placed")

    boris.reload()
    result = boris.locator("#result")
    expect(result).to_contain_text("You have no place this time.")
    expect(result).to_contain_text(f"your score is {BORIS_SCORE}")
    expect(result.locator(".explanations")).to_contain_text(
        f"the last student admitted had {ANNA_SCORE}; your score is {BORIS_SCORE}."
    )

    # Vera took no part in the allocation: her page still says why.
    vera.reload()
    expect(vera.locator("hgroup")).to_contain_text("Not eligible")
    expect(vera.locator("#choices-heading + div")).to_contain_text("this place asks for B2")


# --- 7. TPU nominates Anna, KTH accepts -----------------------------------------------------


def tpu_nominates_the_placed_student(tpu: Page) -> None:
    tpu.goto("/i/tpu.ru/mobility/nominations/")
    row = tpu.locator("main tr", has_text="Anna Petrova")
    row.locator("form[action$='/nominate/'] button[type=submit]").click()
    expect_message(tpu, "Anna Petrova is nominated.")
    nominated = tpu.locator("main tr", has_text="Anna Petrova")
    expect(nominated).to_contain_text("Waiting for the host")


def kth_accepts_the_nomination(kth: Page) -> None:
    kth.goto("/i/kth.se/mobility/nominations/incoming/")
    row = kth.locator("main tbody tr", has_text="Anna Petrova")
    expect(row).to_contain_text("TPU")
    row.locator("form[action$='/accept/'] button[type=submit]").click()
    expect_message(kth, "The nomination is accepted")
    expect(kth.locator("hgroup .badge")).to_have_text("Accepted")


def the_student_sees_she_is_accepted(anna: Page) -> None:
    anna.reload()
    expect(anna.locator("hgroup")).to_contain_text("Accepted by the host")
    accepted = anna.locator("ol.steps li", has_text="Accepted by the host")
    expect(accepted).to_contain_text("done")


# --- The journey ----------------------------------------------------------------------------


def test_an_agreement_a_call_an_allocation_and_a_nomination_accepted(world, students, open_as):
    tpu = open_as(world.tpu_officer)
    kth = open_as(world.kth_officer)

    tpu_proposes_the_agreement(tpu)
    kth_creates_its_copy(kth)
    # TPU raises the students it sends to KTH from 2 to 3 a year: the copies now differ.
    tpu.goto("/i/tpu.ru/mobility/agreements/")
    tpu.locator("main table a", has_text=AGREEMENT).click()
    edit_first_condition(tpu, mobilities="3")
    kth_sees_and_fixes_the_difference(kth)
    approve_the_partners_copy(kth)
    tpu_approves_back(tpu)
    both_copies_are_approved(tpu, kth)

    tpu_opens_a_call(tpu)

    anna = open_as(students["anna"])
    boris = open_as(students["boris"])
    vera = open_as(students["vera"])
    student_applies(anna, grade="90", english="C1")
    student_applies(boris, grade="85", english="B2")
    student_below_the_language_level_applies(vera)

    the_call_closes()
    tpu_runs_and_publishes_the_allocation(tpu)
    students_read_their_results(anna, boris, vera)

    tpu_nominates_the_placed_student(tpu)
    kth_accepts_the_nomination(kth)
    the_student_sees_she_is_accepted(anna)
