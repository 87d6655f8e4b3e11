"""Institutions in the API: the public directory and profiles, and what their IRO changes."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry
from intercampus.institutions.models import Headcount, OrganisationalUnit, Person

API = "/api/v1"
KTH = f"{API}/institutions/kth.se"
COUNTS = {"professors": 11, "teachers": 22, "phd_students": 33, "students": 44}


def api_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def call(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def school(world) -> OrganisationalUnit:
    return OrganisationalUnit.objects.get(institution=world.kth)


@pytest.fixture
def kth_api(world) -> Client:
    return api_client(world.kth_officer)


# --- Public reads ---------------------------------------------------------------------------


def test_anyone_lists_the_institutions(world, client):
    body = client.get(f"{API}/institutions/").json()
    assert body["count"] == 5
    assert body["items"][0] == {
        "id": "kth.se",
        "name": "KTH Royal Institute of Technology",
        "short_name": "KTH",
        "country": "SE",
        "city": "Stockholm",
        "website": "",
    }


def test_the_directory_filters_by_country_and_search_text(world, client):
    assert [i["id"] for i in client.get(f"{API}/institutions/?country=br").json()["items"]] == [
        "usp.br"
    ]
    assert [i["id"] for i in client.get(f"{API}/institutions/?q=tomsk").json()["items"]] == [
        "tpu.ru"
    ]
    assert client.get(f"{API}/institutions/?q=nowhere").json()["count"] == 0


def test_an_institution_shows_its_profile_units_and_latest_headcounts(world, client, school):
    Headcount.objects.create(institution=world.kth, year=2024, category="students", count=9)
    body = client.get(KTH).json()
    assert body["erasmus_code"] == "S  STOCKHO04"
    assert body["languages"] == ["sv", "en"]
    assert body["units"] == [
        {
            "uuid": str(school.uuid),
            "name": "School of Engineering Sciences",
            "code": "",
            "kind": "faculty",
            "website": "",
            "parent": None,
        }
    ]
    assert body["headcounts"] == {
        "year": 2025,
        "professors": 10,
        "teachers": 10,
        "phd_students": 10,
        "students": 10,
    }


def test_an_unknown_institution_is_404(world, client):
    assert client.get(f"{API}/institutions/nowhere.example").json() == {"detail": "Not found."}


# --- The IRO changes the profile, units and headcounts --------------------------------------


def test_the_iro_changes_the_profile(world, kth_api):
    response = call(kth_api, "patch", KTH, {"website": "https://www.kth.se", "languages": ["en"]})
    assert response.status_code == 200
    assert response.json()["website"] == "https://www.kth.se"
    world.kth.refresh_from_db()
    assert world.kth.languages == ["en"]
    entry = AuditEntry.objects.get(action="institutions.institution.changed")
    assert entry.actor == world.kth_officer
    assert entry.institution == world.kth


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"country": "NO"}, "country"),
        ({"schac": "kth.example"}, "schac"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"languages": ["not a tag!"]}, "languages"),
        ({"name": "x" * 201}, "name"),
        ({"languages": "en"}, "languages"),
        ({"name": None}, "name"),
    ],
)
def test_a_bad_profile_change_is_422_naming_the_field(world, kth_api, body, field):
    response = call(kth_api, "patch", KTH, body)
    assert response.status_code == 422
    assert f"{field}:" in response.json()["detail"]
    assert not AuditEntry.objects.exists()


def test_the_iro_adds_changes_and_deletes_a_unit(world, kth_api, school):
    response = call(
        kth_api,
        "post",
        f"{KTH}/units",
        {"name": "Department of Physics", "kind": "department", "parent": str(school.uuid)},
    )
    assert response.status_code == 201
    unit = response.json()
    assert unit["parent"] == str(school.uuid)
    response = call(kth_api, "patch", f"{KTH}/units/{unit['uuid']}", {"code": "SCI-PHYS"})
    assert response.status_code == 200
    assert response.json()["code"] == "SCI-PHYS"
    assert call(kth_api, "delete", f"{KTH}/units/{unit['uuid']}").status_code == 204
    actions = [e.action for e in AuditEntry.objects.order_by("id")]
    assert actions == [
        "institutions.unit.created",
        "institutions.unit.changed",
        "institutions.unit.deleted",
    ]


def test_a_unit_with_sub_units_cannot_be_deleted(world, kth_api, school):
    OrganisationalUnit.objects.create(
        institution=world.kth, parent=school, name="Physics", kind="department"
    )
    response = call(kth_api, "delete", f"{KTH}/units/{school.uuid}")
    assert response.status_code == 409
    assert "sub-units" in response.json()["detail"]


def test_a_unit_of_another_institution_cannot_be_a_parent(world, kth_api):
    foreign = OrganisationalUnit.objects.create(institution=world.tpu, name="X", kind="faculty")
    response = call(
        kth_api,
        "post",
        f"{KTH}/units",
        {"name": "Y", "kind": "faculty", "parent": str(foreign.uuid)},
    )
    assert response.status_code == 422
    assert "parent:" in response.json()["detail"]


def test_a_second_unit_with_the_same_name_is_refused(world, kth_api, school):
    response = call(kth_api, "post", f"{KTH}/units", {"name": school.name, "kind": "faculty"})
    assert response.status_code == 400
    assert response.json()["field"] == "name"


def test_the_iro_sets_a_years_headcounts(world, kth_api):
    response = call(kth_api, "put", f"{KTH}/headcounts/2026", COUNTS)
    assert response.status_code == 200
    assert response.json() == {"year": 2026, **COUNTS}
    assert Headcount.objects.filter(institution=world.kth, year=2026).count() == 4
    assert AuditEntry.objects.filter(action="institutions.headcount.set").count() == 4
    assert Client().get(KTH).json()["headcounts"]["year"] == 2026


@pytest.mark.parametrize(
    "body",
    [
        {**COUNTS, "professors": -1},
        {**COUNTS, "professors": "many"},
        {**COUNTS, "professors": 1.5},
        {**COUNTS, "professors": True},
        {"professors": 1},
        {**COUNTS, "assistants": 3},
    ],
)
def test_bad_headcounts_are_422(world, kth_api, body):
    response = call(kth_api, "put", f"{KTH}/headcounts/2026", body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Invalid input.")
    assert not Headcount.objects.filter(year=2026).exists()


@pytest.mark.parametrize(("year", "status"), [(1800, 400), (9999, 400), ("next", 422)])
def test_a_year_out_of_range_is_refused(world, kth_api, year, status):
    response = call(kth_api, "put", f"{KTH}/headcounts/{year}", COUNTS)
    assert response.status_code == status
    assert "year" in response.json()["detail"] or response.json().get("field") == "year"


# --- People: personal data, for the institution's own staff ---------------------------------


def test_the_iro_lists_and_adds_people(world, kth_api, school):
    response = call(
        kth_api,
        "post",
        f"{KTH}/people",
        {
            "given_name": "Anna",
            "family_name": "Lind",
            "email": "anna@kth.se",
            "unit": str(school.uuid),
        },
    )
    assert response.status_code == 201
    assert response.json()["unit"] == str(school.uuid)
    assert AuditEntry.objects.filter(action="institutions.person.created").count() == 1
    listed = kth_api.get(f"{KTH}/people").json()
    assert listed["count"] == 1
    assert listed["items"][0]["email"] == "anna@kth.se"


def test_people_are_only_those_of_the_institution(world, tpu_officer_client):
    body = tpu_officer_client.get(f"{API}/institutions/tpu.ru/people").json()
    assert [p["family_name"] for p in body["items"]] == ["Smirnova"]


def test_a_person_with_a_bad_email_is_422(world, kth_api):
    response = call(
        kth_api, "post", f"{KTH}/people", {"given_name": "A", "family_name": "B", "email": "nope"}
    )
    assert response.status_code == 422
    assert "email:" in response.json()["detail"]
    with scopes_disabled():
        assert not Person.objects.filter(institution=world.kth).exists()


def test_people_are_hidden_from_anonymous_callers(world, client):
    assert client.get(f"{API}/institutions/tpu.ru/people").status_code == 401


# --- Who may do what ------------------------------------------------------------------------


def _writes(schac: str, unit_uuid) -> list[tuple[str, str, dict | None]]:
    base = f"{API}/institutions/{schac}"
    return [
        ("patch", base, {"city": "Elsewhere"}),
        ("post", f"{base}/units", {"name": "New", "kind": "office"}),
        ("patch", f"{base}/units/{unit_uuid}", {"code": "X"}),
        ("delete", f"{base}/units/{unit_uuid}", None),
        ("put", f"{base}/headcounts/2026", COUNTS),
        ("get", f"{base}/people", None),
        ("post", f"{base}/people", {"given_name": "A", "family_name": "B"}),
    ]


def test_staff_of_another_institution_get_404(world, school):
    for user in (world.tpu_officer, world.secretariat, world.student):
        client = api_client(user)
        for method, url, body in _writes("kth.se", school.uuid):
            response = call(client, method, url, body)
            assert response.status_code == 404, (user, method, url)
            assert response.json() == {"detail": "Not found."}
    assert not AuditEntry.objects.exists()


def test_staff_without_the_permission_get_403(world):
    unit = OrganisationalUnit.objects.create(institution=world.tpu, name="Office", kind="office")
    client = api_client(world.tpu_coordinator)
    for method, url, body in _writes("tpu.ru", unit.uuid):
        response = call(client, method, url, body)
        assert response.status_code == 403, (method, url)
        assert "Tomsk" in response.json()["detail"]
    assert not AuditEntry.objects.exists()
