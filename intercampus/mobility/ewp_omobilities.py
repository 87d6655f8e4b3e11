"""Our nominations as an EWP Outgoing Mobilities v3 ``get-response``.

Two halves, as ``ewp_mapping`` does for agreements:

* plain dataclasses and :func:`build_get_response`, which writes the document and validates
  it against the official schema before returning it (no ORM);
* :func:`mobility_from_nomination`, which reads one ``Nomination`` (with its application,
  place, agreement and the student's profile) as the ``StudentMobility`` its home serves.

What v3 cannot carry is said by :func:`missing`, so that a page can tell the officer what to
complete rather than serve an invalid document: v3 knows only student mobilities for
studies, and requires the student's birth date and nationality.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from lxml import etree

from intercampus.interop.schemas import EwpXmlError, validate_element
from intercampus.mobility import isced
from intercampus.mobility.choices import MobilityType, NominationStatus

OMOBILITIES_NS = (
    "https://github.com/erasmus-without-paper/ewp-specs-api-omobilities/blob/stable-v3/"
    "endpoints/get-response.xsd"
)
KIND = "omobilities-get-response"
ESI_PREFIX = "urn:schac:personalUniqueCode:int:esi"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Used when neither the place nor the agreement names a field of education.
UNKNOWN_ISCED = "9999"
STATUS = {
    NominationStatus.PENDING: "pending",
    NominationStatus.ACCEPTED: "approved",
    NominationStatus.REJECTED: "rejected",
    NominationStatus.CANCELLED: "cancelled",
}


class OMobilityXmlError(EwpXmlError):
    """The mobilities given cannot make a valid Outgoing Mobilities v3 get response."""


@dataclass(frozen=True)
class Student:
    """The ``student`` element: who is sent (v3 requires every field)."""

    given_names: str
    family_name: str
    global_id: str
    birth_date: datetime.date | None
    nationality: str
    gender: int
    email: str


@dataclass(frozen=True)
class StudentMobility:
    """One ``student-mobility`` as the sending HEI serves it."""

    omobility_id: str
    student: Student
    sending_hei_id: str
    receiving_hei_id: str
    receiving_academic_year_id: str
    agreement_isced_f_code: str
    eqf_level: int | None
    nominee_isced_f_code: str
    status: str
    # None: a "non-standard mobility period" (no single term holds it).
    sending_term_id: str | None = None
    sending_ounit_id: str | None = None
    sending_iia_id: str | None = None
    receiving_ounit_id: str | None = None
    receiving_iia_id: str | None = None
    activity_type: str = MobilityType.STUDENT_STUDIES.value
    activity_attributes: str = "long-term"
    extra_names: tuple[tuple[str, str, str], ...] = field(default=())  # (lang, given, family)

    @property
    def proposal_id(self) -> str:
        """Changes if and only if the nomination's content changes (as v3 requires)."""
        parts = [
            self.sending_hei_id,
            self.sending_ounit_id or "",
            self.sending_iia_id or "",
            self.receiving_hei_id,
            self.receiving_ounit_id or "",
            self.receiving_iia_id or "",
            self.sending_term_id or "",
            self.receiving_academic_year_id,
            self.activity_type,
            self.activity_attributes,
            self.agreement_isced_f_code,
            str(self.eqf_level or ""),
            self.nominee_isced_f_code,
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


# --- What v3 cannot carry -------------------------------------------------------------------


def missing(mobility: StudentMobility) -> list[str]:
    """What keeps ``mobility`` out of a valid v3 document, in words for the officer ([] = ok)."""
    found = []
    if mobility.activity_type != MobilityType.STUDENT_STUDIES:
        found.append(str(_("Outgoing Mobilities v3 covers student mobility for studies only")))
    student = mobility.student
    if not student.given_names.strip():
        found.append(str(_("the student's given names")))
    if not student.family_name.strip():
        found.append(str(_("the student's family name")))
    if student.birth_date is None:
        found.append(str(_("the student's date of birth")))
    if not student.nationality:
        found.append(str(_("the student's nationality")))
    if mobility.eqf_level is None:
        found.append(str(_("the student's study cycle (EQF)")))
    return found


# --- Building -------------------------------------------------------------------------------


def build_get_response(mobilities: Iterable[StudentMobility]) -> bytes:
    """Serialize ``mobilities`` as a valid v3 get response (UTF-8 bytes).

    Raises OMobilityXmlError, with the schema's problems, when the data cannot make a valid
    document; callers leave out what :func:`missing` names first.
    """
    root = etree.Element(
        f"{{{OMOBILITIES_NS}}}omobilities-get-response", nsmap={None: OMOBILITIES_NS}
    )
    for mobility in mobilities:
        _build_mobility(root, mobility)
    problems = validate_element(root, KIND)
    if problems:
        raise OMobilityXmlError(
            "the nominations do not make a valid OMobilities v3 response", problems
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{OMOBILITIES_NS}}}{name}")
    if text is not None:
        child.text = text
    return child


def _opt(parent: etree._Element, name: str, text: str | None) -> None:
    if text:
        _sub(parent, name, text)


