"""What the mobility API reads (``...Out``) and accepts (``...In``, ``...Patch``).

Agreements, conditions, calls, places, applications and documents are named by UUID;
institutions by SCHAC code. Times are shown in the owning institution's time zone (with their
offset); a time sent without an offset is read on that institution's clock.

Output schemas with ``resolve_*`` methods read model instances (list rows, so that pages are
fetched lazily); the ``...Fields`` bases hold the fields alone, so a detail can reuse a row's
fields as a plain dict and add its own.
"""

from __future__ import annotations

import datetime
import enum
import re
import uuid
import zoneinfo
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BeforeValidator, StrictInt, ValidationInfo, field_validator

from intercampus.core.api_errors import InputSchema
from intercampus.mobility.choices import (
    AgreementStatus,
    ApplicationState,
    CallStatus,
    CefrLevel,
    DocumentKind,
    MobilityType,
)
from intercampus.mobility.selectors.calls import window_state

# --- Shared input types ---------------------------------------------------------------------

_DATE_ONLY = re.compile(r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$")


def _datetime_text(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or _DATE_ONLY.match(value):
        raise ValueError(_("Enter a date and time as YYYY-MM-DDTHH:MM, e.g. 2027-02-01T09:00."))
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            _("Enter a valid date and time as YYYY-MM-DDTHH:MM, optionally with a UTC offset.")
        ) from None
    # Far from the years 1 and 9999, so that moving it to another time zone cannot overflow.
    if not 1900 <= moment.year <= 2999:
        raise ValueError(_("Enter a year between 1900 and 2999."))
    return moment


# A moment written as ISO 8601 text ("2027-02-01T09:00" or "2027-02-01T09:00+07:00"); never a
# bare number, which pydantic would read as a Unix timestamp. Without an offset it is read on
# the owning institution's clock.
IsoDateTime = Annotated[datetime.datetime, BeforeValidator(_datetime_text)]
Percent = Annotated[StrictInt, Field(ge=0, le=100)]
Cycle = Annotated[StrictInt, Field(ge=5, le=8, description="EQF level: 5 to 8")]
Score = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


class PatchSchema(InputSchema):
    """A partial update: fields left out keep their value; ``null`` is refused except for the
    fields listed in ``nullable``, where it empties the value."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError(_("This field cannot be null: leave it out to keep its value."))
        return value


def plain(value: Any) -> Any:
    """Request data as services take it: enum members (choices) as their plain values."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


# --- Shared output --------------------------------------------------------------------------


class InstitutionRefOut(Schema):
    id: str = Field(description="SCHAC code")
    name: str | None = Field(description="Its name, when the institution is on the platform")


class ZonedInstitutionOut(Schema):
    id: str = Field(description="SCHAC code")
    name: str
    timezone: str = Field(description="IANA time zone in which the institution's times are shown")


def institution_ref(schac: str, institution: Any) -> dict[str, Any]:
    return {"id": schac, "name": institution.display_name if institution is not None else None}


def zoned(institution: Any) -> dict[str, Any]:
    return {"id": institution.schac, "name": institution.name, "timezone": institution.timezone}


def as_float(value: Decimal | None) -> float | None:
    """A stored decimal (grade, score, months) as a JSON number."""
    return None if value is None else float(value)


# --- Agreements: output ---------------------------------------------------------------------


class AgreementPartnerOut(InstitutionRefOut):
    on_platform: bool = Field(description="False for a partner reached only through EWP")


class SubjectAreaOut(Schema):
    isced_f_code: str = Field(description="ISCED-F 2013 four-digit code")
    isced_clarification: str = ""


class LanguageSkillOut(Schema):
    language: str = Field(description="BCP 47 tag")
    cefr_level: str = ""
    isced_f_code: str = Field("", description="The subject area it is for, if any")
    isced_clarification: str = ""


class ConditionOut(Schema):
    id: uuid.UUID
    number: int = Field(description="Its place in the order the copy is served and hashed")
    mobility_type: MobilityType
    sending_hei_id: str
    sending_ounit_id: str
    receiving_hei_id: str
    receiving_ounit_id: str
    first_academic_year: str
    last_academic_year: str
    mobilities_per_year: int
    total_months_per_year: float | None
    total_days_per_year: float | None
    subject_areas: list[SubjectAreaOut]
    eqf_levels: list[int]
    language_skills: list[LanguageSkillOut]
    blended: bool
    other_info: str


def condition_out(condition: Any, number: int) -> dict[str, Any]:
    names = (
        "mobility_type",
        "sending_hei_id",
        "sending_ounit_id",
        "receiving_hei_id",
        "receiving_ounit_id",
        "first_academic_year",
        "last_academic_year",
        "mobilities_per_year",
        "subject_areas",
        "eqf_levels",
        "language_skills",
        "blended",
        "other_info",
    )
    return {
        "id": condition.uuid,
        "number": number,
        **{name: getattr(condition, name) for name in names},
        "total_months_per_year": as_float(condition.total_months_per_year),
        "total_days_per_year": as_float(condition.total_days_per_year),
    }


class AgreementFields(Schema):
    id: uuid.UUID
    iia_id: str = Field(description="Our copy's EWP id")
    iia_code: str
    partner: AgreementPartnerOut
    partner_iia_id: str = Field(description="The partner's id of its own copy, once linked")
    partner_iia_code: str
    status: AgreementStatus
    approved_by_partner: bool = Field(
        description="The partner approved our copy at its current version"
    )
    approved_by_us: bool = Field(
        description="We approved the partner's copy at its current version"
    )
    first_academic_year: str | None
    last_academic_year: str | None
    condition_count: int
    terminated: bool
    iia_hash: str = Field(description="The EWP iia-hash of our copy as served now")
    updated: datetime.datetime


class AgreementOut(AgreementFields):
    """A row of ``selectors.agreements.agreements_of`` (annotated with status and years)."""

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.uuid

    @staticmethod
    def resolve_partner(obj: Any) -> dict[str, Any]:
        partner = obj.partner
        return {
            **institution_ref(obj.partner_hei_id, partner),
            "on_platform": bool(partner is not None and partner.on_platform),
        }

    @staticmethod
    def resolve_first_academic_year(obj: Any) -> str | None:
        return obj.first_year

    @staticmethod
    def resolve_last_academic_year(obj: Any) -> str | None:
        return obj.last_year

    @staticmethod
    def resolve_condition_count(obj: Any) -> int:
        return obj.condition_count or 0


class ApprovalOut(Schema):
    state: Literal["current", "stale", "none"] = Field(
        description="current: approved at the copy's current version; stale: an earlier one"
    )
    approver: str = Field(description="SCHAC code of the approving institution")
    approved_at: datetime.datetime | None
    approved_by: str
    approved_hash: str
    current_hash: str


class ApprovalsOut(Schema):
    partner_approved_ours: ApprovalOut
    we_approved_theirs: ApprovalOut
    mutual: bool


class BlockerOut(Schema):
    text: str
    blocks_approval: bool = Field(
        description="True when it keeps us from approving the partner's copy now; false for "
        "what either side still has to do"
    )


class LinkCandidateOut(Schema):
    iia_id: str
    iia_code: str


class AgreementDetailOut(AgreementFields):
    owner_ounit: uuid.UUID | None = Field(description="Our unit, if the agreement is a unit's")
    partner_ounit_id: str
    conditions: list[ConditionOut]
    linked: bool = Field(description="Both copies name each other's id")
    approvals: ApprovalsOut
    blockers: list[BlockerOut]
    can_approve: bool
    partner_copy_hash: str | None = Field(
        description="The version of the partner's copy to approve (send it to .../approve)"
    )
    link_candidates: list[LinkCandidateOut] = Field(
        description="The partner's copies that name us and are free to link to ours"
    )


class FieldDiffOut(Schema):
    label: str
    ours: str
    theirs: str
    same: bool
    blocking: bool = Field(description="A difference here keeps the copies from being approved")


class ConditionPairOut(Schema):
    title: str
    our_number: int | None
    their_number: int | None
    ours: uuid.UUID | None = Field(description="Our condition, when we have one")
    same: bool
    fields: list[FieldDiffOut]


class CopyRefOut(Schema):
    iia_id: str
    iia_code: str
    iia_hash: str


class DifferenceOut(Schema):
    linked: bool
    ours: CopyRefOut
    theirs: CopyRefOut | None = Field(description="The partner's copy, once linked")
    same: bool = Field(description="No difference at all between the two copies")
    header: list[FieldDiffOut]
    conditions: list[ConditionPairOut]
    notes: list[str] = Field(description="Every difference in words, blocking ones first")
    blockers: list[BlockerOut]
    can_approve: bool


# --- Agreements: input ----------------------------------------------------------------------


class AgreementFilters(Schema):
    partner: str = Field("", max_length=100, description="The partner's SCHAC code")
    status: AgreementStatus | None = None
    type: MobilityType | None = Field(None, description="Has a condition of this type")
    year: str = Field(
        "",
        pattern=r"^([0-9]{4}/[0-9]{4})?$",
        description="Has a condition in this academic year, e.g. 2026/2027",
    )
    q: str = Field("", max_length=200, description="A code, an id, the partner's name or code")


class AgreementIn(InputSchema):
    partner_hei_id: str = Field(
        min_length=1, max_length=100, description="The partner's SCHAC code, on the platform or not"
    )
    iia_code: str = Field(max_length=100, description="The code people quote")
    owner_ounit: uuid.UUID | None = Field(None, description="One of our units")
    partner_ounit_id: str = Field(
        "", max_length=100, description="A unit UUID of a partner on the platform, else its EWP id"
    )


class AgreementPatch(PatchSchema):
    nullable = frozenset({"owner_ounit"})

    iia_code: str | None = Field(None, max_length=100)
    owner_ounit: uuid.UUID | None = None
    partner_ounit_id: str | None = Field(None, max_length=100)


class SubjectAreaIn(InputSchema):
    isced_f_code: str = Field(max_length=10)
    isced_clarification: str = Field("", max_length=255)


class LanguageSkillIn(InputSchema):
    language: str = Field(max_length=35, description="BCP 47 tag, e.g. en, pt-BR")
    cefr_level: str = Field("", max_length=2, description="A1 to C2, or empty")
    isced_f_code: str = Field("", max_length=10, description="Only for this subject area")
    isced_clarification: str = Field("", max_length=255)


class ConditionIn(InputSchema):
    mobility_type: MobilityType
    sending_hei_id: str = Field(max_length=100)
    sending_ounit_id: str = Field("", max_length=100)
    receiving_hei_id: str = Field(max_length=100)
    receiving_ounit_id: str = Field("", max_length=100)
    first_academic_year: str = Field(max_length=9, description="YYYY/YYYY")
    last_academic_year: str = Field(max_length=9, description="YYYY/YYYY")
    mobilities_per_year: StrictInt
    total_months_per_year: Decimal | None = Field(None, description="Student mobility only")
    total_days_per_year: Decimal | None = Field(None, description="Staff mobility only")
    subject_areas: list[SubjectAreaIn] = Field([], max_length=50)
    eqf_levels: list[StrictInt] = Field([], max_length=4)
    language_skills: list[LanguageSkillIn] = Field([], max_length=20)
    blended: bool = False
    other_info: str = Field("", max_length=5000)


class ConditionPatch(PatchSchema):
    nullable = frozenset({"total_months_per_year", "total_days_per_year"})

    mobility_type: MobilityType | None = None
    sending_hei_id: str | None = Field(None, max_length=100)
    sending_ounit_id: str | None = Field(None, max_length=100)
    receiving_hei_id: str | None = Field(None, max_length=100)
    receiving_ounit_id: str | None = Field(None, max_length=100)
    first_academic_year: str | None = Field(None, max_length=9)
    last_academic_year: str | None = Field(None, max_length=9)
    mobilities_per_year: StrictInt | None = None
    total_months_per_year: Decimal | None = None
    total_days_per_year: Decimal | None = None
    subject_areas: list[SubjectAreaIn] | None = Field(None, max_length=50)
    eqf_levels: list[StrictInt] | None = Field(None, max_length=4)
    language_skills: list[LanguageSkillIn] | None = Field(None, max_length=20)
    blended: bool | None = None
    other_info: str | None = Field(None, max_length=5000)


class ApproveIn(InputSchema):
    iia_hash: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="The version of the partner's copy you checked (partner_copy_hash)",
    )


