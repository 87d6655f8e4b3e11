"""Reads about agreements: an institution's copies, the partner's copy, the differences between
the two and what stands between them and a mutual approval.

Inside ``/i/<schac>/`` ``Agreement.objects`` only sees the institution's own copies. The few
reads across institutions (the partner's copy of the same agreement, copies that name us)
are the functions below that open ``scopes_disabled()``, each with a filter that says why
the row may be read: EWP would serve that copy to us, because it names us as the partner.
"""

from __future__ import annotations

import uuid as uuid_lib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.core.models import Notification
from intercampus.institutions.models import Institution, OrganisationalUnit
from intercampus.mobility import isced
from intercampus.mobility.choices import AgreementStatus, MobilityType
from intercampus.mobility.ewp_mapping import agreement_hash_result, served_order
from intercampus.mobility.models import Agreement, AgreementApproval, CooperationCondition

AGREEMENT_NOTICES = "mobility.agreement."
PER_PAGE = 25


# --- One institution's own copies -----------------------------------------------------------


def agreement_for(institution: Institution, agreement_uuid: uuid_lib.UUID | str) -> Agreement:
    """The institution's own copy with this UUID, or 404."""
    with scopes_disabled():
        found = (
            Agreement.objects.filter(owner=institution, uuid=agreement_uuid)
            .select_related("owner", "owner_ounit", "partner")
            .first()
        )
    if found is None:
        raise Http404
    return found


def condition_for(
    agreement: Agreement, condition_uuid: uuid_lib.UUID | str
) -> CooperationCondition:
    """A condition of this copy, or 404."""
    found = agreement.conditions.filter(uuid=condition_uuid).first()
    if found is None:
        raise Http404
    return found


def conditions_of(agreement: Agreement) -> list[CooperationCondition]:
    """The copy's conditions in the order they are served and hashed."""
    return served_order(agreement.conditions.all())


def _status_annotations() -> dict[str, Any]:
    # Approval is of one precise version: only an approval at the copy's current hash counts.
    approved_by_partner = AgreementApproval.objects.filter(
        agreement=OuterRef("pk"),
        approver_hei_id=OuterRef("partner_hei_id"),
        iia_hash=OuterRef("iia_hash"),
    )
    approved_by_us = AgreementApproval.objects.filter(
        agreement__owner__schac=OuterRef("partner_hei_id"),
        agreement__iia_id=OuterRef("partner_iia_id"),
        agreement__partner_iia_id=OuterRef("iia_id"),
        approver_hei_id=OuterRef("owner__schac"),
        iia_hash=F("agreement__iia_hash"),
    )
    has_conditions = CooperationCondition.objects.filter(agreement=OuterRef("pk"))
    return {
        "approved_by_partner": Exists(approved_by_partner),
        "approved_by_us": Exists(approved_by_us),
        "has_conditions": Exists(has_conditions),
    }


def agreements_of(
    institution: Institution,
    *,
    partner: str = "",
    status: str = "",
    mobility_type: str = "",
    academic_year: str = "",
    q: str = "",
) -> QuerySet[Agreement]:
    """The institution's own copies, filtered, each annotated with its derived ``status``,
    ``approved_by_partner``/``approved_by_us`` (at the current versions), its academic
    years (``first_year``, ``last_year``) and ``condition_count``."""
    with scopes_disabled():
        agreements = Agreement.objects.filter(owner=institution)
    agreements = (
        agreements.select_related("partner", "owner")
        .annotate(**_status_annotations())
        .annotate(
            status=Case(
                When(terminated=True, then=Value(AgreementStatus.TERMINATED.value)),
                When(
                    approved_by_partner=True,
                    approved_by_us=True,
                    then=Value(AgreementStatus.APPROVED.value),
                ),
                When(has_conditions=False, then=Value(AgreementStatus.DRAFT.value)),
                default=Value(AgreementStatus.PROPOSED.value),
            ),
            first_year=Min("conditions__first_academic_year"),
            last_year=Max("conditions__last_academic_year"),
            condition_count=_condition_count(),
        )
    )
    if partner:
        agreements = agreements.filter(partner_hei_id=partner)
    if status:
        agreements = agreements.filter(status=status)
    if mobility_type:
        agreements = agreements.filter(
            Exists(
                CooperationCondition.objects.filter(
                    agreement=OuterRef("pk"), mobility_type=mobility_type
                )
            )
        )
    if academic_year:
        agreements = agreements.filter(
            Exists(
                CooperationCondition.objects.filter(
                    agreement=OuterRef("pk"),
                    first_academic_year__lte=academic_year,
                    last_academic_year__gte=academic_year,
                )
            )
        )
    if q:
        agreements = agreements.filter(
            Q(iia_code__icontains=q)
            | Q(partner_iia_code__icontains=q)
            | Q(iia_id=q)
            | Q(partner_iia_id=q)
            | Q(partner_hei_id__icontains=q)
            | Q(partner__name__icontains=q)
            | Q(partner__short_name__icontains=q)
        )
    return agreements.order_by("partner_hei_id", "iia_code", "-created")


