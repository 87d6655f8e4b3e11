"""Agreement services: the hash follows the conditions, approvals go stale, mutual approval,
termination and deletion."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from intercampus.core.models import AuditEntry
from intercampus.core.services import ServiceError
from intercampus.interop.iia_xml import build_get_response, parse_get_response
from intercampus.mobility.ewp_mapping import agreement_iia_hash, iia_from_agreement
from intercampus.mobility.models import Agreement
from intercampus.mobility.selectors.agreements import approval_state, partner_copy
from intercampus.mobility.services import agreements as services
from intercampus.mobility.tests.agreements_factories import (
    approve,
    linked_pair,
    make_agreement,
    staff_condition,
    student_condition,
    two_way,
)

pytestmark = pytest.mark.django_db


def _refresh(*agreements):
    for agreement in agreements:
        agreement.refresh_from_db()


def test_a_new_agreement_names_the_partner_on_the_platform_and_has_a_hash(world):
    agreement = make_agreement(world.tpu, "kth.se", world.tpu_officer)
    assert agreement.partner == world.kth
    assert len(agreement.iia_hash) == 64
    assert agreement.iia_hash == agreement_iia_hash(agreement)


def test_an_off_platform_partner_is_named_by_its_schac_code(world):
    agreement = make_agreement(
        world.tpu,
        "uni-foo.example",
        world.tpu_officer,
        conditions=[student_condition("tpu.ru", "uni-foo.example")],
    )
    assert agreement.partner is None
    assert agreement.partner_hei_id == "uni-foo.example"
    assert agreement.conditions.count() == 1


def test_the_stored_hash_is_the_one_served_in_the_ewp_document(world):
    agreement = make_agreement(world.tpu, "kth.se", world.tpu_officer, conditions=two_way(world))
    document = build_get_response([iia_from_agreement(agreement)])
    (served,) = parse_get_response(document)
    assert served.iia_hash == agreement.iia_hash


def test_every_change_to_the_conditions_changes_the_hash(world):
    agreement = make_agreement(world.tpu, "kth.se", world.tpu_officer)
    hashes = [agreement.iia_hash]
    with scope(institution=world.tpu):
        condition = services.condition_add(
            actor=world.tpu_officer, agreement=agreement, **student_condition("tpu.ru", "kth.se")
        )
        agreement.refresh_from_db()
        hashes.append(agreement.iia_hash)
        services.condition_change(
            actor=world.tpu_officer,
            condition=condition,
            **student_condition("tpu.ru", "kth.se", mobilities_per_year=3),
        )
        agreement.refresh_from_db()
        hashes.append(agreement.iia_hash)
        second = services.condition_add(
            actor=world.tpu_officer, agreement=agreement, **student_condition("kth.se", "tpu.ru")
        )
        agreement.refresh_from_db()
        hashes.append(agreement.iia_hash)
        services.conditions_reorder(
            actor=world.tpu_officer, agreement=agreement, order=[second.uuid, condition.uuid]
        )
        agreement.refresh_from_db()
        hashes.append(agreement.iia_hash)
        services.condition_remove(actor=world.tpu_officer, condition=second)
        agreement.refresh_from_db()
        hashes.append(agreement.iia_hash)
    assert len(set(hashes[:5])) == 5
    # Removing the second condition brings back the copy with only the changed first one.
    assert hashes[5] == hashes[2]


def test_changing_the_code_does_not_change_the_hash(world):
    agreement = make_agreement(world.tpu, "kth.se", world.tpu_officer, conditions=two_way(world))
    before = agreement.iia_hash
    with scope(institution=world.tpu):
        services.agreement_change(actor=world.tpu_officer, agreement=agreement, iia_code="NEW")
    agreement.refresh_from_db()
    assert agreement.iia_code == "NEW"
    assert agreement.iia_hash == before


def test_creating_our_copy_from_theirs_copies_the_conditions_in_order_and_links_both(world):
    tpu, kth = linked_pair(world)
    assert kth.owner == world.kth
    assert kth.iia_id != tpu.iia_id
    assert kth.partner_iia_id == tpu.iia_id
    assert tpu.partner_iia_id == kth.iia_id
    assert tpu.partner_iia_code == "KTH-TPU-2026"
    ours = [(c.sending_hei_id, c.receiving_hei_id) for c in kth.conditions.order_by("position")]
    assert ours == [("tpu.ru", "kth.se"), ("kth.se", "tpu.ru")]
    assert partner_copy(kth) == tpu
    assert partner_copy(tpu) == kth


def test_linking_records_the_ids_both_ways_and_changes_both_hashes(world):
    tpu = make_agreement(world.tpu, "kth.se", world.tpu_officer, conditions=two_way(world))
    kth = make_agreement(world.kth, "tpu.ru", world.kth_officer, conditions=two_way(world))
    before = (tpu.iia_hash, kth.iia_hash)
    with scope(institution=world.kth):
        services.agreement_link(actor=world.kth_officer, agreement=kth, partner_iia_id=tpu.iia_id)
    _refresh(tpu, kth)
    assert (kth.partner_iia_id, tpu.partner_iia_id) == (tpu.iia_id, kth.iia_id)
    assert tpu.iia_hash != before[0] and kth.iia_hash != before[1]
    assert tpu.iia_hash == agreement_iia_hash(tpu)


def test_a_copy_that_does_not_name_us_cannot_be_linked(world):
    tpu_usp = make_agreement(world.tpu, "usp.br", world.tpu_officer)
    kth = make_agreement(world.kth, "tpu.ru", world.kth_officer)
    with scope(institution=world.kth), pytest.raises(ServiceError):
        services.agreement_link(
            actor=world.kth_officer, agreement=kth, partner_iia_id=tpu_usp.iia_id
        )


def test_approval_before_linking_is_refused(world):
    tpu = make_agreement(world.tpu, "kth.se", world.tpu_officer, conditions=two_way(world))
    with scope(institution=world.tpu), pytest.raises(ServiceError, match="Not linked"):
        services.agreement_approve(actor=world.tpu_officer, agreement=tpu, iia_hash="0" * 64)


def test_approval_records_the_partner_copy_at_its_current_hash(world):
    tpu, kth = linked_pair(world)
    approval = approve(kth, world.kth_officer)
    assert approval.agreement == tpu
    assert approval.approver_hei_id == "kth.se"
    assert approval.iia_hash == tpu.iia_hash
    assert approval_state(tpu).ours_by_partner.state == "current"
    assert AuditEntry.objects.filter(action="mobility.agreement.approved").exists()


def test_approval_of_a_version_that_changed_since_the_page_was_shown_is_refused(world):
    tpu, kth = linked_pair(world)
    seen = tpu.iia_hash
    with scope(institution=world.tpu):
        services.condition_add(
            actor=world.tpu_officer, agreement=tpu, **staff_condition("tpu.ru", "kth.se")
        )
    with scope(institution=world.kth), pytest.raises(ServiceError, match="changed since"):
        services.agreement_approve(actor=world.kth_officer, agreement=kth, iia_hash=seen)


def test_approval_is_refused_while_the_copies_differ(world):
    tpu, kth = linked_pair(world)
    condition = kth.conditions.order_by("position").first()
    with scope(institution=world.kth):
        services.condition_change(
            actor=world.kth_officer,
            condition=condition,
            **student_condition("tpu.ru", "kth.se", mobilities_per_year=3),
        )
    with pytest.raises(ServiceError, match="mobilities per year"):
        approve(kth, world.kth_officer)


def test_a_change_after_approval_makes_the_approval_stale(world):
    tpu, kth = linked_pair(world)
    approve(kth, world.kth_officer)
    condition = tpu.conditions.order_by("position").first()
    with scope(institution=world.tpu):
        services.condition_change(
            actor=world.tpu_officer,
            condition=condition,
            **student_condition("tpu.ru", "kth.se", mobilities_per_year=5),
        )
    tpu.refresh_from_db()
    state = approval_state(tpu)
    assert state.ours_by_partner.state == "stale"
    assert not state.mutual


def test_both_approvals_at_the_current_hashes_make_the_agreement_mutually_approved(world):
    tpu, kth = linked_pair(world)
    approve(kth, world.kth_officer)
    assert not approval_state(tpu).mutual
    approve(tpu, world.tpu_officer)
    assert approval_state(tpu).mutual
    assert approval_state(kth).mutual


def test_approving_the_same_version_twice_keeps_one_approval(world):
    tpu, kth = linked_pair(world)
    first = approve(kth, world.kth_officer)
    assert approve(kth, world.kth_officer) == first
    assert tpu.approvals.count() == 1


def test_termination_changes_the_hash_and_needs_the_partner_to_approve_again(world):
    tpu, kth = linked_pair(world)
    approve(kth, world.kth_officer)
    approve(tpu, world.tpu_officer)
    before = tpu.iia_hash
    with scope(institution=world.tpu):
        services.agreement_terminate(actor=world.tpu_officer, agreement=tpu)
    tpu.refresh_from_db()
    assert tpu.terminated
    assert tpu.iia_hash != before
    assert not approval_state(tpu).mutual
    with scope(institution=world.tpu), pytest.raises(ServiceError, match="terminated"):
        services.condition_add(
            actor=world.tpu_officer, agreement=tpu, **staff_condition("tpu.ru", "kth.se")
        )


def test_a_terminated_copy_is_approved_once_the_partner_terminates_its_own(world):
    tpu, kth = linked_pair(world)
    approve(kth, world.kth_officer)
    approve(tpu, world.tpu_officer)
    with scope(institution=world.tpu):
        services.agreement_terminate(actor=world.tpu_officer, agreement=tpu)
    with pytest.raises(ServiceError, match="Terminated as a whole"):
        approve(kth, world.kth_officer)
    with scope(institution=world.kth):
        services.agreement_terminate(actor=world.kth_officer, agreement=kth)
    _refresh(tpu, kth)
    approve(kth, world.kth_officer)
    approve(tpu, world.tpu_officer)
    _refresh(tpu)
    assert approval_state(tpu).mutual


def test_a_never_approved_copy_can_be_deleted_and_the_partner_copy_is_unlinked(world):
    tpu, kth = linked_pair(world)
    approve(kth, world.kth_officer)
    with scope(institution=world.tpu):
        services.agreement_delete(actor=world.tpu_officer, agreement=tpu)
    kth.refresh_from_db()
    with scopes_disabled():
        assert not Agreement.objects.filter(pk=tpu.pk).exists()
    assert kth.partner_iia_id == ""


def test_a_copy_approved_by_both_sides_cannot_be_deleted(world):
    tpu, kth = linked_pair(world)
    approve(kth, world.kth_officer)
    approve(tpu, world.tpu_officer)
    with scope(institution=world.tpu), pytest.raises(ServiceError, match="terminate"):
        services.agreement_delete(actor=world.tpu_officer, agreement=tpu)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject_areas": [{"isced_f_code": "0790"}]}, "subject_areas"),
        ({"subject_areas": [{"isced_f_code": "071"}]}, "subject_areas"),
        ({"eqf_levels": [4]}, "eqf_levels"),
        ({"language_skills": [{"language": "en", "cefr_level": "D1"}]}, "language_skills"),
        ({"language_skills": [{"language": "english", "cefr_level": "B2"}]}, "language_skills"),
        ({"language_skills": []}, "language_skills"),
        ({"first_academic_year": "2026-2027"}, "first_academic_year"),
        ({"first_academic_year": "2026/2028"}, "first_academic_year"),
        ({"last_academic_year": "2025/2026"}, "last_academic_year"),
        ({"sending_hei_id": "usp.br"}, "sending_hei_id"),
        ({"receiving_hei_id": "tpu.ru"}, "receiving_hei_id"),
        ({"total_days_per_year": 10}, "total_days_per_year"),
        ({"mobilities_per_year": 0}, "mobilities_per_year"),
    ],
)
def test_an_invalid_student_condition_is_refused_naming_its_field(world, overrides, field):
    from django.core.exceptions import ValidationError

    agreement = make_agreement(world.tpu, "kth.se", world.tpu_officer)
    with scope(institution=world.tpu), pytest.raises(ValidationError) as raised:
        services.condition_add(
            actor=world.tpu_officer,
            agreement=agreement,
            **student_condition("tpu.ru", "kth.se", **overrides),
        )
    assert field in raised.value.error_dict
    assert agreement.conditions.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"total_months_per_year": 2}, "total_months_per_year"),
        ({"eqf_levels": [7]}, "eqf_levels"),
    ],
)
def test_staff_conditions_count_days_and_have_no_study_cycles(world, overrides, field):
    from django.core.exceptions import ValidationError

    agreement = make_agreement(world.tpu, "kth.se", world.tpu_officer)
    with scope(institution=world.tpu), pytest.raises(ValidationError) as raised:
        services.condition_add(
            actor=world.tpu_officer,
            agreement=agreement,
            **staff_condition("tpu.ru", "kth.se", **overrides),
        )
    assert field in raised.value.error_dict


def test_a_southern_hemisphere_academic_year_is_accepted(world):
    agreement = make_agreement(world.tpu, "usp.br", world.tpu_officer)
    with scope(institution=world.tpu):
        condition = services.condition_add(
            actor=world.tpu_officer,
            agreement=agreement,
            **student_condition(
                "tpu.ru", "usp.br", first_academic_year="2027/2027", last_academic_year="2028/2028"
            ),
        )
    assert condition.first_academic_year == "2027/2027"


def test_a_code_is_required_and_unique_per_institution(world):
    from django.core.exceptions import ValidationError

    make_agreement(world.tpu, "kth.se", world.tpu_officer, code="A-1")
    with scope(institution=world.tpu), pytest.raises(ValidationError) as raised:
        services.agreement_create(
            actor=world.tpu_officer, owner=world.tpu, partner_hei_id="usp.br", iia_code="A-1"
        )
    assert "iia_code" in raised.value.error_dict
    with scope(institution=world.tpu), pytest.raises(ValidationError):
        services.agreement_create(
            actor=world.tpu_officer, owner=world.tpu, partner_hei_id="tpu.ru", iia_code="B"
        )
