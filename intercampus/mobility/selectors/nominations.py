"""Reads of nominations: the home's outgoing ones by call, the host's incoming ones, the
student's steps, and the Outgoing Mobilities export.

The home owns a nomination (``Nomination.objects`` is scoped by ``home``), so the home's
functions take the institution and filter by it. Two reads cross institutions on purpose,
each in one function below: :func:`nominations_received_by` (the host reads the nominations
addressed to it, and only what EWP Outgoing Mobilities would serve it) and
:func:`student_steps` (a student reads their own application's nomination).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.db.models.fields.json import KT
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from intercampus.core.models import Notification
from intercampus.institutions.models import Institution
from intercampus.mobility import ewp_omobilities
from intercampus.mobility.choices import ApplicationState, NominationStatus, RunStatus
from intercampus.mobility.models import (
    AllocationRun,
    Application,
    Call,
    Nomination,
    Place,
    StudentProfile,
)

NOTICE_PREFIX = "mobility.nomination."
# Application states from which a nomination follows or has followed.
AFTER_PLACEMENT = (
    ApplicationState.PLACED,
    ApplicationState.NOMINATED,
    ApplicationState.ACCEPTED,
    ApplicationState.REJECTED,
)
_RELATED = (
    "application",
    "application__call",
    "application__student",
    "application__student__student_profile",
    "place",
    "place__condition",
    "place__condition__agreement",
    "home",
    "host",
)


# --- Where the allocation placed a student ---------------------------------------------------


def placements_of_call(call: Call) -> dict[str, Place | None]:
    """Application UUID -> the place its published allocation gave it (None: not placed).

    The newest published run that mentions an application decides (a re-allocation after
    declines follows the run it continues). Read for the call's owner, whose runs these are.
    """
    with scopes_disabled():
        runs = AllocationRun.objects.filter(call=call, status=RunStatus.PUBLISHED).order_by(
            "-published_at", "-created", "-id"
        )
        decided: dict[str, str | None] = {}
        for results in runs.values_list("results", flat=True):
            for application_uuid, place_uuid in (results or {}).items():
                decided.setdefault(str(application_uuid), place_uuid)
        wanted = {p for p in decided.values() if p}
        places = {
            str(p.uuid): p for p in call.places.select_related("host").filter(uuid__in=wanted)
        }
    return {app: places.get(str(place)) if place else None for app, place in decided.items()}


def placement_of(application: Application) -> Place | None:
    """The place the published allocation gave ``application``, if any.

    Same rule as ``placements_of_call`` (the newest published run that mentions it decides),
    but reads only this application's entry of each run, not whole result documents.
    """
    key = str(application.uuid)
    with scopes_disabled():
        runs = (
            AllocationRun.objects.filter(
                call_id=application.call_id, status=RunStatus.PUBLISHED, results__has_key=key
            )
            .annotate(mine=KT(f"results__{key}"))
            .order_by("-published_at", "-created", "-id")
            .values_list("mine", flat=True)
        )
        place_uuid = next(iter(runs[:1]), None)
        # SQLite gives a JSON null as the text "null"; PostgreSQL as NULL.
        if not place_uuid or place_uuid == "null":
            return None
        return (
            Place.objects.select_related("host")
            .filter(call_id=application.call_id, uuid=place_uuid)
            .first()
        )


# --- The home's outgoing nominations -------------------------------------------------------


def nominations_of(institution: Institution) -> QuerySet[Nomination]:
    """The institution's own nominations (it is the home), newest first."""
    return Nomination.objects.filter(home=institution).select_related(*_RELATED)


def get_nomination(institution: Institution, nomination_uuid: uuid.UUID) -> Nomination:
    """One of the institution's own nominations by its public id, or 404."""
    return get_object_or_404(nominations_of(institution), uuid=nomination_uuid)


def get_placed_application(institution: Institution, application_uuid: uuid.UUID) -> Application:
    """One of the institution's applications, by its public id, or 404."""
    return get_object_or_404(
        Application.objects.filter(owner=institution).select_related("call", "student", "owner"),
        uuid=application_uuid,
    )


@dataclass
class ToNominate:
    """A placed application that has no nomination yet, and where it was placed."""

    application: Application
    place: Place | None


@dataclass
class CallNominations:
    """One call's students waiting to be nominated and its nominations."""

    call: Call
    to_nominate: list[ToNominate] = field(default_factory=list)
    nominations: list[Nomination] = field(default_factory=list)

    @property
    def nominable(self) -> int:
        return sum(1 for item in self.to_nominate if item.place is not None)


