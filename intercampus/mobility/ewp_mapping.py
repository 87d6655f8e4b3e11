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

What an imported document carries beyond those fields is kept in ``ewp_extra`` (see
:func:`agreement_extra` and :func:`condition_extra`) and in a contact's ``ewp`` key, so that a
copy imported and exported again serves every element and attribute it was received with, and
therefore the same ``iia-hash``. A value edited on the platform wins over the kept one: a kept
contact is served only while its name, e-mail, phone and role still match the edited fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict
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


def iia_from_agreement(agreement: Agreement, *, in_effect: bool | None = None) -> Iia:
    """The ``Iia`` that ``agreement``'s owner serves: owner first, then the partner.

    ``in_effect`` overrides the stored flag (the export passes whether both partners ever
    approved the agreement); it is not part of the hash.
    """
    owner_unit = agreement.owner_ounit
    contacts = agreement.contacts or []
    extra = agreement.ewp_extra or {}
    ours = IiaPartner(
        hei_id=agreement.owner.schac,
        ounit_id=str(owner_unit.uuid) if owner_unit else extra.get("owner_ounit_id"),
        iia_id=agreement.iia_id,
        # The specification requires a code from the serving partner; a copy that has none
        # yet (e.g. just imported) is served under its id.
        iia_code=agreement.iia_code or agreement.iia_id,
        signing_contact=_signer(agreement.owner_signer, extra.get("owner_signing_contact")),
        signing_date=agreement.owner_signing_date,
        contacts=[_contact(c) for c in contacts if c.get("side", "owner") == "owner"],
    )
    theirs = IiaPartner(
        hei_id=agreement.partner_hei_id,
        ounit_id=agreement.partner_ounit_id or None,
        iia_id=agreement.partner_iia_id or None,
        iia_code=agreement.partner_iia_code or None,
        signing_contact=_signer(agreement.partner_signer, extra.get("partner_signing_contact")),
        signing_date=agreement.partner_signing_date,
        contacts=[_contact(c) for c in contacts if c.get("side") == "partner"],
    )
    return Iia(
        partners=[ours, theirs],
        in_effect=agreement.in_effect if in_effect is None else in_effect,
        cooperation_conditions=[
            condition_to_interop(c) for c in served_order(agreement.conditions.all())
        ],
        terminated_as_a_whole=agreement.terminated,
        iia_hash=agreement.iia_hash or None,
        pdf_file=extra.get("pdf_file"),
    )


def condition_to_interop(condition: ConditionRow) -> CooperationCondition:
    student = condition.mobility_type in STUDENT_TYPES
    extra = condition.ewp_extra or {}
    return CooperationCondition(
        mobility_type=MobilityType(condition.mobility_type),
        sending_hei_id=condition.sending_hei_id,
        sending_ounit_id=condition.sending_ounit_id or None,
        sending_contacts=[contact_from_data(c) for c in extra.get("sending_contacts", [])],
        receiving_hei_id=condition.receiving_hei_id,
        receiving_ounit_id=condition.receiving_ounit_id or None,
        receiving_contacts=[contact_from_data(c) for c in extra.get("receiving_contacts", [])],
        receiving_first_academic_year_id=condition.first_academic_year,
        receiving_last_academic_year_id=condition.last_academic_year,
        mobilities_per_year=condition.mobilities_per_year,
        mobilities_per_year_not_yet_defined=bool(extra.get("mobilities_per_year_not_yet_defined")),
        recommended_language_skills=[_skill(s) for s in condition.language_skills or []],
        subject_areas=[_area(a) for a in condition.subject_areas or []],
        other_info_terms=condition.other_info or None,
        total_months_per_year=(
            _lexical(condition.total_months_per_year, extra.get("total_months_per_year_text"))
            if student
            else None
        ),
        blended=bool(condition.blended) if student else None,
        eqf_levels=[int(level) for level in condition.eqf_levels or []] if student else [],
        total_days_per_year=(
            None
            if student
            else _lexical(condition.total_days_per_year, extra.get("total_days_per_year_text"))
        ),
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


def _lexical(value: Decimal | None, received: str | None) -> Decimal | None:
    """The number as received ("5.0" hashes differently from "5") while it is unchanged."""
    if value is not None and received and Decimal(received) == Decimal(value):
        return Decimal(received)
    return _decimal(value)


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
        not_yet_defined=bool(data.get("not_yet_defined")),
    )


def _signer(name: str, kept: dict[str, Any] | None) -> Contact | None:
    """The signing contact as received while its name is the one stored, else the name."""
    if kept is not None and _name_of(contact_from_data(kept)) == name:
        return contact_from_data(kept)
    return Contact(names=[LangText(name)]) if name else None


