"""Placement allocation for mobility calls.

Student-proposing deferred acceptance with capacities (the hospital/residents problem): the
result is the student-optimal stable matching, which is unique once every place orders its
applicants strictly. A place ranks an applicant by key = score + the bonuses of the
applicant's tags (higher is better, ties broken by the lower tiebreak, keys below
``min_score`` are unacceptable), or by an explicit ``ranking`` that replaces all of that.
A tag earns its bonus once however often it is listed; prefs naming no known place are
ignored, and a place listed twice counts where it is first listed.

Pure module (numpy, no Django): the database-free command, the benchmark and the Django
service all run this same code. The solver works on arrays because a call of 100,000
applicants must be solved well under a second, reading and writing included.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain

import numpy as np

ALGORITHM_VERSION = "da-student-proposing/1"

Id = int | str
Key = int | float

# Below this many free applicants a vectorised round costs more than the proposals it
# makes, so the last rejection chains are played one proposal at a time.
_SEQUENTIAL_BELOW = 256


@dataclass(frozen=True, slots=True)
class Applicant:
    id: Id
    score: Key
    tiebreak: int  # unique; the lower wins a tie
    prefs: Sequence[Id]  # place ids, best first
    tags: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Place:
    id: Id
    capacity: int
    min_score: Key | None = None
    bonus: Mapping[str, Key] = field(default_factory=dict)
    # Applicant ids, best first: replaces score, bonus and min_score; others are unacceptable.
    ranking: Sequence[Id] | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an applicant did not get a place they ranked above the one they got.

    For a place with a ``ranking`` (``by_rank``), ``own`` and ``cutoff`` are 1-based
    positions in it (lower is better); otherwise they are keys (higher is better).
    ``cutoff`` is that of the last applicant admitted there, None if nobody was.
    ``why`` is one of: not_ranked, below_min_score, no_seats, below_cutoff, lost_tiebreak.
    """

    place: Id
    own: Key | None
    cutoff: Key | None
    by_rank: bool
    why: str


class InputError(ValueError):
    """Invalid input; the message starts with where, e.g. ``applicants[12].prefs: ...``."""


@dataclass(slots=True)
class Columns:
    """The input, one list per field, in input order: what the instance file and the
    dataclasses become. Index i of the applicant lists is applicants[i], and so on."""

    app_ids: list
    scores: list
    tiebreaks: list
    prefs: Sequence  # of lists of place ids
    tags: list  # of lists of str, or None
    place_ids: list
    capacity: list
    min_score: list  # Key or None
    bonus: list  # dict or None
    ranking: list  # list of applicant ids, or None
    typed: bool = False  # types already checked (by the instance file decoder)
    # (length of each applicant's prefs, all the prefs) when they are all integers, if the
    # instance file decoder parsed them in bulk; prefs itself is then decoded on demand.
    pref_arrays: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, applicants: Sequence[Applicant], places: Sequence[Place]) -> Columns:
        return cls(
            [a.id for a in applicants],
            [a.score for a in applicants],
            [a.tiebreak for a in applicants],
            [a.prefs for a in applicants],
            [a.tags for a in applicants],
            [p.id for p in places],
            [p.capacity for p in places],
            [p.min_score for p in places],
            [p.bonus for p in places],
            [p.ranking for p in places],
        )


@dataclass(frozen=True, eq=False)
class Result:
    assignment: dict[Id, Id | None]  # every applicant, in input order; None: unplaced
    # place id -> key (or ranking position) of the last applicant admitted, None if nobody.
    # After reallocate: among the applicants placed by this run, not the fixed ones.
    cutoffs: dict[Id, Key | None]
    algorithm_version: str
    columns: Columns = field(repr=False)
    fixed: Mapping[Id, Id] = field(default_factory=dict, repr=False)

    def explain(self, applicant_id: Id) -> list[Reason]:
        """A reason for every place the applicant ranked above the one they got (none for
        the ``fixed`` applicants of a reallocation: this run did not place them)."""
        return _explain(self, applicant_id)

    @cached_property
    def _app_index(self) -> dict[Id, int]:
        return {a: i for i, a in enumerate(self.columns.app_ids)}

    @cached_property
    def _place_index(self) -> dict[Id, int]:
        return {p: i for i, p in enumerate(self.columns.place_ids)}

    @cached_property
    def _fixed_count(self) -> Counter:
        return Counter(self.fixed.values())


