"""The calls API for the international office: calls, their window and rules, publication,
and the places derived from the agreements.

Every endpoint acts as the institution named in the path (``core.api_auth.acting_at``) with
``mobility.manage_calls``, as the pages do: staff of another institution get 404, other roles
403. A call's window is shown in the institution's time zone; a time sent without a UTC
offset is read on that clock. Writes go through ``services.calls``.
"""

# No ``from __future__ import annotations``: ninja's paginator wraps the view and then cannot
# resolve a parameter annotated as a string.
import datetime
import uuid
import zoneinfo
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from intercampus.core.api_auth import AUTH, acting_at
from intercampus.core.api_errors import LimitOffsetPagination
from intercampus.institutions.models import Institution
from intercampus.mobility.choices import CallStatus
from intercampus.mobility.models import Call, Place
from intercampus.mobility.schemas import (
    CallDetailOut,
    CallIn,
    CallOut,
    CallPatch,
    PlaceOut,
    PlacePatch,
    place_brief,
    plain,
)
from intercampus.mobility.selectors import calls as selectors
from intercampus.mobility.services import calls as services

router = Router()

MANAGE_CALLS = "mobility.manage_calls"
CALLS = "/institutions/{schac}/calls"
CALL = CALLS + "/{call}"
PLACE = CALL + "/places/{place}"
Page = paginate(LimitOffsetPagination, max_limit=100)


class CallFilters(Schema):
    status: CallStatus | None = None


# --- Shaping --------------------------------------------------------------------------------


def _zoned(fields: dict[str, Any], institution: Institution) -> dict[str, Any]:
    """Times sent without a UTC offset are on the institution's clock."""
    zone = zoneinfo.ZoneInfo(institution.timezone)
    for name in ("opens_at", "closes_at"):
        value = fields.get(name)
        if isinstance(value, datetime.datetime) and timezone.is_naive(value):
            fields[name] = timezone.make_aware(value, zone)
    return fields


def place_out(place: Place, limit: int | None = None) -> dict[str, Any]:
    """A place as staff see it, with the most seats it may offer (``seats_left``; ``limit``
    when already counted).

    Runs in the owner's scope (the seats used are counted from its nominations).
    """
    condition = place.condition
    return {
        **place_brief(place),
        "agreement": {"id": condition.agreement.uuid, "iia_code": condition.agreement.iia_code},
        "condition": condition.uuid,
        "seats_left": selectors.seats_limit(place) if limit is None else limit,
    }


def _row(institution: Institution, call: Call) -> dict[str, Any]:
    row = selectors.call_list(institution).select_related("owner").get(pk=call.pk)
    return CallOut.model_validate(row).model_dump()


def _detail(institution: Institution, call_uuid: uuid.UUID) -> dict[str, Any]:
    """The call with its places, what is over-offered and how many applications per state."""
    call = selectors.get_call(institution, call_uuid)
    places = list(selectors.places_of(call))
    limits = selectors.seats_limits(call, places)
    return {
        **_row(institution, call),
        "places": [place_out(p, limits[p.pk]) for p in places],
        "over_offered": [
            {
                "condition": item.condition.uuid,
                "agreement": {
                    "id": item.condition.agreement.uuid,
                    "iia_code": item.condition.agreement.iia_code,
                },
                "offered": item.offered,
                "left": item.left,
            }
            for item in selectors.over_offered_conditions(call)
        ],
        "applications": [
            {"state": state, "label": label, "count": count}
            for state, label, count in selectors.application_counts(call)
        ],
        "editable": call.status not in services.FROZEN_STATUSES,
    }


# --- Calls ----------------------------------------------------------------------------------


@router.get(CALLS, response=list[CallOut], auth=AUTH, summary="Our mobility calls")
@Page
def call_list(request: HttpRequest, schac: str, filters: Query[CallFilters]) -> Any:
    """Our calls, latest window first, with their places and submitted applications counted."""
    with acting_at(request, schac, MANAGE_CALLS) as acting:
        calls = selectors.call_list(acting.institution, status=filters.status or "")
        return calls.select_related("owner")


