"""A student's own mobility in the API: the calls open to them, starting an application, saving
the draft (the page's checks and service) with each choice's eligibility, submitting only
inside the window, withdrawing, documents; and never another student's application."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry
from intercampus.mobility.choices import ApplicationState, CallStatus
from intercampus.mobility.models import Application, ApplicationDocument
from intercampus.mobility.services import applications as app_services
from intercampus.mobility.tests import test_calls_factories as make

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/mobility"
TPU_NAME = "Tomsk Polytechnic University"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def api_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def send(client: Client, method: str, url: str, body=None):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


def audited(action: str) -> bool:
    return AuditEntry.objects.filter(action=action).exists()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def at(monkeypatch):
    """Set the clock the call's window is checked against: ``at(datetime)``."""

    def set_now(moment):
        monkeypatch.setattr(app_services, "current_time", lambda: moment)

    return set_now


@pytest.fixture
def tpu_call(world):
    call = make.call(world.tpu, required_documents=[])
    call.english_place = make.place(call, make.agreement(world.tpu, world.kth))
    usp = make.agreement(world.tpu, world.usp)
    call.portuguese_place = make.place(
        call, usp, language="pt", min_cefr="B1", eqf_levels=[6], host_hei_id="usp.br"
    )
    return call


@pytest.fixture
def anna(world):
    return make.student(world.tpu, "anna@tpu.ru")


@pytest.fixture
def anna_api(anna) -> Client:
    return api_client(anna)


@pytest.fixture
def draft(tpu_call, anna):
    return make.draft(tpu_call, anna, places=[tpu_call.english_place])


def _app_url(application, tail: str = "") -> str:
    return f"{ME}/applications/{application.uuid}{tail}"


def _saved(application) -> Application:
    with scopes_disabled():
        return Application.objects.get(pk=application.pk)


# --- Who may ---------------------------------------------------------------------------------


def test_anonymous_callers_get_401_on_every_endpoint(world, client, tpu_call, draft):
    with scopes_disabled():
        document = ApplicationDocument.objects.create(
            application=draft, kind="cv", original_name="cv.pdf", content_type="x", size=1
        )
    for method, url in [
        ("get", f"{ME}/calls"),
        ("get", f"{ME}/calls/{tpu_call.uuid}"),
        ("post", f"{ME}/calls/{tpu_call.uuid}/application"),
        ("get", f"{ME}/applications"),
        ("get", _app_url(draft)),
        ("patch", _app_url(draft)),
        ("post", _app_url(draft, "/submit")),
        ("post", _app_url(draft, "/withdraw")),
        ("post", _app_url(draft, "/documents")),
        ("delete", _app_url(draft, f"/documents/{document.uuid}")),
    ]:
        assert getattr(client, method)(url).status_code == 401, (method, url)


def test_another_student_gets_404_for_my_application_and_its_documents(world, tpu_call, draft, at):
    at(make.NOW)
    with scopes_disabled():
        document = ApplicationDocument.objects.create(
            application=draft, kind="cv", original_name="cv.pdf", content_type="x", size=1
        )
    # A fellow student of the same institution, who may apply to the same call.
    boris = api_client(make.student(world.tpu, "boris@tpu.ru"))
    for method, url, body in [
        ("get", _app_url(draft), None),
        ("patch", _app_url(draft), {"motivation": "Mine now."}),
        ("post", _app_url(draft, "/submit"), None),
        ("post", _app_url(draft, "/withdraw"), None),
        ("delete", _app_url(draft, f"/documents/{document.uuid}"), None),
    ]:
        assert send(boris, method, url, body).status_code == 404, (method, url)
    assert boris.get(f"{ME}/applications").json()["count"] == 0
    saved = _saved(draft)
    assert (saved.state, saved.motivation) == (ApplicationState.DRAFT, "I want to learn.")


def test_staff_of_the_home_institution_cannot_act_as_the_student(world, tpu_call, draft):
    officer = api_client(world.tpu_officer)
    assert officer.get(_app_url(draft)).status_code == 404
    assert send(officer, "patch", _app_url(draft), {"motivation": "x"}).status_code == 404


# --- Calls ----------------------------------------------------------------------------------


