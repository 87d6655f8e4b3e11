"""Agreements in and out as Erasmus Without Paper IIAs v7 ``get-response`` documents.

* :func:`iias_export`: an institution's own copies as the get response it would serve,
  validated against the official schema before it is returned.
* :func:`iias_import`: a partner's get response stored as the serving partner's copies. The
  document is validated first (a refusal names the schema error and its line, and nothing is
  stored); then everything is written in one transaction. Each ``iia`` belongs to its first
  partner (the serving HEI), created as an institution known only through EWP
  (``on_platform=False``) when it is not on the platform yet. The copy keeps the ``iia-hash``
  of the XML *as received* (recomputed by the interop layer from that ``iia`` element, never
  from our rows), because approvals are of what the partner serves, byte for byte.
* :func:`iia_hashes`: the ``iia-hash`` of every ``iia`` of a document, as IIAs v7 defines it.
* :func:`omobilities_export`: an institution's nominations as an Outgoing Mobilities v3 get
  response.

Who may import: the ``intercampus ewp`` command (``actor=None``) is the operator and may write
any copy. A person (page or API) may write copies of institutions that are not on the
platform, and copies of an institution on the platform only when they manage its agreements;
with ``institution`` given (the institution they act as), every agreement of the document must
also involve that institution, so that nobody plants copies in other partners' relations.

A copy is found by its owner, its partner *and* its iia-id: an institution known only through
EWP owns one copy per relationship, so an import naming one partner never reaches the copy
another partner imported under the same iia-id. A document never changes the partner of a
copy already stored. Audit entries are filed under the acting institution (for the command:
the institution of the relationship that is on the platform), where its staff see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, ProtectedError, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries
from django_scopes import scope, scopes_disabled

from intercampus.accounts.models import Role
from intercampus.core.audit import audit_log, snapshot
from intercampus.core.permissions import has_permission
from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution, OrganisationalUnit, schac_validator
from intercampus.interop.iia_hash import IiaHashError, IiaHashResult, hash_results_of_get_response
from intercampus.interop.iia_xml import KIND, Iia, build_get_response, read_get_response
from intercampus.interop.schemas import EwpXmlError, XmlProblem, problems
from intercampus.mobility import ewp_omobilities
from intercampus.mobility.ewp_mapping import (
    agreement_fields_from_iia,
    agreement_iia_hash,
    condition_fields_from_interop,
    iia_from_agreement,
    served_order,
)
from intercampus.mobility.models import Agreement, AgreementApproval, CooperationCondition
from intercampus.mobility.selectors import nominations as nomination_selectors

MANAGE = "mobility.manage_agreements"
IMPORTED = "mobility.agreement.imported"
LINKED = "mobility.agreement.linked"
INSTITUTION_IMPORTED = "institutions.institution.imported"
# The largest document accepted from a page, the API or the command.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Country-code top-level domains whose ISO 3166 code differs.
_TLD_COUNTRIES = {"uk": "GB"}

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


# --- Export ---------------------------------------------------------------------------------


def iias_export(institution: Institution) -> bytes:
    """``institution``'s own copies as an IIAs v7 get response (UTF-8 XML), schema-valid.

    Raises ``iia_xml.IiaXmlError`` (an EwpXmlError) when the copies cannot make a valid
    document; nothing is returned half-valid.
    """
    # Only the institution's own copies: scopes are lifted for the command, which has none.
    with scopes_disabled():
        agreements = list(
            Agreement.objects.filter(owner=institution)
            .select_related("owner", "owner_ounit")
            .prefetch_related("conditions")
            .order_by("partner_hei_id", "iia_code", "created", "pk")
        )
        approved = _approved_by_both(institution)
    iias = [
        iia_from_agreement(agreement, in_effect=agreement.in_effect or agreement.pk in approved)
        for agreement in agreements
    ]
    return build_get_response(iias, serving_hei_id=institution.schac)


def _approved_by_both(institution: Institution) -> set[int]:
    """Primary keys of ``institution``'s copies that are or once were in effect in the EWP
    sense: the partner approved our copy and we approved the partner's linked copy (some
    version of each; ``selectors.ever_approved_by_both`` for all copies in two queries)."""
    by_partner = set(
        AgreementApproval.objects.filter(
            agreement__owner=institution, approver_hei_id=F("agreement__partner_hei_id")
        ).values_list("agreement_id", flat=True)
    )
    # The partner's copies we approved, as (their owner, their id, the id they name).
    by_us = set(
        AgreementApproval.objects.filter(approver_hei_id=institution.schac)
        .exclude(agreement__owner=institution)
        .values_list("agreement__owner__schac", "agreement__iia_id", "agreement__partner_iia_id")
    )
    copies = Agreement.objects.filter(pk__in=by_partner).values_list(
        "pk", "partner_hei_id", "partner_iia_id", "iia_id"
    )
    return {pk for pk, partner, their_id, our_id in copies if (partner, their_id, our_id) in by_us}


@dataclass(frozen=True)
class OMobilitiesExport:
    """An Outgoing Mobilities v3 get response, and the nominations left out with their gaps."""

    xml: bytes
    count: int
    left_out: list[tuple[str, list[str]]]  # (omobility-id, what it lacks)


def omobilities_export(institution: Institution) -> OMobilitiesExport:
    """``institution``'s nominations as an Outgoing Mobilities v3 get response, schema-valid.

    Nominations that lack what the schema requires are left out and named. Raises
    ``ewp_omobilities.OMobilityXmlError`` when the document would not be valid.
    """
    with scope(institution=institution):
        export = nomination_selectors.omobilities_export(institution)
    xml = ewp_omobilities.build_get_response(export.mobilities)
    return OMobilitiesExport(
        xml=xml,
        count=len(export.mobilities),
        left_out=[(n.omobility_id, gaps) for n, gaps in export.left_out],
    )


# --- Hashing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HashReport:
    """The hash of each ``iia`` of a document, and what the schema says of the document
    (the hash is defined over the document as received, valid or not)."""

    results: list[IiaHashResult]
    schema_problems: list[XmlProblem]


def iia_hashes(xml: bytes | str) -> HashReport:
    """``iia-id``, ``iia-hash`` and approvability of every ``iia``, in document order.

    Raises EwpXmlError when the document is not well-formed XML or cannot be hashed.
    """
    check_size(xml)
    try:
        results = hash_results_of_get_response(xml)
    except IiaHashError as error:
        raise EwpXmlError(_("This document cannot be hashed"), [XmlProblem(str(error))]) from None
    return HashReport(results=results, schema_problems=problems(xml, KIND))


# --- Import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedIia:
    """What became of one ``iia`` of the document."""

    iia_id: str
    owner: str  # SCHAC code of the serving HEI, which owns the copy
    partner: str
    outcome: str  # created, updated or unchanged
    iia_hash: str  # of the iia as received
    valid_for_approval: bool
    linked: bool  # the partner's copy on the platform names this copy and the other way round


@dataclass
class ImportReport:
    items: list[ImportedIia] = field(default_factory=list)
    institutions_created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def _count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)

    @property
    def created(self) -> int:
        return self._count(CREATED)

    @property
    def updated(self) -> int:
        return self._count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)

    def summary(self) -> str:
        total = len(self.items)
        return ngettext(
            "{total} agreement read: {created} created, {updated} updated, {unchanged} unchanged.",
            "{total} agreements read: {created} created, {updated} updated, {unchanged} unchanged.",
            total,
        ).format(
            total=total,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
        )


def iias_import(
    *, actor: Any, xml_bytes: bytes, institution: Institution | None = None
) -> ImportReport:
    """Store the IIAs of a get response as their serving partners' copies (see the module).

    Raises EwpXmlError (``iia_xml.IiaXmlError``) when the document is not well-formed or not
    valid against the IIAs v7 schema, ServiceError when an agreement may not be written
    (status 403) or cannot be stored, ValidationError when a value does not fit our model.
    Nothing is stored in any of these cases.
    """
    check_size(xml_bytes)
    iias = read_get_response(xml_bytes)
    # One document names copies of several owners; each write is checked against its owner.
    with scopes_disabled():
        return _import(actor, iias, institution)


def check_size(xml: bytes | str) -> None:
    if len(xml) > MAX_DOCUMENT_BYTES:
        raise ServiceError(
            _("The document is larger than {size} MB.").format(
                size=MAX_DOCUMENT_BYTES // (1024 * 1024)
            ),
            status=413,
        )


Items = list[tuple[Iia, IiaHashResult]]


@transaction.atomic
def _import(actor: Any, iias: Items, institution: Institution | None) -> ImportReport:
    check_document(actor, iias, institution)
    report = ImportReport()
    store_items(actor, iias, institution, report, Known())
    return report


def check_document(actor: Any, iias: Items, institution: Institution | None) -> None:
    """Every refusal that does not need a write, for the whole document, before any write:
    ids, duplicates, agreements that do not involve ``institution``, copies of an institution
    on the platform that ``actor`` may not write, partners that are not SCHAC codes."""
    seen: set[tuple[str, str, str]] = set()
    known = Known()
    for number, (iia, _result) in enumerate(iias, start=1):
        owner_hei, partner_hei = _partners(iia, number)
        key = (owner_hei, partner_hei, iia.iia_id or "")
        if key in seen:
            raise ServiceError(
                _("Agreement {id} of {owner} appears twice in the document.").format(
                    id=key[2], owner=owner_hei
                )
            )
        seen.add(key)
        if institution is not None and institution.schac not in (owner_hei, partner_hei):
            raise ServiceError(
                _(
                    "Agreement {id} is between {owner} and {partner}: it does not involve "
                    "{institution}, so it cannot be imported here."
                ).format(
                    id=key[2],
                    owner=owner_hei,
                    partner=partner_hei,
                    institution=institution.schac,
                ),
                status=403,
            )
        owner = known.find(owner_hei)
        known.find(partner_hei)
        if owner is not None and owner.on_platform:
            known.refuse_unless_manager(actor, owner)


def store_items(
    actor: Any,
    iias: Items,
    institution: Institution | None,
    report: ImportReport,
    known: Known,
) -> None:
    """Write the copies of ``iias`` (checked by :func:`check_document`) into ``report``."""
    for iia, result in iias:
        owner = known.get_or_create(actor, iia.partners[0].hei_id.strip(), report, institution)
        partner = known.get_or_create(actor, iia.partners[1].hei_id.strip(), report, institution)
        if owner.on_platform:
            known.refuse_unless_manager(actor, owner)
        audit_home = institution or _relationship_home(owner, partner)
        if result.iia_hash != (iia.iia_hash or "").strip():
            report.warnings.append(
                _(
                    "Agreement {id}: the document states the iia-hash {stated}, but the agreement "
                    "as received hashes to {computed}; the computed one is kept."
                ).format(
                    id=iia.iia_id, stated=(iia.iia_hash or "").strip(), computed=result.iia_hash
                )
            )
        agreement, outcome = _store(actor, iia, result, owner, partner, audit_home)
        linked = _link_partner_copy(actor, agreement, partner, iia, report)
        report.items.append(
            ImportedIia(
                iia_id=agreement.iia_id,
                owner=owner.schac,
                partner=partner.schac,
                outcome=outcome,
                iia_hash=result.iia_hash,
                valid_for_approval=result.valid_for_approval,
                linked=linked,
            )
        )


class Known:
    """Institutions and permissions looked up once per import, not once per agreement."""

    def __init__(self) -> None:
        self._institutions: dict[str, Institution | None] = {}
        self._managed: dict[int, bool] = {}

    def find(self, schac: str) -> Institution | None:
        """The institution with this SCHAC code; refuses a code that is not one."""
        if schac not in self._institutions:
            found = Institution.objects.filter(schac=schac).first()
            if found is None:
                _check_schac(schac)
            self._institutions[schac] = found
        return self._institutions[schac]

    def get_or_create(
        self, actor: Any, schac: str, report: ImportReport, acting: Institution | None
    ) -> Institution:
        found = self.find(schac)
        if found is None:
            found = _institution(actor, schac, report, acting)
            self._institutions[schac] = found
        return found

    def refuse_unless_manager(self, actor: Any, institution: Institution) -> None:
        if institution.pk not in self._managed:
            self._managed[institution.pk] = _may_manage(actor, institution)
        if not self._managed[institution.pk]:
            _refuse_unless_manager(actor, institution)


def _partners(iia: Iia, number: int) -> tuple[str, str]:
    """The serving HEI and the other partner; refuses what no copy can be made of."""
    owner_hei = (iia.partners[0].hei_id or "").strip()
    partner_hei = (iia.partners[1].hei_id or "").strip()
    if not iia.iia_id:
        raise ServiceError(
            _(
                "Agreement {n} of the document: the serving partner {hei} gives no iia-id, "
                "so the agreement cannot be kept."
            ).format(n=number, hei=owner_hei)
        )
    if owner_hei == partner_hei:
        raise ServiceError(
            _("Agreement {id}: both partners are {hei}.").format(id=iia.iia_id, hei=owner_hei)
        )
    return owner_hei, partner_hei


# --- Institutions ---------------------------------------------------------------------------


def country_of(schac: str) -> str:
    """The ISO country of a SCHAC code's country-code top-level domain, or ""."""
    tld = schac.rsplit(".", 1)[-1].lower()
    if len(tld) != 2:
        return ""
    code = _TLD_COUNTRIES.get(tld, tld.upper())
    return code if code in countries else ""


