"""The agreements API: an institution's own copies, their cooperation conditions, the
difference with the partner's copy, linking, approval and termination.

Every endpoint acts as the institution named in the path (``core.api_auth.acting_at``) with
``mobility.manage_agreements``, as the pages do: staff of another institution get 404, other
roles 403. Reads go through ``selectors.agreements`` (our copies; the partner's only when it
names us), writes through ``services.agreements``, which audit and notify the partner.
"""

# No ``from __future__ import annotations``: ninja's paginator wraps the view and then cannot
# resolve a parameter annotated as a string.
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from intercampus.core.api_auth import AUTH, acting_at
from intercampus.core.api_errors import LimitOffsetPagination
from intercampus.institutions.models import Institution, OrganisationalUnit
from intercampus.mobility.models import Agreement
from intercampus.mobility.schemas import (
    AgreementDetailOut,
    AgreementFilters,
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    ApproveIn,
    ConditionIn,
    ConditionOut,
    ConditionPatch,
    DifferenceOut,
    LinkIn,
    condition_out,
    plain,
)
from intercampus.mobility.selectors import agreements as selectors
from intercampus.mobility.services import agreements as services

router = Router()

MANAGE = "mobility.manage_agreements"
AGREEMENTS = "/institutions/{schac}/agreements"
AGREEMENT = AGREEMENTS + "/{agreement}"
CONDITION = AGREEMENT + "/conditions/{condition}"
Page = paginate(LimitOffsetPagination, max_limit=100)


# --- Shaping --------------------------------------------------------------------------------


def _our_unit(institution: Institution, unit_uuid: uuid.UUID | None) -> OrganisationalUnit | None:
    """One of our units named in a request body, or a 422 on ``owner_ounit``."""
    if unit_uuid is None:
        return None
    for unit in selectors.units_of(institution):
        if unit.uuid == unit_uuid:
            return unit
    raise ValidationError({"owner_ounit": [_("Your institution has no unit with this id.")]})


def _row(institution: Institution, agreement: Agreement) -> dict[str, Any]:
    """The list row of our copy (status, approvals, years), as a plain dict."""
    annotated = selectors.agreements_of(institution).filter(pk=agreement.pk).first()
    return AgreementOut.model_validate(annotated).model_dump()


def _approval(info: selectors.ApprovalInfo) -> dict[str, Any]:
    names = ("state", "approver", "approved_at", "approved_by", "approved_hash", "current_hash")
    return {name: getattr(info, name) for name in names}


def _blockers(blockers: list[selectors.Blocker]) -> list[dict[str, Any]]:
    return [{"text": b.text, "blocks_approval": b.blocks_approval} for b in blockers]


def _can_approve(linked: bool, blockers: list[selectors.Blocker], state: Any) -> bool:
    # As the detail page: linked, nothing blocking, and not already approved at this version.
    return (
        linked
        and not any(b.blocks_approval for b in blockers)
        and not state.theirs_by_us.is_current
    )


def _conditions(agreement: Agreement) -> list[dict[str, Any]]:
    return [
        condition_out(c, number)
        for number, c in enumerate(selectors.conditions_of(agreement), start=1)
    ]


def _detail(institution: Institution, agreement_uuid: uuid.UUID) -> dict[str, Any]:
    """Our copy with its conditions, approvals, what blocks approval and what may be linked."""
    ours = selectors.agreement_for(institution, agreement_uuid)
    theirs = selectors.partner_copy(ours)
    linked = selectors.is_linked(ours, theirs)
    blockers = selectors.blockers(ours, theirs)
    state = selectors.approval_state(ours, theirs)
    candidates = selectors.link_candidates(ours) if ours.partner is not None and not linked else []
    return {
        **_row(institution, ours),
        "owner_ounit": ours.owner_ounit.uuid if ours.owner_ounit else None,
        "partner_ounit_id": ours.partner_ounit_id,
        "conditions": _conditions(ours),
        "linked": linked,
        "approvals": {
            "partner_approved_ours": _approval(state.ours_by_partner),
            "we_approved_theirs": _approval(state.theirs_by_us),
            "mutual": state.mutual,
        },
        "blockers": _blockers(blockers),
        "can_approve": _can_approve(linked, blockers, state),
        "partner_copy_hash": theirs.iia_hash if linked and theirs is not None else None,
        "link_candidates": [{"iia_id": c.iia_id, "iia_code": c.iia_code} for c in candidates],
    }


def _field(item: selectors.FieldDiff) -> dict[str, Any]:
    return {
        "label": str(item.label),
        "ours": item.ours,
        "theirs": item.theirs,
        "same": item.same,
        "blocking": item.blocking,
    }