def _condition_count() -> Subquery:
    # A subquery, so that the count does not multiply with the other join on conditions.
    counted = (
        CooperationCondition.objects.filter(agreement=OuterRef("pk"))
        .order_by()
        .values("agreement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def agreements_page(
    institution: Institution, *, page: Any = None, per_page: int = PER_PAGE, **filters: str
) -> Page:
    """One page of :func:`agreements_of` (an out-of-range page number gives the last page)."""
    return Paginator(agreements_of(institution, **filters), per_page).get_page(page)


def partner_options(institution: Institution) -> list[tuple[str, str]]:
    """(SCHAC code, name) of every partner the institution has an agreement with."""
    with scopes_disabled():
        codes = sorted(
            set(
                Agreement.objects.filter(owner=institution).values_list("partner_hei_id", flat=True)
            )
        )
    names = institution_names(codes)
    return [(code, names.get(code, code)) for code in codes]


def platform_institutions(institution: Institution) -> list[Institution]:
    """Every other institution on the platform (public reference data), for choosing a partner."""
    return list(
        Institution.objects.filter(on_platform=True).exclude(pk=institution.pk).order_by("name")
    )


def institution_names(codes: list[str] | set[str]) -> dict[str, str]:
    """Display names of the institutions on the platform among ``codes``."""
    return {
        i.schac: i.display_name
        for i in Institution.objects.filter(schac__in=set(codes)).only(
            "schac", "name", "short_name"
        )
    }


def units_of(institution: Institution | None) -> list[OrganisationalUnit]:
    """An institution's organisational units (public reference data)."""
    if institution is None:
        return []
    return list(OrganisationalUnit.objects.filter(institution=institution).order_by("name"))


# --- Across institutions: the partner's copy --------------------------------------------------


def partner_copy(agreement: Agreement) -> Agreement | None:
    """The partner's own copy of the same agreement, when it is on the platform.

    Cross-tenant on purpose: the partner's copy is read only when it names our institution
    as its partner and is tied to ours by an id (its ``partner_iia_id`` is our ``iia_id``,
    or its ``iia_id`` is our ``partner_iia_id``): exactly what EWP would serve us.
    """
    tie = Q(partner_iia_id=agreement.iia_id)
    if agreement.partner_iia_id:
        tie |= Q(iia_id=agreement.partner_iia_id)
    with scopes_disabled():
        return (
            Agreement.objects.filter(
                tie,
                owner__schac=agreement.partner_hei_id,
                partner_hei_id=agreement.owner.schac,
            )
            .select_related("owner", "owner_ounit", "partner")
            # The one our copy names first, should both a naming and a named copy exist.
            .order_by(
                Case(When(iia_id=agreement.partner_iia_id or None, then=0), default=1), "created"
            )
            .first()
        )


def is_linked(ours: Agreement, theirs: Agreement | None) -> bool:
    """Both copies name each other's id."""
    return (
        theirs is not None
        and ours.partner_iia_id == theirs.iia_id
        and theirs.partner_iia_id == ours.iia_id
    )


def link_candidates(agreement: Agreement) -> list[Agreement]:
    """The partner's copies that name us and are free to be linked to this copy.

    Cross-tenant for the same reason as :func:`partner_copy`: they name us as their partner.
    """
    with scopes_disabled():
        linked_elsewhere = Agreement.objects.filter(owner=agreement.owner).exclude(pk=agreement.pk)
        return list(
            Agreement.objects.filter(
                owner__schac=agreement.partner_hei_id, partner_hei_id=agreement.owner.schac
            )
            .filter(Q(partner_iia_id="") | Q(partner_iia_id=agreement.iia_id))
            .exclude(iia_id__in=linked_elsewhere.values("partner_iia_id"))
            .select_related("owner")
            .order_by("-created")
        )


def incoming_copy(institution: Institution, copy_uuid: uuid_lib.UUID | str) -> Agreement:
    """Another institution's copy that names ``institution`` as its partner, or 404.

    Cross-tenant: a copy is readable by the partner it names, as EWP serves it to that partner.
    """
    with scopes_disabled():
        found = (
            Agreement.objects.filter(uuid=copy_uuid, partner_hei_id=institution.schac)
            .exclude(owner=institution)
            .select_related("owner", "owner_ounit")
            .first()
        )
    if found is None:
        raise Http404
    return found


def our_copy_linked_to(institution: Institution, theirs: Agreement) -> Agreement | None:
    """Our copy that is tied to ``theirs`` by an id, if we have one."""
    tie = Q(partner_iia_id=theirs.iia_id, partner_hei_id=theirs.owner.schac)
    if theirs.partner_iia_id:
        tie |= Q(iia_id=theirs.partner_iia_id)
    with scopes_disabled():
        return Agreement.objects.filter(tie, owner=institution).first()


def incoming_copies(institution: Institution) -> list[Agreement]:
    """Copies of other institutions that name us and that none of our copies is tied to yet:
    proposals waiting for our own copy.

    Cross-tenant: each copy names ``institution`` as its partner.
    """
    with scopes_disabled():
        ours = Agreement.objects.filter(owner=institution)
        return list(
            Agreement.objects.filter(partner_hei_id=institution.schac, terminated=False)
            .exclude(owner=institution)
            .exclude(iia_id__in=ours.values("partner_iia_id"))
            .exclude(partner_iia_id__in=ours.values("iia_id"))
            .select_related("owner")
            .order_by("-updated")
        )


# --- Approvals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalInfo:
    """One side's approval of the other side's copy."""

    state: str  # "current", "stale" or "none"
    approver: str = ""  # SCHAC code of the approving institution
    approved_at: Any = None
    approved_by: str = ""
    approved_hash: str = ""
    current_hash: str = ""

    @property
    def is_current(self) -> bool:
        return self.state == "current"

    @property
    def state_label(self) -> str:
        return str(APPROVAL_STATES[self.state])


APPROVAL_STATES = {
    "current": gettext_lazy("Approved, at the current version"),
    "stale": gettext_lazy("Approved an earlier version: changed since"),
    "none": gettext_lazy("Not approved"),
}


def approval_of(copy: Agreement | None, approver_hei_id: str) -> ApprovalInfo:
    """How ``approver_hei_id`` stands on ``copy``: current only at the copy's current hash."""
    if copy is None:
        return ApprovalInfo(state="none", approver=approver_hei_id)
    approvals = AgreementApproval.objects.filter(
        agreement=copy, approver_hei_id=approver_hei_id
    ).select_related("approved_by")
    found = approvals.filter(iia_hash=copy.iia_hash).first() or approvals.first()
    if found is None:
        return ApprovalInfo(state="none", approver=approver_hei_id, current_hash=copy.iia_hash)
    user = found.approved_by
    return ApprovalInfo(
        state="current" if found.iia_hash == copy.iia_hash else "stale",
        approver=approver_hei_id,
        approved_at=found.approved_at,
        approved_by=(user.get_full_name() or user.email) if user else "",
        approved_hash=found.iia_hash,
        current_hash=copy.iia_hash,
    )


@dataclass(frozen=True)
class ApprovalState:
    ours_by_partner: ApprovalInfo  # the partner's approval of our copy
    theirs_by_us: ApprovalInfo  # our approval of the partner's copy

    @property
    def mutual(self) -> bool:
        return self.ours_by_partner.is_current and self.theirs_by_us.is_current


def approval_state(agreement: Agreement, theirs: Agreement | None = None) -> ApprovalState:
    """Both approvals of the pair of copies; pass ``theirs`` when it is known already."""
    if theirs is None:
        theirs = partner_copy(agreement)
    linked = is_linked(agreement, theirs)
    return ApprovalState(
        ours_by_partner=approval_of(agreement, agreement.partner_hei_id),
        theirs_by_us=approval_of(theirs if linked else None, agreement.owner.schac),
    )


def mutually_approved(agreement: Agreement) -> bool:
    """Each side's current copy is approved by the other at its current hash."""
    return approval_state(agreement).mutual


def ever_approved_by_both(agreement: Agreement) -> bool:
    """Both sides approved some version of the other's copy at some time (a conservative
    stand-in for "was once mutually approved", which forbids deleting a copy)."""
    theirs = partner_copy(agreement)
    by_partner = AgreementApproval.objects.filter(
        agreement=agreement, approver_hei_id=agreement.partner_hei_id
    ).exists()
    by_us = (
        theirs is not None
        and AgreementApproval.objects.filter(
            agreement=theirs, approver_hei_id=agreement.owner.schac
        ).exists()
    )
    return by_partner and by_us


# --- The difference between the two copies --------------------------------------------------


@dataclass
class FieldDiff:
    """One field of both copies, as people read it."""

    label: str
    ours: str
    theirs: str
    blocking: bool = True

    @property
    def same(self) -> bool:
        return self.ours == self.theirs


@dataclass
class ConditionPair:
    """A condition of our copy and its counterpart in the partner's copy (either may be None)."""

    ours: CooperationCondition | None
    theirs: CooperationCondition | None
    our_number: int | None
    their_number: int | None
    title: str
    fields: list[FieldDiff] = field(default_factory=list)

    @property
    def differences(self) -> list[FieldDiff]:
        return [f for f in self.fields if not f.same]

    @property
    def same(self) -> bool:
        return self.ours is not None and self.theirs is not None and not self.differences


@dataclass
class AgreementDiff:
    """Field-by-field comparison of our copy and the partner's, with every difference in words."""

    header: list[FieldDiff]
    pairs: list[ConditionPair]
    notes: list[str]  # differences in words, blocking ones first
    blocking_notes: list[str]

    @property
    def same(self) -> bool:
        return not self.notes


CONDITION_FIELDS: list[tuple[str, Any]] = [
    ("mobility_type", gettext_lazy("mobility type")),
    ("sending_hei_id", gettext_lazy("sending institution")),
    ("sending_ounit_id", gettext_lazy("sending unit")),
    ("receiving_hei_id", gettext_lazy("receiving institution")),
    ("receiving_ounit_id", gettext_lazy("receiving unit")),
    ("first_academic_year", gettext_lazy("first academic year")),
    ("last_academic_year", gettext_lazy("last academic year")),
    ("mobilities_per_year", gettext_lazy("mobilities per year")),
    ("total_months_per_year", gettext_lazy("total months per year")),
    ("total_days_per_year", gettext_lazy("total days per year")),
    ("subject_areas", gettext_lazy("subject areas")),
    ("eqf_levels", gettext_lazy("study cycles (EQF)")),
    ("language_skills", gettext_lazy("recommended languages")),
    ("blended", gettext_lazy("blended mobility")),
    ("other_info", gettext_lazy("other information")),
]


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


def _area_text(area: dict[str, Any]) -> str:
    text = isced.label_of(area.get("isced_f_code", ""))
    if area.get("isced_clarification"):
        text += f" ({area['isced_clarification']})"
    return text


def _skill_text(skill: dict[str, Any]) -> str:
    text = " ".join(p for p in (skill.get("language", ""), skill.get("cefr_level", "")) if p)
    if skill.get("isced_f_code"):
        text += _(" for {area}").format(area=_area_text(skill))
    return text


class Names:
    """Display names of institutions and units, looked up once per page."""

    def __init__(self, *agreements: Agreement):
        codes: set[str] = set()
        for agreement in agreements:
            codes |= {agreement.owner.schac, agreement.partner_hei_id}
        self.institutions = institution_names(codes)
        self.units = {
            str(u.uuid): u.name
            for u in OrganisationalUnit.objects.filter(institution__schac__in=codes).only(
                "uuid", "name"
            )
        }

    def institution(self, code: str) -> str:
        return self.institutions.get(code, code)

    def unit(self, unit_id: str) -> str:
        return self.units.get(unit_id, unit_id)


def condition_values(condition: CooperationCondition, names: Names) -> dict[str, str]:
    """Every compared field of a condition, as text."""
    return {
        "mobility_type": str(MobilityType(condition.mobility_type).label),
        "sending_hei_id": names.institution(condition.sending_hei_id),
        "sending_ounit_id": names.unit(condition.sending_ounit_id),
        "receiving_hei_id": names.institution(condition.receiving_hei_id),
        "receiving_ounit_id": names.unit(condition.receiving_ounit_id),
        "first_academic_year": condition.first_academic_year,
        "last_academic_year": condition.last_academic_year,
        "mobilities_per_year": str(condition.mobilities_per_year),
        "total_months_per_year": _number(condition.total_months_per_year),
        "total_days_per_year": _number(condition.total_days_per_year),
        "subject_areas": "; ".join(_area_text(a) for a in condition.subject_areas or []),
        "eqf_levels": ", ".join(str(level) for level in condition.eqf_levels or []),
        "language_skills": "; ".join(_skill_text(s) for s in condition.language_skills or []),
        "blended": _("yes") if condition.blended else _("no"),
        "other_info": condition.other_info,
    }


def condition_rows(condition: CooperationCondition, names: Names) -> list[tuple[str, str]]:
    """(field label, value as text) of a condition, for a one-copy table."""
    values = condition_values(condition, names)
    return [(str(label), values[key]) for key, label in CONDITION_FIELDS]


def condition_title(condition: CooperationCondition, names: Names) -> str:
    sending = names.institution(condition.sending_hei_id)
    receiving = names.institution(condition.receiving_hei_id)
    return f"{sending} → {receiving}, {MobilityType(condition.mobility_type).label}"


def _key(condition: CooperationCondition) -> tuple[str, str, str]:
    return (condition.mobility_type, condition.sending_hei_id, condition.receiving_hei_id)


def _match(
    ours: list[CooperationCondition], theirs: list[CooperationCondition]
) -> list[tuple[int | None, int | None]]:
    """Index pairs: first by (type, sending, receiving), the k-th occurrence of a key in ours
    with the k-th in theirs; what is left is paired by position; the rest stands alone."""
    free: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for j, condition in enumerate(theirs):
        free[_key(condition)].append(j)
    matched: dict[int, int] = {}
    for i, condition in enumerate(ours):
        if free[_key(condition)]:
            matched[i] = free[_key(condition)].pop(0)
    left_ours = [i for i in range(len(ours)) if i not in matched]
    left_theirs = sorted(j for js in free.values() for j in js)
    for i, j in zip(left_ours, left_theirs, strict=False):
        matched[i] = j
    pairs: list[tuple[int | None, int | None]] = [(i, matched.get(i)) for i in range(len(ours))]
    used = set(matched.values())
    pairs += [(None, j) for j in range(len(theirs)) if j not in used]
    return pairs


def _header(ours: Agreement, theirs: Agreement, names: Names) -> list[FieldDiff]:
    our_unit = str(ours.owner_ounit.uuid) if ours.owner_ounit else ""
    their_unit = str(theirs.owner_ounit.uuid) if theirs.owner_ounit else ""
    return [
        FieldDiff(_("our agreement id"), ours.iia_id, theirs.partner_iia_id),
        FieldDiff(_("the partner's agreement id"), ours.partner_iia_id, theirs.iia_id),
        FieldDiff(_("our agreement code"), ours.iia_code, theirs.partner_iia_code, False),
        FieldDiff(_("the partner's agreement code"), ours.partner_iia_code, theirs.iia_code, False),
        FieldDiff(_("our unit"), names.unit(our_unit), names.unit(theirs.partner_ounit_id), False),
        FieldDiff(
            _("the partner's unit"),
            names.unit(ours.partner_ounit_id),
            names.unit(their_unit),
            False,
        ),
        FieldDiff(
            _("terminated as a whole"),
            _("yes") if ours.terminated else _("no"),
            _("yes") if theirs.terminated else _("no"),
        ),
    ]


def _empty(value: str) -> str:
    return value if value != "" else _("(none)")


def agreement_diff(ours: Agreement, theirs: Agreement) -> AgreementDiff:
    """Compare two copies field by field: ids, codes and units, then the conditions matched by
    (type, sending, receiving) and by position, each difference named in plain words."""
    names = Names(ours, theirs)
    our_conditions, their_conditions = conditions_of(ours), conditions_of(theirs)
    blocking: list[str] = []
    other: list[str] = []
    header = _header(ours, theirs, names)
    for item in header:
        if not item.same:
            (blocking if item.blocking else other).append(
                _("{field}: {ours} in ours, {theirs} in the partner's.").format(
                    field=item.label.capitalize(),
                    ours=_empty(item.ours),
                    theirs=_empty(item.theirs),
                )
            )
    if len(our_conditions) != len(their_conditions):
        blocking.append(
            _("The partner's copy has {theirs} conditions, ours has {ours}.").format(
                theirs=len(their_conditions), ours=len(our_conditions)
            )
        )
    pairs = []
    for i, j in _match(our_conditions, their_conditions):
        pair = _pair(our_conditions, their_conditions, i, j, names)
        pairs.append(pair)
        blocking.extend(_pair_notes(pair))
    return AgreementDiff(
        header=header, pairs=pairs, notes=blocking + other, blocking_notes=blocking
    )


def _pair(
    ours: list[CooperationCondition],
    theirs: list[CooperationCondition],
    i: int | None,
    j: int | None,
    names: Names,
) -> ConditionPair:
    mine = ours[i] if i is not None else None
    other = theirs[j] if j is not None else None
    title = condition_title(mine or other, names)  # type: ignore[arg-type]
    pair = ConditionPair(
        ours=mine,
        theirs=other,
        our_number=None if i is None else i + 1,
        their_number=None if j is None else j + 1,
        title=title,
    )
    if mine is not None and other is not None:
        a, b = condition_values(mine, names), condition_values(other, names)
        pair.fields = [FieldDiff(str(label), a[key], b[key]) for key, label in CONDITION_FIELDS]
    return pair


def _pair_notes(pair: ConditionPair) -> list[str]:
    if pair.theirs is None:
        return [
            _("Condition {n} ({title}) is only in our copy.").format(
                n=pair.our_number, title=pair.title
            )
        ]
    if pair.ours is None:
        return [
            _("Condition {n} of the partner's copy ({title}) is not in ours.").format(
                n=pair.their_number, title=pair.title
            )
        ]
    notes = []
    if pair.our_number != pair.their_number:
        notes.append(
            _(
                "Condition {n} of ours is condition {m} of the partner's copy: the order differs."
            ).format(n=pair.our_number, m=pair.their_number)
        )
    for item in pair.differences:
        notes.append(
            _("Condition {n}: {field} {ours} in ours, {theirs} in the partner's.").format(
                n=pair.our_number,
                field=item.label,
                ours=_empty(item.ours),
                theirs=_empty(item.theirs),
            )
        )
    return notes


# --- What blocks approval -------------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """A reason the agreement is not mutually approved; ``blocks_approval`` when it also keeps
    us from approving the partner's copy now (the others say what is still to be done)."""

    text: str
    blocks_approval: bool = True

    def __str__(self) -> str:
        return self.text


def _not_linked(agreement: Agreement, theirs: Agreement | None) -> Blocker | None:
    if theirs is None:
        if not Institution.objects.filter(
            schac=agreement.partner_hei_id, on_platform=True
        ).exists():
            return Blocker(
                _(
                    "Not linked yet: the partner is not on the platform; its copy reaches us "
                    "through EWP and none has arrived yet."
                )
            )
        if link_candidates(agreement):
            return Blocker(
                _("Not linked yet: the partner has a copy that names us; link it to ours.")
            )
        return Blocker(
            _("Not linked yet: the partner has no copy of this agreement on the platform yet.")
        )
    if not is_linked(agreement, theirs):
        return Blocker(_("Not linked yet: the two copies do not name each other's id yet."))
    return None


def blockers(agreement: Agreement, theirs: Agreement | None = None) -> list[Blocker]:
    """Every reason the agreement is not mutually approved now, in plain words: those that
    keep us from approving the partner's copy first, then what each side still has to do."""
    if theirs is None:
        theirs = partner_copy(agreement)
    missing = _not_linked(agreement, theirs)
    if missing is not None:
        return [missing]
    assert theirs is not None
    found: list[Blocker] = []
    if not agreement.conditions.exists():
        found.append(Blocker(_("Our copy has no cooperation conditions yet.")))
    if not theirs.conditions.exists():
        found.append(Blocker(_("The partner's copy has no cooperation conditions yet.")))
    if not agreement_hash_result(theirs).valid_for_approval:
        found.append(
            Blocker(
                _(
                    "The partner's copy still carries EWP migration markers (not-yet-defined "
                    "or v6 values) and cannot be approved until the partner fixes it."
                )
            )
        )
    state = approval_state(agreement, theirs)
    if theirs.terminated and state.theirs_by_us.state == "none":
        found.append(
            Blocker(
                _(
                    "The partner terminated its copy before we ever approved it: there is "
                    "nothing to approve."
                )
            )
        )
    found.extend(Blocker(text) for text in agreement_diff(agreement, theirs).blocking_notes)
    found.extend(_still_to_do(state))
    return found


def _still_to_do(state: ApprovalState) -> list[Blocker]:
    todo = []
    if state.theirs_by_us.state == "stale":
        todo.append(
            Blocker(
                _("The partner changed its copy after your approval: approve the new version."),
                blocks_approval=False,
            )
        )
    elif state.theirs_by_us.state == "none":
        todo.append(Blocker(_("We have not approved the partner's copy yet."), False))
    if state.ours_by_partner.state == "stale":
        todo.append(
            Blocker(
                _(
                    "We changed our copy after the partner's approval: the partner must "
                    "approve it again."
                ),
                blocks_approval=False,
            )
        )
    elif state.ours_by_partner.state == "none":
        todo.append(Blocker(_("The partner has not approved our copy yet."), False))
    return todo


def approval_blockers(agreement: Agreement, theirs: Agreement | None = None) -> list[Blocker]:
    """Only the reasons that keep us from approving the partner's copy now."""
    return [b for b in blockers(agreement, theirs) if b.blocks_approval]


# --- Notices --------------------------------------------------------------------------------


def agreement_notices(institution: Institution, *, unread_only: bool = False) -> QuerySet:
    """The institution's notices about agreements, newest change first."""
    with scopes_disabled():
        notices = Notification.objects.filter(
            institution=institution, kind__startswith=AGREEMENT_NOTICES
        )
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    return notices.select_related("sender", "read_by")


def notice_for(institution: Institution, notice_uuid: uuid_lib.UUID | str) -> Notification:
    found = agreement_notices(institution).filter(uuid=notice_uuid).first()
    if found is None:
        raise Http404
    return found


def iro_emails(institution: Institution) -> list[tuple[str, str]]:
    """(e-mail, preferred language) of the institution's active international officers.

    Filtered by institution, so safe across tenants: only who receives its notices.
    """
    from intercampus.accounts.models import Role

    with scopes_disabled():
        roles = Role.objects.filter(
            institution=institution,
            kind=RoleKind.INTERNATIONAL_OFFICER,
            user__is_active=True,
        ).select_related("user")
        return sorted({(r.user.email, r.user.preferred_language) for r in roles})
