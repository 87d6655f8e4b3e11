"""Nominations through the services: KTH nominates, TPU accepts or rejects, KTH cancels."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from intercampus.core.models import AuditEntry, Notification
from intercampus.core.services import ServiceError
from intercampus.mobility.choices import ApplicationState, NominationStatus
from intercampus.mobility.models import Application, Nomination
from intercampus.mobility.selectors.calls import over_offered_conditions
from intercampus.mobility.services import nominations as services
from intercampus.mobility.tests import test_nominations_factories as f


def _state(application) -> str:
    with scopes_disabled():
        return Application.objects.get(pk=application.pk).state


def _nominate(world, **kwargs):
    call, place, application = f.kth_placed(world, **kwargs)
    nomination = services.nomination_create(actor=world.kth_officer, application=application)
    return nomination, application


def test_kth_nominates_a_placed_student_to_tpu_and_tpu_accepts(
    world, django_capture_on_commit_callbacks
):
    call, place, application = f.kth_placed(world)
    with django_capture_on_commit_callbacks(execute=True):
        nomination = services.nomination_create(actor=world.kth_officer, application=application)
    assert nomination.home == world.kth
    assert nomination.host == world.tpu
    assert nomination.host_hei_id == "tpu.ru"
    assert nomination.place == place
    assert nomination.status == NominationStatus.PENDING
    assert _state(application) == ApplicationState.NOMINATED
    with scopes_disabled():
        notice = Notification.objects.get(institution=world.tpu, kind=services.RECEIVED)
    assert notice.sender == world.kth
    assert str(nomination.uuid) in notice.link
    recipients = {tuple(m.to) for m in mail.outbox}
    assert ("iro@tpu.ru",) in recipients
    assert (world.student.email,) in recipients

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accepted = services.nomination_accept(actor=world.tpu_officer, nomination=nomination)
    assert accepted.status == NominationStatus.ACCEPTED
    assert accepted.decided_by == world.tpu_officer
    assert accepted.decided_at is not None
    assert _state(application) == ApplicationState.ACCEPTED
    with scopes_disabled():
        assert Notification.objects.filter(institution=world.kth, kind=services.ACCEPTED).exists()
        audited = set(
            AuditEntry.objects.filter(action="mobility.nomination.accepted").values_list(
                "institution__schac", flat=True
            )
        )
    assert audited == {"kth.se", "tpu.ru"}
    recipients = {tuple(m.to) for m in mail.outbox}
    assert recipients == {("iro@kth.se",), (world.student.email,)}


def test_the_nomination_is_audited_for_the_home(world):
    nomination, application = _nominate(world)
    with scopes_disabled():
        actions = set(
            AuditEntry.objects.filter(institution=world.kth).values_list("action", flat=True)
        )
    assert {"mobility.nomination.created", "mobility.application.nominated"} <= actions


def test_rejecting_needs_a_reason(world):
    nomination, application = _nominate(world)
    for reason in ("", "   "):
        with pytest.raises(ServiceError) as refused:
            services.nomination_reject(
                actor=world.tpu_officer, nomination=nomination, reason=reason
            )
        assert refused.value.field == "reason"
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PENDING
    assert _state(application) == ApplicationState.NOMINATED


def test_a_rejection_tells_kth_and_the_student_why(world, django_capture_on_commit_callbacks):
    nomination, application = _nominate(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.nomination_reject(
            actor=world.tpu_officer, nomination=nomination, reason="No courses in English."
        )
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.REJECTED
    assert nomination.reason == "No courses in English."
    assert _state(application) == ApplicationState.REJECTED
    with scopes_disabled():
        notice = Notification.objects.get(institution=world.kth, kind=services.REJECTED)
    assert notice.params["reason"] == "No courses in English."
    to_student = [m for m in mail.outbox if m.to == [world.student.email]]
    assert "No courses in English." in to_student[0].body


def test_only_the_hosts_staff_decide(world):
    nomination, _application = _nominate(world)
    for actor in (world.kth_officer, world.tpu_coordinator, world.student):
        with pytest.raises(ServiceError) as refused:
            services.nomination_accept(actor=actor, nomination=nomination)
        assert refused.value.status == 404
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PENDING


def test_only_the_homes_office_nominates(world):
    _call, _place, application = f.kth_placed(world)
    with pytest.raises(ServiceError) as refused:
        services.nomination_create(actor=world.tpu_officer, application=application)
    assert refused.value.status == 403


def test_a_decision_is_final(world):
    nomination, _application = _nominate(world)
    services.nomination_accept(actor=world.tpu_officer, nomination=nomination)
    with pytest.raises(ServiceError) as refused:
        services.nomination_reject(actor=world.tpu_officer, nomination=nomination, reason="Late")
    assert refused.value.status == 409


def test_only_placed_students_are_nominated_and_only_once(world):
    nomination, application = _nominate(world)
    with pytest.raises(ServiceError):
        services.nomination_create(actor=world.kth_officer, application=application)
    with scopes_disabled():
        assert Nomination.objects.filter(application=application).count() == 1


def test_a_student_without_a_published_placement_is_not_nominated(world):
    _call, _place, application = f.kth_placed(world)
    with scopes_disabled():
        application.call.runs.all().delete()
    with pytest.raises(ServiceError) as refused:
        services.nomination_create(actor=world.kth_officer, application=application)
    assert "publish" in refused.value.message


def test_nominating_all_placed_students_gives_the_last_seat_to_the_best_score(world):
    call, place, first = f.kth_placed(world, score="70")
    second = f.placed(call, place, f.named_student(world.kth, "Bo", "Ek"), score="90")
    third = f.placed(call, place, f.named_student(world.kth, "Cy", "Ny"), score="60")
    # The agreement has 2 mobilities a year from KTH to TPU.
    result = services.nominations_create_for_call(actor=world.kth_officer, call=call)
    assert [n.application for n in result.created] == [second, first]
    assert [a for a, _message in result.refused] == [third]
    assert "all nominated already" in result.refused[0][1]
    assert _state(third) == ApplicationState.PLACED


def test_cancelling_frees_the_seat_and_declines_the_application(world):
    nomination, application = _nominate(world)
    services.nomination_accept(actor=world.tpu_officer, nomination=nomination)
    services.nomination_cancel(actor=world.kth_officer, nomination=nomination, reason="Ill.")
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.CANCELLED
    assert _state(application) == ApplicationState.DECLINED
    with scopes_disabled():
        assert Notification.objects.filter(institution=world.tpu, kind=services.CANCELLED).exists()


def test_the_host_cannot_cancel(world):
    nomination, _application = _nominate(world)
    with pytest.raises(ServiceError) as refused:
        services.nomination_cancel(actor=world.tpu_officer, nomination=nomination)
    assert refused.value.status == 403


def test_a_host_off_the_platform_gets_no_notice_and_decides_through_ewp(world):
    with scopes_disabled():
        world.tpu.on_platform = False
        world.tpu.save()
    nomination, _application = _nominate(world)
    assert nomination.host is None
    assert nomination.host_hei_id == "tpu.ru"
    with scopes_disabled():
        assert (
            not Notification.objects.filter(institution=world.tpu)
            .exclude(kind__startswith="mobility.agreement")
            .exists()
        )
    with pytest.raises(ServiceError):
        services.nomination_accept(actor=world.tpu_officer, nomination=nomination)


# --- The onboarding hook --------------------------------------------------------------------


def test_acceptance_starts_the_hosts_journey_at_the_start_of_the_term(world, monkeypatch):
    started = []

    def start(*, nomination, actor, anchor_date):
        started.append((nomination.pk, actor, anchor_date))
        return "journey"

    monkeypatch.setattr(services, "journey_starter", lambda: start)
    nomination, _application = _nominate(world)
    services.nomination_accept(actor=world.tpu_officer, nomination=nomination)
    assert started == [(nomination.pk, world.tpu_officer, datetime.date(2027, 9, 1))]


def test_acceptance_stands_when_the_onboarding_app_refuses(world, monkeypatch):
    def start(**kwargs):
        raise ServiceError("No arrival date.")

    monkeypatch.setattr(services, "journey_starter", lambda: start)
    nomination, application = _nominate(world)
    services.nomination_accept(actor=world.tpu_officer, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.ACCEPTED
    assert _state(application) == ApplicationState.ACCEPTED


def test_the_anchor_is_the_earliest_term_of_the_call():
    class Call:
        academic_year = "2027/2028"
        terms = ["2027/2028-2/2", "2027/2028-1/2"]

    assert services.anchor_date_for(Call()) == datetime.date(2027, 9, 1)
    Call.terms = []
    assert services.anchor_date_for(Call()) == datetime.date(2027, 9, 1)


def test_a_calls_own_nominations_do_not_make_its_places_look_over_offered(world):
    call, place, first = f.kth_placed(world, score="70")
    f.placed(call, place, f.named_student(world.kth, "Bo", "Ek"), score="90")
    # The agreement has 2 mobilities a year from KTH to TPU; the place offers both.
    services.nominations_create_for_call(actor=world.kth_officer, call=call)
    with scopes_disabled():
        assert over_offered_conditions(call) == []
        # Another call of the same year offering the same seats again is over-offered.
        other, _place = f.call_with_place(world.kth, place.condition.agreement, title="Again")
        [item] = over_offered_conditions(other)
    assert (item.offered, item.left) == (2, 0)


def test_a_call_year_that_is_no_academic_year_starts_no_journey_but_the_acceptance_stands(
    world, monkeypatch
):
    started = []
    monkeypatch.setattr(services, "journey_starter", lambda: lambda **kw: started.append(kw))
    nomination, application = _nominate(world)
    with scopes_disabled():
        application.call.academic_year = "2027/2030"
        application.call.terms = []
        application.call.save(update_fields=["academic_year", "terms"])
    services.nomination_accept(actor=world.tpu_officer, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.ACCEPTED
    assert started == []
