"""Events in the API: students list, register and cancel; the organiser's staff create,
change, list registrations and check people in. Same rules as the pages."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.models import ApiToken
from intercampus.events import services
from intercampus.events.choices import Audience, Group
from intercampus.events.models import Event, Registration
from intercampus.events.tests.factories import make_event, person

API = "/api/v1/events"
TOMSK = zoneinfo.ZoneInfo("Asia/Tomsk")


def api_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def call(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def student_api(world) -> Client:
    return api_client(world.student)


@pytest.fixture
def tpu_api(world) -> Client:
    return api_client(world.tpu_officer)


@pytest.fixture
def kth_api(world) -> Client:
    return api_client(world.kth_officer)


NEW_EVENT = {
    "title": "Spring welcome",
    "starts": "2031-04-01T18:00:00",
    "ends": "2031-04-01T21:00:00",
    "place": "Campus club",
    "capacity": 20,
    "local_quota": 10,
    "audience": "everyone",
    "published": True,
}


# --- Students -------------------------------------------------------------------------------


def test_the_api_needs_a_signed_in_caller(world, client, event):
    response = client.get(f"{API}/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_student_lists_the_events_open_to_them(world, student_api, event):
    make_event(world.tpu, title="TPU students only", audience=Audience.STUDENTS)
    body = student_api.get(f"{API}/").json()
    assert [e["title"] for e in body["items"]] == ["TPU welcome evening"]
    item = body["items"][0]
    assert (item["organiser"]["id"], item["seats_left"], item["waitlisted"]) == ("tpu.ru", 10, 0)
    assert item["starts"].endswith("+07:00")
    assert student_api.get(f"{API}/?institution=kth.se").json()["count"] == 0


def test_a_student_registers_waits_and_cancels(world, student_api):
    event = make_event(world.tpu, capacity=1)
    services.registration_create(actor=person("first@x.org"), event=event, group=Group.LOCAL)
    response = call(student_api, "post", f"{API}/{event.uuid}/registration", {})
    assert response.status_code == 400
    assert response.json()["field"] == "group"
    response = call(
        student_api, "post", f"{API}/{event.uuid}/registration", {"group": "international"}
    )
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["position"]) == ("waitlisted", 1)
    again = call(student_api, "post", f"{API}/{event.uuid}/registration", {"group": "local"})
    assert again.status_code == 409
    detail = student_api.get(f"{API}/{event.uuid}").json()
    assert detail["my_registration"]["status"] == "waitlisted"
    assert detail["waitlisted"] == 1
    assert [r["event"] for r in student_api.get(f"{API}/mine").json()["items"]] == [str(event.uuid)]
    cancelled = call(student_api, "delete", f"{API}/{event.uuid}/registration")
    assert cancelled.json()["status"] == "cancelled"
    assert call(student_api, "delete", f"{API}/{event.uuid}/registration").status_code == 404


def test_an_event_not_open_to_the_caller_is_404(world, student_api):
    hidden = make_event(world.tpu, audience=Audience.STUDENTS)
    assert student_api.get(f"{API}/{hidden.uuid}").status_code == 404
    response = call(student_api, "post", f"{API}/{hidden.uuid}/registration", {"group": "local"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_unknown_fields_are_refused(world, student_api, event):
    response = call(student_api, "post", f"{API}/{event.uuid}/registration", {"seat": 1})
    assert response.status_code == 422


# --- Staff ----------------------------------------------------------------------------------


def test_staff_create_an_event_with_times_on_their_clock(world, tpu_api):
    response = call(tpu_api, "post", f"{API}/staff/tpu.ru/", NEW_EVENT)
    assert response.status_code == 201, response.json()
    body = response.json()
    event = Event.objects.get(uuid=body["id"])
    assert event.institution == world.tpu
    assert event.starts == datetime.datetime(2031, 4, 1, 18, 0, tzinfo=TOMSK)
    assert body["local_quota"] == 10


def test_an_event_that_breaks_a_rule_is_a_422_naming_the_field(world, tpu_api):
    body = {**NEW_EVENT, "ends": "2031-04-01T17:00:00"}
    response = call(tpu_api, "post", f"{API}/staff/tpu.ru/", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] == "ends"


def test_staff_change_an_event_and_list_its_registrations(world, tpu_api, event):
    services.registration_create(actor=person("a@x.org"), event=event, group=Group.LOCAL)
    response = call(tpu_api, "patch", f"{API}/staff/tpu.ru/{event.uuid}", {"capacity": 12})
    assert response.json()["capacity"] == 12
    rows = tpu_api.get(f"{API}/staff/tpu.ru/{event.uuid}/registrations").json()["items"]
    assert [(r["person"]["email"], r["status"], r["arrival"]) for r in rows] == [
        ("a@x.org", "confirmed", 1)
    ]
    listed = tpu_api.get(f"{API}/staff/tpu.ru/").json()["items"]
    assert [e["id"] for e in listed] == [str(event.uuid)]


def test_staff_check_people_in_and_read_the_mix(world, tpu_api, event):
    registration = services.registration_create(
        actor=person("a@x.org"), event=event, group=Group.INTERNATIONAL
    )
    url = f"{API}/staff/tpu.ru/{event.uuid}/registrations/{registration.uuid}/check-in"
    response = call(tpu_api, "post", url)
    assert response.json()["status"] == "attended"
    stats = tpu_api.get(f"{API}/staff/tpu.ru/{event.uuid}/stats").json()
    assert stats["attended"] == 1
    assert [(g["group"], g["share"]) for g in stats["groups"]] == [
        ("local", 0.0),
        ("international", 1.0),
    ]
    assert call(tpu_api, "delete", url).json()["status"] == "confirmed"


def test_staff_of_another_institution_get_404_on_every_staff_endpoint(world, kth_api, event):
    registration = services.registration_create(
        actor=person("a@x.org"), event=event, group=Group.LOCAL
    )
    base = f"{API}/staff/tpu.ru"
    check_in = f"{base}/{event.uuid}/registrations/{registration.uuid}/check-in"
    for method, url, body in (
        ("get", f"{base}/", None),
        ("post", f"{base}/", NEW_EVENT),
        ("get", f"{base}/{event.uuid}", None),
        ("patch", f"{base}/{event.uuid}", {"capacity": 1}),
        ("get", f"{base}/{event.uuid}/stats", None),
        ("get", f"{base}/{event.uuid}/registrations", None),
        ("post", check_in, None),
        ("delete", check_in, None),
    ):
        response = call(kth_api, method, url, body)
        assert response.status_code == 404, (method, url)
    with scopes_disabled():
        assert Registration.objects.get().status == "confirmed"


def test_an_event_of_another_institution_is_404_when_acting_as_ones_own(world, kth_api, event):
    assert kth_api.get(f"{API}/staff/kth.se/{event.uuid}").status_code == 404


def test_staff_without_the_events_permission_get_403(world, event):
    coordinator = api_client(world.tpu_coordinator)
    response = coordinator.get(f"{API}/staff/tpu.ru/")
    assert response.status_code == 403
    assert "detail" in response.json()


def test_students_get_404_on_the_staff_endpoints(world, student_api, event):
    assert student_api.get(f"{API}/staff/kth.se/").status_code == 404


def test_the_openapi_document_describes_the_events_endpoints(world, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/events/{event}/registration" in paths
    assert "/api/v1/events/staff/{schac}/{event}/registrations" in paths
