"""The network services the staff pages rely on: what they change, audit and refuse."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from intercampus.core.models import AuditEntry
from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution, Person
from intercampus.network import services
from intercampus.network.models import (
    AccessPoint,
    Appointment,
    Decision,
    Meeting,
    Membership,
    ProjectPartner,
    WorkGroupMember,
)

SPRING = datetime.date(2026, 3, 1)

GRAZ = {
    "schac": "tugraz.at",
    "name": "Graz University of Technology",
    "country": "AT",
    "city": "Graz",
    "timezone": "Europe/Vienna",
}


def test_a_new_member_institution_and_its_membership_are_created_together(world):
    membership = services.member_institution_create(
        actor=world.secretariat, consortium=world.consortium, kind="member", since=SPRING, **GRAZ
    )
    assert membership.institution.schac == "tugraz.at"
    assert membership.consortium == world.consortium
    entry = AuditEntry.objects.get(action="institutions.institution.created")
    assert entry.institution == membership.institution
    assert entry.after["country"] == "AT"
    assert AuditEntry.objects.filter(action="network.membership.created").exists()


def test_a_refused_new_member_institution_leaves_nothing_behind(world):
    with pytest.raises(ValidationError) as refused:
        services.member_institution_create(
            actor=world.secretariat,
            consortium=world.consortium,
            kind="no-such-kind",
            since=SPRING,
            **GRAZ,
        )
    assert "kind" in refused.value.message_dict
    assert not Institution.objects.filter(schac="tugraz.at").exists()
    assert not AuditEntry.objects.exists()


def test_a_new_member_institution_needs_a_real_time_zone(world):
    with pytest.raises(ValidationError) as refused:
        services.member_institution_create(
            actor=world.secretariat,
            consortium=world.consortium,
            kind="member",
            since=SPRING,
            **{**GRAZ, "timezone": "Mars/Olympus"},
        )
    assert "timezone" in refused.value.message_dict


def test_the_consortium_change_touches_only_description_and_website(world):
    services.consortium_change(
        actor=world.secretariat,
        consortium=world.consortium,
        description="Engineering universities.",
        slug="hijacked",
        secretariat=world.kth,
    )
    world.consortium.refresh_from_db()
    assert world.consortium.description == "Engineering universities."
    assert world.consortium.slug == "cluster"
    assert world.consortium.secretariat == world.leuven
    assert AuditEntry.objects.filter(action="network.consortium.changed").count() == 1


def test_a_membership_cannot_end_before_it_starts(world):
    membership = Membership.objects.get(institution=world.kth)
    with pytest.raises(ValidationError) as refused:
        services.membership_change(
            actor=world.secretariat, membership=membership, until=datetime.date(1980, 1, 1)
        )
    assert "until" in refused.value.message_dict


def test_a_representative_of_another_institution_can_be_seated_from_any_staff_area(world):
    with scopes_disabled():
        anna = Person.objects.create(institution=world.kth, given_name="Anna", family_name="Berg")
    # The secretariat works in KU Leuven's scope; the representative works at KTH.
    with scope(institution=world.leuven):
        seat = services.work_group_member_add(
            actor=world.secretariat,
            work_group=world.apwg,
            institution=world.kth,
            representative=anna,
        )
    assert seat.representative_id == anna.pk
    assert AuditEntry.objects.filter(action="network.work_group_member.created").exists()


def test_a_representative_must_work_at_the_member_institution(world):
    with scopes_disabled():
        anna = Person.objects.create(institution=world.kth, given_name="Anna", family_name="Berg")
    with pytest.raises(ValidationError) as refused:
        services.work_group_member_add(
            actor=world.secretariat,
            work_group=world.apwg,
            institution=world.polito,
            representative=anna,
        )
    assert "representative" in refused.value.message_dict


def test_a_member_is_seated_with_a_new_representative(world):
    with scope(institution=world.leuven):
        seat = services.work_group_member_add_new_representative(
            actor=world.secretariat,
            work_group=world.apwg,
            institution=world.polito,
            given_name="Marco",
            family_name="Rossi",
            position="Vice-rector",
        )
    with scopes_disabled():
        person = Person.objects.get(family_name="Rossi")
    assert person.institution == world.polito
    assert seat.representative_id == person.pk
    assert AuditEntry.objects.filter(action="institutions.person.created").exists()


def test_no_person_is_kept_when_the_institution_already_sits_in_the_group(world):
    with pytest.raises(ServiceError):
        services.work_group_member_add_new_representative(
            actor=world.secretariat,
            work_group=world.apwg,
            institution=world.usp,
            given_name="Ana",
            family_name="Souza",
        )
    with scopes_disabled():
        assert not Person.objects.filter(family_name="Souza").exists()
    assert WorkGroupMember.objects.filter(work_group=world.apwg).count() == 2


def test_an_appointment_term_cannot_end_before_it_starts(world):
    with pytest.raises(ServiceError) as refused:
        services.work_group_appoint(
            actor=world.secretariat,
            work_group=world.apwg,
            institution=world.usp,
            decided_on=SPRING,
            decision_text="USP leads.",
            term_end=datetime.date(2025, 1, 1),
        )
    assert refused.value.field == "term_end"
    assert not Appointment.objects.exists()
    assert not Decision.objects.filter(text="USP leads.").exists()


def test_a_new_appointment_ends_the_previous_term(world):
    first = services.work_group_appoint(
        actor=world.secretariat,
        work_group=world.apwg,
        institution=world.tpu,
        decided_on=datetime.date(2020, 4, 2),
        decision_text="TPU leads.",
    )
    services.work_group_appoint(
        actor=world.secretariat,
        work_group=world.apwg,
        institution=world.usp,
        decided_on=SPRING,
        decision_text="USP leads.",
    )
    first.refresh_from_db()
    assert first.term_end == SPRING - datetime.timedelta(days=1)
    world.apwg.refresh_from_db()
    assert world.apwg.coordinator == world.usp


def test_an_access_point_is_set_and_then_replaced_for_its_country(world):
    services.access_point_set(
        actor=world.secretariat, consortium=world.consortium, institution=world.tpu
    )
    other_russian = Institution.objects.create(
        schac="spbpu.ru", name="SPbPU", country="RU", city="Saint Petersburg"
    )
    services.access_point_set(
        actor=world.secretariat, consortium=world.consortium, institution=other_russian
    )
    point = AccessPoint.objects.get(consortium=world.consortium, country="RU")
    assert point.institution == other_russian
    changed = AuditEntry.objects.get(action="network.access_point.changed")
    assert changed.after["country"] == "RU"


def test_outside_partners_are_added_and_removed_with_their_country(world):
    partner = services.project_partner_add(
        actor=world.secretariat,
        project=world.project,
        outside_name="Ghent Chamber",
        outside_country="BE",
    )
    services.project_partner_remove(actor=world.secretariat, partner=partner)
    assert not ProjectPartner.objects.filter(outside_name="Ghent Chamber").exists()
    deleted = AuditEntry.objects.get(action="network.project_partner.deleted")
    assert deleted.before["outside_country"] == "BE"
    assert deleted.consortium == world.consortium


def test_a_meeting_and_its_first_decision_are_recorded_together(world):
    meeting = services.meeting_create_with_decision(
        actor=world.tpu_coordinator,
        work_group=world.apwg,
        title="Spring meeting",
        date=SPRING,
        decision_text="  Invite Tsinghua.  ",
    )
    decision = meeting.decisions.get()
    assert decision.text == "Invite Tsinghua."
    assert decision.body == "work_group"
    assert decision.decided_on == SPRING


def test_a_meeting_without_decision_text_has_no_decision(world):
    meeting = services.meeting_create_with_decision(
        actor=world.tpu_coordinator, work_group=world.apwg, title="Call", date=SPRING
    )
    assert not meeting.decisions.exists()


def test_a_refused_meeting_records_no_decision(world):
    with pytest.raises(ValidationError):
        services.meeting_create_with_decision(
            actor=world.tpu_coordinator,
            work_group=world.apwg,
            title="",
            date=SPRING,
            decision_text="Orphan decision",
        )
    assert not Meeting.objects.exists()
    assert not Decision.objects.filter(text="Orphan decision").exists()
