"""The allocation API: a call's runs for the international office, and the student's own
result with the cut-offs that explain it.

Staff endpoints, under ``/institutions/{schac}/calls/{call}/runs``, act as the institution named
in the path (``core.api_auth.acting_at``) with ``mobility.run_allocation``, as the pages do:
staff of another institution get 404, other roles 403. A call with more eligible applications
than ``services.allocation.INLINE_LIMIT`` is queued for the task worker (202, the run in phase
"queued": poll it); a smaller one is allocated at once (201). Writes go through
``services.allocation``, which audits.

Student endpoints, under ``/me/mobility/applications/{application}``, read the caller's own
application only (``student=user``): another student's is 404. The result is the one the
application page shows (``selectors.allocation.student_result``), with the same sentences.
"""

# No ``from __future__ import annotations``: ninja's paginator wraps the view and then cannot
# resolve a parameter annotated as a string.
import datetime
import json
import uuid
from collections.abc import Sequence
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_scopes import scope
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StrictBool

from intercampus.accounts.models import User
from intercampus.core.api_auth import AUTH, acting_at
from intercampus.core.api_errors import InputSchema, LimitOffsetPagination
from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution
from intercampus.mobility.choices import ApplicationState, RunStatus
from intercampus.mobility.models import AllocationRun, Application, Call
from intercampus.mobility.schemas import (
    CallRefOut,
    PlaceBriefOut,
    StudentRefOut,
    as_float,
    place_brief,
)
from intercampus.mobility.selectors import allocation as selectors
from intercampus.mobility.selectors import applications as app_selectors
from intercampus.mobility.selectors import calls as call_selectors
from intercampus.mobility.services import allocation as services

router = Router()

RUN_ALLOCATION = "mobility.run_allocation"
RUNS = "/institutions/{schac}/calls/{call}/runs"
RUN = RUNS + "/{run}"
MY_APPLICATION = "/me/mobility/applications/{application}"
Page = paginate(LimitOffsetPagination, max_limit=100)

Phase = Literal["queued", "running", "done", "failed"]
Why = Literal["below_cutoff", "lost_tiebreak", "no_seats", "seats_left"]


# --- Schemas --------------------------------------------------------------------------------


class RunIn(InputSchema):
    early: StrictBool = Field(
        False,
        description="The call is still open: allocate now anyway. The run closes the call "
        "at once (its closes_at becomes the moment of the run): students can no longer apply "
        "or submit",
    )


class RunFields(Schema):
    id: uuid.UUID
    status: RunStatus = Field(description="draft (for review), published or superseded")
    phase: Phase = Field(description="queued and running: the worker has not finished yet")
    error: str = Field(description="Why a failed run failed")
    algorithm_version: str
    placed: int
    unplaced: int
    base_run: uuid.UUID | None = Field(description="The run a re-allocation continues")
    created: datetime.datetime
    created_by: str | None = Field(description="E-mail of who started it")
    published_at: datetime.datetime | None


class AllocationRunOut(RunFields):
    """A run of ``selectors.allocation.runs_of_call`` (without its inputs and results)."""

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.uuid

    @staticmethod
    def resolve_placed(obj: Any) -> int:
        return obj.placed_count

    @staticmethod
    def resolve_unplaced(obj: Any) -> int:
        return obj.unplaced_count

    @staticmethod
    def resolve_base_run(obj: Any) -> uuid.UUID | None:
        return obj.base_run.uuid if obj.base_run_id else None

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.email if obj.created_by_id else None


class PlaceResultOut(Schema):
    place: PlaceBriefOut
    label: str
    seats: int = Field(description="Seats the run had to give")
    placed: int
    left: int
    cutoff: float | None = Field(
        description="Score of the last student admitted; null when seats were left"
    )


class ApplicationResultOut(Schema):
    id: uuid.UUID = Field(description="The application")
    score: float
    tiebreak: int = Field(description="Lottery number: the lower wins a tie")
    place: uuid.UUID | None = Field(description="The place obtained; null: none")


class RunDetailOut(RunFields):
    parameters: dict[str, Any]
    publishable: bool = Field(description="A finished run under review")
    freed_seats: int = Field(
        description="For the published run: seats of students who declined or withdrew since"
    )
    places: list[PlaceResultOut]
    applications: list[ApplicationResultOut] = Field(
        description="Every applicant of the run, best score first (the lottery breaks ties)"
    )


class RunChoiceOut(Schema):
    rank: int
    place: uuid.UUID
    label: str
    eligible: bool
    obtained: bool


