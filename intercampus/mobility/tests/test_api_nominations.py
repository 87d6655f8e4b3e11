"""Nominations in the API: KTH (home) nominates its placed students, one or all of a call, and
cancels; TPU (host) lists what it received, accepts or rejects with a reason; KTH exports its
nominations as EWP Outgoing Mobilities XML. With the pages' permissions: outsiders 404, other
roles 403, anonymous 401."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry
from intercampus.interop import schemas
from intercampus.mobility import ewp_omobilities
from intercampus.mobility.choices import ApplicationState, NominationStatus
from intercampus.mobility.models import Application, Nomination
from intercampus.mobility.services import nominations as services
from intercampus.mobility.tests import test_calls_factories as calls
from intercampus.mobility.tests import test_nominations_factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1"
KTH = f"{API}/institutions/kth.se/nominations"
TPU = f"{API}/institutions/tpu.ru/nominations"


def api_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def send(client: Client, method: str, url: str, body=None):
    """A JSON request (``{}`` when no body is given, as a script would send)."""
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, body, content_type="application/json")


def audited(action: str) -> bool:
    return AuditEntry.objects.filter(action=action).exists()


def state_of(application) -> str:
    with scopes_disabled():
        return Application.objects.get(pk=application.pk).state


@pytest.fixture
def placed(world):
    """KTH's call, its place at TPU (2 seats under the agreement), the world's student placed."""
    return f.kth_placed(world)


@pytest.fixture
def nomination(world, placed):
    _call, _place, application = placed
    return services.nomination_create(actor=world.kth_officer, application=application)


@pytest.fixture
def kth_api(world) -> Client:
    return api_client(world.kth_officer)


@pytest.fixture
def tpu_api(world) -> Client:
    return api_client(world.tpu_officer)


def _home_endpoints(placed, nomination) -> list[tuple[str, str, dict | None]]:
    call, _place, application = placed
    return [
        ("get", KTH, None),
        ("post", KTH, {"application": str(application.uuid)}),
        ("post", KTH, {"call": str(call.uuid)}),
        ("get", f"{KTH}/omobilities", None),
        ("get", f"{KTH}/{nomination.uuid}", None),
        ("post", f"{KTH}/{nomination.uuid}/cancel", {"reason": "No"}),
    ]


def _host_endpoints(nomination) -> list[tuple[str, str, dict | None]]:
    one = f"{TPU}/incoming/{nomination.uuid}"
    return [
        ("get", f"{TPU}/incoming", None),
        ("get", one, None),
        ("post", f"{one}/accept", None),
        ("post", f"{one}/reject", {"reason": "Full"}),
    ]


# --- Who may ---------------------------------------------------------------------------------


def test_anonymous_callers_get_401_on_every_endpoint(world, client, placed, nomination):
    for method, url, body in [*_home_endpoints(placed, nomination), *_host_endpoints(nomination)]:
        assert send(client, method, url, body).status_code == 401, (method, url)


def test_staff_of_another_institution_get_404_on_every_endpoint(world, placed, nomination):
    polito = api_client(f.officer(world.polito, "iro@polito.it"))
    for method, url, body in [*_home_endpoints(placed, nomination), *_host_endpoints(nomination)]:
        assert send(polito, method, url, body).status_code == 404, (method, url)
    with scopes_disabled():
        assert Nomination.objects.get(pk=nomination.pk).status == NominationStatus.PENDING


def test_the_host_cannot_use_the_homes_endpoints_nor_the_home_the_hosts(
    world, placed, nomination, kth_api, tpu_api
):
    for method, url, body in _home_endpoints(placed, nomination):
        assert send(tpu_api, method, url, body).status_code == 404, (method, url)
    for method, url, body in _host_endpoints(nomination):
        assert send(kth_api, method, url, body).status_code == 404, (method, url)
    with scopes_disabled():
        assert Nomination.objects.get(pk=nomination.pk).status == NominationStatus.PENDING


def test_a_nomination_named_under_the_wrong_side_is_404(
    world, placed, nomination, kth_api, tpu_api
):
    # KTH sent it: it is not among KTH's incoming ones, nor among TPU's own.
    assert kth_api.get(f"{KTH}/incoming/{nomination.uuid}").status_code == 404
    assert send(kth_api, "post", f"{KTH}/incoming/{nomination.uuid}/accept").status_code == 404
    assert tpu_api.get(f"{TPU}/{nomination.uuid}").status_code == 404


def test_staff_without_the_permission_get_403_on_every_endpoint(world, placed, nomination):
    kth_programmes = api_client(
        f.officer(world.kth, "programmes@kth.se", RoleKind.PROGRAMME_COORDINATOR)
    )
    for method, url, body in _home_endpoints(placed, nomination):
        assert send(kth_programmes, method, url, body).status_code == 403, (method, url)
    coordinator = api_client(world.tpu_coordinator)
    for method, url, body in _host_endpoints(nomination):
        assert send(coordinator, method, url, body).status_code == 403, (method, url)


def test_the_nominated_student_cannot_use_the_staff_endpoints(world, placed, nomination):
    student = api_client(world.student)
    assert student.get(KTH).status_code == 404
    assert student.get(f"{KTH}/{nomination.uuid}").status_code == 404


# --- The home's side -------------------------------------------------------------------------


def test_kth_nominates_its_placed_student_and_it_is_audited(world, placed, kth_api):
    _call, place, application = placed
    response = send(kth_api, "post", KTH, {"application": str(application.uuid)})
    assert response.status_code == 201
    created = response.json()["created"]
    assert len(created) == 1
    assert created[0]["status"] == "pending"
    assert created[0]["host"] == {"id": "tpu.ru", "name": world.tpu.display_name}
    assert created[0]["place"]["id"] == str(place.uuid)
    assert created[0]["missing_for_ewp"] == []
    assert state_of(application) == ApplicationState.NOMINATED
    assert audited("mobility.nomination.created")
    again = send(kth_api, "post", KTH, {"application": str(application.uuid)})
    assert again.status_code == 409


def test_kth_nominates_every_placed_student_of_a_call_and_learns_who_was_refused(
    world, placed, kth_api
):
    call, place, application = placed
    # The agreement has 2 mobilities a year: the third student (lowest score) has no seat.
    bo = f.placed(call, place, f.named_student(world.kth, "Bo", "Ek"), score="90")
    cy = f.placed(call, place, f.named_student(world.kth, "Cy", "Lo"), score="10")
    response = send(kth_api, "post", KTH, {"call": str(call.uuid)})
    assert response.status_code == 201
    body = response.json()
    assert {n["application"] for n in body["created"]} == {str(bo.uuid), str(application.uuid)}
    assert [r["application"] for r in body["refused"]] == [str(cy.uuid)]
    assert "all nominated already" in body["refused"][0]["reason"]
    assert state_of(cy) == ApplicationState.PLACED
    nothing = send(kth_api, "post", KTH, {"call": str(call.uuid)})
    assert nothing.status_code == 200
    assert nothing.json()["created"] == []


def test_a_nominate_request_names_exactly_one_application_or_call(world, placed, kth_api):
    call, _place, application = placed
    both = {"application": str(application.uuid), "call": str(call.uuid)}
    assert send(kth_api, "post", KTH, both).status_code == 422
    assert send(kth_api, "post", KTH, {}).status_code == 422
    unknown = send(kth_api, "post", KTH, {"application": str(application.uuid), "host": "x"})
    assert unknown.status_code == 422
    assert "host" in unknown.json()["detail"]
    assert send(kth_api, "post", KTH, {"application": "not-a-uuid"}).status_code == 422
    assert send(kth_api, "post", KTH, {"application": str(uuid.uuid4())}).status_code == 404
    assert state_of(application) == ApplicationState.PLACED


def test_another_institutions_application_or_call_cannot_be_nominated(world, placed, tpu_api):
    call, _place, application = placed
    assert send(tpu_api, "post", TPU, {"application": str(application.uuid)}).status_code == 404
    assert send(tpu_api, "post", TPU, {"call": str(call.uuid)}).status_code == 404
    assert state_of(application) == ApplicationState.PLACED


def test_kth_lists_its_nominations_by_call_and_status(world, placed, nomination, kth_api):
    call, _place, _application = placed
    body = kth_api.get(KTH).json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["id"] == str(nomination.uuid)
    assert row["student"]["name"] == "Astrid Lindqvist"
    assert row["call"]["id"] == str(call.uuid)
    assert kth_api.get(f"{KTH}?call={call.uuid}&status=pending").json()["count"] == 1
    assert kth_api.get(f"{KTH}?status=accepted").json()["count"] == 0
    assert kth_api.get(f"{KTH}?status=lost").status_code == 422
    assert kth_api.get(f"{KTH}?call=42").status_code == 422
    tpu_call = calls.call(world.tpu)
    assert kth_api.get(f"{KTH}?call={tpu_call.uuid}").status_code == 404


def test_kth_cancels_a_nomination_and_it_is_audited(world, placed, nomination, kth_api):
    _call, _place, application = placed
    url = f"{KTH}/{nomination.uuid}/cancel"
    assert send(kth_api, "post", url, {"reason": "x", "notify": False}).status_code == 422
    response = send(kth_api, "post", url, {"reason": "The student fell ill."})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["reason"] == "The student fell ill."
    assert state_of(application) == ApplicationState.DECLINED
    assert audited("mobility.nomination.cancelled")
    assert send(kth_api, "post", url).status_code == 409


# --- The host's side -------------------------------------------------------------------------


def test_tpu_sees_the_nominations_addressed_to_it(world, nomination, tpu_api):
    body = tpu_api.get(f"{TPU}/incoming").json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["id"] == str(nomination.uuid)
    assert row["home"]["id"] == "kth.se"
    assert (row["student"]["given_names"], row["student"]["family_name"]) == (
        "Astrid",
        "Lindqvist",
    )
    assert row["academic_year"] == f.YEAR
    assert tpu_api.get(f"{TPU}/incoming?status=accepted").json()["count"] == 0
    assert tpu_api.get(f"{TPU}/incoming?status=maybe").status_code == 422


def test_tpu_accepts_a_nomination_and_it_is_audited(world, placed, nomination, tpu_api):
    _call, _place, application = placed
    url = f"{TPU}/incoming/{nomination.uuid}/accept"
    response = send(tpu_api, "post", url)
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert state_of(application) == ApplicationState.ACCEPTED
    assert audited("mobility.nomination.accepted")
    assert send(tpu_api, "post", url).status_code == 409


def test_a_rejection_needs_a_reason(world, placed, nomination, tpu_api):
    _call, _place, application = placed
    url = f"{TPU}/incoming/{nomination.uuid}/reject"
    missing = send(tpu_api, "post", url, {})
    assert missing.status_code == 422
    assert "reason" in missing.json()["detail"]
    assert send(tpu_api, "post", url, {"reason": "   "}).status_code == 422
    assert send(tpu_api, "post", url, {"reason": "x" * 2001}).status_code == 422
    assert send(tpu_api, "post", url, {"reason": "Full", "copy": True}).status_code == 422
    assert state_of(application) == ApplicationState.NOMINATED


def test_tpu_rejects_a_nomination_with_its_reason_and_it_is_audited(
    world, placed, nomination, tpu_api, kth_api
):
    _call, _place, application = placed
    url = f"{TPU}/incoming/{nomination.uuid}/reject"
    response = send(tpu_api, "post", url, {"reason": "No course in English this term."})
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert state_of(application) == ApplicationState.REJECTED
    assert audited("mobility.nomination.rejected")
    # The home reads the reason on its own nomination.
    assert kth_api.get(f"{KTH}/{nomination.uuid}").json()["reason"] == (
        "No course in English this term."
    )


# --- The EWP export --------------------------------------------------------------------------


def test_kth_exports_its_nominations_as_valid_outgoing_mobilities_xml(
    world, placed, nomination, kth_api
):
    call, place, _application = placed
    unknown = f.placed(call, place, f.named_student(world.kth, "Bo", "Ek", profile=False))
    services.nomination_create(actor=world.kth_officer, application=unknown)
    response = kth_api.get(f"{KTH}/omobilities?call={call.uuid}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert schemas.validate(response.content, ewp_omobilities.KIND) == []
    assert nomination.omobility_id.encode() in response.content
    # Bo's birth date and nationality are unknown: left out, and counted.
    assert response["X-Left-Out"] == "1"
    rows = {n["student"]["email"]: n for n in kth_api.get(KTH).json()["items"]}
    assert rows[unknown.student.email]["missing_for_ewp"]


def test_the_export_refuses_another_institutions_call(world, placed, kth_api):
    tpu_call = calls.call(world.tpu)
    assert kth_api.get(f"{KTH}/omobilities?call={tpu_call.uuid}").status_code == 404
    assert kth_api.get(f"{KTH}/omobilities?call=nope").status_code == 422
