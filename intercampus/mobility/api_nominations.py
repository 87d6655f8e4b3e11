"""The nominations API: the home's nominations of its placed students (nominate one, or every
placed student of a call; cancel), the host's incoming nominations (accept, or reject with a
reason), and the home's nominations as an EWP Outgoing Mobilities v3 document.

Every endpoint acts as the institution named in the path (``core.api_auth.acting_at``) with
``mobility.manage_nominations``, as the pages do: staff of another institution get 404, other
roles 403. The home's nominations are found among its own; the host's among those addressed
to it (``selectors.nominations.received_nomination``), and it reads of them only what EWP
Outgoing Mobilities would serve it. Writes go through ``services.nominations``, which audits
and tells the other side and the student.
"""

# No ``from __future__ import annotations``: ninja's paginator wraps the view and then cannot
# resolve a parameter annotated as a string.
import datetime
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import model_validator

from intercampus.core.api_auth import AUTH, acting_at
from intercampus.core.api_errors import InputSchema
from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution
from intercampus.mobility import ewp_omobilities
from intercampus.mobility.choices import NominationStatus
from intercampus.mobility.models import Nomination
from intercampus.mobility.schemas import (
    CallRefOut,
    InstitutionRefOut,
    PlaceBriefOut,
    StudentRefOut,
    institution_ref,
    place_brief,
)
from intercampus.mobility.selectors import calls as call_selectors
from intercampus.mobility.selectors import nominations as selectors
from intercampus.mobility.services import nominations as services

router = Router()

MANAGE = "mobility.manage_nominations"
NOMINATIONS = "/institutions/{schac}/nominations"
INCOMING = NOMINATIONS + "/incoming"
Page = paginate(LimitOffsetPagination, max_limit=100)
MAX_REASON = services.MAX_REASON


# --- Schemas --------------------------------------------------------------------------------


class NominationFilters(Schema):
    call: uuid.UUID | None = Field(None, description="Only this call's (one of ours)")
    status: NominationStatus | None = None


class StatusFilter(Schema):
    status: NominationStatus | None = None


class ExportFilter(Schema):
    call: uuid.UUID | None = Field(None, description="Only this call's; by default all")


class NominationOut(Schema):
    """One of our nominations (we are the home)."""

    id: uuid.UUID
    application: uuid.UUID
    call: CallRefOut
    student: StudentRefOut
    host: InstitutionRefOut
    place: PlaceBriefOut
    status: NominationStatus
    status_label: str
    reason: str = Field(description="The host's reason for a rejection, or ours for a cancel")
    omobility_id: str = Field(description="The EWP omobility-id")
    nominated_at: datetime.datetime
    decided_at: datetime.datetime | None
    missing_for_ewp: list[str] = Field(
        description="What keeps it out of the Outgoing Mobilities document ([]: nothing)"
    )


class NominateIn(InputSchema):
    """Exactly one of the two."""

    application: uuid.UUID | None = Field(None, description="Nominate this placed student")
    call: uuid.UUID | None = Field(
        None, description="Nominate every placed student of this call not nominated yet"
    )

    @model_validator(mode="after")
    def _one_of(self) -> "NominateIn":
        if (self.application is None) == (self.call is None):
            raise ValueError(_("Send either “application” or “call”, not both."))
        return self


class RefusedOut(Schema):
    application: uuid.UUID
    student: StudentRefOut
    reason: str


class NominateOut(Schema):
    created: list[NominationOut]
    refused: list[RefusedOut] = Field(
        description="Students of the call who could not be nominated, and why"
    )


class CancelIn(InputSchema):
    reason: str = Field("", max_length=MAX_REASON, description="The host and the student read it")


class RejectIn(InputSchema):
    reason: str = Field(
        min_length=1, max_length=MAX_REASON, description="The home and the student read it"
    )


class StudentOut(Schema):
    given_names: str
    family_name: str
    email: str
    birth_date: datetime.date | None
    nationality: str
    global_id: str = Field(description="European Student Identifier")


class IncomingOut(Schema):
    """A nomination addressed to us (we are the host), as EWP Outgoing Mobilities serves it."""

    id: uuid.UUID
    home: InstitutionRefOut
    status: NominationStatus
    status_label: str
    reason: str
    nominated_at: datetime.datetime
    decided_at: datetime.datetime | None
    omobility_id: str
    student: StudentOut
    academic_year: str
    term: str | None = Field(description="EWP term id; null for a non-standard period")
    agreement_isced_f_code: str
    eqf_level: int | None
    nominee_isced_f_code: str


