"""The secretariat's staff pages: memberships, work groups and projects of its consortium."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from intercampus.accounts.choices import RoleKind
from intercampus.core.models import AuditEntry
from intercampus.core.testing import user_with_role
from intercampus.institutions.models import Institution, Person
from intercampus.network.models import (
    AccessPoint,
    Appointment,
    Consortium,
    Membership,
    Project,
    ProjectOutput,
    ProjectPartner,
    WorkGroup,
    WorkGroupMember,
)

LEUVEN = "kuleuven.be"
GROUP = "associate-partners"


def url(name: str, institution: str = LEUVEN, **kwargs) -> str:
    return reverse(
        f"staff:{name}", kwargs={"institution": institution, "slug": "cluster", **kwargs}
    )


def audited(action: str, user) -> bool:
    return AuditEntry.objects.filter(action=action, actor=user).exists()


def membership_of(world, institution) -> Membership:
    return world.consortium.memberships.get(institution=institution, until__isnull=True)


@pytest.fixture
def epfl(world) -> Institution:
    """An institution on the platform that is not in the consortium."""
    return Institution.objects.create(
        schac="epfl.ch", name="EPFL", country="CH", city="Lausanne", timezone="Europe/Zurich"
    )


@pytest.fixture
def output(world) -> ProjectOutput:
    return ProjectOutput.objects.create(project=world.project, title="Onboarding guide")


def page_urls(world, institution: str) -> list[str]:
    """Every page of the secretariat that answers GET."""
    membership = membership_of(world, world.kth)
    return [
        url("consortium", institution),
        url("consortium_edit", institution),
        url("membership_add", institution),
        url("member_new", institution),
        url("membership_edit", institution, membership=membership.uuid),
        url("members_csv", institution),
        url("members_xlsx", institution),
        url("work_groups", institution),
        url("work_group_create", institution),
        url("work_group_manage", institution, group=GROUP),
        url("work_group_edit", institution, group=GROUP),
        url("work_group_appoint", institution, group=GROUP),
        url("work_group_member_add", institution, group=GROUP),
        url("access_point_set", institution, group=GROUP),
        url("projects", institution),
        url("project_create", institution),
        url("project", institution, project="incomm"),
        url("project_edit", institution, project="incomm"),
    ]


def post_only_urls(world, institution: str, output) -> list[str]:
    with scopes_disabled():
        member = world.apwg.members.get(institution=world.usp)
    partner = world.project.partners.first()
    return [
        url("work_group_member_remove", institution, group=GROUP, member=member.uuid),
        url("project_partner_add", institution, project="incomm"),
        url("project_partner_remove", institution, project="incomm", partner=partner.uuid),
        url("project_output_add", institution, project="incomm"),
        url("project_output_status", institution, project="incomm", output=output.uuid),
    ]


# --- Who gets in -----------------------------------------------------------------------------


def test_the_secretariat_opens_every_page_of_its_consortium(world, secretariat_client):
    for address in page_urls(world, LEUVEN):
        assert secretariat_client.get(address).status_code == 200, address


def test_staff_of_another_institution_get_404_everywhere(world, kth_officer_client, output):
    for address in page_urls(world, LEUVEN) + post_only_urls(world, LEUVEN, output):
        assert kth_officer_client.get(address).status_code == 404, address
        assert kth_officer_client.post(address, {}).status_code == 404, address


def test_the_secretariat_gets_404_in_another_institutions_staff_area(
    world, secretariat_client, output
):
    for address in page_urls(world, "tpu.ru") + post_only_urls(world, "tpu.ru", output):
        assert secretariat_client.get(address).status_code == 404, address


def test_staff_without_the_permission_get_403(world, tpu_officer_client, output):
    for address in page_urls(world, "tpu.ru") + post_only_urls(world, "tpu.ru", output):
        assert tpu_officer_client.get(address).status_code == 403, address
        assert tpu_officer_client.post(address, {}).status_code == 403, address


def test_a_secretariat_cannot_manage_a_consortium_its_institution_does_not_host(
    world, client, output
):
    client.force_login(user_with_role("secretariat@kth.se", world.kth, RoleKind.SECRETARIAT))
    for address in page_urls(world, "kth.se") + post_only_urls(world, "kth.se", output):
        assert client.get(address).status_code == 404, address
        assert client.post(address, {}).status_code == 404, address


def test_objects_of_another_consortium_are_404(world, secretariat_client):
    other = Consortium.objects.create(slug="other", name="Other", secretariat=world.kth)
    Project.objects.create(
        consortium=other, slug="elsewhere", acronym="EW", name="Elsewhere", programme="X",
        start=datetime.date(2024, 1, 1),
    )  # fmt: skip
    WorkGroup.objects.create(consortium=other, slug="theirs", name="Theirs", purpose="-")
    with scopes_disabled():
        foreign = Membership.objects.create(
            consortium=other,
            institution=world.leuven,
            kind="member",
            since=datetime.date(2020, 1, 1),
        )
    assert secretariat_client.get(url("project", project="elsewhere")).status_code == 404
    assert secretariat_client.get(url("work_group_manage", group="theirs")).status_code == 404
    assert (
        secretariat_client.get(url("membership_edit", membership=foreign.uuid)).status_code == 404
    )
    other_url = reverse("staff:consortium", kwargs={"institution": LEUVEN, "slug": "other"})
    assert secretariat_client.get(other_url).status_code == 404


# --- The consortium and its memberships ----------------------------------------------------


def test_the_overview_lists_members_partners_and_ended_memberships(world, secretariat_client):
    ended = membership_of(world, world.polito)
    ended.until = datetime.date(2024, 12, 31)
    ended.save()
    response = secretariat_client.get(url("consortium"))
    assert "KTH Royal Institute of Technology" in response.text
    assert "Tomsk Polytechnic University" in response.text
    assert "Ended memberships" in response.text
    assert response.context["partners"][0].institution == world.tpu
    assert list(response.context["ended"]) == [ended]
    assert world.polito not in [m.institution for m in response.context["members"]]


def test_the_secretariat_edits_the_consortium_description(world, secretariat_client):
    response = secretariat_client.post(
        url("consortium_edit"),
        {"description": "Twelve engineering universities.", "website": "https://cluster.org"},
    )
    assert response.status_code == 302
    world.consortium.refresh_from_db()
    assert world.consortium.description == "Twelve engineering universities."
    assert world.consortium.website == "https://cluster.org"
    assert audited("network.consortium.changed", world.secretariat)


def test_a_bad_website_is_shown_and_the_description_kept(world, secretariat_client):
    response = secretariat_client.post(
        url("consortium_edit"), {"description": "Kept text", "website": "not a url at all"}
    )
    assert response.status_code == 200
    assert "Kept text" in response.text
    assert response.context["form"].errors["website"]
    world.consortium.refresh_from_db()
    assert world.consortium.description == ""


def test_the_secretariat_adds_an_institution_on_the_platform(world, secretariat_client, epfl):
    form = secretariat_client.get(url("membership_add")).context["form"]
    assert list(form.fields["institution"].queryset) == [epfl]
    response = secretariat_client.post(
        url("membership_add"),
        {"institution": "epfl.ch", "kind": "associate", "since": "2026-01-01"},
    )
    assert response.status_code == 302
    membership = membership_of(world, epfl)
    assert membership.kind == "associate"
    assert membership.since == datetime.date(2026, 1, 1)
    assert audited("network.membership.created", world.secretariat)
    followed = secretariat_client.get(response["Location"])
    assert "EPFL now belongs to CLUSTER." in followed.text


def test_a_current_member_cannot_be_added_twice(world, secretariat_client):
    response = secretariat_client.post(
        url("membership_add"), {"institution": "kth.se", "kind": "member", "since": "2026-01-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["institution"]
    assert world.consortium.memberships.filter(institution=world.kth).count() == 1


def test_the_secretariat_adds_a_new_institution_as_member_in_one_form(world, secretariat_client):
    response = secretariat_client.post(
        url("member_new"),
        {
            "schac": "TU-Graz.at",
            "name": "Graz University of Technology",
            "short_name": "TU Graz",
            "country": "AT",
            "city": "Graz",
            "timezone": "Europe/Vienna",
            "website": "https://www.tugraz.at",
            "kind": "member",
            "since": "2026-03-01",
        },
    )
    assert response.status_code == 302
    graz = Institution.objects.get(schac="tu-graz.at")
    assert graz.country.code == "AT"
    assert graz.timezone == "Europe/Vienna"
    assert membership_of(world, graz).kind == "member"
    assert audited("institutions.institution.created", world.secretariat)
    assert audited("network.membership.created", world.secretariat)


def test_a_new_institution_with_a_taken_schac_code_is_refused_and_nothing_kept(
    world, secretariat_client
):
    response = secretariat_client.post(
        url("member_new"),
        {
            "schac": "kth.se",
            "name": "A second KTH",
            "country": "SE",
            "city": "Stockholm",
            "timezone": "Europe/Stockholm",
            "kind": "member",
            "since": "2026-03-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["schac"]
    assert 'value="A second KTH"' in response.text
    assert not Institution.objects.filter(name="A second KTH").exists()


def test_the_secretariat_ends_a_membership(world, secretariat_client):
    membership = membership_of(world, world.polito)
    response = secretariat_client.post(
        url("membership_edit", membership=membership.uuid),
        {"kind": "member", "since": "1990-01-01", "until": "2025-12-31"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.until == datetime.date(2025, 12, 31)
    assert audited("network.membership.changed", world.secretariat)
    overview = secretariat_client.get(url("consortium"))
    assert list(overview.context["ended"]) == [membership]


def test_a_membership_cannot_end_before_it_starts(world, secretariat_client):
    membership = membership_of(world, world.polito)
    response = secretariat_client.post(
        url("membership_edit", membership=membership.uuid),
        {"kind": "member", "since": "1990-01-01", "until": "1980-06-30"},
    )
    assert response.status_code == 200
    assert "A membership cannot end before it starts." in response.text
    assert 'value="1980-06-30"' in response.text
    membership.refresh_from_db()
    assert membership.until is None
    assert not AuditEntry.objects.filter(action="network.membership.changed").exists()


def test_the_members_list_exports_as_csv(world, secretariat_client):
    response = secretariat_client.get(url("members_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "SCHAC code", "Country", "City", "Kind", "Since"]
    assert ["KTH Royal Institute of Technology", "kth.se", "SE", "Stockholm", "Member",
            "1990-01-01"] in rows  # fmt: skip
    assert ["University of São Paulo", "usp.br", "BR", "São Paulo", "Associate partner",
            "2005-01-01"] in rows  # fmt: skip
    assert len(rows) == 6


def test_the_members_list_exports_as_excel(world, secretariat_client):
    world.kth.name = "=HYPERLINK(1)"
    world.kth.save()
    response = secretariat_client.get(url("members_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Name", "SCHAC code", "Country", "City", "Kind", "Since")
    assert len(rows) == 6
    by_schac = {row[1]: row for row in rows[1:]}
    assert by_schac["tpu.ru"][2:5] == ("RU", "Tomsk", "Associate partner")
    assert by_schac["tpu.ru"][5].date() == datetime.date(2005, 1, 1)
    # A name that looks like a formula stays text.
    assert sheet.cell(row=[r[1] for r in rows].index("kth.se") + 1, column=1).data_type == "s"


# --- Work groups -----------------------------------------------------------------------------


def test_the_work_groups_list_shows_groups_and_coordinators(world, secretariat_client):
    response = secretariat_client.get(url("work_groups"))
    assert "Associate Partners Work Group" in response.text
    assert "Tomsk Polytechnic University" in response.text


def test_the_secretariat_creates_a_work_group(world, secretariat_client):
    response = secretariat_client.post(
        url("work_group_create"),
        {
            "name": "Mobility Task Force",
            "slug": "mobility",
            "kind": "task_force",
            "purpose": "More exchanges.",
            "aims": "Double exchanges\n\n  Shorter recognition  \n",
            "is_active": "on",
        },
    )
    group = WorkGroup.objects.get(consortium=world.consortium, slug="mobility")
    assert response["Location"] == url("work_group_manage", group="mobility")
    assert group.aims == ["Double exchanges", "Shorter recognition"]
    assert group.kind == "task_force"
    assert group.is_active
    assert audited("network.work_group.created", world.secretariat)


@pytest.mark.parametrize("slug", [GROUP, "new"])
def test_a_taken_or_reserved_short_code_is_refused(world, secretariat_client, slug):
    response = secretariat_client.post(
        url("work_group_create"),
        {"name": "Typed name", "slug": slug, "kind": "work_group", "purpose": "P."},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'value="Typed name"' in response.text
    assert not WorkGroup.objects.filter(name="Typed name").exists()


def test_the_secretariat_edits_a_work_group(world, secretariat_client):
    response = secretariat_client.post(
        url("work_group_edit", group=GROUP),
        {
            "name": "Associate Partners WG",
            "slug": GROUP,
            "kind": "work_group",
            "purpose": "Cooperation beyond Europe.",
            "aims": "Access points\nAmbassadors",
        },
    )
    assert response.status_code == 302
    world.apwg.refresh_from_db()
    assert world.apwg.name == "Associate Partners WG"
    assert world.apwg.aims == ["Access points", "Ambassadors"]
    assert not world.apwg.is_active
    assert audited("network.work_group.changed", world.secretariat)


def test_a_work_group_without_purpose_is_refused_on_edit(world, secretariat_client):
    response = secretariat_client.post(
        url("work_group_edit", group=GROUP),
        {"name": "Renamed", "slug": GROUP, "kind": "work_group", "purpose": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["purpose"]
    assert 'value="Renamed"' in response.text
    world.apwg.refresh_from_db()
    assert world.apwg.name == "Associate Partners Work Group"


def test_the_secretariat_appoints_a_coordinator(world, secretariat_client):
    response = secretariat_client.post(
        url("work_group_appoint", group=GROUP),
        {
            "institution": "usp.br",
            "decided_on": "2026-04-02",
            "decision_text": "USP coordinates the group from May.",
            "reference": "GA-2026-7",
            "term_start": "2026-05-01",
            "term_end": "2028-04-30",
        },
    )
    assert response.status_code == 302
    world.apwg.refresh_from_db()
    assert world.apwg.coordinator == world.usp
    appointment = Appointment.objects.get(work_group=world.apwg)
    assert appointment.decision.reference == "GA-2026-7"
    assert appointment.term_end == datetime.date(2028, 4, 30)
    assert audited("network.appointment.created", world.secretariat)
    assert audited("network.work_group.coordinator_changed", world.secretariat)
    page = secretariat_client.get(url("work_group_manage", group=GROUP))
    assert "USP coordinates the group from May." in page.text
    assert "GA-2026-7" in secretariat_client.get(url("work_group_appoint", group=GROUP)).text


def test_only_a_current_member_can_be_appointed(world, secretariat_client, epfl):
    response = secretariat_client.post(
        url("work_group_appoint", group=GROUP),
        {"institution": "epfl.ch", "decided_on": "2026-04-02", "decision_text": "EPFL leads."},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["institution"]
    assert "EPFL leads." in response.text
    assert not Appointment.objects.exists()


def test_a_term_cannot_end_before_it_starts(world, secretariat_client):
    response = secretariat_client.post(
        url("work_group_appoint", group=GROUP),
        {
            "institution": "usp.br",
            "decided_on": "2026-04-02",
            "decision_text": "USP leads.",
            "term_end": "2025-01-01",
        },
    )
    assert response.status_code == 200
    assert "A term cannot end before it starts." in response.text
    assert not Appointment.objects.exists()
    world.apwg.refresh_from_db()
    assert world.apwg.coordinator == world.tpu


def test_representatives_are_offered_from_the_candidate_institutions(world, secretariat_client):
    with scopes_disabled():
        Person.objects.create(institution=world.kth, given_name="Anna", family_name="Berg")
    form = secretariat_client.get(url("work_group_member_add", group=GROUP)).context["form"]
    offered = dict(form.fields["representative"].choices)
    assert "KTH Royal Institute of Technology" in offered
    assert "Tomsk Polytechnic University" not in offered  # already in the group
    assert set(form.fields["institution"].queryset) == {world.kth, world.leuven, world.polito}


def test_the_secretariat_adds_a_member_with_an_existing_representative(world, secretariat_client):
    with scopes_disabled():
        anna = Person.objects.create(institution=world.kth, given_name="Anna", family_name="Berg")
    response = secretariat_client.post(
        url("work_group_member_add", group=GROUP),
        {"institution": "kth.se", "representative": str(anna.uuid), "since": "2026-01-15"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        seat = world.apwg.members.get(institution=world.kth)
        assert seat.representative == anna
    assert seat.since == datetime.date(2026, 1, 15)
    assert audited("network.work_group_member.created", world.secretariat)
    assert "Anna Berg" in secretariat_client.get(url("work_group_manage", group=GROUP)).text


def test_the_secretariat_adds_a_member_and_names_a_new_representative(world, secretariat_client):
    response = secretariat_client.post(
        url("work_group_member_add", group=GROUP),
        {
            "institution": "polito.it",
            "given_name": "Marco",
            "family_name": "Rossi",
            "position": "Vice-rector",
            "email": "marco.rossi@polito.it",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        seat = world.apwg.members.select_related("representative").get(institution=world.polito)
        assert seat.representative.family_name == "Rossi"
        assert seat.representative.institution == world.polito
    assert audited("institutions.person.created", world.secretariat)
    assert audited("network.work_group_member.created", world.secretariat)


def test_a_representative_of_another_institution_is_refused(world, secretariat_client):
    with scopes_disabled():
        anna = Person.objects.create(institution=world.kth, given_name="Anna", family_name="Berg")
    response = secretariat_client.post(
        url("work_group_member_add", group=GROUP),
        {"institution": "polito.it", "representative": str(anna.uuid)},
    )
    assert response.status_code == 200
    assert "The representative must work at the member institution." in response.text
    assert not WorkGroupMember.objects.filter(institution=world.polito).exists()


def test_a_new_representative_needs_a_full_name(world, secretariat_client):
    response = secretariat_client.post(
        url("work_group_member_add", group=GROUP),
        {"institution": "polito.it", "given_name": "Marco", "position": "Dean"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["family_name"]
    assert 'value="Marco"' in response.text
    with scopes_disabled():
        assert not Person.objects.filter(given_name="Marco").exists()


def test_the_secretariat_removes_a_member(world, secretariat_client):
    with scopes_disabled():
        seat = world.apwg.members.get(institution=world.usp)
    response = secretariat_client.post(
        url("work_group_member_remove", group=GROUP, member=seat.uuid)
    )
    assert response.status_code == 302
    assert not WorkGroupMember.objects.filter(pk=seat.pk).exists()
    assert audited("network.work_group_member.deleted", world.secretariat)


def test_removing_needs_a_post(world, secretariat_client):
    with scopes_disabled():
        seat = world.apwg.members.get(institution=world.usp)
    address = url("work_group_member_remove", group=GROUP, member=seat.uuid)
    assert secretariat_client.get(address).status_code == 405
    assert WorkGroupMember.objects.filter(pk=seat.pk).exists()


def test_the_secretariat_sets_an_access_point(world, secretariat_client):
    response = secretariat_client.post(
        url("access_point_set", group=GROUP), {"institution": "tpu.ru", "since": "2021-01-01"}
    )
    assert response.status_code == 302
    point = AccessPoint.objects.get(consortium=world.consortium, country="RU")
    assert point.institution == world.tpu
    assert point.work_group == world.apwg
    assert audited("network.access_point.created", world.secretariat)
    assert "Russia" in secretariat_client.get(url("work_group_manage", group=GROUP)).text


def test_an_access_point_must_sit_in_the_group(world, secretariat_client):
    response = secretariat_client.post(
        url("access_point_set", group=GROUP), {"institution": "kth.se", "since": "2021-01-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["institution"]
    assert 'value="2021-01-01"' in response.text
    assert not AccessPoint.objects.exists()


# --- Projects --------------------------------------------------------------------------------


PROJECT = {
    "slug": "bridge",
    "acronym": "BRIDGE",
    "name": "Bridging Europe and Asia",
    "programme": "Erasmus+ capacity building",
    "grant_reference": "101082345",
    "start": "2026-01-01",
    "end": "2028-12-31",
    "description": "Joint curricula.",
    "website": "https://bridge.example.org",
}


def test_the_projects_list_shows_the_consortiums_projects(world, secretariat_client):
    response = secretariat_client.get(url("projects"))
    assert "InComm" in response.text
    assert "Feel at Home" in response.text


def test_the_secretariat_creates_a_project(world, secretariat_client):
    response = secretariat_client.post(url("project_create"), PROJECT)
    assert response["Location"] == url("project", project="bridge")
    project = Project.objects.get(slug="bridge")
    assert project.consortium == world.consortium
    assert project.end == datetime.date(2028, 12, 31)
    assert audited("network.project.created", world.secretariat)


def test_a_project_cannot_end_before_it_starts(world, secretariat_client):
    response = secretariat_client.post(url("project_create"), {**PROJECT, "end": "2025-01-01"})
    assert response.status_code == 200
    assert "A project cannot end before it starts." in response.text
    assert 'value="Bridging Europe and Asia"' in response.text
    assert not Project.objects.filter(slug="bridge").exists()


def test_the_secretariat_edits_a_project(world, secretariat_client):
    data = {**PROJECT, "slug": "incomm", "acronym": "InComm", "name": "Feel at Home, renewed"}
    response = secretariat_client.post(url("project_edit", project="incomm"), data)
    assert response.status_code == 302
    world.project.refresh_from_db()
    assert world.project.name == "Feel at Home, renewed"
    assert audited("network.project.changed", world.secretariat)


def test_the_secretariat_adds_partners_on_and_off_the_platform(world, secretariat_client):
    address = url("project_partner_add", project="incomm")
    secretariat_client.post(address, {"partner-institution": "tpu.ru", "partner-role": "partner"})
    secretariat_client.post(
        address,
        {"partner-outside_name": "Ghent Chamber", "partner-outside_country": "BE",
         "partner-role": "partner"},
    )  # fmt: skip
    names = {p.display_name for p in world.project.partners.select_related("institution")}
    assert {"Tomsk Polytechnic University", "Ghent Chamber"} <= names
    outside = ProjectPartner.objects.get(outside_name="Ghent Chamber")
    assert outside.outside_country.code == "BE"
    assert AuditEntry.objects.filter(action="network.project_partner.created").count() == 2


def test_a_partner_is_an_institution_or_an_outside_organisation_not_both(world, secretariat_client):
    response = secretariat_client.post(
        url("project_partner_add", project="incomm"),
        {"partner-institution": "tpu.ru", "partner-outside_name": "Typed Org",
         "partner-role": "partner"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "not both" in response.text
    assert 'value="Typed Org"' in response.text
    assert world.project.partners.count() == 2


def test_the_secretariat_removes_a_partner(world, secretariat_client):
    partner = ProjectPartner.objects.get(outside_name="TU Graz")
    response = secretariat_client.post(
        url("project_partner_remove", project="incomm", partner=partner.uuid)
    )
    assert response.status_code == 302
    assert not ProjectPartner.objects.filter(pk=partner.pk).exists()
    assert audited("network.project_partner.deleted", world.secretariat)


def test_the_secretariat_adds_an_output(world, secretariat_client):
    response = secretariat_client.post(
        url("project_output_add", project="incomm"),
        {"output-title": "Buddy handbook", "output-due": "2021-06-30", "output-status": "planned"},
    )
    assert response.status_code == 302
    assert world.project.outputs.get().title == "Buddy handbook"
    assert audited("network.project_output.created", world.secretariat)


def test_an_output_without_title_is_refused(world, secretariat_client):
    response = secretariat_client.post(
        url("project_output_add", project="incomm"),
        {"output-title": "", "output-due": "2021-06-30", "output-status": "planned"},
    )
    assert response.status_code == 200
    assert response.context["output_form"].errors["title"]
    assert 'value="2021-06-30"' in response.text
    assert not world.project.outputs.exists()


def test_the_secretariat_changes_an_outputs_status(world, secretariat_client, output):
    response = secretariat_client.post(
        url("project_output_status", project="incomm", output=output.uuid), {"status": "delayed"}
    )
    assert response.status_code == 302
    output.refresh_from_db()
    assert output.status == "delayed"
    assert audited("network.project_output.changed", world.secretariat)


def test_changing_an_outputs_status_with_htmx_returns_the_row(world, secretariat_client, output):
    response = secretariat_client.post(
        url("project_output_status", project="incomm", output=output.uuid),
        {"status": "delivered"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<tr")
    assert "Saved" in response.text
    output.refresh_from_db()
    assert output.status == "delivered"
