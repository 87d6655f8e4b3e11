"""Writes on agreements: a copy, its cooperation conditions, the link between the two partners'
copies, approval of the partner's copy, termination and deletion.

Every service is keyword-only and atomic, audits what it changed (``mobility.agreement.*``),
recomputes the copy's ``iia_hash`` through :mod:`intercampus.mobility.ewp_mapping` whenever
what the hash covers may have changed, and tells a partner on the platform (in-app notice
and e-mail, :mod:`intercampus.mobility.notifications`). A refused change raises
``ServiceError`` (a rule) or ``ValidationError`` (field values, keyed by field name).
"""

from __future__ import annotations

import re
import uuid as uuid_lib
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from intercampus.core.audit import audit_log, snapshot
from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution, OrganisationalUnit, schac_validator
from intercampus.lib.codes import validate_language_tags
from intercampus.mobility import isced, notifications
from intercampus.mobility.choices import STUDENT_TYPES, MobilityType
from intercampus.mobility.ewp_mapping import agreement_iia_hash, served_order
from intercampus.mobility.models import Agreement, AgreementApproval, CooperationCondition
from intercampus.mobility.selectors import agreements as selectors

ACADEMIC_YEAR = re.compile(r"^([0-9]{4})/([0-9]{4})$")
# EWP's AsciiPrintableIdentifier: 1 to 64 printable ASCII characters, no space.
EWP_ID = re.compile(r"^[\x21-\x7e]{1,64}$")
CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
EQF_LEVELS = (5, 6, 7, 8)
# The schema requires at least one recommended language skill for these two kinds.
LANGUAGE_REQUIRED = frozenset({MobilityType.STUDENT_STUDIES, MobilityType.STAFF_TEACHING})
CONDITION_FIELDS = frozenset(
    {
        "mobility_type",
        "sending_hei_id",
        "sending_ounit_id",
        "receiving_hei_id",
        "receiving_ounit_id",
        "first_academic_year",
        "last_academic_year",
        "mobilities_per_year",
        "total_months_per_year",
        "total_days_per_year",
        "subject_areas",
        "eqf_levels",
        "language_skills",
        "blended",
        "other_info",
    }
)
REQUIRED_CONDITION_FIELDS = frozenset(
    {
        "mobility_type",
        "sending_hei_id",
        "receiving_hei_id",
        "first_academic_year",
        "last_academic_year",
        "mobilities_per_year",
    }
)


# --- Helpers --------------------------------------------------------------------------------


def _lock(agreement: Agreement) -> Agreement:
    """Re-read the copy under a row lock, so that two changes never interleave with the hash.

    By primary key of an object the caller already holds, so no scope is needed to find it.
    """
    with scopes_disabled():
        return (
            Agreement.objects.select_for_update(of=("self",))
            .select_related("owner", "owner_ounit", "partner")
            .get(pk=agreement.pk)
        )


def _refresh_hash(agreement: Agreement) -> None:
    agreement.iia_hash = agreement_iia_hash(agreement)
    agreement.save(update_fields=["iia_hash", "updated"])


def _audit(actor: Any, action: str, obj: Any, owner: Institution, **kwargs: Any) -> None:
    audit_log(actor=actor, action=action, obj=obj, institution=owner, **kwargs)


def _refuse_if_terminated(agreement: Agreement) -> None:
    if agreement.terminated:
        raise ServiceError(_("This agreement is terminated: it can no longer be changed."))


def _unit_of(institution: Institution, unit: OrganisationalUnit | None) -> None:
    if unit is not None and unit.institution_id != institution.pk:
        raise ValidationError({"owner_ounit": _("Choose one of your own units.")})


def _check_code(owner: Institution, iia_code: str, exclude: Agreement | None = None) -> str:
    iia_code = (iia_code or "").strip()
    if not iia_code:
        raise ValidationError({"iia_code": _("Give the agreement a code people can quote.")})
    with scopes_disabled():
        taken = Agreement.objects.filter(owner=owner, iia_code=iia_code)
        if exclude is not None:
            taken = taken.exclude(pk=exclude.pk)
        if taken.exists():
            raise ValidationError({"iia_code": _("You already have an agreement with this code.")})
    return iia_code


