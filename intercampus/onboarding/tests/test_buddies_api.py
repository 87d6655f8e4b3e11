"""The buddy programme API under /api/v1/onboarding: programmes, sign-ups, my matches with why,
accepting and declining, check-ins; staff run matching and list matches. Same permissions as
the pages, errors as 4xx JSON."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.models import ApiToken
from intercampus.onboarding.models import BuddyProgramme, NewcomerProfile
from intercampus.onboarding.models.buddies import MatchStatus
from intercampus.onboarding.services import buddies as services
from intercampus.onboarding.tests.buddies_factories import (
    ARRIVAL,
    NOW,
    add_buddy,
    add_newcomer,
    make_programme,
    match_of,
    tpu_student,
)
from intercampus.onboarding.tests.journeys_factories import make_template, start

API = "/api/v1/onboarding"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(services, "current_time", lambda: NOW)


@pytest.fixture
def programme(world):
    return make_programme(world)


@pytest.fixture
def journey(world):
    make_template(world.tpu, world.tpu_officer)
    return start(world, world.student, ARRIVAL)


@pytest.fixture
def buddy(world, programme):
    return add_buddy(world, programme, "anna@tpu.ru", {"en": "C1", "sv": "B2"})


def bearer(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def signup(client, programme, **extra):
    body = {"languages": {"en": "B2", "sv": "C1"}, "interests": ["Chess"], **extra}
    return client.post(
        f"{API}/buddy-programmes/{programme.uuid}/newcomers", body, content_type="application/json"
    )


def test_a_newcomer_lists_the_programmes_open_to_them(world, programme, journey):
    response = bearer(world.student).get(f"{API}/buddy-programmes")
    assert response.status_code == 200
    [item] = response.json()
    assert item["uuid"] == str(programme.uuid)
    assert item["join_as"] == ["newcomer"]
    assert item["weights"] == {
        "two_languages": 40,
        "one_language": 35,
        "faculty": 20,
        "interests": 25,
        "availability": 15,
    }


def test_a_newcomer_signs_up_and_reads_why_they_were_matched(
    world, programme, journey, buddy, django_capture_on_commit_callbacks
):
    client = bearer(world.student)
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, programme)
    assert response.status_code == 201, response.json()
    assert response.json()["arrival_date"] == ARRIVAL.isoformat()
    assert response.json()["journey"] == str(journey.uuid)
    assert signup(client, programme).status_code == 200  # the second time: an update

    [match] = client.get(f"{API}/me/buddy-matches").json()
    assert match["side"] == "newcomer"
    assert match["status"] == "proposed"
    assert match["buddy"]["email"] == "anna@tpu.ru"
    assert match["shared_languages"] == ["en", "sv"]
    reasons = {r["part"]: r for r in match["reasons"]}
    assert reasons["languages"]["points"] == match["score"]["languages"] == 40
    assert "English and Swedish" in reasons["languages"]["text"]

    mine = client.get(f"{API}/me/buddy-profiles").json()
    assert [p["programme"] for p in mine["newcomer"]] == [str(programme.uuid)]


def test_a_native_speaker_without_a_buddy_reads_why_in_their_sign_ups(
    world, programme, journey, buddy, django_capture_on_commit_callbacks
):
    client = bearer(world.student)
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, programme, languages={"fi": "NS", "en": "A2"})
    assert response.status_code == 201, response.json()
    assert response.json()["languages"] == {"en": "A2", "fi": "NS"}
    [mine] = client.get(f"{API}/me/buddy-profiles").json()["newcomer"]
    assert mine["unmatched_reason"] == "No buddy of the programme speaks Finnish at B1 or better."
    assert mine["matching_queued"] is False


def test_a_bad_cefr_level_is_a_422_naming_the_field(world, programme, journey):
    response = signup(bearer(world.student), programme, languages={"en": "B7"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-2:] == ["languages", "en"]


def test_a_newcomer_without_a_language_at_b1_is_refused(world, programme, journey):
    response = signup(bearer(world.student), programme, languages={"en": "A2"})
    assert response.status_code == 422
    assert "B1 or better" in response.json()["detail"]


def test_a_programme_the_caller_may_not_join_is_404(world, programme):
    # No journey at TPU yet.
    assert signup(bearer(world.student), programme).status_code == 404


def test_a_buddy_signs_up_with_a_capacity_of_one_to_five(world, programme):
    local = tpu_student(world, "local@tpu.ru")
    body = {
        "languages": {"ru": "C2", "en": "B1"},
        "available_from": "2027-08-20",
        "available_to": "2027-12-20",
        "capacity": 6,
    }
    client = bearer(local)
    address = f"{API}/buddy-programmes/{programme.uuid}/buddies"
    assert client.post(address, body, content_type="application/json").status_code == 422
    body["capacity"] = 5
    response = client.post(address, body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["capacity"] == 5


def test_accept_decline_and_check_ins_through_the_api(
    world, programme, journey, buddy, django_capture_on_commit_callbacks
):
    newcomer = bearer(world.student)
    with django_capture_on_commit_callbacks(execute=True):
        signup(newcomer, programme)
    match = match_of(_profile(world))
    buddy_client = bearer(buddy.user)
    base = f"{API}/me/buddy-matches/{match.uuid}"

    assert newcomer.post(f"{base}/accept").json()["status"] == "proposed"
    accepted = buddy_client.post(f"{base}/accept").json()
    assert accepted["status"] == "accepted"
    assert accepted["buddy_accepted"] and accepted["newcomer_accepted"]

    checkin = {"date": "2027-05-31", "kind": "meeting", "minutes": 60, "note": "Coffee."}
    refused = newcomer.post(f"{base}/check-ins", checkin, content_type="application/json")
    assert refused.status_code == 403
    created = buddy_client.post(f"{base}/check-ins", checkin, content_type="application/json")
    assert created.status_code == 201
    assert [c["minutes"] for c in newcomer.get(f"{base}/check-ins").json()] == [60]

    declined = buddy_client.post(
        f"{base}/decline", {"reason": "I am abroad."}, content_type="application/json"
    )
    assert declined.status_code == 200
    assert declined.json()["status"] == MatchStatus.DECLINED_BY_BUDDY
    again = buddy_client.post(f"{base}/decline", {}, content_type="application/json")
    assert again.status_code == 409
    assert "detail" in again.json()


def _profile(world):
    with scopes_disabled():
        return NewcomerProfile.objects.get(user=world.student)


def test_someone_elses_match_is_404(world, programme, buddy):
    newcomer = add_newcomer(world, programme, "ivan@tpu.ru")
    services.matching_run(actor=world.tpu_officer, programme=programme)
    match = match_of(newcomer)
    stranger = bearer(world.student)
    assert stranger.get(f"{API}/me/buddy-matches/{match.uuid}").status_code == 404
    assert stranger.post(f"{API}/me/buddy-matches/{match.uuid}/accept").status_code == 404
    assert stranger.get(f"{API}/me/buddy-matches").json() == []


def test_the_api_needs_a_sign_in(programme):
    response = Client().get(f"{API}/me/buddy-matches")
    assert response.status_code == 401
    assert "detail" in response.json()


# --- Staff --------------------------------------------------------------------------------


def staff(schac="tpu.ru", programme=None, tail=""):
    base = f"{API}/institutions/{schac}/buddy-programmes"
    return f"{base}/{programme.uuid}{tail}" if programme is not None else base


def test_staff_create_a_programme_run_matching_and_list_matches(
    world, django_capture_on_commit_callbacks
):
    client = bearer(world.tpu_officer)
    created = client.post(
        staff(),
        {"name": "Engineering buddies", "weights": {"two_languages": 60}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["weights"]["two_languages"] == 60
    with scopes_disabled():
        programme = BuddyProgramme.objects.get(name="Engineering buddies")
    add_buddy(world, programme, "anna@tpu.ru")
    add_newcomer(world, programme, "ivan@tpu.ru")

    with django_capture_on_commit_callbacks(execute=True):
        run = client.post(staff(programme=programme, tail="/matching-runs"))
    assert run.status_code == 202
    assert run.json()["queued"] is True

    listed = client.get(staff(programme=programme, tail="/matches"), {"status": "proposed"})
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert listed.json()["items"][0]["newcomer"]["email"] == "ivan@tpu.ru"
    assert [p["name"] for p in client.get(staff()).json()] == ["Engineering buddies"]


def test_staff_of_another_institution_get_404_and_other_roles_403(world, programme):
    outsider = bearer(world.kth_officer)
    coordinator = bearer(world.tpu_coordinator)
    for method, address in (
        ("get", staff()),
        ("post", staff()),
        ("post", staff(programme=programme, tail="/matching-runs")),
        ("get", staff(programme=programme, tail="/matches")),
    ):
        body = {"name": "X"} if address == staff() and method == "post" else None
        kwargs = {"content_type": "application/json"} if body else {}
        outside = getattr(outsider, method)(address, body, **kwargs)
        assert outside.status_code == 404, address
        assert outside.json()["detail"]
        assert getattr(coordinator, method)(address, body, **kwargs).status_code == 403, address
    # Acting as KTH, TPU's programme does not exist.
    kth = staff("kth.se", programme=programme, tail="/matches")
    assert outsider.get(kth).status_code == 404
