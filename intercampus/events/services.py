"""Writes about events: creating and changing events, registering, cancelling, promoting from
the waitlist, checking in, and reminding.

Seats are scarce. Every change that takes a seat happens while the event's row is locked
(``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite every write transaction is already
serialised, as the settings open them IMMEDIATE), and the seats in use are counted again
under that lock: two people never get the last seat. Arrival numbers are handed out under the
same lock, so they follow the order in which registrations commit, without gaps.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scope, scopes_disabled

from intercampus.core.audit import audit_log, snapshot
from intercampus.core.services import ServiceError, audited_create
from intercampus.events import seats
from intercampus.events.choices import ACTIVE_STATUSES, SEAT_STATUSES, Group, RegistrationStatus
from intercampus.events.models import Event, Registration
from intercampus.events.selectors import Standing, needs_verified_email, registrations_to_remind
from intercampus.institutions.models import Institution

logger = logging.getLogger(__name__)

EVENT_FIELDS = [
    "title",
    "description",
    "kind",
    "starts",
    "ends",
    "place",
    "link",
    "capacity",
    "registration_opens",
    "registration_closes",
    "audience",
    "local_quota",
    "international_quota",
    "published",
]
_REGISTRATION_AUDIT = ["status", "group", "sequence", "checked_in_at"]


def _lock(event: Event) -> Event:
    """The event's row, fresh and locked until the transaction ends (only that row: not the
    institution's, or every event of the organiser would wait for each other)."""
    return (
        Event.objects.select_for_update(of=("self",)).select_related("institution").get(pk=event.pk)
    )


def _taken(event: Event) -> dict[str, int]:
    rows = (
        Registration.objects.filter(event=event, status__in=SEAT_STATUSES)
        .values_list("group")
        .annotate(n=Count("id"))
    )
    taken = dict.fromkeys(Group.values, 0)
    taken.update(dict(rows))
    return taken


@dataclasses.dataclass(frozen=True)
class _QueueState:
    taken: dict[str, int]
    last_sequence: int
    already_registered: bool


def _queue_state(event: Event, user: Any) -> _QueueState:
    """Seats held per group, the last arrival number, and whether ``user`` is registered
    already: one query, as it runs while the event is locked."""
    seat = Q(status__in=SEAT_STATUSES)
    counts = Registration.objects.filter(event=event).aggregate(
        last=Max("sequence"),
        mine=Count("id", filter=Q(user=user, status__in=ACTIVE_STATUSES)),
        **{group: Count("id", filter=seat & Q(group=group)) for group in Group.values},
    )
    return _QueueState(
        taken={group: counts[group] for group in Group.values},
        last_sequence=counts["last"] or 0,
        already_registered=counts["mine"] > 0,
    )


def _audit(actor: Any, action: str, registration: Registration, before: Any = None) -> None:
    audit_log(
        actor=actor,
        action=action,
        obj=registration,
        before=before,
        after=snapshot(registration, _REGISTRATION_AUDIT),
        institution=registration.event.institution,
    )


# --- Events ---------------------------------------------------------------------------------


def event_create(*, actor: Any, institution: Institution, **fields: Any) -> Event:
    """Create an event organised by ``institution``. Raises ValidationError naming the fields."""
    return audited_create(
        actor=actor, model=Event, action="events.event.created", institution=institution, **fields
    )


@transaction.atomic
def event_update(*, actor: Any, event: Event, **fields: Any) -> Event:
    """Change an event. Seats already given stay given: a capacity or quotas that they would
    not fit raise ServiceError on ``capacity``. More seats promote people from the waitlist.
    """
    locked = _lock(event)
    before = snapshot(locked)
    for name, value in fields.items():
        if name not in EVENT_FIELDS:
            raise TypeError(f"event_update() got an unexpected field {name!r}")
        setattr(locked, name, value)
    locked.full_clean()
    with scope(institution=locked.institution):
        taken = _taken(locked)
        if not seats.fits(capacity=locked.capacity, quotas=locked.quotas, taken=taken):
            raise ServiceError(
                _(
                    "{count} people already hold a seat: the seats and reserved seats must "
                    "leave room for them."
                ).format(count=sum(taken.values())),
                field="capacity",
            )
        locked.save()
        after = snapshot(locked)
        if before != after:
            audit_log(
                actor=actor,
                action="events.event.updated",
                obj=locked,
                before=before,
                after=after,
                institution=locked.institution,
            )
        _fill_from_waitlist(actor=actor, event=locked)
    return locked


