"""The student's own mobility in the API, under ``/me/mobility/``: the calls open to them, their
applications, the draft (saved through the same service as the page that saves as they type),
submission inside the window, withdrawal and documents.

Any signed-in caller; every object is read through a selector that filters by the caller
(``student=user``), so another student's application is 404, as on the pages.
"""

# No ``from __future__ import annotations``: ninja's paginator wraps the view and then cannot
# resolve a parameter annotated as a string.
import uuid
import zoneinfo
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from intercampus.accounts.models import User
from intercampus.core.api_auth import AUTH
from intercampus.core.api_errors import LimitOffsetPagination
from intercampus.core.limits import Line
from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution
from intercampus.mobility.choices import ApplicationState
from intercampus.mobility.forms.applications import clean_draft, raw_from_application
from intercampus.mobility.models import Application, Call
from intercampus.mobility.schemas import (
    DocumentOut,
    DraftPatch,
    StudentApplicationDetailOut,
    StudentApplicationOut,
    StudentCallDetailOut,
    StudentCallOut,
    as_float,
    choice_out,
    document_out,
    place_brief,
    plain,
    zoned,
)
from intercampus.mobility.selectors import applications as selectors
from intercampus.mobility.selectors import calls as call_selectors
from intercampus.mobility.services import applications as services

router = Router()

MY_CALLS = "/me/mobility/calls"
MY_APPLICATIONS = "/me/mobility/applications"
MY_APPLICATION = MY_APPLICATIONS + "/{application}"
Page = paginate(LimitOffsetPagination, max_limit=100)


