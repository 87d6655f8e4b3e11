"""Largest-remainder apportionment: split a whole number in proportion to weights.

Pure: no models, no Django. Used to split consortium totals among institutions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into whole shares proportional to ``weights`` (Hamilton's method).

    Every share is its exact quota rounded down, or up by one: the units left after rounding
    down go to the largest remainders, ties to the lower index. Deterministic.

    Raises ``ValueError`` for a negative total, a negative or non-finite weight, or weights
    that sum to zero while the total is not zero.
    """
    if total < 0:
        raise ValueError("The total to apportion cannot be negative.")
    if any(not math.isfinite(w) or w < 0 for w in weights):
        raise ValueError("Weights must be finite and not negative.")
    if not weights:
        if total:
            raise ValueError("Cannot apportion a total among no weights.")
        return []
    # Exact rational arithmetic: floats would make equal remainders compare unequal.
    exact = [Fraction(w) for w in weights]
    weight_sum = sum(exact)
    if weight_sum == 0:
        if total:
            raise ValueError("Cannot apportion a total among weights that are all zero.")
        return [0] * len(weights)
    quotas = [total * w / weight_sum for w in exact]
    shares = [math.floor(q) for q in quotas]
    left = total - sum(shares)
    by_remainder = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return shares
