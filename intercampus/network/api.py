"""The consortium API: consortia, memberships, work groups and projects.

Reads are public. Writes need a signed-in caller (session or token) acting as the institution
that authorises the object: the consortium's secretariat (``network.manage_consortium``) or a
group's coordinator (``network.manage_work_group``). A caller with that role at several
institutions may name one with ``?as=<schac>``. Every write goes through network.services.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from intercampus.core.api_auth import AUTH, acting_for
from intercampus.core.api_errors import LimitOffsetPagination
from intercampus.institutions.models import Institution
from intercampus.network import selectors, services
from intercampus.network.models import Consortium, Meeting, Project, WorkGroup
from intercampus.network.schemas import (
    ActionIn,
    ActionOut,
    ActionPatch,
    AppointmentIn,
    AppointmentOut,
    ConsortiumDetailOut,
    ConsortiumOut,
    DecisionIn,
    DecisionOut,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    MembershipIn,
    MembershipOut,
    MembershipPatch,
    OutputIn,
    OutputOut,
    OutputPatch,
    PartnerIn,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    ProjectPartnerOut,
    ProjectPatch,
    WorkGroupDetailOut,
    WorkGroupIn,
    WorkGroupMemberIn,
    WorkGroupMemberOut,
    WorkGroupPatch,
    WorkGroupSummaryOut,
)

router = Router()

MANAGE_CONSORTIUM = "network.manage_consortium"
MANAGE_WORK_GROUP = "network.manage_work_group"

# ?as=<schac>: which of the caller's institutions acts, when they hold the role at several.
As = Annotated[
    str | None,
    Query(None, alias="as", description="SCHAC code of the institution you act as"),
]
Page = paginate(LimitOffsetPagination, max_limit=100)
Resolver = Callable[[Institution, frozenset[str]], Any]


# --- Helpers --------------------------------------------------------------------------------


def _institution(schac: str | None, field: str) -> Institution:
    """The institution a request body names, or a 422 on that field."""
    if not schac:
        raise ValidationError({field: [_("This field is required.")]})
    try:
        return selectors.get_institution(schac)
    except Http404:
        message = _("No institution has the SCHAC code “{code}”.").format(code=schac)
        raise ValidationError({field: [message]}) from None


def _managed(slug: str) -> Resolver:
    return lambda institution, roles: selectors.get_managed_consortium(institution, slug)


def _managed_group(slug: str, group: str) -> Resolver:
    def resolve(institution: Institution, roles: frozenset[str]) -> WorkGroup:
        consortium = selectors.get_managed_consortium(institution, slug)
        return selectors.get_work_group(consortium, group)

    return resolve


def _managed_project(slug: str) -> Resolver:
    return lambda institution, roles: selectors.get_managed_project(institution, slug)


def _run_group(slug: str, group: str) -> Resolver:
    return lambda institution, roles: selectors.get_run_work_group(institution, roles, slug, group)


def _changes(payload: Any) -> dict[str, Any]:
    return payload.dict(exclude_unset=True)


# --- Public reads ---------------------------------------------------------------------------


@router.get("/consortia/", response=list[ConsortiumOut], tags=["consortia"])
@Page
def consortium_list(request: HttpRequest) -> Any:
    return selectors.consortium_list()


@router.get("/consortia/{slug}", response=ConsortiumDetailOut, tags=["consortia"])
def consortium_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """A consortium with its members, associate partners, headcount totals and work groups."""
    consortium = selectors.get_consortium(slug)
    members, partners = selectors.members_and_partners(consortium)
    totals = selectors.consortium_totals(consortium)
    return {
        **_consortium_fields(consortium),
        "secretariat": consortium.secretariat,
        "members": members,
        "associate_partners": partners,
        "totals": totals.as_dict(),
        "totals_year": totals.year,
        "totals_years": totals.years,
        "work_groups": list(selectors.work_groups_of(consortium)),
    }


def _consortium_fields(consortium: Consortium) -> dict[str, Any]:
    names = ("slug", "name", "acronym", "website", "description", "founded")
    return {name: getattr(consortium, name) for name in names}


@router.get("/consortia/{slug}/memberships", response=list[MembershipOut], tags=["consortia"])
@Page
def membership_list(request: HttpRequest, slug: str, current: bool | None = None) -> Any:
    """Every membership, ended ones too; ``current=true`` keeps only open ones."""
    return selectors.memberships_of(selectors.get_consortium(slug), current=current)


@router.get(
    "/consortia/{slug}/work-groups", response=list[WorkGroupSummaryOut], tags=["work groups"]
)
@Page
def work_group_list(request: HttpRequest, slug: str) -> Any:
    return selectors.work_groups_of(selectors.get_consortium(slug))


@router.get(
    "/consortia/{slug}/work-groups/{group}", response=WorkGroupDetailOut, tags=["work groups"]
)
def work_group_detail(request: HttpRequest, slug: str, group: str) -> dict[str, Any]:
    """A work group: coordinator and appointment, members, meetings with decisions, actions."""
    work_group = selectors.get_work_group(selectors.get_consortium(slug), group)
    return _work_group_out(work_group)


def _work_group_out(work_group: WorkGroup) -> dict[str, Any]:
    names = ("slug", "name", "kind", "is_active", "coordinator", "purpose", "aims")
    return {
        **{name: getattr(work_group, name) for name in names},
        "consortium": work_group.consortium.slug,
        "appointment": selectors.latest_appointment(work_group),
        "members": selectors.work_group_members(work_group),
        "meetings": list(selectors.meetings_of(work_group)),
        "actions": selectors.actions_of(work_group, today=datetime.date.today()),
    }


@router.get("/projects/", response=list[ProjectOut], tags=["projects"])
@Page
def project_list(request: HttpRequest, consortium: str = "") -> Any:
    """Every project, newest first; ``consortium=<slug>`` keeps one consortium's."""
    return selectors.project_directory(consortium_slug=consortium)


