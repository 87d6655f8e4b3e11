"""Work groups in the API: public reads, the secretariat's set-up, the coordinator's running."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry
from intercampus.core.testing import user_with_role
from intercampus.institutions.models import Person
from intercampus.network.models import Action, Decision, Meeting, WorkGroup

API = "/api/v1"
GROUP = f"{API}/consortia/cluster/work-groups/associate-partners"


def api_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def call(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def meeting(world) -> Meeting:
    meeting = Meeting.objects.create(
        work_group=world.apwg, title="Spring meeting", date=datetime.date(2026, 3, 12)
    )
    Decision.objects.create(
        consortium=world.consortium,
        work_group=world.apwg,
        meeting=meeting,
        body="work_group",
        decided_on=meeting.date,
        text="Map the access points.",
    )
    return meeting


@pytest.fixture
def action(world, meeting) -> Action:
    return Action.objects.create(
        work_group=world.apwg, meeting=meeting, title="Draft the map", owner=world.usp
    )


@pytest.fixture
def leuven_officer(world):
    with scopes_disabled():
        return user_with_role("iro@kuleuven.be", world.leuven, RoleKind.INTERNATIONAL_OFFICER)


# --- Public reads ---------------------------------------------------------------------------


def test_anyone_lists_the_work_groups_of_a_consortium(world, client):
    body = client.get(f"{API}/consortia/cluster/work-groups").json()
    assert body["count"] == 1
    assert body["items"][0]["slug"] == "associate-partners"


def test_a_work_group_shows_coordinator_members_meetings_and_actions(
    world, client, meeting, action
):
    response = client.get(GROUP)
    assert response.status_code == 200
    body = response.json()
    assert body["coordinator"]["id"] == "tpu.ru"
    assert body["members"][0] == {
        "institution": {"id": "tpu.ru", "name": "Tomsk Polytechnic University", "country": "RU"},
        "representative": "Irina Smirnova",
        "since": None,
    }
    assert body["members"][1]["representative"] is None
    assert body["meetings"][0]["title"] == "Spring meeting"
    assert body["meetings"][0]["decisions"][0]["text"] == "Map the access points."
    assert body["actions"][0]["owner"]["id"] == "usp.br"
    assert body["actions"][0]["meeting"] == str(meeting.uuid)
    # The representative's e-mail is personal data and never published.
    assert "i.s@tpu.ru" not in response.text


def test_an_unknown_work_group_is_404(world, client):
    assert client.get(f"{API}/consortia/cluster/work-groups/nope").status_code == 404


# --- The secretariat sets groups up -----------------------------------------------------------


def test_the_secretariat_creates_a_work_group(world):
    response = call(
        api_client(world.secretariat),
        "post",
        f"{API}/consortia/cluster/work-groups",
        {"slug": "mobility", "name": "Mobility", "purpose": "Exchanges.", "aims": ["More"]},
    )
    assert response.status_code == 201
    assert response.json()["aims"] == ["More"]
    assert WorkGroup.objects.filter(consortium=world.consortium, slug="mobility").exists()
    assert AuditEntry.objects.get(action="network.work_group.created").actor == world.secretariat


def test_the_secretariat_changes_a_work_group(world, secretariat_client):
    response = call(secretariat_client, "patch", GROUP, {"purpose": "Bridges.", "is_active": True})
    assert response.status_code == 200
    assert response.json()["purpose"] == "Bridges."
    assert AuditEntry.objects.filter(action="network.work_group.changed").count() == 1


def test_the_secretariat_records_an_appointment(world):
    response = call(
        api_client(world.secretariat),
        "post",
        f"{GROUP}/appointments",
        {
            "institution": "usp.br",
            "decided_on": "2026-04-02",
            "decision_text": "USP coordinates the group.",
            "reference": "GA-2026-4",
        },
    )
    assert response.status_code == 201
    assert response.json()["decision"]["reference"] == "GA-2026-4"
    world.apwg.refresh_from_db()
    assert world.apwg.coordinator == world.usp
    assert AuditEntry.objects.filter(action="network.appointment.created").count() == 1
    appointment = Client().get(GROUP).json()["appointment"]
    assert appointment["institution"]["id"] == "usp.br"
    assert appointment["term_start"] == "2026-04-02"


def test_only_a_member_can_be_appointed_coordinator(world):
    from intercampus.institutions.models import Institution

    Institution.objects.create(schac="mit.edu", name="MIT", country="US", city="Cambridge")
    response = call(
        api_client(world.secretariat),
        "post",
        f"{GROUP}/appointments",
        {"institution": "mit.edu", "decided_on": "2026-04-02", "decision_text": "MIT."},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "institution"


def test_the_secretariat_seats_a_member_with_its_representative(world):
    with scopes_disabled():
        person = Person.objects.create(
            institution=world.polito, given_name="Marco", family_name="Rossi"
        )
    response = call(
        api_client(world.secretariat),
        "post",
        f"{GROUP}/members",
        {"institution": "polito.it", "representative": str(person.uuid), "since": "2026-01-01"},
    )
    assert response.status_code == 201
    assert response.json()["representative"] == "Marco Rossi"
    assert world.apwg.members.filter(institution=world.polito, representative=person).exists()
    assert AuditEntry.objects.filter(action="network.work_group_member.created").count() == 1


def test_a_representative_must_work_at_the_member(world):
    response = call(
        api_client(world.secretariat),
        "post",
        f"{GROUP}/members",
        {"institution": "polito.it", "representative": str(world.tpu_person.uuid)},
    )
    assert response.status_code == 422
    assert "representative:" in response.json()["detail"]


def test_a_seated_member_cannot_be_seated_twice(world):
    response = call(
        api_client(world.secretariat), "post", f"{GROUP}/members", {"institution": "usp.br"}
    )
    assert response.status_code == 409


def test_the_secretariat_removes_a_member(world):
    response = call(api_client(world.secretariat), "delete", f"{GROUP}/members/usp.br")
    assert response.status_code == 204
    assert not world.apwg.members.filter(institution=world.usp).exists()
    assert AuditEntry.objects.filter(action="network.work_group_member.deleted").count() == 1


def _secretariat_writes(world) -> list[tuple[str, str, dict | None]]:
    return [
        (
            "post",
            f"{API}/consortia/cluster/work-groups",
            {"slug": "x", "name": "X", "purpose": "Y"},
        ),
        ("patch", GROUP, {"name": "Renamed"}),
        (
            "post",
            f"{GROUP}/appointments",
            {"institution": "usp.br", "decided_on": "2026-04-02", "decision_text": "USP."},
        ),
        ("post", f"{GROUP}/members", {"institution": "polito.it"}),
        ("delete", f"{GROUP}/members/usp.br", None),
    ]


def test_the_secretariat_writes_are_404_for_staff_of_other_institutions(world):
    for user in (world.kth_officer, world.tpu_coordinator):
        client = api_client(user)
        for method, url, body in _secretariat_writes(world):
            assert call(client, method, url, body).status_code == 404, (user, method, url)
    assert not AuditEntry.objects.exists()


def test_the_secretariat_writes_are_403_without_the_secretariat_role(world, leuven_officer):
    client = api_client(leuven_officer)
    for method, url, body in _secretariat_writes(world):
        assert call(client, method, url, body).status_code == 403, (method, url)
    assert not AuditEntry.objects.exists()


# --- The coordinator runs the group ---------------------------------------------------------


def test_the_coordinator_records_a_meeting_with_its_decisions(world, coordinator_client):
    response = call(
        coordinator_client,
        "post",
        f"{GROUP}/meetings",
        {
            "title": "Kick-off",
            "date": "2026-05-04",
            "location": "Tomsk",
            "decisions": [
                {"text": "Meet twice a year."},
                {"text": "Open a map.", "reference": "D2"},
            ],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert [d["text"] for d in body["decisions"]] == ["Meet twice a year.", "Open a map."]
    assert body["decisions"][0]["decided_on"] == "2026-05-04"
    assert AuditEntry.objects.filter(action="network.meeting.created").count() == 1
    assert AuditEntry.objects.filter(action="network.decision.created").count() == 2


def test_a_meeting_with_a_bad_decision_is_not_kept_at_all(world, coordinator_client):
    response = call(
        coordinator_client,
        "post",
        f"{GROUP}/meetings",
        {"title": "Kick-off", "date": "2026-05-04", "decisions": [{"text": ""}]},
    )
    assert response.status_code == 422
    assert "decisions.0.text:" in response.json()["detail"]
    assert not Meeting.objects.exists()


def test_the_coordinator_changes_and_deletes_a_meeting(world, coordinator_client, meeting):
    url = f"{GROUP}/meetings/{meeting.uuid}"
    response = call(coordinator_client, "patch", url, {"summary": "Went well."})
    assert response.status_code == 200
    assert response.json()["summary"] == "Went well."
    assert call(coordinator_client, "delete", url).status_code == 204
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    actions = {e.action for e in AuditEntry.objects.all()}
    assert {"network.meeting.changed", "network.meeting.deleted"} <= actions


def test_the_coordinator_records_a_decision_at_a_meeting(world, coordinator_client, meeting):
    response = call(
        coordinator_client,
        "post",
        f"{GROUP}/meetings/{meeting.uuid}/decisions",
        {"text": "Invite USP.", "decided_on": "2026-03-13"},
    )
    assert response.status_code == 201
    assert response.json()["decided_on"] == "2026-03-13"
    assert meeting.decisions.count() == 2
    assert AuditEntry.objects.filter(action="network.decision.created").count() == 1


def test_the_coordinator_creates_and_updates_an_action(world, meeting):
    client = api_client(world.tpu_coordinator)
    response = call(
        client,
        "post",
        f"{GROUP}/actions",
        {
            "title": "Write to USP",
            "owner": "usp.br",
            "due": "2026-06-01",
            "meeting": str(meeting.uuid),
        },
    )
    assert response.status_code == 201
    created = response.json()
    assert created["owner"]["id"] == "usp.br"
    assert created["status"] == "open"
    response = call(client, "patch", f"{GROUP}/actions/{created['uuid']}", {"status": "done"})
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    actions = [e.action for e in AuditEntry.objects.order_by("id")]
    assert actions == ["network.action.created", "network.action.changed"]


def test_an_action_owner_must_belong_to_the_group(world, coordinator_client):
    response = call(
        coordinator_client, "post", f"{GROUP}/actions", {"title": "Write", "owner": "kth.se"}
    )
    assert response.status_code == 422
    assert "owner:" in response.json()["detail"]


def test_an_action_cannot_point_to_a_meeting_of_another_group(world, coordinator_client):
    other = WorkGroup.objects.create(consortium=world.consortium, slug="o", name="O", purpose="O")
    foreign = Meeting.objects.create(work_group=other, title="M", date=datetime.date(2026, 1, 1))
    response = call(
        coordinator_client,
        "post",
        f"{GROUP}/actions",
        {"title": "Write", "owner": "tpu.ru", "meeting": str(foreign.uuid)},
    )
    assert response.status_code == 422
    assert "meeting:" in response.json()["detail"]


def test_the_secretariat_may_run_every_group_of_its_consortium(world, meeting):
    response = call(
        api_client(world.secretariat), "patch", f"{GROUP}/meetings/{meeting.uuid}", {"title": "T"}
    )
    assert response.status_code == 200


def _coordinator_writes(world, meeting, action) -> list[tuple[str, str, dict | None]]:
    return [
        ("post", f"{GROUP}/meetings", {"title": "M", "date": "2026-05-04"}),
        ("patch", f"{GROUP}/meetings/{meeting.uuid}", {"title": "T"}),
        ("delete", f"{GROUP}/meetings/{meeting.uuid}", None),
        ("post", f"{GROUP}/meetings/{meeting.uuid}/decisions", {"text": "D"}),
        ("post", f"{GROUP}/actions", {"title": "A", "owner": "tpu.ru"}),
        ("patch", f"{GROUP}/actions/{action.uuid}", {"status": "done"}),
    ]


def test_the_coordinator_writes_are_404_for_staff_of_other_institutions(world, meeting, action):
    client = api_client(world.kth_officer)
    for method, url, body in _coordinator_writes(world, meeting, action):
        assert call(client, method, url, body).status_code == 404, (method, url)
    assert not AuditEntry.objects.exists()


def test_the_coordinator_writes_are_403_without_the_coordinator_role(world, meeting, action):
    client = api_client(world.tpu_officer)
    for method, url, body in _coordinator_writes(world, meeting, action):
        response = call(client, method, url, body)
        assert response.status_code == 403, (method, url)
        assert response.json()["detail"]
    assert not AuditEntry.objects.exists()


def test_a_coordinator_cannot_run_a_group_coordinated_by_someone_else(world, coordinator_client):
    WorkGroup.objects.create(consortium=world.consortium, slug="other", name="O", purpose="O")
    response = call(
        coordinator_client,
        "post",
        f"{API}/consortia/cluster/work-groups/other/meetings",
        {"title": "M", "date": "2026-05-04"},
    )
    assert response.status_code == 404
