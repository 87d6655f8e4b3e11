"""A student applies: open calls, a draft that autosaves whatever was typed, eligibility shown
live, submission only inside the window (in the home time zone), withdrawal; and never
another student's application."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from intercampus.mobility import scoring
from intercampus.mobility.choices import ApplicationState, CallStatus
from intercampus.mobility.models import Application, ApplicationChoice
from intercampus.mobility.services import applications as app_services
from intercampus.mobility.tests import test_calls_factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def tpu_call(world):
    call = make.call(world.tpu)
    condition = make.agreement(world.tpu, world.kth)
    call.english_place = make.place(call, condition, language="en", min_cefr="B2")
    usp = make.agreement(world.tpu, world.usp)
    call.portuguese_place = make.place(
        call, usp, language="pt", min_cefr="B1", eqf_levels=[6], host_hei_id="usp.br"
    )
    return call


@pytest.fixture
def anna(world):
    return make.student(world.tpu, "anna@tpu.ru")


@pytest.fixture
def anna_client(anna):
    return make.client_for(anna)


@pytest.fixture
def at(monkeypatch):
    """Set the clock the call's window is checked against: ``at(datetime)``."""

    def set_now(moment):
        monkeypatch.setattr(app_services, "current_time", lambda: moment)

    return set_now


def _url(name, **kwargs):
    return reverse(f"mobility:{name}", kwargs=kwargs)


def _typed(call, **overrides):
    data = {
        "grade_average": "84,5",
        "cycle": "7",
        "language_0": "en",
        "level_0": "C1",
        "language_1": "",
        "level_1": "",
        "motivation": "I want to study electronics.",
        "choice_1": str(call.english_place.uuid),
        "choice_2": "",
        "choice_3": "",
    }
    data.update(overrides)
    return data


def _start(client, call):
    client.post(_url("apply", call=call.uuid))
    with scopes_disabled():
        return Application.objects.get(call=call)


# --- Calls ----------------------------------------------------------------------------------


def test_a_student_sees_the_open_calls_of_their_institution_only(world, tpu_call, anna_client, at):
    at(make.NOW)
    make.call(world.kth, title="KTH call")
    make.call(world.tpu, title="TPU draft", status=CallStatus.DRAFT)
    page = anna_client.get(_url("home")).content.decode()
    assert "Exchange 2027/2028" in page
    assert "KTH call" not in page
    assert "TPU draft" not in page


