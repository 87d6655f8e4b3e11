"""Our Agreement rows <-> the IIAs v7 dataclasses of ``intercampus.interop.iia_xml``.

One copy maps to one ``Iia`` as its owner serves it: the owner first, the partner second,
the cooperation conditions in the order they are served (and hashed). The ``iia-hash`` of a
copy is computed by the interop layer over exactly that element, never by a hash of our own.

JSON shapes of a condition's lists (the model leaves them free; this module fixes them):

* ``subject_areas``: ``[{"isced_f_code": "0714", "isced_clarification": "", "v6_value": ""}]``
  (``v6_value`` only on copies imported from a v6 approval; never set by our forms);
* ``language_skills``: ``[{"language": "en", "cefr_level": "B2", "isced_f_code": "",
  "isced_clarification": ""}]`` (the subject area a language is recommended for is optional);
* ``eqf_levels``: ``[6, 7]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from intercampus.interop.iia_hash import IiaHashResult, hash_result
from intercampus.interop.iia_xml import (
    Contact,
    CooperationCondition,
    Iia,
    IiaPartner,
    LangText,
    LanguageSkill,
    MobilityType,
    PhoneNumber,
    SubjectArea,
    build_iia_element,
)
from intercampus.mobility.choices import STUDENT_TYPES
from intercampus.mobility.choices import MobilityType as ModelMobilityType
from intercampus.mobility.models import Agreement
from intercampus.mobility.models import CooperationCondition as ConditionRow

# The schema's order of the four kinds of condition; within a kind, our ``position``.
TYPE_ORDER = {value: i for i, value in enumerate(ModelMobilityType.values)}
_E164 = re.compile(r"^\+[0-9]{1,15}$")


def served_order(conditions: Iterable[ConditionRow]) -> list[ConditionRow]:
    """Conditions in the order a get response serves them, which is the order they are hashed:
    grouped by kind in schema order, then by position."""
    return sorted(conditions, key=lambda c: (TYPE_ORDER.get(c.mobility_type, 99), c.position, c.pk))


# --- ORM -> interop -------------------------------------------------------------------------


def iia_from_agreement(agreement: Agreement) -> Iia:
    """The ``Iia`` that ``agreement``'s owner serves: owner first, then the partner."""
    owner_unit = agreement.owner_ounit
    contacts = agreement.contacts or []
    ours = IiaPartner(
        hei_id=agreement.owner.schac,
        ounit_id=str(owner_unit.uuid) if owner_unit else None,
        iia_id=agreement.iia_id,
        # The specification requires a code from the serving partner; a copy that has none
        # yet (e.g. just imported) is served under its id.
        iia_code=agreement.iia_code or agreement.iia_id,
        signing_contact=_person(agreement.owner_signer),
        signing_date=agreement.owner_signing_date,
        contacts=[_contact(c) for c in contacts if c.get("side", "owner") == "owner"],
    )
    theirs = IiaPartner(
        hei_id=agreement.partner_hei_id,
        ounit_id=agreement.partner_ounit_id or None,
        iia_id=agreement.partner_iia_id or None,
        iia_code=agreement.partner_iia_code or None,
        signing_contact=_person(agreement.partner_signer),
        signing_date=agreement.partner_signing_date,
        contacts=[_contact(c) for c in contacts if c.get("side") == "partner"],
    )
    return Iia(
        partners=[ours, theirs],
        in_effect=agreement.in_effect,
        cooperation_conditions=[
            condition_to_interop(c) for c in served_order(agreement.conditions.all())
        ],
        terminated_as_a_whole=agreement.terminated,
        iia_hash=agreement.iia_hash or None,
    )


def condition_to_interop(condition: ConditionRow) -> CooperationCondition:
    student = condition.mobility_type in STUDENT_TYPES
    return CooperationCondition(
        mobility_type=MobilityType(condition.mobility_type),
        sending_hei_id=condition.sending_hei_id,
        sending_ounit_id=condition.sending_ounit_id or None,
        receiving_hei_id=condition.receiving_hei_id,
        receiving_ounit_id=condition.receiving_ounit_id or None,
        receiving_first_academic_year_id=condition.first_academic_year,
        receiving_last_academic_year_id=condition.last_academic_year,
        mobilities_per_year=condition.mobilities_per_year,
        recommended_language_skills=[_skill(s) for s in condition.language_skills or []],
        subject_areas=[_area(a) for a in condition.subject_areas or []],
        other_info_terms=condition.other_info or None,
        total_months_per_year=_decimal(condition.total_months_per_year) if student else None,
        blended=bool(condition.blended) if student else None,
        eqf_levels=[int(level) for level in condition.eqf_levels or []] if student else [],
        total_days_per_year=None if student else _decimal(condition.total_days_per_year),
    )


def agreement_hash_result(agreement: Agreement) -> IiaHashResult:
    """The interop layer's hash of the copy as served (and whether it can be approved)."""
    return hash_result(build_iia_element(iia_from_agreement(agreement)))


