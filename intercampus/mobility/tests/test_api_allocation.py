"""Allocation in the API: the runs of a call (run inline or queued, review with cut-offs,
publish, re-allocate, the stored instance) with the pages' permissions, and the student's own
result with the cut-offs that explain it, and declining."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry
from intercampus.mobility.choices import ApplicationState, CallStatus, RunStatus
from intercampus.mobility.models import AllocationRun, Application
from intercampus.mobility.services import allocation as services
from intercampus.mobility.tests import test_calls_factories as make
from intercampus.mobility.tests.test_allocation_runs import AFTER, run, small_call

pytestmark = pytest.mark.django_db

API = "/api/v1"


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


@pytest.fixture
def small(world, monkeypatch):
    """TPU's closed call (see ``small_call``): anna 90, boris 80, chen 70, dmitri 60, eva 50."""
    monkeypatch.setattr(services, "current_time", lambda: AFTER)
    return small_call(world)


@pytest.fixture
def tpu_api(world) -> Client:
    return api_client(world.tpu_officer)


@pytest.fixture
def published(small):
    return services.allocation_publish(actor=None, run=run(small))


def _runs(small, schac: str = "tpu.ru") -> str:
    return f"{API}/institutions/{schac}/calls/{small.call.uuid}/runs"


def _result(small, name: str) -> str:
    return f"{API}/me/mobility/applications/{small.apps[name].uuid}/result"


def _decline(small, name: str) -> str:
    return f"{API}/me/mobility/applications/{small.apps[name].uuid}/decline"


def _staff_endpoints(small, done) -> list[tuple[str, str, dict | None]]:
    one = f"{_runs(small)}/{done.uuid}"
    return [
        ("get", _runs(small), None),
        ("post", _runs(small), {"early": True}),
        ("post", f"{_runs(small)}/reallocate", None),
        ("get", one, None),
        ("get", f"{one}/applications", None),
        ("post", f"{one}/publish", None),
        ("get", f"{one}/instance", None),
    ]


def _run_row(run_) -> AllocationRun:
    with scopes_disabled():
        return AllocationRun.objects.get(pk=run_.pk)


# --- Who may ---------------------------------------------------------------------------------


def test_anonymous_callers_get_401_on_every_endpoint(world, small, client):
    done = run(small)
    endpoints = [
        *_staff_endpoints(small, done),
        ("get", _result(small, "anna"), None),
        ("post", _decline(small, "anna"), None),
    ]
    for method, url, body in endpoints:
        assert send(client, method, url, body).status_code == 401, (method, url)


def test_staff_of_another_institution_get_404_on_every_endpoint(world, small):
    done = run(small)
    kth = api_client(world.kth_officer)
    for method, url, body in _staff_endpoints(small, done):
        assert send(kth, method, url, body).status_code == 404, (method, url)
    assert _run_row(done).status == RunStatus.DRAFT


def test_our_call_named_under_another_institution_is_404(world, small):
    done = run(small)
    kth = api_client(world.kth_officer)
    assert kth.get(_runs(small, "kth.se")).status_code == 404
    assert kth.get(f"{_runs(small, 'kth.se')}/{done.uuid}").status_code == 404


def test_another_calls_run_is_not_found_under_our_call(world, small, tpu_api):
    done = run(small)
    other = make.call(world.tpu, title="Other")
    url = f"{API}/institutions/tpu.ru/calls/{other.uuid}/runs/{done.uuid}"
    assert tpu_api.get(url).status_code == 404


def test_a_work_group_coordinator_gets_403_on_every_endpoint(world, small):
    done = run(small)
    coordinator = api_client(world.tpu_coordinator)
    for method, url, body in _staff_endpoints(small, done):
        assert send(coordinator, method, url, body).status_code == 403, (method, url)


def test_a_bad_uuid_is_refused_with_422(world, small, tpu_api):
    assert tpu_api.get(f"{_runs(small)}/not-a-uuid").status_code == 422
    response = tpu_api.get(f"{API}/institutions/tpu.ru/calls/42/runs")
    assert response.status_code == 422
    assert "call" in response.json()["detail"]


# --- Running ---------------------------------------------------------------------------------


def test_a_small_call_is_allocated_at_once_and_audited(world, small, tpu_api):
    response = send(tpu_api, "post", _runs(small), {})
    assert response.status_code == 201
    body = response.json()
    assert body["phase"] == "done"
    assert body["status"] == "draft"
    assert (body["placed"], body["unplaced"]) == (3, 2)
    assert body["created_by"] == world.tpu_officer.email
    assert body["publishable"] is True
    assert audited("mobility.allocation.run")
    results = {a["id"]: a["place"] for a in body["applications"]}
    assert results[small.uuid("anna")] == str(small.kth.uuid)
    assert results[small.uuid("dmitri")] is None
    # Best score first.
    assert [a["score"] for a in body["applications"]] == [90, 80, 70, 60, 50]