def _check_partner_unit(partner: Institution | None, unit_id: str, field: str) -> str:
    unit_id = (unit_id or "").strip()
    if not unit_id:
        return ""
    if partner is not None:
        if not OrganisationalUnit.objects.filter(institution=partner, uuid=_uuid(unit_id)).exists():
            raise ValidationError({field: _("Choose one of this institution's units.")})
    elif not EWP_ID.match(unit_id):
        raise ValidationError(
            {field: _("A unit id is 1 to 64 printable characters, without spaces.")}
        )
    return unit_id


def _uuid(value: str) -> uuid_lib.UUID | None:
    try:
        return uuid_lib.UUID(str(value))
    except ValueError:
        return None


# --- Agreements -----------------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    owner: Institution,
    partner_hei_id: str,
    iia_code: str,
    owner_ounit: OrganisationalUnit | None = None,
    partner_ounit_id: str = "",
) -> Agreement:
    """Create ``owner``'s own copy of an agreement with the partner named by SCHAC code.

    The partner may be on the platform (then ``partner`` is set and its staff are told) or
    anywhere else (reached through EWP). Raises ValidationError on a bad code or unit.
    """
    agreement = _create(
        actor=actor,
        owner=owner,
        partner_hei_id=partner_hei_id,
        iia_code=iia_code,
        owner_ounit=owner_ounit,
        partner_ounit_id=partner_ounit_id,
    )
    notifications.agreement_notify(agreement=agreement, kind=notifications.CREATED)
    return agreement


def _create(
    *,
    actor: Any,
    owner: Institution,
    partner_hei_id: str,
    iia_code: str,
    owner_ounit: OrganisationalUnit | None,
    partner_ounit_id: str,
) -> Agreement:
    partner_hei_id = (partner_hei_id or "").strip().lower()
    try:
        schac_validator(partner_hei_id)
    except ValidationError as error:
        raise ValidationError({"partner_hei_id": error.messages}) from None
    if partner_hei_id == owner.schac:
        raise ValidationError({"partner_hei_id": _("An agreement needs another institution.")})
    partner = Institution.objects.filter(schac=partner_hei_id, on_platform=True).first()
    _unit_of(owner, owner_ounit)
    agreement = Agreement(
        owner=owner,
        partner=partner,
        partner_hei_id=partner_hei_id,
        iia_code=_check_code(owner, iia_code),
        owner_ounit=owner_ounit,
        partner_ounit_id=_check_partner_unit(partner, partner_ounit_id, "partner_ounit_id"),
    )
    agreement.full_clean()
    agreement.save()
    _refresh_hash(agreement)
    _audit(actor, "mobility.agreement.created", agreement, owner)
    return agreement


@transaction.atomic
def agreement_change(
    *,
    actor: Any,
    agreement: Agreement,
    iia_code: str,
    owner_ounit: OrganisationalUnit | None = None,
    partner_ounit_id: str = "",
) -> Agreement:
    """Change the copy's code and units (none of them is part of the hash).

    The linked partner copy's ``partner_iia_code`` follows, so both copies quote the same code.
    """
    agreement = _lock(agreement)
    _refuse_if_terminated(agreement)
    _unit_of(agreement.owner, owner_ounit)
    before = snapshot(agreement)
    agreement.iia_code = _check_code(agreement.owner, iia_code, exclude=agreement)
    agreement.owner_ounit = owner_ounit
    agreement.partner_ounit_id = _check_partner_unit(
        agreement.partner, partner_ounit_id, "partner_ounit_id"
    )
    agreement.full_clean()
    agreement.save()
    _refresh_hash(agreement)
    _audit(actor, "mobility.agreement.changed", agreement, agreement.owner, before=before)
    theirs = selectors.partner_copy(agreement)
    if selectors.is_linked(agreement, theirs) and theirs.partner_iia_code != agreement.iia_code:
        _set_partner_side(
            actor,
            theirs,
            "mobility.agreement.partner_code_changed",
            partner_iia_code=agreement.iia_code,
        )
    notifications.agreement_notify(agreement=agreement, kind=notifications.CHANGED)
    return agreement


