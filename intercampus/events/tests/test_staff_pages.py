"""The organiser's staff run their events: create and edit them, see who registered, export,
check people in at the door, and see the mix of local and international attendees."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from intercampus.core.models import AuditEntry
from intercampus.events import services
from intercampus.events.choices import Group, RegistrationStatus
from intercampus.events.models import Event, Registration
from intercampus.events.tests.factories import make_event, person
from intercampus.events.urls import staff_urlpatterns

TOMSK = zoneinfo.ZoneInfo("Asia/Tomsk")


def url(name, **kwargs):
    return reverse(f"staff:{name}", kwargs={"institution": "tpu.ru", **kwargs})


def event_url(name, event, **kwargs):
    return url(name, event=event.uuid, **kwargs)


def form_data(**overrides):
    data = {
        "title": "Winter welcome",
        "description": "Tea and games.",
        "kind": "integration",
        "starts": "2031-01-20T18:00",
        "ends": "2031-01-20T21:00",
        "place": "Main building, room 101",
        "link": "",
        "capacity": "40",
        "registration_opens": "",
        "registration_closes": "",
        "audience": "students",
        "local_quota": "20",
        "international_quota": "0",
        "published": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def registered(world, event):
    """Three people at TPU's event: a local and an international with seats, one waiting."""
    for email, group in (("loc@x.org", Group.LOCAL), ("int@x.org", Group.INTERNATIONAL)):
        services.registration_create(actor=person(email), event=event, group=group)
    with scopes_disabled():
        event.capacity = 2
        event.save()
    services.registration_create(actor=person("wait@x.org"), event=event, group=Group.LOCAL)
    return event


def test_the_officer_adds_an_event_with_times_on_the_institutions_clock(world, tpu_officer_client):
    response = tpu_officer_client.post(url("event_add"), form_data())
    assert response.status_code == 302
    event = Event.objects.get(title="Winter welcome")
    assert event.institution == world.tpu
    assert event.starts == datetime.datetime(2031, 1, 20, 18, 0, tzinfo=TOMSK)
    assert (event.local_quota, event.capacity) == (20, 40)
    assert AuditEntry.objects.filter(action="events.event.created", institution=world.tpu)


def test_a_refused_event_keeps_what_was_typed_and_says_why_next_to_the_field(
    world, tpu_officer_client
):
    response = tpu_officer_client.post(
        url("event_add"), form_data(ends="2031-01-20T17:00", local_quota="50")
    )
    assert response.status_code == 400
    text = response.text
    assert "The event must end after it starts." in text
    assert "The reserved seats add up to more than the event has." in text
    assert 'value="Main building, room 101"' in text
    assert 'value="2031-01-20T17:00"' in text
    assert not Event.objects.exists()


def test_the_officer_edits_an_event_and_the_form_shows_local_times(
    world, tpu_officer_client, event
):
    page = tpu_officer_client.get(event_url("event_edit", event)).text
    local = event.starts.astimezone(TOMSK).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local}"' in page
    response = tpu_officer_client.post(
        event_url("event_edit", event),
        form_data(title="Renamed", local_quota="0", audience="everyone"),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Renamed"
    assert AuditEntry.objects.filter(action="events.event.updated").exists()


def test_shrinking_below_the_seats_given_is_refused_on_the_form(
    world, tpu_officer_client, registered
):
    response = tpu_officer_client.post(
        event_url("event_edit", registered), form_data(capacity="1", local_quota="0")
    )
    assert response.status_code == 400
    assert "2 people already hold a seat" in response.text


def test_the_list_shows_the_institutions_events_with_drafts(world, tpu_officer_client):
    make_event(world.tpu, title="Draft party", published=False)
    make_event(world.kth, title="KTH party")
    text = tpu_officer_client.get(url("events")).text
    assert "Draft party" in text
    assert "KTH party" not in text


def test_the_registrations_page_lists_people_in_arrival_order_and_filters(
    world, tpu_officer_client, registered
):
    text = tpu_officer_client.get(event_url("event_registrations", registered)).text
    assert text.index("loc@x.org") < text.index("int@x.org") < text.index("wait@x.org")
    waiting = tpu_officer_client.get(
        event_url("event_registrations", registered), {"status": "waitlisted"}
    ).text
    assert "wait@x.org" in waiting and "loc@x.org" not in waiting
    found = tpu_officer_client.get(event_url("event_registrations", registered), {"q": "int@"})
    assert "int@x.org" in found.text and "wait@x.org" not in found.text


def test_registrations_export_as_csv_and_excel(world, tpu_officer_client, registered):
    response = tpu_officer_client.get(event_url("event_registrations_csv", registered))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["arrival", "email", "name", "group", "status"]
    assert [r[1] for r in rows[1:]] == ["loc@x.org", "int@x.org", "wait@x.org"]
    response = tpu_officer_client.get(event_url("event_registrations_xlsx", registered))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet["B"]][1:] == ["loc@x.org", "int@x.org", "wait@x.org"]


