"""Journeys in the API: the newcomer's own, and the host's templates, cohort and newcomers;
outsiders get 404, staff without the permission 403, bad input 422, all as JSON."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.models import ApiToken
from intercampus.onboarding import clock
from intercampus.onboarding.choices import StepStatus
from intercampus.onboarding.models import Journey
from intercampus.onboarding.tests.journeys_factories import (
    MIGRATION_STEP,
    make_newcomer,
    make_template,
    start,
    state_of,
)

API = "/api/v1/onboarding"
TPU = f"{API}/institutions/tpu.ru"
ARRIVAL = datetime.date(2027, 9, 3)
NOW = datetime.datetime(2027, 9, 8, 6, 0, tzinfo=datetime.UTC)


def api_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body=None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "current_time", lambda: NOW)


@pytest.fixture
def template(world):
    return make_template(world.tpu, world.tpu_officer)


@pytest.fixture
def journey(world, template):
    return start(world, world.student, ARRIVAL)


@pytest.fixture
def tpu_api(world):
    return api_client(world.tpu_officer)


def test_a_newcomer_reads_their_own_journeys(world, journey):
    start(world, make_newcomer("other@example.org"), ARRIVAL)
    body = api_client(world.student).get(f"{API}/me/journeys").json()
    assert [j["uuid"] for j in body] == [str(journey.uuid)]
    steps = {s["step"]["title"]: s for s in body[0]["steps"]}
    assert steps[MIGRATION_STEP]["due_date"] == "2027-09-14"
    assert steps["Meet your buddy"]["late"] is True
    assert body[0]["host"] == "tpu.ru"
    assert body[0]["next_step"] == steps[MIGRATION_STEP]["step"]["uuid"]


def test_a_newcomer_marks_their_step_done_and_no_one_elses(world, journey):
    step = state_of(journey, MIGRATION_STEP).step
    mine = f"{API}/me/journeys/{journey.uuid}/steps/{step.uuid}/done"
    response = post(api_client(world.student), mine)
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    stranger = api_client(make_newcomer("stranger@example.org"))
    assert post(stranger, mine.replace("/done", "/reopen")).status_code == 404
    assert state_of(journey, MIGRATION_STEP).status == StepStatus.DONE


def test_the_api_needs_a_caller(world, journey):
    response = Client().get(f"{API}/me/journeys")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_staff_list_the_cohort_with_filters(tpu_api, journey):
    body = tpu_api.get(f"{TPU}/journeys", {"owner": "buddy"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["steps_total"] == 1
    assert item["steps_late"] == 1
    behind = tpu_api.get(f"{TPU}/journeys", {"progress": "complete"}).json()
    assert behind["count"] == 0
    assert tpu_api.get(f"{TPU}/journeys", {"phase": "nonsense"}).status_code == 422


def test_staff_read_and_create_templates_and_steps(tpu_api, template):
    listed = tpu_api.get(f"{TPU}/journey-templates").json()
    assert [t["name"] for t in listed] == ["Exchange students"]
    created = post(tpu_api, f"{TPU}/journey-templates", {"name": "PhD", "target_group": "phd"})
    assert created.status_code == 201
    uuid = created.json()["uuid"]
    step = post(
        tpu_api,
        f"{TPU}/journey-templates/{uuid}/steps",
        {
            "phase": "formalities",
            "title": MIGRATION_STEP,
            "owner_role": "student",
            "offset_days": 7,
            "offset_kind": "working",
            "category": "legal",
            "country": "ru",
            "links": [{"title": "Migration office", "url": "https://tpu.ru/migration"}],
        },
    )
    assert step.status_code == 201, step.json()
    assert step.json()["country"] == "RU"
    detail = tpu_api.get(f"{TPU}/journey-templates/{uuid}").json()
    assert [s["title"] for s in detail["steps"]] == [MIGRATION_STEP]


def test_a_bad_step_is_refused_with_the_field_named(tpu_api, template):
    response = post(
        tpu_api,
        f"{TPU}/journey-templates/{template.uuid}/steps",
        {
            "phase": "formalities",
            "title": "x",
            "owner_role": "student",
            "offset_days": 7,
            "category": "legal",
            "links": [{"title": "bad", "url": "ftp://nowhere"}],
        },
    )
    assert response.status_code == 422
    assert "links" in response.json()["detail"]


def test_staff_add_a_degree_newcomer_once(world, tpu_api, mailoutbox):
    make_template(world.tpu, world.tpu_officer, name="PhD", target_group="phd")
    body = {
        "email": "wei@example.org",
        "given_name": "Wei",
        "family_name": "Li",
        "target_group": "phd",
        "anchor_date": "2027-10-01",
    }
    first = post(tpu_api, f"{TPU}/journeys", body)
    assert first.status_code == 201
    assert first.json()["source"] == "api"
    assert post(tpu_api, f"{TPU}/journeys", body).status_code == 200
    with scopes_disabled():
        assert Journey.objects.filter(newcomer__email="wei@example.org").count() == 1
    refused = post(tpu_api, f"{TPU}/journeys", {**body, "target_group": "exchange", "x": 1})
    assert refused.status_code == 422


def test_a_group_without_a_template_is_a_409(tpu_api, template):
    response = post(
        tpu_api,
        f"{TPU}/journeys",
        {
            "email": "wei@example.org",
            "given_name": "Wei",
            "family_name": "Li",
            "target_group": "phd",
            "anchor_date": "2027-10-01",
        },
    )
    assert response.status_code == 409
    assert response.json()["field"] == "target_group"


def test_staff_mark_a_newcomers_step(tpu_api, journey):
    step = state_of(journey, "Mid-semester check-in").step
    url = f"{TPU}/journeys/{journey.uuid}/steps/{step.uuid}"
    assert post(tpu_api, f"{url}/skip").json()["status"] == "skipped"
    assert post(tpu_api, f"{url}/reopen").json()["status"] == "todo"
    assert tpu_api.get(f"{TPU}/journeys/{journey.uuid}").json()["steps_total"] == 7


NEWCOMER = {
    "email": "wei@example.org",
    "given_name": "Wei",
    "family_name": "Li",
    "target_group": "exchange",
    "anchor_date": "2027-10-01",
}
STEP = {
    "phase": "formalities",
    "title": "x",
    "owner_role": "student",
    "offset_days": 1,
    "category": "legal",
}


def test_outsiders_get_404_and_staff_without_the_permission_403(world, journey, template):
    step = state_of(journey, MIGRATION_STEP).step
    calls = [
        ("get", f"{TPU}/journeys", None),
        ("get", f"{TPU}/journeys/{journey.uuid}", None),
        ("post", f"{TPU}/journeys", NEWCOMER),
        ("post", f"{TPU}/journeys/{journey.uuid}/steps/{step.uuid}/done", None),
        ("get", f"{TPU}/journey-templates", None),
        ("post", f"{TPU}/journey-templates", {"name": "New", "target_group": "phd"}),
        ("get", f"{TPU}/journey-templates/{template.uuid}", None),
        ("post", f"{TPU}/journey-templates/{template.uuid}/steps", STEP),
    ]
    outsider = api_client(world.kth_officer)
    student = api_client(world.student)
    coordinator = api_client(world.tpu_coordinator)
    for method, url, body in calls:
        for client, status in ((outsider, 404), (student, 404), (coordinator, 403)):
            response = client.get(url) if method == "get" else post(client, url, body)
            assert response.status_code == status, (url, response.json())
            assert "detail" in response.json()
    # A KTH officer naming TPU's journey under KTH is 404 as well.
    kth_url = f"{API}/institutions/kth.se/journeys/{journey.uuid}"
    assert outsider.get(kth_url).status_code == 404
    assert state_of(journey, MIGRATION_STEP).status == StepStatus.TODO
    with scopes_disabled():
        assert not Journey.objects.filter(newcomer__email="wei@example.org").exists()


def test_an_outsider_cannot_mark_a_step_at_another_host(world, journey):
    step = state_of(journey, MIGRATION_STEP).step
    url = f"{TPU}/journeys/{journey.uuid}/steps/{step.uuid}/done"
    response = post(api_client(world.kth_officer), url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