def _set_partner_side(actor: Any, theirs: Agreement, action: str, **fields: str) -> None:
    """Write what our side of the link says into the partner's copy (its ids of us), audited
    under the partner's institution: the same mapping EWP partners do on their side."""
    theirs = _lock(theirs)
    before = snapshot(theirs)
    for name, value in fields.items():
        setattr(theirs, name, value)
    theirs.save()
    _refresh_hash(theirs)
    _audit(actor, action, theirs, theirs.owner, before=before)


@transaction.atomic
def agreement_link(
    *, actor: Any, agreement: Agreement, partner_iia_id: str, partner_iia_code: str = ""
) -> Agreement:
    """Tie our copy to the partner's copy with id ``partner_iia_id``.

    Partner on the platform: its copy must exist, name us, and not be tied to another copy;
    both copies then name each other (``partner_iia_id`` set both ways) and both hashes are
    recomputed. Partner elsewhere: the id (and code) it gave us through EWP is recorded.
    """
    agreement = _link(
        actor=actor,
        agreement=agreement,
        partner_iia_id=partner_iia_id,
        partner_iia_code=partner_iia_code,
    )
    notifications.agreement_notify(agreement=agreement, kind=notifications.LINKED)
    return agreement


def _link(
    *, actor: Any, agreement: Agreement, partner_iia_id: str, partner_iia_code: str
) -> Agreement:
    agreement = _lock(agreement)
    _refuse_if_terminated(agreement)
    partner_iia_id = (partner_iia_id or "").strip()
    if not EWP_ID.match(partner_iia_id):
        raise ValidationError(
            {"partner_iia_id": _("An agreement id is 1 to 64 printable characters.")}
        )
    if agreement.partner_iia_id and agreement.partner_iia_id != partner_iia_id:
        raise ServiceError(
            _("This copy is already linked to the partner's agreement {id}.").format(
                id=agreement.partner_iia_id
            ),
            field="partner_iia_id",
        )
    theirs = None
    if Institution.objects.filter(schac=agreement.partner_hei_id, on_platform=True).exists():
        theirs = _linkable_partner_copy(agreement, partner_iia_id)
        partner_iia_code = theirs.iia_code
    before = snapshot(agreement)
    agreement.partner_iia_id = partner_iia_id
    agreement.partner_iia_code = (partner_iia_code or "").strip()[:100]
    agreement.save()
    _refresh_hash(agreement)
    _audit(actor, "mobility.agreement.linked", agreement, agreement.owner, before=before)
    if theirs is not None and theirs.partner_iia_id != agreement.iia_id:
        _set_partner_side(
            actor,
            theirs,
            "mobility.agreement.linked",
            partner_iia_id=agreement.iia_id,
            partner_iia_code=agreement.iia_code,
        )
    return agreement


def _linkable_partner_copy(agreement: Agreement, partner_iia_id: str) -> Agreement:
    # Cross-tenant by design: only a copy of the partner that names us can be found here.
    candidates = {c.iia_id: c for c in selectors.link_candidates(agreement)}
    theirs = candidates.get(partner_iia_id)
    if theirs is None:
        raise ServiceError(
            _("The partner has no agreement with this id that names us and is free to link."),
            field="partner_iia_id",
        )
    return theirs