def allocate(applicants: Sequence[Applicant], places: Sequence[Place]) -> Result:
    """The student-optimal stable matching; InputError names the first invalid field."""
    return solve(Columns.of(applicants, places))


def reallocate(
    applicants: Sequence[Applicant], places: Sequence[Place], fixed: Mapping[Id, Id]
) -> Result:
    """Fill seats freed by declines: applicants in ``fixed`` keep their place and take their
    seats first; everybody else is matched into the seats left by deferred acceptance."""
    return solve(Columns.of(applicants, places), fixed)


def solve(columns: Columns, fixed: Mapping[Id, Id] | None = None) -> Result:
    """Validate, then match; ``fixed`` applicants keep their place (see reallocate)."""
    c = columns
    _validate(c)
    fixed = dict(fixed or {})
    fixed_app, fixed_place = _fixed_indices(c, fixed)
    seats = np.array(c.capacity, dtype=np.int64)
    np.subtract.at(seats, fixed_place, 1)
    tb_rank = _tiebreak_rank(c.tiebreaks)
    e_app, e_place, key, key_is_int = _entries(c, seats, fixed_app)
    market = _Market.build(e_app, e_place, key, key_is_int, tb_rank, seats)
    held = np.sort(_deferred_acceptance(market))
    assign = np.full(len(c.app_ids), -1, dtype=np.int64)
    assign[market.app_of(held)] = held >> market.shift
    assign[fixed_app] = fixed_place
    return Result(
        assignment=_assignment(c, assign),
        cutoffs=_cutoffs(c, market, held, key_is_int),
        algorithm_version=ALGORITHM_VERSION,
        columns=c,
        fixed=fixed,
    )


@dataclass(slots=True)
class _Market:
    """The acceptable (applicant, place) entries, by applicant, best choice first (``e_off``
    delimits each applicant's). An entry's ``rank`` packs (place, key rank, tiebreak rank)
    in one int64: rank >> shift is the place, and within a place a lower rank is a better
    applicant. So no sort is needed to compare applicants, and sorting ranks groups them by
    place, best first. A place holds the ``seats`` lowest ranks among its proposals."""

    e_off: np.ndarray
    rank: np.ndarray
    shift: int
    tb_bits: int
    by_tiebreak: np.ndarray  # tiebreak rank -> applicant
    seats: np.ndarray
    best_key: float  # key = best_key - key rank, or
    keys: np.ndarray | None  # key = keys[key rank]

    @classmethod
    def build(cls, e_app, e_place, key, key_is_int: bool, tb_rank, seats) -> _Market:
        n_app = len(tb_rank)
        tb_bits = max(n_app - 1, 0).bit_length()
        room = 63 - tb_bits - max(len(seats) - 1, 0).bit_length()  # bits left for keys
        best_key, keys = float(key.max(initial=0)), None
        key_rank = best_key - key
        if not (key_is_int and key_rank.max(initial=0) < 2**room):
            keys, inverse = np.unique(-key, return_inverse=True)  # distinct keys, best first
            key_rank, keys = inverse, -keys
        key_rank = key_rank.astype(np.int64)
        shift = tb_bits + int(key_rank.max(initial=0)).bit_length()
        if shift > room + tb_bits:
            raise InputError("too many applicants, places and distinct keys to rank at once")
        rank = (e_place << shift) | (key_rank << tb_bits) | tb_rank[e_app]
        e_off = np.searchsorted(e_app, np.arange(n_app + 1))
        return cls(e_off, rank, shift, tb_bits, _inverse(tb_rank), seats, best_key, keys)

    def app_of(self, rank: np.ndarray) -> np.ndarray:
        return self.by_tiebreak[rank & ((1 << self.tb_bits) - 1)]

    def key_of(self, rank: np.ndarray) -> np.ndarray:
        key_rank = (rank & ((1 << self.shift) - 1)) >> self.tb_bits
        return self.best_key - key_rank if self.keys is None else self.keys[key_rank]