def test_a_student_sees_the_open_calls_of_their_institution_only(world, tpu_call, anna_api):
    make.call(world.kth, title="KTH call")
    make.call(world.tpu, title="TPU draft", status=CallStatus.DRAFT)
    make.call(
        world.tpu,
        title="TPU closed",
        opens_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        closes_at=datetime.datetime(2020, 2, 1, tzinfo=datetime.UTC),
    )

    body = anna_api.get(f"{ME}/calls").json()

    assert [c["title"] for c in body["items"]] == ["Exchange 2027/2028"]
    call = body["items"][0]
    assert call["institution"] == {"id": "tpu.ru", "name": TPU_NAME, "timezone": "Asia/Tomsk"}
    assert call["closes_at"] == "2027-02-28T23:59:00+07:00"
    assert call["my_application"] is None
    kth_student = api_client(world.student).get(f"{ME}/calls").json()
    assert [c["title"] for c in kth_student["items"]] == ["KTH call"]


def test_a_call_shows_the_places_a_student_can_rank(world, tpu_call, anna_api):
    body = anna_api.get(f"{ME}/calls/{tpu_call.uuid}").json()
    hosts = {p["host"]["id"]: p for p in body["places"]}
    assert set(hosts) == {"kth.se", "usp.br"}
    assert (hosts["usp.br"]["language"], hosts["usp.br"]["min_cefr"]) == ("pt", "B1")
    assert "seats_left" not in hosts["kth.se"]


def test_a_student_of_another_institution_cannot_see_or_apply_to_the_call(world, tpu_call):
    kth_student = api_client(world.student)
    assert kth_student.get(f"{ME}/calls/{tpu_call.uuid}").status_code == 404
    assert kth_student.post(f"{ME}/calls/{tpu_call.uuid}/application").status_code == 404
    assert kth_student.get(f"{ME}/calls/not-a-call").status_code == 422


def test_starting_twice_gives_the_same_draft(world, tpu_call, anna_api):
    first = anna_api.post(f"{ME}/calls/{tpu_call.uuid}/application")
    second = anna_api.post(f"{ME}/calls/{tpu_call.uuid}/application")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["state"] == "draft"
    assert audited("mobility.application.created")
    body = anna_api.get(f"{ME}/calls/{tpu_call.uuid}").json()
    assert body["my_application"] == first.json()["id"]


def test_a_closed_call_takes_no_new_application(world, tpu_call, anna_api):
    with scopes_disabled():
        type(tpu_call).objects.filter(pk=tpu_call.pk).update(
            closes_at=datetime.datetime(2020, 2, 1, tzinfo=datetime.UTC),
            opens_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        )
    response = anna_api.post(f"{ME}/calls/{tpu_call.uuid}/application")
    assert response.status_code == 409
    assert "This call closed on" in response.json()["detail"]


# --- My applications and the draft ----------------------------------------------------------


def test_my_applications_lists_mine_only(world, tpu_call, draft, anna_api):
    make.draft(tpu_call, make.student(world.tpu, "boris@tpu.ru"))

    body = anna_api.get(f"{ME}/applications").json()

    assert [a["id"] for a in body["items"]] == [str(draft.uuid)]
    assert body["items"][0]["call"]["id"] == str(tpu_call.uuid)


def test_the_detail_gives_each_choices_eligibility_live_on_a_draft(world, tpu_call, anna):
    application = make.draft(tpu_call, anna, places=[tpu_call.portuguese_place])

    body = api_client(anna).get(_app_url(application)).json()

    assert body["eligibility"] == "live"
    [choice] = body["choices"]
    assert choice["eligible"] is False
    assert any("bachelor students" in r for r in choice["reasons"])
    assert any("you have not listed Portuguese" in r for r in choice["reasons"])


def test_saving_one_field_keeps_the_others_and_is_audited(world, tpu_call, draft, anna_api):
    response = send(anna_api, "patch", _app_url(draft), {"grade_average": 91.25})

    assert response.status_code == 200
    body = response.json()
    assert body["grade_average"] == 91.25
    assert (body["cycle"], body["languages"], body["motivation"]) == (
        7,
        {"en": "C1"},
        "I want to learn.",
    )
    assert [c["place"]["id"] for c in body["choices"]] == [str(tpu_call.english_place.uuid)]
    assert body["typed"]["grade_average"] == "91.25"
    entry = AuditEntry.objects.filter(action="mobility.application.draft_saved").latest("id")
    assert entry.after == {"changed": ["grade_average"]}


