"""The international office's call pages: create a call in the home time zone, derive and
adjust places, publish; outsiders get 404."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.mobility.choices import CallStatus
from intercampus.mobility.models import Call, Place
from intercampus.mobility.tests import test_calls_factories as make

pytestmark = pytest.mark.django_db


def _url(name, schac="tpu.ru", **kwargs):
    return reverse(f"staff:{name}", kwargs={"institution": schac, **kwargs})


def _form(**overrides):
    return {
        "title": "Exchange 2027/2028",
        "description": "Spring semester at our partners.",
        "academic_year": "2027/2028",
        "terms": "2027/2028-2/2",
        "mobility_type": "student-studies",
        "opens_at": "2027-02-01T09:00",
        "closes_at": "2027-02-28T23:59",
        "max_choices": "3",
        "eligible_cycles": ["7"],
        "required_documents": ["transcript"],
        "weight_grades": "60",
        "weight_language": "20",
        "weight_committee": "20",
        **overrides,
    }


def test_the_form_names_the_institutions_time_zone(world, tpu_officer_client):
    page = tpu_officer_client.get(_url("call_add")).content.decode()
    assert "Opens (Asia/Tomsk)" in page
    assert "Closes (Asia/Tomsk)" in page


def test_a_call_closing_at_2359_in_tomsk_is_stored_in_utc(world, tpu_officer_client):
    response = tpu_officer_client.post(_url("call_add"), _form())
    with scopes_disabled():
        call = Call.objects.get(owner=world.tpu)
    assert response.status_code == 302
    assert response["Location"] == _url("call", call=call.uuid)
    # Tomsk is UTC+7 all year.
    assert call.closes_at == datetime.datetime(2027, 2, 28, 16, 59, tzinfo=datetime.UTC)
    assert call.terms == ["2027/2028-2/2"]
    assert call.eligible_cycles == [7]
    assert call.status == CallStatus.DRAFT


def test_the_edit_form_shows_the_window_in_the_home_time_zone(world, tpu_officer_client):
    call = make.call(world.tpu, status=CallStatus.DRAFT)
    page = tpu_officer_client.get(_url("call_edit", call=call.uuid)).content.decode()
    assert 'value="2027-02-28T23:59"' in page


def test_weights_that_do_not_add_up_keep_what_was_typed_and_say_why(world, tpu_officer_client):
    response = tpu_officer_client.post(
        _url("call_add"), _form(weight_committee="30", title="Kept title")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "add up to 110; they must add up to 100" in page
    assert 'value="Kept title"' in page
    with scopes_disabled():
        assert not Call.objects.exists()


def test_more_than_ten_choices_are_refused(world, tpu_officer_client):
    response = tpu_officer_client.post(_url("call_add"), _form(max_choices="11"))
    assert response.status_code == 200
    with scopes_disabled():
        assert not Call.objects.exists()


def test_the_detail_shows_the_window_places_and_counts(world, tpu_officer_client):
    call = make.call(world.tpu)
    make.place(call, make.agreement(world.tpu, world.kth))
    make.draft(call, make.student(world.tpu, "anna@tpu.ru"))
    page = tpu_officer_client.get(_url("call", call=call.uuid)).content.decode()
    assert "Asia/Tomsk" in page
    assert "KTH" in page
    assert "Draft" in page


def test_deriving_places_then_lowering_seats_then_publishing(world, tpu_officer_client):
    make.agreement(world.tpu, world.kth, mobilities_per_year=4)
    call = make.call(world.tpu, status=CallStatus.DRAFT)
    tpu_officer_client.post(_url("call_derive_places", call=call.uuid))
    with scopes_disabled():
        place = Place.objects.get(call=call)
    assert place.seats == 4
    response = tpu_officer_client.post(
        _url("place_edit", call=call.uuid, place=place.uuid), {"seats": "2"}
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.seats == 2
    too_many = tpu_officer_client.post(
        _url("place_edit", call=call.uuid, place=place.uuid), {"seats": "9"}
    )
    assert "4 seats left" in too_many.content.decode()
    tpu_officer_client.post(_url("call_publish", call=call.uuid))
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED


def test_a_place_is_removed_after_confirmation(world, tpu_officer_client):
    call = make.call(world.tpu, status=CallStatus.DRAFT)
    place = make.place(call, make.agreement(world.tpu, world.kth))
    url = _url("place_delete", call=call.uuid, place=place.uuid)
    assert tpu_officer_client.get(url).status_code == 200
    tpu_officer_client.post(url)
    assert not Place.objects.filter(pk=place.pk).exists()


def test_places_split_by_area_that_offer_too_many_seats_are_flagged(world, tpu_officer_client):
    make.agreement(
        world.tpu,
        world.kth,
        mobilities_per_year=2,
        subject_areas=[{"isced_f_code": "0714"}, {"isced_f_code": "0613"}],
    )
    call = make.call(world.tpu, status=CallStatus.DRAFT)
    tpu_officer_client.post(_url("call_derive_places", call=call.uuid))
    page = tpu_officer_client.get(_url("call", call=call.uuid)).content.decode()
    # Derived places share the agreement's seats: nothing to flag.
    assert "but the agreement has" not in page
    # Another call of the year takes one of them afterwards.
    other = make.call(world.tpu, title="Summer call")
    with scopes_disabled():
        condition = Place.objects.filter(call=call).first().condition
    make.place(other, condition, seats=1)
    page = tpu_officer_client.get(_url("call", call=call.uuid)).content.decode()
    assert "offer 2 seats together, but the agreement has 1 left" in page


def test_the_list_shows_the_institutions_calls_only(world, tpu_officer_client):
    make.call(world.tpu, title="TPU call")
    make.call(world.kth, title="KTH call")
    page = tpu_officer_client.get(_url("calls")).content.decode()
    assert "TPU call" in page
    assert "KTH call" not in page


# --- Outsiders ------------------------------------------------------------------------------


def _call_urls(call, place):
    """Every call page, with the method it answers (GET pages also answer POST when "both")."""
    return [
        (_url("calls"), "get"),
        (_url("call_add"), "both"),
        (_url("call", call=call.uuid), "get"),
        (_url("call_edit", call=call.uuid), "both"),
        (_url("call_publish", call=call.uuid), "post"),
        (_url("call_derive_places", call=call.uuid), "post"),
        (_url("place_edit", call=call.uuid, place=place.uuid), "both"),
        (_url("place_delete", call=call.uuid, place=place.uuid), "both"),
    ]


def test_staff_of_another_institution_get_404_on_every_call_page(world, kth_officer_client):
    call = make.call(world.tpu, status=CallStatus.DRAFT)
    place = make.place(call, make.agreement(world.tpu, world.kth))
    for url, _method in _call_urls(call, place):
        assert kth_officer_client.get(url).status_code == 404, url
        assert kth_officer_client.post(url).status_code == 404, url
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT


def test_a_call_of_another_institution_is_404_in_ones_own_staff_area(world, kth_officer_client):
    call = make.call(world.tpu, status=CallStatus.DRAFT)
    place = make.place(call, make.agreement(world.tpu, world.kth))
    for url, method in _call_urls(call, place)[2:]:
        own = url.replace("/i/tpu.ru/", "/i/kth.se/")
        if method in ("get", "both"):
            assert kth_officer_client.get(own).status_code == 404, own
        if method in ("post", "both"):
            assert kth_officer_client.post(own).status_code == 404, own


def test_a_work_group_coordinator_may_not_manage_calls(world, coordinator_client):
    assert coordinator_client.get(_url("calls")).status_code == 403