@router.post(CALLS, response={201: CallDetailOut}, auth=AUTH, summary="New call (a draft)")
def call_create(request: HttpRequest, schac: str, payload: CallIn) -> Status:
    """Create a draft call; its lottery seed is drawn now, once. Derive its places next."""
    with acting_at(request, schac, MANAGE_CALLS) as acting:
        fields = _zoned(plain(payload.model_dump()), acting.institution)
        created = services.call_create(actor=acting.user, institution=acting.institution, **fields)
        return Status(201, _detail(acting.institution, created.uuid))


@router.get(CALL, response=CallDetailOut, auth=AUTH, summary="One of our calls")
def call_detail(request: HttpRequest, schac: str, call: uuid.UUID) -> dict[str, Any]:
    with acting_at(request, schac, MANAGE_CALLS) as acting:
        return _detail(acting.institution, call)


@router.patch(CALL, response=CallDetailOut, auth=AUTH, summary="Change a call")
def call_update(
    request: HttpRequest, schac: str, call: uuid.UUID, payload: CallPatch
) -> dict[str, Any]:
    """Change the fields given; new weights re-score the submitted applications. Refused
    once the allocation has run; type and year are fixed once the call has places."""
    with acting_at(request, schac, MANAGE_CALLS) as acting:
        found = selectors.get_call(acting.institution, call)
        # The service takes the call's fields whole (as the form sends them): start from now.
        fields = {name: getattr(found, name) for name in services.CALL_FIELDS}
        fields.update(_zoned(plain(payload.model_dump(exclude_unset=True)), acting.institution))
        services.call_update(actor=acting.user, call=found, **fields)
        return _detail(acting.institution, call)


@router.post(CALL + "/publish", response=CallDetailOut, auth=AUTH, summary="Publish a call")
def call_publish(request: HttpRequest, schac: str, call: uuid.UUID) -> dict[str, Any]:
    """Make a draft call visible to our students; it needs a place with seats (409 when it
    is published already)."""
    with acting_at(request, schac, MANAGE_CALLS) as acting:
        found = selectors.get_call(acting.institution, call)
        services.call_publish(actor=acting.user, call=found)
        return _detail(acting.institution, call)


# --- Places ---------------------------------------------------------------------------------


@router.post(
    CALL + "/places/derive",
    response=list[PlaceOut],
    auth=AUTH,
    summary="Propose places from our agreements",
)
def places_derive(request: HttpRequest, schac: str, call: uuid.UUID) -> list[dict[str, Any]]:
    """One place per subject area of each condition where we send students of the call's type
    and year, with the seats left; deriving again adds only what is new. Returns the places
    created (an empty list when there is nothing new)."""
    with acting_at(request, schac, MANAGE_CALLS) as acting:
        found = selectors.get_call(acting.institution, call)
        created = services.places_derive(actor=acting.user, call=found)
        return [place_out(p) for p in created]


@router.patch(PLACE, response=PlaceOut, auth=AUTH, summary="Set a place's seats")
def place_update(
    request: HttpRequest, schac: str, call: uuid.UUID, place: uuid.UUID, payload: PlacePatch
) -> dict[str, Any]:
    """From 0 up to the seats its agreement has left in the call's year."""
    with acting_at(request, schac, MANAGE_CALLS) as acting:
        found = selectors.get_call(acting.institution, call)
        item = selectors.get_place(found, place)
        services.place_update(actor=acting.user, place=item, seats=payload.seats)
        return place_out(selectors.get_place(found, place))


@router.delete(PLACE, response={204: None}, auth=AUTH, summary="Remove a place")
def place_delete(request: HttpRequest, schac: str, call: uuid.UUID, place: uuid.UUID) -> Status:
    """Remove a place nobody has ranked (409 otherwise: set its seats to 0 instead)."""
    with acting_at(request, schac, MANAGE_CALLS) as acting:
        found = selectors.get_call(acting.institution, call)
        item = selectors.get_place(found, place)
        services.place_delete(actor=acting.user, place=item)
    return Status(204, None)
