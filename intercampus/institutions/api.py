"""The institutions API: the public directory and profiles, and the IRO's writes.

Writes name the institution in the path (``/institutions/<schac>/...``) and run as that
institution, inside its scope (see ``core.api_auth.acting_at``): staff of another institution
get 404, staff without the permission 403. Every write goes through institutions.services.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from intercampus.core.api_auth import AUTH, acting_at
from intercampus.core.api_errors import LimitOffsetPagination
from intercampus.institutions import selectors, services
from intercampus.institutions.models import Institution, OrganisationalUnit
from intercampus.institutions.schemas import (
    HeadcountsIn,
    HeadcountsOut,
    InstitutionDetailOut,
    InstitutionOut,
    PersonIn,
    PersonOut,
    ProfilePatch,
    UnitIn,
    UnitOut,
    UnitPatch,
)
from intercampus.network import selectors as network_selectors

router = Router(tags=["institutions"])

Page = paginate(LimitOffsetPagination, max_limit=100)


def _unit(institution: Institution, unit_uuid: uuid.UUID | None, field: str):
    """One of the institution's units named in a request body, or a 422 on ``field``."""
    if unit_uuid is None:
        return None
    unit = selectors.units_of(institution).filter(uuid=unit_uuid).first()
    if unit is None:
        raise ValidationError({field: [_("Your institution has no unit with this id.")]})
    return unit


def _changes(payload: Any) -> dict[str, Any]:
    return payload.dict(exclude_unset=True)


# --- Public reads ---------------------------------------------------------------------------


@router.get("/institutions/", response=list[InstitutionOut])
@Page
def institution_list(request: HttpRequest, country: str = "", q: str = "") -> Any:
    """Every institution; ``country`` (ISO code) and ``q`` (name, city or SCHAC) filter."""
    return network_selectors.institution_directory(query=q[:200], country=country[:2])


@router.get("/institutions/{schac}", response=InstitutionDetailOut)
def institution_detail(request: HttpRequest, schac: str) -> Institution:
    """The public profile, the organisational units and the latest year's headcounts."""
    return network_selectors.get_institution(schac)


# --- The international relations officer ----------------------------------------------------


@router.patch("/institutions/{schac}", response=InstitutionDetailOut, auth=AUTH)
def profile_update(request: HttpRequest, schac: str, payload: ProfilePatch):
    with acting_at(request, schac, "institutions.change_profile") as acting:
        return services.institution_update(
            actor=acting.user, institution=acting.institution, **_changes(payload)
        )


@router.post("/institutions/{schac}/units", response={201: UnitOut}, auth=AUTH)
def unit_create(request: HttpRequest, schac: str, payload: UnitIn):
    with acting_at(request, schac, "institutions.manage_units") as acting:
        fields = payload.dict()
        fields["parent"] = _unit(acting.institution, payload.parent, "parent")
        unit = services.unit_create(actor=acting.user, institution=acting.institution, **fields)
    return Status(201, unit)


@router.patch("/institutions/{schac}/units/{unit}", response=UnitOut, auth=AUTH)
def unit_update(request: HttpRequest, schac: str, unit: uuid.UUID, payload: UnitPatch):
    with acting_at(request, schac, "institutions.manage_units") as acting:
        found: OrganisationalUnit = selectors.get_unit(acting.institution, unit)
        fields = _changes(payload)
        if "parent" in fields:
            fields["parent"] = _unit(acting.institution, fields["parent"], "parent")
        return services.unit_update(actor=acting.user, unit=found, **fields)


@router.delete("/institutions/{schac}/units/{unit}", response={204: None}, auth=AUTH)
def unit_delete(request: HttpRequest, schac: str, unit: uuid.UUID):
    """Delete a unit that has neither people nor sub-units (409 otherwise)."""
    with acting_at(request, schac, "institutions.manage_units") as acting:
        found = selectors.get_unit(acting.institution, unit)
        services.unit_delete(actor=acting.user, unit=found)
    return Status(204, None)


@router.put("/institutions/{schac}/headcounts/{year}", response=HeadcountsOut, auth=AUTH)
def headcounts_set(request: HttpRequest, schac: str, year: int, payload: HeadcountsIn):
    """Set the four counts of one year (professors, teachers, PhD students, students)."""
    with acting_at(request, schac, "institutions.manage_headcounts") as acting:
        services.headcount_set(
            actor=acting.user, institution=acting.institution, year=year, counts=payload.dict()
        )
        return {"year": year, **selectors.headcount_year(acting.institution, year)}


@router.get("/institutions/{schac}/people", response=list[PersonOut], auth=AUTH)
@Page
def person_list(request: HttpRequest, schac: str) -> Any:
    """The institution's people: personal data, for its own staff only."""
    with acting_at(request, schac, "institutions.manage_people") as acting:
        return list(selectors.people_of(acting.institution))


@router.post("/institutions/{schac}/people", response={201: PersonOut}, auth=AUTH)
def person_create(request: HttpRequest, schac: str, payload: PersonIn):
    with acting_at(request, schac, "institutions.manage_people") as acting:
        fields = payload.dict()
        fields["unit"] = _unit(acting.institution, payload.unit, "unit")
        person = services.person_create(actor=acting.user, institution=acting.institution, **fields)
    return Status(201, person)
