"""Building agreements for tests, through the services, each in its owner's scope."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from intercampus.mobility.services import agreements as services


def student_condition(sending: str, receiving: str, **overrides: Any) -> dict[str, Any]:
    """Fields of a valid student-studies condition from ``sending`` to ``receiving``."""
    fields: dict[str, Any] = {
        "mobility_type": "student-studies",
        "sending_hei_id": sending,
        "receiving_hei_id": receiving,
        "first_academic_year": "2026/2027",
        "last_academic_year": "2028/2029",
        "mobilities_per_year": 2,
        "total_months_per_year": 10,
        "subject_areas": [{"isced_f_code": "0714", "isced_clarification": ""}],
        "eqf_levels": [6, 7],
        "language_skills": [{"language": "en", "cefr_level": "B2"}],
        "blended": False,
    }
    fields.update(overrides)
    return fields


def staff_condition(sending: str, receiving: str, **overrides: Any) -> dict[str, Any]:
    """Fields of a valid staff-teaching condition."""
    fields: dict[str, Any] = {
        "mobility_type": "staff-teacher",
        "sending_hei_id": sending,
        "receiving_hei_id": receiving,
        "first_academic_year": "2026/2027",
        "last_academic_year": "2027/2028",
        "mobilities_per_year": 1,
        "total_days_per_year": 5,
        "language_skills": [{"language": "en", "cefr_level": "C1"}],
    }
    fields.update(overrides)
    return fields


def make_agreement(owner, partner_hei_id: str, actor, *, code: str = "", conditions=()):
    """``owner``'s copy with ``conditions`` (lists of fields), created as ``actor``."""
    with scope(institution=owner):
        agreement = services.agreement_create(
            actor=actor,
            owner=owner,
            partner_hei_id=partner_hei_id,
            iia_code=code or f"{owner.schac}-{partner_hei_id}",
        )
        for fields in conditions:
            services.condition_add(actor=actor, agreement=agreement, **fields)
        agreement.refresh_from_db()
        return agreement


def two_way(world) -> list[dict[str, Any]]:
    """TPU -> KTH and KTH -> TPU student studies."""
    return [student_condition("tpu.ru", "kth.se"), student_condition("kth.se", "tpu.ru")]


def linked_pair(world):
    """TPU's copy with two conditions and KTH's copy created from it (linked both ways)."""
    tpu = make_agreement(
        world.tpu, "kth.se", world.tpu_officer, code="TPU-KTH-2026", conditions=two_way(world)
    )
    with scope(institution=world.kth):
        kth = services.agreement_adopt(
            actor=world.kth_officer, owner=world.kth, theirs=tpu, iia_code="KTH-TPU-2026"
        )
    tpu.refresh_from_db()
    return tpu, kth


def approve(agreement, actor):
    """``agreement``'s owner approves the partner's copy at its current hash."""
    from intercampus.mobility.selectors.agreements import partner_copy

    theirs = partner_copy(agreement)
    with scope(institution=agreement.owner):
        return services.agreement_approve(
            actor=actor, agreement=agreement, iia_hash=theirs.iia_hash
        )