@transaction.atomic
def agreement_adopt(
    *,
    actor: Any,
    owner: Institution,
    theirs: Agreement,
    iia_code: str,
    owner_ounit: OrganisationalUnit | None = None,
) -> Agreement:
    """Create our copy from the partner's copy that names us: the same conditions in the same
    order, our own id, linked both ways. Raises ServiceError when that copy is already tied
    to one of ours or does not name us."""
    if theirs.partner_hei_id != owner.schac or theirs.owner_id == owner.pk:
        raise ServiceError(_("This copy does not name your institution as its partner."))
    if selectors.our_copy_linked_to(owner, theirs) is not None:
        raise ServiceError(_("You already have a copy linked to this agreement."))
    if theirs.partner_iia_id:
        raise ServiceError(_("The partner's copy is already linked to another agreement."))
    ours = _create(
        actor=actor,
        owner=owner,
        partner_hei_id=theirs.owner.schac,
        iia_code=iia_code,
        owner_ounit=owner_ounit,
        partner_ounit_id=str(theirs.owner_ounit.uuid) if theirs.owner_ounit else "",
    )
    for position, condition in enumerate(served_order(theirs.conditions.all())):
        copied = CooperationCondition(
            agreement=ours,
            position=position,
            **{name: getattr(condition, name) for name in CONDITION_FIELDS},
        )
        copied.full_clean()
        copied.save()
    _audit(actor, "mobility.agreement.adopted", ours, owner, after={"from": theirs.iia_id})
    ours = _link(actor=actor, agreement=ours, partner_iia_id=theirs.iia_id, partner_iia_code="")
    notifications.agreement_notify(agreement=ours, kind=notifications.ADOPTED)
    return ours


@transaction.atomic
def agreement_approve(*, actor: Any, agreement: Agreement, iia_hash: str) -> AgreementApproval:
    """Approve the partner's copy of ``agreement`` at its current version.

    ``iia_hash`` is the hash the person saw: when the partner's copy changed since (a stale
    page) the approval is refused, as it is when the copies are not linked, differ, or the
    partner's copy cannot be approved (see ``selectors.approval_blockers``). Approving the
    same version twice returns the first approval.
    """
    theirs = selectors.partner_copy(agreement)
    if theirs is None or not selectors.is_linked(agreement, theirs):
        raise ServiceError(_("Not linked yet: link our copy to the partner's before approving."))
    theirs = _lock(theirs)
    if (iia_hash or "").strip() != theirs.iia_hash:
        raise ServiceError(
            _(
                "The partner's copy changed since this page was opened: check the differences "
                "again, then approve the version shown."
            ),
            status=409,
        )
    blocking = selectors.approval_blockers(agreement, theirs)
    if blocking:
        raise ServiceError(" ".join(str(b) for b in blocking), status=409)
    approver = agreement.owner.schac
    existing = AgreementApproval.objects.filter(
        agreement=theirs, approver_hei_id=approver, iia_hash=theirs.iia_hash
    ).first()
    if existing is not None:
        return existing
    approval = AgreementApproval.objects.create(
        agreement=theirs, approver_hei_id=approver, iia_hash=theirs.iia_hash, approved_by=actor
    )
    _audit(actor, "mobility.agreement.approved", approval, agreement.owner)
    notifications.agreement_notify(
        agreement=agreement, kind=notifications.APPROVED, params={"code": theirs.iia_code}
    )
    return approval


@transaction.atomic
def agreement_terminate(*, actor: Any, agreement: Agreement) -> Agreement:
    """Terminate our copy as a whole. The marker is part of the hash, so the partner's
    earlier approval goes stale and the termination itself needs its approval."""
    agreement = _lock(agreement)
    _refuse_if_terminated(agreement)
    before = snapshot(agreement)
    agreement.terminated = True
    agreement.save()
    _refresh_hash(agreement)
    _audit(actor, "mobility.agreement.terminated", agreement, agreement.owner, before=before)
    notifications.agreement_notify(agreement=agreement, kind=notifications.TERMINATED)
    return agreement


