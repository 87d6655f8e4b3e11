"""The staff's application pages: the list with filters and the committee's score, exports,
the detail with eligibility reasons, documents; outsiders (KTH for TPU's) get 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.core.testing import user_with_role
from intercampus.mobility.choices import ApplicationState, CallStatus
from intercampus.mobility.models import Application
from intercampus.mobility.services import applications as app_services
from intercampus.mobility.services import calls as call_services
from intercampus.mobility.tests import test_calls_factories as make

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def tpu_call(world):
    call = make.call(world.tpu)
    call.place_kth = make.place(call, make.agreement(world.tpu, world.kth))
    return call


@pytest.fixture
def anna_app(world, tpu_call):
    """Anna's submitted application: eligible for KTH."""
    return make.submitted(
        tpu_call, make.student(world.tpu, "anna@tpu.ru"), places=[tpu_call.place_kth]
    )


@pytest.fixture
def boris_app(world, tpu_call):
    """Boris's submitted application: his English is too weak for KTH."""
    boris = make.student(world.tpu, "boris@tpu.ru")
    return make.submitted(tpu_call, boris, places=[tpu_call.place_kth], languages={"en": "A2"})


def _url(name, schac="tpu.ru", **kwargs):
    return reverse(f"staff:{name}", kwargs={"institution": schac, **kwargs})


def test_the_list_shows_submitted_applications_best_score_first(
    world, tpu_call, anna_app, boris_app, tpu_officer_client
):
    make.draft(tpu_call, make.student(world.tpu, "drafty@tpu.ru"))
    page = tpu_officer_client.get(_url("applications", call=tpu_call.uuid)).content.decode()
    assert page.index("anna@tpu.ru") < page.index("boris@tpu.ru")
    assert "drafty@tpu.ru" not in page
    assert "1 of 1 eligible" in page
    assert "0 of 1 eligible" in page


def test_the_list_filters_by_state(world, tpu_call, anna_app, boris_app, tpu_officer_client):
    url = _url("applications", call=tpu_call.uuid) + "?state=ineligible"
    page = tpu_officer_client.get(url).content.decode()
    assert "boris@tpu.ru" in page
    assert "anna@tpu.ru" not in page


