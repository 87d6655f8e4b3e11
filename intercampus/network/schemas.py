"""What the consortium API reads (``...Out``) and accepts (``...In``, ``...Patch``).

Objects are named by their public ids: an institution by its SCHAC code (``id``), a consortium,
work group or project by its slug, everything else by its UUID. Integer keys never leave.
A ``...Patch`` schema has every field optional: only the fields sent are changed.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StrictBool

from intercampus.core.api_errors import InputSchema, IsoDate
from intercampus.network.choices import (
    ActionStatus,
    MembershipKind,
    OutputStatus,
    PartnerRole,
    WorkGroupKind,
)

Schac = Annotated[str, Field(min_length=3, max_length=100, description="SCHAC code, e.g. kth.se")]
Slug = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")]


def _code(country: Any) -> str:
    return getattr(country, "code", country) or ""


# --- Read -----------------------------------------------------------------------------------


class InstitutionRef(Schema):
    id: str = Field(description="SCHAC code")
    name: str
    country: str

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.schac

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return _code(obj.country)


class ConsortiumOut(Schema):
    slug: str
    name: str
    acronym: str
    website: str


class MemberOut(Schema):
    """An institution in a consortium's member or associate partner list (from a Membership)."""

    id: str = Field(description="SCHAC code")
    name: str
    country: str
    city: str
    since: datetime.date

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.institution.schac

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return _code(obj.institution.country)

    @staticmethod
    def resolve_city(obj: Any) -> str:
        return obj.institution.city


class TotalsOut(Schema):
    professors: int
    teachers: int
    phd_students: int
    students: int


class TotalsYearOut(Schema):
    year: int
    institutions: int = Field(description="How many institutions' latest figures are of this year")


class WorkGroupSummaryOut(Schema):
    slug: str
    name: str
    kind: WorkGroupKind
    is_active: bool
    coordinator: InstitutionRef | None


class ConsortiumDetailOut(ConsortiumOut):
    description: str
    founded: int | None
    secretariat: InstitutionRef
    members: list[MemberOut]
    associate_partners: list[MemberOut]
    totals: TotalsOut
    totals_year: int | None = Field(
        description="The newest year in the totals; see totals_years for every year used"
    )
    totals_years: list[TotalsYearOut] = Field(
        description=(
            "Each institution is counted with the latest year it reported: how many "
            "institutions each year's figures come from, newest year first"
        )
    )
    work_groups: list[WorkGroupSummaryOut]


class MembershipOut(Schema):
    uuid: uuid.UUID
    institution: InstitutionRef
    kind: MembershipKind
    since: datetime.date
    until: datetime.date | None


class DecisionOut(Schema):
    uuid: uuid.UUID
    body: str
    decided_on: datetime.date
    reference: str
    text: str


class AppointmentOut(Schema):
    uuid: uuid.UUID
    institution: InstitutionRef
    term_start: datetime.date
    term_end: datetime.date | None
    decision: DecisionOut


class WorkGroupMemberOut(Schema):
    institution: InstitutionRef
    representative: str | None = Field(description="The representative's name (never e-mail)")
    since: datetime.date | None

    @staticmethod
    def resolve_representative(obj: Any) -> str | None:
        return str(obj.representative) if obj.representative_id else None


class MeetingOut(Schema):
    uuid: uuid.UUID
    title: str
    date: datetime.date
    location: str
    summary: str
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_decisions(obj: Any) -> list[Any]:
        # In the order they were taken, whether prefetched or not.
        return sorted(obj.decisions.all(), key=lambda d: (d.decided_on, d.pk))


class ActionOut(Schema):
    uuid: uuid.UUID
    title: str
    owner: InstitutionRef
    due: datetime.date | None
    status: ActionStatus
    meeting: uuid.UUID | None = Field(description="UUID of the meeting that agreed it")

    @staticmethod
    def resolve_meeting(obj: Any) -> uuid.UUID | None:
        return obj.meeting.uuid if obj.meeting_id else None


class WorkGroupDetailOut(WorkGroupSummaryOut):
    consortium: str = Field(description="The consortium's slug")
    purpose: str
    aims: list[str]
    appointment: AppointmentOut | None = Field(description="The current coordinator's appointment")
    members: list[WorkGroupMemberOut]
    meetings: list[MeetingOut]
    actions: list[ActionOut]


class ProjectOut(Schema):
    slug: str
    acronym: str
    name: str
    programme: str
    consortium: str | None = Field(description="The consortium's slug")
    start: datetime.date
    end: datetime.date | None
    website: str

    @staticmethod
    def resolve_consortium(obj: Any) -> str | None:
        return obj.consortium.slug if obj.consortium_id else None