class RunApplicationOut(Schema):
    id: uuid.UUID
    student: StudentRefOut | None
    state: ApplicationState | None = Field(description="The application's state now")
    score: float
    tiebreak: int
    place: PlaceBriefOut | None = Field(description="The place obtained in this run")
    rank: int | None = Field(description="Rank of that place among the student's choices")
    choices: list[RunChoiceOut]


class RunApplicationFilters(Schema):
    result: Literal["placed", "unplaced", "first"] | None = Field(
        None, description="placed, unplaced, or placed at their first choice"
    )
    place: uuid.UUID | None = Field(None, description="Only those who obtained this place")
    q: str = Field("", max_length=100, description="Part of the student's e-mail")


class ExplanationOut(Schema):
    rank: int = Field(description="The rank the student gave this place")
    place: PlaceBriefOut
    label: str
    own_score: float | None
    cutoff: float | None = Field(description="Score of the last student admitted there")
    why: Why = Field(
        description="below_cutoff; lost_tiebreak (same score, the lottery decided); "
        "no_seats (the place offered none); seats_left (not every seat was taken)"
    )
    text: str = Field(description="The explanation as the application page words it")


class IneligibleOut(Schema):
    rank: int
    place: PlaceBriefOut
    reasons: list[str]


class StudentResultOut(Schema):
    application: uuid.UUID
    call: CallRefOut
    state: ApplicationState
    place: PlaceBriefOut | None = Field(description="The place obtained (or declined)")
    rank: int | None = Field(description="Its rank among the student's choices")
    declined: bool
    can_decline: bool
    score: float | None
    summary: str = Field(description="The result in one sentence, as the page says it")
    explanations: list[ExplanationOut] = Field(
        description="Every eligible place ranked above the one obtained (all when unplaced)"
    )
    ineligible: list[IneligibleOut] = Field(description="Choices the student was not eligible for")


# --- Staff: shaping -------------------------------------------------------------------------


def _run_row(run: AllocationRun) -> dict[str, Any]:
    return AllocationRunOut.model_validate(run).model_dump()


def _run_detail(call: Call, run: AllocationRun) -> dict[str, Any]:
    """The run with, once it is done, each place's seats, placed and cut-off, and each
    applicant's result (as the review page shows them)."""
    done = run.phase == AllocationRun.Phase.DONE
    published = selectors.published_run(call) if done else None
    freed = 0
    if published is not None and published.pk == run.pk:
        freed = selectors.freed_seats(run, selectors.left_uuids(call))
    places = selectors.place_rows(run) if done else []
    return {
        **_run_row(run),
        "parameters": run.parameters or {},
        "publishable": done and run.status == RunStatus.DRAFT,
        "freed_seats": freed,
        "places": [
            {
                "place": place_brief(row.place),
                "label": row.label,
                "seats": row.seats,
                "placed": row.placed,
                "left": row.left,
                "cutoff": as_float(row.cutoff),
            }
            for row in places
        ],
        "applications": [
            {"id": e.uuid, "score": float(e.score), "tiebreak": e.tiebreak, "place": e.result}
            for e in (selectors.entries(run) if done else [])
        ],
    }


class _Applicants(Sequence):
    """A run's entries, each page turned into applicant rows when the paginator slices it
    (two queries a page, never one per student).

    The paginator slices after the endpoint has returned, outside ``acting_at``: the page is
    read back inside the scope of the institution the caller acted as, which owns the run.
    """

    def __init__(
        self, institution: Institution, run: AllocationRun, found: list[selectors.Entry]
    ) -> None:
        self.institution = institution
        self.run = run
        self.found = found

    def __len__(self) -> int:
        return len(self.found)

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        with scope(institution=self.institution):
            rows = selectors.applicant_rows(self.run, self.found[index])
            return [_applicant_out(r) for r in rows]


def _applicant_out(row: selectors.ApplicantRow) -> dict[str, Any]:
    app = row.application
    return {
        "id": row.entry.uuid,
        "student": (
            {"email": app.student.email, "name": app.student.get_full_name()} if app else None
        ),
        "state": app.state if app else None,
        "score": float(row.entry.score),
        "tiebreak": row.entry.tiebreak,
        "place": place_brief(row.result) if row.result else None,
        "rank": row.result_rank,
        "choices": [
            {
                "rank": c.rank,
                "place": c.place.uuid,
                "label": selectors.place_label(c.place),
                "eligible": bool(c.eligible),
                "obtained": c.rank == row.result_rank,
            }
            for c in row.choices
        ],
    }


