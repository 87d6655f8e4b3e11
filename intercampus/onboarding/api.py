"""The journeys API (mounted at ``/api/v1/onboarding``); the buddy programme's endpoints are a
sub-router from ``api_buddies``.

A newcomer reads their own journeys under ``/me/journeys`` and marks their steps. The host's
staff (``onboarding.manage_journeys``) work under ``/institutions/<schac>/...``, acting as that
institution inside its scope (``core.api_auth.acting_at``): staff of another institution get
404, staff without the permission 403. Every write goes through onboarding.services; every
error is 4xx JSON ``{"detail": ...}``.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_countries import countries
from ninja import Field, Query, Router, Schema, Status

from intercampus.core.api_auth import AUTH, acting_at
from intercampus.core.api_errors import MAX_OFFSET, InputSchema, IsoDate
from intercampus.onboarding import clock
from intercampus.onboarding.api_buddies import router as buddies_router
from intercampus.onboarding.choices import (
    JourneySource,
    OffsetKind,
    Phase,
    StepCategory,
    StepOwner,
    StepStatus,
    TargetGroup,
)
from intercampus.onboarding.models import Journey, JourneyStep, JourneyStepState
from intercampus.onboarding.selectors import journeys as selectors
from intercampus.onboarding.services import journeys as services
from intercampus.onboarding.services import newcomers as newcomer_services
from intercampus.onboarding.services import templates as template_services

router = Router(tags=["journeys"])
# The buddy programme's endpoints (api_buddies.py), under the same /api/v1/onboarding prefix.
router.add_router("/", buddies_router)

MANAGE = "onboarding.manage_journeys"
MAX_LIMIT = 100


# --- Schemas --------------------------------------------------------------------------------


class LinkSchema(Schema):
    title: str = Field(min_length=1, max_length=200)
    url: str = Field(max_length=500)


class StepOut(Schema):
    uuid: uuid.UUID
    phase: Phase
    title: str
    description: str
    owner_role: StepOwner
    offset_days: int
    offset_kind: OffsetKind
    category: StepCategory
    required: bool
    links: list[LinkSchema]
    country: str = Field(description="ISO 3166-1 alpha-2; empty when the step applies anywhere")
    position: int
    has_document: bool

    @staticmethod
    def resolve_country(obj: JourneyStep) -> str:
        return str(obj.country or "")

    @staticmethod
    def resolve_has_document(obj: JourneyStep) -> bool:
        return bool(obj.document)


class TemplateOut(Schema):
    uuid: uuid.UUID
    name: str
    description: str
    target_group: TargetGroup
    active: bool


class TemplateDetailOut(TemplateOut):
    steps: list[StepOut]


class TemplateIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    target_group: TargetGroup
    description: str = ""
    active: bool = True


class StepIn(InputSchema):
    phase: Phase
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    owner_role: StepOwner
    offset_days: int = Field(ge=-365, le=365)
    offset_kind: OffsetKind = OffsetKind.CALENDAR
    category: StepCategory
    required: bool = True
    links: list[LinkSchema] = Field(default_factory=list, max_length=10)
    country: str = Field("", description="ISO 3166-1 alpha-2, or empty for every country")
    position: int | None = Field(None, ge=0, le=10_000)


class StepStateOut(Schema):
    step: StepOut
    due_date: datetime.date
    status: StepStatus
    late: bool
    done_at: datetime.datetime | None
    has_evidence: bool


class NewcomerOut(Schema):
    email: str
    name: str


class JourneyOut(Schema):
    uuid: uuid.UUID
    host: str = Field(description="SCHAC code of the host institution")
    host_name: str
    newcomer: NewcomerOut
    target_group: TargetGroup
    anchor_date: datetime.date
    source: JourneySource
    started: datetime.datetime
    steps_total: int
    steps_finished: int
    next_step: uuid.UUID | None = Field(description="The step due next (from today on)")
    steps: list[StepStateOut]


class JourneySummaryOut(Schema):
    uuid: uuid.UUID
    newcomer: NewcomerOut
    target_group: TargetGroup
    anchor_date: datetime.date
    steps_total: int
    steps_finished: int
    steps_late: int
    late_steps: list[uuid.UUID]
    next_due: datetime.date | None


class JourneyPage(Schema):
    items: list[JourneySummaryOut]
    count: int


class NewcomerIn(InputSchema):
    email: str = Field(max_length=254)
    given_name: str = Field(min_length=1, max_length=150)
    family_name: str = Field(min_length=1, max_length=150)
    target_group: TargetGroup
    anchor_date: IsoDate


class JourneyFilters(Schema):
    phase: Phase | None = None
    owner: StepOwner | None = None
    category: StepCategory | None = None
    target_group: TargetGroup | None = None
    progress: Literal["behind", "on_track", "complete"] | None = None
    q: str = ""
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


# --- Output ---------------------------------------------------------------------------------


def _newcomer(user: Any) -> dict[str, str]:
    return {"email": user.email, "name": user.get_full_name()}


def _state_out(state: JourneyStepState, late: bool) -> dict[str, Any]:
    return {
        "step": state.step,
        "due_date": state.due_date,
        "status": state.status,
        "late": late,
        "done_at": state.done_at,
        "has_evidence": bool(state.evidence),
    }


def _journey_out(journey: Journey, states: list[JourneyStepState] | None = None) -> dict:
    line = selectors.timeline(journey, states)
    lines = [ln for phase in line.phases for ln in phase.lines]
    return {
        "uuid": journey.uuid,
        "host": journey.institution.schac,
        "host_name": journey.institution.name,
        "newcomer": _newcomer(journey.newcomer),
        "target_group": journey.target_group,
        "anchor_date": journey.anchor_date,
        "source": journey.source,
        "started": journey.created,
        "steps_total": line.total,
        "steps_finished": line.finished,
        "next_step": line.next.step.uuid if line.next else None,
        "steps": [_state_out(ln.state, ln.late) for ln in lines],
    }


def _step_fields(payload: StepIn) -> dict[str, Any]:
    fields = payload.dict()
    fields["links"] = [dict(link) for link in fields["links"]]
    if fields.get("position") is None:
        fields.pop("position", None)
    country = (fields.get("country") or "").upper()
    if country and country not in dict(countries):
        raise ValidationError({"country": [_("Enter an ISO 3166-1 alpha-2 country code.")]})
    fields["country"] = country
    return fields


# --- The newcomer ---------------------------------------------------------------------------


@router.get("/me/journeys", response=list[JourneyOut], auth=AUTH, summary="My journeys")
def my_journeys(request: HttpRequest) -> list[dict]:
    return [_journey_out(j, j.all_states) for j in selectors.journeys_of(request.auth)]


@router.post(
    "/me/journeys/{journey}/steps/{step}/{action}",
    response=StepStateOut,
    auth=AUTH,
    summary="Mark one of my steps done, skip an optional one, or reopen it",
)
def my_step(
    request: HttpRequest,
    journey: uuid.UUID,
    step: uuid.UUID,
    action: Literal["done", "skip", "reopen"],
) -> dict:
    state = selectors.get_own_state(request.auth, journey, step)
    state = _act(request.auth, state, action)
    return _state_out(state, _late(state))


def _act(actor: Any, state: JourneyStepState, action: str) -> JourneyStepState:
    service = {
        "done": services.step_mark_done,
        "skip": services.step_skip,
        "reopen": services.step_reopen,
    }[action]
    return service(actor=actor, state=state)


def _late(state: JourneyStepState) -> bool:
    today = clock.host_today(state.journey.institution)
    return state.status == StepStatus.TODO and state.due_date < today


# --- Staff: templates -----------------------------------------------------------------------


@router.get("/institutions/{schac}/journey-templates", response=list[TemplateOut], auth=AUTH)
def template_list(request: HttpRequest, schac: str) -> list:
    with acting_at(request, schac, MANAGE) as acting:
        return list(selectors.templates_of(acting.institution))


@router.post(
    "/institutions/{schac}/journey-templates", response={201: TemplateDetailOut}, auth=AUTH
)
def template_create(request: HttpRequest, schac: str, payload: TemplateIn) -> Status:
    with acting_at(request, schac, MANAGE) as acting:
        template = template_services.template_create(
            actor=acting.user, institution=acting.institution, **payload.dict()
        )
        return Status(201, {**TemplateOut.from_orm(template).dict(), "steps": []})


@router.get(
    "/institutions/{schac}/journey-templates/{template}", response=TemplateDetailOut, auth=AUTH
)
def template_detail(request: HttpRequest, schac: str, template: uuid.UUID) -> dict:
    with acting_at(request, schac, MANAGE) as acting:
        found = selectors.get_template(acting.institution, template)
        return {**TemplateOut.from_orm(found).dict(), "steps": selectors.steps_of(found)}


@router.post(
    "/institutions/{schac}/journey-templates/{template}/steps",
    response={201: StepOut},
    auth=AUTH,
)
def step_create(request: HttpRequest, schac: str, template: uuid.UUID, payload: StepIn) -> Status:
    """Add a step; journeys already started from the template get it too."""
    with acting_at(request, schac, MANAGE) as acting:
        found = selectors.get_template(acting.institution, template)
        step = template_services.step_create(
            actor=acting.user, template=found, **_step_fields(payload)
        )
        return Status(201, step)


# --- Staff: journeys ------------------------------------------------------------------------


@router.get("/institutions/{schac}/journeys", response=JourneyPage, auth=AUTH)
def journey_list(request: HttpRequest, schac: str, filters: Query[JourneyFilters]) -> dict:
    """The cohort, the ones behind first; filters as on the dashboard."""
    with acting_at(request, schac, MANAGE) as acting:
        chosen = selectors.CohortFilters.from_query(filters.dict())
        journeys = selectors.cohort(acting.institution, chosen)
        count = journeys.count()
        page = journeys[filters.offset : filters.offset + filters.limit]
        items = [
            {
                "uuid": j.uuid,
                "newcomer": _newcomer(j.newcomer),
                "target_group": j.target_group,
                "anchor_date": j.anchor_date,
                "steps_total": j.n_steps,
                "steps_finished": j.n_finished,
                "steps_late": j.n_late,
                "late_steps": [s.step.uuid for s in j.late_states],
                "next_due": j.next_due,
            }
            for j in page
        ]
        return {"items": items, "count": count}


@router.post(
    "/institutions/{schac}/journeys", response={201: JourneyOut, 200: JourneyOut}, auth=AUTH
)
def newcomer_add(request: HttpRequest, schac: str, payload: NewcomerIn) -> Status:
    """Add a degree newcomer (invited by e-mail when new) and start their journey.
    201 when the journey started now, 200 when the newcomer already had one."""
    with acting_at(request, schac, MANAGE) as acting:
        added = newcomer_services.newcomer_add(
            actor=acting.user,
            host=acting.institution,
            source=JourneySource.API,
            **payload.dict(),
        )
        body = _journey_out(selectors.get_journey(acting.institution, added.journey.uuid))
        return Status(201 if added.journey_created else 200, body)


@router.get("/institutions/{schac}/journeys/{journey}", response=JourneyOut, auth=AUTH)
def journey_detail(request: HttpRequest, schac: str, journey: uuid.UUID) -> dict:
    with acting_at(request, schac, MANAGE) as acting:
        return _journey_out(selectors.get_journey(acting.institution, journey))


@router.post(
    "/institutions/{schac}/journeys/{journey}/steps/{step}/{action}",
    response=StepStateOut,
    auth=AUTH,
    summary="Mark a newcomer's step done, skipped, or to do again",
)
def journey_step(
    request: HttpRequest,
    schac: str,
    journey: uuid.UUID,
    step: uuid.UUID,
    action: Literal["done", "skip", "reopen"],
) -> dict:
    with acting_at(request, schac, MANAGE) as acting:
        found = selectors.get_journey(acting.institution, journey)
        state = _act(acting.user, selectors.get_state(found, step), action)
        return _state_out(state, _late(state))
