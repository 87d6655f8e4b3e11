"""A newcomer whom the host accepts is signed up for the host's buddy programme with the
languages of their application (native speakers included) and matched before they arrive,
through a queued matching run; when the sign-up or the matching cannot succeed, the staff and
the newcomer read why."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from intercampus.mobility.choices import CEFR_ORDER
from intercampus.mobility.models import Application
from intercampus.mobility.services import nominations as nomination_services
from intercampus.mobility.tests import test_nominations_factories as f
from intercampus.onboarding.models import BuddyProgramme, Journey, NewcomerProfile
from intercampus.onboarding.models.buddies import CefrLevel, MatchStatus
from intercampus.onboarding.selectors import buddies as selectors
from intercampus.onboarding.services import buddies as services
from intercampus.onboarding.tests.buddies_factories import (
    URLCONF,
    add_buddy,
    add_newcomer,
    make_programme,
    match_of,
)
from intercampus.onboarding.tests.journeys_factories import make_template

pytestmark = pytest.mark.urls(URLCONF)

# The call of the mobility factories is for 2027/2028-1/2: arrival on 1 September 2027.
ARRIVAL = datetime.date(2027, 9, 1)
NOW = datetime.datetime(2027, 6, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(services, "current_time", lambda: NOW)


@pytest.fixture
def programme(world):
    make_template(world.tpu, world.tpu_officer)
    return make_programme(world)


def _buddy(world, programme, languages, email="anna@tpu.ru", capacity=1):
    return add_buddy(world, programme, email, languages, capacity=capacity, window=(-14, 60))


def _accept(world, languages, capture):
    """KTH nominates its student, whose application gives ``languages``; TPU accepts."""
    _call, _place, application = f.kth_placed(world)
    with scopes_disabled():
        Application.objects.filter(pk=application.pk).update(languages=languages)
    nomination = nomination_services.nomination_create(
        actor=world.kth_officer, application=application
    )
    with capture(execute=True):
        nomination_services.nomination_accept(actor=world.tpu_officer, nomination=nomination)
    return nomination


def _profile(world, programme):
    with scopes_disabled():
        return NewcomerProfile.objects.filter(programme=programme, user=world.student).first()


def _journey(world):
    with scopes_disabled():
        return Journey.objects.get(institution=world.tpu, newcomer=world.student)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _staff(name, **kwargs):
    return reverse(f"staff:{name}", kwargs={"institution": "tpu.ru", **kwargs})


# --- Native speakers ------------------------------------------------------------------------


def test_an_accepted_native_speaker_is_signed_up_and_matched_before_arriving(
    world, programme, django_capture_on_commit_callbacks
):
    _buddy(world, programme, {"ru": "NS", "sv": "B2"})
    _accept(world, {"sv": "NS", "en": "A2"}, django_capture_on_commit_callbacks)
    profile = _profile(world, programme)
    assert profile is not None
    assert profile.languages == {"en": "A2", "sv": "NS"}
    assert profile.arrival_date == ARRIVAL
    match = match_of(profile)
    assert match.status == MatchStatus.PROPOSED
    assert match.shared_languages == ["sv"]
    assert _journey(world).buddy_signup_problem == ""
    with scopes_disabled():
        kpi = selectors.nominee_kpi(programme)
    assert (kpi.nominees, kpi.before_arrival, kpi.share) == (1, 1, 100.0)


def test_the_buddy_levels_are_the_applications_levels_in_the_same_order():
    assert CefrLevel.values == list(CEFR_ORDER)


def test_a_native_speaker_signs_up_by_hand_too(world, programme):
    profile = add_newcomer(world, programme, "olga@tpu.ru", {"de": "NS"})
    assert profile.matching_languages == frozenset({"de"})


# --- A sign-up that fails is told -----------------------------------------------------------


def test_a_refused_sign_up_is_kept_and_shown_to_the_staff_and_the_newcomer(
    world, programme, django_capture_on_commit_callbacks, caplog
):
    _buddy(world, programme, {"en": "C1"})
    nomination = _accept(world, {"en": "A2"}, django_capture_on_commit_callbacks)
    assert _profile(world, programme) is None
    problem = _journey(world).buddy_signup_problem
    assert "B1 or better" in problem
    assert "not signed up for buddy programme" in caplog.text

    staff = _client(world.tpu_officer)
    page = staff.get(_staff("buddy_programme", programme=programme.uuid)).content.decode()
    assert "Accepted nominees not signed up" in page
    assert problem in page
    page = staff.get(_staff("nomination_incoming", nomination=nomination.uuid)).content.decode()
    assert problem in page
    mine = _client(world.student).get(reverse("buddy:home")).content.decode()
    assert "We could not sign you up for the buddy programme" in mine
    assert problem in mine


def test_signing_up_by_hand_clears_the_problem(
    world, programme, django_capture_on_commit_callbacks
):
    _accept(world, {"en": "A2"}, django_capture_on_commit_callbacks)
    services.newcomer_signup(actor=world.student, programme=programme, languages={"en": "B2"})
    assert _journey(world).buddy_signup_problem == ""


# --- Why a newcomer has no buddy ------------------------------------------------------------


def _reason(world, programme):
    profile = _profile(world, programme)
    with scopes_disabled():
        selectors.why_unmatched(programme, [profile])
    return profile.unmatched_reason


def test_a_programme_without_buddies_says_so(world, programme, django_capture_on_commit_callbacks):
    _accept(world, {"sv": "NS"}, django_capture_on_commit_callbacks)
    assert _reason(world, programme) == "The programme has no active buddies yet."


def test_nobody_speaks_the_newcomers_language(world, programme, django_capture_on_commit_callbacks):
    _buddy(world, programme, {"ru": "NS", "en": "B2", "sv": "A2"})
    _accept(world, {"sv": "NS", "en": "A1"}, django_capture_on_commit_callbacks)
    reason = _reason(world, programme)
    assert reason == "No buddy of the programme speaks Swedish at B1 or better."
    mine = _client(world.student).get(reverse("buddy:home")).content.decode()
    assert reason in mine
    page = _client(world.tpu_officer).get(_staff("buddy_programme", programme=programme.uuid))
    assert reason in page.content.decode()


def test_every_buddy_who_speaks_the_language_is_full(
    world, programme, django_capture_on_commit_callbacks
):
    buddy = _buddy(world, programme, {"sv": "C1"})
    first = add_newcomer(world, programme, "olga@tpu.ru", {"sv": "B2"})
    services.matching_run(actor=world.tpu_officer, programme=programme)
    assert match_of(first).buddy == buddy
    _accept(world, {"sv": "NS"}, django_capture_on_commit_callbacks)
    assert _reason(world, programme) == (
        "Every buddy who speaks Swedish already has as many newcomers as they can take."
    )


def test_a_newcomer_with_a_buddy_has_no_reason(
    world, programme, django_capture_on_commit_callbacks
):
    _buddy(world, programme, {"sv": "C1"})
    _accept(world, {"sv": "NS"}, django_capture_on_commit_callbacks)
    assert _reason(world, programme) == ""


# --- Matching is queued, never run in the request --------------------------------------------


@pytest.fixture
def queue_in_database(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queued(programme):
    with scopes_disabled():
        return BuddyProgramme.objects.get(pk=programme.pk).matching_queued_at


def test_a_sign_up_queues_one_matching_run_and_makes_no_pair_itself(
    world, programme, queue_in_database, django_capture_on_commit_callbacks
):
    _buddy(world, programme, {"sv": "C1"}, capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = add_newcomer(world, programme, "olga@tpu.ru", {"sv": "B2"})
    with django_capture_on_commit_callbacks(execute=True):
        other = add_newcomer(world, programme, "pavel@tpu.ru", {"sv": "NS"})
    assert match_of(newcomer) is None
    assert _queued(programme) == NOW
    tasks = DBTaskResult.objects.filter(task_path__endswith="match_buddies")
    assert tasks.count() == 1  # the second sign-up joins the run already waiting

    [task] = tasks
    stats = services.matching_run_queued(
        programme_uuid=task.args_kwargs["args"][0], actor_id=None, trigger="newcomer_signup"
    )
    assert stats["matched"] == 2
    assert match_of(newcomer) is not None and match_of(other) is not None
    assert _queued(programme) is None


def test_a_decline_queues_a_matching_run(
    world, programme, queue_in_database, django_capture_on_commit_callbacks
):
    _buddy(world, programme, {"sv": "C1"})
    _buddy(world, programme, {"sv": "B1"}, email="boris@tpu.ru")
    newcomer = add_newcomer(world, programme, "olga@tpu.ru", {"sv": "B2"})
    services.matching_run(actor=world.tpu_officer, programme=programme)
    match = match_of(newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        services.match_decline(actor=newcomer.user, match=match, reason="")
    assert match_of(newcomer, MatchStatus.PROPOSED) is None
    assert _queued(programme) == NOW
    assert DBTaskResult.objects.filter(task_path__endswith="match_buddies").count() == 1


def test_the_staff_page_says_matching_is_queued(world, programme, queue_in_database):
    with scopes_disabled():
        BuddyProgramme.objects.filter(pk=programme.pk).update(matching_queued_at=NOW)
    page = _client(world.tpu_officer).get(_staff("buddy_programme", programme=programme.uuid))
    assert "A matching run is queued" in page.content.decode()


# --- When the journey of a nominee starts --------------------------------------------------


def _with_terms(world, terms):
    _call, _place, application = f.kth_placed(world)
    with scopes_disabled():
        call = application.call
        call.terms = terms
        call.save(update_fields=["terms"])
    return application


def test_both_ways_of_starting_a_nominees_journey_anchor_it_on_the_same_day(world, programme):
    """Mobility passes its anchor; the onboarding app computes it when nobody does (there is
    no arrival date on the nomination): both follow ``lib.academic_terms``."""
    from intercampus.onboarding.services import journeys as journey_services

    application = _with_terms(world, ["2027/2028-3/3"])
    nomination = nomination_services.nomination_create(
        actor=world.kth_officer, application=application
    )
    accepted = nomination_services.nomination_accept(actor=world.tpu_officer, nomination=nomination)
    with scopes_disabled():
        call = application.call
        assert _journey(world).anchor_date == datetime.date(2028, 4, 1)
        assert nomination_services.anchor_date_for(call) == datetime.date(2028, 4, 1)
        assert journey_services.nomination_anchor(accepted) == datetime.date(2028, 4, 1)