# --- Shaping --------------------------------------------------------------------------------


def _person(user: Any) -> dict[str, str]:
    return {"email": user.email, "name": user.get_full_name()}


def _outgoing(nomination: Nomination) -> dict[str, Any]:
    application = nomination.application
    mobility = ewp_omobilities.mobility_from_nomination(nomination)
    return {
        "id": nomination.uuid,
        "application": application.uuid,
        "call": {"id": application.call.uuid, "title": application.call.title},
        "student": _person(application.student),
        "host": institution_ref(nomination.host_hei_id, nomination.host),
        "place": place_brief(nomination.place),
        "status": nomination.status,
        "status_label": str(nomination.get_status_display()),
        "reason": nomination.reason,
        "omobility_id": nomination.omobility_id,
        "nominated_at": nomination.nominated_at,
        "decided_at": nomination.decided_at,
        "missing_for_ewp": ewp_omobilities.missing(mobility),
    }


class _Shaped(Sequence):
    """A queryset whose rows are shaped only for the page the paginator slices."""

    def __init__(self, rows: QuerySet, shape: Callable[[Any], dict[str, Any]]) -> None:
        self.rows = rows
        self.shape = shape

    def __len__(self) -> int:
        return self.rows.count()

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return [self.shape(row) for row in self.rows[index]]


def _mine(institution: Institution, nomination_uuid: uuid.UUID) -> dict[str, Any]:
    return _outgoing(selectors.get_nomination(institution, nomination_uuid))


def _incoming(item: selectors.IncomingNomination) -> dict[str, Any]:
    mobility = item.mobility
    student = mobility.student
    return {
        "id": item.uuid,
        "home": institution_ref(item.home.schac, item.home),
        "status": item.status,
        "status_label": item.status_label,
        "reason": item.reason,
        "nominated_at": item.nominated_at,
        "decided_at": item.decided_at,
        "omobility_id": mobility.omobility_id,
        "student": {
            "given_names": student.given_names,
            "family_name": student.family_name,
            "email": student.email,
            "birth_date": student.birth_date,
            "nationality": student.nationality,
            "global_id": student.global_id,
        },
        "academic_year": mobility.receiving_academic_year_id,
        "term": mobility.sending_term_id,
        "agreement_isced_f_code": mobility.agreement_isced_f_code,
        "eqf_level": mobility.eqf_level,
        "nominee_isced_f_code": mobility.nominee_isced_f_code,
    }


def _received(host: Institution, nomination_uuid: uuid.UUID) -> dict[str, Any]:
    found = selectors.received_nomination(host, nomination_uuid)
    return _incoming(selectors.incoming_view(found))


# --- The home's side ------------------------------------------------------------------------


@router.get(NOMINATIONS, response=list[NominationOut], auth=AUTH, summary="Our nominations")
@Page
def nomination_list(request: HttpRequest, schac: str, filters: Query[NominationFilters]) -> Any:
    """Newest first; ``call`` must be one of ours (404 otherwise)."""
    with acting_at(request, schac, MANAGE) as acting:
        found = selectors.nominations_of(acting.institution).select_related("place__host")
        if filters.call is not None:
            call = call_selectors.get_call(acting.institution, filters.call)
            found = found.filter(application__call=call)
        if filters.status is not None:
            found = found.filter(status=filters.status)
        return _Shaped(found, _outgoing)


@router.post(
    NOMINATIONS,
    response={200: NominateOut, 201: NominateOut},
    auth=AUTH,
    summary="Nominate a placed student, or every placed student of a call",
)
def nominate(request: HttpRequest, schac: str, payload: NominateIn) -> Status:
    """``application``: that student, to the host of the place the published allocation gave
    them (409 when they are not placed, already nominated, or the agreement has no seat
    left). ``call``: every placed student not nominated yet, best score first, each on their
    own; those refused are listed with the reason. 201 when a nomination was made."""
    with acting_at(request, schac, MANAGE) as acting:
        institution = acting.institution
        if payload.application is not None:
            application = selectors.get_placed_application(institution, payload.application)
            made = [services.nomination_create(actor=acting.user, application=application)]
            refused: list[dict[str, Any]] = []
        else:
            assert payload.call is not None
            call = call_selectors.get_call(institution, payload.call)
            result = services.nominations_create_for_call(actor=acting.user, call=call)
            made = result.created
            refused = [
                {"application": a.uuid, "student": _person(a.student), "reason": reason}
                for a, reason in result.refused
            ]
        body = {"created": [_mine(institution, n.uuid) for n in made], "refused": refused}
    return Status(201 if made else 200, body)


