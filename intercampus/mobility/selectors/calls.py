"""Reads of mobility calls and their places.

Staff functions take the institution (the tenant) and filter by it, so a call named in a URL is
only found among the institution's own calls; anything else is 404. The one read across
institutions, the open calls a student may apply to, filters by the student's own roles.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import Role
from intercampus.institutions.models import Institution
from intercampus.mobility.choices import ApplicationState, CallStatus, NominationStatus
from intercampus.mobility.models import (
    Call,
    CooperationCondition,
    Nomination,
    Place,
)

# Nominations that hold a seat of the agreement for their academic year.
SEAT_HOLDING = (NominationStatus.PENDING, NominationStatus.ACCEPTED)


def calls_of(institution: Institution) -> QuerySet[Call]:
    return Call.objects.filter(owner=institution)


def call_list(institution: Institution, *, status: str = "") -> QuerySet[Call]:
    """The institution's calls, newest window first, with how many applications were submitted."""
    calls = calls_of(institution).annotate(
        place_count=Count("places", distinct=True),
        submitted_count=Count(
            "applications", filter=Q(applications__submitted_at__isnull=False), distinct=True
        ),
    )
    return calls.filter(status=status) if status else calls


def get_call(institution: Institution, call_uuid: uuid.UUID) -> Call:
    """One of the institution's calls by its public id, or 404."""
    return get_object_or_404(calls_of(institution), uuid=call_uuid)


def places_of(call: Call) -> QuerySet[Place]:
    return call.places.select_related("host", "condition", "condition__agreement")


def get_place(call: Call, place_uuid: uuid.UUID) -> Place:
    return get_object_or_404(places_of(call), uuid=place_uuid)


def window_state(call: Call, now: datetime.datetime | None = None) -> str:
    """ "upcoming", "open" or "closed": where ``now`` falls in the call's window (both ends in)."""
    now = now or timezone.now()
    if now < call.opens_at:
        return "upcoming"
    if now > call.closes_at:
        return "closed"
    return "open"


def application_counts(call: Call) -> list[tuple[str, str, int]]:
    """(state, label, count) for every application state, in the order of the states."""
    counts = Counter(
        dict(call.applications.values_list("state").annotate(n=Count("id")).order_by())
    )
    return [
        (state.value, str(state.label), counts.get(state.value, 0)) for state in ApplicationState
    ]


# --- Seats of the agreements ----------------------------------------------------------------


def seats_used(condition: CooperationCondition, academic_year: str) -> int:
    """Seats of ``condition`` in ``academic_year`` held by nominations waiting or accepted.

    Nominations are the home's (the sending side's) own rows, so the current scope sees them.
    """
    return Nomination.objects.filter(
        place__condition=condition,
        place__call__academic_year=academic_year,
        status__in=SEAT_HOLDING,
    ).count()


def _seats_held_by(call: Call, condition: CooperationCondition) -> int:
    return Nomination.objects.filter(
        place__condition=condition, place__call=call, status__in=SEAT_HOLDING
    ).count()


def seats_left(condition: CooperationCondition, academic_year: str) -> int:
    """Mobilities per year not yet used; never below zero."""
    return max(0, condition.mobilities_per_year - seats_used(condition, academic_year))


def conditions_for_call(call: Call) -> QuerySet[CooperationCondition]:
    """Conditions under which the call's owner sends students of the call's type and year.

    Of the owner's own agreement copies that are not terminated: we are the sending side, the
    mobility type is the call's, and the call's year lies in the condition's years.
    """
    return (
        CooperationCondition.objects.filter(
            agreement__owner=call.owner,
            agreement__terminated=False,
            sending_hei_id=call.owner.schac,
            mobility_type=call.mobility_type,
            first_academic_year__lte=call.academic_year,
            last_academic_year__gte=call.academic_year,
        )
        .select_related("agreement")
        .order_by("receiving_hei_id", "agreement_id", "position", "id")
    )


@dataclass
class OverOffered:
    """A condition whose places offer more seats together than the agreement has left."""

    condition: CooperationCondition
    offered: int
    left: int


def over_offered_conditions(call: Call) -> list[OverOffered]:
    """Conditions split into several places (one per subject area) whose seats add up to more
    than the condition's seats left this year: staff should lower some of them."""
    offered: Counter[int] = Counter()
    conditions: dict[int, CooperationCondition] = {}
    for place in places_of(call):
        offered[place.condition_id] += place.seats
        conditions[place.condition_id] = place.condition
    found = []
    for condition_id, total in offered.items():
        condition = conditions[condition_id]
        # The call's own nominations fill its own places: they do not take seats from them.
        others = seats_used(condition, call.academic_year) - _seats_held_by(call, condition)
        left = max(0, condition.mobilities_per_year - others)
        if total > left:
            found.append(OverOffered(conditions[condition_id], total, left))
    return found


# --- The student's side ---------------------------------------------------------------------


def student_institution_ids(user) -> list[int]:
    """Institutions where ``user`` holds the student role (filtered by the user: safe)."""
    with scopes_disabled():
        return list(
            Role.objects.filter(user=user, kind=RoleKind.STUDENT).values_list(
                "institution_id", flat=True
            )
        )


def calls_open_to(user, now: datetime.datetime | None = None) -> list[Call]:
    """Published calls of the student's institutions whose window has not closed yet.

    Read across institutions, allowed because it is limited to the institutions where the user
    holds the student role, and to published calls, which their students are meant to see.
    """
    now = now or timezone.now()
    with scopes_disabled():
        return list(
            Call.objects.filter(
                owner_id__in=student_institution_ids(user),
                status=CallStatus.PUBLISHED,
                closes_at__gte=now,
            )
            .select_related("owner")
            .order_by("closes_at", "title")
        )


def get_call_open_to(user, call_uuid: uuid.UUID) -> Call:
    """A published call of one of the student's institutions, or 404."""
    with scopes_disabled():
        return get_object_or_404(
            Call.objects.select_related("owner"),
            uuid=call_uuid,
            owner_id__in=student_institution_ids(user),
            status=CallStatus.PUBLISHED,
        )


def places_for_student(call: Call) -> list[Place]:
    """The call's places, as a student ranks them (read for a call the student may see)."""
    with scopes_disabled():
        return list(places_of(call).filter(seats__gt=0).order_by("host_hei_id", "subject_area"))
