"""Writes to the consortium. Pages, the API and the demo loader all call these.

Each service validates fully (``django.core.exceptions.ValidationError`` names the field at
fault), runs in one transaction and writes an audit entry.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from intercampus.core.services import (
    ServiceError,
    audited_create,
    audited_delete,
    audited_update,
)
from intercampus.institutions.models import Institution
from intercampus.institutions.services import person_create
from intercampus.network.choices import DecisionBody
from intercampus.network.models import (
    AccessPoint,
    Action,
    Appointment,
    Consortium,
    Decision,
    Meeting,
    Membership,
    Project,
    ProjectOutput,
    ProjectPartner,
    WorkGroup,
    WorkGroupMember,
)

# --- Memberships ---------------------------------------------------------------------------


def membership_add(
    *,
    actor: Any,
    consortium: Consortium,
    institution: Institution,
    kind: str,
    since: datetime.date,
) -> Membership:
    """Make ``institution`` a member or associate partner; refuses a second open membership."""
    if Membership.objects.filter(
        consortium=consortium, institution=institution, until__isnull=True
    ).exists():
        raise ServiceError(
            _("{institution} already belongs to {consortium}.").format(
                institution=institution, consortium=consortium
            ),
            field="institution",
            status=409,
        )
    return audited_create(
        actor=actor,
        model=Membership,
        action="network.membership.created",
        consortium=consortium,
        institution=institution,
        kind=kind,
        since=since,
    )


def membership_change(*, actor: Any, membership: Membership, **fields: Any) -> Membership:
    """Change the kind or dates of a membership (ending it is ``until``)."""
    allowed = {"kind", "since", "until"}
    return audited_update(
        actor=actor,
        obj=membership,
        action="network.membership.changed",
        **{k: v for k, v in fields.items() if k in allowed},
    )


@transaction.atomic
def member_institution_create(
    *,
    actor: Any,
    consortium: Consortium,
    kind: str,
    since: datetime.date,
    **institution_fields: Any,
) -> Membership:
    """Create a new institution and make it a member or associate partner, in one step.

    ``institution_fields`` are Institution fields (schac, name, country, city, ...). Raises
    ``ValidationError`` naming the field at fault; nothing is kept if either part fails.
    """
    institution = audited_create(
        actor=actor,
        model=Institution,
        action="institutions.institution.created",
        **institution_fields,
    )
    return membership_add(
        actor=actor, consortium=consortium, institution=institution, kind=kind, since=since
    )


def consortium_change(*, actor: Any, consortium: Consortium, **fields: Any) -> Consortium:
    """Change what the secretariat may say about its consortium (description, website)."""
    allowed = {"description", "website"}
    return audited_update(
        actor=actor,
        obj=consortium,
        action="network.consortium.changed",
        **{k: v for k, v in fields.items() if k in allowed},
    )


# --- Work groups ---------------------------------------------------------------------------


def work_group_create(*, actor: Any, consortium: Consortium, **fields: Any) -> WorkGroup:
    return audited_create(
        actor=actor,
        model=WorkGroup,
        action="network.work_group.created",
        consortium=consortium,
        **fields,
    )


def work_group_change(*, actor: Any, work_group: WorkGroup, **fields: Any) -> WorkGroup:
    fields.pop("coordinator", None)  # changes only through an appointment
    return audited_update(
        actor=actor, obj=work_group, action="network.work_group.changed", **fields
    )


@transaction.atomic
def work_group_appoint(
    *,
    actor: Any,
    work_group: WorkGroup,
    institution: Institution,
    decided_on: datetime.date,
    decision_text: str,
    reference: str = "",
    term_start: datetime.date | None = None,
    term_end: datetime.date | None = None,
) -> Appointment:
    """Record the General Assembly's decision appointing ``institution`` as coordinator.

    The previous appointment's term ends the day before the new one starts.
    """
    if not _is_current_member(work_group.consortium, institution):
        raise ServiceError(
            _("Only a member or associate partner of the consortium can coordinate a group."),
            field="institution",
        )
    term_start = term_start or decided_on
    if term_end is not None and term_end < term_start:
        raise ServiceError(_("A term cannot end before it starts."), field="term_end")
    decision = audited_create(
        actor=actor,
        model=Decision,
        action="network.decision.created",
        consortium=work_group.consortium,
        body=DecisionBody.GENERAL_ASSEMBLY,
        decided_on=decided_on,
        reference=reference,
        text=decision_text,
    )
    for previous in work_group.appointments.filter(term_end__isnull=True):
        audited_update(
            actor=actor,
            obj=previous,
            action="network.appointment.ended",
            term_end=max(previous.term_start, term_start - datetime.timedelta(days=1)),
        )
    appointment = audited_create(
        actor=actor,
        model=Appointment,
        action="network.appointment.created",
        work_group=work_group,
        institution=institution,
        decision=decision,
        term_start=term_start,
        term_end=term_end,
    )
    audited_update(
        actor=actor,
        obj=work_group,
        action="network.work_group.coordinator_changed",
        coordinator=institution,
    )
    return appointment


def _is_current_member(consortium: Consortium, institution: Institution) -> bool:
    return Membership.objects.filter(
        consortium=consortium, institution=institution, until__isnull=True
    ).exists()


def work_group_member_add(
    *, actor: Any, work_group: WorkGroup, institution: Institution, **fields: Any
) -> WorkGroupMember:
    """Seat ``institution`` in the group, with an optional ``representative`` (a Person of it)."""
    if work_group.members.filter(institution=institution).exists():
        raise ServiceError(
            _("{institution} is already in this group.").format(institution=institution),
            field="institution",
            status=409,
        )
    # The representative works at another institution than the one whose staff area runs
    # this request; validating the foreign key must see that person, so no tenant scope here.
    with scopes_disabled():
        return audited_create(
            actor=actor,
            model=WorkGroupMember,
            action="network.work_group_member.created",
            work_group=work_group,
            institution=institution,
            **fields,
        )


@transaction.atomic
def work_group_member_add_new_representative(
    *,
    actor: Any,
    work_group: WorkGroup,
    institution: Institution,
    given_name: str,
    family_name: str,
    position: str = "",
    email: str = "",
    since: datetime.date | None = None,
) -> WorkGroupMember:
    """Record a new Person at ``institution`` and seat the institution with them as its
    representative; nothing is kept if either part fails."""
    if work_group.members.filter(institution=institution).exists():
        raise ServiceError(
            _("{institution} is already in this group.").format(institution=institution),
            field="institution",
            status=409,
        )
    person = person_create(
        actor=actor,
        institution=institution,
        given_name=given_name,
        family_name=family_name,
        position=position,
        email=email,
    )
    return work_group_member_add(
        actor=actor,
        work_group=work_group,
        institution=institution,
        representative=person,
        since=since,
    )


def work_group_member_change(
    *, actor: Any, member: WorkGroupMember, **fields: Any
) -> WorkGroupMember:
    with scopes_disabled():
        return audited_update(
            actor=actor, obj=member, action="network.work_group_member.changed", **fields
        )


def work_group_member_remove(*, actor: Any, member: WorkGroupMember) -> None:
    audited_delete(actor=actor, obj=member, action="network.work_group_member.deleted")


def access_point_set(
    *,
    actor: Any,
    consortium: Consortium,
    institution: Institution,
    work_group: WorkGroup | None = None,
    since: datetime.date | None = None,
) -> AccessPoint:
    """Make ``institution`` the access point for its own country, replacing any other."""
    existing = AccessPoint.objects.filter(
        consortium=consortium, country=institution.country
    ).first()
    if existing is not None:
        return audited_update(
            actor=actor,
            obj=existing,
            action="network.access_point.changed",
            institution=institution,
            work_group=work_group,
            since=since,
        )
    return audited_create(
        actor=actor,
        model=AccessPoint,
        action="network.access_point.created",
        consortium=consortium,
        country=institution.country,
        institution=institution,
        work_group=work_group,
        since=since,
    )


# --- Meetings, decisions, actions (run by the coordinator) ---------------------------------


def meeting_create(*, actor: Any, work_group: WorkGroup, **fields: Any) -> Meeting:
    return audited_create(
        actor=actor,
        model=Meeting,
        action="network.meeting.created",
        work_group=work_group,
        **fields,
    )


@transaction.atomic
def meeting_create_with_decision(
    *, actor: Any, work_group: WorkGroup, decision_text: str = "", **fields: Any
) -> Meeting:
    """Create a meeting and, when ``decision_text`` is given, its first decision, together."""
    meeting = meeting_create(actor=actor, work_group=work_group, **fields)
    if decision_text.strip():
        decision_record(actor=actor, meeting=meeting, text=decision_text.strip())
    return meeting


def meeting_change(*, actor: Any, meeting: Meeting, **fields: Any) -> Meeting:
    return audited_update(actor=actor, obj=meeting, action="network.meeting.changed", **fields)


def meeting_delete(*, actor: Any, meeting: Meeting) -> None:
    audited_delete(actor=actor, obj=meeting, action="network.meeting.deleted")


def decision_record(
    *,
    actor: Any,
    meeting: Meeting,
    text: str,
    reference: str = "",
    decided_on: datetime.date | None = None,
) -> Decision:
    """Record a decision taken at a work group meeting (dated the meeting by default)."""
    return audited_create(
        actor=actor,
        model=Decision,
        action="network.decision.created",
        consortium=meeting.work_group.consortium,
        work_group=meeting.work_group,
        meeting=meeting,
        body=DecisionBody.WORK_GROUP,
        decided_on=decided_on or meeting.date,
        reference=reference,
        text=text,
    )


def decision_delete(*, actor: Any, decision: Decision) -> None:
    audited_delete(actor=actor, obj=decision, action="network.decision.deleted")


def action_create(*, actor: Any, work_group: WorkGroup, **fields: Any) -> Action:
    meeting = fields.get("meeting")
    if meeting is not None and meeting.work_group_id != work_group.pk:
        raise ServiceError(_("That meeting belongs to another group."), field="meeting")
    return audited_create(
        actor=actor, model=Action, action="network.action.created", work_group=work_group, **fields
    )


def action_change(*, actor: Any, action: Action, **fields: Any) -> Action:
    return audited_update(actor=actor, obj=action, action="network.action.changed", **fields)


def action_delete(*, actor: Any, action: Action) -> None:
    audited_delete(actor=actor, obj=action, action="network.action.deleted")


# --- Projects ------------------------------------------------------------------------------


def project_create(*, actor: Any, **fields: Any) -> Project:
    return audited_create(actor=actor, model=Project, action="network.project.created", **fields)


def project_change(*, actor: Any, project: Project, **fields: Any) -> Project:
    return audited_update(actor=actor, obj=project, action="network.project.changed", **fields)


def project_partner_add(*, actor: Any, project: Project, **fields: Any) -> ProjectPartner:
    institution = fields.get("institution")
    if institution is not None and project.partners.filter(institution=institution).exists():
        raise ServiceError(
            _("{institution} is already a partner.").format(institution=institution),
            field="institution",
            status=409,
        )
    return audited_create(
        actor=actor,
        model=ProjectPartner,
        action="network.project_partner.created",
        project=project,
        **fields,
    )


def project_partner_remove(*, actor: Any, partner: ProjectPartner) -> None:
    audited_delete(
        actor=actor,
        obj=partner,
        action="network.project_partner.deleted",
    )


def project_output_add(*, actor: Any, project: Project, **fields: Any) -> ProjectOutput:
    return audited_create(
        actor=actor,
        model=ProjectOutput,
        action="network.project_output.created",
        project=project,
        **fields,
    )


def project_output_change(*, actor: Any, output: ProjectOutput, **fields: Any) -> ProjectOutput:
    return audited_update(
        actor=actor, obj=output, action="network.project_output.changed", **fields
    )