class LinkIn(InputSchema):
    partner_iia_id: str = Field(min_length=1, max_length=64)
    partner_iia_code: str = Field(
        "", max_length=100, description="Only for a partner off the platform"
    )


# --- Calls and places -----------------------------------------------------------------------


class PlaceBriefOut(Schema):
    id: uuid.UUID
    host: InstitutionRefOut
    subject_area: str = Field(description="ISCED-F code, or empty for any")
    eqf_levels: list[int]
    language: str
    min_cefr: str
    seats: int


def place_brief(place: Any) -> dict[str, Any]:
    return {
        "id": place.uuid,
        "host": institution_ref(place.host_hei_id, place.host),
        "subject_area": place.subject_area,
        "eqf_levels": place.eqf_levels or [],
        "language": place.language,
        "min_cefr": place.min_cefr,
        "seats": place.seats,
    }


class AgreementRefOut(Schema):
    id: uuid.UUID
    iia_code: str


class PlaceOut(PlaceBriefOut):
    agreement: AgreementRefOut
    condition: uuid.UUID
    seats_left: int = Field(
        description="The most seats this place may offer: the agreement's mobilities per year "
        "in the call's year, less what other calls hold and the call's other places under the "
        "same condition"
    )


Window = Literal["upcoming", "open", "closed"]