def _require_done(run: AllocationRun) -> None:
    if run.phase != AllocationRun.Phase.DONE:
        raise ServiceError(
            _("This run has no results yet ({phase}).").format(phase=run.get_phase_display()),
            status=409,
        )


# --- Staff: endpoints -----------------------------------------------------------------------


@router.get(
    RUNS, response=list[AllocationRunOut], auth=AUTH, summary="The allocation runs of a call"
)
@Page
def run_list(request: HttpRequest, schac: str, call: uuid.UUID) -> Any:
    """Newest first, without their inputs and results."""
    with acting_at(request, schac, RUN_ALLOCATION) as acting:
        found = call_selectors.get_call(acting.institution, call)
        return selectors.runs_of_call(found)


@router.post(
    RUNS,
    response={201: RunDetailOut, 202: RunDetailOut},
    auth=AUTH,
    summary="Run the allocation (large calls are queued)",
)
def run_start(
    request: HttpRequest, schac: str, call: uuid.UUID, payload: RunIn | None = None
) -> Status:
    """Allocate the call's eligible applications into a new run for review (201), or, for a
    call larger than the inline limit, queue it for the worker (202: the run in phase
    "queued"; poll it until it is "done" or "failed"). Needs a published call that has closed
    (or ``early``), and results not published yet (409 otherwise)."""
    early = payload.early if payload is not None else False
    with acting_at(request, schac, RUN_ALLOCATION) as acting:
        found = call_selectors.get_call(acting.institution, call)
        if selectors.eligible_count(found) > services.INLINE_LIMIT:
            queued = services.allocation_enqueue(actor=acting.user, call=found, early=early)
            return Status(202, _run_detail(found, selectors.get_run(found, queued.uuid)))
        done = services.allocation_run(actor=acting.user, call=found, early=early)
        return Status(201, _run_detail(found, selectors.get_run(found, done.uuid)))


# Before RUN: "reallocate" is not a run's id.
@router.post(
    RUNS + "/reallocate",
    response={201: RunDetailOut},
    auth=AUTH,
    summary="Re-allocate the seats freed by declines",
)
def run_reallocate(request: HttpRequest, schac: str, call: uuid.UUID) -> Status:
    """A new run for review that gives the seats of students who declined or withdrew to
    students without a place; nobody else moves. Publish it like any run (409 when no seat
    was freed or the results are not published)."""
    with acting_at(request, schac, RUN_ALLOCATION) as acting:
        found = call_selectors.get_call(acting.institution, call)
        done = services.allocation_reallocate(actor=acting.user, call=found)
        return Status(201, _run_detail(found, selectors.get_run(found, done.uuid)))


@router.get(RUN, response=RunDetailOut, auth=AUTH, summary="One run: cut-offs and results")
def run_detail(request: HttpRequest, schac: str, call: uuid.UUID, run: uuid.UUID) -> Any:
    """Its phase (poll a queued run here) and, once done, each place's seats, students
    placed and cut-off, and each applicant's result."""
    with acting_at(request, schac, RUN_ALLOCATION) as acting:
        found = call_selectors.get_call(acting.institution, call)
        return _run_detail(found, selectors.get_run(found, run))


@router.get(
    RUN + "/applications",
    response=list[RunApplicationOut],
    auth=AUTH,
    summary="A run's applicants with their choices",
)
@Page
def run_applications(
    request: HttpRequest,
    schac: str,
    call: uuid.UUID,
    run: uuid.UUID,
    filters: Query[RunApplicationFilters],
) -> Any:
    """Best score first, each with the student, their ranked choices (eligible or not) and
    the place obtained, as the review page lists them."""
    with acting_at(request, schac, RUN_ALLOCATION) as acting:
        found = call_selectors.get_call(acting.institution, call)
        item = selectors.get_run(found, run)
        _require_done(item)
        matching = selectors.filter_entries(
            item,
            selectors.entries(item),
            result=filters.result or "",
            place=str(filters.place) if filters.place else "",
            q=filters.q,
        )
        return _Applicants(acting.institution, item, matching)


@router.post(RUN + "/publish", response=RunDetailOut, auth=AUTH, summary="Publish a run")
def run_publish(request: HttpRequest, schac: str, call: uuid.UUID, run: uuid.UUID) -> Any:
    """The students get their result (on their page and by e-mail); the previous published
    run is superseded. Only a finished run under review (409 otherwise)."""
    with acting_at(request, schac, RUN_ALLOCATION) as acting:
        found = call_selectors.get_call(acting.institution, call)
        services.allocation_publish(actor=acting.user, run=selectors.get_run_light(found, run))
        return _run_detail(found, selectors.get_run(found, run))