# --- Registration ---------------------------------------------------------------------------


@transaction.atomic
def registration_create(
    *, actor: Any, event: Event, group: str | None = None, user: Any = None
) -> Registration:
    """Register ``user`` (default: ``actor``) for ``event``: a seat when one is free for their
    group, in its reserved seats or the shared ones, else a place on the waitlist.

    The group follows from the person's roles at the organiser when it can; otherwise
    ``group`` (local or international) is required. Raises ServiceError when registration is
    not open (400), the event is not for them (403), they are already registered (409) or the
    group is missing (400, field ``group``), or the person must first verify their e-mail
    address (403, see :func:`needs_verified_email`).
    """
    user = user or actor
    # Who the person is for the organiser is read before the lock, to hold it briefly.
    standing = Standing.of(user)
    locked = _lock(event)
    now = timezone.now()
    if not locked.registration_open(now):
        raise ServiceError(_("Registration for this event is not open."), status=400)
    if not standing.may_attend(locked):
        raise ServiceError(_("This event is not open to you."), status=403)
    if needs_verified_email(user, locked, standing):
        raise ServiceError(
            _(
                "Confirm your e-mail address first: a seat at an event open to everyone needs "
                "a verified address. You can send the confirmation again from your account's "
                "e-mail addresses page."
            ),
            status=403,
        )
    group = standing.group_at(locked) or group
    if group not in Group.values:
        raise ServiceError(
            _("Say whether you are a local or an international student."), field="group"
        )
    with scope(institution=locked.institution):
        state = _queue_state(locked, user)
        if state.already_registered:
            raise ServiceError(_("You are already registered for this event."), status=409)
        free = seats.seat_free(
            group, capacity=locked.capacity, quotas=locked.quotas, taken=state.taken
        )
        registration = Registration.objects.create(
            event=locked,
            user=user,
            group=group,
            status=RegistrationStatus.CONFIRMED if free else RegistrationStatus.WAITLISTED,
            sequence=state.last_sequence + 1,
            created=now,
            confirmed_at=now if free else None,
        )
        _audit(actor, "events.registration.created", registration)
    return registration


@transaction.atomic
def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    """Cancel a seat or a place on the waitlist before the event starts; a freed seat goes to
    the first people on the waitlist who fit the quotas, who are told by e-mail.

    Raises ServiceError when the registration is no longer active or the event has started.
    """
    # The lock is for the promotion that follows: freeing alone would not need it.
    locked = _lock(registration.event)
    with scope(institution=locked.institution):
        # Locked too: a check-in at the same moment must not be overwritten.
        current = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
        current.event = locked
        if current.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
            raise ServiceError(_("This registration cannot be cancelled any more."), status=409)
        now = timezone.now()
        if locked.has_started(now):
            raise ServiceError(_("The event has started: it is too late to cancel."))
        before = snapshot(current, _REGISTRATION_AUDIT)
        had_seat = current.status == RegistrationStatus.CONFIRMED
        current.status = RegistrationStatus.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at"])
        _audit(actor, "events.registration.cancelled", current, before)
        if had_seat:
            _fill_from_waitlist(actor=actor, event=locked, now=now)
    return current


def _fill_from_waitlist(
    *, actor: Any, event: Event, now: datetime.datetime | None = None
) -> list[Registration]:
    """Give free seats to waitlisted people in arrival order, each only if a seat is free for
    their group (the event row is locked and its scope open). Nobody moves up once the event
    has started."""
    now = now or timezone.now()
    if event.has_started(now):
        return []
    taken = _taken(event)
    capacity, quotas = event.capacity, event.quotas
    promoted: list[Registration] = []
    waiting = (
        Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
        .select_related("user")
        .order_by("sequence")
    )
    for registration in waiting.iterator(chunk_size=200):
        if seats.seats_left(capacity=capacity, quotas=quotas, taken=taken) == 0:
            break
        if not seats.seat_free(registration.group, capacity=capacity, quotas=quotas, taken=taken):
            continue
        before = snapshot(registration, _REGISTRATION_AUDIT)
        registration.event = event
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = registration.promoted_at = now
        registration.save(update_fields=["status", "confirmed_at", "promoted_at"])
        taken[registration.group] += 1
        _audit(actor, "events.registration.promoted", registration, before)
        _notify_promoted(registration)
        promoted.append(registration)
    if promoted:
        from intercampus.events.emails import send_promotion_emails

        ids = [r.pk for r in promoted]
        transaction.on_commit(lambda: send_promotion_emails(ids))
    return promoted


