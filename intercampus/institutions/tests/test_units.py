"""The officer keeps the tree of their institution's organisational units."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.core.models import AuditEntry
from intercampus.institutions.models import OrganisationalUnit, Person


def url(name, **kwargs):
    return reverse(f"staff:{name}", kwargs={"institution": "tpu.ru", **kwargs})


@pytest.fixture
def faculty(world):
    return OrganisationalUnit.objects.create(
        institution=world.tpu, name="School of Energy", kind="faculty"
    )


@pytest.fixture
def department(world, faculty):
    return OrganisationalUnit.objects.create(
        institution=world.tpu,
        name="Department of Heat Engineering",
        kind="department",
        parent=faculty,
    )


def test_the_units_page_shows_the_tree_with_sub_units_inside_their_faculty(
    world, tpu_officer_client, department
):
    response = tpu_officer_client.get(url("units"))
    assert response.status_code == 200
    text = response.text
    assert text.index("School of Energy") < text.index("Department of Heat Engineering")
    assert "School of Engineering Sciences" not in text  # KTH's unit


def test_the_officer_adds_a_unit_under_a_parent_and_it_is_audited(
    world, tpu_officer_client, faculty
):
    response = tpu_officer_client.post(
        url("unit_add"),
        {"name": "Department of Physics", "kind": "department", "parent": str(faculty.uuid)},
    )
    assert response.status_code == 302
    unit = OrganisationalUnit.objects.get(name="Department of Physics")
    assert (unit.institution, unit.parent) == (world.tpu, faculty)
    entry = AuditEntry.objects.get(action="institutions.unit.created")
    assert (entry.institution, entry.actor) == (world.tpu, world.tpu_officer)


def test_the_parent_can_only_be_one_of_the_institutions_own_units(world, tpu_officer_client):
    with scopes_disabled():
        kth_unit = OrganisationalUnit.objects.get(institution=world.kth)
    response = tpu_officer_client.get(url("unit_add"))
    assert str(kth_unit.uuid) not in response.text
    response = tpu_officer_client.post(
        url("unit_add"), {"name": "Intruder", "kind": "office", "parent": str(kth_unit.uuid)}
    )
    assert response.status_code == 200
    assert 'value="Intruder"' in response.text
    assert "Select a valid choice" in response.text
    assert not OrganisationalUnit.objects.filter(name="Intruder").exists()


def test_a_duplicate_name_is_refused_next_to_the_name_field(world, tpu_officer_client, faculty):
    response = tpu_officer_client.post(
        url("unit_add"), {"name": "school of energy", "kind": "office"}
    )
    assert response.status_code == 200
    assert "already has a unit called" in response.text
    assert 'value="school of energy"' in response.text


def test_the_officer_edits_a_unit(world, tpu_officer_client, faculty):
    response = tpu_officer_client.post(
        url("unit_edit", unit=faculty.uuid), {"name": "School of Energy & Power", "kind": "faculty"}
    )
    assert response.status_code == 302
    faculty.refresh_from_db()
    assert faculty.name == "School of Energy & Power"
    assert AuditEntry.objects.filter(action="institutions.unit.changed").count() == 1


def test_a_unit_cannot_be_moved_under_its_own_sub_unit(
    world, tpu_officer_client, faculty, department
):
    edit = tpu_officer_client.get(url("unit_edit", unit=faculty.uuid))
    assert str(department.uuid) not in edit.text
    response = tpu_officer_client.post(
        url("unit_edit", unit=faculty.uuid),
        {"name": "School of Energy", "kind": "faculty", "parent": str(department.uuid)},
    )
    assert response.status_code == 200
    faculty.refresh_from_db()
    assert faculty.parent is None


def test_the_officer_deletes_an_empty_unit(world, tpu_officer_client, faculty):
    assert tpu_officer_client.get(url("unit_delete", unit=faculty.uuid)).status_code == 200
    response = tpu_officer_client.post(url("unit_delete", unit=faculty.uuid))
    assert response.status_code == 302
    assert not OrganisationalUnit.objects.filter(pk=faculty.pk).exists()
    assert AuditEntry.objects.filter(action="institutions.unit.deleted").count() == 1


def test_a_unit_with_people_is_not_deleted_and_the_officer_is_told_why(
    world, tpu_officer_client, faculty
):
    with scopes_disabled():
        Person.objects.create(institution=world.tpu, given_name="A", family_name="B", unit=faculty)
    response = tpu_officer_client.post(url("unit_delete", unit=faculty.uuid), follow=True)
    assert OrganisationalUnit.objects.filter(pk=faculty.pk).exists()
    assert "still has 1 people attached" in response.text
    assert not AuditEntry.objects.filter(action="institutions.unit.deleted").exists()


def test_a_unit_with_sub_units_is_not_deleted(world, tpu_officer_client, faculty, department):
    response = tpu_officer_client.post(url("unit_delete", unit=faculty.uuid), follow=True)
    assert OrganisationalUnit.objects.filter(pk=department.pk).exists()
    assert "sub-units" in response.text


def test_another_institutions_unit_is_404_inside_my_own_staff_area(world, tpu_officer_client):
    with scopes_disabled():
        kth_unit = OrganisationalUnit.objects.get(institution=world.kth)
    assert tpu_officer_client.get(url("unit_edit", unit=kth_unit.uuid)).status_code == 404
    assert tpu_officer_client.post(url("unit_delete", unit=kth_unit.uuid)).status_code == 404
    assert OrganisationalUnit.objects.filter(pk=kth_unit.pk).exists()


def test_a_member_without_the_permission_gets_403(world, coordinator_client, faculty):
    assert coordinator_client.get(url("units")).status_code == 403
    assert coordinator_client.post(url("unit_delete", unit=faculty.uuid)).status_code == 403


def test_staff_of_another_institution_get_404(world, kth_officer_client, faculty):
    assert kth_officer_client.get(url("units")).status_code == 404
    assert (
        kth_officer_client.post(url("unit_add"), {"name": "X", "kind": "office"}).status_code == 404
    )
    assert kth_officer_client.post(url("unit_delete", unit=faculty.uuid)).status_code == 404
    assert OrganisationalUnit.objects.filter(pk=faculty.pk).exists()
