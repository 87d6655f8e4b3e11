"""Who may take a seat: capacity split into seats reserved per group and a shared pool.

Pure: no models. An event with capacity C reserves ``quotas[g]`` seats for group g; the rest,
C − Σ quotas, is a pool open to every group. A registrant of group g gets a seat when one of
g's reserved seats is free, or else when a pool seat is free. A group that has filled its own
reserved seats spills over into the pool, so the invariant Σ_g max(quota_g, taken_g) ≤ C
holds and the event is never overbooked whatever the order of arrivals.
"""

from __future__ import annotations

from collections.abc import Mapping


def pool_size(capacity: int, quotas: Mapping[str, int]) -> int:
    """Seats that no group has reserved."""
    return capacity - sum(quotas.values())


def pool_taken(quotas: Mapping[str, int], taken: Mapping[str, int]) -> int:
    """Pool seats in use: what each group holds beyond its reserved seats."""
    groups = set(quotas) | set(taken)
    return sum(max(0, taken.get(g, 0) - quotas.get(g, 0)) for g in groups)


def seats_left_for(
    group: str, *, capacity: int, quotas: Mapping[str, int], taken: Mapping[str, int]
) -> int:
    """How many more people of ``group`` could get a seat now."""
    reserved_free = max(0, quotas.get(group, 0) - taken.get(group, 0))
    pool_free = max(0, pool_size(capacity, quotas) - pool_taken(quotas, taken))
    return reserved_free + pool_free


def seats_left(*, capacity: int, quotas: Mapping[str, int], taken: Mapping[str, int]) -> int:
    """Seats not held by anyone (some may be reserved for a group)."""
    return max(0, capacity - sum(taken.values()))


def seat_free(
    group: str, *, capacity: int, quotas: Mapping[str, int], taken: Mapping[str, int]
) -> bool:
    return seats_left_for(group, capacity=capacity, quotas=quotas, taken=taken) > 0


def fits(*, capacity: int, quotas: Mapping[str, int], taken: Mapping[str, int]) -> bool:
    """Whether seats already held respect the capacity and the quotas (Σ max(q, t) ≤ C)."""
    groups = set(quotas) | set(taken)
    return sum(max(quotas.get(g, 0), taken.get(g, 0)) for g in groups) <= capacity
