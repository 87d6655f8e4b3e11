"""People with a seat are reminded by e-mail the day before, once."""

from __future__ import annotations

import datetime

from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from intercampus.events import services
from intercampus.events.choices import Group
from intercampus.events.models import Registration
from intercampus.events.tasks import send_event_reminders
from intercampus.events.tests.factories import make_event, person


def event_in(world, hours: float, **fields):
    starts = timezone.now() + datetime.timedelta(hours=hours)
    return make_event(world.tpu, starts=starts, ends=starts + datetime.timedelta(hours=2), **fields)


def test_people_with_a_seat_at_tomorrows_event_are_reminded_once(world):
    event = event_in(world, 30, capacity=1, title="Museum visit")
    seat_holder, waiting = person("seat@x.org"), person("wait@x.org")
    services.registration_create(actor=seat_holder, event=event, group=Group.LOCAL)
    services.registration_create(actor=waiting, event=event, group=Group.LOCAL)

    assert send_event_reminders.call() == 1
    assert [m.to for m in mail.outbox] == [["seat@x.org"]]
    assert "Museum visit" in mail.outbox[0].subject
    assert send_event_reminders.call() == 0
    assert len(mail.outbox) == 1
    with scopes_disabled():
        assert Registration.objects.get(user=seat_holder).reminded_at is not None


def test_events_further_away_or_sooner_are_not_reminded_now(world):
    for hours in (3, 60):
        event = event_in(world, hours)
        services.registration_create(actor=person(f"p{hours}@x.org"), event=event, group="local")
    assert services.event_reminders_send() == 0


def test_a_failed_e_mail_is_tried_again_at_the_next_run(world, monkeypatch):
    event = event_in(world, 30)
    services.registration_create(actor=person("a@x.org"), event=event, group=Group.LOCAL)
    monkeypatch.setattr("intercampus.events.emails.send_mail", _broken)
    assert services.event_reminders_send() == 0
    monkeypatch.undo()
    assert services.event_reminders_send() == 1


def test_the_command_runs_the_reminders_now(world, capsys):
    event = event_in(world, 30)
    services.registration_create(actor=person("a@x.org"), event=event, group=Group.LOCAL)
    call_command("event_reminders")
    assert "1 reminder(s) sent." in capsys.readouterr().out


def _broken(*args, **kwargs):
    raise OSError("mail server down")


def test_the_reminder_to_a_reader_of_russian_is_an_html_page_in_russian(world):
    event = event_in(world, 30, capacity=1, title="Museum visit")
    reader = person("ru@x.org")
    reader.preferred_language = "ru"
    reader.save()
    services.registration_create(actor=reader, event=event, group=Group.LOCAL)

    assert send_event_reminders.call() == 1
    (html, _), *_ = mail.outbox[0].alternatives
    assert '<html lang="ru">' in html