def calls_with_placements(institution: Institution) -> QuerySet[Call]:
    """The institution's calls with at least one placed (or later) application."""
    return (
        Call.objects.filter(owner=institution, applications__state__in=AFTER_PLACEMENT)
        .distinct()
        .order_by("-academic_year", "title", "id")
    )


def outgoing_by_call(
    institution: Institution, *, call: Call | None = None
) -> list[CallNominations]:
    """For each call of the institution (or just ``call``): who is to nominate and the
    nominations made, best score first."""
    calls = [call] if call is not None else list(calls_with_placements(institution))
    found = []
    for one in calls:
        nominations = list(nominations_of(institution).filter(application__call=one))
        nominated = {n.application_id for n in nominations}
        placed = (
            one.applications.filter(state=ApplicationState.PLACED)
            .exclude(pk__in=nominated)
            .select_related("student")
            .order_by("-score", "tiebreak", "id")
        )
        placements = placements_of_call(one) if placed else {}
        found.append(
            CallNominations(
                call=one,
                to_nominate=[ToNominate(a, placements.get(str(a.uuid))) for a in placed],
                nominations=nominations,
            )
        )
    return found


# --- What the host sees (EWP Outgoing Mobilities) ------------------------------------------


@dataclass(frozen=True)
class IncomingNomination:
    """A nomination as its host sees it: the EWP student-mobility plus the decision."""

    uuid: uuid.UUID
    home: Institution
    status: str
    status_label: str
    reason: str
    nominated_at: Any
    decided_at: Any
    mobility: ewp_omobilities.StudentMobility

    @property
    def pending(self) -> bool:
        return self.status == NominationStatus.PENDING

    @property
    def student_name(self) -> str:
        student = self.mobility.student
        return " ".join(p for p in (student.given_names, student.family_name) if p) or (
            student.email
        )


def _incoming(nomination: Nomination) -> IncomingNomination:
    return IncomingNomination(
        uuid=nomination.uuid,
        home=nomination.home,
        status=nomination.status,
        status_label=str(nomination.get_status_display()),
        reason=nomination.reason,
        nominated_at=nomination.nominated_at,
        decided_at=nomination.decided_at,
        mobility=ewp_omobilities.mobility_from_nomination(nomination),
    )


def _received(host: Institution) -> QuerySet[Nomination]:
    # Cross-tenant on purpose: the nominations addressed to ``host`` (it is their receiving
    # institution). Callers turn them into IncomingNomination, which holds what EWP serves.
    with scopes_disabled():
        return Nomination.objects.filter(host=host).select_related(*_RELATED)


def nominations_received_by(host: Institution, *, status: str = "") -> list[IncomingNomination]:
    """The nominations whose host is ``host``, waiting ones first, then the newest."""
    with scopes_disabled():
        found = _received(host)
        if status:
            found = found.filter(status=status)
        rows = sorted(found, key=lambda n: (n.status != NominationStatus.PENDING, -n.pk))
        return [_incoming(n) for n in rows]


def received_nomination(host: Institution, nomination_uuid: uuid.UUID) -> Nomination:
    """A nomination addressed to ``host`` (for its decision), or 404 for any other."""
    with scopes_disabled():
        found = _received(host).filter(uuid=nomination_uuid).first()
    if found is None:
        raise Http404
    return found


def incoming_view(nomination: Nomination) -> IncomingNomination:
    """What the host may see of a nomination addressed to it."""
    with scopes_disabled():
        return _incoming(nomination)


def student_profile_of(nomination: Nomination) -> StudentProfile:
    """The nominated student's profile (unsaved and empty when there is none yet)."""
    student = nomination.application.student
    return StudentProfile.objects.filter(user=student).first() or StudentProfile(user=student)


# --- The Outgoing Mobilities export ----------------------------------------------------------


@dataclass
class Export:
    """What the document serves, and the nominations left out with what they lack."""

    mobilities: list[ewp_omobilities.StudentMobility]
    left_out: list[tuple[Nomination, list[str]]]


