"""Bad input gets a 4xx JSON answer that names the problem; never a 500."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry

API = "/api/v1"
MEMBERSHIPS = f"{API}/consortia/cluster/memberships"
GOOD = {"institution": "kth.se", "kind": "member", "since": "2030-01-01"}


@pytest.fixture
def secretariat_api(world) -> Client:
    _token, raw = ApiToken.objects.issue(user=world.secretariat, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body) -> object:
    return client.post(url, body, content_type="application/json")


def test_malformed_json_is_400_with_a_message(secretariat_api):
    response = post(secretariat_api, MEMBERSHIPS, '{"institution": "kth.se",')
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON."}


def test_a_body_that_is_not_an_object_is_422(secretariat_api):
    response = post(secretariat_api, MEMBERSHIPS, "[1, 2, 3]")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Invalid input.")


def test_an_empty_body_is_422(secretariat_api):
    response = secretariat_api.post(MEMBERSHIPS, content_type="application/json")
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "founder"}, "kind"),
        ({"kind": 7}, "kind"),
        ({"institution": ["kth.se"]}, "institution"),
        ({"since": 1_700_000_000}, "since"),
        ({"since": "2030-02-30"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"since": None}, "since"),
        ({"institution": "x" * 101}, "institution"),
        ({"nickname": "KTH"}, "nickname"),
    ],
)
def test_wrong_types_bad_dates_long_and_unknown_fields_are_422_naming_the_field(
    secretariat_api, change, field
):
    response = post(secretariat_api, MEMBERSHIPS, {**GOOD, **change})
    assert response.status_code == 422
    body = response.json()
    assert f"{field}:" in body["detail"]
    assert any(error["loc"][-1] == field for error in body["errors"])
    assert not AuditEntry.objects.exists()


def test_a_missing_field_is_422_saying_it_is_required(secretariat_api):
    response = post(secretariat_api, MEMBERSHIPS, {"institution": "kth.se", "kind": "member"})
    assert response.status_code == 422
    assert response.json()["detail"] == "Invalid input. since: This field is required."


def test_an_unknown_institution_in_the_body_is_422_on_that_field(secretariat_api):
    response = post(secretariat_api, MEMBERSHIPS, {**GOOD, "institution": "nowhere.example"})
    assert response.status_code == 422
    assert "institution:" in response.json()["detail"]
    assert "nowhere.example" in response.json()["detail"]


def test_a_rule_of_a_service_answers_with_its_status_and_message(secretariat_api):
    # KTH already belongs to CLUSTER: the service refuses with 409.
    response = post(secretariat_api, MEMBERSHIPS, {**GOOD, "since": "2020-01-01"})
    assert response.status_code == 409
    body = response.json()
    assert "already belongs" in body["detail"]
    assert body["field"] == "institution"


def test_a_model_validation_error_is_422_with_the_field_message(world, secretariat_api):
    membership = world.consortium.memberships.get(institution=world.kth)
    response = secretariat_api.patch(
        f"{MEMBERSHIPS}/{membership.uuid}",
        {"until": "1980-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert "until: A membership cannot end before it starts." in body["detail"]
    assert body["errors"][0]["loc"][-1] == "until"


def test_a_malformed_uuid_in_the_path_is_422(secretariat_api):
    response = secretariat_api.patch(
        f"{MEMBERSHIPS}/not-a-uuid", {"kind": "member"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "membership:" in response.json()["detail"]


def test_an_unknown_object_is_404_not_found(world, client):
    response = client.get(f"{API}/consortia/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_pagination_limit_that_is_not_a_number_is_422(world, client):
    response = client.get(f"{API}/consortia/?limit=lots")
    assert response.status_code == 422
    assert "limit:" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/consortia/", "/projects/", "/institutions/"])
def test_an_offset_beyond_any_list_is_422_not_a_database_error(world, client, url):
    response = client.get(f"{API}{url}?offset={10**27}")

    assert response.status_code == 422
    assert "offset:" in response.json()["detail"]


def test_an_offset_beyond_any_list_of_journeys_or_matches_is_422(world, tpu_officer_client):
    matches = f"onboarding/institutions/tpu.ru/buddy-programmes/{uuid.uuid4()}/matches"
    for url in ["onboarding/institutions/tpu.ru/journeys", matches]:
        response = tpu_officer_client.get(f"{API}/{url}?offset={10**27}")

        assert response.status_code == 422, url


def test_a_conflict_in_the_database_is_409(world, secretariat_api, monkeypatch):
    from django.db import IntegrityError

    from intercampus.network import services

    def clash(**kwargs):
        raise IntegrityError("UNIQUE constraint failed")

    monkeypatch.setattr(services, "membership_add", clash)
    response = post(secretariat_api, MEMBERSHIPS, GOOD)
    assert response.status_code == 409
    assert response.json()["detail"]


def test_an_unknown_api_path_answers_404_in_json(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "/api/v1/no-such-thing/" in response.json()["detail"]


@pytest.mark.parametrize("method", ["post", "delete", "patch"])
@pytest.mark.parametrize("path", ["events/null,null/registration", "no/such\nthing"])
def test_an_unknown_api_path_answers_404_in_json_whatever_the_method(world, method, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.student)

    response = getattr(client, method)(f"{API}/{path}")

    assert response.status_code == 404
    assert response.json()["detail"]
