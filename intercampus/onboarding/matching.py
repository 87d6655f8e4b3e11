"""Buddy matching for the feel-at-home journey.

Local students volunteer as buddies with a capacity; each newcomer gets at most one buddy. A
pair is allowed only within one programme and with at least one shared language (spoken at
B1 or better). The result matches as many newcomers as possible and, among those results,
has the highest total compatibility (an exact optimum, not a heuristic). Pairs in ``fixed``
(already accepted) are kept and take their buddy's capacity first, so late arrivals are
matched into the capacity that is left without moving anybody.

Default compatibility (0-100, the weights can be changed per programme): 40 points for two
or more shared languages, 35 for one; 20 for the same faculty; 25 x the Jaccard index of the
interests, rounded half up; 15 when the arrival day falls inside the buddy's availability,
minus one per day outside it, never below 0 (0 when a date is unknown).

How it is solved. The objective is lexicographic, so every allowed pair weighs
``BIG + compatibility`` with BIG above any total compatibility. Allowed pairs are nearly all
pairs (most people share English), far too many to hand to a solver at 20,000 newcomers, so:

1. Scan: the compatibility of every pair is computed a block of newcomers at a time from
   small lookup tables (numpy, in threads; no pair is stored); each newcomer keeps the
   buddies within ``_DELTA`` points of its best and at least its ``_LEAST`` best (at most
   ``_KEEP``), and remembers a bound on the compatibility of the pairs it left out.
2. Solve the kept pairs exactly: LAPJVsp (scipy's ``min_weight_full_bipartite_matching``)
   on the capacity-expanded sparse graph. An "unmatched" column, dearer than any loss of
   compatibility, is added only for the newcomers that some maximum matching leaves alone
   (Dulmage-Mendelsohn, from scipy's Hopcroft-Karp): every other newcomer is matched by
   every maximum matching.
3. Certify: LP duals of that optimum are computed (buddy prices as longest paths over the
   kept pairs, which settle only if the assignment is optimal over them); if no pair that
   was left out has a positive reduced cost, the assignment is optimal over all pairs (LP
   duality; the problem is totally unimodular). Newcomers whose bound does not clear are
   re-scanned exactly and the pairs that could improve are added; then only the region
   those pairs can change is re-solved (Dijkstra over reduced costs), and the loop goes on
   until the certificate holds. A region that was too small fails the certificate and
   everything is re-solved.

Deterministic: newcomers and buddies are sorted by id first, so the same input in any order
gives the same result (for one version of scipy: LAPJVsp picks one of several optima).

Pure module (numpy and scipy, no Django): the Django service, ``intercampus match-buddies
--instance`` and the benchmark all run this same code.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import (
    dijkstra,
    maximum_bipartite_matching,
    min_weight_full_bipartite_matching,
)

ALGORITHM_VERSION = "buddy-lexmax/1"

Id = int | str

# Candidate pairs kept per newcomer by the scan: those within _DELTA points of its best, and
# at least its _LEAST best, at most _KEEP in all. Only speed depends on these: the
# certificate makes the result exact.
_DELTA = 8
_KEEP = 32
_LEAST = 16
_WIDE = 16  # how far below its best a newcomer looks for its _LEAST best
# A newcomer that fails the certificate gets at most this many improving pairs per round.
_ADD = 32
# After such a round only the region the new pairs can change is re-solved; if the prices do
# not settle within _REPAIR_ROUNDS rounds then, everything is re-solved.
_REPAIR_ROUNDS = 200
# Elements in one block of the scan (rows x buddies); about 256 KiB of uint8.
_BLOCK = 1 << 18
# A lookup table (distinct keys x buddies) above this many bytes is built block by block.
_TABLE_BYTES = 64 << 20
# Interest points come from a table on (|A|, |B|, |A & B|) of at most this many entries.
_LUT_SIZE = 1 << 20
# Below this many pairs the scan runs in one thread.
_THREADS_FROM = 4_000_000
_NEG = -(1 << 50)  # "no such pair"
_FAR = 1 << 40  # an unknown availability window is this far from every day


@dataclass(frozen=True, slots=True)
class Newcomer:
    id: Id
    langs: frozenset  # language codes spoken at B1 or better
    faculty: Hashable | None
    interests: frozenset
    arrival: int | None  # day number; None when not known yet
    programme: Hashable | None = None  # pairs only within one programme (and campus)

    def __post_init__(self) -> None:
        object.__setattr__(self, "langs", frozenset(self.langs))
        object.__setattr__(self, "interests", frozenset(self.interests))


@dataclass(frozen=True, slots=True)
class Buddy:
    id: Id
    capacity: int  # how many newcomers
    langs: frozenset  # language codes spoken at B1 or better
    faculty: Hashable | None
    interests: frozenset
    avail_from: int | None  # day numbers, both inclusive; None when not given
    avail_to: int | None
    programme: Hashable | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "langs", frozenset(self.langs))
        object.__setattr__(self, "interests", frozenset(self.interests))


@dataclass(frozen=True, slots=True)
class Weights:
    """Points of each part of the compatibility; a programme can change them."""

    two_languages: int = 40  # two or more shared languages
    one_language: int = 35
    faculty: int = 20  # same faculty
    interests: int = 25  # times the Jaccard index of the interests, rounded half up
    availability: int = 15  # arrival inside the window; one less per day outside

    def __post_init__(self) -> None:
        for name in ("two_languages", "one_language", "faculty", "interests", "availability"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000:
                raise ValueError(f"weights.{name}: expected an integer from 0 to 10000")

    @property
    def max_total(self) -> int:
        return (
            max(self.two_languages, self.one_language)
            + self.faculty
            + self.interests
            + self.availability
        )


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class Score:
    """The compatibility of one pair and why: each part's points and what was shared."""

    languages: int
    faculty: int
    interests: int
    availability: int
    total: int
    shared_languages: tuple = ()
    shared_interests: tuple = ()