@router.get("/projects/{slug}", response=ProjectDetailOut, tags=["projects"])
def project_detail(request: HttpRequest, slug: str) -> Project:
    return selectors.get_project(slug)


# --- The secretariat: memberships and work groups -------------------------------------------


@router.post(
    "/consortia/{slug}/memberships",
    response={201: MembershipOut},
    auth=AUTH,
    tags=["consortia"],
)
def membership_create(request: HttpRequest, slug: str, payload: MembershipIn, as_: As = None):
    with acting_for(request, MANAGE_CONSORTIUM, _managed(slug), as_) as (acting, consortium):
        membership = services.membership_add(
            actor=acting.user,
            consortium=consortium,
            institution=_institution(payload.institution, "institution"),
            kind=payload.kind,
            since=payload.since,
        )
    return Status(201, membership)


@router.patch(
    "/consortia/{slug}/memberships/{membership}",
    response=MembershipOut,
    auth=AUTH,
    tags=["consortia"],
)
def membership_update(
    request: HttpRequest, slug: str, membership: uuid.UUID, payload: MembershipPatch, as_: As = None
):
    with acting_for(request, MANAGE_CONSORTIUM, _managed(slug), as_) as (acting, consortium):
        found = selectors.get_membership(consortium, membership)
        return services.membership_change(actor=acting.user, membership=found, **_changes(payload))


@router.post(
    "/consortia/{slug}/work-groups",
    response={201: WorkGroupDetailOut},
    auth=AUTH,
    tags=["work groups"],
)
def work_group_create(request: HttpRequest, slug: str, payload: WorkGroupIn, as_: As = None):
    with acting_for(request, MANAGE_CONSORTIUM, _managed(slug), as_) as (acting, consortium):
        work_group = services.work_group_create(
            actor=acting.user, consortium=consortium, **payload.dict()
        )
        return Status(201, _work_group_out(work_group))


@router.patch(
    "/consortia/{slug}/work-groups/{group}",
    response=WorkGroupDetailOut,
    auth=AUTH,
    tags=["work groups"],
)
def work_group_update(
    request: HttpRequest, slug: str, group: str, payload: WorkGroupPatch, as_: As = None
):
    resolve = _managed_group(slug, group)
    with acting_for(request, MANAGE_CONSORTIUM, resolve, as_) as (acting, work_group):
        services.work_group_change(actor=acting.user, work_group=work_group, **_changes(payload))
        return _work_group_out(work_group)


@router.post(
    "/consortia/{slug}/work-groups/{group}/appointments",
    response={201: AppointmentOut},
    auth=AUTH,
    tags=["work groups"],
)
def appointment_create(
    request: HttpRequest, slug: str, group: str, payload: AppointmentIn, as_: As = None
):
    """Record the General Assembly's decision appointing a coordinator institution."""
    resolve = _managed_group(slug, group)
    with acting_for(request, MANAGE_CONSORTIUM, resolve, as_) as (acting, work_group):
        fields = payload.dict()
        fields["institution"] = _institution(payload.institution, "institution")
        appointment = services.work_group_appoint(
            actor=acting.user, work_group=work_group, **fields
        )
    return Status(201, appointment)


