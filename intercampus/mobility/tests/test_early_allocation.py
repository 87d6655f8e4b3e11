"""An early allocation closes the call for everyone, and every reader says so; the places of
a call never offer, nor publish, more mobilities than an agreement has left.

Rule: running the allocation before the call's closing time is a deliberate "close early"
(confirmed with ``--early``, the page's checkbox or the API's ``early``). The call's closing
time becomes the moment of the run (the planned one is kept in the run and the audit), so the
pages, the API and the submission service all answer "closed", and a student's draft says
"closed early on <date>".
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry
from intercampus.core.services import ServiceError
from intercampus.mobility.choices import CallStatus
from intercampus.mobility.models import Call
from intercampus.mobility.selectors import calls as call_selectors
from intercampus.mobility.services import allocation as services
from intercampus.mobility.services import applications as app_services
from intercampus.mobility.services import calls as call_services
from intercampus.mobility.tests import test_calls_factories as make
from intercampus.mobility.tests.test_allocation_runs import AFTER, small_call

pytestmark = pytest.mark.django_db

# Before the call's planned closing (28 February 2027 in Tomsk).
EARLY = datetime.datetime(2027, 2, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def small(world):
    return small_call(world)


@pytest.fixture
def late_draft(world, small):
    """A student who started a draft and had not submitted it when the allocation ran."""
    return make.draft(small.call, make.student(world.tpu, "late@tpu.ru"), places=[small.kth])


def allocate_early(small):
    return services.allocation_run(actor=None, call=small.call, now=EARLY, early=True)


def test_an_early_run_closes_the_call_at_the_moment_it_ran(world, small):
    planned = small.call.closes_at

    done = allocate_early(small)

    small.call.refresh_from_db()
    assert small.call.closes_at == EARLY
    assert datetime.datetime.fromisoformat(done.parameters["planned_closes_at"]) == planned
    entry = AuditEntry.objects.get(action="mobility.call.closed_early")
    assert datetime.datetime.fromisoformat(entry.before["closes_at"]) == planned


def test_after_an_early_run_every_reader_says_the_call_is_closed(world, small):
    allocate_early(small)
    small.call.refresh_from_db()

    # Whatever the clock: an allocated call takes no more applications.
    for now in (
        EARLY + datetime.timedelta(hours=1),
        datetime.datetime(2027, 2, 1, 12, tzinfo=datetime.UTC),
    ):
        assert call_selectors.window_state(small.call, now) == "closed"
    _token, raw = ApiToken.objects.issue(user=world.tpu_officer, name="test")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    detail = api.get(f"/api/v1/institutions/tpu.ru/calls/{small.call.uuid}").json()
    assert detail["window"] == "closed"


def test_a_draft_left_when_the_call_closed_early_is_refused_with_a_clear_message(
    world, small, late_draft
):
    allocate_early(small)
    small.call.refresh_from_db()

    with pytest.raises(ServiceError) as refused:
        app_services.application_submit(
            actor=late_draft.student,
            application=late_draft,
            now=EARLY + datetime.timedelta(hours=1),
        )

    assert refused.value.status == 409
    assert "This call was closed early on" in refused.value.message


def test_the_students_draft_page_says_the_call_was_closed_early(world, small, late_draft):
    allocate_early(small)

    page = make.client_for(late_draft.student).get(
        reverse("mobility:application", kwargs={"application": late_draft.uuid})
    )

    assert "This call was closed early on" in page.content.decode()


def test_a_call_closed_on_its_date_is_not_said_to_have_closed_early(world, small, late_draft):
    services.allocation_run(actor=None, call=small.call, now=AFTER)
    small.call.refresh_from_db()

    assert not call_selectors.closed_early(small.call)
    assert "closed early" not in app_services.closed_message(small.call)


def test_a_call_that_has_not_opened_cannot_be_allocated(world, small):
    before = datetime.datetime(2027, 1, 20, tzinfo=datetime.UTC)

    with pytest.raises(ServiceError, match="not opened yet"):
        services.allocation_run(actor=None, call=small.call, now=before, early=True)


def test_the_command_names_early_when_the_call_is_still_open(world, small, monkeypatch):
    monkeypatch.setattr(services, "current_time", lambda: EARLY)

    with pytest.raises(CommandError, match="run the command again with --early"):
        call_command("allocate", "--call", str(small.call.uuid), stdout=io.StringIO())


def test_the_api_names_its_early_field_when_the_call_is_still_open(world, small):
    with pytest.raises(ServiceError) as refused:
        services.allocation_run(actor=None, call=small.call, now=EARLY)

    assert refused.value.field == "early"
    assert 'send "early": true' in refused.value.message


# --- Seats of the agreements ----------------------------------------------------------------


def derive(world, call):
    with make.in_scope(world.tpu):
        return call_services.places_derive(actor=world.tpu_officer, call=call)


def areas(*codes):
    return [{"isced_f_code": code} for code in codes]


def test_derived_places_share_what_the_agreement_has_left_after_other_calls(world):
    condition = make.agreement(
        world.tpu, world.kth, mobilities_per_year=5, subject_areas=areas("0714", "0613", "0541")
    )
    other = make.call(world.tpu, title="Summer call")
    make.place(other, condition, seats=2, subject_area="0714")

    created = derive(world, make.call(world.tpu, status=CallStatus.DRAFT))

    assert sorted(p.seats for p in created) == [1, 1, 1]


def test_deriving_again_offers_only_what_the_calls_places_have_not_taken(world):
    condition = make.agreement(
        world.tpu, world.kth, mobilities_per_year=4, subject_areas=areas("0714")
    )
    call = make.call(world.tpu, status=CallStatus.DRAFT)
    assert [p.seats for p in derive(world, call)] == [4]
    with scopes_disabled():
        condition.subject_areas = areas("0714", "0613")
        condition.save()

    assert [p.seats for p in derive(world, call)] == [0]


def test_a_place_cannot_be_raised_above_what_its_siblings_leave(world):
    make.agreement(world.tpu, world.kth, mobilities_per_year=3, subject_areas=areas("0714", "0613"))
    first, second = derive(world, make.call(world.tpu, status=CallStatus.DRAFT))

    with make.in_scope(world.tpu), pytest.raises(ServiceError, match="1 seats left"):
        call_services.place_update(actor=world.tpu_officer, place=second, seats=2)


def test_publishing_more_students_than_an_agreement_has_left_is_refused_naming_it(world, small):
    # Another call of the year already offers every USP mobility (3 a year).
    other = make.call(world.tpu, title="Summer call")
    make.place(other, small.usp.condition, seats=3)
    done = services.allocation_run(actor=None, call=small.call, now=AFTER)
    assert done.results[small.uuid("chen")] == str(small.usp.uuid)

    with pytest.raises(ServiceError) as refused:
        services.allocation_publish(actor=None, run=done, now=AFTER)

    assert refused.value.status == 409
    assert small.usp.condition.agreement.iia_id in refused.value.message
    assert "0 mobilities left" in refused.value.message
    with scopes_disabled():
        assert Call.objects.get(pk=small.call.pk).status == CallStatus.ALLOCATED
