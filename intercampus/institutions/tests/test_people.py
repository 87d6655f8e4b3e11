"""The officer keeps the list of their institution's people (contacts, representatives)."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.core.models import AuditEntry
from intercampus.institutions.models import OrganisationalUnit, Person


def url(name, **kwargs):
    return reverse(f"staff:{name}", kwargs={"institution": "tpu.ru", **kwargs})


@pytest.fixture
def kth_person(world):
    with scopes_disabled():
        return Person.objects.create(institution=world.kth, given_name="Sven", family_name="Berg")


@pytest.fixture
def office(world):
    return OrganisationalUnit.objects.create(
        institution=world.tpu, name="International Office", kind="office"
    )


def test_the_list_shows_my_institutions_people_only(world, tpu_officer_client, kth_person):
    response = tpu_officer_client.get(url("people"))
    assert response.status_code == 200
    assert "Smirnova" in response.text
    assert "Berg" not in response.text


def test_the_secretariat_manages_the_people_of_its_own_institution(world, secretariat_client):
    response = secretariat_client.get(
        reverse("staff:people", kwargs={"institution": "kuleuven.be"})
    )
    assert response.status_code == 200
    assert "Smirnova" not in response.text


def test_the_officer_adds_a_person_in_a_unit_and_it_is_audited(world, tpu_officer_client, office):
    response = tpu_officer_client.post(
        url("person_add"),
        {
            "given_name": "Olga",
            "family_name": "Ivanova",
            "email": "o.i@tpu.ru",
            "position": "Head of International Relations",
            "unit": str(office.uuid),
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        person = Person.objects.get(family_name="Ivanova")
    assert (person.institution, person.unit) == (world.tpu, office)
    entry = AuditEntry.objects.get(action="institutions.person.created")
    assert (entry.institution, entry.actor) == (world.tpu, world.tpu_officer)


def test_the_unit_can_only_be_one_of_my_institutions_units(world, tpu_officer_client):
    with scopes_disabled():
        kth_unit = OrganisationalUnit.objects.get(institution=world.kth)
    response = tpu_officer_client.post(
        url("person_add"),
        {"given_name": "Olga", "family_name": "Ivanova", "unit": str(kth_unit.uuid)},
    )
    assert response.status_code == 200
    assert 'value="Ivanova"' in response.text
    with scopes_disabled():
        assert not Person.objects.filter(family_name="Ivanova").exists()


def test_a_bad_email_keeps_what_was_typed_and_is_named(world, tpu_officer_client):
    response = tpu_officer_client.post(
        url("person_add"), {"given_name": "Olga", "family_name": "Ivanova", "email": "olga@"}
    )
    assert response.status_code == 200
    assert 'value="olga@"' in response.text
    assert "Enter a valid email address." in response.text


def test_the_officer_edits_a_person(world, tpu_officer_client, office):
    person = world.tpu_person
    response = tpu_officer_client.post(
        url("person_edit", person=person.uuid),
        {"given_name": "Irina", "family_name": "Smirnova-Petrova", "unit": str(office.uuid)},
    )
    assert response.status_code == 302
    with scopes_disabled():
        person.refresh_from_db()
    assert (person.family_name, person.unit) == ("Smirnova-Petrova", office)
    assert AuditEntry.objects.filter(action="institutions.person.changed").count() == 1


def test_the_officer_deletes_a_person_after_being_told_of_their_seats(world, tpu_officer_client):
    person = world.tpu_person
    confirm = tpu_officer_client.get(url("person_delete", person=person.uuid))
    assert "Associate Partners Work Group" in confirm.text
    response = tpu_officer_client.post(url("person_delete", person=person.uuid))
    assert response.status_code == 302
    with scopes_disabled():
        assert not Person.objects.filter(pk=person.pk).exists()
    assert AuditEntry.objects.filter(action="institutions.person.deleted").count() == 1


def test_another_institutions_person_is_404_inside_my_own_staff_area(
    world, tpu_officer_client, kth_person
):
    assert tpu_officer_client.get(url("person_edit", person=kth_person.uuid)).status_code == 404
    assert tpu_officer_client.post(url("person_delete", person=kth_person.uuid)).status_code == 404
    with scopes_disabled():
        assert Person.objects.filter(pk=kth_person.pk).exists()


def test_a_member_without_the_permission_gets_403(world, coordinator_client):
    assert coordinator_client.get(url("people")).status_code == 403
    person = world.tpu_person
    assert coordinator_client.post(url("person_delete", person=person.uuid)).status_code == 403


def test_staff_of_another_institution_get_404(world, kth_officer_client):
    person = world.tpu_person
    assert kth_officer_client.get(url("people")).status_code == 404
    assert kth_officer_client.get(url("person_edit", person=person.uuid)).status_code == 404
    assert kth_officer_client.post(url("person_delete", person=person.uuid)).status_code == 404
    with scopes_disabled():
        assert Person.objects.filter(pk=person.pk).exists()
