"""Reads about events: who may see and join which event, seats, waitlists and attendance.

The visibility rules live here and nowhere else; pages, the API and exports reuse them.

- Staff see their own institution's events (``events_of``, ``get_event``) inside its scope.
- A signed-in person sees the published events whose audience includes them
  (``events_visible_to``): everyone, the organiser's students (a student or buddy role there,
  or a newcomer), or only the organiser's newcomers (an accepted incoming nomination).
- A person's own registrations are read by user (``registrations_of_user``), across
  institutions, never anyone else's.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
import zoneinfo
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import Role
from intercampus.accounts.selectors import has_verified_email
from intercampus.events import seats
from intercampus.events.choices import (
    ACTIVE_STATUSES,
    SEAT_STATUSES,
    Audience,
    Group,
    RegistrationStatus,
)
from intercampus.events.models import Event, Registration
from intercampus.institutions.models import Institution

STUDENT_ROLES = (RoleKind.STUDENT, RoleKind.BUDDY)


# --- Who the person is, for an organiser ----------------------------------------------------


def student_institution_ids(user: Any) -> set[int]:
    """Institutions where the user studies (a student or buddy role)."""
    with scopes_disabled():
        return set(
            Role.objects.filter(user=user, kind__in=STUDENT_ROLES).values_list(
                "institution_id", flat=True
            )
        )


def newcomer_institution_ids(user: Any) -> set[int]:
    """Institutions the user comes to as a newcomer: hosts that accepted their nomination.

    Degree-seeking newcomers (onboarding journeys) join here once that model exists.
    """
    from intercampus.mobility.choices import NominationStatus
    from intercampus.mobility.models import Nomination

    with scopes_disabled():
        return set(
            Nomination.objects.filter(
                application__student=user, status=NominationStatus.ACCEPTED, host__isnull=False
            ).values_list("host_id", flat=True)
        )


@dataclasses.dataclass(frozen=True)
class Standing:
    """Where a user stands with the organisers: the institutions they study at or come to."""

    students_of: frozenset[int]
    newcomers_of: frozenset[int]

    @classmethod
    def of(cls, user: Any) -> Standing:
        if not getattr(user, "is_authenticated", False):
            return cls(frozenset(), frozenset())
        return cls(
            frozenset(student_institution_ids(user)), frozenset(newcomer_institution_ids(user))
        )

    def may_attend(self, event: Event) -> bool:
        owner = event.institution_id
        if event.audience == Audience.EVERYONE:
            return True
        if event.audience == Audience.STUDENTS:
            return owner in self.students_of or owner in self.newcomers_of
        return owner in self.newcomers_of

    def group_at(self, event: Event) -> str | None:
        """The quota group the user belongs to at the organiser, when it follows from their
        roles: a newcomer is international, a student of the organiser local; else None."""
        if event.institution_id in self.newcomers_of:
            return Group.INTERNATIONAL
        if event.institution_id in self.students_of:
            return Group.LOCAL
        return None

    def audience_filter(self) -> Q:
        students = self.students_of | self.newcomers_of
        return (
            Q(audience=Audience.EVERYONE)
            | Q(audience=Audience.STUDENTS, institution_id__in=students)
            | Q(audience=Audience.NEWCOMERS, institution_id__in=self.newcomers_of)
        )


def needs_verified_email(user: Any, event: Event, standing: Standing | None = None) -> bool:
    """True when ``user`` must verify their e-mail address before taking a seat at ``event``.

    A seat is scarce: at an event open to everyone, someone the organiser does not know as a
    student or newcomer declares their own group (and so takes from its quota), so only an
    account whose owner proved their address may do it; otherwise throw-away sign-ups could
    empty the event.
    """
    standing = standing or Standing.of(user)
    if standing.group_at(event) is not None:
        return False
    return not has_verified_email(user)


def derive_group(user: Any, event: Event) -> str | None:
    return Standing.of(user).group_at(event)


# --- Events for students --------------------------------------------------------------------


def _with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(
        taken=Count("registrations", filter=Q(registrations__status__in=SEAT_STATUSES)),
        waitlisted=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
    )


def events_visible_to(
    user: Any, *, institution: Institution | None = None, upcoming: bool = True
) -> QuerySet[Event]:
    """Published events the user may attend, soonest first, with ``taken`` and ``waitlisted``
    counts; ``upcoming`` keeps those that have not ended."""
    standing = Standing.of(user)
    events = Event.objects.filter(published=True).filter(standing.audience_filter())
    if institution is not None:
        events = events.filter(institution=institution)
    if upcoming:
        events = events.filter(ends__gt=timezone.now())
    return _with_counts(events.select_related("institution")).order_by("starts", "title", "id")


def get_visible_event(user: Any, event_uuid: uuid.UUID | str) -> Event:
    """An event the user may see: one they may attend, or one they registered for; else 404."""
    event = Event.objects.select_related("institution").filter(uuid=event_uuid).first()
    if event is None:
        raise Http404
    if event.published and Standing.of(user).may_attend(event):
        return event
    if getattr(user, "is_authenticated", False):
        with scopes_disabled():
            if Registration.objects.filter(event=event, user=user).exists():
                return event
    raise Http404


def organisers_with_events(user: Any) -> list[Institution]:
    """Institutions that have upcoming events the user may attend, for the filter."""
    ids = events_visible_to(user).values("institution_id")
    return list(Institution.objects.filter(id__in=ids).order_by("name"))


# --- Seats ----------------------------------------------------------------------------------


def seat_counts(event: Event) -> dict[str, int]:
    """Seats held per group (counts only: no personal data leaves)."""
    with scopes_disabled():
        rows = (
            Registration.objects.filter(event=event, status__in=SEAT_STATUSES)
            .values_list("group")
            .annotate(n=Count("id"))
        )
        taken = dict.fromkeys(Group.values, 0)
        taken.update(dict(rows))
        return taken


def waitlist_length(event: Event) -> int:
    with scopes_disabled():
        return Registration.objects.filter(
            event=event, status=RegistrationStatus.WAITLISTED
        ).count()


@dataclasses.dataclass(frozen=True)
class Figures:
    """How full an event is."""

    capacity: int
    taken: dict[str, int]
    seats_left: int
    seats_left_by_group: dict[str, int]
    waitlisted: int

    @property
    def taken_total(self) -> int:
        return sum(self.taken.values())

    @property
    def full(self) -> bool:
        return self.seats_left == 0


def event_figures(event: Event) -> Figures:
    taken = seat_counts(event)
    capacity, quotas = event.capacity, event.quotas
    return Figures(
        capacity=capacity,
        taken=taken,
        seats_left=seats.seats_left(capacity=capacity, quotas=quotas, taken=taken),
        seats_left_by_group={
            g: seats.seats_left_for(g, capacity=capacity, quotas=quotas, taken=taken)
            for g in Group.values
        },
        waitlisted=waitlist_length(event),
    )


# --- A person's own registrations -----------------------------------------------------------


def registrations_of_user(user: Any, *, include_past: bool = True) -> list[Registration]:
    """The user's registrations that are not cancelled, soonest event first; waitlisted ones
    carry ``position`` (1 = next in line)."""
    with scopes_disabled():
        rows = Registration.objects.filter(user=user, status__in=ACTIVE_STATUSES)
        if not include_past:
            rows = rows.filter(event__ends__gt=timezone.now())
        rows = rows.select_related("event", "event__institution").order_by(
            "event__starts", "event__title", "id"
        )
        registrations = list(rows)
        _attach_positions(registrations)
        return registrations


def _attach_positions(registrations: list[Registration]) -> None:
    waiting = [r for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    for registration in registrations:
        registration.position = None  # type: ignore[attr-defined]
    if not waiting:
        return
    with scopes_disabled():
        for registration in waiting:
            registration.position = (  # type: ignore[attr-defined]
                Registration.objects.filter(
                    event_id=registration.event_id,
                    status=RegistrationStatus.WAITLISTED,
                    sequence__lt=registration.sequence,
                ).count()
                + 1
            )


def registration_of_user(user: Any, event: Event) -> Registration | None:
    """The user's registration for ``event`` that is not cancelled, if any, with ``position``."""
    if not getattr(user, "is_authenticated", False):
        return None
    with scopes_disabled():
        found = (
            Registration.objects.filter(event=event, user=user, status__in=ACTIVE_STATUSES)
            .select_related("event")
            .first()
        )
    if found is not None:
        _attach_positions([found])
    return found


