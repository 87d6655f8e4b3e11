"""The events API, mounted at ``/api/v1/events``.

- A signed-in caller (session or token) lists the events open to them, reads one with its
  seats and waitlist, registers, cancels, and lists their own registrations. Visibility is
  the pages' (``events.selectors``): an event not open to the caller is 404.
- The organiser's staff (``events.manage_events``) act under ``/events/staff/<schac>/``:
  create and change events, list registrations, check people in. Staff of another
  institution get 404, staff without the permission 403 (``core.api_auth.acting_at``).

Every write goes through ``events.services``; errors are JSON ``{"detail": ...}``.
"""

# No ``from __future__ import annotations`` here: ninja's paginator wraps the view and then
# cannot resolve a path parameter annotated as the string "uuid.UUID".
import datetime
import uuid
import zoneinfo
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from intercampus.core.api_auth import AUTH, acting_at
from intercampus.core.api_errors import LimitOffsetPagination
from intercampus.core.services import ServiceError
from intercampus.events import selectors, services
from intercampus.events.models import Event, Registration
from intercampus.events.schemas import (
    EventDetailOut,
    EventIn,
    EventOut,
    EventPatch,
    RegisterIn,
    RegistrationOut,
    StaffRegistrationOut,
    StatsOut,
)
from intercampus.institutions.models import Institution

router = Router(tags=["events"])

PERMISSION = "events.manage_events"
Page = paginate(LimitOffsetPagination, max_limit=100)


# --- Shaping --------------------------------------------------------------------------------


def _event_out(event: Event, figures: selectors.Figures | None = None) -> dict[str, Any]:
    zone = zoneinfo.ZoneInfo(event.institution.timezone)

    def local(value: datetime.datetime | None) -> datetime.datetime | None:
        return value.astimezone(zone) if value else None

    if figures is not None:
        taken, waitlisted = figures.taken_total, figures.waitlisted
    else:
        taken, waitlisted = event.taken, event.waitlisted  # type: ignore[attr-defined]
    return {
        "id": event.uuid,
        "organiser": {
            "id": event.institution.schac,
            "name": event.institution.name,
            "timezone": event.institution.timezone,
        },
        **{
            name: getattr(event, name)
            for name in (
                "title",
                "description",
                "kind",
                "place",
                "link",
                "capacity",
                "audience",
                "local_quota",
                "international_quota",
                "published",
            )
        },
        "starts": local(event.starts),
        "ends": local(event.ends),
        "registration_opens": local(event.registration_opens),
        "registration_closes": local(event.registration_closes),
        "registration_open": event.registration_open(),
        "seats_taken": taken,
        "seats_left": max(0, event.capacity - taken),
        "waitlisted": waitlisted,
    }


def _registration_out(registration: Registration) -> dict[str, Any]:
    return {
        "id": registration.uuid,
        "event": registration.event.uuid,
        "event_title": registration.event.title,
        "status": registration.status,
        "group": registration.group,
        "arrival": registration.sequence,
        "position": getattr(registration, "position", None),
        "registered_at": registration.created,
        "promoted_at": registration.promoted_at,
        "checked_in_at": registration.checked_in_at,
    }


def _staff_registration_out(registration: Registration) -> dict[str, Any]:
    user = registration.user
    return {
        "id": registration.uuid,
        "person": {"email": user.email, "name": user.get_full_name()},
        "status": registration.status,
        "group": registration.group,
        "arrival": registration.sequence,
        "registered_at": registration.created,
        "confirmed_at": registration.confirmed_at,
        "promoted_at": registration.promoted_at,
        "cancelled_at": registration.cancelled_at,
        "checked_in_at": registration.checked_in_at,
    }


def _detail(user: Any, event: Event) -> dict[str, Any]:
    figures = selectors.event_figures(event)
    mine = selectors.registration_of_user(user, event)
    return {
        **_event_out(event, figures),
        "seats_left_for": figures.seats_left_by_group,
        "my_registration": _registration_out(mine) if mine else None,
    }


def _zoned(fields: dict[str, Any], institution: Institution) -> dict[str, Any]:
    """Times sent without an offset are on the organiser's clock."""
    zone = zoneinfo.ZoneInfo(institution.timezone)
    for name in ("starts", "ends", "registration_opens", "registration_closes"):
        value = fields.get(name)
        if isinstance(value, datetime.datetime) and timezone.is_naive(value):
            fields[name] = timezone.make_aware(value, zone)
    return fields


# --- Everyone signed in ---------------------------------------------------------------------


@router.get("/", response=list[EventOut], auth=AUTH, summary="Upcoming events open to me")
@Page
def event_list(request: HttpRequest, institution: str = "") -> list[dict[str, Any]]:
    """Published upcoming events the caller may attend; ``institution`` (SCHAC) filters."""
    organiser = Institution.objects.filter(schac=institution).first() if institution else None
    if institution and organiser is None:
        return []
    events = selectors.events_visible_to(request.auth, institution=organiser)
    return [_event_out(e) for e in events]