@dataclass(frozen=True, eq=False)
class Result:
    # newcomer id -> buddy id, or None; every newcomer given and every fixed pair.
    assignment: dict
    # newcomer id -> Score of its pair, for every pair whose newcomer and buddy were given.
    scores: dict
    algorithm_version: str = ALGORITHM_VERSION
    fixed: frozenset = field(default=frozenset(), repr=False)  # newcomer ids kept as given

    @property
    def matched(self) -> int:
        return sum(b is not None for b in self.assignment.values())

    @property
    def total(self) -> int:
        return sum(s.total for s in self.scores.values())


def allowed(n: Newcomer, b: Buddy) -> bool:
    """The hard constraints: one programme, at least one shared language."""
    return n.programme == b.programme and not n.langs.isdisjoint(b.langs)


def availability_points(arrival: int | None, start: int | None, end: int | None, w: int) -> int:
    if arrival is None or start is None or end is None:
        return 0
    return max(0, w - max(0, start - arrival) - max(0, arrival - end))


def interest_points(common: int, union: int, w: int) -> int:
    """``w`` x common / union, rounded half up, in integers."""
    return (2 * w * common + union) // (2 * union) if union else 0


def compatibility(n: Newcomer, b: Buddy, weights: Weights = DEFAULT_WEIGHTS) -> Score:
    """The compatibility of a pair, part by part. It does not check ``allowed``: a pair
    without a shared language scores 0 for languages."""
    w = weights
    shared = n.langs & b.langs
    langs = w.two_languages if len(shared) >= 2 else w.one_language if shared else 0
    faculty = w.faculty if n.faculty is not None and n.faculty == b.faculty else 0
    common = n.interests & b.interests
    interests = interest_points(len(common), len(n.interests | b.interests), w.interests)
    avail = availability_points(n.arrival, b.avail_from, b.avail_to, w.availability)
    return Score(
        langs,
        faculty,
        interests,
        avail,
        langs + faculty + interests + avail,
        tuple(sorted(shared)),
        _sorted(common),
    )


def match(
    newcomers: Sequence[Newcomer],
    buddies: Sequence[Buddy],
    weights: Weights = DEFAULT_WEIGHTS,
    fixed: Mapping[Id, Id | None] | None = None,
) -> Result:
    """Match newcomers to buddies: as many as possible, then the highest total compatibility.

    ``fixed``: accepted pairs (newcomer id -> buddy id), kept as they are whatever they score;
    they take capacity first, including pairs whose newcomer is not in ``newcomers``. A
    newcomer in ``newcomers`` and in ``fixed`` keeps its buddy; None values are ignored.
    """
    fixed = {k: v for k, v in (fixed or {}).items() if v is not None}
    newcomers = _by_id(newcomers)
    buddies = _by_id(buddies)
    _check_unique([n.id for n in newcomers], "newcomers")
    _check_unique([b.id for b in buddies], "buddies")
    by_id = {b.id: b for b in buddies}
    left = {}
    for b in buddies:
        if isinstance(b.capacity, bool) or not isinstance(b.capacity, int) or b.capacity < 0:
            raise ValueError(f"buddy {b.id!r}: capacity must be a non-negative integer")
        left[b.id] = b.capacity
    for nid, bid in fixed.items():
        if bid not in by_id:
            raise ValueError(f"fixed: buddy {bid!r} of newcomer {nid!r} is not among the buddies")
        # A buddy who lowered their capacity below their accepted pairs keeps them all.
        left[bid] = max(0, left[bid] - 1)

    groups: dict = {}
    for n in newcomers:
        if n.id not in fixed:
            groups.setdefault(n.programme, ([], []))[0].append(n)
    for b in buddies:
        if left[b.id] > 0 and b.programme in groups:
            groups[b.programme][1].append(b)
    chosen: dict = {}
    for ns, bs in groups.values():
        if bs:
            caps = np.array([left[b.id] for b in bs], dtype=np.int64)
            beta = _Programme(ns, bs, caps, weights).solve()
            chosen.update((ns[i].id, bs[j].id) for i, j in enumerate(beta.tolist()) if j >= 0)

    assignment: dict = {}
    scores: dict = {}
    given = {n.id for n in newcomers}
    for nid in sorted(fixed, key=_id_key):
        if nid not in given:
            assignment[nid] = fixed[nid]
    for n in newcomers:
        bid = fixed.get(n.id, chosen.get(n.id))
        assignment[n.id] = bid
        if bid is not None:
            scores[n.id] = compatibility(n, by_id[bid], weights)
    return Result(assignment, scores, ALGORITHM_VERSION, frozenset(fixed))