def _caller(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


# --- Shaping --------------------------------------------------------------------------------


def _call_ref(call: Call, owner: Institution) -> dict[str, Any]:
    """What a student reads of a call of their institution, times on its clock."""
    zone = zoneinfo.ZoneInfo(owner.timezone)
    return {
        "id": call.uuid,
        "title": call.title,
        "institution": zoned(owner),
        "opens_at": call.opens_at.astimezone(zone),
        "closes_at": call.closes_at.astimezone(zone),
        "window": call_selectors.window_state(call),
        "max_choices": call.max_choices,
        "required_documents": call.required_documents or [],
    }


def _call(call: Call, mine: Application | None) -> dict[str, Any]:
    names = ("description", "academic_year", "terms", "mobility_type", "eligible_cycles")
    return {
        **_call_ref(call, call.owner),
        **{name: getattr(call, name) for name in names},
        "my_application": mine.uuid if mine is not None else None,
    }


def _choices(application: Application) -> tuple[list[dict[str, Any]], str]:
    """The ranked choices with their eligibility: checked now on a draft (as the page does
    while the student types), else as recorded on submission."""
    choices = selectors.choices_of(application)
    if application.state != ApplicationState.DRAFT:
        return [choice_out(c) for c in choices], "submitted"
    verdicts = selectors.check_places(
        application.call, [c.place for c in choices], selectors.applicant_for(application)
    )
    rows = [
        {
            "rank": choice.rank,
            "place": place_brief(choice.place),
            "eligible": verdict.eligible,
            "reasons": list(verdict.reasons),
        }
        for choice, (_place, verdict) in zip(choices, verdicts, strict=True)
    ]
    return rows, "live"


def _summary(application: Application) -> dict[str, Any]:
    return {
        "id": application.uuid,
        "call": _call_ref(application.call, application.owner),
        "state": application.state,
        "submitted_at": application.submitted_at,
        "saved_at": application.saved_at,
    }


def _detail(user: User, application_uuid: uuid.UUID) -> dict[str, Any]:
    found = selectors.get_own_application(user, application_uuid)
    choices, checked = _choices(found)
    return {
        **_summary(found),
        "grade_average": as_float(found.grade_average),
        "cycle": found.cycle,
        "languages": found.languages or {},
        "motivation": found.motivation,
        "score": as_float(found.score),
        "choices": choices,
        "eligibility": checked,
        "documents": [document_out(d) for d in selectors.documents_of(found)],
        "can_withdraw": found.state not in services.NOT_WITHDRAWABLE,
        "typed": found.draft or {},
    }


# --- Calls ----------------------------------------------------------------------------------


@router.get(MY_CALLS, response=list[StudentCallOut], auth=AUTH, summary="Calls open to me")
@Page
def my_calls(request: HttpRequest) -> list[dict[str, Any]]:
    """Published calls of the institutions where I am a student, until they close."""
    user = _caller(request)
    mine = {a.call_id: a for a in selectors.applications_of_student(user)}
    return [_call(c, mine.get(c.pk)) for c in call_selectors.calls_open_to(user)]


@router.get(
    MY_CALLS + "/{call}", response=StudentCallDetailOut, auth=AUTH, summary="A call and its places"
)
def my_call(request: HttpRequest, call: uuid.UUID) -> dict[str, Any]:
    """The call with the places I can rank (their ids go into my application's choices)."""
    user = _caller(request)
    found = call_selectors.get_call_open_to(user, call)
    return {
        **_call(found, selectors.own_application_for(user, found)),
        "places": [place_brief(p) for p in call_selectors.places_for_student(found)],
    }


@router.post(
    MY_CALLS + "/{call}/application",
    response={200: StudentApplicationDetailOut, 201: StudentApplicationDetailOut},
    auth=AUTH,
    summary="Start my application (a draft)",
)
def application_start(request: HttpRequest, call: uuid.UUID) -> Status:
    """A new draft (201), or my application to this call if I have one already (200)."""
    user = _caller(request)
    found = call_selectors.get_call_open_to(user, call)
    existing = selectors.own_application_for(user, found)
    application = services.application_start(actor=user, call=found)
    return Status(200 if existing else 201, _detail(user, application.uuid))


# --- My applications ------------------------------------------------------------------------


@router.get(
    MY_APPLICATIONS, response=list[StudentApplicationOut], auth=AUTH, summary="My applications"
)
@Page
def my_applications(request: HttpRequest) -> list[dict[str, Any]]:
    return [_summary(a) for a in selectors.applications_of_student(_caller(request))]


@router.get(
    MY_APPLICATION, response=StudentApplicationDetailOut, auth=AUTH, summary="My application"
)
def my_application(request: HttpRequest, application: uuid.UUID) -> dict[str, Any]:
    """With each choice's eligibility and the reasons when it fails."""
    return _detail(_caller(request), application)


# The draft as the page keeps it (``forms.applications.Draft.raw``): text, as typed.
_ROW_FIELDS = {"language": "languages", "choice": "choices"}


def _as_typed(changes: dict[str, Any]) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for name, value in changes.items():
        if name in ("grade_average", "cycle"):
            typed[name] = "" if value is None else _text(value)
        elif name == "languages":
            typed[name] = [[tag, level] for tag, level in value.items()]
        elif name == "choices":
            typed[name] = [str(place) for place in value]
        else:
            typed[name] = value
    return typed


def _text(value: Any) -> str:
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def _api_field(key: str) -> str:
    """``language_2`` -> ``languages``: the draft's per-row errors named as the API's fields."""
    prefix, _sep, index = key.rpartition("_")
    return _ROW_FIELDS.get(prefix, key) if index.isdigit() else key


@router.patch(
    MY_APPLICATION, response=StudentApplicationDetailOut, auth=AUTH, summary="Save my draft"
)
def draft_save(request: HttpRequest, application: uuid.UUID, payload: DraftPatch) -> dict[str, Any]:
    """Save the fields given (the others keep their value) with the same checks and service as
    the page; answers the eligibility of each choice on the draft as saved. Nothing is saved
    when a value is refused (422)."""
    user = _caller(request)
    found = selectors.get_own_application(user, application)
    if found.state != ApplicationState.DRAFT:
        raise ServiceError(_("This application is submitted; it can no longer change."), status=409)
    changes = plain(payload.model_dump(exclude_unset=True))
    # What the page shows is what was last typed: it becomes what is sent here, field by field.
    typed = dict(found.draft or raw_from_application(found, selectors.choices_of(found)))
    typed.update(_as_typed(changes))
    places = {str(p.uuid): p for p in call_selectors.places_for_student(found.call)}
    draft = clean_draft(typed, places)
    refused: dict[str, list[str]] = {}
    for key, message in draft.errors.items():
        if _api_field(key) in changes:
            refused.setdefault(_api_field(key), []).append(message)
    if refused:
        raise ValidationError(refused)
    services.application_save_draft(
        actor=user,
        application=found,
        fields={name: draft.fields[name] for name in services.DRAFT_FIELDS if name in changes},
        places=draft.places if "choices" in changes else None,
        raw=typed,
    )
    return _detail(user, application)


@router.post(
    MY_APPLICATION + "/submit",
    response=StudentApplicationDetailOut,
    auth=AUTH,
    summary="Submit my application",
)
def application_submit(request: HttpRequest, application: uuid.UUID) -> dict[str, Any]:
    """Submit the draft as saved, only inside the call's window (409 with the dates in the
    institution's time zone otherwise). Each choice is checked and the score computed."""
    user = _caller(request)
    found = selectors.get_own_application(user, application)
    services.application_submit(actor=user, application=found)
    return _detail(user, application)


@router.post(
    MY_APPLICATION + "/withdraw",
    response=StudentApplicationDetailOut,
    auth=AUTH,
    summary="Withdraw my application",
)
def application_withdraw(request: HttpRequest, application: uuid.UUID) -> dict[str, Any]:
    user = _caller(request)
    found = selectors.get_own_application(user, application)
    services.application_withdraw(actor=user, application=found)
    return _detail(user, application)


# --- Documents ------------------------------------------------------------------------------


@router.post(
    MY_APPLICATION + "/documents",
    response={201: DocumentOut},
    auth=AUTH,
    summary="Upload a document (multipart: kind, file)",
)
def document_upload(
    request: HttpRequest,
    application: uuid.UUID,
    kind: Form[Line],
    file: File[UploadedFile],
) -> Status:
    """A PDF, PNG or JPEG of at most 5 MB, told by its content; a file that is none of them,
    too large or misnamed is refused with 422 and the reason."""
    user = _caller(request)
    found = selectors.get_own_application(user, application)
    try:
        document = services.application_document_add(
            actor=user, application=found, kind=kind, file=file
        )
    except ServiceError as error:
        if error.field in ("file", "kind"):
            raise ServiceError(error.message, field=error.field, status=422) from None
        raise
    return Status(201, document_out(document))


@router.delete(
    MY_APPLICATION + "/documents/{document}",
    response={204: None},
    auth=AUTH,
    summary="Remove a document from my draft",
)
def document_delete(request: HttpRequest, application: uuid.UUID, document: uuid.UUID) -> Status:
    user = _caller(request)
    found = selectors.get_own_document(user, application, document)
    services.application_document_delete(actor=user, document=found)
    return Status(204, None)
