"""The applications API for staff: the applications to a call, one application with each
choice's eligibility, the committee's score and re-scoring.

Every endpoint acts as the institution named in the path (``core.api_auth.acting_at``) with
``mobility.score_applications``, as the pages do: staff of another institution get 404, other
roles 403. Applications are the home institution's data: only its own are ever found.
"""

# No ``from __future__ import annotations``: ninja's paginator wraps the view and then cannot
# resolve a parameter annotated as a string.
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from intercampus.core.api_auth import AUTH, acting_at
from intercampus.core.api_errors import LimitOffsetPagination
from intercampus.institutions.models import Institution
from intercampus.mobility.models import Application
from intercampus.mobility.schemas import (
    ApplicationDetailOut,
    ApplicationRowOut,
    RescoreOut,
    ScoreIn,
    StateFilter,
    as_float,
    choice_out,
    document_out,
)
from intercampus.mobility.selectors import applications as selectors
from intercampus.mobility.selectors import calls as call_selectors
from intercampus.mobility.services import applications as services

router = Router()

SCORE = "mobility.score_applications"
APPLICATION = "/institutions/{schac}/applications/{application}"
Page = paginate(LimitOffsetPagination, max_limit=100)


def _detail(institution: Institution, application_uuid: uuid.UUID) -> dict[str, Any]:
    found: Application = selectors.get_application(institution, application_uuid)
    student = found.student
    return {
        "id": found.uuid,
        "call": {"id": found.call.uuid, "title": found.call.title},
        "student": {"email": student.email, "name": student.get_full_name()},
        "state": found.state,
        "submitted_at": found.submitted_at,
        "saved_at": found.saved_at,
        "grade_average": as_float(found.grade_average),
        "cycle": found.cycle,
        "languages": found.languages or {},
        "motivation": found.motivation,
        "committee_score": as_float(found.committee_score),
        "score": as_float(found.score),
        "tiebreak": found.tiebreak,
        "scorable": found.submitted_at is not None
        and found.call.status not in services.FROZEN_STATUSES,
        "choices": [choice_out(c) for c in found.choices.all()],
        "documents": [document_out(d) for d in found.documents.all()],
    }


@router.get(
    "/institutions/{schac}/calls/{call}/applications",
    response=list[ApplicationRowOut],
    auth=AUTH,
    summary="The applications to one of our calls",
)
@Page
def application_list(
    request: HttpRequest, schac: str, call: uuid.UUID, filters: Query[StateFilter]
) -> Any:
    """Best score first. Drafts are the students' work in progress: listed only when
    ``state=draft`` is asked for."""
    with acting_at(request, schac, SCORE) as acting:
        found = call_selectors.get_call(acting.institution, call)
        return selectors.applications_of_call(found, state=filters.state or "")


@router.post(
    "/institutions/{schac}/calls/{call}/applications/rescore",
    response=RescoreOut,
    auth=AUTH,
    summary="Re-compute the score of every submitted application",
)
def applications_rescore(request: HttpRequest, schac: str, call: uuid.UUID) -> dict[str, int]:
    with acting_at(request, schac, SCORE) as acting:
        found = call_selectors.get_call(acting.institution, call)
        result = services.applications_rescore(actor=acting.user, call=found)
    return {"changed": result.changed, "total": result.total}


@router.get(APPLICATION, response=ApplicationDetailOut, auth=AUTH, summary="One application")
def application_detail(request: HttpRequest, schac: str, application: uuid.UUID) -> dict[str, Any]:
    """The application with each ranked choice, whether it is eligible and why not, and the
    documents uploaded."""
    with acting_at(request, schac, SCORE) as acting:
        return _detail(acting.institution, application)


@router.put(
    APPLICATION + "/committee-score",
    response=ApplicationDetailOut,
    auth=AUTH,
    summary="Enter (or clear) the committee's score",
)
def application_score(
    request: HttpRequest, schac: str, application: uuid.UUID, payload: ScoreIn
) -> dict[str, Any]:
    """0 to 100; the application's score is re-computed. Only submitted applications are
    scored, and only until the allocation has run (409 otherwise)."""
    with acting_at(request, schac, SCORE) as acting:
        found = selectors.get_application(acting.institution, application)
        services.application_score(
            actor=acting.user, application=found, committee_score=payload.committee_score
        )
        return _detail(acting.institution, application)
