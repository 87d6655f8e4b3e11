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

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import Role
from intercampus.institutions.models import Institution
from intercampus.mobility.choices import ApplicationState, CallStatus, NominationStatus
from intercampus.mobility.models import (
    AllocationRun,
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


# Statuses of a call an allocation has run on: closed for applications, whatever its dates.
ALLOCATED_STATUSES = (CallStatus.ALLOCATED, CallStatus.RESULTS_PUBLISHED)


def window_state(call: Call, now: datetime.datetime | None = None) -> str:
    """ "upcoming", "open" or "closed": the one answer to "does the call take applications
    at ``now``" that pages, the API and the services all give. Between its opening and
    closing times (both in) it is open, unless an allocation has run on it: a run closes the
    call (an early one also moves its closing time to the moment it ran)."""
    now = now or timezone.now()
    if call.status in ALLOCATED_STATUSES:
        return "closed"
    if now < call.opens_at:
        return "upcoming"
    if now > call.closes_at:
        return "closed"
    return "open"


def closed_early(call: Call) -> bool:
    """Whether an early allocation run closed the call before its planned closing time (the
    run records it in its parameters, see ``services.allocation._close_early``)."""
    if call.status not in ALLOCATED_STATUSES:
        return False
    with scope(institution=call.owner):
        runs = AllocationRun.objects.filter(call=call)
        return runs.filter(parameters__has_key="closed_early_at").exists()


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


def seats_held_elsewhere(condition: CooperationCondition, call: Call) -> int:
    """Seats of ``condition`` in the call's academic year that other calls hold. A place of
    a call whose results are published holds its nominations waiting or accepted; a place of
    a call still on its way holds its seats (its nominations do not exist yet), or more if
    it already has more nominations."""
    places = list(
        Place.objects.filter(condition=condition, call__academic_year=call.academic_year)
        .exclude(call=call)
        .values_list("pk", "seats", "call__status")
    )
    nominated = Counter(
        dict(
            Nomination.objects.filter(
                place_id__in=[pk for pk, _, _ in places], status__in=SEAT_HOLDING
            )
            .values_list("place_id")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    return sum(
        nominated[pk] if status == CallStatus.RESULTS_PUBLISHED else max(seats, nominated[pk])
        for pk, seats, status in places
    )


def seats_left(condition: CooperationCondition, call: Call) -> int:
    """Mobilities per year of ``condition`` that ``call`` may offer, all its places of the
    condition together: what other calls of the year do not hold. Never below zero."""
    return max(0, condition.mobilities_per_year - seats_held_elsewhere(condition, call))


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


def seats_limit(place: Place) -> int:
    """The most seats ``place`` may offer: what its condition has left for the call, less
    the seats of the call's other places under the same condition."""
    siblings = (
        Place.objects.filter(call_id=place.call_id, condition_id=place.condition_id)
        .exclude(pk=place.pk)
        .aggregate(total=Sum("seats"))["total"]
    )
    return max(0, seats_left(place.condition, place.call) - (siblings or 0))


def seats_limits(call: Call, places: list[Place]) -> dict[int, int]:
    """``seats_limit`` of each of the call's ``places`` (by primary key), counting what other
    calls hold once per condition."""
    left = {p.condition_id: seats_left(p.condition, call) for p in places}
    offered: Counter[int] = Counter()
    for place in places:
        offered[place.condition_id] += place.seats
    return {
        p.pk: max(0, left[p.condition_id] - (offered[p.condition_id] - p.seats)) for p in places
    }


def over_offered_conditions(call: Call) -> list[OverOffered]:
    """Conditions whose places in the call (one per subject area) offer more seats together
    than the condition has left for the call: staff should lower some of them."""
    offered: Counter[int] = Counter()
    conditions: dict[int, CooperationCondition] = {}
    for place in places_of(call):
        offered[place.condition_id] += place.seats
        conditions[place.condition_id] = place.condition
    found = []
    for condition_id, total in offered.items():
        left = seats_left(conditions[condition_id], call)
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
