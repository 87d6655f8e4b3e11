"""Builders for the event tests (no tests here). They build with scopes disabled, as
fixtures do; the code under test runs scoped."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.core.testing import user_with_role, verified_user
from intercampus.events.choices import Audience
from intercampus.events.models import Event
from intercampus.institutions.models import Institution

_numbers = itertools.count(1)


def make_event(institution: Institution, **fields: Any) -> Event:
    """A published event of ``institution`` a week from now, registration open, 10 seats,
    open to everyone signed in."""
    starts = timezone.now() + datetime.timedelta(days=7)
    values: dict[str, Any] = {
        "title": f"Welcome evening {next(_numbers)}",
        "starts": starts,
        "ends": starts + datetime.timedelta(hours=3),
        "place": "Main hall",
        "capacity": 10,
        "audience": Audience.EVERYONE,
        "published": True,
        **fields,
    }
    with scopes_disabled():
        return Event.objects.create(institution=institution, **values)


def person(email: str, institution: Institution | None = None, kind: str = RoleKind.STUDENT):
    """A user with a verified e-mail address; a student of ``institution`` when one is given."""
    if institution is None:
        return verified_user(email, password="x")
    return user_with_role(email, institution, kind)


def newcomer(email: str, home: Institution, host: Institution):
    """A student of ``home`` whose nomination to ``host`` the host accepted."""
    from intercampus.mobility.choices import NominationStatus
    from intercampus.mobility.models import (
        Agreement,
        Application,
        Call,
        CooperationCondition,
        Nomination,
        Place,
    )

    user = person(email, home)
    with scopes_disabled():
        agreement = Agreement.objects.create(owner=home, partner_hei_id=host.schac, partner=host)
        condition = CooperationCondition.objects.create(
            agreement=agreement,
            mobility_type="student_studies",
            sending_hei_id=home.schac,
            receiving_hei_id=host.schac,
            first_academic_year="2026/2027",
            last_academic_year="2028/2029",
            mobilities_per_year=3,
        )
        call = Call.objects.create(
            owner=home,
            title="Exchange",
            academic_year="2027/2028",
            opens_at=timezone.now() - datetime.timedelta(days=60),
            closes_at=timezone.now() - datetime.timedelta(days=30),
            lottery_seed=1,
        )
        place = Place.objects.create(
            call=call, condition=condition, host_hei_id=host.schac, host=host, seats=2
        )
        application = Application.objects.create(call=call, owner=home, student=user)
        Nomination.objects.create(
            application=application,
            place=place,
            home=home,
            host_hei_id=host.schac,
            host=host,
            status=NominationStatus.ACCEPTED,
        )
    return user