def _build_mobility(root: etree._Element, mobility: StudentMobility) -> None:
    el = _sub(root, "student-mobility")
    _sub(el, "omobility-id", mobility.omobility_id)
    _build_student(_sub(el, "student"), mobility)
    nomination = _sub(el, "nomination")
    nomination.set("proposal-id", mobility.proposal_id)
    sending = _sub(nomination, "sending-hei")
    _sub(sending, "hei-id", mobility.sending_hei_id)
    _opt(sending, "ounit-id", mobility.sending_ounit_id)
    # The receiving HEI's id is required whenever ours is given: give both or neither.
    both_ids = bool(mobility.sending_iia_id and mobility.receiving_iia_id)
    _opt(sending, "iia-id", mobility.sending_iia_id if both_ids else None)
    receiving = _sub(nomination, "receiving-hei")
    _sub(receiving, "hei-id", mobility.receiving_hei_id)
    _opt(receiving, "ounit-id", mobility.receiving_ounit_id)
    _opt(receiving, "iia-id", mobility.receiving_iia_id if both_ids else None)
    if mobility.sending_term_id:
        _sub(nomination, "sending-academic-term-ewp-id", mobility.sending_term_id)
    else:
        _sub(nomination, "non-standard-mobility-period")
    _sub(nomination, "receiving-academic-year-id", mobility.receiving_academic_year_id)
    _sub(nomination, "activity-type", mobility.activity_type)
    _sub(nomination, "activity-attributes", mobility.activity_attributes)
    _sub(nomination, "agreement-isced-f-code", mobility.agreement_isced_f_code)
    _sub(nomination, "eqf-level-studied-at-departure", str(mobility.eqf_level or ""))
    _sub(nomination, "nominee-isced-f-code", mobility.nominee_isced_f_code)
    _sub(el, "status", mobility.status)


def _build_student(el: etree._Element, mobility: StudentMobility) -> None:
    student = mobility.student
    _sub(el, "given-names", student.given_names)
    for lang, given, _family in mobility.extra_names:
        _sub(el, "given-names", given).set(XML_LANG, lang)
    _sub(el, "family-name", student.family_name)
    for lang, _given, family in mobility.extra_names:
        _sub(el, "family-name", family).set(XML_LANG, lang)
    _sub(el, "global-id", student.global_id)
    _sub(el, "birth-date", student.birth_date.isoformat() if student.birth_date else "")
    _sub(el, "nationality", student.nationality)
    _sub(el, "gender", str(student.gender))
    _sub(el, "email", student.email)


# --- Values ---------------------------------------------------------------------------------


def esi(home_hei_id: str, local_code: str) -> str:
    """The European Student Identifier: ``urn:schac:personalUniqueCode:int:esi:<home>:<code>``."""
    return f"{ESI_PREFIX}:{home_hei_id}:{local_code}"


def detailed_isced(code: str) -> str:
    """A four-digit ISCED-F code for ``code``: itself, its "not further defined" detailed code
    for a broad or narrow field (``07`` -> ``0700``), else ``9999`` (field unknown)."""
    code = (code or "").strip()
    if isced.is_detailed_code(code):
        return code
    padded = code.ljust(4, "0")
    if code.isdigit() and len(code) in (2, 3) and isced.is_detailed_code(padded):
        return padded
    return UNKNOWN_ISCED


def sending_term(academic_year: str, terms: list[str]) -> str | None:
    """The smallest EWP term known to hold the mobility: the call's only term, else the whole
    academic year (``YYYY/YYYY-1/1``)."""
    if len(terms) == 1:
        return terms[0]
    return f"{academic_year}-1/1" if academic_year else None


# --- From our rows --------------------------------------------------------------------------


def mobility_from_nomination(nomination) -> StudentMobility:
    """The ``StudentMobility`` the home serves for ``nomination``.

    Expects ``application__call``, ``application__student``, ``place__condition__agreement``
    and ``home`` to be loaded (or loadable: the caller runs inside the home's scope or reads
    with scopes disabled). The student's profile may be missing: :func:`missing` then says so.
    """
    application = nomination.application
    call = application.call
    user = application.student
    profile = _profile(user)
    place = nomination.place
    condition = place.condition
    agreement = condition.agreement
    agreement_code = place.subject_area or _first_area(condition.subject_areas)
    agreement_isced = detailed_isced(agreement_code)
    nominee_code = profile.isced_f_code if profile and profile.isced_f_code else ""
    eqf = application.cycle or (min(place.eqf_levels) if place.eqf_levels else None)
    return StudentMobility(
        omobility_id=nomination.omobility_id,
        student=Student(
            given_names=user.first_name,
            family_name=user.last_name,
            global_id=esi(nomination.home.schac, (profile and profile.esi_code) or str(user.uuid)),
            birth_date=profile.birth_date if profile else None,
            nationality=str(profile.nationality.code or "") if profile else "",
            gender=int(profile.gender) if profile else 0,
            email=user.email,
        ),
        sending_hei_id=nomination.home.schac,
        sending_ounit_id=condition.sending_ounit_id or None,
        sending_iia_id=agreement.iia_id if agreement.partner_iia_id else None,
        receiving_hei_id=nomination.host_hei_id,
        receiving_ounit_id=condition.receiving_ounit_id or None,
        receiving_iia_id=agreement.partner_iia_id or None,
        sending_term_id=sending_term(call.academic_year, list(call.terms or [])),
        receiving_academic_year_id=call.academic_year,
        activity_type=call.mobility_type,
        agreement_isced_f_code=agreement_isced,
        eqf_level=int(eqf) if eqf else None,
        nominee_isced_f_code=detailed_isced(nominee_code) if nominee_code else agreement_isced,
        status=STATUS.get(nomination.status, "pending"),
    )


def _profile(user):
    from intercampus.mobility.models import StudentProfile

    try:
        return user.student_profile
    except StudentProfile.DoesNotExist:
        return None


def _first_area(areas: list | None) -> str:
    for area in areas or []:
        code = area.get("isced_f_code") if isinstance(area, dict) else str(area)
        if code:
            return code
    return ""
