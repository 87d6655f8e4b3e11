"""Projects in the API: anyone reads them, the consortium's secretariat manages them."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry
from intercampus.core.testing import user_with_role
from intercampus.network.models import Project, ProjectOutput

API = "/api/v1"
PROJECT = f"{API}/projects/incomm"
NEW_PROJECT = {
    "consortium": "cluster",
    "slug": "bridges",
    "acronym": "BRIDGES",
    "name": "Bridges to Siberia",
    "programme": "Erasmus+ capacity building",
    "start": "2026-01-01",
    "end": "2028-12-31",
}


def api_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def call(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def output(world) -> ProjectOutput:
    return ProjectOutput.objects.create(
        project=world.project, title="Toolkit", due=datetime.date(2022, 6, 30)
    )


@pytest.fixture
def secretariat_api(world) -> Client:
    return api_client(world.secretariat)


# --- Public reads ---------------------------------------------------------------------------


def test_anyone_lists_the_projects(world, client):
    body = client.get(f"{API}/projects/").json()
    assert body["count"] == 1
    assert body["items"][0]["slug"] == "incomm"
    assert body["items"][0]["consortium"] == "cluster"
    assert client.get(f"{API}/projects/?consortium=other").json()["count"] == 0


def test_a_project_shows_its_partners_and_outputs(world, client, output):
    body = client.get(PROJECT).json()
    assert body["acronym"] == "InComm"
    partners = {p["name"]: p for p in body["partners"]}
    assert partners["KTH Royal Institute of Technology"]["institution"] == "kth.se"
    assert partners["KTH Royal Institute of Technology"]["role"] == "coordinator"
    assert partners["TU Graz"] == {
        "uuid": partners["TU Graz"]["uuid"],
        "institution": None,
        "name": "TU Graz",
        "country": "AT",
        "role": "partner",
    }
    assert body["outputs"][0]["title"] == "Toolkit"


def test_an_unknown_project_is_404(world, client):
    assert client.get(f"{API}/projects/nope").status_code == 404


# --- The secretariat manages projects -------------------------------------------------------


def test_the_secretariat_creates_a_project(world, secretariat_api):
    response = call(secretariat_api, "post", f"{API}/projects/", NEW_PROJECT)
    assert response.status_code == 201
    assert response.json()["slug"] == "bridges"
    assert Project.objects.get(slug="bridges").consortium == world.consortium
    entry = AuditEntry.objects.get(action="network.project.created")
    assert entry.actor == world.secretariat
    assert entry.consortium == world.consortium


def test_a_project_cannot_end_before_it_starts(world, secretariat_api):
    body = {**NEW_PROJECT, "end": "2025-01-01"}
    response = call(secretariat_api, "post", f"{API}/projects/", body)
    assert response.status_code == 422
    assert "end:" in response.json()["detail"]


def test_a_taken_slug_is_refused(world, secretariat_api):
    response = call(secretariat_api, "post", f"{API}/projects/", {**NEW_PROJECT, "slug": "incomm"})
    assert response.status_code == 422
    assert "slug:" in response.json()["detail"]


def test_a_project_of_a_consortium_one_does_not_run_is_404(world, secretariat_api):
    response = call(secretariat_api, "post", f"{API}/projects/", {**NEW_PROJECT, "consortium": "x"})
    assert response.status_code == 404


def test_the_secretariat_changes_a_project(world, secretariat_api):
    response = call(secretariat_api, "patch", PROJECT, {"website": "https://incomm.example.org"})
    assert response.status_code == 200
    assert response.json()["website"] == "https://incomm.example.org"
    assert AuditEntry.objects.filter(action="network.project.changed").count() == 1


def test_a_bad_website_is_422(world, secretariat_api):
    response = call(secretariat_api, "patch", PROJECT, {"website": "not a url"})
    assert response.status_code == 422
    assert "website:" in response.json()["detail"]


def test_the_secretariat_adds_partners_on_and_off_the_platform(world, secretariat_api):
    on = call(secretariat_api, "post", f"{PROJECT}/partners", {"institution": "polito.it"})
    assert on.status_code == 201
    assert on.json()["institution"] == "polito.it"
    off = call(
        secretariat_api,
        "post",
        f"{PROJECT}/partners",
        {"outside_name": "Aalto Foundation", "outside_country": "FI"},
    )
    assert off.status_code == 201
    assert off.json()["country"] == "FI"
    assert AuditEntry.objects.filter(action="network.project_partner.created").count() == 2


def test_a_partner_is_an_institution_or_an_outside_organisation_not_both(world, secretariat_api):
    body = {"institution": "polito.it", "outside_name": "Polito Foundation"}
    response = call(secretariat_api, "post", f"{PROJECT}/partners", body)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert call(secretariat_api, "post", f"{PROJECT}/partners", {}).status_code == 422


def test_a_partner_cannot_join_twice(world, secretariat_api):
    response = call(secretariat_api, "post", f"{PROJECT}/partners", {"institution": "kth.se"})
    assert response.status_code == 409


def test_the_secretariat_adds_and_updates_an_output(world, secretariat_api):
    response = call(
        secretariat_api, "post", f"{PROJECT}/outputs", {"title": "Handbook", "due": "2022-05-01"}
    )
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "planned"
    response = call(
        secretariat_api, "patch", f"{PROJECT}/outputs/{created['uuid']}", {"status": "delivered"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "delivered"
    actions = [e.action for e in AuditEntry.objects.order_by("id")]
    assert actions == ["network.project_output.created", "network.project_output.changed"]


def test_an_output_with_an_unknown_status_is_422(world, secretariat_api, output):
    response = call(
        secretariat_api, "patch", f"{PROJECT}/outputs/{output.uuid}", {"status": "lost"}
    )
    assert response.status_code == 422
    assert "status:" in response.json()["detail"]


def _project_writes(output) -> list[tuple[str, str, dict]]:
    return [
        ("post", f"{API}/projects/", NEW_PROJECT),
        ("patch", PROJECT, {"name": "Renamed"}),
        ("post", f"{PROJECT}/partners", {"institution": "polito.it"}),
        ("post", f"{PROJECT}/outputs", {"title": "Handbook"}),
        ("patch", f"{PROJECT}/outputs/{output.uuid}", {"status": "delivered"}),
    ]


def test_project_writes_are_404_for_staff_of_other_institutions(world, output):
    for user in (world.kth_officer, world.tpu_coordinator):
        client = api_client(user)
        for method, url, body in _project_writes(output):
            assert call(client, method, url, body).status_code == 404, (user, method, url)
    assert not AuditEntry.objects.exists()


def test_project_writes_are_403_without_the_secretariat_role(world, output):
    with scopes_disabled():
        officer = user_with_role("iro@kuleuven.be", world.leuven, RoleKind.INTERNATIONAL_OFFICER)
    client = api_client(officer)
    for method, url, body in _project_writes(output):
        assert call(client, method, url, body).status_code == 403, (method, url)
    assert not AuditEntry.objects.exists()
