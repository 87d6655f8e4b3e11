"""Calls and places in the API: the international office creates a call (its window on the
institution's clock), derives places from its agreements, sets their seats and publishes;
with the pages' permissions (outsiders 404, other roles 403, anonymous 401)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry
from intercampus.mobility.choices import CallStatus
from intercampus.mobility.models import Call, Place
from intercampus.mobility.tests import test_calls_factories as make

pytestmark = pytest.mark.django_db

API = "/api/v1"
TPU = f"{API}/institutions/tpu.ru/calls"
KTH = f"{API}/institutions/kth.se/calls"

NEW_CALL = {
    "title": "Exchange 2027/2028",
    "academic_year": "2027/2028",
    "terms": ["2027/2028-1/2"],
    "opens_at": "2027-02-01T09:00",
    "closes_at": "2027-02-28T23:59",
    "max_choices": 3,
    "eligible_cycles": [7],
    "required_documents": ["transcript"],
    "weight_grades": 50,
    "weight_language": 30,
    "weight_committee": 20,
}


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
def kth_api(world) -> Client:
    return api_client(world.kth_officer)


@pytest.fixture
def condition(world):
    """TPU sends three students a year to KTH, 2026/2027 to 2028/2029."""
    return make.agreement(world.tpu, world.kth)


@pytest.fixture
def draft_call(world, condition):
    """A draft call of TPU with one place at KTH."""
    call = make.call(world.tpu, status=CallStatus.DRAFT)
    call.place = make.place(call, condition)
    return call


def _endpoints(call) -> list[tuple[str, str, dict | None]]:
    one = f"{TPU}/{call.uuid}"
    place = f"{one}/places/{call.place.uuid}"
    return [
        ("get", TPU, None),
        ("post", TPU, NEW_CALL),
        ("get", one, None),
        ("patch", one, {"title": "Renamed"}),
        ("post", f"{one}/publish", None),
        ("post", f"{one}/places/derive", None),
        ("patch", place, {"seats": 1}),
        ("delete", place, None),
    ]


# --- Who may ---------------------------------------------------------------------------------


def test_anonymous_callers_get_401_on_every_endpoint(world, client, draft_call):
    for method, url, body in _endpoints(draft_call):
        assert send(client, method, url, body).status_code == 401, (method, url)


def test_staff_of_another_institution_get_404_on_every_endpoint(world, kth_api, draft_call):
    for method, url, body in _endpoints(draft_call):
        assert send(kth_api, method, url, body).status_code == 404, (method, url)
    with scopes_disabled():
        assert Call.objects.get(pk=draft_call.pk).status == CallStatus.DRAFT
        assert Place.objects.filter(pk=draft_call.place.pk, seats=2).exists()


def test_our_call_named_under_another_institution_is_404(world, kth_api, draft_call):
    assert kth_api.get(f"{KTH}/{draft_call.uuid}").status_code == 404
    place = f"{KTH}/{draft_call.uuid}/places/{draft_call.place.uuid}"
    assert send(kth_api, "patch", place, {"seats": 0}).status_code == 404


def test_a_work_group_coordinator_gets_403_on_every_endpoint(world, draft_call):
    coordinator = api_client(world.tpu_coordinator)
    for method, url, body in _endpoints(draft_call):
        assert send(coordinator, method, url, body).status_code == 403, (method, url)


# --- Calls ----------------------------------------------------------------------------------


def test_creating_a_call_reads_times_on_the_institutions_clock(world, tpu_api):
    response = send(tpu_api, "post", TPU, NEW_CALL)

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["timezone"], body["places"]) == ("draft", "Asia/Tomsk", [])
    assert body["opens_at"] == "2027-02-01T09:00:00+07:00"
    assert body["closes_at"] == "2027-02-28T23:59:00+07:00"
    assert (body["eligible_cycles"], body["required_documents"]) == ([7], ["transcript"])
    with scopes_disabled():
        call = Call.objects.get(uuid=body["id"])
    assert call.opens_at == make.call(world.tpu).opens_at
    assert audited("mobility.call.created")


def test_a_time_with_an_offset_is_taken_as_given(world, tpu_api):
    body = send(tpu_api, "post", TPU, {**NEW_CALL, "opens_at": "2027-02-01T02:00:00Z"}).json()
    assert body["opens_at"] == "2027-02-01T09:00:00+07:00"


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"weight_grades": 60}, 400, None),
        ({"closes_at": "2027-01-01T09:00"}, 400, "closes_at"),
        ({"terms": ["2026/2027-1/2"]}, 400, "terms"),
        ({"academic_year": "2027", "terms": []}, 422, "academic_year"),
        ({"opens_at": 1801000000}, 422, "opens_at"),
        ({"opens_at": "2027-02-01"}, 422, "opens_at"),
        ({"opens_at": "1 February"}, 422, "opens_at"),
        ({"opens_at": "0001-01-01T00:00+05:00"}, 422, "opens_at"),
        ({"max_choices": 11}, 422, "max_choices"),
        ({"max_choices": "3"}, 422, "max_choices"),
        ({"eligible_cycles": [4]}, 422, "eligible_cycles"),
        ({"required_documents": ["passport"]}, 422, "required_documents"),
        ({"mobility_type": "holiday"}, 422, "mobility_type"),
        ({"title": ""}, 422, "title"),
        ({"lottery_seed": 1}, 422, "lottery_seed"),
    ],
)
def test_a_refused_call_says_why_and_nothing_is_stored(world, tpu_api, changes, status, field):
    response = send(tpu_api, "post", TPU, {**NEW_CALL, **changes})

    assert response.status_code == status
    body = response.json()
    assert body["detail"]
    if status == 422:
        assert any(field in map(str, e["loc"]) for e in body["errors"])
    else:
        assert body["field"] == field
    with scopes_disabled():
        assert not Call.objects.exists()


def test_the_list_filters_by_status(world, tpu_api, draft_call):
    make.call(world.tpu, title="Published one")
    make.call(world.kth, title="KTH's own")

    body = tpu_api.get(TPU).json()
    assert body["count"] == 2
    published = tpu_api.get(f"{TPU}?status=published").json()["items"]
    assert [c["title"] for c in published] == ["Published one"]
    assert tpu_api.get(f"{TPU}?status=open").status_code == 422
    row = next(c for c in body["items"] if c["status"] == "draft")
    assert (row["place_count"], row["submitted_count"]) == (1, 0)


def test_the_detail_shows_places_with_the_seats_their_agreement_has_left(
    world, tpu_api, draft_call, condition
):
    body = tpu_api.get(f"{TPU}/{draft_call.uuid}").json()

    [place] = body["places"]
    assert place["host"] == {"id": "kth.se", "name": "KTH"}
    assert (place["seats"], place["seats_left"]) == (2, 3)
    assert place["condition"] == str(condition.uuid)
    assert body["editable"] is True
    assert {c["state"]: c["count"] for c in body["applications"]}["submitted"] == 0


def test_a_malformed_call_id_is_422_and_an_unknown_one_404(world, tpu_api):
    assert tpu_api.get(f"{TPU}/42").status_code == 422
    assert tpu_api.get(f"{TPU}/{uuid.uuid4()}").status_code == 404


def test_changing_one_field_keeps_the_others(world, tpu_api):
    created = send(tpu_api, "post", TPU, NEW_CALL).json()

    response = send(tpu_api, "patch", f"{TPU}/{created['id']}", {"title": "Spring exchange"})

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Spring exchange"
    assert (body["terms"], body["eligible_cycles"], body["required_documents"]) == (
        ["2027/2028-1/2"],
        [7],
        ["transcript"],
    )
    assert body["opens_at"] == created["opens_at"]
    assert audited("mobility.call.changed")


def test_new_weights_must_still_add_up_to_100(world, tpu_api, draft_call):
    response = send(tpu_api, "patch", f"{TPU}/{draft_call.uuid}", {"weight_grades": 10})
    assert response.status_code == 400
    assert "add up to" in response.json()["detail"]
    assert send(tpu_api, "patch", f"{TPU}/{draft_call.uuid}", {"title": None}).status_code == 422


def test_a_call_with_places_keeps_its_year(world, tpu_api, draft_call):
    url = f"{TPU}/{draft_call.uuid}"
    response = send(tpu_api, "patch", url, {"academic_year": "2028/2029", "terms": []})
    assert response.status_code == 400
    assert response.json()["field"] == "academic_year"


# --- Places and publication -----------------------------------------------------------------


def test_places_are_derived_from_the_agreements_then_the_call_is_published(
    world, tpu_api, condition
):
    created = send(tpu_api, "post", TPU, NEW_CALL).json()
    url = f"{TPU}/{created['id']}"

    refused = tpu_api.post(f"{url}/publish")
    assert refused.status_code == 400
    assert "places" in refused.json()["detail"]

    derived = tpu_api.post(f"{url}/places/derive")
    assert derived.status_code == 200
    [place] = derived.json()
    assert (place["host"]["id"], place["seats"], place["language"], place["min_cefr"]) == (
        "kth.se",
        3,
        "en",
        "B2",
    )
    assert tpu_api.post(f"{url}/places/derive").json() == []
    assert audited("mobility.place.created")

    published = tpu_api.post(f"{url}/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert audited("mobility.call.published")
    again = tpu_api.post(f"{url}/publish")
    assert again.status_code == 409
    assert "already published" in again.json()["detail"]


def test_a_places_seats_are_set_up_to_what_the_agreement_has_left(world, tpu_api, draft_call):
    url = f"{TPU}/{draft_call.uuid}/places/{draft_call.place.uuid}"

    response = send(tpu_api, "patch", url, {"seats": 3})
    assert response.status_code == 200
    assert response.json()["seats"] == 3
    assert audited("mobility.place.changed")

    too_many = send(tpu_api, "patch", url, {"seats": 4})
    assert too_many.status_code == 400
    assert too_many.json()["field"] == "seats"
    for bad in ({"seats": -1}, {"seats": "3"}, {"seats": 1.5}, {}, {"seats": 1, "x": 1}):
        assert send(tpu_api, "patch", url, bad).status_code == 422, bad


def test_a_place_of_another_call_is_404(world, tpu_api, draft_call, condition):
    other = make.call(world.tpu, title="Other")
    url = f"{TPU}/{other.uuid}/places/{draft_call.place.uuid}"
    assert send(tpu_api, "patch", url, {"seats": 1}).status_code == 404


def test_removing_a_place_nobody_ranked(world, tpu_api, draft_call):
    url = f"{TPU}/{draft_call.uuid}/places/{draft_call.place.uuid}"
    assert tpu_api.delete(url).status_code == 204
    assert tpu_api.delete(url).status_code == 404
    assert audited("mobility.place.deleted")


def test_a_ranked_place_cannot_be_removed(world, tpu_api, condition):
    call = make.call(world.tpu)
    place = make.place(call, condition)
    make.draft(call, make.student(world.tpu, "anna@tpu.ru"), places=[place])

    response = tpu_api.delete(f"{TPU}/{call.uuid}/places/{place.uuid}")

    assert response.status_code == 409
    assert "seats to 0" in response.json()["detail"]
