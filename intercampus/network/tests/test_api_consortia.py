"""The consortium in the API: public reads, and memberships managed by the secretariat."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry
from intercampus.core.testing import user_with_role
from intercampus.institutions.models import Headcount, Institution
from intercampus.network.models import Membership

API = "/api/v1"


def api_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def call(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def epfl(world) -> Institution:
    return Institution.objects.create(
        schac="epfl.ch", name="EPFL", country="CH", city="Lausanne", timezone="Europe/Zurich"
    )


@pytest.fixture
def leuven_officer(world):
    """Staff of the secretariat's institution, but not in the secretariat."""
    with scopes_disabled():
        return user_with_role("iro@kuleuven.be", world.leuven, RoleKind.INTERNATIONAL_OFFICER)


# --- Public reads ---------------------------------------------------------------------------


def test_anyone_lists_the_consortia(world, client):
    response = client.get(f"{API}/consortia/")
    assert response.status_code == 200
    assert response.json() == {
        "items": [{"slug": "cluster", "name": "CLUSTER", "acronym": "CLUSTER", "website": ""}],
        "count": 1,
    }


def test_the_consortium_shows_members_associate_partners_and_totals(world, client):
    response = client.get(f"{API}/consortia/cluster")
    assert response.status_code == 200
    body = response.json()
    assert [m["id"] for m in body["members"]] == ["kth.se", "kuleuven.be", "polito.it"]
    assert [m["id"] for m in body["associate_partners"]] == ["tpu.ru", "usp.br"]
    assert body["associate_partners"][0] == {
        "id": "tpu.ru",
        "name": "Tomsk Polytechnic University",
        "country": "RU",
        "city": "Tomsk",
        "since": "2005-01-01",
    }
    assert body["totals_year"] == 2025
    assert body["totals_years"] == [{"year": 2025, "institutions": 5}]
    assert body["totals"] == {
        "professors": 150,
        "teachers": 150,
        "phd_students": 150,
        "students": 150,
    }
    assert body["secretariat"]["id"] == "kuleuven.be"
    assert body["work_groups"][0]["slug"] == "associate-partners"
    assert body["work_groups"][0]["coordinator"]["id"] == "tpu.ru"


def test_an_ended_membership_leaves_the_lists_but_stays_in_the_history(world, client):
    Membership.objects.filter(institution=world.usp).update(until=datetime.date(2024, 12, 31))
    body = client.get(f"{API}/consortia/cluster").json()
    assert [m["id"] for m in body["associate_partners"]] == ["tpu.ru"]
    assert body["totals"]["professors"] == 100
    history = client.get(f"{API}/consortia/cluster/memberships").json()
    assert history["count"] == 5
    current = client.get(f"{API}/consortia/cluster/memberships?current=true").json()
    assert current["count"] == 4
    ended = client.get(f"{API}/consortia/cluster/memberships?current=false").json()
    assert [m["institution"]["id"] for m in ended["items"]] == ["usp.br"]
    assert ended["items"][0]["until"] == "2024-12-31"


def test_lists_are_paginated_with_limit_and_offset(world, client):
    page = client.get(f"{API}/consortia/cluster/memberships?limit=2&offset=2").json()
    assert page["count"] == 5
    assert [m["institution"]["id"] for m in page["items"]] == ["polito.it", "tpu.ru"]


def test_an_unknown_consortium_is_404(world, client):
    assert client.get(f"{API}/consortia/nope").json() == {"detail": "Not found."}
    assert client.get(f"{API}/consortia/nope/memberships").status_code == 404


# --- The secretariat manages memberships ----------------------------------------------------


def test_the_secretariat_adds_an_associate_partner(world, epfl):
    response = call(
        api_client(world.secretariat),
        "post",
        f"{API}/consortia/cluster/memberships",
        {"institution": "epfl.ch", "kind": "associate", "since": "2026-01-01"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["institution"]["id"] == "epfl.ch"
    assert body["kind"] == "associate"
    assert world.consortium.memberships.filter(institution=epfl, until__isnull=True).exists()
    entry = AuditEntry.objects.get(action="network.membership.created")
    assert entry.actor == world.secretariat
    assert entry.consortium == world.consortium


def test_the_secretariat_ends_a_membership(world, secretariat_client):
    membership = world.consortium.memberships.get(institution=world.usp)
    response = call(
        secretariat_client,
        "patch",
        f"{API}/consortia/cluster/memberships/{membership.uuid}",
        {"until": "2025-12-31"},
    )
    assert response.status_code == 200
    assert response.json()["until"] == "2025-12-31"
    membership.refresh_from_db()
    assert membership.until == datetime.date(2025, 12, 31)
    assert membership.kind == "associate"
    assert AuditEntry.objects.filter(action="network.membership.changed").count() == 1


def test_a_second_open_membership_is_a_409_conflict(world):
    response = call(
        api_client(world.secretariat),
        "post",
        f"{API}/consortia/cluster/memberships",
        {"institution": "tpu.ru", "kind": "member", "since": "2026-01-01"},
    )
    assert response.status_code == 409
    assert "already belongs" in response.json()["detail"]


def test_a_membership_of_another_consortium_is_not_found(world, epfl):
    response = call(
        api_client(world.secretariat),
        "patch",
        f"{API}/consortia/cluster/memberships/00000000-0000-0000-0000-000000000000",
        {"kind": "member"},
    )
    assert response.status_code == 404


def _membership_writes(world) -> list[tuple[str, str, dict]]:
    membership = world.consortium.memberships.get(institution=world.usp)
    return [
        (
            "post",
            f"{API}/consortia/cluster/memberships",
            {"institution": "kth.se", "kind": "member", "since": "2026-01-01"},
        ),
        ("patch", f"{API}/consortia/cluster/memberships/{membership.uuid}", {"kind": "member"}),
    ]


def test_staff_of_other_institutions_get_404(world):
    for user in (world.kth_officer, world.tpu_coordinator, world.tpu_officer, world.student):
        client = api_client(user)
        for method, url, body in _membership_writes(world):
            response = call(client, method, url, body)
            assert response.status_code == 404, (user, method, url)
            assert response.json() == {"detail": "Not found."}
    assert not AuditEntry.objects.exists()


def test_staff_of_the_secretariat_institution_without_the_role_get_403(world, leuven_officer):
    client = api_client(leuven_officer)
    for method, url, body in _membership_writes(world):
        response = call(client, method, url, body)
        assert response.status_code == 403, (method, url)
        assert "KU Leuven" in response.json()["detail"]
    assert not AuditEntry.objects.exists()


def test_anonymous_writes_get_401(world, client):
    for method, url, body in _membership_writes(world):
        assert call(client, method, url, body).status_code == 401


def test_the_totals_count_each_institution_with_its_latest_reported_year(world, client):
    for category in ("professors", "teachers", "phd_students", "students"):
        Headcount.objects.create(institution=world.tpu, year=2026, category=category, count=45)
    body = client.get(f"{API}/consortia/cluster").json()
    assert body["totals"]["students"] == 10 + 20 + 30 + 45 + 50
    assert body["totals_year"] == 2026
    assert body["totals_years"] == [
        {"year": 2026, "institutions": 1},
        {"year": 2025, "institutions": 4},
    ]
