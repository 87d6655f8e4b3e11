"""The coordinator's staff pages: a work group's meetings, decisions and actions."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from intercampus.accounts.choices import RoleKind
from intercampus.core.models import AuditEntry
from intercampus.core.testing import user_with_role
from intercampus.network.models import Action, Decision, Meeting, WorkGroup

TPU = "tpu.ru"
GROUP = "associate-partners"


def url(name: str, institution: str = TPU, group: str = GROUP, **kwargs) -> str:
    return reverse(
        f"staff:{name}",
        kwargs={"institution": institution, "consortium": "cluster", "group": group, **kwargs},
    )


def audited(action: str, user) -> bool:
    return AuditEntry.objects.filter(action=action, actor=user).exists()


@pytest.fixture
def meeting(world) -> Meeting:
    return Meeting.objects.create(
        work_group=world.apwg, title="Spring meeting", date=datetime.date(2026, 3, 12)
    )


@pytest.fixture
def decision(meeting) -> Decision:
    return Decision.objects.create(
        consortium=meeting.work_group.consortium,
        body="work_group",
        work_group=meeting.work_group,
        meeting=meeting,
        decided_on=meeting.date,
        text="Hold a summer school in Tomsk.",
    )


@pytest.fixture
def action(world, meeting) -> Action:
    return Action.objects.create(
        work_group=world.apwg,
        meeting=meeting,
        title="Draft the summer school call",
        owner=world.tpu,
        due=datetime.date(2026, 5, 1),
    )


@pytest.fixture
def mobility_group(world) -> WorkGroup:
    """A second group of the consortium, coordinated by USP."""
    return WorkGroup.objects.create(
        consortium=world.consortium,
        slug="mobility",
        name="Mobility Work Group",
        purpose="More exchanges.",
        coordinator=world.usp,
    )


@pytest.fixture
def usp_coordinator_client(world, mobility_group) -> Client:
    client = Client()
    client.force_login(
        user_with_role("coordinator@usp.br", world.usp, RoleKind.WORKGROUP_COORDINATOR)
    )
    return client


def get_urls(institution: str, meeting: Meeting) -> list[str]:
    return [
        url("work_group", institution),
        url("meeting", institution, meeting=meeting.uuid),
        url("meeting_delete", institution, meeting=meeting.uuid),
    ]


def all_urls(institution: str, meeting: Meeting, decision: Decision, action: Action) -> list[str]:
    return [
        *get_urls(institution, meeting),
        url("decision_add", institution, meeting=meeting.uuid),
        url("decision_delete", institution, meeting=meeting.uuid, decision=decision.uuid),
        url("action_add", institution, meeting=meeting.uuid),
        url("action_status", institution, action=action.uuid),
        url("action_delete", institution, action=action.uuid),
    ]


# --- Who gets in -----------------------------------------------------------------------------


def test_the_coordinator_opens_the_pages_of_its_group(world, coordinator_client, meeting):
    for address in get_urls(TPU, meeting):
        assert coordinator_client.get(address).status_code == 200, address


def test_the_secretariat_runs_every_group_of_its_consortium(world, secretariat_client, meeting):
    for address in get_urls("kuleuven.be", meeting):
        assert secretariat_client.get(address).status_code == 200, address


def test_staff_of_another_institution_get_404(world, kth_officer_client, meeting, decision, action):
    for address in all_urls(TPU, meeting, decision, action):
        assert kth_officer_client.get(address).status_code == 404, address
        assert kth_officer_client.post(address, {}).status_code == 404, address


def test_staff_without_the_permission_get_403(world, tpu_officer_client, meeting, decision, action):
    for address in all_urls(TPU, meeting, decision, action):
        assert tpu_officer_client.get(address).status_code == 403, address
        assert tpu_officer_client.post(address, {}).status_code == 403, address
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_the_coordinator_of_another_group_gets_404(
    world, usp_coordinator_client, meeting, decision, action
):
    for address in all_urls("usp.br", meeting, decision, action):
        assert usp_coordinator_client.get(address).status_code == 404, address
        assert usp_coordinator_client.post(address, {}).status_code == 404, address
    assert usp_coordinator_client.get(url("work_group", "usp.br", "mobility")).status_code == 200


def test_a_coordinator_cannot_open_a_group_it_does_not_coordinate(
    world, coordinator_client, mobility_group
):
    assert coordinator_client.get(url("work_group", group="mobility")).status_code == 404


def test_a_meeting_of_another_group_is_404_through_this_group(
    world, coordinator_client, mobility_group
):
    theirs = Meeting.objects.create(
        work_group=mobility_group, title="Theirs", date=datetime.date(2026, 1, 1)
    )
    assert coordinator_client.get(url("meeting", meeting=theirs.uuid)).status_code == 404
    response = coordinator_client.post(
        url("decision_add", meeting=theirs.uuid), {"decision-text": "Sneaky"}
    )
    assert response.status_code == 404
    assert not Decision.objects.filter(text="Sneaky").exists()


# --- Meetings --------------------------------------------------------------------------------


def test_the_group_page_lists_meetings_and_actions(world, coordinator_client, meeting, action):
    response = coordinator_client.get(url("work_group"))
    assert "Spring meeting" in response.text
    assert "Draft the summer school call" in response.text
    assert 'type="date"' in response.text


def test_the_coordinator_adds_a_meeting_with_its_first_decision(world, coordinator_client):
    response = coordinator_client.post(
        url("work_group"),
        {
            "title": "Autumn meeting",
            "date": "2026-10-05",
            "location": "https://meet.example.org/apwg",
            "summary": "Review of the year.",
            "decision_text": "Invite Tsinghua to the group.",
        },
    )
    created = Meeting.objects.get(title="Autumn meeting")
    assert response["Location"] == url("meeting", meeting=created.uuid)
    assert created.date == datetime.date(2026, 10, 5)
    decision = created.decisions.get()
    assert decision.text == "Invite Tsinghua to the group."
    assert decision.decided_on == created.date
    assert decision.work_group == world.apwg
    assert audited("network.meeting.created", world.tpu_coordinator)
    assert audited("network.decision.created", world.tpu_coordinator)
    followed = coordinator_client.get(response["Location"])
    assert "The meeting Autumn meeting was added." in followed.text


def test_a_meeting_without_a_decision_records_none(world, coordinator_client):
    coordinator_client.post(url("work_group"), {"title": "Short call", "date": "2026-10-05"})
    assert not Meeting.objects.get(title="Short call").decisions.exists()
    assert not AuditEntry.objects.filter(action="network.decision.created").exists()


def test_a_meeting_without_a_date_is_refused_and_the_typed_values_kept(world, coordinator_client):
    response = coordinator_client.post(
        url("work_group"),
        {"title": "Undated meeting", "date": "", "decision_text": "Typed decision"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert 'value="Undated meeting"' in response.text
    assert "Typed decision" in response.text
    assert not Meeting.objects.exists()


def test_the_coordinator_edits_a_meeting(world, coordinator_client, meeting):
    response = coordinator_client.post(
        url("meeting", meeting=meeting.uuid),
        {
            "meeting-title": "Spring meeting in Tomsk",
            "meeting-date": "2026-03-13",
            "meeting-location": "Tomsk",
            "meeting-summary": "",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Spring meeting in Tomsk"
    assert meeting.date == datetime.date(2026, 3, 13)
    assert audited("network.meeting.changed", world.tpu_coordinator)


def test_a_meeting_edit_without_a_date_is_refused(world, coordinator_client, meeting):
    response = coordinator_client.post(
        url("meeting", meeting=meeting.uuid),
        {"meeting-title": "Renamed meeting", "meeting-date": ""},
    )
    assert response.status_code == 200
    assert response.context["meeting_form"].errors["date"]
    assert 'value="Renamed meeting"' in response.text
    meeting.refresh_from_db()
    assert meeting.title == "Spring meeting"


def test_the_coordinator_deletes_a_meeting_after_confirming(
    world, coordinator_client, meeting, decision, action
):
    address = url("meeting_delete", meeting=meeting.uuid)
    assert "Delete" in coordinator_client.get(address).text
    response = coordinator_client.post(address)
    assert response["Location"] == url("work_group")
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert not Decision.objects.filter(pk=decision.pk).exists()
    action.refresh_from_db()
    assert action.meeting is None
    assert audited("network.meeting.deleted", world.tpu_coordinator)


# --- Decisions -------------------------------------------------------------------------------


def test_the_coordinator_records_a_decision(world, coordinator_client, meeting):
    response = coordinator_client.post(
        url("decision_add", meeting=meeting.uuid),
        {"decision-text": "Publish the access point list.", "decision-reference": "APWG-3"},
    )
    assert response["Location"] == url("meeting", meeting=meeting.uuid)
    decision = meeting.decisions.get()
    assert decision.reference == "APWG-3"
    assert audited("network.decision.created", world.tpu_coordinator)


def test_an_empty_decision_is_refused(world, coordinator_client, meeting):
    response = coordinator_client.post(
        url("decision_add", meeting=meeting.uuid),
        {"decision-text": "", "decision-reference": "APWG-9"},
    )
    assert response.status_code == 200
    assert response.context["decision_form"].errors["text"]
    assert 'value="APWG-9"' in response.text
    assert not meeting.decisions.exists()


def test_the_coordinator_deletes_a_decision(world, coordinator_client, meeting, decision):
    response = coordinator_client.post(
        url("decision_delete", meeting=meeting.uuid, decision=decision.uuid)
    )
    assert response.status_code == 302
    assert not Decision.objects.filter(pk=decision.pk).exists()
    assert audited("network.decision.deleted", world.tpu_coordinator)


# --- Actions ---------------------------------------------------------------------------------


def test_actions_are_owned_by_group_members_or_the_coordinator(world, coordinator_client, meeting):
    form = coordinator_client.get(url("meeting", meeting=meeting.uuid)).context["action_form"]
    assert set(form.fields["owner"].queryset) == {world.tpu, world.usp}


def test_the_coordinator_adds_an_action(world, coordinator_client, meeting):
    response = coordinator_client.post(
        url("action_add", meeting=meeting.uuid),
        {
            "action-title": "Collect national practices",
            "action-owner": "usp.br",
            "action-due": "2026-06-30",
            "action-status": "open",
        },
    )
    assert response["Location"] == url("meeting", meeting=meeting.uuid)
    created = Action.objects.get(title="Collect national practices")
    assert created.owner == world.usp
    assert created.meeting == meeting
    assert created.work_group == world.apwg
    assert audited("network.action.created", world.tpu_coordinator)


def test_an_action_owned_outside_the_group_is_refused(world, coordinator_client, meeting):
    response = coordinator_client.post(
        url("action_add", meeting=meeting.uuid),
        {"action-title": "Typed action", "action-owner": "kth.se", "action-status": "open"},
    )
    assert response.status_code == 200
    assert response.context["action_form"].errors["owner"]
    assert 'value="Typed action"' in response.text
    assert not Action.objects.exists()


def test_the_coordinator_changes_an_actions_status(world, coordinator_client, meeting, action):
    page = url("meeting", meeting=meeting.uuid)
    response = coordinator_client.post(
        url("action_status", action=action.uuid), {"status": "done", "next": page}
    )
    assert response["Location"] == page
    action.refresh_from_db()
    assert action.status == "done"
    assert audited("network.action.changed", world.tpu_coordinator)


def test_changing_an_actions_status_with_htmx_returns_the_row(world, coordinator_client, action):
    response = coordinator_client.post(
        url("action_status", action=action.uuid),
        {"status": "in_progress"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<tr")
    assert "Saved" in response.text
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_an_unknown_status_changes_nothing(world, coordinator_client, action):
    response = coordinator_client.post(
        url("action_status", action=action.uuid), {"status": "forgotten"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "open"
    assert not AuditEntry.objects.filter(action="network.action.changed").exists()


def test_the_status_form_never_redirects_off_site(world, coordinator_client, meeting, action):
    response = coordinator_client.post(
        url("action_status", action=action.uuid),
        {"status": "done", "next": "https://evil.example.com/"},
    )
    assert response["Location"] == url("meeting", meeting=meeting.uuid)


def test_the_coordinator_deletes_an_action(world, coordinator_client, action):
    response = coordinator_client.post(url("action_delete", action=action.uuid))
    assert response.status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()
    assert audited("network.action.deleted", world.tpu_coordinator)