def test_a_student_of_another_institution_cannot_open_the_call(world, tpu_call, student_client):
    assert student_client.get(_url("call", call=tpu_call.uuid)).status_code == 404
    assert student_client.post(_url("apply", call=tpu_call.uuid)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, world, tpu_call):
    response = client.get(_url("home"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_applying_twice_opens_the_same_draft(world, tpu_call, anna_client, at):
    at(make.NOW)
    first = anna_client.post(_url("apply", call=tpu_call.uuid))
    second = anna_client.post(_url("apply", call=tpu_call.uuid))
    assert first["Location"] == second["Location"]
    with scopes_disabled():
        application = Application.objects.get(call=tpu_call)
    assert application.state == ApplicationState.DRAFT
    assert application.owner == world.tpu
    assert first["Location"] == _url("application", application=application.uuid)


# --- Autosave -------------------------------------------------------------------------------


def test_autosave_saves_what_is_valid_and_keeps_every_typed_value(world, tpu_call, anna_client, at):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    typed = _typed(tpu_call, grade_average="84,5.", language_0="englsh", motivation="Half a sente")
    response = anna_client.post(
        _url("autosave", application=application.uuid), typed, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    application.refresh_from_db()
    # Shown in the home time zone (Tomsk, UTC+7).
    saved = timezone.localtime(application.saved_at, make.TOMSK).strftime("%H:%M")
    assert f"Saved at {saved}" in body
    assert "Write your grade average as a number" in body
    assert application.motivation == "Half a sente"
    assert application.cycle == 7
    assert application.grade_average is None
    with scopes_disabled():
        assert [c.place for c in application.choices.all()] == [tpu_call.english_place]

    # Navigating away and back shows everything as typed, the invalid values included.
    page = anna_client.get(_url("application", application=application.uuid)).content.decode()
    assert 'value="84,5."' in page
    assert 'value="englsh"' in page
    assert "Half a sente" in page
    assert 'id="autosave-status"' in page
    assert 'aria-live="polite"' in page


def test_a_valid_grade_with_a_decimal_comma_is_saved(world, tpu_call, anna_client, at):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    anna_client.post(_url("autosave", application=application.uuid), _typed(tpu_call))
    application.refresh_from_db()
    assert application.grade_average == Decimal("84.50")
    assert application.languages == {"en": "C1"}


def test_a_half_typed_language_row_does_not_wipe_the_saved_languages(
    world, tpu_call, anna_client, at
):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    anna_client.post(_url("autosave", application=application.uuid), _typed(tpu_call))
    anna_client.post(
        _url("autosave", application=application.uuid),
        _typed(tpu_call, language_1="s", level_1=""),
    )
    application.refresh_from_db()
    assert application.languages == {"en": "C1"}


def test_eligibility_is_shown_next_to_each_choice_as_the_student_types(
    world, tpu_call, anna_client, at
):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    typed = _typed(tpu_call, level_0="B1", choice_2=str(tpu_call.portuguese_place.uuid))
    body = anna_client.post(_url("autosave", application=application.uuid), typed).content
    body = body.decode()
    assert 'id="eligibility-1"' in body
    assert "Your English is B1; this place asks for B2." in body
    assert "This place is for bachelor students (EQF 6); you are in a master programme" in body
    page = anna_client.get(_url("application", application=application.uuid)).content.decode()
    assert "Your English is B1; this place asks for B2." in page


def test_saving_the_form_without_javascript_keeps_invalid_values_too(
    world, tpu_call, anna_client, at
):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    response = anna_client.post(
        _url("application", application=application.uuid), _typed(tpu_call, grade_average="abc")
    )
    assert response.status_code == 200
    assert 'value="abc"' in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_choices_can_be_moved_up(world, tpu_call, anna_client, at):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    typed = _typed(tpu_call, choice_2=str(tpu_call.portuguese_place.uuid), move="up-2")
    anna_client.post(_url("application", application=application.uuid), typed)
    with scopes_disabled():
        ranked = [c.place for c in application.choices.order_by("rank")]
    assert ranked == [tpu_call.portuguese_place, tpu_call.english_place]


def test_ranking_the_same_place_twice_is_refused_but_kept_as_typed(
    world, tpu_call, anna_client, at
):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    same = str(tpu_call.english_place.uuid)
    anna_client.post(_url("autosave", application=application.uuid), _typed(tpu_call))
    body = anna_client.post(
        _url("autosave", application=application.uuid), _typed(tpu_call, choice_2=same)
    ).content.decode()
    assert "You ranked" in body
    with scopes_disabled():
        assert application.choices.count() == 1


# --- Submission and the window --------------------------------------------------------------


def _submit(client, application, call, **overrides):
    return client.post(_url("submit", application=application.uuid), _typed(call, **overrides))


def test_submitting_a_minute_before_closing_in_tomsk_is_accepted(world, tpu_call, anna_client, at):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    before_close = datetime.datetime(2027, 2, 28, 23, 58, tzinfo=make.TOMSK)
    at(before_close)
    response = _submit(
        anna_client, application, tpu_call, choice_2=str(tpu_call.portuguese_place.uuid)
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.ELIGIBLE
    assert application.submitted_at == before_close
    assert application.tiebreak == scoring.tiebreak(tpu_call.lottery_seed, application.uuid)
    # 0.6 * 84.5 + 0.2 * 83.33 (C1) + 0.2 * 0 (not scored yet)
    assert application.score == Decimal("67.37")
    with scopes_disabled():
        first, second = application.choices.order_by("rank")
    assert (first.eligible, first.reasons) == (True, [])
    assert second.eligible is False
    assert second.reasons == [
        "This place is for bachelor students (EQF 6); you are in a master programme (EQF 7).",
        "This place asks for Portuguese at B1; you have not listed Portuguese.",
    ]


def test_submitting_at_midnight_in_tomsk_after_a_2359_closing_is_refused(
    world, tpu_call, anna_client, at
):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    # Still 28 February in UTC (17:00), but already 1 March in Tomsk.
    at(datetime.datetime(2027, 3, 1, 0, 0, tzinfo=make.TOMSK))
    response = _submit(anna_client, application, tpu_call)
    page = response.content.decode()
    assert "This call closed on" in page
    assert "Asia/Tomsk" in page
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
    assert application.submitted_at is None
    # What was typed is still there.
    assert 'value="84,5"' in page


def test_submitting_before_the_call_opens_is_refused(world, tpu_call, anna_client, at):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    at(datetime.datetime(2027, 2, 1, 8, 59, tzinfo=make.TOMSK))
    page = _submit(anna_client, application, tpu_call).content.decode()
    assert "This call opens on" in page
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_an_application_with_no_eligible_choice_is_not_eligible(world, tpu_call, anna_client, at):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    _submit(anna_client, application, tpu_call, level_0="A2")
    application.refresh_from_db()
    assert application.state == ApplicationState.INELIGIBLE
    page = anna_client.get(_url("application", application=application.uuid)).content.decode()
    assert "Your English is A2; this place asks for B2." in page


def test_an_incomplete_application_cannot_be_submitted(world, tpu_call, anna_client, at):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    page = _submit(anna_client, application, tpu_call, grade_average="").content.decode()
    assert "Enter your grade average." in page
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_invalid_typed_values_block_submission_and_stay_on_the_page(
    world, tpu_call, anna_client, at
):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    page = _submit(anna_client, application, tpu_call, grade_average="8x").content.decode()
    assert "Correct the fields marked below" in page
    assert 'value="8x"' in page
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_a_submitted_application_no_longer_autosaves(world, tpu_call, anna_client, at):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    _submit(anna_client, application, tpu_call)
    body = anna_client.post(
        _url("autosave", application=application.uuid), _typed(tpu_call, motivation="changed")
    ).content.decode()
    assert "no longer saved" in body
    application.refresh_from_db()
    assert application.motivation == "I want to study electronics."


def test_a_student_can_withdraw(world, tpu_call, anna_client, at):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    _submit(anna_client, application, tpu_call)
    anna_client.post(_url("withdraw", application=application.uuid))
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN


def test_an_accepted_application_cannot_be_withdrawn(world, tpu_call, anna_client, at):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    with scopes_disabled():
        Application.objects.filter(pk=application.pk).update(state=ApplicationState.ACCEPTED)
    anna_client.post(_url("withdraw", application=application.uuid))
    application.refresh_from_db()
    assert application.state == ApplicationState.ACCEPTED


# --- Someone else's application -------------------------------------------------------------


def test_a_student_never_sees_another_students_application(world, tpu_call, anna, at):
    at(make.NOW)
    application = make.draft(tpu_call, anna, places=[tpu_call.english_place])
    boris = make.client_for(make.student(world.tpu, "boris@tpu.ru"))
    kwargs = {"application": application.uuid}
    assert boris.get(_url("application", **kwargs)).status_code == 404
    for name in ("application", "autosave", "submit", "withdraw", "document_upload"):
        assert boris.post(_url(name, **kwargs), _typed(tpu_call)).status_code == 404, name
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
    assert application.motivation == "I want to learn."
    with scopes_disabled():
        assert ApplicationChoice.objects.filter(application=application).count() == 1


def test_staff_of_the_institution_cannot_use_the_students_pages_for_them(
    world, tpu_call, anna, tpu_officer_client, at
):
    at(make.NOW)
    application = make.draft(tpu_call, anna)
    url = _url("application", application=application.uuid)
    assert tpu_officer_client.get(url).status_code == 404


def test_submitting_an_empty_application_shows_every_missing_field_at_once(
    world, tpu_call, anna_client, at
):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    empty = {"grade_average": "", "cycle": "", "language_0": "", "level_0": "", "choice_1": ""}

    page = _submit(anna_client, application, tpu_call, **empty).content.decode()

    assert "Enter your grade average." in page
    assert "Choose your study cycle." in page
    assert "Rank at least one place." in page
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_submitting_the_same_place_twice_marks_the_second_choice(world, tpu_call, anna_client, at):
    at(make.NOW)
    application = _start(anna_client, tpu_call)
    same = str(tpu_call.english_place.uuid)

    page = _submit(anna_client, application, tpu_call, choice_2=same).content.decode()

    second = page.split('id="id_choice_2"', 1)[1]
    assert second.split(">", 1)[0].endswith('aria-invalid="true"')
    assert "You ranked" in second.split('id="note-choice_2"', 1)[1].split("</small>", 1)[0]
    assert 'aria-invalid="true"' not in page.split('id="id_choice_1"', 1)[1].split(">", 1)[0]
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
