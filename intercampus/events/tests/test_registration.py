"""Registering for an event: seats, the waitlist, quotas, and moving up when someone cancels."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from intercampus.core.models import AuditEntry
from intercampus.core.services import ServiceError
from intercampus.events import selectors, services
from intercampus.events.choices import Audience, Group, RegistrationStatus
from intercampus.events.models import Registration
from intercampus.events.tests.conftest import people
from intercampus.events.tests.factories import make_event, newcomer, person

CONFIRMED, WAITLISTED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED
LOCAL, INTERNATIONAL = Group.LOCAL, Group.INTERNATIONAL


def register(event, user, group=INTERNATIONAL):
    return services.registration_create(actor=user, event=event, group=group)


def statuses(event):
    with scopes_disabled():
        return list(
            Registration.objects.filter(event=event)
            .order_by("sequence")
            .values_list("user__email", "status")
        )


def test_the_first_people_get_seats_and_the_rest_wait_in_arrival_order(world):
    event = make_event(world.tpu, capacity=3)
    registrations = [register(event, p) for p in people(5)]
    assert [r.status for r in registrations] == [CONFIRMED] * 3 + [WAITLISTED] * 2
    assert [r.sequence for r in registrations] == [1, 2, 3, 4, 5]
    figures = selectors.event_figures(event)
    assert (figures.seats_left, figures.waitlisted) == (0, 2)


def test_registering_is_audited_as_the_person_at_the_organiser(world, event):
    user = person("someone@example.org")
    register(event, user)
    entry = AuditEntry.objects.get(action="events.registration.created")
    assert (entry.actor, entry.institution) == (user, world.tpu)


def test_nobody_registers_twice(world, event):
    user = person("twice@example.org")
    register(event, user)
    with pytest.raises(ServiceError) as error:
        register(event, user)
    assert error.value.status == 409
    assert len(statuses(event)) == 1


def test_the_database_refuses_a_second_active_registration_too(world, event):
    user = person("twice@example.org")
    first = register(event, user)
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            event=event, user=user, status=WAITLISTED, group=LOCAL, sequence=first.sequence + 1
        )


def test_someone_who_cancelled_may_register_again_at_the_back_of_the_queue(world):
    event = make_event(world.tpu, capacity=1)
    first, second = people(2)
    mine = register(event, first)
    register(event, second)
    services.registration_cancel(actor=first, registration=mine)
    again = register(event, first)
    assert (again.status, again.sequence) == (WAITLISTED, 3)


def test_half_the_seats_reserved_for_local_students_stay_free_for_them(world):
    event = make_event(world.tpu, capacity=4, local_quota=2)
    internationals = [register(event, p, INTERNATIONAL) for p in people(3, "int")]
    assert [r.status for r in internationals] == [CONFIRMED, CONFIRMED, WAITLISTED]
    locals_ = [register(event, p, LOCAL) for p in people(3, "loc")]
    assert [r.status for r in locals_] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert selectors.seat_counts(event) == {LOCAL: 2, INTERNATIONAL: 2}


def test_local_students_may_also_take_the_seats_nobody_reserved(world):
    event = make_event(world.tpu, capacity=4, local_quota=2)
    locals_ = [register(event, p, LOCAL) for p in people(5, "loc")]
    assert [r.status for r in locals_] == [CONFIRMED] * 4 + [WAITLISTED]
    late = register(event, person("late@example.org"), INTERNATIONAL)
    assert late.status == WAITLISTED


def test_a_cancelled_seat_goes_to_the_first_on_the_waitlist(world):
    event = make_event(world.tpu, capacity=2)
    a, b, c, d = people(4)
    seat = register(event, a)
    register(event, b)
    register(event, c)
    register(event, d)
    services.registration_cancel(actor=a, registration=seat)
    assert statuses(event) == [
        ("p0@example.org", RegistrationStatus.CANCELLED),
        ("p1@example.org", CONFIRMED),
        ("p2@example.org", CONFIRMED),
        ("p3@example.org", WAITLISTED),
    ]
    with scopes_disabled():
        promoted = Registration.objects.get(user=c, event=event)
    assert promoted.promoted_at is not None
    assert AuditEntry.objects.filter(action="events.registration.promoted").count() == 1


def test_the_person_who_moves_up_is_told_by_e_mail(world, django_capture_on_commit_callbacks):
    event = make_event(world.tpu, capacity=1, title="Pelmeni night")
    a, b = people(2)
    seat = register(event, a)
    register(event, b)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=a, registration=seat)
    assert [m.to for m in mail.outbox] == [["p1@example.org"]]
    assert "Pelmeni night" in mail.outbox[0].subject
    assert str(event.uuid) in mail.outbox[0].body


def test_a_freed_local_seat_skips_internationals_waiting_ahead(world):
    event = make_event(world.tpu, capacity=2, local_quota=1, international_quota=1)
    local_seat = register(event, person("loc1@example.org"), LOCAL)
    register(event, person("int1@example.org"), INTERNATIONAL)
    register(event, person("int2@example.org"), INTERNATIONAL)
    register(event, person("loc2@example.org"), LOCAL)
    services.registration_cancel(actor=local_seat.user, registration=local_seat)
    assert dict(statuses(event)) == {
        "loc1@example.org": RegistrationStatus.CANCELLED,
        "int1@example.org": CONFIRMED,
        "int2@example.org": WAITLISTED,
        "loc2@example.org": CONFIRMED,
    }


def test_leaving_the_waitlist_promotes_nobody(world):
    event = make_event(world.tpu, capacity=1)
    a, b, c = people(3)
    register(event, a)
    waiting = register(event, b)
    register(event, c)
    services.registration_cancel(actor=b, registration=waiting)
    assert [s for _, s in statuses(event)] == [CONFIRMED, RegistrationStatus.CANCELLED, WAITLISTED]


def test_more_seats_promote_people_from_the_waitlist(world):
    event = make_event(world.tpu, capacity=1)
    for p in people(3):
        register(event, p)
    services.event_update(actor=world.tpu_officer, event=event, capacity=2)
    assert [s for _, s in statuses(event)] == [CONFIRMED, CONFIRMED, WAITLISTED]


def test_seats_cannot_shrink_below_the_people_who_hold_them(world):
    event = make_event(world.tpu, capacity=3)
    for p in people(3):
        register(event, p, LOCAL)
    with pytest.raises(ServiceError) as error:
        services.event_update(actor=world.tpu_officer, event=event, capacity=2)
    assert error.value.field == "capacity"
    with pytest.raises(ServiceError):
        services.event_update(actor=world.tpu_officer, event=event, international_quota=1)


def test_registration_is_refused_outside_its_window(world):
    closed = make_event(world.tpu, registration_opens=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(ServiceError):
        register(closed, person("early@example.org"))
    draft = make_event(world.tpu, published=False)
    with pytest.raises(ServiceError):
        register(draft, person("draft@example.org"))


def test_an_event_for_the_organisers_students_refuses_others(world):
    event = make_event(world.tpu, audience=Audience.STUDENTS)
    with pytest.raises(ServiceError) as error:
        register(event, world.student)  # a KTH student
    assert error.value.status == 403
    local = register(event, person("ivan@tpu.ru", world.tpu), group=None)
    assert (local.status, local.group) == (CONFIRMED, LOCAL)


def test_a_newcomer_counts_as_international_whatever_they_say(world):
    event = make_event(world.tpu, audience=Audience.NEWCOMERS, local_quota=5)
    arriving = newcomer("anna@kth.se", world.kth, world.tpu)
    registration = register(event, arriving, group=LOCAL)
    assert registration.group == INTERNATIONAL
    with pytest.raises(ServiceError):
        register(event, person("ivan@tpu.ru", world.tpu))


def test_the_group_must_be_given_when_roles_do_not_tell(world, event):
    with pytest.raises(ServiceError) as error:
        register(event, person("who@example.org"), group=None)
    assert error.value.field == "group"


def test_nobody_can_cancel_once_the_event_has_started(world):
    event = make_event(world.tpu)
    seat = register(event, person("late@example.org"))
    with scopes_disabled():
        event.starts = timezone.now() - datetime.timedelta(minutes=5)
        event.save()
    with pytest.raises(ServiceError):
        services.registration_cancel(actor=seat.user, registration=seat)


def test_a_student_sees_only_their_own_registrations(world, event):
    mine, theirs = person("me@example.org"), person("them@example.org")
    register(event, mine)
    register(event, theirs)
    assert [r.user for r in selectors.registrations_of_user(mine)] == [mine]


def test_the_waitlist_position_counts_only_those_still_waiting_ahead(world):
    event = make_event(world.tpu, capacity=1)
    a, b, c, d = people(4)
    for p in (a, b, c, d):
        register(event, p)
    services.registration_cancel(actor=b, registration=selectors.registration_of_user(b, event))
    assert selectors.registration_of_user(d, event).position == 2


def test_the_demo_has_a_full_integration_event_with_a_waitlist(world):
    from intercampus.events.demo import FULL_EVENT, load_demo_events

    events = load_demo_events()
    full = next(e for e in events if (e.institution.schac, e.title) == FULL_EVENT)
    figures = selectors.event_figures(full)
    assert (figures.seats_left, figures.waitlisted) == (0, 3)
    assert figures.taken == {LOCAL: 6, INTERNATIONAL: 6}
    assert len(load_demo_events()) == len(events)  # a second run adds nothing