@transaction.atomic
def agreement_delete(*, actor: Any, agreement: Agreement) -> None:
    """Delete a copy that was never approved by both sides (otherwise terminate it).

    The partner's linked copy is unlinked (EWP: when a partner deletes its copy, its id is
    removed), and the id is never reused (ids are UUIDs). Raises ServiceError when the copy
    was approved by both sides or a call's places still use its conditions.
    """
    agreement = _lock(agreement)
    if selectors.ever_approved_by_both(agreement):
        raise ServiceError(
            _("Both partners have approved this agreement: terminate it instead of deleting it.")
        )
    theirs = selectors.partner_copy(agreement)
    owner, code, iia_id = agreement.owner, agreement.iia_code, agreement.iia_id
    before = snapshot(agreement)
    try:
        with transaction.atomic():
            _audit(actor, "mobility.agreement.deleted", agreement, agreement.owner, before=before)
            agreement.delete()
    except ProtectedError as error:
        raise ServiceError(
            _("A call's places use this agreement's conditions: it cannot be deleted.")
        ) from error
    if theirs is not None and theirs.partner_iia_id == iia_id:
        _set_partner_side(
            actor, theirs, "mobility.agreement.unlinked", partner_iia_id="", partner_iia_code=""
        )
    notifications.agreement_deleted_notify(
        owner=owner, partner_hei_id=before["partner_hei_id"], code=code, theirs=theirs
    )


# --- Cooperation conditions -----------------------------------------------------------------


def _academic_year(value: Any, field: str) -> tuple[str, int]:
    text = str(value or "").strip()
    match = ACADEMIC_YEAR.match(text)
    if match is None:
        raise ValidationError({field: _("Write the academic year as YYYY/YYYY, e.g. 2026/2027.")})
    first, second = int(match[1]), int(match[2])
    # Northern hemisphere 2026/2027; southern hemisphere 2026/2026.
    if second not in (first, first + 1):
        raise ValidationError(
            {field: _("An academic year is 2026/2027 (or 2026/2026 in the southern hemisphere).")}
        )
    return text, first