class ProjectPartnerOut(Schema):
    uuid: uuid.UUID
    institution: str | None = Field(description="SCHAC code, for an institution on the platform")
    name: str
    country: str
    role: PartnerRole

    @staticmethod
    def resolve_institution(obj: Any) -> str | None:
        return obj.institution.schac if obj.institution_id else None

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.display_name

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return _code(obj.institution.country if obj.institution_id else obj.outside_country)


class OutputOut(Schema):
    uuid: uuid.UUID
    title: str
    description: str
    due: datetime.date | None
    status: OutputStatus


class ProjectDetailOut(ProjectOut):
    grant_reference: str
    description: str
    partners: list[ProjectPartnerOut]
    outputs: list[OutputOut]

    @staticmethod
    def resolve_partners(obj: Any) -> list[Any]:
        return list(obj.partners.all())

    @staticmethod
    def resolve_outputs(obj: Any) -> list[Any]:
        return list(obj.outputs.all())


# --- Write: the secretariat -----------------------------------------------------------------


class MembershipIn(InputSchema):
    institution: Schac
    kind: MembershipKind
    since: IsoDate


class MembershipPatch(InputSchema):
    kind: MembershipKind | None = None
    since: IsoDate | None = None
    until: IsoDate | None = Field(None, description="The day it ends; null reopens it")


class WorkGroupPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: WorkGroupKind | None = None
    purpose: str | None = Field(None, min_length=1, max_length=10_000)
    aims: list[Annotated[str, Field(min_length=1, max_length=500)]] | None = None
    is_active: StrictBool | None = None


class WorkGroupIn(InputSchema):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: WorkGroupKind = WorkGroupKind.WORK_GROUP
    purpose: str = Field(min_length=1, max_length=10_000)
    aims: list[Annotated[str, Field(min_length=1, max_length=500)]] = []
    is_active: StrictBool = True


class AppointmentIn(InputSchema):
    institution: Schac
    decided_on: IsoDate
    decision_text: str = Field(min_length=1, max_length=10_000)
    reference: str = Field("", max_length=50)
    term_start: IsoDate | None = Field(None, description="Defaults to the day of the decision")
    term_end: IsoDate | None = None


class WorkGroupMemberIn(InputSchema):
    institution: Schac
    representative: uuid.UUID | None = Field(None, description="UUID of a person of the member")
    since: IsoDate | None = None


class ProjectPatch(InputSchema):
    acronym: str | None = Field(None, min_length=1, max_length=50)
    name: str | None = Field(None, min_length=1, max_length=300)
    programme: str | None = Field(None, min_length=1, max_length=200)
    grant_reference: str | None = Field(None, max_length=100)
    start: IsoDate | None = None
    end: IsoDate | None = None
    description: str | None = Field(None, max_length=20_000)
    website: str | None = Field(None, max_length=200)


class ProjectIn(InputSchema):
    consortium: Slug
    slug: Slug
    acronym: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=300)
    programme: str = Field(min_length=1, max_length=200)
    grant_reference: str = Field("", max_length=100)
    start: IsoDate
    end: IsoDate | None = None
    description: str = Field("", max_length=20_000)
    website: str = Field("", max_length=200)


class PartnerIn(InputSchema):
    institution: Schac | None = Field(None, description="An institution on the platform, or ...")
    outside_name: str = Field("", max_length=200, description="... an outside organisation")
    outside_country: str = Field("", max_length=2, description="ISO 3166 code, outside only")
    role: PartnerRole = PartnerRole.PARTNER


class OutputPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=20_000)
    due: IsoDate | None = None
    status: OutputStatus | None = None


class OutputIn(InputSchema):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=20_000)
    due: IsoDate | None = None
    status: OutputStatus = OutputStatus.PLANNED


# --- Write: the coordinator -----------------------------------------------------------------


class DecisionIn(InputSchema):
    text: str = Field(min_length=1, max_length=10_000)
    reference: str = Field("", max_length=50)
    decided_on: IsoDate | None = Field(None, description="Defaults to the meeting's date")


class MeetingPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    date: IsoDate | None = None
    location: str | None = Field(None, max_length=300)
    summary: str | None = Field(None, max_length=20_000)


class MeetingIn(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    date: IsoDate
    location: str = Field("", max_length=300)
    summary: str = Field("", max_length=20_000)
    decisions: list[DecisionIn] = Field([], max_length=100)


class ActionPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=300)
    owner: Schac | None = None
    due: IsoDate | None = None
    status: ActionStatus | None = None
    meeting: uuid.UUID | None = None


class ActionIn(InputSchema):
    title: str = Field(min_length=1, max_length=300)
    owner: Schac
    due: IsoDate | None = None
    status: ActionStatus = ActionStatus.OPEN
    meeting: uuid.UUID | None = Field(None, description="UUID of one of the group's meetings")