def _by_id(items: Sequence) -> list:
    """Sorted by id: integers first, then strings, then anything else by its repr."""
    if all(type(x.id) is int for x in items):
        return sorted(items, key=attrgetter("id"))
    return sorted(items, key=lambda x: _id_key(x.id))


def _sorted(values: frozenset) -> tuple:
    try:
        return tuple(sorted(values))
    except TypeError:  # integers and strings mixed
        return tuple(sorted(values, key=_id_key))


def _id_key(x) -> tuple:
    if isinstance(x, int) and not isinstance(x, bool):
        return (0, x, "")
    if isinstance(x, str):
        return (1, 0, x)
    return (2, 0, repr(x))


def _check_unique(ids: list, what: str) -> None:
    if len(set(ids)) != len(ids):
        seen: set = set()
        for x in ids:
            if x in seen:
                raise ValueError(f"{what}: duplicate id {x!r}")
            seen.add(x)


def _bitmasks(sets: list, index: dict, words: int) -> np.ndarray:
    """One row of ``words`` uint64 per set, bit ``index[x]`` set for each member."""
    out = np.zeros((len(sets), words), dtype=np.uint64)
    lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
    flat = np.fromiter((index[x] for s in sets for x in s), dtype=np.int64, count=lengths.sum())
    rows = np.repeat(np.arange(len(sets)), lengths)
    np.bitwise_or.at(
        out, (rows, flat >> 6), np.left_shift(np.uint64(1), (flat & 63).astype(np.uint64))
    )
    return out