class CallFields(Schema):
    id: uuid.UUID
    title: str
    description: str
    academic_year: str
    terms: list[str]
    mobility_type: MobilityType
    opens_at: datetime.datetime = Field(description="In the institution's time zone")
    closes_at: datetime.datetime = Field(description="In the institution's time zone")
    timezone: str
    window: Window
    status: CallStatus
    max_choices: int
    eligible_cycles: list[int]
    required_documents: list[DocumentKind]
    weight_grades: int
    weight_language: int
    weight_committee: int
    created: datetime.datetime


def _local(moment: datetime.datetime, institution: Any) -> datetime.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(institution.timezone))


class CallOut(CallFields):
    """A row of ``selectors.calls.call_list`` (owner selected, counts annotated)."""

    place_count: int
    submitted_count: int

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.uuid

    @staticmethod
    def resolve_opens_at(obj: Any) -> datetime.datetime:
        return _local(obj.opens_at, obj.owner)

    @staticmethod
    def resolve_closes_at(obj: Any) -> datetime.datetime:
        return _local(obj.closes_at, obj.owner)

    @staticmethod
    def resolve_timezone(obj: Any) -> str:
        return obj.owner.timezone

    @staticmethod
    def resolve_window(obj: Any) -> str:
        return window_state(obj)