def _contact(data: dict[str, Any]) -> Contact:
    kept = data.get("ewp")
    if kept is not None:
        contact = contact_from_data(kept)
        if _contact_data(contact, data.get("side", "owner")) == _plain(data):
            return contact
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


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "ewp"} | {"side": data.get("side", "owner")}


def contact_data(contact: Contact) -> dict[str, Any]:
    """A contact as JSON data, every field kept (the inverse of :func:`contact_from_data`)."""
    return asdict(contact)


def contact_from_data(data: dict[str, Any]) -> Contact:
    def texts(name: str) -> list[LangText]:
        return [LangText(**t) for t in data.get(name, [])]

    def phones(name: str) -> list[PhoneNumber]:
        return [PhoneNumber(**p) for p in data.get(name, [])]

    return Contact(
        names=texts("names"),
        given_names=texts("given_names"),
        family_names=texts("family_names"),
        gender=data.get("gender"),
        phones=phones("phones"),
        faxes=phones("faxes"),
        emails=list(data.get("emails", [])),
        addresses=list(data.get("addresses", [])),
        role_descriptions=texts("role_descriptions"),
    )


# --- interop -> ORM -------------------------------------------------------------------------


def agreement_fields_from_iia(iia: Iia, *, owner_hei_id: str) -> dict[str, Any]:
    """Agreement field values for the copy ``owner_hei_id`` serves as ``iia`` (without the
    owner, the partner FK and the conditions, which the caller resolves)."""
    ours = next(p for p in iia.partners if p.hei_id == owner_hei_id)
    theirs = next((p for p in iia.partners if p is not ours), None)
    contacts = [_contact_row(c, "owner") for c in ours.contacts]
    if theirs is not None:
        contacts += [_contact_row(c, "partner") for c in theirs.contacts]
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
        "ewp_extra": agreement_extra(iia, ours, theirs),
    }


def agreement_extra(iia: Iia, ours: IiaPartner, theirs: IiaPartner | None) -> dict[str, Any]:
    """What a copy keeps of the document beyond its modelled fields (only what is there).

    ``owner_ounit_id`` is kept as received; an owner on the platform serves its unit's UUID
    instead when the id names one of its units.
    """
    extra: dict[str, Any] = {
        "owner_ounit_id": ours.ounit_id,
        "pdf_file": iia.pdf_file,
        "owner_signing_contact": _kept_contact(ours.signing_contact),
        "partner_signing_contact": _kept_contact(theirs.signing_contact) if theirs else None,
    }
    return {key: value for key, value in extra.items() if value is not None}


def _kept_contact(contact: Contact | None) -> dict[str, Any] | None:
    return contact_data(contact) if contact is not None else None


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
        "ewp_extra": condition_extra(condition),
    }


def condition_extra(condition: CooperationCondition) -> dict[str, Any]:
    """What a condition keeps of the document beyond its modelled fields (only what is there)."""
    extra: dict[str, Any] = {
        "sending_contacts": [contact_data(c) for c in condition.sending_contacts],
        "receiving_contacts": [contact_data(c) for c in condition.receiving_contacts],
        "mobilities_per_year_not_yet_defined": condition.mobilities_per_year_not_yet_defined,
        "total_months_per_year_text": _text_of(condition.total_months_per_year),
        "total_days_per_year_text": _text_of(condition.total_days_per_year),
    }
    return {key: value for key, value in extra.items() if value}


def _text_of(value: Decimal | None) -> str | None:
    """The lexical form received, when the model's normalised one would differ."""
    if value is None:
        return None
    received = format(value, "f")
    return None if received == format(_decimal(value), "f") else received


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
    data = {
        "language": skill.language,
        "cefr_level": skill.cefr_level or "",
        "isced_f_code": area.isced_f_code if area else "",
        "isced_clarification": (area.isced_clarification or "") if area else "",
    }
    if area and area.v6_value:
        data["v6_value"] = area.v6_value
    if skill.not_yet_defined:
        data["not_yet_defined"] = True
    return data


def _name_of(contact: Contact | None) -> str:
    if contact is None or not contact.names:
        return ""
    return contact.names[0].text


def _contact_data(contact: Contact, side: str) -> dict[str, Any]:
    """The fields the platform shows and edits; :func:`_contact_row` adds the kept contact."""
    phone = contact.phones[0] if contact.phones else None
    return {
        "name": _name_of(contact),
        "email": contact.emails[0] if contact.emails else "",
        "phone": (phone.e164 or phone.other_format or "") if phone else "",
        "role": contact.role_descriptions[0].text if contact.role_descriptions else "",
        "side": side,
    }


def _contact_row(contact: Contact, side: str) -> dict[str, Any]:
    return _contact_data(contact, side) | {"ewp": contact_data(contact)}