# --- validation --------------------------------------------------------------------------

_ID = {int, str}
_NUM = {int, float}
_SEQ = {list, tuple}
_A, _P = "applicants[{}]", "places[{}]"


def _validate(c: Columns) -> None:
    """Types (unless the file decoder checked them), uniqueness and ranges. Checks run over
    whole columns at C speed; only a failing one looks for the culprit, to name it."""
    if not c.typed:
        _validate_types(c)
    _check_unique(c.app_ids, _A + ".id", "id")
    if _int64_or_none(c.app_ids) is None and len(set(map(type, c.app_ids))) > 1:
        # The output's keys are strings, in which 1 and "1" would be the same.
        _check_unique(list(map(str, c.app_ids)), _A + ".id", "JSON key")
    _check_unique(c.place_ids, _P + ".id", "id")
    _check_range(c.capacity, 0, 2**31, _P + ".capacity")


def _validate_types(c: Columns) -> None:
    _check_types(c.app_ids, _ID, _A + ".id", "expected an integer or a string")
    _check_types(c.scores, _NUM, _A + ".score", "expected a number")
    _check_finite(c.scores, _A + ".score")
    _check_types(c.tiebreaks, {int}, _A + ".tiebreak", "expected an integer")
    _check_nested(c.prefs, _SEQ, _ID, _A + ".prefs", "expected a list of place ids")
    _check_nested(c.tags, _SEQ | {type(None)}, {str}, _A + ".tags", "expected a list of strings")
    _check_types(c.place_ids, _ID, _P + ".id", "expected an integer or a string")
    _check_types(c.capacity, {int}, _P + ".capacity", "expected an integer")
    _check_types(c.min_score, _NUM | {type(None)}, _P + ".min_score", "expected a number")
    _check_finite([0 if m is None else m for m in c.min_score], _P + ".min_score")
    for i, bonus in enumerate(c.bonus):
        _check_bonus(bonus, _P.format(i) + ".bonus")
    what = "expected a list of applicant ids"
    _check_nested(c.ranking, _SEQ | {type(None)}, _ID, _P + ".ranking", what)


def _check_types(values: list, allowed: set, where: str, what: str) -> None:
    if set(map(type, values)) <= allowed:
        return
    i = next(i for i, v in enumerate(values) if type(v) not in allowed)
    raise InputError(f"{where.format(i)}: {what}")


def _check_nested(values: list, outer: set, inner: set, where: str, what: str) -> None:
    """Each value a sequence (or None if allowed) of items of the ``inner`` types."""
    _check_types(values, outer, where, what)
    flat = chain.from_iterable(v for v in values if v is not None)
    if not set(map(type, flat)) <= inner:
        i = next(i for i, v in enumerate(values) if v and not set(map(type, v)) <= inner)
        raise InputError(f"{where.format(i)}: {what}")


def _check_unique(values: list, where: str, what: str) -> None:
    if len(set(values)) == len(values):
        return
    seen: dict = {}
    for i, v in enumerate(values):
        if v in seen:
            first = where.format(seen[v])
            raise InputError(f"{where.format(i)}: {what} {v!r} already used by {first}")
        seen[v] = i


def _check_range(values: list, low: int, high: int, where: str) -> None:
    if values and (min(values) < low or max(values) >= high):
        i = next(i for i, v in enumerate(values) if not low <= v < high)
        raise InputError(f"{where.format(i)}: {values[i]} is not between {low} and {high - 1}")


def _check_finite(values: list, where: str) -> None:
    if float in set(map(type, values)) and not all(map(math.isfinite, values)):
        i = next(i for i, v in enumerate(values) if not math.isfinite(v))
        raise InputError(f"{where.format(i)}: expected a finite number")