def _relationship_home(owner: Institution, partner: Institution) -> Institution:
    """Where the command's audit entries go: the side of the relationship on the platform."""
    if owner.on_platform or not partner.on_platform:
        return owner
    return partner


def _institution(
    actor: Any, schac: str, report: ImportReport, acting: Institution | None
) -> Institution:
    """The institution with this SCHAC code, created as known only through EWP if new
    (audited under the acting institution, or under the new one for the command)."""
    found = Institution.objects.filter(schac=schac).first()
    if found is not None:
        return found
    _check_schac(schac)
    institution = Institution.objects.create(
        schac=schac,
        name=schac,  # an IIAs get response names no institution
        country=country_of(schac),
        city="",
        timezone="UTC",
        on_platform=False,
    )
    audit_log(
        actor=actor,
        action=INSTITUTION_IMPORTED,
        obj=institution,
        institution=acting or institution,
    )
    report.institutions_created.append(schac)
    return institution


def _check_schac(schac: str) -> None:
    try:
        schac_validator(schac)
    except ValidationError:
        raise ServiceError(
            _("{hei} is not a SCHAC code (a lower-case internet domain).").format(hei=schac)
        ) from None


def _may_manage(actor: Any, institution: Institution) -> bool:
    """The command (no actor) is the operator; a person needs the permission there."""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    kinds = set(
        Role.objects.filter(user=actor, institution=institution).values_list("kind", flat=True)
    )
    return has_permission(kinds, MANAGE)


