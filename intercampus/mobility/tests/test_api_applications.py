"""Applications in the API for staff: the applications to a call by state, one application with
each choice's eligibility and reasons, the committee's score and re-scoring; with the pages'
permissions (outsiders 404, other roles 403, anonymous 401)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry
from intercampus.core.testing import user_with_role
from intercampus.mobility.choices import CallStatus
from intercampus.mobility.models import Application, Call
from intercampus.mobility.tests import test_calls_factories as make

pytestmark = pytest.mark.django_db

API = "/api/v1"
TPU = f"{API}/institutions/tpu.ru"
KTH = f"{API}/institutions/kth.se"


def api_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def send(client: Client, method: str, url: str, body=None):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


def audited(action: str) -> bool:
    return AuditEntry.objects.filter(action=action).exists()


@pytest.fixture
def tpu_api(world) -> Client:
    return api_client(world.tpu_officer)


@pytest.fixture
def tpu_call(world):
    call = make.call(world.tpu)
    call.place_kth = make.place(call, make.agreement(world.tpu, world.kth))
    return call


@pytest.fixture
def anna_app(world, tpu_call):
    """Anna's submitted application: eligible for KTH."""
    anna = make.student(world.tpu, "anna@tpu.ru")
    return make.submitted(tpu_call, anna, places=[tpu_call.place_kth])


@pytest.fixture
def boris_app(world, tpu_call):
    """Boris's submitted application: his English is too weak for KTH."""
    boris = make.student(world.tpu, "boris@tpu.ru")
    return make.submitted(tpu_call, boris, places=[tpu_call.place_kth], languages={"en": "A2"})


def _score_url(application) -> str:
    return f"{TPU}/applications/{application.uuid}/committee-score"


def _endpoints(call, application) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", f"{TPU}/calls/{call.uuid}/applications", None),
        ("post", f"{TPU}/calls/{call.uuid}/applications/rescore", None),
        ("get", f"{TPU}/applications/{application.uuid}", None),
        ("put", _score_url(application), {"committee_score": 70}),
    ]


# --- Who may ---------------------------------------------------------------------------------


def test_anonymous_callers_get_401_on_every_endpoint(world, client, tpu_call, anna_app):
    for method, url, body in _endpoints(tpu_call, anna_app):
        assert send(client, method, url, body).status_code == 401, (method, url)


def test_staff_of_another_institution_get_404_on_every_endpoint(world, tpu_call, anna_app):
    kth = api_client(world.kth_officer)
    for method, url, body in _endpoints(tpu_call, anna_app):
        assert send(kth, method, url, body).status_code == 404, (method, url)
    with scopes_disabled():
        assert Application.objects.get(pk=anna_app.pk).committee_score is None


def test_our_application_named_under_another_institution_is_404(world, tpu_call, anna_app):
    kth = api_client(world.kth_officer)
    assert kth.get(f"{KTH}/applications/{anna_app.uuid}").status_code == 404
    assert kth.get(f"{KTH}/calls/{tpu_call.uuid}/applications").status_code == 404


def test_a_work_group_coordinator_gets_403_on_every_endpoint(world, tpu_call, anna_app):
    coordinator = api_client(world.tpu_coordinator)
    for method, url, body in _endpoints(tpu_call, anna_app):
        assert send(coordinator, method, url, body).status_code == 403, (method, url)


def test_the_applicant_herself_cannot_use_the_staff_endpoints(world, tpu_call, anna_app):
    anna = api_client(anna_app.student)
    assert anna.get(f"{TPU}/applications/{anna_app.uuid}").status_code == 404


def test_a_programme_coordinator_may_score(world, tpu_call, anna_app):
    coordinator = user_with_role("programmes@tpu.ru", world.tpu, RoleKind.PROGRAMME_COORDINATOR)
    response = send(api_client(coordinator), "put", _score_url(anna_app), {"committee_score": 70})
    assert response.status_code == 200


# --- The list and the detail ----------------------------------------------------------------


