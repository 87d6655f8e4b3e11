"""Writes of mobility calls and their places: create, change, publish; derive places from the
agreements, lower their seats, remove them. Every function is atomic and audited.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from intercampus.core.audit import audit_log, snapshot
from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution
from intercampus.lib.apportion import apportion
from intercampus.mobility.choices import (
    CEFR_ORDER,
    CallStatus,
    DocumentKind,
    EqfLevel,
)
from intercampus.mobility.models import Call, CooperationCondition, Place
from intercampus.mobility.selectors import calls as selectors
from intercampus.mobility.services.applications import applications_rescore
from intercampus.mobility.services.common import (
    FROZEN_STATUSES,
    owned_create,
    owned_update,
)

TERM_ID = re.compile(r"^(?P<year>[0-9]{4}/[0-9]{4})-(?P<n>[1-9])/(?P<of>[1-9])$")

# What staff may set on a call; the owner, status and lottery seed are the services' own.
CALL_FIELDS = (
    "title",
    "description",
    "academic_year",
    "terms",
    "mobility_type",
    "opens_at",
    "closes_at",
    "max_choices",
    "eligible_cycles",
    "required_documents",
    "weight_grades",
    "weight_language",
    "weight_committee",
)


# --- Calls ----------------------------------------------------------------------------------


def _check_call_fields(fields: dict[str, Any]) -> None:
    weights = (fields["weight_grades"], fields["weight_language"], fields["weight_committee"])
    if sum(weights) != 100:
        raise ServiceError(
            _(
                "The weights of grades, language level and committee score add up to "
                "{total}; they must add up to 100."
            ).format(total=sum(weights))
        )
    if fields["closes_at"] <= fields["opens_at"]:
        raise ServiceError(_("The call must close after it opens."), field="closes_at")
    cycles = set(EqfLevel.values)
    if any(c not in cycles for c in fields.get("eligible_cycles", [])):
        raise ServiceError(_("Choose study cycles among EQF 5 to 8."), field="eligible_cycles")
    if any(d not in DocumentKind.values for d in fields.get("required_documents", [])):
        raise ServiceError(_("Choose documents from the list."), field="required_documents")
    for term in fields.get("terms", []):
        match = TERM_ID.match(term)
        if not match or int(match["n"]) > int(match["of"]):
            raise ServiceError(
                _("“{term}” is not a term id such as 2027/2028-1/2.").format(term=term),
                field="terms",
            )
        if match["year"] != fields["academic_year"]:
            raise ServiceError(
                _("The term “{term}” is not in the academic year {year}.").format(
                    term=term, year=fields["academic_year"]
                ),
                field="terms",
            )


def _call_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(CALL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown call fields: {sorted(unknown)}")
    # Only the keys given are normalised: a partial update leaves the others as they are.
    cleaned = dict(fields)
    if "eligible_cycles" in fields:
        cleaned["eligible_cycles"] = sorted({int(c) for c in fields["eligible_cycles"]})
    if "required_documents" in fields:
        cleaned["required_documents"] = list(dict.fromkeys(fields["required_documents"]))
    if "terms" in fields:
        cleaned["terms"] = list(dict.fromkeys(fields["terms"]))
    return cleaned


@transaction.atomic
def call_create(*, actor: Any, institution: Institution, **fields: Any) -> Call:
    """Create a draft call of ``institution`` (fields: see ``CALL_FIELDS``).

    The lottery seed is drawn here, once, from the operating system's secure source; nothing
    changes it later. Raises ServiceError (weights, window, terms) or ValidationError.
    """
    cleaned = _call_fields(fields)
    _check_call_fields(cleaned)
    return owned_create(
        actor=actor,
        model=Call,
        action="mobility.call.created",
        owner=institution,
        owner_id=institution.pk,
        status=CallStatus.DRAFT,
        lottery_seed=secrets.randbits(63),
        **cleaned,
    )


@transaction.atomic
def call_update(*, actor: Any, call: Call, **fields: Any) -> Call:
    """Change the call's fields (``CALL_FIELDS``); new weights re-score submitted applications.

    The mobility type and academic year cannot change once the call has places, since the
    places were derived from them. Refused once the allocation has run.
    """
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status in FROZEN_STATUSES:
        raise ServiceError(_("The allocation has run; this call can no longer change."))
    cleaned = _call_fields(fields)
    merged = {name: cleaned.get(name, getattr(call, name)) for name in CALL_FIELDS}
    _check_call_fields(merged)
    has_places = call.places.exists()
    for name in ("mobility_type", "academic_year"):
        if has_places and merged[name] != getattr(call, name):
            raise ServiceError(
                _("Remove the places first: they were derived for this year and type."),
                field=name,
            )
    old_weights = (call.weight_grades, call.weight_language, call.weight_committee)
    owned_update(actor=actor, obj=call, action="mobility.call.changed", owner=call.owner, **cleaned)
    if old_weights != (call.weight_grades, call.weight_language, call.weight_committee):
        applications_rescore(actor=actor, call=call)
    return call


@transaction.atomic
def call_publish(*, actor: Any, call: Call) -> Call:
    """Make a draft call visible to the owner's students. Needs at least one place with seats."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status != CallStatus.DRAFT:
        raise ServiceError(_("This call is already published."), status=409)
    if not call.places.filter(seats__gt=0).exists():
        raise ServiceError(_("Add places with seats before publishing the call."))
    return owned_update(
        actor=actor,
        obj=call,
        action="mobility.call.published",
        owner=call.owner,
        status=CallStatus.PUBLISHED,
    )


# --- Places ---------------------------------------------------------------------------------


