"""What the institutions API reads (``...Out``) and accepts (``...In``, ``...Patch``).

An institution's ``id`` is its SCHAC code; units and people are named by UUID.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StrictInt

from intercampus.core.api_errors import InputSchema
from intercampus.institutions import selectors
from intercampus.institutions.choices import HeadcountCategory, UnitKind

Count = Annotated[StrictInt, Field(ge=0, le=10_000_000)]


# --- Read -----------------------------------------------------------------------------------


class InstitutionOut(Schema):
    id: str = Field(description="SCHAC code")
    name: str
    short_name: str
    country: str = Field(description="ISO 3166-1 alpha-2")
    city: str
    website: str

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.schac

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return obj.country.code


class UnitOut(Schema):
    uuid: uuid.UUID
    name: str
    code: str
    kind: UnitKind
    website: str
    parent: uuid.UUID | None = Field(description="UUID of the unit it is part of")

    @staticmethod
    def resolve_parent(obj: Any) -> uuid.UUID | None:
        return obj.parent.uuid if obj.parent_id else None


class HeadcountsOut(Schema):
    year: int
    professors: int | None
    teachers: int | None
    phd_students: int | None
    students: int | None


class InstitutionDetailOut(InstitutionOut):
    erasmus_code: str
    timezone: str
    languages: list[str]
    description: str
    updated: datetime.datetime
    units: list[UnitOut]
    headcounts: HeadcountsOut | None = Field(description="The latest year counted")

    @staticmethod
    def resolve_units(obj: Any) -> list[Any]:
        return list(selectors.units_of(obj).select_related("parent").order_by("name"))

    @staticmethod
    def resolve_headcounts(obj: Any) -> dict[str, Any] | None:
        years = selectors.headcount_grid(obj)
        if not years:
            return None
        latest = years[0]
        return {
            "year": latest.year,
            **{c.value: latest.counts.get(c.value) for c in HeadcountCategory},
        }


class PersonOut(Schema):
    uuid: uuid.UUID
    given_name: str
    family_name: str
    email: str
    position: str
    unit: uuid.UUID | None

    @staticmethod
    def resolve_unit(obj: Any) -> uuid.UUID | None:
        return obj.unit.uuid if obj.unit_id else None


# --- Write ----------------------------------------------------------------------------------


class ProfilePatch(InputSchema):
    """The public profile; the SCHAC code and the country identify the institution and stay."""

    name: str | None = Field(None, min_length=1, max_length=200)
    short_name: str | None = Field(None, max_length=50)
    erasmus_code: str | None = Field(None, max_length=20)
    city: str | None = Field(None, min_length=1, max_length=100)
    timezone: str | None = Field(None, max_length=64, description="IANA, e.g. Europe/Stockholm")
    website: str | None = Field(None, max_length=200)
    languages: list[Annotated[str, Field(max_length=35)]] | None = Field(
        None, max_length=50, description="BCP 47 tags, e.g. en, pt-BR"
    )
    description: str | None = Field(None, max_length=20_000)


class UnitPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: UnitKind | None = None
    code: str | None = Field(None, max_length=50)
    website: str | None = Field(None, max_length=200)
    parent: uuid.UUID | None = Field(None, description="null makes it a top-level unit")


class UnitIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind
    code: str = Field("", max_length=50)
    website: str = Field("", max_length=200)
    parent: uuid.UUID | None = Field(None, description="UUID of the unit it is part of")


class HeadcountsIn(InputSchema):
    """One year's four counts."""

    professors: Count
    teachers: Count
    phd_students: Count
    students: Count


class PersonIn(InputSchema):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    email: str = Field("", max_length=254)
    position: str = Field("", max_length=200)
    unit: uuid.UUID | None = Field(None, description="UUID of one of the institution's units")