def _popcount_and(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a_i & b_j| for rows of multiword masks a (k x w) and b (m x w): a k x m uint8 array."""
    out = np.bitwise_count(a[:, None, 0] & b[None, :, 0])
    for w in range(1, a.shape[1]):
        out += np.bitwise_count(a[:, None, w] & b[None, :, w])
    return out


class _Table:
    """Rows of a (keys x buddies) table, built whole when small, else per block."""

    def __init__(self, n_keys: int, m: int, itemsize: int, build) -> None:
        self.build = build
        self.whole = build(np.arange(n_keys)) if n_keys * m * itemsize <= _TABLE_BYTES else None

    def rows(self, keys: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if self.whole is not None:
            return np.take(self.whole, keys, axis=0, out=out)
        uniq, inv = np.unique(keys, return_inverse=True)
        return np.take(self.build(uniq), inv, axis=0, out=out)


class _Scorer:
    """Compatibility of blocks of newcomers against all buddies, as unsigned integers: an
    allowed pair scores ``off`` + its compatibility, a forbidden one less than ``off``."""

    def __init__(self, ns: list[Newcomer], bs: list[Buddy], w: Weights) -> None:
        self.m = m = len(bs)
        maxc = w.max_total
        self.off = off = w.faculty + w.interests + w.availability + 1
        top = off + maxc
        self.dtype = dt = np.uint8 if top < 1 << 8 else np.uint16 if top < 1 << 16 else np.uint32
        isz = np.dtype(dt).itemsize

        # Languages (the allowed test) and faculty, one table row per distinct pair of them.
        lang_index = {c: i for i, c in enumerate(sorted({c for x in (*ns, *bs) for c in x.langs}))}
        lw = max(1, -(-len(lang_index) // 64))
        lang_keys: dict = {}
        n_lang = np.fromiter(
            (lang_keys.setdefault(n.langs, len(lang_keys)) for n in ns), np.int64, len(ns)
        )
        lang_sets = list(lang_keys)
        b_lang = _bitmasks([b.langs for b in bs], lang_index, lw)
        fac_index: dict = {}
        n_fac = np.fromiter(
            (
                -1 if n.faculty is None else fac_index.setdefault(n.faculty, len(fac_index))
                for n in ns
            ),
            np.int64,
            len(ns),
        )
        b_fac = np.fromiter(
            (-2 if b.faculty is None else fac_index.get(b.faculty, -2) for b in bs), np.int64, m
        )
        lf_keys: dict = {}
        self.n_lf = np.fromiter(
            (
                lf_keys.setdefault(k, len(lf_keys))
                for k in zip(n_lang.tolist(), n_fac.tolist(), strict=True)
            ),
            np.int64,
            len(ns),
        )
        lf = np.array(list(lf_keys) or [(0, 0)], dtype=np.int64).reshape(-1, 2)
        points = np.array([0, w.one_language + off, w.two_languages + off], dtype=dt)

        def build_lang(keys: np.ndarray) -> np.ndarray:
            masks = _bitmasks([lang_sets[k] for k in keys.tolist()], lang_index, lw)
            return np.take(points, np.minimum(_popcount_and(masks, b_lang), 2))

        lang = _Table(len(lang_sets), m, isz, build_lang)

        def build_lf(keys: np.ndarray) -> np.ndarray:
            table = lang.rows(lf[keys, 0])
            table += (lf[keys, 1][:, None] == b_fac[None, :]).astype(dt) * dt(w.faculty)
            return table

        self.lf = _Table(len(lf_keys), m, isz, build_lf)

        # Availability, one table row per distinct arrival day.
        days = sorted({n.arrival for n in ns if n.arrival is not None})
        day_index = {d: i for i, d in enumerate(days)}
        self.n_day = np.fromiter(
            (len(days) if n.arrival is None else day_index[n.arrival] for n in ns),
            np.int64,
            len(ns),
        )
        day_values = np.array([*days, 0], dtype=np.int64)
        known = np.array([b.avail_from is not None and b.avail_to is not None for b in bs])
        start = np.where(known, [0 if b.avail_from is None else b.avail_from for b in bs], _FAR)
        end = np.where(known, [0 if b.avail_to is None else b.avail_to for b in bs], -_FAR)
        n_days = len(days)

        def build_avail(keys: np.ndarray) -> np.ndarray:
            table = np.empty((len(keys), m), dtype=dt)
            for i in range(0, len(keys), 32):
                d = day_values[keys[i : i + 32]][:, None]
                dist = np.maximum(start[None, :] - d, 0) + np.maximum(d - end[None, :], 0)
                table[i : i + 32] = np.maximum(w.availability - dist, 0)
            table[keys == n_days] = 0
            return table

        self.avail = _Table(n_days + 1, m, isz, build_avail)

        # Interests: popcount of the intersection, then a lookup on (|A|, |B|, |A & B|).
        interest_index: dict = {}
        for x in (*ns, *bs):
            for i in x.interests:
                interest_index.setdefault(i, len(interest_index))
        self.iw = iw = -(-len(interest_index) // 64)
        n_count = np.fromiter((len(n.interests) for n in ns), np.int64, len(ns))
        b_count = np.fromiter((len(b.interests) for b in bs), np.int64, m)
        kmax = int(min(n_count.max(initial=0), b_count.max(initial=0)))
        self.use_interests = iw > 0 and kmax > 0 and w.interests > 0
        if self.use_interests:
            self.n_int = _bitmasks([n.interests for n in ns], interest_index, iw)
            self.b_int = np.ascontiguousarray(
                _bitmasks([b.interests for b in bs], interest_index, iw).T
            )
            self.w_interests = w.interests
            self.n_count, self.b_count = n_count, b_count
            self.count_dtype = np.uint8 if kmax < 1 << 8 else np.uint32
            s1 = kmax + 1
            s2 = s1 * (int(b_count.max()) + 1)
            size = s2 * (int(n_count.max()) + 1)
            self.lut = None  # beyond _LUT_SIZE the points are computed pair by pair
            if size <= _LUT_SIZE:
                ci, cb, k = np.unravel_index(np.arange(size), (size // s2, s2 // s1, s1))
                union = ci + cb - k
                ok = (k <= np.minimum(ci, cb)) & (union > 0)
                lut = np.where(ok, (2 * w.interests * k + union) // np.maximum(2 * union, 1), 0)
                self.idx_dtype = (
                    np.uint8 if size <= 256 else np.uint16 if size <= 65536 else np.uint32
                )
                self.lut = lut.astype(dt)
                self.b_off = (b_count * s1).astype(self.idx_dtype)
                self.n_off = (n_count * s2).astype(self.idx_dtype)

    def buffers(self, rows: int) -> dict:
        m = self.m
        buf = {"score": np.empty((rows, m), self.dtype)}
        if self.use_interests:
            buf["and"] = np.empty((rows, m), np.uint64)
            buf["count"] = np.empty((rows, m), self.count_dtype)
            buf["count2"] = np.empty((rows, m), self.count_dtype)
            if self.lut is not None:
                buf["idx"] = np.empty((rows, m), self.idx_dtype)
                buf["pts"] = np.empty((rows, m), self.dtype)
        buf["avail"] = np.empty((rows, m), self.dtype)
        return buf

    def block(self, rows: np.ndarray, buf: dict) -> np.ndarray:
        """Scores of newcomers ``rows`` (at most the buffers' rows) against every buddy."""
        k = len(rows)
        score = self.lf.rows(self.n_lf[rows], out=buf["score"][:k])
        score += self.avail.rows(self.n_day[rows], out=buf["avail"][:k])
        if self.use_interests:
            anded, count = buf["and"][:k], buf["count"][:k]
            a = self.n_int[rows]
            np.bitwise_and(a[:, 0, None], self.b_int[0][None, :], out=anded)
            np.bitwise_count(anded, out=count)
            for word in range(1, self.iw):
                np.bitwise_and(a[:, word, None], self.b_int[word][None, :], out=anded)
                count += np.bitwise_count(anded, out=buf["count2"][:k])
            if self.lut is None:
                common = count.astype(np.int64)
                union = self.n_count[rows][:, None] + self.b_count[None, :] - common
                points = (2 * self.w_interests * common + union) // np.maximum(2 * union, 1)
                score += points.astype(self.dtype)
                return score
            idx = buf["idx"][:k]
            np.add(count, self.b_off[None, :], out=idx, casting="unsafe")
            idx += self.n_off[rows][:, None]
            score += np.take(self.lut, idx, out=buf["pts"][:k])
        return score


class _Programme:
    """One programme's newcomers (rows) and buddies with capacity left (columns)."""

    def __init__(self, ns: list[Newcomer], bs: list[Buddy], caps: np.ndarray, w: Weights):
        self.n, self.m = len(ns), len(bs)
        self.caps = caps
        self.scorer = _Scorer(ns, bs, w)
        self.maxc = w.max_total
        # Profit of a pair is BIG + compatibility: one more match beats any compatibility.
        self.big = self.maxc * self.n + 1
        self.rows_per_block = max(1, _BLOCK // max(self.m, 1))

    def solve(self) -> np.ndarray:
        """The buddy column of each newcomer row, -1 for none."""
        r, c, s, bound = self._scan()
        beta = self._solve_kept(r, c, s, self.caps)
        exact = True  # beta solves all kept pairs at once, not just a region of them
        while True:
            duals = self._duals(r, c, s, beta, None if exact else _REPAIR_ROUNDS)
            if duals is None:
                if exact:
                    raise RuntimeError("buddy matching: the solver's matching is not optimal")
                beta, exact = self._solve_kept(r, c, s, self.caps), True
                continue
            v, rho = duals
            suspect = np.flatnonzero(bound > rho)
            if len(suspect) == 0:
                return beta
            added, quiet, bound[suspect] = self._improving(suspect, r, c, v, rho[suspect])
            if len(added[0]) == 0:
                return beta
            r, c, s = (np.concatenate(x) for x in zip((r, c, s), quiet, added, strict=True))
            beta, exact = self._repair(r, c, s, beta, v, rho, added)

    def _repair(self, r, c, s, beta, v, rho, added) -> tuple[np.ndarray, bool]:
        """Re-solve only the region that the pairs just ``added`` can change; the rest stays
        put, and the certificate tells whether that was enough. Returns the new assignment
        and whether it is a full solve.

        With the prices (v, rho) of the last optimum, every kept pair has a reduced cost
        rho[j] + v[b] - s >= 0, and an added pair gains at most g = s - v[b] - rho[i]. A
        change of assignments that takes the pair follows a chain of buddies whose reduced
        costs add up to less than g, so the region is: the buddies within g of the added
        pairs' buddies (Dijkstra over "a holder of b moves to b'") and to their rows' old
        buddies, the rows holding them, and rows without a buddy that have a pair cheaper
        than g into them. Regions of more than half the rows are solved whole."""
        a_r, a_c, a_s = added
        gain = a_s - v[a_c] - rho[a_r]
        alone = beta[a_r] < 0
        held = beta[r] >= 0
        hr, hc, hs = r[held], c[held], s[held]
        src = beta[hr]
        cost = np.maximum(rho[hr] + v[hc] - hs, 0)  # < 0 only for the added pairs
        # Arcs at least as dear as every reach below lie on no chain that matters.
        far = max(gain[~alone].max(initial=0), 2 * self.maxc + 2 if alone.any() else 0)
        other = (hc != src) & (cost < far)
        src, dst, cost = src[other], hc[other], cost[other]
        order = np.lexsort((cost, dst, src))
        src, dst, cost = src[order], dst[order], cost[order]
        first = np.ones(len(src), dtype=bool)
        first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
        # Explicit zeros would not count as arcs: nudge costs up by less than 1 per path.
        nudge = 1.0 / (2 * self.m + 2)
        graph = csr_matrix((cost[first] + nudge, (src[first], dst[first])), shape=(self.m, self.m))
        near = np.zeros(self.m, dtype=bool)
        limit = 0.0
        if not alone.all():
            # Forward from the buddies taken (their holders move on), backward from the
            # buddies left (others move in), as far as each pair's gain.
            back = graph.T.tocsr()
            for g in np.unique(gain[~alone]).tolist():
                pick = ~alone & (gain == g)
                near |= _within(graph, np.unique(a_c[pick]), g) < g
                near |= _within(back, np.unique(beta[a_r[pick]]), g) < g
            limit = float(gain[~alone].max())
        if alone.any():
            # A row without a buddy gains one through the nearest buddy with room: the
            # region reaches that far, plus the spread of its pairs' gains.
            reach = float(2 * self.maxc + 2)
            dist = _within(graph, np.unique(a_c[alone]), reach)
            room = dist[np.bincount(beta[beta >= 0], minlength=self.m) < self.caps]
            radius = float(room.min(initial=np.inf) + np.ptp(gain[alone]) + 1)
            if radius > reach:
                return self._solve_kept(r, c, s, self.caps), True
            near |= dist < radius
            limit = max(limit, radius)
        region = np.zeros(self.n, dtype=bool)
        region[a_r] = True
        region[(beta >= 0) & near[np.maximum(beta, 0)]] = True
        region[r[near[c] & (beta[r] < 0) & (rho[r] + v[c] - s < limit)]] = True
        if region.sum() * 2 > self.n:
            return self._solve_kept(r, c, s, self.caps), True
        outside = ~region & (beta >= 0)
        caps = self.caps - np.bincount(beta[outside], minlength=self.m)
        sel = region[r]
        sub = self._solve_kept(r[sel], c[sel], s[sel], caps)
        return np.where(region, sub, beta), False

    # 1. Scan ----------------------------------------------------------------------------

    def _scan(self) -> tuple[np.ndarray, ...]:
        """Kept pairs (row, column, compatibility), sorted, and per row a bound on the
        compatibility of every allowed pair it did not keep (_NEG: none)."""
        step = self.rows_per_block
        starts = list(range(0, self.n, step))
        threads = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 4)
        if threads <= 1 or self.n * self.m < _THREADS_FROM:
            parts = [self._scan_blocks(starts)]
        else:
            chunks = [starts[i::threads] for i in range(threads)]
            with ThreadPoolExecutor(threads) as pool:
                parts = list(pool.map(self._scan_blocks, chunks))
        r, c, s = (np.concatenate([p[i] for p in parts]) for i in range(3))
        bound = np.max([p[3] for p in parts], axis=0)
        # Rows came in block order per thread: restore row order, best first within a row.
        span = self.maxc + 1
        if self.n * span * self.m < 1 << 62:  # one sort key: much faster than lexsort
            order = np.argsort((r * span + (self.maxc - s)) * self.m + c)
        else:
            order = np.lexsort((c, -s, r))
        r, c, s = r[order], c[order], s[order]
        first = np.searchsorted(r, r, side="left")
        rank = np.arange(len(r)) - first
        over = rank == _KEEP  # the best pair a row did not keep, where it has too many
        np.maximum.at(bound, r[over], s[over])
        keep = rank < _KEEP
        return r[keep], c[keep], s[keep], bound

    def _scan_blocks(self, starts: list[int]) -> tuple[np.ndarray, ...]:
        sc = self.scorer
        off, m, step = sc.off, self.m, self.rows_per_block
        buf = sc.buffers(step)
        bound = np.full(self.n, _NEG, dtype=np.int64)
        out_r, out_c, out_s = [], [], []
        least = min(_LEAST, m)
        for start in starts:
            rows = np.arange(start, min(start + step, self.n))
            score = sc.block(rows, buf)
            best = score.max(axis=1).astype(np.int64)
            low = np.maximum(best - _DELTA, off)
            rr, cc = np.divmod(np.flatnonzero(score >= low.astype(sc.dtype)[:, None]), m)
            # A row with few pairs near its best also keeps its next best, down to _LEAST:
            # its _LEAST-th best within _WIDE points of the best, or all of those.
            few = np.flatnonzero((np.bincount(rr, minlength=len(rows)) < least) & (low > off))
            if len(few):
                sub = score[few]
                wide = np.maximum(best[few] - _WIDE, off)
                fr, fc = np.divmod(np.flatnonzero(sub >= wide.astype(sc.dtype)[:, None]), m)
                below = best[few][fr] - sub[fr, fc]  # 0 .. _WIDE
                hist = np.bincount(fr * (_WIDE + 1) + below, minlength=len(few) * (_WIDE + 1))
                reach = np.cumsum(hist.reshape(len(few), _WIDE + 1), axis=1) >= least
                depth = np.where(reach.any(axis=1), reach.argmax(axis=1), _WIDE)
                low[few] = np.maximum(np.minimum(low[few], best[few] - depth), wide)
                mine = np.zeros(len(rows), dtype=bool)
                mine[few] = True
                more = sub[fr, fc] >= low[few][fr]
                keep = ~mine[rr]
                rr = np.concatenate((rr[keep], few[fr[more]]))
                cc = np.concatenate((cc[keep], fc[more]))
            out_r.append(rr + start)
            out_c.append(cc)
            out_s.append(score[rr, cc].astype(np.int64) - off)
            cut = low > off  # allowed pairs below the cut were left out
            bound[rows[cut]] = low[cut] - 1 - off
        empty = np.zeros(0, dtype=np.int64)
        return (
            np.concatenate(out_r) if out_r else empty,
            np.concatenate(out_c) if out_c else empty,
            np.concatenate(out_s) if out_s else empty,
            bound,
        )

    # 2. Solve the kept pairs ---------------------------------------------------------------

    def _solve_kept(self, r: np.ndarray, c: np.ndarray, s: np.ndarray, caps: np.ndarray):
        beta = np.full(self.n, -1, dtype=np.int64)
        if len(r) == 0:
            return beta
        order = np.lexsort((c, r))
        r, c, s = r[order], c[order], s[order]
        if ((r[1:] == r[:-1]) & (c[1:] == c[:-1])).any():  # the graph would add them up
            raise RuntimeError("buddy matching: a pair was kept twice")
        rows, r_loc = np.unique(r, return_inverse=True)
        cols, c_loc = np.unique(c, return_inverse=True)
        n_rows = len(rows)
        slots = np.minimum(caps[cols], np.bincount(c_loc, minlength=len(cols)))
        if not slots.all():  # buddies filled by rows outside a repaired region
            ok = slots[c_loc] > 0
            return self._solve_kept(r[ok], c[ok], s[ok], caps)
        slot_start = np.concatenate(([0], np.cumsum(slots)))
        n_slots = int(slot_start[-1])
        per_edge = slots[c_loc]
        e_row = np.repeat(r_loc, per_edge)
        e_col = np.repeat(slot_start[c_loc], per_edge) + _ragged_arange(per_edge)
        top = self.maxc + 1  # a pair costs top - compatibility, from 1 to top
        e_cost = np.repeat(top - s, per_edge).astype(np.float64)
        graph = csr_matrix((e_cost, (e_row, e_col)), shape=(n_rows, n_slots))
        # Every maximum matching matches every row but those that some maximum matching
        # leaves alone: only these get an "unmatched" column, dearer than any compatibility.
        alone = np.flatnonzero(_may_stay_alone(graph))
        if len(alone):
            miss = float(top + self.maxc * self.n + 1)
            graph = csr_matrix(
                (
                    np.concatenate((e_cost, np.full(len(alone), miss))),
                    (
                        np.concatenate((e_row, alone)),
                        np.concatenate((e_col, n_slots + np.arange(len(alone)))),
                    ),
                ),
                shape=(n_rows, n_slots + len(alone)),
            )
        row_ind, col_ind = min_weight_full_bipartite_matching(graph)
        slot_owner = np.repeat(cols, slots)
        real = col_ind < n_slots
        beta[rows[row_ind[real]]] = slot_owner[col_ind[real]]
        return beta

    # 3. Certificate -------------------------------------------------------------------------

    def _duals(self, r, c, s, beta, rounds: int | None) -> tuple[np.ndarray, np.ndarray] | None:
        """Buddy prices v (the least LP dual) and, per row, rho = u - BIG: a pair the row did
        not keep can improve the matching only if its compatibility exceeds rho + v. None
        when ``beta`` is not optimal over the kept pairs (or, with ``rounds``, when the
        prices do not settle within that many rounds)."""
        v = np.zeros(self.m, dtype=np.int64)
        b_r = beta[r]
        lonely = b_r < 0
        np.maximum.at(v, c[lonely], self.big + s[lonely])
        c_beta = np.zeros(self.n, dtype=np.int64)
        mine = c == b_r
        c_beta[r[mine]] = s[mine]
        # v[b] >= v[beta(i)] + s(i, b) - s(i, beta(i)): longest paths, Bellman-Ford style;
        # they settle only if no cycle of moves gains, i.e. when beta is optimal.
        move = ~lonely & ~mine
        src, dst, gain = b_r[move], c[move], s[move] - c_beta[r[move]]
        order = np.argsort(dst, kind="stable")
        src, dst, gain = src[order], dst[order], gain[order]
        if len(dst):
            heads = np.flatnonzero(np.concatenate(([True], dst[1:] != dst[:-1])))
            targets = dst[heads]
            for _ in range(self.m + 2 if rounds is None else rounds):
                best = np.maximum.reduceat(v[src] + gain, heads)
                up = best > v[targets]
                if not up.any():
                    break
                v[targets[up]] = best[up]
            else:
                return None
        load = np.bincount(beta[beta >= 0], minlength=self.m)
        rho = np.full(self.n, -self.big, dtype=np.int64)
        matched = beta >= 0
        rho[matched] = c_beta[matched] - v[beta[matched]]
        # Complementary slackness: a buddy with room is free, and u >= 0.
        if (v[load < self.caps] != 0).any() or (rho < -self.big).any():
            return None
        return v, rho

    def _improving(self, rows, r, c, v, rho) -> tuple:
        """Scan ``rows`` exactly. Returns their pairs that could improve the matching (at
        most _ADD per row, best first); other pairs that keep a row's bound above its rho
        (at most _ADD per row, best first: adding them changes no optimum, and spares the
        row this scan next round); and each row's new bound on the pairs still left out."""
        sc = self.scorer
        off = sc.off
        step = self.rows_per_block
        buf = sc.buffers(step)
        kept_of = np.zeros(self.n, dtype=bool)
        kept_of[rows] = True
        sel = kept_of[r]
        kr, kc = r[sel], c[sel]
        better, quiet, bounds = [], [], []
        for start in range(0, len(rows), step):
            block = rows[start : start + step]
            score = sc.block(block, buf).astype(np.int64) - off
            pos = np.searchsorted(block, kr)
            inside = (pos < len(block)) & (block[np.minimum(pos, len(block) - 1)] == kr)
            score[pos[inside], kc[inside]] = _NEG  # already kept
            score[score < 0] = _NEG  # not allowed
            row_rho = rho[start : start + step, None]
            for out, price in ((better, v[None, :]), (quiet, 0)):
                key = score - price  # the second time, of the pairs the first did not take
                br, bc = np.divmod(np.flatnonzero(key > row_rho), self.m)
                order = np.lexsort((bc, -key[br, bc], br))
                br, bc = br[order], bc[order]
                first = np.arange(len(br)) - np.searchsorted(br, br) < _ADD
                br, bc = br[first], bc[first]
                out.append((block[br], bc, score[br, bc]))
                score[br, bc] = _NEG
            bounds.append(score.max(axis=1, initial=_NEG))
        return (
            tuple(np.concatenate(x).astype(np.int64) for x in zip(*better, strict=True)),
            tuple(np.concatenate(x).astype(np.int64) for x in zip(*quiet, strict=True)),
            np.concatenate(bounds),
        )


def _within(graph: csr_matrix, sources: np.ndarray, limit: float) -> np.ndarray:
    """Distance from the nearest source along arcs, inf beyond ``limit``."""
    return dijkstra(graph, indices=sources, limit=limit, min_only=True)


def _may_stay_alone(graph: csr_matrix) -> np.ndarray:
    """Rows that some maximum matching of the bipartite graph leaves unmatched: those
    reachable by an alternating path from a row that one maximum matching leaves alone."""
    col_of = maximum_bipartite_matching(graph, perm_type="column")
    row_of = np.full(graph.shape[1], -1, dtype=np.int64)
    row_of[col_of[col_of >= 0]] = np.flatnonzero(col_of >= 0)
    reached = col_of < 0
    frontier = np.flatnonzero(reached)
    indptr, indices = graph.indptr, graph.indices
    while len(frontier):
        first, count = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
        cols = indices[np.repeat(first, count) + _ragged_arange(count)]
        rows = np.unique(row_of[cols])
        rows = rows[rows >= 0]
        frontier = rows[~reached[rows]]
        reached[frontier] = True
    return reached


def _ragged_arange(counts: np.ndarray) -> np.ndarray:
    """0..k-1 for each k in counts, concatenated."""
    total = int(counts.sum())
    ends = np.cumsum(counts)
    return np.arange(total) - np.repeat(ends - counts, counts)


__all__ = [
    "ALGORITHM_VERSION",
    "DEFAULT_WEIGHTS",
    "Buddy",
    "Newcomer",
    "Result",
    "Score",
    "Weights",
    "allowed",
    "compatibility",
    "match",
]