def test_the_draft_page_shows_what_the_api_saved(world, tpu_call, draft, anna, anna_api):
    send(anna_api, "patch", _app_url(draft), {"motivation": "Saved from my phone."})
    page = make.client_for(anna).get(
        reverse("mobility:application", kwargs={"application": draft.uuid})
    )
    assert "Saved from my phone." in page.content.decode()


def test_ranking_places_answers_their_eligibility(world, tpu_call, draft, anna_api):
    places = [str(tpu_call.portuguese_place.uuid), str(tpu_call.english_place.uuid)]

    body = send(anna_api, "patch", _app_url(draft), {"choices": places}).json()

    assert [(c["rank"], c["place"]["id"], c["eligible"]) for c in body["choices"]] == [
        (1, places[0], False),
        (2, places[1], True),
    ]
    assert body["choices"][1]["reasons"] == []
    cleared = send(anna_api, "patch", _app_url(draft), {"choices": [], "cycle": None}).json()
    assert (cleared["choices"], cleared["cycle"]) == ([], None)


def test_languages_are_replaced_whole_and_checked(world, tpu_call, draft, anna_api):
    body = send(anna_api, "patch", _app_url(draft), {"languages": {"EN": "B1"}}).json()
    assert body["languages"] == {"en": "B1"}
    assert body["choices"][0]["reasons"] == ["Your English is B1; this place asks for B2."]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"grade_average": 101}, "grade_average"),
        ({"grade_average": 84.123}, "grade_average"),
        ({"grade_average": "high"}, "grade_average"),
        ({"cycle": 4}, "cycle"),
        ({"cycle": "seven"}, "cycle"),
        ({"languages": {"english": "B2"}}, "languages"),
        ({"languages": {"en": "B3"}}, "languages"),
        ({"languages": {"en": "B2", "EN": "C1"}}, "languages"),
        ({"languages": None}, "languages"),
        ({"languages": ["en", "B2"]}, "languages"),
        ({"choices": ["not-a-uuid"]}, "choices"),
        ({"choices": [str(uuid.uuid4())]}, "choices"),
        ({"choices": "all"}, "choices"),
        ({"motivation": "x" * 10_001}, "motivation"),
        ({"motivation": 12}, "motivation"),
        ({"state": "submitted"}, "state"),
    ],
)
def test_a_refused_draft_value_is_422_and_nothing_is_saved(
    world, tpu_call, draft, anna_api, body, field
):
    before = _saved(draft)

    response = send(anna_api, "patch", _app_url(draft), {"motivation": "Changed.", **body})

    assert response.status_code == 422, response.json()
    assert any(field in map(str, e["loc"]) for e in response.json()["errors"]), response.json()
    after = _saved(draft)
    assert (after.motivation, after.languages, after.grade_average, after.state) == (
        before.motivation,
        before.languages,
        before.grade_average,
        ApplicationState.DRAFT,
    )


def test_ranking_the_same_place_twice_is_422(world, tpu_call, draft, anna_api):
    place = str(tpu_call.english_place.uuid)
    response = send(anna_api, "patch", _app_url(draft), {"choices": [place, place]})
    assert response.status_code == 422
    assert "already" in response.json()["detail"]


def test_more_choices_than_the_call_allows_are_refused(world, tpu_call, draft, anna_api):
    with scopes_disabled():
        type(tpu_call).objects.filter(pk=tpu_call.pk).update(max_choices=1)
    places = [str(tpu_call.english_place.uuid), str(tpu_call.portuguese_place.uuid)]

    response = send(anna_api, "patch", _app_url(draft), {"choices": places})

    assert response.status_code == 400
    assert response.json()["field"] == "choices"
    assert "at most 1" in response.json()["detail"]
    too_many = send(anna_api, "patch", _app_url(draft), {"choices": places * 6})
    assert too_many.status_code == 422


# --- Submit and withdraw --------------------------------------------------------------------


def test_submitting_inside_the_window(world, tpu_call, draft, anna_api, at):
    at(make.NOW)

    response = anna_api.post(_app_url(draft, "/submit"))

    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["eligibility"]) == ("eligible", "submitted")
    assert body["choices"][0]["eligible"] is True
    assert body["score"] is not None
    assert audited("mobility.application.submitted")
    again = send(anna_api, "patch", _app_url(draft), {"motivation": "Too late."})
    assert again.status_code == 409