# Before NOMINATIONS/{nomination}: "incoming" and "omobilities" are not nominations' ids.
@router.get(
    NOMINATIONS + "/omobilities",
    response={200: str},
    auth=AUTH,
    summary="Our nominations as an EWP Outgoing Mobilities v3 get-response (XML)",
    openapi_extra={"responses": {200: {"description": "XML", "content": {"application/xml": {}}}}},
)
def omobilities_export(request: HttpRequest, schac: str, filters: Query[ExportFilter]) -> Any:
    """Valid against the official schema. Nominations EWP cannot carry yet (the student's
    birth date or nationality unknown...) are left out: the ``X-Left-Out`` header counts them
    and ``missing_for_ewp`` on each nomination says what to complete."""
    with acting_at(request, schac, MANAGE) as acting:
        call = None
        if filters.call is not None:
            call = call_selectors.get_call(acting.institution, filters.call)
        export = selectors.omobilities_export(acting.institution, call=call)
        try:
            document = ewp_omobilities.build_get_response(export.mobilities)
        except ewp_omobilities.OMobilityXmlError as error:
            raise ServiceError(
                _("The document would not be valid, so it was not made: {error}").format(
                    error=error
                ),
                status=409,
            ) from None
    suffix = f"-{call.uuid}" if call is not None else ""
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="omobilities-{acting.institution.schac}{suffix}.xml"'
    )
    response["X-Left-Out"] = str(len(export.left_out))
    return response


# --- The host's side ------------------------------------------------------------------------


@router.get(INCOMING, response=list[IncomingOut], auth=AUTH, summary="Nominations addressed to us")
@Page
def incoming_list(
    request: HttpRequest, schac: str, filters: Query[StatusFilter]
) -> list[dict[str, Any]]:
    """Waiting ones first, then the newest."""
    with acting_at(request, schac, MANAGE) as acting:
        found = selectors.nominations_received_by(acting.institution, status=filters.status or "")
        return [_incoming(item) for item in found]


@router.get(INCOMING + "/{nomination}", response=IncomingOut, auth=AUTH, summary="One incoming")
def incoming_detail(request: HttpRequest, schac: str, nomination: uuid.UUID) -> dict[str, Any]:
    with acting_at(request, schac, MANAGE) as acting:
        return _received(acting.institution, nomination)


@router.post(INCOMING + "/{nomination}/accept", response=IncomingOut, auth=AUTH, summary="Accept")
def incoming_accept(request: HttpRequest, schac: str, nomination: uuid.UUID) -> dict[str, Any]:
    """The home and the student are told (409 when it is no longer waiting)."""
    with acting_at(request, schac, MANAGE) as acting:
        found = selectors.received_nomination(acting.institution, nomination)
        services.nomination_accept(actor=acting.user, nomination=found)
        return _received(acting.institution, nomination)


@router.post(
    INCOMING + "/{nomination}/reject",
    response=IncomingOut,
    auth=AUTH,
    summary="Reject, with the reason",
)
def incoming_reject(
    request: HttpRequest, schac: str, nomination: uuid.UUID, payload: RejectIn
) -> dict[str, Any]:
    """The reason is required (422 without); the home and the student read it."""
    with acting_at(request, schac, MANAGE) as acting:
        found = selectors.received_nomination(acting.institution, nomination)
        services.nomination_reject(actor=acting.user, nomination=found, reason=payload.reason)
        return _received(acting.institution, nomination)


# --- One of ours ----------------------------------------------------------------------------


@router.get(
    NOMINATIONS + "/{nomination}", response=NominationOut, auth=AUTH, summary="One nomination"
)
def nomination_detail(request: HttpRequest, schac: str, nomination: uuid.UUID) -> dict[str, Any]:
    with acting_at(request, schac, MANAGE) as acting:
        return _mine(acting.institution, nomination)


@router.post(
    NOMINATIONS + "/{nomination}/cancel",
    response=NominationOut,
    auth=AUTH,
    summary="Cancel a nomination",
)
def nomination_cancel(
    request: HttpRequest, schac: str, nomination: uuid.UUID, payload: CancelIn | None = None
) -> dict[str, Any]:
    """A waiting or accepted nomination (409 otherwise): its seat is freed, the student's
    application becomes declined, the host and the student are told."""
    with acting_at(request, schac, MANAGE) as acting:
        found = selectors.get_nomination(acting.institution, nomination)
        reason = payload.reason if payload is not None else ""
        services.nomination_cancel(actor=acting.user, nomination=found, reason=reason)
        return _mine(acting.institution, nomination)
