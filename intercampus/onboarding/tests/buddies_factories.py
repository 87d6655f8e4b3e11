"""Building buddy programmes, buddies and newcomers for tests, through the services."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import User
from intercampus.core.testing import user_with_role
from intercampus.onboarding import matching
from intercampus.onboarding.models import BuddyMatch, BuddyProfile, BuddyProgramme, NewcomerProfile
from intercampus.onboarding.services import buddies as services

URLCONF = "intercampus.onboarding.tests.buddies_urls"
NOW = datetime.datetime(2027, 6, 1, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2027, 6, 1)
ARRIVAL = datetime.date(2027, 9, 1)


def tpu_student(world: Any, email: str, given: str = "", family: str = "") -> User:
    user = user_with_role(email, world.tpu, RoleKind.STUDENT)
    if given or family:
        user.first_name, user.last_name = given, family
        user.save()
    return user


def make_programme(world: Any, name: str = "TPU Buddy Club", **fields: Any) -> BuddyProgramme:
    return services.programme_create(
        actor=world.tpu_officer, institution=world.tpu, name=name, campus="Tomsk", **fields
    )


def add_buddy(
    world: Any,
    programme: BuddyProgramme,
    email: str,
    languages: dict[str, str] | None = None,
    *,
    capacity: int = 1,
    window: tuple[int, int] = (-14, 60),
    interests: Iterable[str] = (),
    faculty: Any = None,
    user: User | None = None,
) -> BuddyProfile:
    """A TPU student as a buddy; ``window`` in days around ARRIVAL."""
    user = user or tpu_student(world, email)
    profile, _created = services.buddy_signup(
        actor=user,
        programme=programme,
        languages=languages or {"en": "C1"},
        available_from=ARRIVAL + datetime.timedelta(days=window[0]),
        available_to=ARRIVAL + datetime.timedelta(days=window[1]),
        capacity=capacity,
        interests=interests,
        faculty=faculty,
    )
    return profile


def add_newcomer(
    world: Any,
    programme: BuddyProgramme,
    email: str,
    languages: dict[str, str] | None = None,
    *,
    arrival: datetime.date = ARRIVAL,
    interests: Iterable[str] = (),
    faculty: Any = None,
    user: User | None = None,
) -> NewcomerProfile:
    """A newcomer (a TPU degree student unless ``user`` is given)."""
    user = user or tpu_student(world, email)
    profile, _created = services.newcomer_signup(
        actor=user,
        programme=programme,
        languages=languages or {"en": "B2"},
        arrival_date=arrival,
        interests=interests,
        faculty=faculty,
    )
    return profile


def pairs(programme: BuddyProgramme, *statuses: str) -> dict[int, int]:
    """newcomer profile id -> buddy profile id of the programme's matches (of ``statuses``)."""
    with scopes_disabled():
        found = BuddyMatch.objects.filter(programme=programme)
        if statuses:
            found = found.filter(status__in=statuses)
        return dict(found.values_list("newcomer_id", "buddy_id"))


def match_of(newcomer: NewcomerProfile, *statuses: str) -> BuddyMatch | None:
    with scopes_disabled():
        found = BuddyMatch.objects.filter(newcomer=newcomer).select_related(
            "programme__institution", "buddy__user", "newcomer__user"
        )
        if statuses:
            found = found.filter(status__in=statuses)
        return found.order_by("-pk").first()


def as_input(programme: BuddyProgramme) -> tuple[list, list]:
    """The programme's profiles as the pure module's input, built here independently."""
    with scopes_disabled():
        newcomers = [
            matching.Newcomer(
                n.pk,
                {t for t, lv in n.languages.items() if lv in ("B1", "B2", "C1", "C2")},
                n.faculty_key,
                frozenset(n.interests),
                n.arrival_date.toordinal(),
            )
            for n in NewcomerProfile.objects.filter(programme=programme)
        ]
        buddies = [
            matching.Buddy(
                b.pk,
                b.capacity,
                {t for t, lv in b.languages.items() if lv in ("B1", "B2", "C1", "C2")},
                b.faculty_key,
                frozenset(b.interests),
                b.available_from.toordinal(),
                b.available_to.toordinal(),
            )
            for b in BuddyProfile.objects.filter(programme=programme, active=True)
        ]
    return newcomers, buddies
