"""The student's buddy pages at /me/buddy/: signing up as a buddy or a newcomer (the forms keep
what was typed), my matches with why we matched you, accepting, declining, the check-in log
and the certificate; nobody sees anyone else's."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.onboarding.models import BuddyProfile, CheckIn, NewcomerProfile
from intercampus.onboarding.models.buddies import MatchStatus
from intercampus.onboarding.services import buddies as services
from intercampus.onboarding.tests.buddies_factories import (
    ARRIVAL,
    NOW,
    URLCONF,
    add_buddy,
    add_newcomer,
    make_programme,
    match_of,
    tpu_student,
)
from intercampus.onboarding.tests.journeys_factories import make_template, start

pytestmark = pytest.mark.urls(URLCONF)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(services, "current_time", lambda: NOW)


@pytest.fixture
def programme(world):
    return make_programme(world, interest_choices=["Chess", "hiking", "jazz"])


@pytest.fixture
def journey(world):
    """The KTH student is nominated to TPU: their arrival journey there has started."""
    make_template(world.tpu, world.tpu_officer)
    return start(world, world.student, ARRIVAL)


@pytest.fixture
def buddy(world, programme):
    return add_buddy(world, programme, "anna@tpu.ru", {"en": "C1", "sv": "B1"}, capacity=2)


@pytest.fixture
def buddy_client(buddy):
    client = Client()
    client.force_login(buddy.user)
    return client


@pytest.fixture
def match(world, programme, journey, buddy):
    newcomer = add_newcomer(world, programme, "", {"en": "B2", "sv": "C2"}, user=world.student)
    services.matching_run(actor=world.tpu_officer, programme=programme)
    return match_of(newcomer)


def me(name, **kwargs):
    return reverse(f"buddy:{name}", kwargs=kwargs)


def newcomer_form(**extra):
    return {
        "language_1": "en",
        "level_1": "B2",
        "language_2": "sv",
        "level_2": "C2",
        "interests": ["chess"],
        **extra,
    }


def test_a_nominated_newcomer_is_offered_the_hosts_programme(student_client, programme, journey):
    response = student_client.get(me("home"))
    assert response.status_code == 200
    assert response.context["join_as_newcomer"] == [programme]
    assert response.context["join_as_buddy"] == []


def test_a_newcomer_signs_up_and_is_matched_before_arriving(
    student_client, world, programme, journey, buddy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.post(
            me("signup_newcomer", programme=programme.uuid), newcomer_form()
        )
    assert response.status_code == 302
    with scopes_disabled():
        profile = NewcomerProfile.objects.get(user=world.student)
    assert profile.arrival_date == ARRIVAL  # from the journey
    assert profile.journey == journey
    assert profile.languages == {"en": "B2", "sv": "C2"}
    match = match_of(profile)
    assert match.status == MatchStatus.PROPOSED
    assert match.buddy == buddy

    home = student_client.get(me("home"))
    page = home.content.decode()
    assert "Why we matched you" in page
    assert "You both speak English and Swedish (B1 or better)." in page
    assert "You share these interests" not in page  # the buddy named none


def test_the_sign_up_form_keeps_what_was_typed_and_says_what_is_wrong(
    student_client, programme, journey
):
    response = student_client.post(
        me("signup_newcomer", programme=programme.uuid),
        newcomer_form(level_1="A2", level_2="A1", language_3="de"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["level_3"]
    body = response.content.decode()
    assert '<option value="A2" selected>' in body
    assert '<option value="de" selected>' in body


def test_a_newcomer_needs_a_language_at_b1_or_better(student_client, programme, journey):
    response = student_client.post(
        me("signup_newcomer", programme=programme.uuid),
        newcomer_form(level_1="A2", level_2="A1"),
    )
    assert response.status_code == 200
    assert "B1 or better" in str(response.context["form"].errors)
    with scopes_disabled():
        assert not NewcomerProfile.objects.exists()


def test_a_local_student_signs_up_as_a_buddy_with_capacity_and_window(world, programme):
    local = tpu_student(world, "local@tpu.ru")
    client = Client()
    client.force_login(local)
    data = {
        "language_1": "ru",
        "level_1": "C2",
        "language_2": "en",
        "level_2": "B2",
        "interests": ["hiking", "jazz"],
        "available_from": "2027-08-20",
        "available_to": "2027-12-20",
        "capacity": "3",
        "active": "on",
    }
    assert client.get(me("signup_buddy", programme=programme.uuid)).status_code == 200
    response = client.post(me("signup_buddy", programme=programme.uuid), data)
    assert response.status_code == 302
    with scopes_disabled():
        profile = BuddyProfile.objects.get(user=local)
    assert profile.capacity == 3
    assert profile.interests == ["hiking", "jazz"]
    assert profile.available_from == datetime.date(2027, 8, 20)


def test_a_buddy_capacity_above_five_is_refused(world, programme):
    local = tpu_student(world, "local@tpu.ru")
    client = Client()
    client.force_login(local)
    data = {
        "language_1": "en",
        "level_1": "C1",
        "available_from": "2027-08-20",
        "available_to": "2027-08-01",
        "capacity": "6",
    }
    response = client.post(me("signup_buddy", programme=programme.uuid), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["capacity"] and errors["available_to"]
    assert 'value="6"' in response.content.decode()


def test_only_students_of_the_host_may_be_buddies_and_only_its_newcomers_get_one(
    student_client, kth_officer_client, programme
):
    # The KTH student has no journey at TPU and no role there.
    assert student_client.get(me("signup_buddy", programme=programme.uuid)).status_code == 404
    assert student_client.get(me("signup_newcomer", programme=programme.uuid)).status_code == 404
    assert (
        kth_officer_client.get(me("signup_newcomer", programme=programme.uuid)).status_code == 404
    )


def test_a_student_sees_only_their_own_matches(student_client, world, programme, match):
    other = add_newcomer(world, programme, "other@tpu.ru", {"en": "C1"})
    services.matching_run(actor=world.tpu_officer, programme=programme)
    theirs = match_of(other)
    assert theirs is not None

    response = student_client.get(me("home"))
    assert [m.uuid for m in response.context["matches"]] == [match.uuid]
    assert "other@tpu.ru" not in response.content.decode()
    for name in ("match_accept", "match_decline", "checkins"):
        assert student_client.post(me(name, match=theirs.uuid)).status_code == 404, name
    assert student_client.get(me("match_decline", match=theirs.uuid)).status_code == 404
    assert student_client.get(me("checkins", match=theirs.uuid)).status_code == 404
    assert match_of(other).status == MatchStatus.PROPOSED


def test_a_match_is_accepted_once_both_sides_accept(student_client, buddy_client, match):
    student_client.post(me("match_accept", match=match.uuid))
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED
    assert match.newcomer_accepted_at is not None
    buddy_client.post(me("match_accept", match=match.uuid))
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED


def test_a_newcomer_declines_with_a_reason(
    student_client, match, django_capture_on_commit_callbacks
):
    assert student_client.get(me("match_decline", match=match.uuid)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.post(
            me("match_decline", match=match.uuid), {"reason": "We study at different campuses."}
        )
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == MatchStatus.DECLINED_BY_NEWCOMER
    assert match.declined_reason == "We study at different campuses."
    # The only buddy was declined: nobody else to match with.
    assert match_of(match.newcomer, *("proposed", "accepted")) is None


def test_the_buddy_logs_check_ins_and_the_newcomer_only_reads_them(
    student_client, buddy_client, match
):
    student_client.post(me("match_accept", match=match.uuid))
    buddy_client.post(me("match_accept", match=match.uuid))
    data = {"date": "2027-05-30", "kind": "call", "minutes": "45", "note": "Visa questions."}

    response = buddy_client.post(me("checkins", match=match.uuid), data)
    assert response.status_code == 302
    refused = student_client.post(me("checkins", match=match.uuid), data)
    assert refused.status_code == 302

    with scopes_disabled():
        assert list(CheckIn.objects.values_list("minutes", "by__email")) == [(45, "anna@tpu.ru")]
    log = student_client.get(me("checkins", match=match.uuid))
    assert log.status_code == 200
    assert "Visa questions." in log.content.decode()
    assert "Log a check-in" not in log.content.decode()


def test_a_check_in_in_the_future_is_refused_on_the_form(student_client, buddy_client, match):
    student_client.post(me("match_accept", match=match.uuid))
    buddy_client.post(me("match_accept", match=match.uuid))
    response = buddy_client.post(
        me("checkins", match=match.uuid),
        {"date": "2027-06-20", "kind": "meeting", "minutes": "30"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"]


def _weasyprint_or_skip() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        pytest.skip(f"WeasyPrint or its system libraries (Pango) are missing: {error}")


def test_the_buddy_downloads_a_pdf_certificate(student_client, buddy_client, buddy, match):
    _weasyprint_or_skip()
    student_client.post(me("match_accept", match=match.uuid))
    buddy_client.post(me("match_accept", match=match.uuid))
    buddy_client.post(
        me("checkins", match=match.uuid), {"date": "2027-05-30", "kind": "meeting", "minutes": 60}
    )
    response = buddy_client.get(me("certificate", profile=buddy.uuid))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_certificate_waits_for_a_first_accepted_newcomer(buddy_client, buddy):
    response = buddy_client.get(me("certificate", profile=buddy.uuid), follow=True)
    assert response.redirect_chain[-1][0] == me("home")
    assert "first newcomer" in response.content.decode()


def test_nobody_else_downloads_a_buddys_certificate(student_client, buddy):
    assert student_client.get(me("certificate", profile=buddy.uuid)).status_code == 404


def test_the_pages_need_a_sign_in(client, buddy):
    response = client.get(me("home"))
    assert response.status_code == 302
    assert "login" in response["Location"]