def test_a_run_shows_each_places_seats_placed_and_cutoff(world, small, tpu_api):
    done = run(small)
    body = tpu_api.get(f"{_runs(small)}/{done.uuid}").json()
    places = {p["place"]["id"]: p for p in body["places"]}
    kth = places[str(small.kth.uuid)]
    assert (kth["seats"], kth["placed"], kth["left"], kth["cutoff"]) == (1, 1, 0, 90.0)
    usp = places[str(small.usp.uuid)]
    # A seat was left: no cut-off.
    assert (usp["seats"], usp["placed"], usp["cutoff"]) == (2, 1, None)


def test_the_runs_of_a_call_are_listed_newest_first(world, small, tpu_api):
    first = run(small)
    second = run(small)
    body = tpu_api.get(_runs(small)).json()
    assert [r["id"] for r in body["items"]] == [str(second.uuid), str(first.uuid)]
    assert body["items"][1]["status"] == "superseded"


def test_a_large_call_is_queued_with_202_and_its_phase(world, small, tpu_api, monkeypatch):
    monkeypatch.setattr(services, "INLINE_LIMIT", 2)
    # An empty body is fine: ``early`` defaults to false.
    response = tpu_api.post(_runs(small), "", content_type="application/json")
    assert response.status_code == 202
    body = response.json()
    assert body["phase"] == "queued"
    assert body["places"] == body["applications"] == []
    assert audited("mobility.allocation.queued")
    one = f"{_runs(small)}/{body['id']}"
    assert tpu_api.get(one).json()["phase"] == "queued"
    # No results yet: nothing to replay or list.
    assert tpu_api.get(f"{one}/instance").status_code == 409
    assert tpu_api.get(f"{one}/applications").status_code == 409


def test_an_open_call_needs_early_to_be_allocated(world, small, tpu_api, monkeypatch):
    monkeypatch.setattr(
        services, "current_time", lambda: datetime.datetime(2027, 2, 20, tzinfo=datetime.UTC)
    )
    refused = send(tpu_api, "post", _runs(small))
    assert refused.status_code == 409
    assert refused.json()["field"] == "early"
    assert send(tpu_api, "post", _runs(small), {"early": True}).status_code == 201


def test_unknown_fields_and_non_booleans_are_refused_with_422(world, small, tpu_api):
    response = send(tpu_api, "post", _runs(small), {"early": True, "seed": 4})
    assert response.status_code == 422
    assert "seed" in response.json()["detail"]
    assert send(tpu_api, "post", _runs(small), {"early": "maybe"}).status_code == 422
    with scopes_disabled():
        assert not AllocationRun.objects.filter(call=small.call).exists()


def test_a_draft_call_cannot_be_allocated(world, tpu_api):
    call = make.call(world.tpu, status=CallStatus.DRAFT)
    response = send(tpu_api, "post", f"{API}/institutions/tpu.ru/calls/{call.uuid}/runs")
    assert response.status_code == 409


# --- Reviewing and publishing ----------------------------------------------------------------


def test_a_runs_applicants_are_listed_with_their_choices_and_filtered(world, small, tpu_api):
    done = run(small)
    url = f"{_runs(small)}/{done.uuid}/applications"
    body = tpu_api.get(url).json()
    assert body["count"] == 5
    chen = next(a for a in body["items"] if a["student"]["email"] == "chen@tpu.ru")
    assert chen["place"]["id"] == str(small.usp.uuid)
    assert chen["rank"] == 4
    assert [c["eligible"] for c in chen["choices"]] == [True, False, True, True]
    unplaced = tpu_api.get(url + "?result=unplaced").json()["items"]
    assert {a["student"]["email"] for a in unplaced} == {"dmitri@tpu.ru", "eva@tpu.ru"}
    assert tpu_api.get(url + "?result=nobody").status_code == 422


def test_the_stored_instance_can_be_downloaded(world, small, tpu_api):
    done = run(small)
    response = tpu_api.get(f"{_runs(small)}/{done.uuid}/instance")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    assert document["format"] == "alloc-instance/1"
    assert {a["id"] for a in document["applicants"]} == {small.uuid(n) for n in small.apps}


def test_publishing_a_run_places_the_students_and_is_audited(world, small, tpu_api):
    done = run(small)
    response = send(tpu_api, "post", f"{_runs(small)}/{done.uuid}/publish")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["publishable"] is False
    assert audited("mobility.allocation.published")
    assert small.refreshed("anna").state == ApplicationState.PLACED
    assert small.refreshed("eva").state == ApplicationState.UNPLACED
    again = send(tpu_api, "post", f"{_runs(small)}/{done.uuid}/publish")
    assert again.status_code == 409