@router.post(
    "/consortia/{slug}/work-groups/{group}/members",
    response={201: WorkGroupMemberOut},
    auth=AUTH,
    tags=["work groups"],
)
def work_group_member_create(
    request: HttpRequest, slug: str, group: str, payload: WorkGroupMemberIn, as_: As = None
):
    """Seat a member or associate partner in the group, with its representative if named."""
    resolve = _managed_group(slug, group)
    with acting_for(request, MANAGE_CONSORTIUM, resolve, as_) as (acting, work_group):
        institution = _institution(payload.institution, "institution")
        if not selectors.current_member_institutions(work_group.consortium).contains(institution):
            message = _("Only a member or associate partner of the consortium can be seated.")
            raise ValidationError({"institution": [message]})
        representative = None
        if payload.representative is not None:
            representative = selectors.get_representative(institution, payload.representative)
            if representative is None:
                message = _("No person of that institution has this id.")
                raise ValidationError({"representative": [message]})
        member = services.work_group_member_add(
            actor=acting.user,
            work_group=work_group,
            institution=institution,
            representative=representative,
            since=payload.since,
        )
        return Status(201, member)


@router.delete(
    "/consortia/{slug}/work-groups/{group}/members/{institution}",
    response={204: None},
    auth=AUTH,
    tags=["work groups"],
)
def work_group_member_delete(
    request: HttpRequest, slug: str, group: str, institution: str, as_: As = None
):
    """Take an institution (named by its SCHAC code) out of the group."""
    resolve = _managed_group(slug, group)
    with acting_for(request, MANAGE_CONSORTIUM, resolve, as_) as (acting, work_group):
        member = selectors.get_seat(work_group, institution)
        services.work_group_member_remove(actor=acting.user, member=member)
    return Status(204, None)


# --- The secretariat: projects --------------------------------------------------------------


@router.post("/projects/", response={201: ProjectDetailOut}, auth=AUTH, tags=["projects"])
def project_create(request: HttpRequest, payload: ProjectIn, as_: As = None):
    fields = payload.dict()
    resolve = _managed(fields.pop("consortium"))
    with acting_for(request, MANAGE_CONSORTIUM, resolve, as_) as (acting, consortium):
        project = services.project_create(actor=acting.user, consortium=consortium, **fields)
    return Status(201, selectors.get_project(project.slug))


@router.patch("/projects/{slug}", response=ProjectDetailOut, auth=AUTH, tags=["projects"])
def project_update(request: HttpRequest, slug: str, payload: ProjectPatch, as_: As = None):
    with acting_for(request, MANAGE_CONSORTIUM, _managed_project(slug), as_) as (acting, project):
        services.project_change(actor=acting.user, project=project, **_changes(payload))
    return selectors.get_project(slug)


@router.post(
    "/projects/{slug}/partners", response={201: ProjectPartnerOut}, auth=AUTH, tags=["projects"]
)
def project_partner_create(request: HttpRequest, slug: str, payload: PartnerIn, as_: As = None):
    """Add a partner: an institution on the platform (SCHAC) or an outside organisation."""
    fields = payload.dict()
    with acting_for(request, MANAGE_CONSORTIUM, _managed_project(slug), as_) as (acting, project):
        if fields["institution"] is not None:
            fields["institution"] = _institution(fields["institution"], "institution")
        partner = services.project_partner_add(actor=acting.user, project=project, **fields)
    return Status(201, partner)


@router.post("/projects/{slug}/outputs", response={201: OutputOut}, auth=AUTH, tags=["projects"])
def project_output_create(request: HttpRequest, slug: str, payload: OutputIn, as_: As = None):
    with acting_for(request, MANAGE_CONSORTIUM, _managed_project(slug), as_) as (acting, project):
        output = services.project_output_add(actor=acting.user, project=project, **payload.dict())
    return Status(201, output)


@router.patch("/projects/{slug}/outputs/{output}", response=OutputOut, auth=AUTH, tags=["projects"])
def project_output_update(
    request: HttpRequest, slug: str, output: uuid.UUID, payload: OutputPatch, as_: As = None
):
    with acting_for(request, MANAGE_CONSORTIUM, _managed_project(slug), as_) as (acting, project):
        found = selectors.get_project_output(project, output)
        return services.project_output_change(actor=acting.user, output=found, **_changes(payload))