@router.get("/mine", response=list[RegistrationOut], auth=AUTH, summary="My registrations")
@Page
def my_registrations(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's registrations that are not cancelled, past ones included."""
    return [_registration_out(r) for r in selectors.registrations_of_user(request.auth)]


@router.get("/{uuid:event}", response=EventDetailOut, auth=AUTH, summary="One event")
def event_detail(request: HttpRequest, event: uuid.UUID) -> dict[str, Any]:
    return _detail(request.auth, selectors.get_visible_event(request.auth, event))


@router.post(
    "/{uuid:event}/registration",
    response={201: RegistrationOut},
    auth=AUTH,
    summary="Register (a seat, or the waitlist when full)",
)
def register(request: HttpRequest, event: uuid.UUID, payload: RegisterIn | None = None) -> Status:
    found = selectors.get_visible_event(request.auth, event)
    group = payload.group if payload is not None else None
    services.registration_create(actor=request.auth, event=found, group=group)
    # Read back as the caller sees it, with the place on the waitlist.
    return Status(201, _registration_out(selectors.registration_of_user(request.auth, found)))


@router.delete(
    "/{uuid:event}/registration",
    response=RegistrationOut,
    auth=AUTH,
    summary="Cancel my registration (the first who fit on the waitlist move up)",
)
def cancel(request: HttpRequest, event: uuid.UUID) -> dict[str, Any]:
    found = selectors.get_visible_event(request.auth, event)
    mine = selectors.registration_of_user(request.auth, found)
    if mine is None:
        raise ServiceError(_("You are not registered for this event."), status=404)
    return _registration_out(services.registration_cancel(actor=request.auth, registration=mine))


# --- The organiser's staff ------------------------------------------------------------------


@router.get("/staff/{schac}/", response=list[EventOut], auth=AUTH, summary="Our events")
@Page
def staff_event_list(request: HttpRequest, schac: str, when: str = "all") -> list[dict[str, Any]]:
    """The institution's events, drafts included; ``when`` is upcoming, past or all."""
    with acting_at(request, schac, PERMISSION) as acting:
        return [_event_out(e) for e in selectors.events_of(acting.institution, when=when)]


@router.post("/staff/{schac}/", response={201: EventOut}, auth=AUTH, summary="Add an event")
def staff_event_create(request: HttpRequest, schac: str, payload: EventIn) -> Status:
    with acting_at(request, schac, PERMISSION) as acting:
        fields = _zoned(payload.dict(), acting.institution)
        event = services.event_create(actor=acting.user, institution=acting.institution, **fields)
        return Status(201, _event_out(event, selectors.event_figures(event)))


@router.get(
    "/staff/{schac}/{uuid:event}", response=EventOut, auth=AUTH, summary="One of our events"
)
def staff_event_detail(request: HttpRequest, schac: str, event: uuid.UUID) -> dict[str, Any]:
    with acting_at(request, schac, PERMISSION) as acting:
        found = selectors.get_event(acting.institution, event)
        return _event_out(found, selectors.event_figures(found))


@router.patch(
    "/staff/{schac}/{uuid:event}", response=EventOut, auth=AUTH, summary="Change an event"
)
def staff_event_update(
    request: HttpRequest, schac: str, event: uuid.UUID, payload: EventPatch
) -> dict[str, Any]:
    with acting_at(request, schac, PERMISSION) as acting:
        found = selectors.get_event(acting.institution, event)
        fields = _zoned(payload.dict(exclude_unset=True), acting.institution)
        saved = services.event_update(actor=acting.user, event=found, **fields)
        return _event_out(saved, selectors.event_figures(saved))


@router.get(
    "/staff/{schac}/{uuid:event}/stats",
    response=StatsOut,
    auth=AUTH,
    summary="The mix of local and international participants",
)
def staff_event_stats(request: HttpRequest, schac: str, event: uuid.UUID) -> dict[str, Any]:
    with acting_at(request, schac, PERMISSION) as acting:
        stats = selectors.attendance_stats(selectors.get_event(acting.institution, event))
        return {
            "registered": stats.registered,
            "attended": stats.attended,
            "no_show": stats.no_show,
            "waitlisted": stats.waitlisted,
            "cancelled": stats.cancelled,
            "groups": [
                {
                    "group": g.group,
                    "registered": g.registered,
                    "attended": g.attended,
                    "share": g.share,
                }
                for g in stats.groups
            ],
        }


@router.get(
    "/staff/{schac}/{uuid:event}/registrations",
    response=list[StaffRegistrationOut],
    auth=AUTH,
    summary="Registrations in arrival order",
)
@Page
def staff_registrations(
    request: HttpRequest, schac: str, event: uuid.UUID, status: str = "", q: str = ""
) -> list[dict[str, Any]]:
    """``status`` filters (``active``, or one state); ``q`` searches names and e-mails."""
    with acting_at(request, schac, PERMISSION) as acting:
        found = selectors.get_event(acting.institution, event)
        rows = selectors.registrations_for(found, status=status, query=q[:100])
        return [_staff_registration_out(r) for r in rows]


@router.post(
    "/staff/{schac}/{uuid:event}/registrations/{uuid:registration}/check-in",
    response=StaffRegistrationOut,
    auth=AUTH,
    summary="Check a person in",
)
def staff_check_in(
    request: HttpRequest, schac: str, event: uuid.UUID, registration: uuid.UUID
) -> dict[str, Any]:
    with acting_at(request, schac, PERMISSION) as acting:
        found = selectors.get_registration(
            selectors.get_event(acting.institution, event), registration
        )
        done = services.registration_check_in(actor=acting.user, registration=found)
        return _staff_registration_out(done)


@router.delete(
    "/staff/{schac}/{uuid:event}/registrations/{uuid:registration}/check-in",
    response=StaffRegistrationOut,
    auth=AUTH,
    summary="Take back a check-in",
)
def staff_check_in_undo(
    request: HttpRequest, schac: str, event: uuid.UUID, registration: uuid.UUID
) -> dict[str, Any]:
    with acting_at(request, schac, PERMISSION) as acting:
        found = selectors.get_registration(
            selectors.get_event(acting.institution, event), registration
        )
        done = services.registration_check_in_undo(actor=acting.user, registration=found)
        return _staff_registration_out(done)