def test_seats_freed_by_a_decline_are_reallocated_as_a_new_run(world, small, published, tpu_api):
    refused = send(tpu_api, "post", f"{_runs(small)}/reallocate")
    assert refused.status_code == 409
    services.allocation_decline(actor=small.students["anna"], application=small.refreshed("anna"))
    detail = tpu_api.get(f"{_runs(small)}/{published.uuid}").json()
    assert detail["freed_seats"] == 1
    response = send(tpu_api, "post", f"{_runs(small)}/reallocate")
    assert response.status_code == 201
    body = response.json()
    assert body["base_run"] == str(published.uuid)
    assert audited("mobility.allocation.reallocated")
    results = {a["id"]: a["place"] for a in body["applications"]}
    # Nobody placed moves; the freed KTH seat goes to the best student without a place.
    assert results[small.uuid("boris")] == str(small.polito.uuid)
    assert results[small.uuid("chen")] == str(small.usp.uuid)
    assert results[small.uuid("dmitri")] == str(small.kth.uuid)
    assert small.uuid("anna") not in results


# --- The student's result --------------------------------------------------------------------


def test_no_result_before_it_is_published(world, small):
    run(small)
    response = api_client(small.students["dmitri"]).get(_result(small, "dmitri"))
    assert response.status_code == 404
    assert "not published" in response.json()["detail"]


def test_an_unplaced_student_sees_the_cutoff_of_every_choice(world, small, published):
    body = api_client(small.students["dmitri"]).get(_result(small, "dmitri")).json()
    assert body["place"] is None
    assert body["summary"] == "You have no place this time."
    assert body["score"] == 60.0
    found = [(e["rank"], e["cutoff"], e["own_score"], e["why"]) for e in body["explanations"]]
    assert found == [(1, 80.0, 60.0, "below_cutoff"), (2, 90.0, 60.0, "below_cutoff")]
    assert body["explanations"][0]["text"] == (
        "At Politecnico di Torino (your 1st choice) the last student admitted had 80.00; "
        "your score is 60.00."
    )


def test_a_placed_student_sees_the_cutoffs_of_the_places_ranked_above_only(world, small, published):
    body = api_client(small.students["chen"]).get(_result(small, "chen")).json()
    assert body["place"]["id"] == str(small.usp.uuid)
    assert body["rank"] == 4
    assert body["summary"] == "You have a place at USP (your 4th choice)."
    # KTH and Polito, not the bachelor place (not eligible) nor USP itself.
    assert [e["rank"] for e in body["explanations"]] == [1, 3]
    assert [i["rank"] for i in body["ineligible"]] == [2]
    assert any("bachelor" in r for r in body["ineligible"][0]["reasons"])
    assert body["can_decline"] is True


def test_another_students_result_is_not_found(world, small, published):
    dmitri = api_client(small.students["dmitri"])
    assert dmitri.get(_result(small, "anna")).status_code == 404
    assert send(dmitri, "post", _decline(small, "anna")).status_code == 404
    assert small.refreshed("anna").state == ApplicationState.PLACED
    # Staff read results through the runs, never through a student's path.
    assert api_client(world.tpu_officer).get(_result(small, "anna")).status_code == 404


def test_a_student_declines_their_place(world, small, published):
    anna = api_client(small.students["anna"])
    response = send(anna, "post", _decline(small, "anna"))
    assert response.status_code == 200
    body = response.json()
    assert body["declined"] is True
    assert body["can_decline"] is False
    assert body["summary"] == "You declined your place at KTH."
    assert small.refreshed("anna").state == ApplicationState.DECLINED
    assert audited("mobility.allocation.declined")
    assert send(anna, "post", _decline(small, "anna")).status_code == 409


def test_an_unplaced_student_cannot_decline(world, small, published):
    response = send(api_client(small.students["eva"]), "post", _decline(small, "eva"))
    assert response.status_code == 409
    with scopes_disabled():
        assert Application.objects.get(pk=small.apps["eva"].pk).state == ApplicationState.UNPLACED


def test_a_bad_application_uuid_is_refused_with_422(world, small):
    response = api_client(small.students["anna"]).get(f"{API}/me/mobility/applications/x/result")
    assert response.status_code == 422


def test_the_openapi_document_lists_the_allocation_endpoints(world, client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert f"{API}/institutions/{{schac}}/calls/{{call}}/runs/{{run}}/publish" in paths
    assert f"{API}/me/mobility/applications/{{application}}/result" in paths