def _decimal(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite() or number <= 0 or number >= Decimal("100000"):
        raise ValidationError({field: _("Enter a positive number.")})
    return number.quantize(Decimal("0.01"))


def _subject_areas(values: Iterable[dict[str, Any]], field: str) -> list[dict[str, str]]:
    cleaned: list[dict[str, str]] = []
    for value in values or []:
        code = str(value.get("isced_f_code", "")).strip()
        if not isced.is_detailed_code(code):
            raise ValidationError(
                {field: _("{code} is not a four-digit ISCED-F 2013 code.").format(code=code)}
            )
        if any(a["isced_f_code"] == code for a in cleaned):
            raise ValidationError({field: _("{code} is listed twice.").format(code=code)})
        area = {
            "isced_f_code": code,
            "isced_clarification": str(value.get("isced_clarification") or "").strip()[:255],
        }
        if value.get("v6_value"):
            area["v6_value"] = str(value["v6_value"])
        cleaned.append(area)
    return cleaned


def _language_skills(values: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    cleaned = []
    for value in values or []:
        language = str(value.get("language", "")).strip()
        try:
            validate_language_tags([language])
        except ValidationError as error:
            raise ValidationError({"language_skills": error.messages}) from None
        level = str(value.get("cefr_level") or "").strip().upper()
        if level and level not in CEFR_LEVELS:
            raise ValidationError(
                {"language_skills": _("A language level is one of A1, A2, B1, B2, C1, C2.")}
            )
        skill = {"language": language, "cefr_level": level}
        code = str(value.get("isced_f_code") or "").strip()
        area = _subject_areas([value], "language_skills")[0] if code else None
        skill["isced_f_code"] = area["isced_f_code"] if area else ""
        skill["isced_clarification"] = area["isced_clarification"] if area else ""
        cleaned.append(skill)
    return cleaned


def _eqf_levels(values: Iterable[Any]) -> list[int]:
    try:
        levels = sorted({int(v) for v in values or []})
    except (TypeError, ValueError):
        raise ValidationError({"eqf_levels": _("Choose EQF levels 5 to 8.")}) from None
    if any(level not in EQF_LEVELS for level in levels):
        raise ValidationError({"eqf_levels": _("Choose EQF levels 5 to 8.")})
    return levels


def _ounit(agreement: Agreement, hei_id: str, unit_id: Any, field: str) -> str:
    unit_id = str(unit_id or "").strip()
    if not unit_id:
        return ""
    institution = Institution.objects.filter(schac=hei_id, on_platform=True).first()
    return _check_partner_unit(institution, unit_id, field)


def _clean_condition(agreement: Agreement, fields: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise a condition's values; raises ValidationError keyed by field."""
    unknown = set(fields) - CONDITION_FIELDS
    if unknown:
        raise TypeError(f"Unknown condition fields: {sorted(unknown)}")
    missing = sorted(f for f in REQUIRED_CONDITION_FIELDS if fields.get(f) in (None, ""))
    if missing:
        raise ValidationError({f: _("This field is required.") for f in missing})
    kind = fields["mobility_type"]
    if kind not in MobilityType.values:
        raise ValidationError({"mobility_type": _("Choose a kind of mobility.")})
    student = kind in STUDENT_TYPES
    sending = str(fields["sending_hei_id"]).strip()
    receiving = str(fields["receiving_hei_id"]).strip()
    partners = {agreement.owner.schac, agreement.partner_hei_id}
    if sending not in partners:
        raise ValidationError({"sending_hei_id": _("Choose one of the two partners.")})
    if receiving not in partners or receiving == sending:
        raise ValidationError(
            {"receiving_hei_id": _("The receiving institution is the other partner.")}
        )
    first, first_start = _academic_year(fields["first_academic_year"], "first_academic_year")
    last, last_start = _academic_year(fields["last_academic_year"], "last_academic_year")
    if last_start < first_start:
        raise ValidationError(
            {"last_academic_year": _("The last academic year cannot come before the first.")}
        )
    try:
        per_year = int(fields["mobilities_per_year"])
    except (TypeError, ValueError):
        per_year = 0
    if not 1 <= per_year <= 10000:
        raise ValidationError({"mobilities_per_year": _("Enter a number from 1 to 10000.")})
    months = _decimal(fields.get("total_months_per_year"), "total_months_per_year")
    days = _decimal(fields.get("total_days_per_year"), "total_days_per_year")
    if student and days is not None:
        raise ValidationError(
            {"total_days_per_year": _("Student mobility is counted in months, not days.")}
        )
    if not student and months is not None:
        raise ValidationError(
            {"total_months_per_year": _("Staff mobility is counted in days, not months.")}
        )
    levels = _eqf_levels(fields.get("eqf_levels"))
    if levels and not student:
        raise ValidationError({"eqf_levels": _("Study cycles apply to student mobility only.")})
    skills = _language_skills(fields.get("language_skills"))
    if kind in LANGUAGE_REQUIRED and not skills:
        raise ValidationError(
            {"language_skills": _("Recommend at least one language for this kind of mobility.")}
        )
    return {
        "mobility_type": kind,
        "sending_hei_id": sending,
        "sending_ounit_id": _ounit(
            agreement, sending, fields.get("sending_ounit_id"), "sending_ounit_id"
        ),
        "receiving_hei_id": receiving,
        "receiving_ounit_id": _ounit(
            agreement, receiving, fields.get("receiving_ounit_id"), "receiving_ounit_id"
        ),
        "first_academic_year": first,
        "last_academic_year": last,
        "mobilities_per_year": per_year,
        "total_months_per_year": months,
        "total_days_per_year": days,
        "subject_areas": _subject_areas(fields.get("subject_areas"), "subject_areas"),
        "eqf_levels": levels,
        "language_skills": skills,
        "blended": bool(fields.get("blended")) and student,
        "other_info": str(fields.get("other_info") or "").strip(),
    }


def _conditions_changed(actor: Any, agreement: Agreement) -> None:
    _refresh_hash(agreement)
    notifications.agreement_notify(agreement=agreement, kind=notifications.CHANGED)


@transaction.atomic
def condition_add(*, actor: Any, agreement: Agreement, **fields: Any) -> CooperationCondition:
    """Add a cooperation condition at the end of its kind; the copy's hash changes, so any
    approval of it goes stale. Fields: see ``CONDITION_FIELDS``; raises ValidationError."""
    agreement = _lock(agreement)
    _refuse_if_terminated(agreement)
    values = _clean_condition(agreement, fields)
    last = agreement.conditions.order_by("-position").first()
    condition = CooperationCondition(
        agreement=agreement, position=(last.position + 1) if last else 0, **values
    )
    condition.full_clean()
    condition.save()
    _audit(actor, "mobility.agreement.condition_added", condition, agreement.owner)
    _conditions_changed(actor, agreement)
    return condition


@transaction.atomic
def condition_change(
    *, actor: Any, condition: CooperationCondition, **fields: Any
) -> CooperationCondition:
    """Replace a condition's values (all of them, as a form sends them); the hash changes."""
    agreement = _lock(condition.agreement)
    _refuse_if_terminated(agreement)
    values = _clean_condition(agreement, fields)
    before = snapshot(condition)
    for name, value in values.items():
        setattr(condition, name, value)
    condition.full_clean()
    condition.save()
    _audit(actor, "mobility.agreement.condition_changed", condition, agreement.owner, before=before)
    _conditions_changed(actor, agreement)
    return condition


@transaction.atomic
def condition_remove(*, actor: Any, condition: CooperationCondition) -> None:
    """Remove a condition; refused when a call's places use it."""
    agreement = _lock(condition.agreement)
    _refuse_if_terminated(agreement)
    before = snapshot(condition)
    try:
        with transaction.atomic():
            _audit(
                actor,
                "mobility.agreement.condition_deleted",
                condition,
                agreement.owner,
                before=before,
            )
            condition.delete()
    except ProtectedError as error:
        raise ServiceError(
            _("A call's places use this condition: it cannot be removed.")
        ) from error
    _conditions_changed(actor, agreement)


@transaction.atomic
def conditions_reorder(
    *, actor: Any, agreement: Agreement, order: Sequence[uuid_lib.UUID | str]
) -> None:
    """Put the copy's conditions in ``order`` (every condition's UUID, once). Conditions are
    served grouped by kind, so only the order within a kind changes what is served."""
    agreement = _lock(agreement)
    _refuse_if_terminated(agreement)
    conditions = {str(c.uuid): c for c in agreement.conditions.all()}
    wanted = [str(u) for u in order]
    if sorted(wanted) != sorted(conditions):
        raise ServiceError(_("Give every condition of this agreement exactly once."))
    before = [str(c.uuid) for c in served_order(conditions.values())]
    for position, key in enumerate(wanted):
        condition = conditions[key]
        if condition.position != position:
            condition.position = position
            condition.save(update_fields=["position"])
    after = [str(c.uuid) for c in served_order(conditions.values())]
    if before != after:
        _audit(
            actor,
            "mobility.agreement.conditions_reordered",
            agreement,
            agreement.owner,
            before={"order": before},
            after={"order": after},
        )
        _conditions_changed(actor, agreement)


@transaction.atomic
def condition_move(*, actor: Any, condition: CooperationCondition, up: bool) -> None:
    """Swap a condition with its neighbour of the same kind (one step up or down)."""
    conditions = served_order(condition.agreement.conditions.all())
    same_kind = [c for c in conditions if c.mobility_type == condition.mobility_type]
    index = next(i for i, c in enumerate(same_kind) if c.pk == condition.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(same_kind):
        return
    same_kind[index], same_kind[other] = same_kind[other], same_kind[index]
    rest = [c for c in conditions if c.mobility_type != condition.mobility_type]
    conditions_reorder(
        actor=actor, agreement=condition.agreement, order=[c.uuid for c in rest + same_kind]
    )