def omobilities_export(institution: Institution, *, call: Call | None = None) -> Export:
    """The institution's nominations as EWP student mobilities (of one call, or all)."""
    found = nominations_of(institution).order_by("nominated_at", "id")
    if call is not None:
        found = found.filter(application__call=call)
    mobilities, left_out = [], []
    with scopes_disabled():
        for nomination in found:
            mobility = ewp_omobilities.mobility_from_nomination(nomination)
            gaps = ewp_omobilities.missing(mobility)
            if gaps:
                left_out.append((nomination, gaps))
            else:
                mobilities.append(mobility)
    return Export(mobilities=mobilities, left_out=left_out)


# --- The student's steps ---------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step a student's application goes through after the allocation."""

    label: str
    state: str  # "done", "waiting", "todo", "refused" or "cancelled"
    detail: str = ""


def _nomination_of(application: Application) -> Nomination | None:
    with scopes_disabled():
        return (
            Nomination.objects.filter(application=application)
            .select_related("place", "place__host", "host")
            .first()
        )


def _place_label(place: Place | None) -> str:
    if place is None:
        return ""
    host = place.host.display_name if place.host else place.host_hei_id
    return f"{host} {place.subject_area}".strip()


def student_steps(application: Application) -> list[Step]:
    """placed → nominated → accepted or rejected, for the student's own ``application``.

    The caller fetched the application for its student (``get_own_application``): the
    nomination read here is theirs. Empty before the allocation placed them.
    """
    nomination = _nomination_of(application)
    if nomination is None and application.state != ApplicationState.PLACED:
        return []
    place = nomination.place if nomination else placement_of(application)
    steps = [Step(str(_("Placed")), "done", _place_label(place))]
    if nomination is None:
        steps.append(Step(str(_("Nominated to the host")), "todo"))
        steps.append(Step(str(_("The host's decision")), "todo"))
        return steps
    host = nomination.host.display_name if nomination.host else nomination.host_hei_id
    if nomination.status == NominationStatus.CANCELLED:
        steps.append(
            Step(str(_("Nomination cancelled by your institution")), "cancelled", nomination.reason)
        )
        return steps
    steps.append(Step(str(_("Nominated to the host")), "done", host))
    if nomination.status == NominationStatus.ACCEPTED:
        steps.append(Step(str(_("Accepted by the host")), "done", host))
    elif nomination.status == NominationStatus.REJECTED:
        steps.append(Step(str(_("Rejected by the host")), "refused", nomination.reason))
    else:
        steps.append(Step(str(_("The host's decision")), "waiting", str(_("Waiting for the host"))))
    return steps


# --- Notices ---------------------------------------------------------------------------------

# What a notice to an institution's staff says (its kind is core.Notification.kind).
STAFF_MESSAGES = {
    "mobility.nomination.received": _("{sender} nominated {student} for {year} ({call})."),
    "mobility.nomination.accepted": _("{sender} accepted the nomination of {student}."),
    "mobility.nomination.rejected": _(
        "{sender} rejected the nomination of {student}. Reason: {reason}"
    ),
    "mobility.nomination.cancelled": _("{sender} cancelled the nomination of {student}."),
}
# What the student is told by e-mail.
STUDENT_MESSAGES = {
    "mobility.nomination.nominated": _("{home} nominated you to {host} for {year}."),
    "mobility.nomination.accepted": _("{host} accepted your nomination for {year}."),
    "mobility.nomination.rejected": _(
        "{host} did not accept your nomination for {year}. Reason: {reason}"
    ),
    "mobility.nomination.cancelled": _("{home} cancelled your nomination to {host}."),
}
_PARAMS = ("student", "year", "call", "home", "host", "reason")


def describe_notice(notice: Notification) -> str:
    """A nomination notice in the reader's language."""
    template = STAFF_MESSAGES.get(notice.kind)
    if template is None:
        return notice.kind
    sender = notice.sender.display_name if notice.sender else ""
    params = {name: (notice.params or {}).get(name, "") for name in _PARAMS}
    return str(template).format(sender=sender, **params)


def describe_student_notice(kind: str, params: dict[str, str]) -> str:
    template = STUDENT_MESSAGES.get(kind)
    if template is None:
        return kind
    return str(template).format(**{name: params.get(name, "") for name in _PARAMS})


def nomination_notices(institution: Institution, *, unread_only: bool = True) -> QuerySet:
    """The institution's notices about nominations (filtered by recipient: safe)."""
    with scopes_disabled():
        notices = Notification.objects.filter(
            institution=institution, kind__startswith=NOTICE_PREFIX
        ).select_related("sender")
    return notices.filter(read_at__isnull=True) if unread_only else notices