def test_staff_cancel_a_seat_and_the_next_person_moves_up(world, tpu_officer_client, registered):
    with scopes_disabled():
        seat = Registration.objects.get(user__email="loc@x.org")
    response = tpu_officer_client.post(
        event_url("event_registration_cancel", registered, registration=seat.uuid)
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Registration.objects.get(user__email="wait@x.org").status == "confirmed"


def test_check_in_finds_a_person_and_records_their_arrival(world, tpu_officer_client, registered):
    page = tpu_officer_client.get(event_url("event_check_in", registered), {"q": "int"}).text
    assert "int@x.org" in page and "loc@x.org" not in page
    assert "wait@x.org" not in page  # no seat, nothing to check in
    with scopes_disabled():
        seat = Registration.objects.get(user__email="int@x.org")
    response = tpu_officer_client.post(
        event_url("event_check_in_registration", registered, registration=seat.uuid),
        {"q": "int"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?q=int")
    seat.refresh_from_db()
    assert seat.status == RegistrationStatus.ATTENDED
    assert seat.checked_in_by == world.tpu_officer
    tpu_officer_client.post(
        event_url("event_check_in_registration", registered, registration=seat.uuid),
        {"undo": "1"},
    )
    seat.refresh_from_db()
    assert (seat.status, seat.checked_in_at) == (RegistrationStatus.CONFIRMED, None)


def test_someone_on_the_waitlist_cannot_be_checked_in(world, tpu_officer_client, registered):
    with scopes_disabled():
        waiting = Registration.objects.get(user__email="wait@x.org")
    response = tpu_officer_client.post(
        event_url("event_check_in_registration", registered, registration=waiting.uuid),
        follow=True,
    )
    assert "Only people with a seat can be checked in." in response.text


def test_the_event_page_shows_the_mix_of_local_and_international_attendees(
    world, tpu_officer_client, registered
):
    with scopes_disabled():
        for registration in Registration.objects.filter(status="confirmed"):
            services.registration_check_in(actor=world.tpu_officer, registration=registration)
    response = tpu_officer_client.get(event_url("event_detail", registered))
    assert response.context["chart"] == {
        "labels": ["Local student", "International student"],
        "registered": [1, 1],
        "attended": [1, 1],
    }
    assert "50 %" in response.text
    assert "chart.umd.min.js" in response.text


def test_people_not_checked_in_are_marked_absent_after_the_start(
    world, tpu_officer_client, registered
):
    with scopes_disabled():
        registered.starts = timezone.now() - datetime.timedelta(hours=1)
        registered.save()
    tpu_officer_client.post(event_url("event_no_shows", registered))
    with scopes_disabled():
        statuses = sorted(Registration.objects.values_list("status", flat=True))
    assert statuses == ["no_show", "no_show", "waitlisted"]


def test_an_officer_without_the_events_permission_is_refused(world, coordinator_client, event):
    # The TPU work group coordinator is staff at TPU but does not run events.
    assert coordinator_client.get(url("events")).status_code == 403


def _every_staff_url(event, registration):
    for pattern in staff_urlpatterns:
        kwargs = {}
        if "event" in pattern.pattern.converters:
            kwargs["event"] = event.uuid
        if "registration" in pattern.pattern.converters:
            kwargs["registration"] = registration.uuid
        yield url(pattern.name, **kwargs)


def test_staff_of_another_institution_get_404_on_every_events_page(
    world, kth_officer_client, registered
):
    with scopes_disabled():
        registration = Registration.objects.first()
    for address in _every_staff_url(registered, registration):
        assert kth_officer_client.get(address).status_code == 404, address
        assert kth_officer_client.post(address, {}).status_code == 404, address


def test_another_institutions_event_is_404_in_the_officers_own_area(
    world, kth_officer_client, registered
):
    with scopes_disabled():
        registration = Registration.objects.first()
    for address in _every_staff_url(registered, registration):
        address = address.replace("/i/tpu.ru/", "/i/kth.se/")
        if "/events/" in address and address.rstrip("/").split("/")[-1] not in ("events", "add"):
            assert kth_officer_client.get(address).status_code in (404, 405), address