def _refuse_unless_manager(actor: Any, institution: Institution) -> None:
    if not _may_manage(actor, institution):
        raise ServiceError(
            _(
                "This document serves agreements of {name}, which is on the platform: only its "
                "own international office may import them."
            ).format(name=institution.name),
            status=403,
        )


# --- Copies ---------------------------------------------------------------------------------


def _store(
    actor: Any,
    iia: Iia,
    result: IiaHashResult,
    owner: Institution,
    partner: Institution,
    audit_home: Institution,
) -> tuple[Agreement, str]:
    agreement = _existing_copy(owner, partner, iia.iia_id or "")
    fields = agreement_fields_from_iia(iia, owner_hei_id=iia.partners[0].hei_id)
    fields.pop("iia_id")
    fields["partner_hei_id"] = partner.schac
    fields["partner"] = _partner_link(agreement, partner)
    fields["owner_ounit"] = _owner_unit(owner, iia.partners[0].ounit_id)
    fields["iia_hash"] = result.iia_hash
    conditions = [condition_fields_from_interop(c) for c in iia.cooperation_conditions]

    if agreement is None:
        agreement = Agreement(owner=owner, iia_id=iia.iia_id, **fields)
        _save(agreement)
        for position, values in enumerate(conditions):
            _save(CooperationCondition(agreement=agreement, position=position, **values))
        _audit(actor, agreement, audit_home, before=None)
        return agreement, CREATED

    existing = served_order(agreement.conditions.all())
    if _same_copy(agreement, fields) and _same_conditions(existing, conditions):
        return agreement, UNCHANGED
    before = _snapshot(agreement)
    for name, value in fields.items():
        setattr(agreement, name, value)
    _save(agreement)
    _replace_conditions(agreement, existing, conditions)
    _audit(actor, agreement, audit_home, before=before)
    return agreement, UPDATED


