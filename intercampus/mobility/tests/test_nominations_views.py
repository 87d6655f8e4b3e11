"""The nomination pages: KTH's outgoing list and export, TPU's incoming list and decisions,
the student's steps; outsiders get 404 and staff without the permission 403."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.core.models import Notification
from intercampus.interop import schemas
from intercampus.mobility.choices import ApplicationState, NominationStatus
from intercampus.mobility.models import Application, Nomination, StudentProfile
from intercampus.mobility.services import nominations as services
from intercampus.mobility.tests import test_nominations_factories as f


def _url(name: str, schac: str, **kwargs) -> str:
    return reverse(f"staff:{name}", kwargs={"institution": schac, **kwargs})


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def placed(world):
    """KTH's call, its place at TPU and the world's student placed there."""
    return f.kth_placed(world)


@pytest.fixture
def nomination(world, placed):
    _call, _place, application = placed
    return services.nomination_create(actor=world.kth_officer, application=application)


def _state(application) -> str:
    with scopes_disabled():
        return Application.objects.get(pk=application.pk).state


# --- The home's pages -----------------------------------------------------------------------


def test_kth_sees_its_placed_student_and_nominates_them(world, placed, kth_officer_client):
    call, _place, application = placed
    page = kth_officer_client.get(_url("nominations", "kth.se"))
    assert page.status_code == 200
    assert "Astrid Lindqvist" in page.content.decode()
    nominate = _url("nomination_create", "kth.se", application=application.uuid)
    assert nominate in page.content.decode()
    response = kth_officer_client.post(nominate)
    assert response.status_code == 302
    assert _state(application) == ApplicationState.NOMINATED
    page = kth_officer_client.get(response.url)
    assert "Waiting for the host" in page.content.decode()


def test_kth_nominates_every_placed_student_of_a_call_at_once(world, placed, kth_officer_client):
    call, place, application = placed
    other = f.placed(call, place, f.named_student(world.kth, "Bo", "Ek"), score="90")
    response = kth_officer_client.post(_url("nominations_create_all", "kth.se", call=call.uuid))
    assert response.status_code == 302
    assert _state(application) == _state(other) == ApplicationState.NOMINATED


def test_the_page_filters_by_call_and_refuses_another_institutions_call(
    world, placed, kth_officer_client, tpu_officer_client
):
    call, _place, _application = placed
    assert (
        kth_officer_client.get(_url("nominations", "kth.se") + f"?call={call.uuid}").status_code
        == 200
    )
    assert (
        tpu_officer_client.get(_url("nominations", "tpu.ru") + f"?call={call.uuid}").status_code
        == 404
    )


def test_kth_cancels_a_nomination_with_a_reason(world, nomination, kth_officer_client):
    response = kth_officer_client.post(
        _url("nomination_cancel", "kth.se", nomination=nomination.uuid),
        {"reason": "The student fell ill."},
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.CANCELLED
    assert nomination.reason == "The student fell ill."


def test_kth_completes_the_students_details_for_ewp(world, placed, kth_officer_client):
    call, place, _application = placed
    student = f.named_student(world.kth, "Dag", "Berg", profile=False)
    application = f.placed(call, place, student)
    found = services.nomination_create(actor=world.kth_officer, application=application)
    page = kth_officer_client.get(_url("nominations", "kth.se"))
    assert "date of birth" in page.content.decode()
    url = _url("nomination_student", "kth.se", nomination=found.uuid)
    typed = {
        "first_name": "Dag",
        "last_name": "Berg",
        "birth_date": "2090-01-01",
        "nationality": "NO",
        "gender": "1",
        "esi_code": "",
        "isced_f_code": "0714",
    }
    refused = kth_officer_client.post(url, typed)
    assert refused.status_code == 400
    assert "must be in the past" in refused.content.decode()
    assert 'value="2090-01-01"' in refused.content.decode()
    saved = kth_officer_client.post(url, {**typed, "birth_date": "2003-04-05"})
    assert saved.status_code == 302
    with scopes_disabled():
        profile = StudentProfile.objects.get(user=student)
    assert str(profile.birth_date) == "2003-04-05"
    assert profile.nationality.code == "NO"
    page = kth_officer_client.get(_url("nominations", "kth.se"))
    assert "date of birth" not in page.content.decode()


def test_kth_downloads_its_nominations_as_valid_outgoing_mobilities(
    world, nomination, kth_officer_client
):
    response = kth_officer_client.get(_url("nominations_xml", "kth.se"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert "attachment" in response["Content-Disposition"]
    assert schemas.validate(response.content, "omobilities-get-response") == []
    assert nomination.omobility_id.encode() in response.content


# --- The host's pages -----------------------------------------------------------------------


def test_tpu_sees_the_nomination_and_accepts_it(world, nomination, tpu_officer_client):
    page = tpu_officer_client.get(_url("nominations_incoming", "tpu.ru"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Astrid Lindqvist" in body
    assert "KTH" in body
    detail = tpu_officer_client.get(
        _url("nomination_incoming", "tpu.ru", nomination=nomination.uuid)
    )
    assert detail.status_code == 200
    assert nomination.omobility_id in detail.content.decode()
    response = tpu_officer_client.post(
        _url("nomination_accept", "tpu.ru", nomination=nomination.uuid)
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.ACCEPTED


def test_the_host_sees_only_what_ewp_serves(world, nomination, tpu_officer_client):
    with scopes_disabled():
        Application.objects.filter(pk=nomination.application_id).update(motivation="SECRET-MOTIVE")
    for name in ("nominations_incoming",):
        assert "SECRET-MOTIVE" not in tpu_officer_client.get(_url(name, "tpu.ru")).content.decode()
    detail = tpu_officer_client.get(
        _url("nomination_incoming", "tpu.ru", nomination=nomination.uuid)
    )
    assert "SECRET-MOTIVE" not in detail.content.decode()


def test_rejecting_without_a_reason_is_refused_and_keeps_what_was_typed(
    world, nomination, tpu_officer_client
):
    url = _url("nomination_reject", "tpu.ru", nomination=nomination.uuid)
    empty = tpu_officer_client.post(url, {"reason": ""})
    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()
    too_long = "No place in this programme. " * 80
    refused = tpu_officer_client.post(url, {"reason": too_long})
    assert refused.status_code == 400
    assert too_long.strip() in refused.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PENDING
    done = tpu_officer_client.post(url, {"reason": "No place in this programme."})
    assert done.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.REJECTED
    assert nomination.reason == "No place in this programme."


def test_a_host_that_is_not_the_nominations_host_gets_404(world, nomination):
    usp = _client(f.officer(world.usp, "iro@usp.br"))
    for name in ("nomination_incoming", "nomination_accept", "nomination_reject"):
        url = _url(name, "usp.br", nomination=nomination.uuid)
        response = usp.get(url) if name == "nomination_incoming" else usp.post(url, {"reason": "x"})
        assert response.status_code == 404, name
    # The home is not the host either.
    kth = _client(world.kth_officer)
    assert (
        kth.get(_url("nomination_incoming", "kth.se", nomination=nomination.uuid)).status_code
        == 404
    )
    # Nor does the host find it among its own (home) nominations.
    tpu = _client(world.tpu_officer)
    assert tpu.get(_url("nomination", "tpu.ru", nomination=nomination.uuid)).status_code == 404
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PENDING


def test_notices_are_listed_and_marked_read(world, nomination, tpu_officer_client):
    page = tpu_officer_client.get(_url("nominations_incoming", "tpu.ru"))
    assert "nominated Astrid Lindqvist" in page.content.decode()
    tpu_officer_client.post(_url("nomination_notices_read", "tpu.ru"))
    with scopes_disabled():
        assert not Notification.objects.filter(
            institution=world.tpu, kind__startswith="mobility.nomination.", read_at__isnull=True
        ).exists()


# --- The student's steps --------------------------------------------------------------------


def test_a_student_sees_each_step_with_the_hosts_reason(world, nomination, student_client):
    url = reverse("mobility:application", kwargs={"application": nomination.application.uuid})
    body = student_client.get(url).content.decode()
    assert "Placed" in body
    assert "Nominated to the host" in body
    assert "Waiting for the host" in body
    services.nomination_reject(
        actor=world.tpu_officer, nomination=nomination, reason="No courses in English."
    )
    body = student_client.get(url).content.decode()
    assert "Rejected by the host" in body
    assert "No courses in English." in body


def test_a_placed_student_sees_the_steps_to_come(world, placed, student_client):
    _call, _place, application = placed
    url = reverse("mobility:application", kwargs={"application": application.uuid})
    body = student_client.get(url).content.decode()
    assert "After the allocation" in body
    assert "to come" in body


def test_another_student_does_not_see_the_nomination(world, nomination):
    other = _client(f.named_student(world.kth, "Eva", "Ros"))
    url = reverse("mobility:application", kwargs={"application": nomination.application.uuid})
    assert other.get(url).status_code == 404


# --- Every view: outsiders 404, staff without the permission 403 ---------------------------


def _views(nomination, call):
    application = nomination.application
    return [
        ("get", "nominations", {}),
        ("get", "nominations_xml", {}),
        ("post", "nomination_notices_read", {}),
        ("post", "nomination_create", {"application": application.uuid}),
        ("post", "nominations_create_all", {"call": call.uuid}),
        ("get", "nomination", {"nomination": nomination.uuid}),
        ("post", "nomination_cancel", {"nomination": nomination.uuid}),
        ("get", "nomination_student", {"nomination": nomination.uuid}),
        ("get", "nominations_incoming", {}),
        ("get", "nomination_incoming", {"nomination": nomination.uuid}),
        ("post", "nomination_accept", {"nomination": nomination.uuid}),
        ("post", "nomination_reject", {"nomination": nomination.uuid}),
    ]


def test_staff_of_another_institution_get_404_on_every_view(world, placed, nomination):
    outsider = _client(f.officer(world.polito, "iro@polito.it"))
    for method, name, kwargs in _views(nomination, placed[0]):
        for schac in ("kth.se", "tpu.ru"):
            response = getattr(outsider, method)(_url(name, schac, **kwargs))
            assert response.status_code == 404, (name, schac)


def test_staff_without_the_permission_get_403_on_every_view(world, placed, nomination):
    coordinator = _client(world.tpu_coordinator)  # staff at TPU, not an officer
    programme = _client(f.officer(world.kth, "pc@kth.se", RoleKind.PROGRAMME_COORDINATOR))
    for method, name, kwargs in _views(nomination, placed[0]):
        for client, schac in ((coordinator, "tpu.ru"), (programme, "kth.se")):
            response = getattr(client, method)(_url(name, schac, **kwargs))
            assert response.status_code == 403, (name, schac)
    with scopes_disabled():
        assert Nomination.objects.get(pk=nomination.pk).status == NominationStatus.PENDING


def test_accepting_without_a_journey_template_says_no_journey_started_and_why(
    world, nomination, tpu_officer_client
):
    response = tpu_officer_client.post(
        _url("nomination_accept", "tpu.ru", nomination=nomination.uuid), follow=True
    )
    text = response.content.decode()
    assert "No arrival journey was started" in text
    assert "no active arrival journey template for exchange students" in text
    # The detail page keeps saying so, not only the one-time message.
    detail = tpu_officer_client.get(
        _url("nomination_incoming", "tpu.ru", nomination=nomination.uuid)
    ).content.decode()
    assert "No arrival journey was started for this newcomer." in detail


def test_accepting_with_a_journey_template_starts_the_journey_without_a_warning(
    world, nomination, tpu_officer_client
):
    from intercampus.onboarding.tests.journeys_factories import make_template

    with scopes_disabled():
        make_template(world.tpu, world.tpu_officer)
    response = tpu_officer_client.post(
        _url("nomination_accept", "tpu.ru", nomination=nomination.uuid), follow=True
    )
    assert "No arrival journey was started" not in response.content.decode()
    with scopes_disabled():
        accepted = Nomination.objects.get(pk=nomination.pk)
    assert services.arrival_of(accepted) is not None