def test_submitting_after_the_window_is_409_with_the_closing_time(
    world, tpu_call, draft, anna_api, at
):
    at(datetime.datetime(2027, 2, 28, 17, 0, tzinfo=datetime.UTC))

    response = anna_api.post(_app_url(draft, "/submit"))

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "closed on" in detail and "Asia/Tomsk" in detail
    assert _saved(draft).state == ApplicationState.DRAFT


def test_submitting_before_the_window_is_409(world, tpu_call, draft, anna_api, at):
    at(datetime.datetime(2027, 1, 15, tzinfo=datetime.UTC))
    response = anna_api.post(_app_url(draft, "/submit"))
    assert response.status_code == 409
    assert "opens on" in response.json()["detail"]


def test_an_incomplete_draft_is_not_submitted(world, tpu_call, draft, anna_api, at):
    at(make.NOW)
    send(anna_api, "patch", _app_url(draft), {"grade_average": None})
    response = anna_api.post(_app_url(draft, "/submit"))
    assert response.status_code == 400
    assert response.json()["field"] == "grade_average"


def test_withdrawing(world, tpu_call, draft, anna_api):
    response = anna_api.post(_app_url(draft, "/withdraw"))

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["can_withdraw"]) == ("withdrawn", False)
    assert audited("mobility.application.withdrawn")
    assert anna_api.post(_app_url(draft, "/withdraw")).status_code == 409


# --- Documents ------------------------------------------------------------------------------


def _upload(client, application, name, content, kind="transcript"):
    return client.post(
        _app_url(application, "/documents"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def test_a_document_is_uploaded_and_counts_for_eligibility(world, anna, anna_api):
    call = make.call(world.tpu, required_documents=["transcript"])
    place = make.place(call, make.agreement(world.tpu, world.kth))
    application = make.draft(call, anna, places=[place])
    assert anna_api.get(_app_url(application)).json()["choices"][0]["reasons"] == [
        "Missing document: Transcript of records."
    ]

    response = _upload(anna_api, application, "transcript.pdf", PDF)

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["name"], body["content_type"], body["size"]) == (
        "transcript",
        "transcript.pdf",
        "application/pdf",
        len(PDF),
    )
    assert audited("mobility.application.document.added")
    detail = anna_api.get(_app_url(application)).json()
    assert [d["id"] for d in detail["documents"]] == [body["id"]]
    assert detail["choices"][0]["eligible"] is True


@pytest.mark.parametrize(
    ("name", "content", "kind", "says"),
    [
        ("notes.txt", b"just text", "transcript", "Only PDF, PNG or JPEG"),
        ("scan.png", PDF, "transcript", "rename it"),
        ("empty.pdf", b"", "transcript", "empty"),
        ("transcript.pdf", PDF, "passport", "Choose what the document is"),
    ],
)
def test_a_refused_document_is_422_with_the_reason(
    world, tpu_call, draft, anna_api, name, content, kind, says
):
    response = _upload(anna_api, draft, name, content, kind)

    assert response.status_code == 422
    assert says in response.json()["detail"]
    with scopes_disabled():
        assert not ApplicationDocument.objects.exists()


def test_a_document_over_the_limit_is_422(world, tpu_call, draft, anna_api, monkeypatch):
    monkeypatch.setattr(app_services, "MAX_DOCUMENT_BYTES", 10)
    response = _upload(anna_api, draft, "transcript.pdf", PDF)
    assert response.status_code == 422
    assert "the limit is 5 MB" in response.json()["detail"]


def test_an_upload_without_a_file_is_422(world, tpu_call, draft, anna_api):
    response = anna_api.post(_app_url(draft, "/documents"), {"kind": "cv"})
    assert response.status_code == 422
    assert "file" in response.json()["detail"]


def test_removing_a_document(world, tpu_call, draft, anna_api):
    document = _upload(anna_api, draft, "cv.pdf", PDF, "cv").json()
    url = _app_url(draft, f"/documents/{document['id']}")

    assert anna_api.delete(url).status_code == 204
    assert anna_api.delete(url).status_code == 404
    assert audited("mobility.application.document.deleted")
