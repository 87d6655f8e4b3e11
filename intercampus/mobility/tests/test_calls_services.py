"""Calls and places through the services: the lottery seed, the weights, places derived from
the agreements with the seats not yet used."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scopes_disabled

from intercampus.core.models import AuditEntry
from intercampus.core.services import ServiceError
from intercampus.mobility.choices import CallStatus, MobilityType, NominationStatus
from intercampus.mobility.models import Nomination, Place
from intercampus.mobility.services import calls as services
from intercampus.mobility.tests import test_calls_factories as make

pytestmark = pytest.mark.django_db


def _fields(**overrides):
    return {
        "title": "Exchange 2027/2028",
        "description": "",
        "academic_year": make.YEAR,
        "terms": ["2027/2028-1/2"],
        "mobility_type": MobilityType.STUDENT_STUDIES,
        "opens_at": datetime.datetime(2027, 2, 1, 9, 0, tzinfo=make.TOMSK),
        "closes_at": datetime.datetime(2027, 2, 28, 23, 59, tzinfo=make.TOMSK),
        "max_choices": 3,
        "eligible_cycles": [7],
        "required_documents": ["transcript"],
        "weight_grades": 60,
        "weight_language": 20,
        "weight_committee": 20,
        **overrides,
    }


def _create(world, **overrides):
    with make.in_scope(world.tpu):
        return services.call_create(
            actor=world.tpu_officer, institution=world.tpu, **_fields(**overrides)
        )


def test_a_new_call_is_a_draft_with_a_lottery_seed_drawn_once(world):
    call = _create(world)
    assert call.status == CallStatus.DRAFT
    assert 0 <= call.lottery_seed < 2**63
    seed = call.lottery_seed
    with make.in_scope(world.tpu):
        services.call_update(actor=world.tpu_officer, call=call, title="Renamed")
    call.refresh_from_db()
    assert call.title == "Renamed"
    assert call.lottery_seed == seed


def test_two_calls_get_different_seeds(world):
    assert _create(world).lottery_seed != _create(world, title="Second").lottery_seed


def test_creating_a_call_is_audited_under_its_institution(world):
    call = _create(world)
    entry = AuditEntry.objects.get(action="mobility.call.created")
    assert entry.institution == world.tpu
    assert entry.object_id == str(call.pk)


def test_weights_that_do_not_add_up_to_100_are_refused_with_the_total(world):
    with pytest.raises(ServiceError, match="add up to 90"):
        _create(world, weight_committee=10)


def test_a_call_must_close_after_it_opens(world):
    with pytest.raises(ServiceError, match="close after"):
        _create(world, closes_at=datetime.datetime(2027, 1, 1, tzinfo=make.TOMSK))


def test_terms_must_belong_to_the_academic_year(world):
    with pytest.raises(ServiceError, match="not in the academic year"):
        _create(world, terms=["2026/2027-1/2"])


def test_publishing_needs_places_with_seats(world):
    call = _create(world)
    with make.in_scope(world.tpu), pytest.raises(ServiceError, match="Add places"):
        services.call_publish(actor=world.tpu_officer, call=call)


# --- Places derived from agreements ---------------------------------------------------------


def _derive(world, call):
    with make.in_scope(world.tpu):
        return services.places_derive(actor=world.tpu_officer, call=call)


def test_places_come_from_conditions_where_we_send_students_of_the_calls_type_and_year(world):
    wanted = make.agreement(world.tpu, world.kth)
    # Not ours to send, another type, years that do not include the call's.
    make.agreement(world.tpu, world.polito, sending_hei_id="polito.it", receiving_hei_id="tpu.ru")
    make.agreement(world.tpu, world.usp, mobility_type=MobilityType.STAFF_TEACHING)
    make.agreement(world.tpu, world.leuven, last_academic_year="2026/2027")
    # Another institution's own copy.
    make.agreement(world.kth, world.tpu)
    call = _create(world)
    created = _derive(world, call)
    assert [p.condition for p in created] == [wanted]
    place = created[0]
    assert place.host == world.kth
    assert place.host_hei_id == "kth.se"
    assert place.seats == 3
    assert place.eqf_levels == [7]
    assert (place.language, place.min_cefr) == ("en", "B2")


def test_a_condition_with_subject_areas_gives_one_place_per_area_with_its_language(world):
    make.agreement(
        world.tpu,
        world.kth,
        subject_areas=[
            {"isced_f_code": "0714", "isced_clarification": "Electronics"},
            {"isced_f_code": "0613", "isced_clarification": ""},
        ],
        language_skills=[
            {"language": "en", "cefr_level": "B2", "isced_f_code": ""},
            {"language": "sv", "cefr_level": "B1", "isced_f_code": "0613"},
        ],
    )
    created = _derive(world, _create(world))
    by_area = {p.subject_area: (p.language, p.min_cefr, p.seats) for p in created}
    # The agreement's 3 mobilities are shared: together the places never offer more.
    assert by_area == {"0714": ("en", "B2", 2), "0613": ("sv", "B1", 1)}


def test_seats_already_held_by_nominations_of_that_year_are_not_offered_again(world):
    condition = make.agreement(world.tpu, world.kth, mobilities_per_year=3)
    earlier = make.call(world.tpu, title="Earlier call")
    used_place = make.place(earlier, condition)
    with scopes_disabled():
        for status, email in (
            (NominationStatus.PENDING, "a@tpu.ru"),
            (NominationStatus.ACCEPTED, "b@tpu.ru"),
            (NominationStatus.REJECTED, "c@tpu.ru"),
        ):
            app = make.draft(earlier, make.student(world.tpu, email))
            Nomination.objects.create(
                application=app,
                place=used_place,
                home=world.tpu,
                host_hei_id="kth.se",
                status=status,
            )
    created = _derive(world, _create(world))
    assert [p.seats for p in created] == [1]


def test_seats_never_go_below_zero(world):
    condition = make.agreement(world.tpu, world.kth, mobilities_per_year=1)
    earlier = make.call(world.tpu, title="Earlier call")
    used_place = make.place(earlier, condition)
    with scopes_disabled():
        for email in ("a@tpu.ru", "b@tpu.ru"):
            app = make.draft(earlier, make.student(world.tpu, email))
            Nomination.objects.create(
                application=app, place=used_place, home=world.tpu, host_hei_id="kth.se"
            )
    assert [p.seats for p in _derive(world, _create(world))] == [0]


def test_deriving_again_only_adds_what_is_new(world):
    make.agreement(world.tpu, world.kth)
    call = _create(world)
    assert len(_derive(world, call)) == 1
    assert _derive(world, call) == []
    make.agreement(world.tpu, world.usp)
    assert [p.host_hei_id for p in _derive(world, call)] == ["usp.br"]
    assert Place.objects.filter(call=call).count() == 2


def test_seats_can_be_lowered_but_not_above_what_the_agreement_has_left(world):
    make.agreement(world.tpu, world.kth, mobilities_per_year=3)
    place = _derive(world, _create(world))[0]
    with make.in_scope(world.tpu):
        services.place_update(actor=world.tpu_officer, place=place, seats=1)
        services.place_update(actor=world.tpu_officer, place=place, seats=3)
        with pytest.raises(ServiceError, match="3 seats left"):
            services.place_update(actor=world.tpu_officer, place=place, seats=4)
    place.refresh_from_db()
    assert place.seats == 3


def test_a_place_students_ranked_cannot_be_removed(world):
    condition = make.agreement(world.tpu, world.kth)
    call = make.call(world.tpu)
    ranked = make.place(call, condition)
    make.draft(call, make.student(world.tpu, "a@tpu.ru"), places=[ranked])
    with make.in_scope(world.tpu), pytest.raises(ServiceError, match="already ranked"):
        services.place_delete(actor=world.tpu_officer, place=ranked)


def test_a_place_nobody_ranked_is_removed_and_audited(world):
    condition = make.agreement(world.tpu, world.kth)
    place = make.place(make.call(world.tpu), condition)
    with make.in_scope(world.tpu):
        services.place_delete(actor=world.tpu_officer, place=place)
    assert not Place.objects.filter(pk=place.pk).exists()
    assert AuditEntry.objects.filter(
        action="mobility.place.deleted", institution=world.tpu
    ).exists()


def test_the_year_and_type_of_a_call_with_places_cannot_change(world):
    make.agreement(world.tpu, world.kth)
    call = _create(world)
    _derive(world, call)
    with make.in_scope(world.tpu), pytest.raises(ServiceError, match="Remove the places"):
        services.call_update(
            actor=world.tpu_officer, call=call, academic_year="2028/2029", terms=[]
        )


def test_a_published_call_with_places_can_be_published_once(world):
    make.agreement(world.tpu, world.kth)
    call = _create(world)
    _derive(world, call)
    with make.in_scope(world.tpu):
        services.call_publish(actor=world.tpu_officer, call=call)
        with pytest.raises(ServiceError):
            services.call_publish(actor=world.tpu_officer, call=call)
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