def _existing_copy(owner: Institution, partner: Institution, iia_id: str) -> Agreement | None:
    """The copy of this relationship with this id, locked; refuses a document that would
    give a copy of an institution on the platform another partner (its ids are unique)."""
    copies = Agreement.objects.select_for_update().filter(owner=owner, iia_id=iia_id)
    found = copies.filter(partner_hei_id=partner.schac).first()
    if found is None and owner.on_platform:
        other = copies.exclude(partner_hei_id=partner.schac).first()
        if other is not None:
            raise ServiceError(
                _(
                    "Agreement {id} of {owner} is with {partner}: a document cannot give it "
                    "another partner."
                ).format(id=iia_id, owner=owner.schac, partner=other.partner_hei_id),
                status=409,
            )
    return found


def _partner_link(agreement: Agreement | None, partner: Institution) -> Institution | None:
    """``Agreement.partner`` is set when the partner is on the platform; a copy that already
    points at an institution known only through EWP keeps pointing at it."""
    if partner.on_platform:
        return partner
    if agreement is not None and agreement.partner_id == partner.pk:
        return partner
    return None


def _owner_unit(owner: Institution, ounit_id: str | None) -> OrganisationalUnit | None:
    # Our own copies serve the unit's UUID as its ounit-id (see ewp_mapping).
    if not owner.on_platform or not ounit_id:
        return None
    try:
        return OrganisationalUnit.objects.filter(institution=owner, uuid=ounit_id.strip()).first()
    except ValidationError:  # not a UUID: not one of our units
        return None