def _check_bonus(bonus, where: str) -> None:
    if bonus is None:
        return
    if not isinstance(bonus, Mapping):
        raise InputError(f"{where}: expected an object of tag: points")
    for tag, points in bonus.items():
        if type(tag) is not str or type(points) not in _NUM or not math.isfinite(points):
            raise InputError(f"{where}: expected an object of tag: points (at {tag!r})")


def _fixed_indices(c: Columns, fixed: dict) -> tuple[np.ndarray, np.ndarray]:
    apps = {a: i for i, a in enumerate(c.app_ids)} if fixed else {}
    places = {p: i for i, p in enumerate(c.place_ids)} if fixed else {}
    for a, p in fixed.items():
        if a not in apps or p not in places:
            what = "applicant" if a not in apps else "place"
            raise InputError(f"fixed[{a!r}]: unknown {what}")
    fixed_app = np.array([apps[a] for a in fixed], dtype=np.int64)
    fixed_place = np.array([places[p] for p in fixed.values()], dtype=np.int64)
    taken = np.bincount(fixed_place, minlength=len(c.place_ids))
    over = np.flatnonzero(taken > np.array(c.capacity, dtype=np.int64))
    if over.size:
        p = int(over[0])
        raise InputError(
            f"fixed: {taken[p]} applicants fixed at place {c.place_ids[p]!r}, "
            f"which has {c.capacity[p]} seats"
        )
    return fixed_app, fixed_place


def _tiebreak_rank(tiebreaks: list) -> np.ndarray:
    """Each applicant's rank by tiebreak, 0 for the lowest (which wins ties); tiebreaks must
    be unique and fit in 64 bits."""
    try:
        tb = np.fromiter(tiebreaks, dtype=np.int64, count=len(tiebreaks))
    except OverflowError:
        i = next(i for i, v in enumerate(tiebreaks) if not -(2**63) <= v < 2**63)
        raise InputError(f"{_A.format(i)}.tiebreak: {tiebreaks[i]} is out of range") from None
    order = np.argsort(tb, kind="stable")
    same = np.flatnonzero(tb[order[1:]] == tb[order[:-1]])
    if same.size:
        i, j = sorted(order[same[0] : same[0] + 2].tolist())
        where = f"{_A.format(j)}.tiebreak"
        raise InputError(f"{where}: tiebreak {tiebreaks[j]} already used by {_A.format(i)}")
    return _inverse(order)


# --- entries and keys ---------------------------------------------------------------------


def _entries(c: Columns, seats: np.ndarray, fixed_app: np.ndarray) -> tuple:
    """The (applicant, place) entries worth proposing, in applicant order, best choice first,
    with their keys: unknown places, unacceptable entries, places without a seat left and
    fixed applicants are left out. Duplicate prefs may stay: a place that rejected an
    applicant once rejects them again, so a repeated choice changes nothing."""
    n_app = len(c.app_ids)
    if c.pref_arrays is not None:
        lengths, flat = c.pref_arrays
    else:
        lengths = np.fromiter(map(len, c.prefs), np.int64, n_app)
        flat = list(chain.from_iterable(c.prefs))
    e_app = np.repeat(np.arange(n_app), lengths)
    e_place = _place_indices(c.place_ids, flat)
    known = e_place >= 0
    e_app, e_place = e_app[known], e_place[known]
    key, ok, key_is_int = _keys(c, e_app, e_place)
    ok &= seats[e_place] > 0
    if fixed_app.size:
        is_fixed = np.zeros(n_app, dtype=bool)
        is_fixed[fixed_app] = True
        ok &= ~is_fixed[e_app]
    return e_app[ok], e_place[ok], key[ok], key_is_int


def _place_indices(place_ids: list, flat: list | np.ndarray) -> np.ndarray:
    """Index of each pref's place, -1 for ids that name no place."""
    ids, wanted = _int64_or_none(place_ids), _int64_or_none(flat)
    if ids is not None and wanted is not None:  # integer ids, the usual case: vectorised
        return _lookup(ids, wanted)
    index = {p: i for i, p in enumerate(place_ids)}
    flat = flat.tolist() if isinstance(flat, np.ndarray) else flat
    return np.array([index.get(p, -1) for p in flat], dtype=np.int64)


