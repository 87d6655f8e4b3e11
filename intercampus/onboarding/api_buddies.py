"""The buddy programme API, a sub-router of the onboarding API (``/api/v1/onboarding/...``).

Students: the programmes they may join, sign-ups as buddy or newcomer, their own matches
with why they were matched, accepting and declining, and check-ins (the buddy logs them).
Staff of the host (``onboarding.manage_buddies``) under ``/institutions/<schac>/...``: the
programmes, matching runs and the list of matches, acting as that institution
(``core.api_auth.acting_at``: another institution's staff get 404, a role without the
permission 403). Every write goes through ``services.buddies``; errors are 4xx JSON.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from intercampus.core.api_auth import AUTH, acting_at
from intercampus.core.api_errors import MAX_OFFSET, InputSchema, IsoDate
from intercampus.institutions.models import OrganisationalUnit
from intercampus.onboarding.models import BuddyMatch, BuddyProfile, BuddyProgramme, NewcomerProfile
from intercampus.onboarding.models.buddies import (
    MAX_CAPACITY,
    MAX_WEIGHT,
    MIN_CAPACITY,
    CefrLevel,
    CheckInKind,
    MatchStatus,
)
from intercampus.onboarding.selectors import buddies as selectors
from intercampus.onboarding.selectors.journeys import get_own_journey
from intercampus.onboarding.services import buddies as services

router = Router(tags=["buddies"])

MANAGE = "onboarding.manage_buddies"
MAX_LIMIT = 100


# --- Schemas --------------------------------------------------------------------------------


class WeightsSchema(Schema):
    two_languages: int = Field(40, ge=0, le=MAX_WEIGHT)
    one_language: int = Field(35, ge=0, le=MAX_WEIGHT)
    faculty: int = Field(20, ge=0, le=MAX_WEIGHT)
    interests: int = Field(25, ge=0, le=MAX_WEIGHT)
    availability: int = Field(15, ge=0, le=MAX_WEIGHT)


class ProgrammeOut(Schema):
    uuid: uuid.UUID
    host: str = Field(description="SCHAC code of the host institution")
    host_name: str
    name: str
    campus: str
    description: str
    interest_choices: list[str] = Field(description="Empty: interests are free tags")
    weights: WeightsSchema
    active: bool


class OpenProgrammeOut(ProgrammeOut):
    join_as: list[Literal["buddy", "newcomer"]] = Field(
        description="How the caller may sign up for it"
    )


class ProgrammeIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    campus: str = Field("", max_length=200)
    description: str = ""
    interest_choices: list[str] = Field(default_factory=list, max_length=100)
    weights: WeightsSchema = Field(default_factory=WeightsSchema)
    active: bool = True


# Described inline: the mobility app's CefrLevel has the same name, and the OpenAPI document
# has one component per name.
BuddyLevel = Annotated[
    CefrLevel, WithJsonSchema({"type": "string", "enum": list(CefrLevel.values)})
]


class ParticipantIn(InputSchema):
    languages: dict[str, BuddyLevel] = Field(
        description='Language code to CEFR level, e.g. {"sv": "NS", "en": "C1", "de": "B1"} '
        "(NS: native speaker, the best level); only B1 and up count for matching",
        max_length=10,
    )
    faculty: uuid.UUID | None = Field(None, description="One of the host's units (UUID)")
    faculty_label: str = Field("", max_length=200, description="A faculty not listed")
    interests: list[str] = Field(default_factory=list, max_length=20)


class BuddySignupIn(ParticipantIn):
    available_from: IsoDate
    available_to: IsoDate
    capacity: int = Field(ge=MIN_CAPACITY, le=MAX_CAPACITY)
    active: bool = True


class NewcomerSignupIn(ParticipantIn):
    arrival_date: IsoDate | None = Field(None, description="Defaults to the journey's anchor")
    journey: uuid.UUID | None = Field(None, description="One of the caller's journeys there")


class ProfileOut(Schema):
    uuid: uuid.UUID
    programme: uuid.UUID
    programme_name: str
    host: str
    languages: dict[str, str]
    faculty: str
    interests: list[str]


class BuddyProfileOut(ProfileOut):
    available_from: datetime.date
    available_to: datetime.date
    capacity: int
    active: bool


class NewcomerProfileOut(ProfileOut):
    arrival_date: datetime.date
    journey: uuid.UUID | None
    unmatched_reason: str = Field(
        "", description="Why the newcomer has no buddy yet (in my sign-ups); empty with one"
    )
    matching_queued: bool = Field(False, description="A matching run of the programme is queued")


class MyProfilesOut(Schema):
    buddy: list[BuddyProfileOut]
    newcomer: list[NewcomerProfileOut]


class BuddyPersonOut(Schema):
    name: str
    email: str


class ScoreOut(Schema):
    languages: int
    faculty: int
    interests: int
    availability: int
    total: int


class ReasonOut(Schema):
    part: Literal["languages", "faculty", "interests", "availability"]
    points: int
    text: str = Field(description="In plain words, in the caller's language")


class MatchOut(Schema):
    uuid: uuid.UUID
    programme: uuid.UUID
    status: MatchStatus
    buddy: BuddyPersonOut
    newcomer: BuddyPersonOut
    arrival_date: datetime.date
    score: ScoreOut
    shared_languages: list[str]
    shared_interests: list[str]
    reasons: list[ReasonOut]
    matched_at: datetime.datetime
    buddy_accepted: bool
    newcomer_accepted: bool
    declined_reason: str


class MyMatchOut(MatchOut):
    side: Literal["buddy", "newcomer"] = Field(description="The caller's side of the match")


class MatchPage(Schema):
    items: list[MatchOut]
    count: int


class DeclineIn(InputSchema):
    reason: str = Field("", max_length=1000)


class CheckInIn(InputSchema):
    date: IsoDate
    kind: CheckInKind
    minutes: int = Field(0, ge=0, le=24 * 60)
    note: str = Field("", max_length=2000)


class CheckInOut(Schema):
    uuid: uuid.UUID
    date: datetime.date
    kind: CheckInKind
    minutes: int
    note: str


class MatchingRunQueuedOut(Schema):
    queued: bool = Field(description="A matching run is queued for the task worker")
    detail: str


class MatchFilters(Schema):
    status: MatchStatus | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


# --- Output ---------------------------------------------------------------------------------


def _programme_out(programme: BuddyProgramme) -> dict[str, Any]:
    w = programme.weights
    return {
        "uuid": programme.uuid,
        "host": programme.institution.schac,
        "host_name": programme.institution.name,
        "name": programme.name,
        "campus": programme.campus,
        "description": programme.description,
        "interest_choices": programme.interest_choices,
        "weights": {
            "two_languages": w.two_languages,
            "one_language": w.one_language,
            "faculty": w.faculty,
            "interests": w.interests,
            "availability": w.availability,
        },
        "active": programme.active,
    }


def _profile_out(profile: BuddyProfile | NewcomerProfile) -> dict[str, Any]:
    data = {
        "uuid": profile.uuid,
        "programme": profile.programme.uuid,
        "programme_name": profile.programme.name,
        "host": profile.programme.institution.schac,
        "languages": profile.languages,
        "faculty": profile.faculty_name,
        "interests": profile.interests,
    }
    if isinstance(profile, BuddyProfile):
        data.update(
            available_from=profile.available_from,
            available_to=profile.available_to,
            capacity=profile.capacity,
            active=profile.active,
        )
    else:
        data.update(
            arrival_date=profile.arrival_date,
            journey=profile.journey.uuid if profile.journey_id else None,
            unmatched_reason=getattr(profile, "unmatched_reason", ""),
            matching_queued=profile.programme.matching_queued_at is not None,
        )
    return data


def _person(user: Any) -> dict[str, str]:
    return {"name": user.get_full_name(), "email": user.email}


def _match_out(match: BuddyMatch, side: str | None = None) -> dict[str, Any]:
    score = {k: int((match.score or {}).get(k, 0)) for k in ScoreOut.model_fields}
    data = {
        "uuid": match.uuid,
        "programme": match.programme.uuid,
        "status": match.status,
        "buddy": _person(match.buddy.user),
        "newcomer": _person(match.newcomer.user),
        "arrival_date": match.newcomer.arrival_date,
        "score": score,
        "shared_languages": match.shared_languages,
        "shared_interests": match.shared_interests,
        "reasons": [
            {"part": r.part, "points": r.points, "text": r.text}
            for r in selectors.explain(match, to_staff=side is None)
        ],
        "matched_at": match.matched_at,
        "buddy_accepted": match.buddy_accepted_at is not None,
        "newcomer_accepted": match.newcomer_accepted_at is not None,
        "declined_reason": match.declined_reason,
    }
    if side is not None:
        data["side"] = side
    return data


def _faculty(programme: BuddyProgramme, value: uuid.UUID | None) -> OrganisationalUnit | None:
    if value is None:
        return None
    unit = OrganisationalUnit.objects.filter(institution=programme.institution, uuid=value).first()
    if unit is None:
        raise ValidationError({"faculty": [_("Choose one of the host's units.")]})
    return unit


def _participant(programme: BuddyProgramme, payload: ParticipantIn) -> dict[str, Any]:
    return {
        "languages": {tag: str(level) for tag, level in payload.languages.items()},
        "faculty": _faculty(programme, payload.faculty),
        "faculty_label": payload.faculty_label,
        "interests": payload.interests,
    }


# --- Students -------------------------------------------------------------------------------


@router.get(
    "/buddy-programmes",
    response=list[OpenProgrammeOut],
    auth=AUTH,
    summary="Buddy programmes I may sign up for",
)
def open_programmes(request: HttpRequest) -> list[dict]:
    found = selectors.programmes_open_to(request.auth)
    roles: dict[int, list[str]] = {}
    programmes: dict[int, BuddyProgramme] = {}
    for role, items in (("newcomer", found.as_newcomer), ("buddy", found.as_buddy)):
        for p in items:
            programmes[p.pk] = p
            roles.setdefault(p.pk, []).append(role)
    return [{**_programme_out(p), "join_as": roles[pk]} for pk, p in programmes.items()]


@router.get("/me/buddy-profiles", response=MyProfilesOut, auth=AUTH, summary="My sign-ups")
def my_profiles(request: HttpRequest) -> dict:
    mine = selectors.profiles_of(request.auth)
    selectors.explain_my_waiting(mine)
    return {
        "buddy": [_profile_out(p) for p in mine.buddy],
        "newcomer": [_profile_out(p) for p in mine.newcomer],
    }


@router.post(
    "/buddy-programmes/{programme}/buddies",
    response={201: BuddyProfileOut, 200: BuddyProfileOut},
    auth=AUTH,
    summary="Sign up as a buddy (or change my details): 201 when new",
)
def buddy_signup(request: HttpRequest, programme: uuid.UUID, payload: BuddySignupIn) -> Status:
    found = selectors.get_open_programme(request.auth, programme, "buddy")
    profile, created = services.buddy_signup(
        actor=request.auth,
        programme=found,
        available_from=payload.available_from,
        available_to=payload.available_to,
        capacity=payload.capacity,
        active=payload.active,
        **_participant(found, payload),
    )
    return Status(201 if created else 200, _profile_out(profile))


@router.post(
    "/buddy-programmes/{programme}/newcomers",
    response={201: NewcomerProfileOut, 200: NewcomerProfileOut},
    auth=AUTH,
    summary="Sign up as a newcomer for a buddy (or change my details): 201 when new",
)
def newcomer_signup(
    request: HttpRequest, programme: uuid.UUID, payload: NewcomerSignupIn
) -> Status:
    found = selectors.get_open_programme(request.auth, programme, "newcomer")
    journey = get_own_journey(request.auth, payload.journey) if payload.journey else None
    profile, created = services.newcomer_signup(
        actor=request.auth,
        programme=found,
        arrival_date=payload.arrival_date,
        journey=journey,
        **_participant(found, payload),
    )
    return Status(201 if created else 200, _profile_out(profile))


@router.get("/me/buddy-matches", response=list[MyMatchOut], auth=AUTH, summary="My matches")
def my_matches(request: HttpRequest) -> list[dict]:
    return [_match_out(m, m.side) for m in selectors.matches_for(request.auth)]


@router.get("/me/buddy-matches/{match}", response=MyMatchOut, auth=AUTH)
def my_match(request: HttpRequest, match: uuid.UUID) -> dict:
    found = selectors.get_own_match(request.auth, match)
    return _match_out(found, found.side)


@router.post(
    "/me/buddy-matches/{match}/accept",
    response=MyMatchOut,
    auth=AUTH,
    summary="Accept a match; it is accepted once both sides have",
)
def match_accept(request: HttpRequest, match: uuid.UUID) -> dict:
    found = selectors.get_own_match(request.auth, match)
    services.match_accept(actor=request.auth, match=found)
    found = selectors.get_own_match(request.auth, match)
    return _match_out(found, found.side)


@router.post(
    "/me/buddy-matches/{match}/decline",
    response=MyMatchOut,
    auth=AUTH,
    summary="Decline a match: the slot is freed and the newcomer matched anew",
)
def match_decline(request: HttpRequest, match: uuid.UUID, payload: DeclineIn) -> dict:
    found = selectors.get_own_match(request.auth, match)
    services.match_decline(actor=request.auth, match=found, reason=payload.reason)
    found = selectors.get_own_match(request.auth, match)
    return _match_out(found, found.side)


@router.get("/me/buddy-matches/{match}/check-ins", response=list[CheckInOut], auth=AUTH)
def checkin_list(request: HttpRequest, match: uuid.UUID) -> list:
    return selectors.get_own_match(request.auth, match).all_checkins


@router.post(
    "/me/buddy-matches/{match}/check-ins",
    response={201: CheckInOut},
    auth=AUTH,
    summary="Log a check-in (the buddy of an accepted match)",
)
def checkin_add(request: HttpRequest, match: uuid.UUID, payload: CheckInIn) -> Status:
    found = selectors.get_own_match(request.auth, match)
    checkin = services.checkin_add(actor=request.auth, match=found, **payload.dict())
    return Status(201, checkin)


# --- Staff ----------------------------------------------------------------------------------


@router.get("/institutions/{schac}/buddy-programmes", response=list[ProgrammeOut], auth=AUTH)
def programme_list(request: HttpRequest, schac: str) -> list[dict]:
    with acting_at(request, schac, MANAGE) as acting:
        return [_programme_out(p) for p in selectors.programmes_of(acting.institution)]


@router.post("/institutions/{schac}/buddy-programmes", response={201: ProgrammeOut}, auth=AUTH)
def programme_create(request: HttpRequest, schac: str, payload: ProgrammeIn) -> Status:
    with acting_at(request, schac, MANAGE) as acting:
        data = payload.dict()
        weights = data.pop("weights")
        programme = services.programme_create(
            actor=acting.user,
            institution=acting.institution,
            **data,
            **{f"weight_{k}": v for k, v in weights.items()},
        )
        return Status(201, _programme_out(programme))


@router.post(
    "/institutions/{schac}/buddy-programmes/{programme}/matching-runs",
    response={202: MatchingRunQueuedOut},
    auth=AUTH,
    summary="Queue a matching run: newcomers without a buddy into the places left; no pair moves",
)
def matching_run(request: HttpRequest, schac: str, programme: uuid.UUID) -> Status:
    with acting_at(request, schac, MANAGE) as acting:
        found = selectors.get_programme(acting.institution, programme)
        services.matching_request(actor=acting.user, programme=found)
        return Status(
            202,
            {
                "queued": True,
                "detail": _("Matching is queued; list the matches once it has run."),
            },
        )


@router.get(
    "/institutions/{schac}/buddy-programmes/{programme}/matches",
    response=MatchPage,
    auth=AUTH,
)
def match_list(
    request: HttpRequest, schac: str, programme: uuid.UUID, filters: Query[MatchFilters]
) -> dict:
    with acting_at(request, schac, MANAGE) as acting:
        found = selectors.get_programme(acting.institution, programme)
        matches = selectors.matches_of(found, filters.status or "")
        count = matches.count()
        page = matches[filters.offset : filters.offset + filters.limit]
        return {"items": [_match_out(m) for m in page], "count": count}