# Checked by full_clean with a query each, per row: the related rows were just read or created
# here, the copy was looked up by its unique key, and the database enforces both anyway.
_NOT_RECHECKED = ["owner", "partner", "owner_ounit", "agreement"]


def _save(obj: Agreement | CooperationCondition) -> None:
    obj.full_clean(exclude=_NOT_RECHECKED, validate_unique=False, validate_constraints=False)
    obj.save()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(a) == Decimal(b)
    return a == b


def _same_copy(agreement: Agreement, fields: dict[str, Any]) -> bool:
    for name, value in fields.items():
        current = getattr(agreement, name)
        if name in ("partner", "owner_ounit"):
            if getattr(current, "pk", None) != getattr(value, "pk", None):
                return False
        elif not _same(current, value):
            return False
    return True


def _same_conditions(
    existing: list[CooperationCondition], conditions: list[dict[str, Any]]
) -> bool:
    return len(existing) == len(conditions) and all(
        _same(getattr(row, name), value)
        for row, values in zip(existing, conditions, strict=True)
        for name, value in values.items()
    )


def _replace_conditions(
    agreement: Agreement, existing: list[CooperationCondition], conditions: list[dict[str, Any]]
) -> None:
    """Rewrite the conditions in place, position by position, so that a call's places keep
    pointing at the same rows; conditions beyond the new list are removed."""
    for position, values in enumerate(conditions):
        row = existing[position] if position < len(existing) else None
        if row is None:
            row = CooperationCondition(agreement=agreement, position=position, **values)
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.position = position
        _save(row)
    for row in existing[len(conditions) :]:
        try:
            with transaction.atomic():
                row.delete()
        except ProtectedError:
            raise ServiceError(
                _(
                    "Agreement {id} of {owner} lost a condition that a call's places use: "
                    "it cannot be removed."
                ).format(id=agreement.iia_id, owner=agreement.owner.schac)
            ) from None