# --- The coordinator: meetings, decisions, actions ------------------------------------------

GROUP = "/consortia/{slug}/work-groups/{group}"


@router.post(f"{GROUP}/meetings", response={201: MeetingOut}, auth=AUTH, tags=["work groups"])
def meeting_create(request: HttpRequest, slug: str, group: str, payload: MeetingIn, as_: As = None):
    """Record a meeting, and the decisions taken at it, in one step."""
    fields = payload.dict(exclude={"decisions"})
    with (
        acting_for(request, MANAGE_WORK_GROUP, _run_group(slug, group), as_) as (acting, wg),
        transaction.atomic(),
    ):
        meeting = services.meeting_create(actor=acting.user, work_group=wg, **fields)
        for decision in payload.decisions:
            services.decision_record(actor=acting.user, meeting=meeting, **decision.dict())
    return Status(201, selectors.get_meeting(wg, meeting.uuid))


@router.patch(f"{GROUP}/meetings/{{meeting}}", response=MeetingOut, auth=AUTH, tags=["work groups"])
def meeting_update(
    request: HttpRequest,
    slug: str,
    group: str,
    meeting: uuid.UUID,
    payload: MeetingPatch,
    as_: As = None,
):
    with acting_for(request, MANAGE_WORK_GROUP, _run_group(slug, group), as_) as (acting, wg):
        found = selectors.get_meeting(wg, meeting)
        return services.meeting_change(actor=acting.user, meeting=found, **_changes(payload))


@router.delete(
    f"{GROUP}/meetings/{{meeting}}", response={204: None}, auth=AUTH, tags=["work groups"]
)
def meeting_delete(request: HttpRequest, slug: str, group: str, meeting: uuid.UUID, as_: As = None):
    with acting_for(request, MANAGE_WORK_GROUP, _run_group(slug, group), as_) as (acting, wg):
        services.meeting_delete(actor=acting.user, meeting=selectors.get_meeting(wg, meeting))
    return Status(204, None)


@router.post(
    f"{GROUP}/meetings/{{meeting}}/decisions",
    response={201: DecisionOut},
    auth=AUTH,
    tags=["work groups"],
)
def decision_create(
    request: HttpRequest,
    slug: str,
    group: str,
    meeting: uuid.UUID,
    payload: DecisionIn,
    as_: As = None,
):
    with acting_for(request, MANAGE_WORK_GROUP, _run_group(slug, group), as_) as (acting, wg):
        found = selectors.get_meeting(wg, meeting)
        decision = services.decision_record(actor=acting.user, meeting=found, **payload.dict())
    return Status(201, decision)


def _action_fields(work_group: WorkGroup, fields: dict[str, Any]) -> dict[str, Any]:
    """Body references turned into objects of the group: the owner and the meeting."""
    if "owner" in fields:
        owner = _institution(fields["owner"], "owner")
        if not selectors.group_institutions(work_group).contains(owner):
            message = _("The owner must be the coordinator or an institution of the group.")
            raise ValidationError({"owner": [message]})
        fields["owner"] = owner
    if fields.get("meeting") is not None:
        fields["meeting"] = _group_meeting(work_group, fields["meeting"])
    return fields


def _group_meeting(work_group: WorkGroup, meeting_uuid: uuid.UUID) -> Meeting:
    try:
        return selectors.get_meeting(work_group, meeting_uuid)
    except Http404:
        message = _("This group has no meeting with this id.")
        raise ValidationError({"meeting": [message]}) from None


@router.post(f"{GROUP}/actions", response={201: ActionOut}, auth=AUTH, tags=["work groups"])
def action_create(request: HttpRequest, slug: str, group: str, payload: ActionIn, as_: As = None):
    with acting_for(request, MANAGE_WORK_GROUP, _run_group(slug, group), as_) as (acting, wg):
        fields = _action_fields(wg, payload.dict())
        action = services.action_create(actor=acting.user, work_group=wg, **fields)
    return Status(201, action)


@router.patch(f"{GROUP}/actions/{{action}}", response=ActionOut, auth=AUTH, tags=["work groups"])
def action_update(
    request: HttpRequest,
    slug: str,
    group: str,
    action: uuid.UUID,
    payload: ActionPatch,
    as_: As = None,
):
    with acting_for(request, MANAGE_WORK_GROUP, _run_group(slug, group), as_) as (acting, wg):
        found = selectors.get_action(wg, action)
        fields = _action_fields(wg, _changes(payload))
        return services.action_change(actor=acting.user, action=found, **fields)
