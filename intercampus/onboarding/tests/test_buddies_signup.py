"""Signing up for a buddy programme: what the services accept and refuse."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from intercampus.core.models import AuditEntry
from intercampus.core.services import ServiceError
from intercampus.institutions.models import OrganisationalUnit
from intercampus.onboarding.models import BuddyProfile
from intercampus.onboarding.services import buddies as services
from intercampus.onboarding.tests.buddies_factories import (
    add_buddy,
    add_newcomer,
    make_programme,
    tpu_student,
)


@pytest.fixture
def programme(world):
    return make_programme(world, interest_choices=["Board games", "chess"])


def test_languages_are_kept_with_their_cefr_levels_and_only_b1_and_up_count(world, programme):
    buddy = add_buddy(world, programme, "b@tpu.ru", {"EN": "c1", "de": "A2", "pt_BR": "B1"})
    assert buddy.languages == {"de": "A2", "en": "C1", "pt-br": "B1"}
    assert buddy.matching_languages == {"en", "pt-br"}
    assert AuditEntry.objects.filter(action="onboarding.buddy.signed_up").count() == 1


@pytest.mark.parametrize(
    "languages",
    [{"en": "B3"}, {"english!": "C1"}, {"en": "A2"}, {chr(97 + i) * 2: "C1" for i in range(11)}],
)
def test_wrong_languages_are_refused(world, programme, languages):
    with pytest.raises(ValidationError) as error:
        add_buddy(world, programme, "b@tpu.ru", languages)
    assert "languages" in error.value.message_dict


def test_no_language_at_all_is_refused():
    with pytest.raises(ValidationError):
        services.clean_languages({})


@pytest.mark.parametrize("capacity", [0, 6, True])
def test_a_capacity_outside_one_to_five_is_refused(world, programme, capacity):
    with pytest.raises(ValidationError) as error:
        add_buddy(world, programme, "b@tpu.ru", capacity=capacity)
    assert "capacity" in error.value.message_dict


def test_interests_come_from_the_programmes_list_in_lower_case(world, programme):
    buddy = add_buddy(world, programme, "b@tpu.ru", interests=["Chess", " board   GAMES "])
    assert buddy.interests == ["board games", "chess"]
    with pytest.raises(ValidationError):
        add_newcomer(world, programme, "n@tpu.ru", interests=["knitting"])


def test_free_interests_are_normalised_when_the_programme_has_no_list(world):
    open_programme = make_programme(world, name="Open club")
    newcomer = add_newcomer(world, open_programme, "n@tpu.ru", interests=["Jazz ", "jazz", "Go"])
    assert newcomer.interests == ["go", "jazz"]


def test_a_faculty_of_another_institution_is_refused(world, programme):
    kth_school = OrganisationalUnit.objects.get(institution=world.kth)
    with pytest.raises(ValidationError) as error:
        add_buddy(world, programme, "b@tpu.ru", faculty=kth_school)
    assert "faculty" in error.value.message_dict


def test_signing_up_again_updates_the_profile(world, programme):
    first = add_buddy(world, programme, "b@tpu.ru", capacity=1)
    again = add_buddy(world, programme, "", capacity=4, user=first.user)
    assert again.pk == first.pk
    with scopes_disabled():
        assert BuddyProfile.objects.get(pk=first.pk).capacity == 4


def test_nobody_is_buddy_and_newcomer_in_the_same_programme(world, programme):
    person = tpu_student(world, "both@tpu.ru")
    add_buddy(world, programme, "", user=person)
    with pytest.raises(ServiceError) as error:
        add_newcomer(world, programme, "", user=person)
    assert error.value.status == 409


def test_a_closed_programme_takes_no_sign_ups(world, programme):
    services.programme_update(actor=world.tpu_officer, programme=programme, active=False)
    with pytest.raises(ServiceError) as error:
        add_buddy(world, programme, "b@tpu.ru")
    assert error.value.status == 409


def test_only_the_hosts_students_may_be_buddies(world, programme):
    with pytest.raises(ServiceError) as error:
        add_buddy(world, programme, "", user=world.student)  # a KTH student
    assert error.value.status == 403


def test_a_newcomer_without_a_journey_or_an_arrival_date_is_refused(world, programme):
    person = tpu_student(world, "n@tpu.ru")
    with pytest.raises(ValidationError) as error:
        services.newcomer_signup(actor=person, programme=programme, languages={"en": "C1"})
    assert "arrival_date" in error.value.message_dict