# --- Staff: the institution's own events ----------------------------------------------------


def events_of(institution: Institution, *, when: str = "upcoming") -> QuerySet[Event]:
    """The institution's events (published or not) with counts; ``when`` is upcoming, past or
    all."""
    events = Event.objects.filter(institution=institution)
    now = timezone.now()
    if when == "upcoming":
        events = events.filter(ends__gt=now).order_by("starts", "title", "id")
    elif when == "past":
        events = events.filter(ends__lte=now).order_by("-starts", "title", "id")
    else:
        events = events.order_by("-starts", "title", "id")
    return _with_counts(events)


def get_event(institution: Institution, event_uuid: uuid.UUID | str) -> Event:
    """One of the institution's events, or 404."""
    event = (
        Event.objects.select_related("institution")
        .filter(institution=institution, uuid=event_uuid)
        .first()
    )
    if event is None:
        raise Http404
    return event


def registrations_for(event: Event, *, status: str = "", query: str = "") -> QuerySet[Registration]:
    """The event's registrations in arrival order, for its organiser's staff (scope active).

    ``status`` filters by state (``active`` = not cancelled); ``query`` searches names and
    e-mail addresses.
    """
    rows = Registration.objects.filter(event=event).select_related("user", "checked_in_by")
    if status == "active":
        rows = rows.filter(status__in=ACTIVE_STATUSES)
    elif status in RegistrationStatus.values:
        rows = rows.filter(status=status)
    query = query.strip()
    if query:
        for word in query.split()[:5]:
            rows = rows.filter(
                Q(user__email__icontains=word)
                | Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
            )
    return rows.order_by("sequence")