class StateCountOut(Schema):
    state: ApplicationState
    label: str
    count: int


class OverOfferedOut(Schema):
    condition: uuid.UUID
    agreement: AgreementRefOut
    offered: int
    left: int


class CallDetailOut(CallFields):
    places: list[PlaceOut]
    over_offered: list[OverOfferedOut] = Field(
        description="Conditions whose places offer more seats together than they have left"
    )
    applications: list[StateCountOut]
    editable: bool = Field(description="False once the allocation has run")


class CallIn(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    academic_year: str = Field(max_length=9, description="YYYY/YYYY")
    terms: list[Annotated[str, Field(max_length=20)]] = Field(
        [], max_length=10, description="EWP term ids, e.g. 2027/2028-1/2"
    )
    mobility_type: MobilityType = MobilityType.STUDENT_STUDIES
    opens_at: IsoDateTime
    closes_at: IsoDateTime
    max_choices: StrictInt = Field(3, ge=1, le=10)
    eligible_cycles: list[Cycle] = Field([], max_length=4, description="Empty: every cycle")
    required_documents: list[DocumentKind] = Field([], max_length=10)
    weight_grades: Percent = 60
    weight_language: Percent = 20
    weight_committee: Percent = Field(20, description="The three weights add up to 100")


class CallPatch(PatchSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    academic_year: str | None = Field(None, max_length=9)
    terms: list[Annotated[str, Field(max_length=20)]] | None = Field(None, max_length=10)
    mobility_type: MobilityType | None = None
    opens_at: IsoDateTime | None = None
    closes_at: IsoDateTime | None = None
    max_choices: StrictInt | None = Field(None, ge=1, le=10)
    eligible_cycles: list[Cycle] | None = Field(None, max_length=4)
    required_documents: list[DocumentKind] | None = Field(None, max_length=10)
    weight_grades: Percent | None = None
    weight_language: Percent | None = None
    weight_committee: Percent | None = None


class PlacePatch(InputSchema):
    seats: StrictInt = Field(ge=0, description="At most the place's seats_left")


# --- Applications ---------------------------------------------------------------------------


class StudentRefOut(Schema):
    email: str
    name: str


class DocumentOut(Schema):
    id: uuid.UUID
    kind: DocumentKind
    name: str
    content_type: str
    size: int
    uploaded_at: datetime.datetime


def document_out(document: Any) -> dict[str, Any]:
    return {
        "id": document.uuid,
        "kind": document.kind,
        "name": document.original_name,
        "content_type": document.content_type,
        "size": document.size,
        "uploaded_at": document.uploaded_at,
    }


class ChoiceOut(Schema):
    rank: int
    place: PlaceBriefOut
    eligible: bool | None = Field(description="Null for a choice not checked yet")
    reasons: list[str] = Field(description="Why not eligible, in plain words")


def choice_out(choice: Any) -> dict[str, Any]:
    """A ranked choice with the eligibility recorded for it on submission."""
    return {
        "rank": choice.rank,
        "place": place_brief(choice.place),
        "eligible": choice.eligible,
        "reasons": list(choice.reasons or []),
    }


class ApplicationRowOut(Schema):
    """A row of ``selectors.applications.applications_of_call`` (student selected, counts)."""

    id: uuid.UUID
    student: StudentRefOut
    state: ApplicationState
    submitted_at: datetime.datetime | None
    grade_average: float | None
    cycle: int | None
    languages: dict[str, str]
    committee_score: float | None
    score: float | None
    tiebreak: int | None = Field(description="Lottery number: the lower wins a tie")
    choice_count: int
    eligible_count: int
    document_count: int

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.uuid

    @staticmethod
    def resolve_student(obj: Any) -> dict[str, str]:
        return {"email": obj.student.email, "name": obj.student.get_full_name()}


class CallRefOut(Schema):
    id: uuid.UUID
    title: str


class ApplicationDetailOut(Schema):
    id: uuid.UUID
    call: CallRefOut
    student: StudentRefOut
    state: ApplicationState
    submitted_at: datetime.datetime | None
    saved_at: datetime.datetime
    grade_average: float | None
    cycle: int | None
    languages: dict[str, str]
    motivation: str
    committee_score: float | None
    score: float | None
    tiebreak: int | None
    scorable: bool = Field(description="Whether the committee's score can be entered now")
    choices: list[ChoiceOut]
    documents: list[DocumentOut]


class ScoreIn(InputSchema):
    committee_score: Score | None = Field(
        ..., description="0 to 100 with at most two decimals; null clears it"
    )


class RescoreOut(Schema):
    changed: int
    total: int


class StateFilter(Schema):
    state: ApplicationState | None = Field(
        None, description="Only this state; by default every submitted application"
    )


# --- The student's own ----------------------------------------------------------------------


class StudentCallOut(Schema):
    id: uuid.UUID
    institution: ZonedInstitutionOut
    title: str
    description: str
    academic_year: str
    terms: list[str]
    mobility_type: MobilityType
    opens_at: datetime.datetime = Field(description="In the institution's time zone")
    closes_at: datetime.datetime = Field(description="In the institution's time zone")
    window: Window
    max_choices: int
    eligible_cycles: list[int]
    required_documents: list[DocumentKind]
    my_application: uuid.UUID | None


class StudentCallDetailOut(StudentCallOut):
    places: list[PlaceBriefOut]


class StudentCallRefOut(Schema):
    id: uuid.UUID
    title: str
    institution: ZonedInstitutionOut
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    window: Window
    max_choices: int
    required_documents: list[DocumentKind]


class StudentApplicationOut(Schema):
    id: uuid.UUID
    call: StudentCallRefOut
    state: ApplicationState
    submitted_at: datetime.datetime | None
    saved_at: datetime.datetime


class StudentApplicationDetailOut(StudentApplicationOut):
    grade_average: float | None
    cycle: int | None
    languages: dict[str, str] = Field(description="Language tag -> CEFR level")
    motivation: str
    score: float | None
    choices: list[ChoiceOut]
    eligibility: Literal["live", "submitted"] = Field(
        description="live: checked now on the draft as saved; submitted: the check made on "
        "submission"
    )
    documents: list[DocumentOut]
    can_withdraw: bool
    typed: dict[str, Any] = Field(
        description="The draft exactly as last typed on the page, values not valid yet included"
    )


class DraftPatch(PatchSchema):
    """What changes in the draft; fields left out keep their saved value."""

    nullable = frozenset({"grade_average", "cycle"})

    grade_average: Decimal | None = Field(
        None, description="0 to 100 with at most two decimals; null clears it"
    )
    cycle: StrictInt | None = Field(None, description="EQF 5 to 8; null clears it")
    languages: dict[Annotated[str, Field(max_length=35)], CefrLevel] | None = Field(
        None, max_length=10, description="Every language: tag -> CEFR level (A1..C2, NS)"
    )
    motivation: str | None = Field(None, max_length=20_000)
    choices: list[uuid.UUID] | None = Field(
        None, max_length=10, description="Place ids, best first; [] clears them"
    )