def _notify_promoted(registration: Registration) -> None:
    """A notice on the person's own page, in their language (the e-mail goes separately)."""
    from django.urls import reverse

    from intercampus.core.notices import notify_person

    event = registration.event
    notify_person(
        user=registration.user,
        kind="events.registration.promoted",
        message=gettext_noop("You moved up from the waitlist: you have a seat at {event}."),
        params={"event": event.title},
        link=reverse("events:detail", kwargs={"event": event.uuid}),
    )


# --- Attendance -----------------------------------------------------------------------------


@transaction.atomic
def registration_check_in(*, actor: Any, registration: Registration) -> Registration:
    """Record that the person came. Only someone with a seat can be checked in (ServiceError
    otherwise); checking in twice changes nothing."""
    with scope(institution=registration.event.institution):
        current = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event", "event__institution")
            .get(pk=registration.pk)
        )
        if current.status == RegistrationStatus.ATTENDED:
            return current
        if current.status not in SEAT_STATUSES:
            raise ServiceError(_("Only people with a seat can be checked in."), status=409)
        before = snapshot(current, _REGISTRATION_AUDIT)
        current.status = RegistrationStatus.ATTENDED
        current.checked_in_at = timezone.now()
        current.checked_in_by = actor if getattr(actor, "is_authenticated", False) else None
        current.save(update_fields=["status", "checked_in_at", "checked_in_by"])
        _audit(actor, "events.registration.checked_in", current, before)
    return current


@transaction.atomic
def registration_check_in_undo(*, actor: Any, registration: Registration) -> Registration:
    """Take back a check-in made by mistake: the seat stays the person's."""
    with scope(institution=registration.event.institution):
        current = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event", "event__institution")
            .get(pk=registration.pk)
        )
        if current.status != RegistrationStatus.ATTENDED:
            return current
        before = snapshot(current, _REGISTRATION_AUDIT)
        current.status = RegistrationStatus.CONFIRMED
        current.checked_in_at = None
        current.checked_in_by = None
        current.save(update_fields=["status", "checked_in_at", "checked_in_by"])
        _audit(actor, "events.registration.check_in_undone", current, before)
    return current


@transaction.atomic
def registrations_mark_no_show(*, actor: Any, event: Event) -> int:
    """Once the event has started, mark everyone with a seat who was not checked in as not
    having come. Returns how many. Raises ServiceError before the start."""
    if not event.has_started():
        raise ServiceError(_("People can be marked as absent only once the event has started."))
    count = 0
    with scope(institution=event.institution):
        rows = Registration.objects.select_for_update(of=("self",)).filter(
            event=event, status=RegistrationStatus.CONFIRMED
        )
        for registration in rows.select_related("event", "event__institution"):
            before = snapshot(registration, _REGISTRATION_AUDIT)
            registration.status = RegistrationStatus.NO_SHOW
            registration.save(update_fields=["status"])
            _audit(actor, "events.registration.no_show", registration, before)
            count += 1
    return count


# --- Reminders ------------------------------------------------------------------------------


def event_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """E-mail everyone with a confirmed seat at an event starting in 24 to 48 hours, once.

    Idempotent: each registration is claimed by setting ``reminded_at`` before its e-mail goes
    out, so two workers never send the same reminder, and a failed e-mail is released again
    for the next run. Returns how many reminders were sent.
    """
    from intercampus.events.emails import send_reminder_email

    now = now or timezone.now()
    sent = 0
    with scopes_disabled():
        due = list(registrations_to_remind(now=now).values_list("pk", flat=True))
        for pk in due:
            claimed = Registration.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            registration = Registration.objects.select_related(
                "user", "event", "event__institution"
            ).get(pk=pk)
            if send_reminder_email(registration):
                sent += 1
            else:
                Registration.objects.filter(pk=pk).update(reminded_at=None)
    return sent
