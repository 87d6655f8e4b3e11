"""The home score of an application and its lottery number. Pure: no ORM, no clock.

The score is a weighted mean of three parts, each on a 0–100 scale::

    score = (w_grades * G + w_language * L + w_committee * C) / 100

- ``G``: the grade average the student declared (0–100); missing counts as 0.
- ``L``: the best CEFR level the student declares in any language, as points:
  A1 = 100/6 ≈ 16.67, A2 = 33.33, B1 = 50, B2 = 66.67, C1 = 83.33, C2 = 100, native = 100;
  no language declared counts as 0.
- ``C``: the committee's score (0–100); not yet scored counts as 0.
- ``w_*``: the call's weights in percent, which sum to 100, so the score is on 0–100 too.

The result is rounded half up to two decimals (the precision stored). It never decreases when
a grade, a language level, or the committee score goes up.

The lottery number (``tiebreak``) orders applicants with equal keys: lower wins. It is derived
from the call's lottery seed (drawn once when the call is created) and the application's UUID,
so it is fixed, reproducible by anyone who knows both, and unrelated to when a student applied.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from intercampus.mobility.choices import CEFR_ORDER

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# C2 and a native speaker both count in full.
_TOP_RANK = CEFR_ORDER["C2"] + 1
TIEBREAK_MASK = (1 << 62) - 1


@dataclass(frozen=True)
class Weights:
    """The call's weights in percent; they must sum to 100."""

    grades: int
    language: int
    committee: int

    def __post_init__(self) -> None:
        parts = (self.grades, self.language, self.committee)
        if any(w < 0 for w in parts) or sum(parts) != 100:
            raise ValueError("Weights must be non-negative and sum to 100.")


def language_points(levels: Iterable[str]) -> Decimal:
    """Points (0–100) for the best of ``levels``; unknown levels are ignored."""
    ranks = [min(CEFR_ORDER[level] + 1, _TOP_RANK) for level in levels if level in CEFR_ORDER]
    if not ranks:
        return Decimal(0)
    return HUNDRED * max(ranks) / _TOP_RANK


def _part(value: Decimal | int | float | None) -> Decimal:
    if value is None:
        return Decimal(0)
    part = Decimal(str(value))
    return min(max(part, Decimal(0)), HUNDRED)


def compute_score(
    *,
    grade_average: Decimal | int | float | None,
    language_levels: Iterable[str],
    committee_score: Decimal | int | float | None,
    weights: Weights,
) -> Decimal:
    """The application's score on 0–100, two decimals (see the module's formula)."""
    total = (
        weights.grades * _part(grade_average)
        + weights.language * language_points(language_levels)
        + weights.committee * _part(committee_score)
    ) / HUNDRED
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def tiebreak(seed: int, application_uuid: object) -> int:
    """The application's lottery number: ``sha256("<seed>:<uuid>")`` read as an integer, 62 bits."""
    digest = hashlib.sha256(f"{seed}:{application_uuid}".encode()).digest()
    return int.from_bytes(digest, "big") & TIEBREAK_MASK
