"""Writes to an institution's own data: its profile, units, headcounts and people.

Every service is keyword-only, atomic and audited (``institutions.<thing>.<verb>``). A rule
that refuses the change raises :class:`ServiceError` naming the field at fault; a value the
model refuses raises ``django.core.exceptions.ValidationError``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from intercampus.core.services import ServiceError, audited_create, audited_delete, audited_update
from intercampus.institutions.choices import HeadcountCategory
from intercampus.institutions.models import Headcount, Institution, OrganisationalUnit, Person
from intercampus.lib.spreadsheets import Row

# What the IRO may change; the SCHAC code and the country identify the tenant.
PROFILE_FIELDS = frozenset(
    {
        "name",
        "short_name",
        "erasmus_code",
        "city",
        "timezone",
        "website",
        "languages",
        "description",
    }
)
UNIT_FIELDS = frozenset({"name", "kind", "code", "parent", "website"})
PERSON_FIELDS = frozenset({"given_name", "family_name", "email", "position", "unit"})
FIRST_YEAR = 1900


def _check_fields(given: Iterable[str], allowed: frozenset[str]) -> None:
    unknown = set(given) - allowed
    if unknown:
        raise TypeError(f"Fields that cannot be changed here: {', '.join(sorted(unknown))}")


# --- Profile ------------------------------------------------------------------------------


def institution_update(*, actor: Any, institution: Institution, **fields: Any) -> Institution:
    """Change the institution's public profile (not its SCHAC code or country).

    Raises ``ValidationError`` naming the fields the model refuses.
    """
    _check_fields(fields, PROFILE_FIELDS)
    return audited_update(
        actor=actor, obj=institution, action="institutions.institution.changed", **fields
    )


# --- Organisational units ---------------------------------------------------------------


def _check_unit(
    *,
    institution: Institution,
    name: str,
    parent: OrganisationalUnit | None,
    unit: OrganisationalUnit | None = None,
) -> None:
    others = OrganisationalUnit.objects.filter(institution=institution, name__iexact=name)
    if unit is not None:
        others = others.exclude(pk=unit.pk)
    if others.exists():
        raise ServiceError(
            _("Your institution already has a unit called “{name}”.").format(name=name),
            field="name",
        )
    if parent is None:
        return
    if parent.institution_id != institution.pk:
        raise ServiceError(_("Choose one of your institution's units."), field="parent")
    # Walking up from the new parent must not meet the unit itself: no unit is its own part.
    ancestor: OrganisationalUnit | None = parent
    while unit is not None and ancestor is not None:
        if ancestor.pk == unit.pk:
            raise ServiceError(
                _("A unit cannot be part of itself or of one of its own sub-units."),
                field="parent",
            )
        ancestor = ancestor.parent


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    institution: Institution,
    name: str,
    kind: str,
    code: str = "",
    parent: OrganisationalUnit | None = None,
    website: str = "",
) -> OrganisationalUnit:
    """Add a unit to the institution, optionally as part of another of its units."""
    _check_unit(institution=institution, name=name, parent=parent)
    return audited_create(
        actor=actor,
        model=OrganisationalUnit,
        action="institutions.unit.created",
        institution=institution,
        name=name,
        kind=kind,
        code=code,
        parent=parent,
        website=website,
    )


@transaction.atomic
def unit_update(*, actor: Any, unit: OrganisationalUnit, **fields: Any) -> OrganisationalUnit:
    """Change a unit; its new parent must be another unit of the same institution."""
    _check_fields(fields, UNIT_FIELDS)
    _check_unit(
        institution=unit.institution,
        name=fields.get("name", unit.name),
        parent=fields.get("parent", unit.parent),
        unit=unit,
    )
    return audited_update(actor=actor, obj=unit, action="institutions.unit.changed", **fields)


@transaction.atomic
def unit_delete(*, actor: Any, unit: OrganisationalUnit) -> None:
    """Delete a unit that has neither people nor sub-units (deleting would lose them)."""
    with scope(institution=unit.institution):
        people = Person.objects.filter(unit=unit).count()
    if people:
        raise ServiceError(
            _(
                "“{name}” still has {count} people attached. Move them to another unit "
                "or remove them first."
            ).format(name=unit.name, count=people),
            status=409,
        )
    children = unit.children.count()
    if children:
        raise ServiceError(
            _("“{name}” still has {count} sub-units. Move or delete them first.").format(
                name=unit.name, count=children
            ),
            status=409,
        )
    audited_delete(actor=actor, obj=unit, action="institutions.unit.deleted")


# --- Headcounts ---------------------------------------------------------------------------


def last_headcount_year() -> int:
    """The latest year one may count: next year, for figures planned ahead."""
    return timezone.now().year + 1


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= last_headcount_year():
        raise ServiceError(
            _("Enter a year between {first} and {last}.").format(
                first=FIRST_YEAR, last=last_headcount_year()
            ),
            field="year",
        )


@transaction.atomic
def headcount_set(
    *, actor: Any, institution: Institution, year: int, counts: Mapping[str, int | None]
) -> int:
    """Set one year's counts by category; a category given as None is removed.

    Categories left out of ``counts`` are not touched. Returns how many rows changed.
    """
    _check_year(year)
    unknown = set(counts) - set(HeadcountCategory.values)
    if unknown:
        raise ServiceError(_("Unknown category: {names}.").format(names=", ".join(unknown)))
    existing = {
        h.category: h
        for h in Headcount.objects.select_for_update().filter(institution=institution, year=year)
    }
    changed = 0
    for category, count in counts.items():
        row = existing.get(category)
        if count is None:
            if row is not None:
                audited_delete(actor=actor, obj=row, action="institutions.headcount.deleted")
                changed += 1
        elif row is None:
            audited_create(
                actor=actor,
                model=Headcount,
                action="institutions.headcount.set",
                institution=institution,
                year=year,
                category=category,
                count=count,
            )
            changed += 1
        elif row.count != count:
            audited_update(actor=actor, obj=row, action="institutions.headcount.set", count=count)
            changed += 1
    return changed


@transaction.atomic
def headcount_year_delete(*, actor: Any, institution: Institution, year: int) -> int:
    """Remove every count of one year. Returns how many rows were removed."""
    rows = list(Headcount.objects.select_for_update().filter(institution=institution, year=year))
    for row in rows:
        audited_delete(actor=actor, obj=row, action="institutions.headcount.deleted")
    return len(rows)


HEADCOUNT_COLUMNS = ("year", "category", "count")
_WHOLE_NUMBER = re.compile(r"^\d+$")


def _category_of(text: str) -> str | None:
    """A category from its code (``phd_students``) or its name, in English or as shown."""
    wanted = text.strip().lower()
    for category in HeadcountCategory:
        if wanted in {category.value, str(category.label).lower(), category.name.lower()}:
            return category.value
        if wanted == category.value.replace("_", " "):
            return category.value
    return None


def parse_headcount_rows(
    header: list[str], rows: Iterable[Row]
) -> tuple[dict[tuple[int, str], int], list[str]]:
    """Check an imported table of year, category and count.

    Returns the counts by (year, category) and the list of problems, each naming its row and
    column, in the order they appear in the file.
    """
    missing = [c for c in HEADCOUNT_COLUMNS if c not in header]
    if missing:
        return {}, [
            _(
                "The first row must name the columns year, category and count; missing: {columns}."
            ).format(columns=", ".join(missing))
        ]
    counts: dict[tuple[int, str], int] = {}
    first_seen: dict[tuple[int, str], int] = {}
    errors: list[str] = []
    last = last_headcount_year()
    for row in rows:
        problems = []
        year_text, category_text, count_text = (row.values[c] for c in HEADCOUNT_COLUMNS)
        year = int(year_text) if _WHOLE_NUMBER.match(year_text) else None
        if year is None or not FIRST_YEAR <= year <= last:
            problems.append(
                _("column year: enter a year between {first} and {last}").format(
                    first=FIRST_YEAR, last=last
                )
            )
        category = _category_of(category_text)
        if category is None:
            problems.append(
                _("column category: enter one of {choices}").format(
                    choices=", ".join(HeadcountCategory.values)
                )
            )
        if not _WHOLE_NUMBER.match(count_text):
            problems.append(_("column count: enter a whole number ≥ 0"))
        for problem in problems:
            errors.append(_("Row {row}, {problem}.").format(row=row.number, problem=problem))
        if problems or year is None or category is None:
            continue
        key = (year, category)
        if key in first_seen:
            errors.append(
                _("Row {row}: {year} {category} is already given in row {first}.").format(
                    row=row.number, year=year, category=category, first=first_seen[key]
                )
            )
            continue
        first_seen[key] = row.number
        counts[key] = int(count_text)
    if not counts and not errors:
        errors.append(_("The file has no rows below its header."))
    return counts, errors


@transaction.atomic
def headcounts_import(
    *, actor: Any, institution: Institution, header: list[str], rows: Iterable[Row]
) -> int:
    """Apply a whole table of year, category and count, or nothing at all.

    Years and categories not in the table are left as they are. Raises ``ValidationError``
    listing every problem (row and column) when any row is wrong. Returns how many counts
    changed.
    """
    counts, errors = parse_headcount_rows(header, rows)
    if errors:
        raise ValidationError(errors)
    by_year: dict[int, dict[str, int | None]] = {}
    for (year, category), count in counts.items():
        by_year.setdefault(year, {})[category] = count
    return sum(
        headcount_set(actor=actor, institution=institution, year=year, counts=year_counts)
        for year, year_counts in sorted(by_year.items())
    )


# --- People -------------------------------------------------------------------------------


def _check_person_unit(institution: Institution, unit: OrganisationalUnit | None) -> None:
    if unit is not None and unit.institution_id != institution.pk:
        raise ServiceError(_("Choose one of your institution's units."), field="unit")


@transaction.atomic
def person_create(
    *,
    actor: Any,
    institution: Institution,
    given_name: str,
    family_name: str,
    email: str = "",
    position: str = "",
    unit: OrganisationalUnit | None = None,
) -> Person:
    """Add a named person (a representative or contact) to the institution."""
    _check_person_unit(institution, unit)
    with scope(institution=institution):
        return audited_create(
            actor=actor,
            model=Person,
            action="institutions.person.created",
            institution=institution,
            given_name=given_name,
            family_name=family_name,
            email=email,
            position=position,
            unit=unit,
        )


@transaction.atomic
def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    """Change a person's name, contact details, position or unit (one of the same institution)."""
    _check_fields(fields, PERSON_FIELDS)
    if "unit" in fields:
        _check_person_unit(person.institution, fields["unit"])
    with scope(institution=person.institution):
        return audited_update(
            actor=actor, obj=person, action="institutions.person.changed", **fields
        )


@transaction.atomic
def person_delete(*, actor: Any, person: Person) -> None:
    """Remove a person; work group seats they represented are left without a representative."""
    with scope(institution=person.institution):
        audited_delete(actor=actor, obj=person, action="institutions.person.deleted")