def _copy(agreement: Agreement) -> dict[str, str]:
    return {
        "iia_id": agreement.iia_id,
        "iia_code": agreement.iia_code,
        "iia_hash": agreement.iia_hash,
    }


def _difference(ours: Agreement) -> dict[str, Any]:
    theirs = selectors.partner_copy(ours)
    linked = selectors.is_linked(ours, theirs)
    blockers = selectors.blockers(ours, theirs)
    state = selectors.approval_state(ours, theirs)
    body: dict[str, Any] = {
        "linked": linked,
        "ours": _copy(ours),
        "theirs": None,
        "same": False,
        "header": [],
        "conditions": [],
        "notes": [],
        "blockers": _blockers(blockers),
        "can_approve": _can_approve(linked, blockers, state),
    }
    # As on the page, the partner's copy is compared only once the two copies name each other.
    if linked and theirs is not None:
        diff = selectors.agreement_diff(ours, theirs)
        body.update(
            theirs=_copy(theirs),
            same=diff.same,
            header=[_field(f) for f in diff.header],
            conditions=[
                {
                    "title": pair.title,
                    "our_number": pair.our_number,
                    "their_number": pair.their_number,
                    "ours": pair.ours.uuid if pair.ours is not None else None,
                    "same": pair.same,
                    "fields": [_field(f) for f in pair.fields],
                }
                for pair in diff.pairs
            ],
            notes=[str(n) for n in diff.notes],
        )
    return body


# --- Our copies -----------------------------------------------------------------------------


@router.get(AGREEMENTS, response=list[AgreementOut], auth=AUTH, summary="Our agreements")
@Page
def agreement_list(request: HttpRequest, schac: str, filters: Query[AgreementFilters]) -> Any:
    """Our copies, with the list page's filters: partner, status, type, year and search."""
    with acting_at(request, schac, MANAGE) as acting:
        return selectors.agreements_of(
            acting.institution,
            partner=filters.partner.strip().lower(),
            status=filters.status or "",
            mobility_type=filters.type or "",
            academic_year=filters.year,
            q=filters.q.strip(),
        )


@router.post(AGREEMENTS, response={201: AgreementDetailOut}, auth=AUTH, summary="New agreement")
def agreement_create(request: HttpRequest, schac: str, payload: AgreementIn) -> Status:
    """Create our copy of an agreement with a partner named by SCHAC code; a partner on the
    platform is told, and can link its own copy to ours."""
    with acting_at(request, schac, MANAGE) as acting:
        created = services.agreement_create(
            actor=acting.user,
            owner=acting.institution,
            partner_hei_id=payload.partner_hei_id,
            iia_code=payload.iia_code,
            owner_ounit=_our_unit(acting.institution, payload.owner_ounit),
            partner_ounit_id=payload.partner_ounit_id,
        )
        return Status(201, _detail(acting.institution, created.uuid))


@router.get(AGREEMENT, response=AgreementDetailOut, auth=AUTH, summary="One of our agreements")
def agreement_detail(request: HttpRequest, schac: str, agreement: uuid.UUID) -> dict[str, Any]:
    with acting_at(request, schac, MANAGE) as acting:
        return _detail(acting.institution, agreement)


@router.patch(AGREEMENT, response=AgreementDetailOut, auth=AUTH, summary="Change code or units")
def agreement_update(
    request: HttpRequest, schac: str, agreement: uuid.UUID, payload: AgreementPatch
) -> dict[str, Any]:
    """Change our code and units (none of them is part of the approved version)."""
    with acting_at(request, schac, MANAGE) as acting:
        ours = selectors.agreement_for(acting.institution, agreement)
        fields = payload.model_dump(exclude_unset=True)
        if "owner_ounit" in fields:
            unit = _our_unit(acting.institution, fields["owner_ounit"])
        else:
            unit = ours.owner_ounit
        services.agreement_change(
            actor=acting.user,
            agreement=ours,
            iia_code=fields.get("iia_code", ours.iia_code),
            owner_ounit=unit,
            partner_ounit_id=fields.get("partner_ounit_id", ours.partner_ounit_id),
        )
        return _detail(acting.institution, agreement)


@router.delete(AGREEMENT, response={204: None}, auth=AUTH, summary="Delete an agreement")
def agreement_delete(request: HttpRequest, schac: str, agreement: uuid.UUID) -> Status:
    """Delete a copy never approved by both sides (otherwise terminate it)."""
    with acting_at(request, schac, MANAGE) as acting:
        ours = selectors.agreement_for(acting.institution, agreement)
        services.agreement_delete(actor=acting.user, agreement=ours)
    return Status(204, None)


# --- Cooperation conditions -----------------------------------------------------------------


