"""Demo events: upcoming integration events and a seminar, one of them full with a waitlist.

For the demo loader (``intercampus demo``) to call after institutions and accounts exist.
Idempotent: an event already there (same organiser and title) is left as it is.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import Role, User
from intercampus.events import services
from intercampus.events.choices import Audience, EventKind, Group
from intercampus.events.models import Event
from intercampus.institutions.models import Institution
from intercampus.network.demo.personas import demo_account

# (organiser, title, kind, days from now, local hour, hours long, place or link, seats,
#  seats reserved for local students, audience, description)
EVENTS: tuple[tuple[Any, ...], ...] = (
    (
        "tpu.ru",
        "Welcome evening for international students",
        EventKind.INTEGRATION,
        12,
        18,
        3,
        "TPU main building, Lenin Avenue 30, hall 2",
        12,
        6,
        Audience.EVERYONE,
        "Tea, pelmeni and board games with local students and buddies. Half the seats are "
        "kept for local students, so that newcomers meet them.",
    ),
    (
        "tpu.ru",
        "Tomsk city walk",
        EventKind.INTEGRATION,
        19,
        11,
        3,
        "Meeting point: Novosobornaya Square",
        25,
        10,
        Audience.EVERYONE,
        "Wooden architecture, the river embankment and where to buy a warm coat.",
    ),
    (
        "kth.se",
        "Fika with your buddy",
        EventKind.INTEGRATION,
        9,
        15,
        2,
        "KTH Library, Osquars backe 31",
        40,
        20,
        Audience.EVERYONE,
        "Meet your buddy and other newcomers over coffee and cinnamon buns.",
    ),
    (
        "polito.it",
        "Seminar: studying engineering in Italy",
        EventKind.SEMINAR,
        16,
        14,
        2,
        "https://meet.polito.demo/engineering-in-italy",
        100,
        0,
        Audience.EVERYONE,
        "How exams, credits and grades work, for incoming exchange students.",
    ),
)

# Who fills the welcome evening at TPU: 6 local students take the reserved seats, 6 incoming
# students the others, and 3 more incoming students wait.
FULL_EVENT = ("tpu.ru", "Welcome evening for international students")
LOCALS, INTERNATIONALS = 6, 9


def _at(institution: Institution, days: int, hour: int, now: datetime.datetime):
    zone = zoneinfo.ZoneInfo(institution.timezone)
    day = (now.astimezone(zone) + datetime.timedelta(days=days)).date()
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)


def _student(email: str, institution: Institution) -> User:
    user = demo_account(email)
    Role.objects.get_or_create(user=user, institution=institution, kind=RoleKind.STUDENT)
    return user


def load_demo_events(*, now: datetime.datetime | None = None) -> list[Event]:
    """Create the demo events that are missing, and fill the full one; return them all."""
    now = now or timezone.now()
    events: list[Event] = []
    with scopes_disabled():
        for row in EVENTS:
            schac, title, kind, days, hour, hours, where, seats, local, audience, text = row
            institution = Institution.objects.filter(schac=schac).first()
            if institution is None:
                continue
            event = Event.objects.filter(institution=institution, title=title).first()
            if event is None:
                starts = _at(institution, days, hour, now)
                online = where.startswith("https://")
                event = services.event_create(
                    actor=None,
                    institution=institution,
                    title=title,
                    description=text,
                    kind=kind,
                    starts=starts,
                    ends=starts + datetime.timedelta(hours=hours),
                    place="" if online else where,
                    link=where if online else "",
                    capacity=seats,
                    local_quota=local,
                    audience=audience,
                    published=True,
                )
                if (schac, title) == FULL_EVENT:
                    _fill(event)
            events.append(event)
    return events


def _fill(event: Event) -> None:
    host = event.institution
    domain = host.schac.split(".")[0]
    for i in range(LOCALS):
        user = _student(f"student{i + 1}@{domain}.demo", host)
        services.registration_create(actor=user, event=event)
    for i in range(INTERNATIONALS):
        # Accounts the newcomers sign in with, to see their journeys, buddies and events.
        user = demo_account(f"newcomer{i + 1}@{domain}.demo")
        services.registration_create(actor=user, event=event, group=Group.INTERNATIONAL)