def agreement_iia_hash(agreement: Agreement) -> str:
    """The IIAs v7 ``iia-hash`` of ``agreement`` as its owner serves it now."""
    return agreement_hash_result(agreement).iia_hash


def _decimal(value: Decimal | None) -> Decimal | None:
    # One lexical form for one number ("5", not "5.00"), so that equal copies hash equally.
    return None if value is None else Decimal(value).normalize()


def _area(data: dict[str, Any]) -> SubjectArea:
    return SubjectArea(
        isced_f_code=data["isced_f_code"],
        isced_clarification=data.get("isced_clarification") or None,
        v6_value=data.get("v6_value") or None,
    )


def _skill(data: dict[str, Any]) -> LanguageSkill:
    code = data.get("isced_f_code") or ""
    return LanguageSkill(
        language=data["language"],
        cefr_level=data.get("cefr_level") or None,
        subject_area=_area(data) if code else None,
    )


def _person(name: str) -> Contact | None:
    return Contact(names=[LangText(name)]) if name else None


def _contact(data: dict[str, Any]) -> Contact:
    phone = (data.get("phone") or "").strip()
    phones = []
    if phone:
        phones.append(
            PhoneNumber(e164=phone) if _E164.match(phone) else PhoneNumber(other_format=phone)
        )
    return Contact(
        names=[LangText(data.get("name") or data.get("email") or "")],
        emails=[data["email"]] if data.get("email") else [],
        phones=phones,
        role_descriptions=[LangText(data["role"])] if data.get("role") else [],
    )


# --- interop -> ORM -------------------------------------------------------------------------


def agreement_fields_from_iia(iia: Iia, *, owner_hei_id: str) -> dict[str, Any]:
    """Agreement field values for the copy ``owner_hei_id`` serves as ``iia`` (without the
    owner, the partner FK and the conditions, which the caller resolves)."""
    ours = next(p for p in iia.partners if p.hei_id == owner_hei_id)
    theirs = next((p for p in iia.partners if p is not ours), None)
    contacts = [_contact_data(c, "owner") for c in ours.contacts]
    if theirs is not None:
        contacts += [_contact_data(c, "partner") for c in theirs.contacts]
    return {
        "iia_id": ours.iia_id or "",
        "iia_code": ours.iia_code or "",
        "partner_hei_id": theirs.hei_id if theirs else "",
        "partner_ounit_id": (theirs.ounit_id or "") if theirs else "",
        "partner_iia_id": (theirs.iia_id or "") if theirs else "",
        "partner_iia_code": (theirs.iia_code or "") if theirs else "",
        "in_effect": iia.in_effect,
        "terminated": iia.terminated_as_a_whole,
        "owner_signer": _name_of(ours.signing_contact),
        "owner_signing_date": ours.signing_date,
        "partner_signer": _name_of(theirs.signing_contact) if theirs else "",
        "partner_signing_date": theirs.signing_date if theirs else None,
        "contacts": contacts,
    }


def condition_fields_from_interop(condition: CooperationCondition) -> dict[str, Any]:
    """CooperationCondition field values (without ``agreement`` and ``position``)."""
    return {
        "mobility_type": condition.mobility_type.value,
        "sending_hei_id": condition.sending_hei_id,
        "sending_ounit_id": condition.sending_ounit_id or "",
        "receiving_hei_id": condition.receiving_hei_id,
        "receiving_ounit_id": condition.receiving_ounit_id or "",
        "first_academic_year": condition.receiving_first_academic_year_id,
        "last_academic_year": condition.receiving_last_academic_year_id,
        "mobilities_per_year": condition.mobilities_per_year,
        "total_months_per_year": condition.total_months_per_year,
        "total_days_per_year": condition.total_days_per_year,
        "subject_areas": [_area_data(a) for a in condition.subject_areas],
        "eqf_levels": list(condition.eqf_levels),
        "language_skills": [_skill_data(s) for s in condition.recommended_language_skills],
        "blended": bool(condition.blended),
        "other_info": condition.other_info_terms or "",
    }


def _area_data(area: SubjectArea) -> dict[str, str]:
    data = {
        "isced_f_code": area.isced_f_code,
        "isced_clarification": area.isced_clarification or "",
    }
    if area.v6_value:
        data["v6_value"] = area.v6_value
    return data


def _skill_data(skill: LanguageSkill) -> dict[str, str]:
    area = skill.subject_area
    return {
        "language": skill.language,
        "cefr_level": skill.cefr_level or "",
        "isced_f_code": area.isced_f_code if area else "",
        "isced_clarification": (area.isced_clarification or "") if area else "",
    }


def _name_of(contact: Contact | None) -> str:
    if contact is None or not contact.names:
        return ""
    return contact.names[0].text


def _contact_data(contact: Contact, side: str) -> dict[str, str]:
    phone = contact.phones[0] if contact.phones else None
    return {
        "name": _name_of(contact),
        "email": contact.emails[0] if contact.emails else "",
        "phone": (phone.e164 or phone.other_format or "") if phone else "",
        "role": contact.role_descriptions[0].text if contact.role_descriptions else "",
        "side": side,
    }