def _code(entry: Any, *keys: str) -> str:
    """A code from an entry that is a plain string or a dict with one of ``keys``."""
    if isinstance(entry, str):
        return entry.strip()
    if isinstance(entry, dict):
        for key in keys:
            value = entry.get(key)
            if value:
                return str(value).strip()
    return ""


AREA_KEYS = ("isced", "isced_f_code", "isced_f", "code", "subject_area")


def subject_areas(condition: CooperationCondition) -> list[str]:
    """The condition's ISCED-F codes in order, each once."""
    codes = [_code(entry, *AREA_KEYS) for entry in condition.subject_areas or []]
    return list(dict.fromkeys(c for c in codes if c))


def language_for(condition: CooperationCondition, area: str) -> tuple[str, str]:
    """(language, minimum CEFR) recommended for ``area``: the skill given for that area first,
    else one given for every area; ("", "") when the condition recommends none."""
    general: tuple[str, str] | None = None
    for skill in condition.language_skills or []:
        if not isinstance(skill, dict):
            continue
        language = _code(skill, "language", "lang")
        level = _code(skill, "cefr", "cefr_level", "level").upper()
        if not language or level not in CEFR_ORDER:
            continue
        skill_area = _code(skill, *AREA_KEYS)
        if area and skill_area == area:
            return language, level
        if not skill_area and general is None:
            general = (language, level)
    return general or ("", "")


def _eqf_levels(condition: CooperationCondition) -> list[int]:
    levels: list[int] = []
    for level in condition.eqf_levels or []:
        try:
            levels.append(int(level))
        except (TypeError, ValueError):
            continue
    return sorted(set(levels))


def _proposals(
    call: Call, condition: CooperationCondition, seats: int, skip: set[str]
) -> Iterable[dict]:
    """The places to create for ``condition``, one per subject area not in ``skip``, sharing
    ``seats`` among them."""
    host = Institution.objects.filter(schac=condition.receiving_hei_id).first()
    areas = [area for area in subject_areas(condition) or [""] if area not in skip]
    if not areas:
        return
    # Shared evenly, the first areas getting one more: together never more than ``seats``.
    for area, share in zip(areas, apportion(seats, [1] * len(areas)), strict=True):
        language, level = language_for(condition, area)
        yield {
            "call": call,
            "condition": condition,
            "host_hei_id": condition.receiving_hei_id,
            "host": host,
            "subject_area": area,
            "eqf_levels": _eqf_levels(condition),
            "language": language,
            "min_cefr": level,
            "seats": share,
        }


def _check_editable(call: Call) -> None:
    if call.status in FROZEN_STATUSES:
        raise ServiceError(_("The allocation has run; the places can no longer change."))


@transaction.atomic
def places_derive(*, actor: Any, call: Call) -> list[Place]:
    """Propose places from the owner's agreements (see ``selectors.conditions_for_call``).

    One place per subject area of each condition (one without area when it lists none). The
    places of one condition share the seats it has left for the call (after other calls of
    the year and the call's existing places of the condition), so they never offer more than
    the agreement allows. A condition and area that already has a place in this call is
    skipped, so deriving again only adds what is new. The conditions are locked while their
    seats are counted. Returns the places created.
    """
    call = Call.objects.select_for_update().get(pk=call.pk)
    _check_editable(call)
    conditions = list(selectors.conditions_for_call(call).select_for_update(of=("self",)))
    existing: dict[int, dict[str, int]] = {}
    for condition_id, area, seats in call.places.values_list(
        "condition_id", "subject_area", "seats"
    ):
        existing.setdefault(condition_id, {})[area] = seats
    created = []
    for condition in conditions:
        mine = existing.get(condition.pk, {})
        seats = max(0, selectors.seats_left(condition, call) - sum(mine.values()))
        for fields in _proposals(call, condition, seats, skip=set(mine)):
            created.append(
                owned_create(
                    actor=actor,
                    model=Place,
                    action="mobility.place.created",
                    owner=call.owner,
                    **fields,
                )
            )
    return created


def _locked_place(place: Place) -> Place:
    # Only the place row: its call and owner are read, not locked.
    places = Place.objects.select_for_update(of=("self",)).select_related("call__owner")
    return places.get(pk=place.pk)


@transaction.atomic
def place_update(*, actor: Any, place: Place, seats: int) -> Place:
    """Set the place's seats, from 0 up to what its agreement condition has left for the call
    (after other calls of the year and the call's other places of the same condition)."""
    place = _locked_place(place)
    _check_editable(place.call)
    CooperationCondition.objects.select_for_update().get(pk=place.condition_id)
    limit = selectors.seats_limit(place)
    if seats < 0:
        raise ServiceError(_("Seats cannot be negative."), field="seats")
    if seats > limit:
        raise ServiceError(
            _(
                "The agreement has {limit} seats left for this place this year (after other "
                "calls and this call's other places under it); offer at most that."
            ).format(limit=limit),
            field="seats",
        )
    return owned_update(
        actor=actor,
        obj=place,
        action="mobility.place.changed",
        owner=place.call.owner,
        seats=seats,
    )


@transaction.atomic
def place_delete(*, actor: Any, place: Place) -> None:
    """Remove a place nobody has ranked yet."""
    place = _locked_place(place)
    _check_editable(place.call)
    if place.choices.exists():
        raise ServiceError(
            _("Students have already ranked this place; set its seats to 0 instead."),
            status=409,
        )
    audit_log(
        actor=actor,
        action="mobility.place.deleted",
        obj=place,
        before=snapshot(place),
        institution=place.call.owner,
    )
    try:
        place.delete()
    except ProtectedError as error:
        raise ServiceError(
            _("This place cannot be removed while other records still refer to it."), status=409
        ) from error
