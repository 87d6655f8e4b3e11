"""Reminders: e-mail and in the app, before a step is due and when it is late, each at most
once; only for the newcomer's own steps."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from intercampus.core.models import PersonalNotice
from intercampus.onboarding import clock
from intercampus.onboarding.services import journeys as services
from intercampus.onboarding.services import reminders
from intercampus.onboarding.tasks import send_journey_reminders
from intercampus.onboarding.tests.journeys_factories import (
    MIGRATION_STEP,
    make_template,
    start,
    state_of,
)

ARRIVAL = datetime.date(2027, 9, 3)  # the migration registration is due on 14 September
BEFORE_ARRIVAL = (
    "Explore the programmes taught in English",
    "Send the signed learning agreement",
    "Apply for the study visa",
)


def at(day: int, hour: int = 3) -> datetime.datetime:
    """A moment in September 2027 (UTC); Tomsk is 7 hours ahead."""
    return datetime.datetime(2027, 9, day, hour, 0, tzinfo=datetime.UTC)


@pytest.fixture
def journey(world, monkeypatch):
    make_template(world.tpu, world.tpu_officer)
    # The journey starts in June, before any of its steps is due.
    monkeypatch.setattr(clock, "current_time", lambda: at(1).replace(month=6))
    journey = start(world, world.student, ARRIVAL)
    # What had to be done before arrival is done; the migration registration is left.
    for title in BEFORE_ARRIVAL:
        services.step_mark_done(actor=world.student, state=state_of(journey, title))
    return journey


def test_a_step_due_in_three_days_is_reminded_once(journey, mailoutbox):
    first = reminders.reminders_send(now=at(11))
    second = reminders.reminders_send(now=at(12))
    assert first.before == 1
    assert second.before == 0
    assert len(mailoutbox) == 1
    assert MIGRATION_STEP in mailoutbox[0].body
    assert mailoutbox[0].to == ["student@kth.se"]
    assert state_of(journey, MIGRATION_STEP).reminded_before_at == at(11)


def test_a_late_step_is_reminded_once_more_and_never_again(journey, mailoutbox):
    reminders.reminders_send(now=at(11))
    late = reminders.reminders_send(now=at(15))
    again = reminders.reminders_send(now=at(20))
    assert late.late == 1
    assert again.late == again.before == 0
    assert len(mailoutbox) == 2
    assert "Late" in mailoutbox[1].body


def test_nothing_is_sent_for_steps_not_yet_near(journey, mailoutbox):
    assert reminders.reminders_send(now=at(5)).before == 0
    assert mailoutbox == []


def test_steps_of_the_offices_and_the_buddy_are_not_reminded_to_the_newcomer(journey, mailoutbox):
    # The buddy meeting falls due on 6 September; it is the buddy's step.
    reminders.reminders_send(now=at(4))
    assert all("Meet your buddy" not in m.body for m in mailoutbox)


def test_a_step_already_late_when_the_journey_started_is_not_reminded_as_late(
    world, mailoutbox, monkeypatch
):
    make_template(world.tpu, world.tpu_officer)
    # Started after the visa application was due (45 days before arrival).
    monkeypatch.setattr(clock, "current_time", lambda: at(1).replace(month=8))
    journey = start(world, world.student, ARRIVAL)
    reminders.reminders_send(now=at(2))
    assert state_of(journey, "Apply for the study visa").reminded_late_at is None


def test_done_steps_are_not_reminded(journey, mailoutbox):
    services.step_mark_done(actor=journey.newcomer, state=state_of(journey, MIGRATION_STEP))
    assert reminders.reminders_send(now=at(11)).before == 0
    assert mailoutbox == []


def test_the_reminder_shows_in_the_app_too(journey, student_client):
    reminders.reminders_send(now=at(11))
    notice = PersonalNotice.objects.get(user=journey.newcomer)
    assert notice.kind == "onboarding.journey.reminder"
    assert MIGRATION_STEP in notice.text
    assert notice.link == reverse("journey:home")
    page = student_client.get(reverse("journey:home")).content.decode()
    assert "Reminders" in page
    assert page.index("Reminders") < page.index(MIGRATION_STEP)


def test_the_background_task_sends_the_reminders(journey, mailoutbox, monkeypatch):
    monkeypatch.setattr(clock, "current_time", lambda: at(11))
    result = send_journey_reminders.call()
    assert result == {"due_soon": 1, "late": 0, "journeys": 1, "emails": 1}
    assert send_journey_reminders.call()["emails"] == 0