def test_the_committee_score_is_entered_inline_and_the_score_recomputed(
    world, tpu_call, anna_app, tpu_officer_client
):
    before = anna_app.score
    response = tpu_officer_client.post(
        _url("application_score", application=anna_app.uuid),
        {"committee_score": "90"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.content.decode().startswith('<tr id="application-')
    anna_app.refresh_from_db()
    assert anna_app.committee_score == Decimal("90")
    # The committee weighs 20 %: 90 points add 18.
    assert anna_app.score == before + Decimal("18.00")


def test_a_committee_score_above_100_is_refused(world, tpu_call, anna_app, tpu_officer_client):
    response = tpu_officer_client.post(
        _url("application_score", application=anna_app.uuid),
        {"committee_score": "150"},
        HTTP_HX_REQUEST="true",
    )
    assert 'role="alert"' in response.content.decode()
    anna_app.refresh_from_db()
    assert anna_app.committee_score is None


def test_a_draft_cannot_be_scored(world, tpu_call, tpu_officer_client):
    draft = make.draft(tpu_call, make.student(world.tpu, "drafty@tpu.ru"))
    tpu_officer_client.post(
        _url("application_score", application=draft.uuid), {"committee_score": "50"}
    )
    draft.refresh_from_db()
    assert draft.committee_score is None


def test_new_weights_rescore_every_submitted_application(world, tpu_call, anna_app):
    with make.in_scope(world.tpu):
        call_services.call_update(
            actor=world.tpu_officer,
            call=tpu_call,
            weight_grades=100,
            weight_language=0,
            weight_committee=0,
        )
    anna_app.refresh_from_db()
    assert anna_app.score == Decimal("80.00")


def test_recomputing_scores_from_the_page(world, tpu_call, anna_app, tpu_officer_client):
    with scopes_disabled():
        Application.objects.filter(pk=anna_app.pk).update(score=Decimal("1"))
    tpu_officer_client.post(_url("applications_rescore", call=tpu_call.uuid))
    anna_app.refresh_from_db()
    assert anna_app.score != Decimal("1")


def test_scores_are_frozen_once_the_allocation_has_run(world, tpu_call, anna_app):
    with scopes_disabled():
        type(tpu_call).objects.filter(pk=tpu_call.pk).update(status=CallStatus.ALLOCATED)
    anna_app.refresh_from_db()
    with make.in_scope(world.tpu), pytest.raises(app_services.ServiceError):
        app_services.application_score(
            actor=world.tpu_officer, application=anna_app, committee_score=Decimal("50")
        )


def test_the_csv_export_has_a_row_per_application(
    world, tpu_call, anna_app, boris_app, tpu_officer_client
):
    response = tpu_officer_client.get(_url("applications_csv", call=tpu_call.uuid))
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert len(lines) == 3
    assert "anna@tpu.ru" in text
    assert str(anna_app.tiebreak) in text


def test_the_excel_export_is_a_workbook(world, tpu_call, anna_app, tpu_officer_client):
    response = tpu_officer_client.get(_url("applications_xlsx", call=tpu_call.uuid))
    assert response.status_code == 200
    assert response.content.startswith(b"PK")


def test_the_detail_shows_why_a_choice_is_not_eligible(
    world, tpu_call, boris_app, tpu_officer_client
):
    page = tpu_officer_client.get(_url("application", application=boris_app.uuid)).content
    assert "Your English is A2; this place asks for B2." in page.decode()


def test_staff_download_a_document_of_their_institutions_application(
    world, tpu_call, tpu_officer_client
):
    anna = make.student(world.tpu, "anna@tpu.ru")
    draft = make.draft(tpu_call, anna)
    with make.in_scope(world.tpu):
        document = app_services.application_document_add(
            actor=anna,
            application=draft,
            kind="transcript",
            file=SimpleUploadedFile("t.pdf", PDF),
        )
    url = _url("application_document", application=draft.uuid, document=document.uuid)
    response = tpu_officer_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_a_programme_coordinator_may_score(world, tpu_call, anna_app):
    coordinator = user_with_role("pc@tpu.ru", world.tpu, RoleKind.PROGRAMME_COORDINATOR)
    client = make.client_for(coordinator)
    assert client.get(_url("applications", call=tpu_call.uuid)).status_code == 200
    # ... but managing calls is the international office's.
    assert client.get(_url("call", call=tpu_call.uuid)).status_code == 403


# --- Outsiders ------------------------------------------------------------------------------


def _staff_urls(call, application, document, schac="tpu.ru"):
    return [
        (_url("applications", schac, call=call.uuid), "get"),
        (_url("applications_csv", schac, call=call.uuid), "get"),
        (_url("applications_xlsx", schac, call=call.uuid), "get"),
        (_url("applications_rescore", schac, call=call.uuid), "post"),
        (_url("application", schac, application=application.uuid), "get"),
        (_url("application_score", schac, application=application.uuid), "post"),
        (
            _url(
                "application_document",
                schac,
                application=application.uuid,
                document=document.uuid,
            ),
            "get",
        ),
    ]


@pytest.fixture
def with_document(world, tpu_call):
    anna = make.student(world.tpu, "anna@tpu.ru")
    application = make.draft(tpu_call, anna, places=[tpu_call.place_kth])
    with make.in_scope(world.tpu):
        document = app_services.application_document_add(
            actor=anna, application=application, kind="cv", file=SimpleUploadedFile("c.pdf", PDF)
        )
    return application, document


def test_kth_staff_cannot_see_tpus_applications(world, tpu_call, with_document, kth_officer_client):
    application, document = with_document
    for url, _method in _staff_urls(tpu_call, application, document):
        assert kth_officer_client.get(url).status_code == 404, url
        assert kth_officer_client.post(url, {"committee_score": "99"}).status_code == 404, url
    # Nor by naming TPU's objects in KTH's own staff area.
    for url, method in _staff_urls(tpu_call, application, document, schac="kth.se"):
        response = getattr(kth_officer_client, method)(url, {"committee_score": "99"})
        assert response.status_code == 404, url
    application.refresh_from_db()
    assert application.committee_score is None


def test_students_get_404_in_the_staff_pages(world, tpu_call, with_document):
    application, document = with_document
    anna = make.client_for(application.student)
    for url, method in _staff_urls(tpu_call, application, document):
        assert getattr(anna, method)(url).status_code == 404, url


def test_a_withdrawn_application_is_listed_under_its_state(
    world, tpu_call, anna_app, tpu_officer_client
):
    app_services.application_withdraw(actor=anna_app.student, application=anna_app)
    url = _url("applications", call=tpu_call.uuid) + f"?state={ApplicationState.WITHDRAWN}"
    assert "anna@tpu.ru" in tpu_officer_client.get(url).content.decode()


def test_the_allocation_gets_eligible_applications_with_eligible_choices_in_rank_order(
    world, tpu_call
):
    from intercampus.mobility.selectors.applications import allocation_inputs

    strict = make.place(tpu_call, make.agreement(world.tpu, world.usp), min_cefr="C2")
    anna = make.submitted(
        tpu_call,
        make.student(world.tpu, "anna@tpu.ru"),
        places=[strict, tpu_call.place_kth],
    )
    make.submitted(
        tpu_call,
        make.student(world.tpu, "boris@tpu.ru"),
        places=[tpu_call.place_kth],
        languages={"en": "A1"},
    )
    make.draft(tpu_call, make.student(world.tpu, "drafty@tpu.ru"), places=[tpu_call.place_kth])
    with make.in_scope(world.tpu):
        (only,) = allocation_inputs(tpu_call)
    assert only.application_uuid == str(anna.uuid)
    assert only.place_uuids == (str(tpu_call.place_kth.uuid),)
    assert only.score == anna.score
    assert only.tiebreak == anna.tiebreak
