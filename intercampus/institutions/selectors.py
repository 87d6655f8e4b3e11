"""Reads of an institution's own data for its staff area: units, headcounts and people.

Every function takes the institution (the tenant) and filters by it, so an object named in a
URL is only ever found among the institution's own rows; anything else is 404.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from intercampus.institutions.choices import HeadcountCategory
from intercampus.institutions.models import Headcount, Institution, OrganisationalUnit, Person


@dataclass
class UnitNode:
    """A unit in the tree, with how many people it has and its sub-units."""

    unit: OrganisationalUnit
    depth: int
    people_count: int
    children: list[UnitNode] = field(default_factory=list)


def units_of(institution: Institution) -> QuerySet[OrganisationalUnit]:
    return OrganisationalUnit.objects.filter(institution=institution)


def get_unit(institution: Institution, unit_uuid: uuid.UUID) -> OrganisationalUnit:
    """One of the institution's units by its public id, or 404."""
    return get_object_or_404(units_of(institution), uuid=unit_uuid)


def unit_tree(institution: Institution) -> list[UnitNode]:
    """The institution's units as a forest, each level sorted by name."""
    units = list(units_of(institution).annotate(n_people=Count("people")).order_by("name"))
    nodes = {u.pk: UnitNode(unit=u, depth=0, people_count=u.n_people) for u in units}
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)

    def set_depth(branch: list[UnitNode], depth: int) -> None:
        for node in branch:
            node.depth = depth
            set_depth(node.children, depth + 1)

    set_depth(roots, 0)
    return roots


def flatten_tree(roots: list[UnitNode]) -> list[UnitNode]:
    """The tree in reading order (a parent, then its sub-units), for a select or a table."""
    flat: list[UnitNode] = []

    def walk(branch: list[UnitNode]) -> None:
        for node in branch:
            flat.append(node)
            walk(node.children)

    walk(roots)
    return flat


def unit_choices(
    institution: Institution, *, exclude: OrganisationalUnit | None = None
) -> list[OrganisationalUnit]:
    """Units to pick from, in tree order with ``depth`` set; ``exclude`` drops a unit and its
    sub-units (a unit cannot be part of itself)."""
    chosen = []
    skip_below: int | None = None
    for node in flatten_tree(unit_tree(institution)):
        if skip_below is not None and node.depth > skip_below:
            continue
        skip_below = None
        if exclude is not None and node.unit.pk == exclude.pk:
            skip_below = node.depth
            continue
        node.unit.depth = node.depth  # type: ignore[attr-defined]
        chosen.append(node.unit)
    return chosen


@dataclass
class HeadcountYear:
    """One row of the headcount grid: a year and a count (or None) per category."""

    year: int
    counts: dict[str, int | None]

    @property
    def cells(self) -> list[int | None]:
        return [self.counts.get(c.value) for c in HeadcountCategory]


def headcounts_of(institution: Institution) -> QuerySet[Headcount]:
    return Headcount.objects.filter(institution=institution).order_by("-year", "category")


def headcount_grid(institution: Institution) -> list[HeadcountYear]:
    """Every year the institution has counted, latest first."""
    years: dict[int, HeadcountYear] = {}
    for headcount in headcounts_of(institution):
        row = years.setdefault(headcount.year, HeadcountYear(year=headcount.year, counts={}))
        row.counts[headcount.category] = headcount.count
    return list(years.values())


def headcount_year(institution: Institution, year: int) -> dict[str, int]:
    """The counts of one year by category; empty when the year was never counted."""
    return dict(headcounts_of(institution).filter(year=year).values_list("category", "count"))


def headcount_export_rows(institution: Institution) -> list[tuple[int, str, int]]:
    """Rows of year, category code and count, the layout the import reads back."""
    order = {c.value: i for i, c in enumerate(HeadcountCategory)}
    rows = headcounts_of(institution).values_list("year", "category", "count")
    return sorted(rows, key=lambda r: (-r[0], order.get(r[1], 99)))


def people_of(institution: Institution) -> QuerySet[Person]:
    """The institution's people (the request's scope filters them too)."""
    return (
        Person.objects.filter(institution=institution)
        .select_related("unit")
        .order_by("family_name", "given_name", "pk")
    )


def get_person(institution: Institution, person_uuid: uuid.UUID) -> Person:
    """One of the institution's people by public id, or 404."""
    return get_object_or_404(people_of(institution), uuid=person_uuid)
