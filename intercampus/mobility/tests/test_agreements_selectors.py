"""Agreement selectors: the list with its filters, the partner's copy across tenants, the
field-by-field difference and what blocks approval, in plain words."""

from __future__ import annotations

import pytest
from django.http import Http404
from django_scopes import scope

from intercampus.mobility.selectors import agreements as selectors
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


def _codes(agreements) -> list[str]:
    return sorted(a.iia_code for a in agreements)


def test_the_list_shows_only_our_own_copies_with_a_derived_status(world):
    tpu, kth = linked_pair(world)
    make_agreement(world.tpu, "usp.br", world.tpu_officer, code="TPU-USP")
    listed = {a.iia_code: a for a in selectors.agreements_of(world.tpu)}
    assert sorted(listed) == ["TPU-KTH-2026", "TPU-USP"]
    assert listed["TPU-USP"].status == "draft"
    assert listed["TPU-KTH-2026"].status == "proposed"
    assert listed["TPU-KTH-2026"].condition_count == 2
    assert (listed["TPU-KTH-2026"].first_year, listed["TPU-KTH-2026"].last_year) == (
        "2026/2027",
        "2028/2029",
    )
    approve(kth, world.kth_officer)
    approve(tpu, world.tpu_officer)
    (approved,) = selectors.agreements_of(world.tpu, status="approved")
    assert approved.iia_code == "TPU-KTH-2026"
    assert approved.approved_by_partner and approved.approved_by_us


def test_the_list_filters_by_partner_type_year_and_search(world):
    make_agreement(
        world.tpu, "kth.se", world.tpu_officer, code="TPU-KTH", conditions=two_way(world)
    )
    make_agreement(
        world.tpu,
        "usp.br",
        world.tpu_officer,
        code="TPU-USP",
        conditions=[staff_condition("tpu.ru", "usp.br", first_academic_year="2030/2030",
                                    last_academic_year="2031/2031")],
    )  # fmt: skip
    assert _codes(selectors.agreements_of(world.tpu, partner="usp.br")) == ["TPU-USP"]
    assert _codes(selectors.agreements_of(world.tpu, mobility_type="staff-teacher")) == ["TPU-USP"]
    assert _codes(selectors.agreements_of(world.tpu, academic_year="2027/2028")) == ["TPU-KTH"]
    assert _codes(selectors.agreements_of(world.tpu, q="São Paulo")) == ["TPU-USP"]
    assert _codes(selectors.agreements_of(world.tpu, q="tpu-kth")) == ["TPU-KTH"]
    assert selectors.agreements_page(world.tpu, page=1, per_page=1).paginator.num_pages == 2


def test_the_partner_copy_is_found_only_when_it_names_us(world):
    tpu, kth = linked_pair(world)
    tpu_usp = make_agreement(world.tpu, "usp.br", world.tpu_officer)
    assert selectors.partner_copy(kth) == tpu
    with pytest.raises(Http404):
        selectors.incoming_copy(world.kth, tpu_usp.uuid)
    assert selectors.incoming_copy(world.usp, tpu_usp.uuid) == tpu_usp


def test_a_new_proposal_waits_for_our_copy_until_we_create_it(world):
    tpu = make_agreement(world.tpu, "kth.se", world.tpu_officer, conditions=two_way(world))
    assert selectors.incoming_copies(world.kth) == [tpu]
    assert selectors.incoming_copies(world.usp) == []
    with scope(institution=world.kth):
        services.agreement_adopt(
            actor=world.kth_officer, owner=world.kth, theirs=tpu, iia_code="KTH-TPU"
        )
    assert selectors.incoming_copies(world.kth) == []


def test_identical_copies_show_no_difference(world):
    tpu, kth = linked_pair(world)
    diff = selectors.agreement_diff(kth, tpu)
    assert diff.same
    assert all(pair.same for pair in diff.pairs)


def test_a_changed_number_is_named_field_by_field(world):
    tpu, kth = linked_pair(world)
    first = kth.conditions.order_by("position").first()
    with scope(institution=world.kth):
        services.condition_change(
            actor=world.kth_officer,
            condition=first,
            **student_condition("tpu.ru", "kth.se", mobilities_per_year=3),
        )
    kth.refresh_from_db()
    diff = selectors.agreement_diff(kth, tpu)
    assert diff.notes == ["Condition 1: mobilities per year 3 in ours, 2 in the partner's."]
    (changed,) = diff.pairs[0].differences
    assert (changed.ours, changed.theirs) == ("3", "2")


def test_a_missing_condition_and_the_counts_are_named(world):
    tpu, kth = linked_pair(world)
    with scope(institution=world.kth):
        services.condition_add(
            actor=world.kth_officer, agreement=kth, **staff_condition("kth.se", "tpu.ru")
        )
    kth.refresh_from_db()
    notes = selectors.agreement_diff(kth, tpu).notes
    assert "The partner's copy has 2 conditions, ours has 3." in notes
    assert any("is only in our copy" in note for note in notes)


def test_conditions_in_another_order_are_matched_and_the_order_is_named(world):
    tpu, kth = linked_pair(world)
    second, first = kth.conditions.order_by("-position")
    with scope(institution=world.kth):
        services.conditions_reorder(
            actor=world.kth_officer, agreement=kth, order=[second.uuid, first.uuid]
        )
    kth.refresh_from_db()
    diff = selectors.agreement_diff(kth, tpu)
    assert "Condition 1 of ours is condition 2 of the partner's copy: the order differs." in (
        diff.notes
    )
    assert all(not pair.differences for pair in diff.pairs)


def test_blockers_say_not_linked_yet(world):
    tpu = make_agreement(world.tpu, "kth.se", world.tpu_officer, conditions=two_way(world))
    (blocker,) = selectors.blockers(tpu)
    assert blocker.text.startswith("Not linked yet")
    remote = make_agreement(world.tpu, "uni-foo.example", world.tpu_officer)
    (blocker,) = selectors.blockers(remote)
    assert "not on the platform" in blocker.text


def test_blockers_list_differences_and_what_each_side_still_has_to_do(world):
    tpu, kth = linked_pair(world)
    assert [b.text for b in selectors.approval_blockers(kth)] == []
    todo = [b.text for b in selectors.blockers(kth)]
    assert todo == [
        "We have not approved the partner's copy yet.",
        "The partner has not approved our copy yet.",
    ]
    approve(kth, world.kth_officer)
    with scope(institution=world.tpu):
        services.condition_change(
            actor=world.tpu_officer,
            condition=tpu.conditions.order_by("position").first(),
            **student_condition("tpu.ru", "kth.se", mobilities_per_year=4),
        )
    texts = [b.text for b in selectors.blockers(kth)]
    assert "Condition 1: mobilities per year 2 in ours, 4 in the partner's." in texts
    assert "The partner changed its copy after your approval: approve the new version." in texts


def test_approval_state_gives_date_and_person(world):
    tpu, kth = linked_pair(world)
    approve(kth, world.kth_officer)
    state = selectors.approval_state(tpu)
    assert state.ours_by_partner.state == "current"
    assert state.ours_by_partner.approved_by == "iro@kth.se"
    assert state.ours_by_partner.approved_at is not None
    assert state.theirs_by_us.state == "none"