def _condition(agreement: Agreement, condition_uuid: uuid.UUID) -> dict[str, Any]:
    """The condition as served: its number is its place in the copy's served order."""
    return next(item for item in _conditions(agreement) if item["id"] == condition_uuid)


@router.post(
    AGREEMENT + "/conditions",
    response={201: ConditionOut},
    auth=AUTH,
    summary="Add a cooperation condition",
)
def condition_add(
    request: HttpRequest, schac: str, agreement: uuid.UUID, payload: ConditionIn
) -> Status:
    """Add a condition; our copy's version changes, so the partner's approval goes stale."""
    with acting_at(request, schac, MANAGE) as acting:
        ours = selectors.agreement_for(acting.institution, agreement)
        created = services.condition_add(
            actor=acting.user, agreement=ours, **plain(payload.model_dump())
        )
        return Status(201, _condition(ours, created.uuid))


@router.patch(CONDITION, response=ConditionOut, auth=AUTH, summary="Change a condition")
def condition_update(
    request: HttpRequest,
    schac: str,
    agreement: uuid.UUID,
    condition: uuid.UUID,
    payload: ConditionPatch,
) -> dict[str, Any]:
    """Change the fields given; the others keep their value. The version changes."""
    with acting_at(request, schac, MANAGE) as acting:
        ours = selectors.agreement_for(acting.institution, agreement)
        found = selectors.condition_for(ours, condition)
        # The service replaces every value, as a form sends them all: start from the current.
        fields = {name: getattr(found, name) for name in services.CONDITION_FIELDS}
        fields.update(plain(payload.model_dump(exclude_unset=True)))
        services.condition_change(actor=acting.user, condition=found, **fields)
        return _condition(ours, condition)


@router.delete(CONDITION, response={204: None}, auth=AUTH, summary="Remove a condition")
def condition_remove(
    request: HttpRequest, schac: str, agreement: uuid.UUID, condition: uuid.UUID
) -> Status:
    """Remove a condition no call's places use."""
    with acting_at(request, schac, MANAGE) as acting:
        ours = selectors.agreement_for(acting.institution, agreement)
        found = selectors.condition_for(ours, condition)
        services.condition_remove(actor=acting.user, condition=found)
    return Status(204, None)


# --- The partner's copy ---------------------------------------------------------------------


@router.get(
    AGREEMENT + "/difference",
    response=DifferenceOut,
    auth=AUTH,
    summary="Our copy and the partner's, field by field, and what blocks approval",
)
def agreement_difference(request: HttpRequest, schac: str, agreement: uuid.UUID) -> dict[str, Any]:
    with acting_at(request, schac, MANAGE) as acting:
        return _difference(selectors.agreement_for(acting.institution, agreement))


@router.post(
    AGREEMENT + "/approve",
    response=AgreementDetailOut,
    auth=AUTH,
    summary="Approve the partner's copy at the version checked",
)
def agreement_approve(
    request: HttpRequest, schac: str, agreement: uuid.UUID, payload: ApproveIn
) -> dict[str, Any]:
    """Approve the partner's copy at ``iia_hash`` (``partner_copy_hash`` of the detail). 409
    when the partner's copy changed since, or when something blocks approval."""
    with acting_at(request, schac, MANAGE) as acting:
        ours = selectors.agreement_for(acting.institution, agreement)
        services.agreement_approve(actor=acting.user, agreement=ours, iia_hash=payload.iia_hash)
        return _detail(acting.institution, agreement)


@router.post(
    AGREEMENT + "/link",
    response=AgreementDetailOut,
    auth=AUTH,
    summary="Link our copy to the partner's",
)
def agreement_link(
    request: HttpRequest, schac: str, agreement: uuid.UUID, payload: LinkIn
) -> dict[str, Any]:
    """Tie our copy to the partner's copy with this id: on the platform, one of
    ``link_candidates``; elsewhere, the id (and code) the partner gave us through EWP."""
    with acting_at(request, schac, MANAGE) as acting:
        ours = selectors.agreement_for(acting.institution, agreement)
        services.agreement_link(
            actor=acting.user,
            agreement=ours,
            partner_iia_id=payload.partner_iia_id,
            partner_iia_code=payload.partner_iia_code,
        )
        return _detail(acting.institution, agreement)


@router.post(
    AGREEMENT + "/terminate",
    response=AgreementDetailOut,
    auth=AUTH,
    summary="Terminate the agreement as a whole",
)
def agreement_terminate(request: HttpRequest, schac: str, agreement: uuid.UUID) -> dict[str, Any]:
    """Mark our copy terminated; its version changes, so the partner approves the termination."""
    with acting_at(request, schac, MANAGE) as acting:
        ours = selectors.agreement_for(acting.institution, agreement)
        services.agreement_terminate(actor=acting.user, agreement=ours)
        return _detail(acting.institution, agreement)