def _snapshot(agreement: Agreement) -> dict[str, Any]:
    data = snapshot(agreement)
    data["conditions"] = [
        snapshot(c, list(_CONDITION_FIELDS)) for c in served_order(agreement.conditions.all())
    ]
    return data


_CONDITION_FIELDS = (
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
    "ewp_extra",
)


def _audit(
    actor: Any, agreement: Agreement, home: Institution, *, before: dict[str, Any] | None
) -> None:
    audit_log(
        actor=actor,
        action=IMPORTED,
        obj=agreement,
        institution=home,
        before=before,
        after=_snapshot(agreement),
    )


# --- Linking to the partner's copy on the platform ------------------------------------------


def _link_partner_copy(
    actor: Any, agreement: Agreement, partner: Institution, iia: Iia, report: ImportReport
) -> bool:
    """Tie the partner's copy on the platform to the imported one, when the document names it.

    The document's second partner gives its own ``iia-id``; when the partner has a copy with
    that id that names the serving HEI and is not tied to another copy, that copy records the
    imported copy's id and code (its hash changes, as when two copies are linked on the
    platform). Writing the partner's copy needs the same right as any import for it.
    """
    their_id = agreement.partner_iia_id
    if not partner.on_platform or not their_id:
        return False
    theirs = (
        Agreement.objects.select_for_update()
        .filter(owner=partner, iia_id=their_id)
        .order_by(Case(When(partner_hei_id=agreement.owner.schac, then=0), default=1))
        .first()
    )
    if theirs is None:
        report.warnings.append(
            _("Agreement {id}: {partner} has no agreement {their_id} on the platform.").format(
                id=agreement.iia_id, partner=partner.schac, their_id=their_id
            )
        )
        return False
    if theirs.partner_hei_id != agreement.owner.schac:
        report.warnings.append(
            _(
                "Agreement {id}: {partner}'s agreement {their_id} is with {other}, not with "
                "{owner}; it was left alone."
            ).format(
                id=agreement.iia_id,
                partner=partner.schac,
                their_id=their_id,
                other=theirs.partner_hei_id,
                owner=agreement.owner.schac,
            )
        )
        return False
    if theirs.partner_iia_id == agreement.iia_id:
        if theirs.partner_iia_code != agreement.iia_code and _may_manage(actor, partner):
            _write_their_side(actor, theirs, agreement)
        return True
    if theirs.partner_iia_id:
        report.warnings.append(
            _(
                "Agreement {id}: {partner}'s agreement {their_id} is already linked to "
                "{other}; it was left alone."
            ).format(
                id=agreement.iia_id,
                partner=partner.schac,
                their_id=their_id,
                other=theirs.partner_iia_id,
            )
        )
        return False
    if not _may_manage(actor, partner):
        report.warnings.append(
            _(
                "Agreement {id}: {partner}'s international office must link its agreement "
                "{their_id} to this one."
            ).format(id=agreement.iia_id, partner=partner.schac, their_id=their_id)
        )
        return False
    _write_their_side(actor, theirs, agreement)
    return True


def _write_their_side(actor: Any, theirs: Agreement, ours: Agreement) -> None:
    before = snapshot(theirs)
    theirs.partner_iia_id = ours.iia_id
    theirs.partner_iia_code = ours.iia_code[:100]
    theirs.save()
    theirs.iia_hash = agreement_iia_hash(theirs)
    theirs.save(update_fields=["iia_hash", "updated"])
    audit_log(actor=actor, action=LINKED, obj=theirs, institution=theirs.owner, before=before)