def _int64_or_none(values: list | np.ndarray) -> np.ndarray | None:
    if isinstance(values, np.ndarray):
        return values
    try:  # array("q") takes nothing but ints, and stops at the first other thing
        return np.frombuffer(array("q", values), dtype=np.int64)
    except (TypeError, OverflowError):
        return None


def _lookup(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each wanted value in ``ids`` (unique), -1 where absent."""
    found = np.full(len(wanted), -1, dtype=np.int64)
    if not len(ids):
        return found
    low, high = int(ids.min()), int(ids.max())
    if high - low < 4 * (len(ids) + len(wanted)):  # dense enough for a direct table
        table = np.full(high - low + 1, -1, dtype=np.int64)
        table[ids - low] = np.arange(len(ids))
        inside = np.flatnonzero((wanted >= low) & (wanted <= high))
        found[inside] = table[wanted[inside] - low]
        return found
    by_id = np.argsort(ids)
    pos = np.searchsorted(ids[by_id], wanted).clip(max=len(ids) - 1)
    return np.where(ids[by_id[pos]] == wanted, by_id[pos], -1)


def _keys(c: Columns, e_app: np.ndarray, e_place: np.ndarray) -> tuple:
    """Each entry's key at its place, whether the place accepts it, and whether all keys are
    whole numbers (then they sort as ints and cut-offs are reported as ints)."""
    scores = np.fromiter(c.scores, dtype=np.float64, count=len(c.scores))
    key = scores[e_app]
    key_is_int = bool(np.all(np.abs(scores) < 2**52) and np.array_equal(scores, scores.round()))
    bonus, bonus_is_int = _bonus(c, e_app, e_place)
    if bonus is not None:
        key += bonus
        key_is_int &= bonus_is_int
    floor = np.array([-np.inf if m is None else m for m in c.min_score], dtype=np.float64)
    ok = key >= floor[e_place]
    _apply_rankings(c, e_app, e_place, key, ok)
    return key, ok, key_is_int


def _bonus(c: Columns, e_app: np.ndarray, e_place: np.ndarray) -> tuple:
    """The bonus points of each entry (None if nobody earns any), and whether all are ints."""
    codes: dict[str, int] = {}  # the tags that earn a bonus somewhere
    table = [(p, codes.setdefault(t, len(codes)), v) for p, b in _items(c.bonus) for t, v in b]
    k = len(codes)
    if not table:
        return None, True
    # (applicant, tag) pairs as one int each: a * k + tag code.
    pairs = [a * k + codes[t] for a, tags in enumerate(c.tags) if tags for t in tags if t in codes]
    if not pairs:
        return None, True
    pair = np.array(pairs, dtype=np.int64)
    # Tags form a set: a tag listed twice earns its bonus once. Keep the first mentions, in
    # order, so that the points add up in the same order as in key_at.
    pair = pair[np.sort(np.unique(pair, return_index=True)[1])]
    app, tag = pair // k, pair % k
    # Every entry of a tagged applicant, once per bonus tag they have (e_app is sorted).
    start = np.searchsorted(e_app, app)
    count = np.searchsorted(e_app, app, side="right") - start
    entry = _ragged_arange(start, count)
    t_code = np.array([p * k + t for p, t, _ in table], dtype=np.int64)
    row = _lookup(t_code, e_place[entry] * k + np.repeat(tag, count))
    points = np.array([v for _, _, v in table], dtype=np.float64)
    entry, row = entry[row >= 0], row[row >= 0]
    bonus = np.bincount(entry, weights=points[row], minlength=len(e_app))
    return bonus, all(type(v) is int for _, _, v in table)


def _items(bonuses: list) -> list[tuple[int, list]]:
    return [(p, list(b.items())) for p, b in enumerate(bonuses) if b]


def _ragged_arange(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """start[0] .. start[0]+count[0]-1, start[1] .., ... concatenated, without a loop."""
    ends = np.cumsum(count)
    return np.arange(ends[-1] if ends.size else 0) + np.repeat(start - (ends - count), count)


def _apply_rankings(c: Columns, e_app, e_place, key: np.ndarray, ok: np.ndarray) -> None:
    """At a place with a ranking, key = -(1-based position of the first mention); applicants
    it does not mention are unacceptable there."""
    ranked = [p for p, r in enumerate(c.ranking) if r is not None]
    if not ranked:
        return
    n_app = len(c.app_ids)
    apps = {a: i for i, a in enumerate(c.app_ids)}
    position: dict[int, int] = {}  # place * n_app + applicant -> position
    for p in ranked:
        for pos, a in enumerate(c.ranking[p], 1):
            if a in apps:
                position.setdefault(p * n_app + apps[a], pos)
    is_ranked = np.zeros(len(c.place_ids), dtype=bool)
    is_ranked[ranked] = True
    at = np.flatnonzero(is_ranked[e_place])
    codes = np.fromiter(position, dtype=np.int64, count=len(position))
    row = _lookup(codes, e_place[at] * n_app + e_app[at])
    ok[at] = row >= 0
    positions = np.fromiter(position.values(), dtype=np.float64, count=len(position))
    key[at[row >= 0]] = -positions[row[row >= 0]]


def _inverse(order: np.ndarray) -> np.ndarray:
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return inverse


# --- deferred acceptance ------------------------------------------------------------------


def _deferred_acceptance(m: _Market) -> np.ndarray:
    """The ranks of the entries held at the end: the admitted applicants.

    Vectorised rounds: every free applicant proposes to its next choice at once, and every
    place that received proposals keeps the best of its held and new ones. The outcome does
    not depend on the order of proposals, so rounds give the same matching as one proposal
    at a time; once few applicants are left the rounds cost more than they do, and the last
    rejection chains are played one proposal at a time."""
    ptr = m.e_off[:-1].copy()  # each applicant's current entry
    end = m.e_off[1:]
    # worst[p]: the largest rank place p can still admit; it shrinks as p fills up.
    worst = ((np.arange(len(m.seats)) + 1) << m.shift) - 1
    held = np.empty(0, dtype=np.int64)
    free = np.flatnonzero(ptr < end)
    while True:
        free = _skip_hopeless(free, ptr, end, m, worst)
        if len(free) < max(_SEQUENTIAL_BELOW, 1):
            return _sequential(free, held, ptr, end, m, worst)
        held, rejected = _round(held, m.rank[ptr[free]], m, worst)
        free = m.app_of(rejected)
        ptr[free] += 1


def _skip_hopeless(free, ptr, end, m: _Market, worst) -> np.ndarray:
    """Move free applicants past the places already full of better applicants (which would
    reject them, as a place only ever trades up); drop those who run out of choices."""
    free = free[ptr[free] < end[free]]
    moving = free
    while moving.size:
        rank = m.rank[ptr[moving]]
        moving = moving[rank > worst[rank >> m.shift]]
        ptr[moving] += 1
        moving = moving[ptr[moving] < end[moving]]
    return free[ptr[free] < end[free]]


def _round(held, proposals, m: _Market, worst) -> tuple[np.ndarray, np.ndarray]:
    """Each place that received proposals keeps its best ``seats`` among held and new ones.
    Returns the new held ranks (unordered) and the rejected ones."""
    touched = np.zeros(len(m.seats), dtype=bool)
    touched[proposals >> m.shift] = True
    again = touched[held >> m.shift]
    pool = np.concatenate((held[again], proposals))
    pool.sort()  # by place, best first
    place = pool >> m.shift
    first = np.flatnonzero(np.concatenate(([True], place[1:] != place[:-1])))
    rank_in_place = np.arange(len(pool)) - np.repeat(first, np.diff(first, append=len(pool)))
    keep = rank_in_place < m.seats[place]
    last = rank_in_place == m.seats[place] - 1  # the worst of a now full place
    worst[place[last]] = pool[last]
    return np.concatenate((held[~again], pool[keep])), pool[~keep]


def _sequential(free, held, ptr, end, m: _Market, worst) -> np.ndarray:
    """Finish with one proposal at a time (McVitie-Wilson); a place's held ranks go in a
    max-heap, built the first time the place receives a proposal here."""
    held = np.sort(held)
    heaps: dict[int, list[int]] = {}
    stack = free.tolist()
    while stack:
        a = stack.pop()
        for e in range(int(ptr[a]), int(end[a])):
            rank = int(m.rank[e])
            p = rank >> m.shift
            if rank > worst[p]:
                continue
            heap = heaps.get(p)
            if heap is None:
                lo, hi = np.searchsorted(held, [p << m.shift, (p + 1) << m.shift])
                heap = heaps[p] = [-int(x) for x in held[lo:hi]]
                heapq.heapify(heap)
            if len(heap) < m.seats[p]:
                heapq.heappush(heap, -rank)
            else:  # full, and the proposer is better than the worst held: swap them
                b = int(m.app_of(-heapq.heapreplace(heap, -rank)))
                ptr[b] += 1
                stack.append(b)
            if len(heap) == m.seats[p]:
                worst[p] = -heap[0]
            ptr[a] = e
            break
    redone = np.zeros(len(m.seats), dtype=bool)
    redone[list(heaps)] = True
    held = held[~redone[held >> m.shift]]
    redone_held = np.array([-r for h in heaps.values() for r in h], dtype=np.int64)
    return np.concatenate((held, redone_held))


# --- results and explanations -------------------------------------------------------------


def _assignment(c: Columns, assign: np.ndarray) -> dict:
    ids = np.array([*c.place_ids, None], dtype=object)  # index -1: unplaced
    return dict(zip(c.app_ids, ids[assign].tolist(), strict=True))


def _cutoffs(c: Columns, m: _Market, held: np.ndarray, key_is_int: bool) -> dict:
    """The key of the worst admitted applicant of each place: its last held rank."""
    cutoffs = dict.fromkeys(c.place_ids)
    place = held >> m.shift
    last = np.flatnonzero(np.append(place[1:] != place[:-1], True)) if len(held) else []
    for p, k in zip(place[last].tolist(), m.key_of(held[last]).tolist(), strict=True):
        if c.ranking[p] is not None:
            cutoffs[c.place_ids[p]] = int(-k)  # key = -position
        else:
            cutoffs[c.place_ids[p]] = int(k) if key_is_int else k
    return cutoffs


def _explain(r: Result, applicant_id: Id) -> list[Reason]:
    if applicant_id in r.fixed:
        return []
    a = r._app_index[applicant_id]
    got = r.assignment[applicant_id]
    reasons = []
    for pid in dict.fromkeys(r.columns.prefs[a]):  # first mentions, best first
        if type(pid) is type(got) and pid == got:
            break
        if pid in r._place_index:
            reasons.append(_reason(r, a, r._place_index[pid]))
    return reasons


def _reason(r: Result, a: int, p: int) -> Reason:
    c = r.columns
    pid = c.place_ids[p]
    cutoff = r.cutoffs[pid]
    no_seats = c.capacity[p] <= r._fixed_count[pid]
    if c.ranking[p] is not None:
        ranking = list(c.ranking[p])
        own = ranking.index(c.app_ids[a]) + 1 if c.app_ids[a] in ranking else None
        why = "not_ranked" if own is None else "no_seats" if no_seats else "below_cutoff"
        return Reason(pid, own, cutoff, True, why)
    own = key_at(c, a, p)
    if c.min_score[p] is not None and own < c.min_score[p]:
        why = "below_min_score"
    else:
        why = "no_seats" if no_seats else "lost_tiebreak" if own == cutoff else "below_cutoff"
    return Reason(pid, own, cutoff, False, why)


def key_at(c: Columns, a: int, p: int) -> Key:
    """Applicant index a's key at place index p (score plus bonuses; rankings aside)."""
    bonus = c.bonus[p] or {}
    return c.scores[a] + sum(bonus[t] for t in dict.fromkeys(c.tags[a] or ()) if t in bonus)