def test_the_list_shows_submitted_applications_best_score_first(
    world, tpu_api, tpu_call, anna_app, boris_app
):
    make.draft(tpu_call, make.student(world.tpu, "drafty@tpu.ru"))
    url = f"{TPU}/calls/{tpu_call.uuid}/applications"

    body = tpu_api.get(url).json()

    assert body["count"] == 2
    assert [a["student"]["email"] for a in body["items"]] == ["anna@tpu.ru", "boris@tpu.ru"]
    first = body["items"][0]
    assert (first["state"], first["choice_count"], first["eligible_count"]) == ("eligible", 1, 1)
    assert first["score"] == float(anna_app.score)
    assert first["languages"] == {"en": "C1"}
    ineligible = tpu_api.get(f"{url}?state=ineligible").json()["items"]
    assert [a["student"]["email"] for a in ineligible] == ["boris@tpu.ru"]
    drafts = tpu_api.get(f"{url}?state=draft").json()["items"]
    assert [a["student"]["email"] for a in drafts] == ["drafty@tpu.ru"]
    assert tpu_api.get(f"{url}?state=lost").status_code == 422


def test_the_detail_gives_each_choices_eligibility_and_why_not(world, tpu_api, tpu_call, boris_app):
    body = tpu_api.get(f"{TPU}/applications/{boris_app.uuid}").json()

    assert body["student"]["email"] == "boris@tpu.ru"
    assert body["call"] == {"id": str(tpu_call.uuid), "title": tpu_call.title}
    [choice] = body["choices"]
    assert choice["place"]["id"] == str(tpu_call.place_kth.uuid)
    assert choice["eligible"] is False
    assert choice["reasons"] == ["Your English is A2; this place asks for B2."]
    assert body["scorable"] is True


def test_an_unknown_or_malformed_application_id(world, tpu_api):
    assert tpu_api.get(f"{TPU}/applications/{uuid.uuid4()}").status_code == 404
    assert tpu_api.get(f"{TPU}/applications/1").status_code == 422


# --- Scores ---------------------------------------------------------------------------------


def test_the_committees_score_is_saved_and_the_score_recomputed(world, tpu_api, tpu_call, anna_app):
    before = anna_app.score

    response = send(tpu_api, "put", _score_url(anna_app), {"committee_score": 90.5})

    assert response.status_code == 200
    body = response.json()
    assert body["committee_score"] == 90.5
    assert body["score"] > float(before)
    assert audited("mobility.application.scored")
    cleared = send(tpu_api, "put", _score_url(anna_app), {"committee_score": None}).json()
    assert (cleared["committee_score"], cleared["score"]) == (None, float(before))


@pytest.mark.parametrize(
    "body",
    [{"committee_score": 101}, {"committee_score": -1}, {"committee_score": "high"},
     {"committee_score": 50.123}, {}, {"committee_score": 50, "note": "good"}, [50]],
)  # fmt: skip
def test_a_bad_score_is_422_and_nothing_changes(world, tpu_api, tpu_call, anna_app, body):
    response = send(tpu_api, "put", _score_url(anna_app), body)

    assert response.status_code == 422
    assert response.json()["detail"]
    with scopes_disabled():
        assert Application.objects.get(pk=anna_app.pk).committee_score is None


def test_a_draft_is_not_scored(world, tpu_api, tpu_call):
    draft = make.draft(tpu_call, make.student(world.tpu, "drafty@tpu.ru"))
    response = send(tpu_api, "put", _score_url(draft), {"committee_score": 50})
    assert response.status_code == 409
    assert "submitted" in response.json()["detail"]


def test_scores_are_frozen_once_the_allocation_has_run(world, tpu_api, tpu_call, anna_app):
    with scopes_disabled():
        Call.objects.filter(pk=tpu_call.pk).update(status=CallStatus.ALLOCATED)
    assert send(tpu_api, "put", _score_url(anna_app), {"committee_score": 5}).status_code == 409
    rescore = tpu_api.post(f"{TPU}/calls/{tpu_call.uuid}/applications/rescore")
    assert rescore.status_code == 409


def test_rescoring_recomputes_what_is_out_of_date(world, tpu_api, tpu_call, anna_app, boris_app):
    with scopes_disabled():
        Application.objects.filter(pk=anna_app.pk).update(score=Decimal("1"))

    response = tpu_api.post(f"{TPU}/calls/{tpu_call.uuid}/applications/rescore")

    assert response.status_code == 200
    assert response.json() == {"changed": 1, "total": 2}
    with scopes_disabled():
        assert Application.objects.get(pk=anna_app.pk).score == anna_app.score
    assert audited("mobility.application.rescored")
