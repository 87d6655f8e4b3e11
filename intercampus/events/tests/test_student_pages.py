"""Students find events, register, wait, cancel, and see their own registrations."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from icalendar import Calendar

from intercampus.events import services
from intercampus.events.choices import Audience, Group, RegistrationStatus
from intercampus.events.models import Registration
from intercampus.events.tests.factories import make_event, person


def detail(event):
    return reverse("events:detail", kwargs={"event": event.uuid})


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_needs_a_signed_in_person(world, event):
    response = Client().get(reverse("events:list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_list_shows_events_open_to_the_student_only(world, student_client):
    make_event(world.tpu, title="Open to all")
    make_event(world.tpu, title="TPU students only", audience=Audience.STUDENTS)
    make_event(world.kth, title="KTH students only", audience=Audience.STUDENTS)
    make_event(world.kth, title="KTH draft", published=False)
    make_event(
        world.kth,
        title="Last year's party",
        starts=timezone.now() - datetime.timedelta(days=400),
        ends=timezone.now() - datetime.timedelta(days=399),
    )
    text = student_client.get(reverse("events:list")).text
    assert "Open to all" in text
    assert "KTH students only" in text
    assert "TPU students only" not in text
    assert "KTH draft" not in text
    assert "Last year" not in text


def test_the_list_filters_by_organiser(world, student_client):
    make_event(world.tpu, title="In Tomsk")
    make_event(world.kth, title="In Stockholm")
    text = student_client.get(reverse("events:list"), {"institution": "kth.se"}).text
    assert "In Stockholm" in text
    assert "In Tomsk" not in text


def test_times_are_shown_on_the_organisers_clock(world, student_client):
    starts = datetime.datetime(2031, 3, 4, 12, 0, tzinfo=datetime.UTC)  # 19:00 in Tomsk
    event = make_event(world.tpu, starts=starts, ends=starts + datetime.timedelta(hours=2))
    text = student_client.get(detail(event)).text
    assert "19:00" in text
    assert "Asia/Tomsk" in text


def test_an_event_not_open_to_the_student_is_not_found(world, student_client):
    hidden = make_event(world.tpu, audience=Audience.STUDENTS)
    draft = make_event(world.tpu, published=False)
    assert student_client.get(detail(hidden)).status_code == 404
    assert student_client.get(detail(draft)).status_code == 404
    url = reverse("events:register", kwargs={"event": hidden.uuid})
    assert student_client.post(url, {"group": "local"}).status_code == 404


def test_a_student_whose_group_is_unknown_is_asked_and_the_choice_is_kept(
    world, student_client, event
):
    page = student_client.get(detail(event)).text
    assert "I am" in page and "an international student" in page
    url = reverse("events:register", kwargs={"event": event.uuid})
    response = student_client.post(url, {})
    assert response.status_code == 400
    assert "This field is required" in response.text
    response = student_client.post(url, {"group": "international"})
    assert response.status_code == 302
    with scopes_disabled():
        registration = Registration.objects.get(event=event, user=world.student)
    assert (registration.status, registration.group) == (
        RegistrationStatus.CONFIRMED,
        Group.INTERNATIONAL,
    )
    page = student_client.get(detail(event)).text
    assert "Seat confirmed" in page
    assert "Cancel my registration" in page


def test_a_student_of_the_organiser_registers_without_being_asked(world, tpu_student_client, event):
    assert "I am" not in tpu_student_client.get(detail(event)).text
    url = reverse("events:register", kwargs={"event": event.uuid})
    assert tpu_student_client.post(url).status_code == 302


def test_a_full_event_offers_the_waitlist_and_tells_the_position(world, student_client):
    event = make_event(world.tpu, capacity=1)
    services.registration_create(actor=person("first@example.org"), event=event, group=Group.LOCAL)
    page = student_client.get(detail(event)).text
    assert "Join the waitlist" in page
    url = reverse("events:register", kwargs={"event": event.uuid})
    response = student_client.post(url, {"group": "international"}, follow=True)
    assert "you are on the waitlist" in response.text
    assert "Waitlist, number 1" in response.text


def test_the_student_is_promoted_and_sees_it_on_their_page(world, student_client):
    event = make_event(world.tpu, capacity=1, title="Full party")
    first = person("first@example.org")
    seat = services.registration_create(actor=first, event=event, group=Group.LOCAL)
    student_client.post(
        reverse("events:register", kwargs={"event": event.uuid}), {"group": "international"}
    )
    services.registration_cancel(actor=first, registration=seat)
    page = student_client.get(reverse("my_events:list")).text
    assert "a seat came free at “Full party” and it is yours" in page
    assert "Seat confirmed" in page


def test_the_student_cancels_with_a_button(world, student_client, event):
    services.registration_create(actor=world.student, event=event, group=Group.LOCAL)
    response = student_client.post(reverse("events:cancel", kwargs={"event": event.uuid}))
    assert response.status_code == 302
    with scopes_disabled():
        assert Registration.objects.get(user=world.student).status == RegistrationStatus.CANCELLED


def test_registering_and_cancelling_need_post(world, student_client, event):
    for name in ("register", "cancel"):
        url = reverse(f"events:{name}", kwargs={"event": event.uuid})
        assert student_client.get(url).status_code == 405


def test_my_events_lists_only_my_own_registrations(world, student_client):
    mine = make_event(world.tpu, title="Mine")
    theirs = make_event(world.tpu, title="Theirs")
    services.registration_create(actor=world.student, event=mine, group=Group.LOCAL)
    services.registration_create(actor=person("other@example.org"), event=theirs, group=Group.LOCAL)
    page = student_client.get(reverse("my_events:list")).text
    assert "Mine" in page
    assert "Theirs" not in page


def test_a_student_cannot_reach_another_students_registration(world, student_client, event):
    other = person("other@example.org")
    theirs = services.registration_create(actor=other, event=event, group=Group.LOCAL)
    # Cancelling acts on the caller's own registration only: theirs stays.
    student_client.post(reverse("events:cancel", kwargs={"event": event.uuid}))
    theirs.refresh_from_db()
    assert theirs.status == RegistrationStatus.CONFIRMED
    # The staff pages that show registrations do not exist for a student.
    url = reverse(
        "staff:event_registrations", kwargs={"institution": "tpu.ru", "event": event.uuid}
    )
    assert student_client.get(url).status_code == 404
    assert "other@example.org" not in student_client.get(detail(event)).text


def test_an_event_downloads_as_icalendar_in_the_organisers_time_zone(world, student_client):
    starts = datetime.datetime(2031, 3, 4, 12, 0, tzinfo=datetime.UTC)
    event = make_event(
        world.tpu, title="Ice skating", starts=starts, ends=starts + datetime.timedelta(hours=2)
    )
    response = student_client.get(reverse("events:ics", kwargs={"event": event.uuid}))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [item] = calendar.walk("VEVENT")
    assert str(item["SUMMARY"]) == "Ice skating"
    assert item.decoded("DTSTART") == starts
    assert item["DTSTART"].params["TZID"] == "Asia/Tomsk"
    assert calendar.walk("VTIMEZONE")


def test_my_calendar_feed_holds_my_events_only(world, student_client):
    mine = make_event(world.tpu, title="Mine", capacity=1)
    services.registration_create(actor=person("first@example.org"), event=mine, group=Group.LOCAL)
    services.registration_create(actor=world.student, event=mine, group=Group.LOCAL)
    make_event(world.tpu, title="Not mine")
    response = student_client.get(reverse("my_events:calendar"))
    items = Calendar.from_ical(response.content).walk("VEVENT")
    assert [(str(i["SUMMARY"]), str(i["STATUS"])) for i in items] == [("Mine", "TENTATIVE")]