def get_registration(event: Event, registration_uuid: uuid.UUID | str) -> Registration:
    """One registration of the event (staff, scope active), or 404."""
    found = (
        Registration.objects.filter(event=event, uuid=registration_uuid)
        .select_related("user", "event", "event__institution")
        .first()
    )
    if found is None:
        raise Http404
    return found


def check_in_list(event: Event, *, query: str = "") -> QuerySet[Registration]:
    """Who may be checked in: people with a seat, by name."""
    rows = registrations_for(event, query=query).filter(status__in=SEAT_STATUSES)
    return rows.order_by("user__last_name", "user__first_name", "user__email")


@dataclasses.dataclass(frozen=True)
class GroupShare:
    group: str
    label: str
    registered: int
    attended: int
    share: float | None  # of attendees, 0–1; None before anyone attended


@dataclasses.dataclass(frozen=True)
class Attendance:
    """The mix of local and international people among those with a seat and those who came."""

    groups: list[GroupShare]
    registered: int
    attended: int
    no_show: int
    waitlisted: int
    cancelled: int

    def chart(self) -> dict[str, Any]:
        return {
            "labels": [str(g.label) for g in self.groups],
            "registered": [g.registered for g in self.groups],
            "attended": [g.attended for g in self.groups],
        }


def attendance_stats(event: Event) -> Attendance:
    with scopes_disabled():
        rows = (
            Registration.objects.filter(event=event)
            .values_list("group", "status")
            .annotate(n=Count("id"))
        )
        counts: dict[tuple[str, str], int] = {(g, s): n for g, s, n in rows}

    def total(*, group: str | None = None, statuses: Any) -> int:
        return sum(
            n for (g, s), n in counts.items() if s in statuses and (group is None or g == group)
        )

    attended = total(statuses={RegistrationStatus.ATTENDED})
    groups = []
    for group in Group:
        came = total(group=group, statuses={RegistrationStatus.ATTENDED})
        groups.append(
            GroupShare(
                group=group.value,
                label=group.label,
                registered=total(group=group, statuses=SEAT_STATUSES),
                attended=came,
                share=(came / attended) if attended else None,
            )
        )
    return Attendance(
        groups=groups,
        registered=total(statuses=SEAT_STATUSES),
        attended=attended,
        no_show=total(statuses={RegistrationStatus.NO_SHOW}),
        waitlisted=total(statuses={RegistrationStatus.WAITLISTED}),
        cancelled=total(statuses={RegistrationStatus.CANCELLED}),
    )


EXPORT_COLUMNS = [
    "arrival",
    "email",
    "name",
    "group",
    "status",
    "registered_at",
    "checked_in_at",
]


def export_rows(event: Event) -> list[list[Any]]:
    """One row per registration, times in the organiser's time zone."""
    zone = zoneinfo.ZoneInfo(event.institution.timezone)

    def local(value: Any) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    return [
        [
            r.sequence,
            r.user.email,
            r.user.get_full_name(),
            r.group,
            r.status,
            local(r.created),
            local(r.checked_in_at),
        ]
        for r in registrations_for(event)
    ]


# --- Reminders ------------------------------------------------------------------------------

# The day before: events that start between 24 and 48 hours from the run.
REMIND_FROM = datetime.timedelta(hours=24)
REMIND_UNTIL = datetime.timedelta(hours=48)


def registrations_to_remind(*, now: Any = None) -> QuerySet[Registration]:
    """Confirmed registrations for published events starting in 24 to 48 hours that have not
    been reminded yet (for the reminder task; not scoped to one institution)."""
    now = now or timezone.now()
    soon, later = now + REMIND_FROM, now + REMIND_UNTIL
    return (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            reminded_at__isnull=True,
            event__published=True,
            event__starts__gte=soon,
            event__starts__lt=later,
        )
        .select_related("user", "event", "event__institution")
        .order_by("event__starts", "sequence")
    )