@router.get(
    RUN + "/instance",
    response={200: dict[str, Any]},
    auth=AUTH,
    summary="The run's alloc-instance/1 document",
)
def run_instance(request: HttpRequest, schac: str, call: uuid.UUID, run: uuid.UUID) -> Any:
    """What the algorithm was given, to replay with ``intercampus allocate --instance``
    (ids are application and place UUIDs; a re-allocation's students who kept their place
    are in ``fixed``)."""
    with acting_at(request, schac, RUN_ALLOCATION) as acting:
        found = call_selectors.get_call(acting.institution, call)
        item = selectors.get_run(found, run)
        _require_done(item)
    document = dict(item.instance)
    if item.parameters.get("fixed"):
        document["fixed"] = item.parameters["fixed"]
    response = HttpResponse(json.dumps(document), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="allocation-{item.uuid}.json"'
    return response


# --- The student's own result ---------------------------------------------------------------


def _caller(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _explanation_text(item: selectors.Explanation) -> str:
    """The sentence of ``allocation/_student_result.html`` for one explanation."""
    names = {"place": item.label, "ordinal": item.ordinal, "cutoff": item.cutoff, "own": item.own}
    if item.why == "below_cutoff":
        text = _(
            "At {place} (your {ordinal} choice) the last student admitted had {cutoff}; your "
            "score is {own}."
        )
    elif item.why == "lost_tiebreak":
        text = _(
            "At {place} (your {ordinal} choice) the last student admitted had {cutoff}, the "
            "same score as yours; the call's lottery ranked them first."
        )
    elif item.why == "no_seats":
        text = _("{place} (your {ordinal} choice) offered no seats in this call.")
    else:
        text = _(
            "At {place} (your {ordinal} choice) not every seat was taken in the run that "
            "decided your result."
        )
    return text.format(**names)


def _summary(result: selectors.StudentResult) -> str:
    if result.declined:
        return _("You declined your place at {place}.").format(place=result.place_label)
    if result.place is not None:
        return _("You have a place at {place} (your {ordinal} choice).").format(
            place=result.place_label, ordinal=result.ordinal
        )
    return _("You have no place this time.")


def _result(application: Application) -> dict[str, Any]:
    """The published result of the caller's own application, or 404 before it is out."""
    choices = app_selectors.choices_of(application)
    result = selectors.student_result(application, choices)
    if result is None:
        raise ServiceError(_("The results of this call are not published yet."), status=404)
    return {
        "application": application.uuid,
        "call": {"id": application.call.uuid, "title": application.call.title},
        "state": result.state,
        "place": place_brief(result.place) if result.place else None,
        "rank": result.rank,
        "declined": result.declined,
        "can_decline": result.can_decline,
        "score": as_float(result.score),
        "summary": _summary(result),
        "explanations": [
            {
                "rank": e.choice.rank,
                "place": place_brief(e.choice.place),
                "label": e.label,
                "own_score": as_float(e.own),
                "cutoff": as_float(e.cutoff),
                "why": e.why,
                "text": _explanation_text(e),
            }
            for e in result.explanations
        ],
        "ineligible": [
            {"rank": c.rank, "place": place_brief(c.place), "reasons": list(c.reasons or [])}
            for c in result.ineligible
        ],
    }


@router.get(
    MY_APPLICATION + "/result",
    response=StudentResultOut,
    auth=AUTH,
    summary="My allocation result, with the cut-offs",
)
def my_result(request: HttpRequest, application: uuid.UUID) -> dict[str, Any]:
    """The place I obtained and, for every place I ranked above it (all of them when I have
    none), the score of the last student admitted there next to mine. 404 until the results
    are published."""
    found = app_selectors.get_own_application(_caller(request), application)
    return _result(found)


@router.post(
    MY_APPLICATION + "/decline",
    response=StudentResultOut,
    auth=AUTH,
    summary="Decline the place I obtained",
)
def my_decline(request: HttpRequest, application: uuid.UUID) -> dict[str, Any]:
    """The seat goes to another student at the next re-allocation; this cannot be undone.
    Only a place the published results gave me (409 otherwise)."""
    user = _caller(request)
    found = app_selectors.get_own_application(user, application)
    services.allocation_decline(actor=user, application=found)
    return _result(app_selectors.get_own_application(user, application))
