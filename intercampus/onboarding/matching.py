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

How it is solved. Maximising the matched newcomers first and the compatibility second is a
maximum flow of least cost: source -> newcomer (1) -> buddy (an allowed pair, cost
``top - compatibility``) -> sink (the buddy's capacity), solved by OR-Tools' cost-scaling
min-cost-flow (``solve_max_flow_with_min_cost``, C++), with capacities as they are rather
than one column per place. Allowed pairs are nearly all pairs (most people share English),
far too many to hand to a solver at 20,000 newcomers, so the pairs are generated as needed
(column generation, with an exact certificate):

1. Scan: the compatibility of every pair is computed a block of newcomers at a time from
   small lookup tables (numpy, in threads). When all of them fit in ``_STORE_BYTES`` (one
   byte a pair with the default weights: 20,000 x 11,000 pairs take 220 MB) they are stored,
   and the steps below read them instead of computing them again.
2. First pairs. With the scores stored: prices from a few rounds of a capacitated auction
   (a heuristic), each newcomer's pairs within ``_SEL_DELTA`` of its best reduced profit at
   those prices, and the pairs of a matching of the most newcomers possible (a small flow
   between language profiles: allowed depends on the languages alone), so that the first
   solve already matches as many as can be. Without: each newcomer keeps the buddies within
   ``_DELTA`` points of its best and at least its ``_LEAST`` best (at most ``_KEEP``), each
   buddy its ``_COL_TIMES`` x capacity + ``_COL_EXTRA`` best newcomers, and each newcomer
   remembers a bound on the compatibility of the pairs it left out.
3. Solve the kept pairs exactly (the flow above), then compute the LP duals of that optimum
   (buddy prices v as longest paths over the kept pairs, with ``BIG`` per match standing
   for the lexicographic order): a pair left out can improve the matching only if its
   reduced profit ``compatibility - v[buddy]`` exceeds its newcomer's own (rho).
4. Certificate, with the scores stored (after every solve): the
   prices are raised by Bellman-Ford over every stored pair (v[b] >= max over newcomers of
   s(i, b) - rho_i, a block at a time). If they settle with every buddy with room at price
   0 and no newcomer's dual negative, they are LP duals of the matching over all pairs, so
   it is optimal (the problem is totally unimodular): done. Otherwise the pairs that raised
   a price join the kept pairs, and the round goes on with:
5. Price: each newcomer whose bound does not clear rho is scanned again exactly at these
   prices; its improving pairs (at most ``_ADD``, the most profitable, and those within
   ``_MARGIN`` of improving, as prices still move) join the kept pairs, and its bound
   becomes the exact greatest reduced profit left out. Kept pairs far below their
   newcomer's profit leave the solver for the next rounds (their bound covers them). Back
   to 3 until no newcomer has an improving pair left out and no certificate failed: by the
   same duality the assignment is then optimal over all pairs.

When capacity is tight the best buddies of most newcomers are taken and the optimum lies
deep in their rankings: the prices, not the raw compatibility, choose which pairs are
scanned in, so a handful of rounds suffices whatever the share of free places. Only speed
depends on the auction and on which pairs are kept: every result passes a certificate.

Deterministic: newcomers and buddies are sorted by id first, so the same input in any order
gives the same result (for one version of OR-Tools: among several optima, the solver's
first one wins).

Pure module (numpy and OR-Tools, no Django): the Django service, ``intercampus match-buddies
--instance`` and the benchmark all run this same code.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

ALGORITHM_VERSION = "buddy-lexmax/2"  # /2: min-cost flow with column generation

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
# For the first _DROP_ROUNDS rounds, kept pairs more than _DROP_SLACK points below their row's
# profit at the current prices are dropped before the next solve.
_DROP_ROUNDS = 8
# A pricing adds, with the improving pairs, those within _MARGIN points of improving
# (_STORED_MARGIN with every score stored: the certificate then adds the pairs that move
# prices, and fewer pairs make each solve quicker).
_MARGIN = 2
_STORED_MARGIN = 0
_DROP_SLACK = 4
# The scan also keeps, per buddy, its _COL_TIMES x capacity + _COL_EXTRA best newcomers: when
# newcomers crowd on the same few buddies, their own best pairs alone cannot fill the others,
# and the first solve would be far from the optimum (many rounds of pricing).
_COL_TIMES = 2
_COL_EXTRA = 2
# With at least _PLENTY x as many places as newcomers, the scan keeps each newcomer's best
# pairs only (no stored scores, no auction, no buddies' best newcomers).
_PLENTY = 1.25
# The scan stores every pair's score (one byte each with the default weights) when that takes
# at most this many bytes: the pricing rounds then read them instead of computing them again.
_STORE_BYTES = 320 << 20
# With every score stored: rounds of the auction that sets the first prices, and the pairs
# kept per row at those prices (within _SEL_DELTA of its best, at most _SEL_KEEP).
_AUCTION_ROUNDS = 20
_AUCTION_CHUNKS = 16  # bidders in this many chunks per round (at least _AUCTION_CHUNK_LEAST)
_AUCTION_CHUNK_LEAST = 64
_AUCTION_UNTIL = 50  # ... or until fewer than one newcomer in _AUCTION_UNTIL is unplaced
# Bellman-Ford passes of the certificate over every stored pair before it gives up and
# hands the pairs that raised prices to the next solve.
_CERTIFY_ROUNDS = 40
_SEL_DELTA = 8
_SEL_KEEP = 32
_TURN = 2654435761  # a row's rotation of the columns among ties (Knuth's multiplicative hash)
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
        # Who may pair with whom depends on the languages alone: kept for the cardinality.
        self.n_lang, self.b_lang = n_lang, b_lang
        self.n_lang_masks = _bitmasks(lang_sets, lang_index, lw)
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
        # With places to spare, most newcomers get one of their best buddies: the pairs of
        # highest compatibility are nearly the right ones, and one scan beats an auction.
        plenty = int(caps.sum()) >= _PLENTY * self.n
        self.col_keep = caps * _COL_TIMES + _COL_EXTRA if not plenty else caps * 0
        itemsize = np.dtype(self.scorer.dtype).itemsize
        self.stored = None
        if not plenty and self.n * self.m * itemsize <= _STORE_BYTES:
            self.stored = np.empty((self.n, self.m), dtype=self.scorer.dtype)
        self.col_keep_total = int(self.col_keep.sum())
        # Reduced profits of stored scores fit 32 bits unless the weights are huge.
        fits = 4 * (self.big + 2 * self.maxc + 2) < np.iinfo(np.int32).max
        self.wide = np.int32 if fits else np.int64
        self.neg = np.iinfo(self.wide).min // 2
        small = 4 * (self.scorer.off + 2 * self.maxc + 2) < np.iinfo(np.int16).max
        self.small = np.int16 if small else self.wide
        self.small_neg = np.iinfo(self.small).min // 2

    def solve(self) -> np.ndarray:
        """The buddy column of each newcomer row, -1 for none."""
        if self.stored is not None:
            # Every score stored: prices from a quick auction choose the first pairs.
            self._scan()
            prices, owner = self._auction()
            r, c, s, limit = self._select(prices, (self._most_matched(), owner))
            bound = self.stored.max(axis=1).astype(np.int64) - self.scorer.off
            bound[bound < 0] = _NEG
            limit = np.minimum(limit, bound)
        else:
            r, c, s, bound = self._scan()
            limit = bound.copy()
            prices = np.zeros(self.m, dtype=np.int64)
        # Per row, a bound on the reduced profit (s - v) of the pairs it did not keep. The
        # scan's bound on their compatibility holds at any prices (v >= 0); the exact bound
        # of a pricing holds at its prices, and at new prices v' it grows by at most the
        # largest fall of a price: max(v - v').
        rounds = 0
        while True:
            beta = self._solve_kept(r, c, s)
            v, rho = self._duals(r, c, s, beta)
            if self.stored is not None:
                # Near the optimum, duals over every stored pair finish in one pass where
                # pricing would take several rounds of small changes.
                more = self._certify(beta, v)
                if more is None:
                    return beta
                # Not optimal over every pair: whatever the pricing finds, solve again.
                r, c, s = (np.concatenate(x) for x in zip((r, c, s), more[:3], strict=True))
            limit = np.minimum(bound, limit + int(np.maximum(prices - v, 0).max(initial=0)))
            prices = v
            refuted = self.stored is not None  # the certificate failed
            suspect = np.flatnonzero(limit > rho)
            if len(suspect) == 0 and not refuted:
                return beta
            added, limit[suspect] = self._price(suspect, r, c, v, rho[suspect])
            if len(added[0]) == 0 and not refuted:
                return beta
            if rounds < _DROP_ROUNDS:
                # Pairs far below their row's profit at these prices are unlikely in the
                # optimum: they leave the solver (a smaller graph), and their row's bound
                # covers them, so a pricing brings them back if the prices move that far.
                slack = s - v[c] - rho[r]
                drop = (slack < -_DROP_SLACK) & (beta[r] != c)
                np.maximum.at(limit, r[drop], s[drop] - v[c[drop]])
                np.maximum.at(bound, r[drop], s[drop])
                r, c, s = r[~drop], c[~drop], s[~drop]
            rounds += 1
            r, c, s = (np.concatenate(x) for x in zip((r, c, s), added, strict=True))

    # 1. Scan ----------------------------------------------------------------------------

    def _scan(self) -> tuple[np.ndarray, ...]:
        """Kept pairs (row, column, compatibility), sorted, and per row a bound on the
        compatibility of every allowed pair it did not keep (_NEG: none)."""
        step = self.rows_per_block
        starts = list(range(0, self.n, step))
        threads = _threads()
        if threads <= 1 or self.n * self.m < _THREADS_FROM:
            parts = [self._scan_blocks(starts)]
        else:
            chunks = [starts[i::threads] for i in range(threads)]
            with ThreadPoolExecutor(threads) as pool:
                parts = list(pool.map(self._scan_blocks, chunks))
        r, c, s = (np.concatenate([p[i] for p in parts]) for i in range(3))
        bound = np.max([p[3] for p in parts], axis=0)
        col = _top_per_column(
            *(np.concatenate([p[4][i] for p in parts]) for i in range(3)), self.col_keep
        )[:3]
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
        r, c, s = (np.concatenate((x[keep], y)) for x, y in zip((r, c, s), col, strict=True))
        # A pair among a row's best and its buddy's best is kept once.
        key = r * self.m + c
        key, first = np.unique(key, return_index=True)
        return key // self.m, key % self.m, s[first], bound

    def _scan_blocks(self, starts: list[int]) -> tuple[np.ndarray, ...]:
        sc = self.scorer
        off, m, step = sc.off, self.m, self.rows_per_block
        buf = sc.buffers(step)
        bound = np.full(self.n, _NEG, dtype=np.int64)
        out_r, out_c, out_s = [], [], []
        least = min(_LEAST, m)
        # Each buddy's best newcomers so far (a pool, pruned to col_keep per buddy when it
        # grows), and per buddy the score a newcomer must beat to join it.
        pool: list = []
        pool_size = 0
        col = (np.zeros(0, np.int64),) * 3
        beat = np.full(m, off - 1, dtype=sc.dtype)
        for start in starts:
            rows = np.arange(start, min(start + step, self.n))
            score = sc.block(rows, buf)
            if self.stored is not None:
                self.stored[start : start + len(rows)] = score
                continue
            if self.col_keep_total:
                pr, pc = np.divmod(np.flatnonzero(score > beat[None, :]), m)
                pool.append((pr + start, pc, score[pr, pc].astype(np.int64) - off))
                pool_size += len(pr)
            if self.col_keep_total and (pool_size > 2 * self.col_keep_total or start == starts[-1]):
                parts = [col, *pool]
                col_r, col_c, col_s, last = _top_per_column(
                    *(np.concatenate([x[i] for x in parts]) for i in range(3)), self.col_keep
                )
                col = (col_r, col_c, col_s)
                beat = np.maximum(beat, (last + off).astype(sc.dtype))
                pool, pool_size = [], len(col_r)
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
            col,
        )

    # 1b. With every score stored: first prices and pairs -----------------------------------

    def _profits(self, rows: np.ndarray, prices: np.ndarray, small: bool = False) -> np.ndarray:
        """Reduced profits (compatibility - price) of ``rows`` against every buddy; a
        forbidden pair gets ``self.neg`` (``self.small_neg`` with ``small``: prices of at most
        the greatest compatibility + 1, in the narrowest integers that hold them)."""
        dtype, neg = (self.small, self.small_neg) if small else (self.wide, self.neg)
        score = self.stored[rows]
        profit = score.astype(dtype)
        profit -= (prices + self.scorer.off).astype(dtype)[None, :]
        np.putmask(profit, score < self.scorer.off, neg)
        return profit

    def _by_blocks(self, rows: np.ndarray, work) -> list:
        """``work(block of rows)`` for consecutive blocks of ``rows``, in threads when there
        are many pairs (numpy releases the GIL); the results in block order."""
        step = self.rows_per_block
        blocks = [rows[start : start + step] for start in range(0, len(rows), step)]
        threads = _threads()
        if threads <= 1 or len(rows) * self.m < _THREADS_FROM:
            return [work(block) for block in blocks]
        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(work, blocks))

    def _auction(self) -> tuple[np.ndarray, np.ndarray]:
        """Buddy prices from a few rounds of a capacitated auction (every unplaced newcomer
        bids for its best buddy at the current prices, raising its price by its margin over
        its second best; a full buddy keeps its highest bids), and the buddy column holding
        each row's bid (-1: none). Each round goes through the bidders in _AUCTION_CHUNKS
        chunks, each seeing the prices the chunks before it set: when newcomers crowd on a
        few buddies, bidding all at once would mostly collide. A heuristic for the first
        prices only: the rounds after it make the result exact whatever it returns."""
        n = self.n
        owner = np.full(n, -1, dtype=np.int64)  # buddy holding each row's bid
        bid = np.zeros(n, dtype=np.int64)
        prices = np.zeros(self.m, dtype=np.int64)
        active = np.arange(n)
        for _ in range(_AUCTION_ROUNDS):
            if len(active) * _AUCTION_UNTIL <= n:
                break  # the few bids left would hardly move the prices
            step = max(_AUCTION_CHUNK_LEAST, -(-len(active) // _AUCTION_CHUNKS))
            evicted = []
            for lo in range(0, len(active), step):
                evicted.append(self._bid(active[lo : lo + step], owner, bid, prices))
            active = np.sort(np.concatenate(evicted))
        return prices, owner

    def _bid(self, active, owner, bid, prices) -> np.ndarray:
        """One chunk of an auction round: ``active`` rows bid at ``prices``; ``owner``,
        ``bid`` and ``prices`` are updated in place; returns the rows left without a buddy."""
        m, caps = self.m, self.caps

        def two_best(rows: np.ndarray) -> tuple:
            profit = self._profits(rows, prices, small=True)
            j = profit.argmax(axis=1)
            k = np.arange(len(j))
            w1 = profit[k, j]
            profit[k, j] = self.small_neg
            w2 = profit.max(axis=1) if m > 1 else np.full(len(j), self.small_neg)
            return j, w1, w2

        parts = self._by_blocks(active, two_best)
        j, w1, w2 = (np.concatenate([p[i] for p in parts]).astype(np.int64) for i in range(3))
        # A newcomer with no pair left worth a bid (the prices passed its best) drops out.
        bidding = w1 >= 0
        rows, j = active[bidding], j[bidding]
        w2 = np.maximum(w2[bidding], 0)
        owner[rows] = j
        bid[rows] = prices[j] + w1[bidding] - w2 + 1
        # Each buddy bid for keeps its capacity's worth of the highest bids (lowest row on
        # ties); the others keep their bids and prices.
        touched = np.zeros(m, dtype=bool)
        touched[j] = True
        held = np.flatnonzero(owner >= 0)
        held = held[touched[owner[held]]]
        order = np.lexsort((held, -bid[held], owner[held]))
        held = held[order]
        col = owner[held]
        rank = np.arange(len(held)) - np.searchsorted(col, col, side="left")
        out = held[rank >= caps[col]]
        owner[out] = -1
        full = rank == caps[col] - 1
        prices[touched] = 0
        prices[col[full]] = bid[held[full]]
        return np.concatenate((active[~bidding], out))
        return prices

    def _certify(self, beta: np.ndarray, v: np.ndarray) -> tuple | None:
        """With every score stored: LP duals of ``beta`` over all pairs, from its duals over
        the kept pairs (``v``, the least buddy prices) raised by Bellman-Ford over every pair:
        v[b] >= max over rows i of s(i, b) - rho_i. None when they settle with every buddy
        with room at price 0 (``beta`` is then optimal over all pairs); else the pairs that
        raised a price (row, column, compatibility), to be kept for the next solve."""
        off = self.scorer.off
        v = v.copy()
        matched = np.flatnonzero(beta >= 0)
        c_beta = np.zeros(self.n, dtype=np.int64)
        c_beta[matched] = self.stored[matched, beta[matched]].astype(np.int64) - off
        rho = np.full(self.n, -self.big, dtype=np.int64)
        rho[matched] = c_beta[matched] - v[beta[matched]]
        room = np.bincount(beta[matched], minlength=self.m) < self.caps
        active = np.arange(self.n)
        raised_r, raised_c = [], []

        def gains(rows: np.ndarray, cols: slice | np.ndarray) -> np.ndarray:
            score = self.stored[rows][:, cols]
            gain = score.astype(self.wide)
            gain -= (off + rho[rows]).astype(self.wide)[:, None]
            np.putmask(gain, score < off, self.neg)
            return gain

        for _ in range(_CERTIFY_ROUNDS):
            parts = self._by_blocks(active, lambda rows: gains(rows, slice(None)).max(axis=0))
            reach = np.max(parts, axis=0) if parts else np.full(self.m, self.neg, self.wide)
            up = np.flatnonzero(reach > v)
            if len(up) == 0:
                return None

            def raising(rows: np.ndarray, up=up, reach=reach) -> tuple:
                at_r, at_c = np.nonzero(gains(rows, up) == reach[up][None, :])
                return rows[at_r], up[at_c]

            # The pairs that raised a price (every row reaching it, ties included).
            for rows, cols in self._by_blocks(active, raising):
                raised_r.append(rows)
                raised_c.append(cols)
            v[up] = reach[up]
            if room[up].any():
                break  # an improving path to a buddy with room
            moved = np.zeros(self.m, dtype=bool)
            moved[up] = True
            active = matched[moved[beta[matched]]]
            rho[active] = c_beta[active] - v[beta[active]]
            if (rho[active] < -self.big).any():
                break  # a newcomer left out would gain more than a matched one keeps (u < 0)
        r, c = np.concatenate(raised_r), np.concatenate(raised_c)
        key = np.unique(r * self.m + c)
        r, c = key // self.m, key % self.m
        rho = np.full(self.n, -self.big, dtype=np.int64)
        rho[matched] = c_beta[matched] - v[beta[matched]]
        return r, c, self.stored[r, c].astype(np.int64) - off, v, rho

    def _most_matched(self) -> np.ndarray:
        """A matching of the most newcomers possible (the buddy column of each row, -1 for
        none), whatever its compatibility. Whether a pair is allowed depends only on the two
        language sets, so this is a small flow between language profiles: newcomer profile
        -> buddy profile (sharing a language) -> sink (the profile's places), then realised
        newcomer by newcomer in row order."""
        sc = self.scorer
        b_types, b_type = np.unique(sc.b_lang, axis=0, return_inverse=True)
        b_type = b_type.reshape(-1)
        n_types = len(sc.n_lang_masks)
        t_count = np.bincount(sc.n_lang, minlength=n_types)
        u_places = np.bincount(b_type, weights=self.caps, minlength=len(b_types)).astype(np.int64)
        t, u = np.nonzero(_popcount_and(sc.n_lang_masks, b_types) > 0)
        beta = np.full(self.n, -1, dtype=np.int64)
        if len(t) == 0:
            return beta
        flow = SimpleMinCostFlow()
        source, sink = n_types + len(b_types), n_types + len(b_types) + 1
        nu = len(b_types)
        flow.add_arcs_with_capacity_and_unit_cost(
            np.concatenate((np.full(n_types, source), t, n_types + np.arange(nu))),
            np.concatenate((np.arange(n_types), n_types + u, np.full(nu, sink))),
            np.concatenate((t_count, np.full(len(t), self.n), u_places)),
            np.zeros(n_types + len(t) + nu, dtype=np.int64),
        )
        flow.set_node_supply(source, self.n)
        flow.set_node_supply(sink, -self.n)
        if flow.solve_max_flow_with_min_cost() != flow.OPTIMAL:
            raise RuntimeError("buddy matching: the cardinality flow did not solve")
        amount = flow.flows(np.arange(n_types, n_types + len(t)))
        # Rows of each newcomer profile and places (one column per place) of each buddy
        # profile, in order; each arc takes the next ``amount`` of both.
        rows_of = np.argsort(sc.n_lang, kind="stable")
        row_start = np.concatenate(([0], np.cumsum(t_count)))
        places = np.repeat(np.arange(self.m), self.caps)
        places = places[np.argsort(b_type[places], kind="stable")]
        place_start = np.concatenate(([0], np.cumsum(u_places)))
        row_used = np.zeros(n_types, dtype=np.int64)
        place_used = np.zeros(nu, dtype=np.int64)
        for ti, ui, f in zip(t.tolist(), u.tolist(), amount.tolist(), strict=True):
            if f:
                a, b = row_start[ti] + row_used[ti], place_start[ui] + place_used[ui]
                beta[rows_of[a : a + f]] = places[b : b + f]
                row_used[ti] += f
                place_used[ui] += f
        return beta

    def _select(self, prices: np.ndarray, also: tuple) -> tuple[np.ndarray, ...]:
        """Per row the pairs within _SEL_DELTA of its best reduced profit at ``prices`` (at
        most _SEL_KEEP, the best, ties in a column order rotated per row) and its pairs in
        ``also`` (arrays of a column per row, -1: none), and the greatest reduced profit of
        the pairs left out."""
        take = min(_SEL_KEEP, self.m)

        def pick(rows: np.ndarray) -> tuple:
            profit = self._profits(rows, prices, small=True)
            best = profit.max(axis=1)
            keep = profit >= (best - _SEL_DELTA)[:, None]
            keep[best <= self.small_neg + _SEL_DELTA] = False  # no allowed pair
            flat = np.flatnonzero(keep)
            rr, cc = np.divmod(flat, self.m)
            below = (best[rr] - profit.ravel()[flat]).astype(np.int64)  # 0 .. _SEL_DELTA
            np.putmask(profit, keep, self.small_neg)
            limit = profit.max(axis=1).astype(np.int64)
            # At most ``take`` per row: the most profitable, then the lowest columns. A row
            # keeps its levels (points below its best) before ``cut`` whole, and at ``cut``
            # the first pairs it still has room for; those left over count in its limit.
            levels = _SEL_DELTA + 1
            hist = np.bincount(rr * levels + below, minlength=len(rows) * levels)
            reach = np.cumsum(hist.reshape(len(rows), levels), axis=1) >= take
            cut = np.where(reach.any(axis=1), reach.argmax(axis=1), levels)
            room = take - np.where(
                cut > 0,
                np.cumsum(hist.reshape(len(rows), levels), axis=1)[
                    np.arange(len(rows)), np.maximum(cut - 1, 0)
                ],
                0,
            )
            # At ``cut``, ties (many in crowded cohorts) are broken by a column order rotated
            # per row: were it the lowest columns for every row, the buddies of high columns
            # would be nobody's candidate.
            # The row's pairs at ``cut`` come in column order: rank them from the row's
            # first column at or after its ``turn`` on, wrapping round (no sort needed).
            at_cut = np.flatnonzero(below == cut[rr])
            at_r = rr[at_cut]
            rank = np.arange(len(at_cut)) - np.searchsorted(at_r, at_r)
            turn = (-rows * _TURN) % self.m
            before = np.bincount(at_r[cc[at_cut] < turn[at_r]], minlength=len(rows))
            count = np.bincount(at_r, minlength=len(rows))
            rank = (rank - before[at_r]) % np.maximum(count[at_r], 1)
            inside = below < cut[rr]
            inside[at_cut[rank < room[rr[at_cut]]]] = True
            over = np.flatnonzero(~inside)
            # Each row's first pair over is its best (row-major, levels ascending at worst
            # equal): the greatest of their profits is best - least level.
            if len(over):
                worst = np.full(len(rows), levels, dtype=np.int64)
                np.minimum.at(worst, rr[over], below[over])
                out = worst < levels
                limit[out] = np.maximum(limit[out], best[out].astype(np.int64) - worst[out])
            rr, cc = rr[inside], cc[inside]
            out_r, out_c = [rr], [cc]
            for columns in also:
                extra = columns[rows]
                has = np.flatnonzero((extra >= 0) & ~keep[np.arange(len(rows)), extra])
                out_r.append(has)
                out_c.append(extra[has])
            return rows[np.concatenate(out_r)], np.concatenate(out_c), limit

        parts = self._by_blocks(np.arange(self.n), pick)
        r, c, limit = (np.concatenate([p[i] for p in parts]) for i in range(3))
        limit[limit <= self.small_neg] = _NEG
        key = np.unique(r * self.m + c)  # the extra columns of a row may coincide
        r, c = np.divmod(key, self.m)
        s = self.stored[r, c].astype(np.int64) - self.scorer.off
        return r, c, s, limit

    # 2. Solve the kept pairs ---------------------------------------------------------------

    def _solve_kept(self, r: np.ndarray, c: np.ndarray, s: np.ndarray) -> np.ndarray:
        """An optimum over the kept pairs: a maximum flow source -> newcomer -> buddy -> sink
        (newcomers 1, buddies their capacity), of least cost (top - compatibility) among the
        maximum flows. OR-Tools' cost-scaling solver, in C++."""
        n, m = self.n, self.m
        beta = np.full(n, -1, dtype=np.int64)
        if len(r) == 0:
            return beta
        flow = SimpleMinCostFlow()
        source, sink = n + m, n + m + 1
        flow.add_arcs_with_capacity_and_unit_cost(
            np.concatenate((r, np.arange(n, n + m), np.full(n, source))),
            np.concatenate((c + n, np.full(m, sink), np.arange(n))),
            np.concatenate((np.ones(len(r), np.int64), self.caps, np.ones(n, np.int64))),
            np.concatenate((self.maxc + 1 - s, np.zeros(n + m, np.int64))),
        )
        flow.set_node_supply(source, n)
        flow.set_node_supply(sink, -n)
        status = flow.solve_max_flow_with_min_cost()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"buddy matching: the flow solver stopped with status {status}")
        used = flow.flows(np.arange(len(r))) > 0
        beta[r[used]] = c[used]
        return beta

    # 3. Certificate -------------------------------------------------------------------------

    def _duals(self, r, c, s, beta) -> tuple[np.ndarray, np.ndarray]:
        """LP duals of ``beta``, optimal over the kept pairs: buddy prices v (the least dual)
        and, per row, rho = u - BIG. A pair the row did not keep can improve the matching
        only if its compatibility exceeds rho + v (its reduced profit s - v > rho)."""
        v = np.zeros(self.m, dtype=np.int64)
        b_r = beta[r]
        lonely = b_r < 0
        np.maximum.at(v, c[lonely], self.big + s[lonely])
        c_beta = np.zeros(self.n, dtype=np.int64)
        mine = c == b_r
        c_beta[r[mine]] = s[mine]
        # v[b] >= v[beta(i)] + s(i, b) - s(i, beta(i)): longest paths, Bellman-Ford from the
        # buddies whose price just rose; they settle only if no cycle of moves gains, i.e.
        # when beta is optimal.
        move = ~lonely & ~mine
        src, dst, gain = b_r[move], c[move], s[move] - c_beta[r[move]]
        order = np.argsort(src, kind="stable")
        src, dst, gain = src[order], dst[order], gain[order]
        starts = np.searchsorted(src, np.arange(self.m + 1))
        active = np.arange(self.m)
        for _ in range(self.m + 2):
            count = starts[active + 1] - starts[active]
            arcs = np.repeat(starts[active], count) + _ragged_arange(count)
            reach = v[src[arcs]] + gain[arcs]
            up = reach > v[dst[arcs]]
            if not up.any():
                break
            np.maximum.at(v, dst[arcs[up]], reach[up])
            active = np.unique(dst[arcs[up]])
        else:
            raise RuntimeError("buddy matching: the solver's matching is not optimal")
        load = np.bincount(beta[beta >= 0], minlength=self.m)
        rho = np.full(self.n, -self.big, dtype=np.int64)
        matched = beta >= 0
        rho[matched] = c_beta[matched] - v[beta[matched]]
        # Complementary slackness: a buddy with room is free, and u >= 0.
        if (v[load < self.caps] != 0).any() or (rho < -self.big).any():
            raise RuntimeError("buddy matching: the solver's matching is not optimal")
        return v, rho

    def _price(self, rows, r, c, v, rho) -> tuple[tuple, np.ndarray]:
        """Scan ``rows`` exactly at prices ``v``. Returns their pairs not kept yet whose reduced
        profit s - v exceeds the row's ``rho`` (at most _ADD per row, the most profitable), and
        each row's greatest reduced profit over the pairs still left out (_NEG: none)."""
        order = np.argsort(r, kind="stable")
        kept = (np.searchsorted(r[order], np.arange(self.n + 1)), c[order])
        step = self.rows_per_block
        starts = list(range(0, len(rows), step))
        threads = _threads()
        if threads <= 1 or len(rows) * self.m < _THREADS_FROM:
            parts = [self._price_blocks(starts, rows, kept, v, rho)]
        else:
            chunks = [starts[i::threads] for i in range(threads)]
            with ThreadPoolExecutor(threads) as pool:
                parts = list(
                    pool.map(lambda ch: self._price_blocks(ch, rows, kept, v, rho), chunks)
                )
        added = tuple(np.concatenate([p[i] for p in parts]) for i in range(3))
        bound = np.full(len(rows), _NEG, dtype=np.int64)
        for part in parts:
            bound[part[3]] = part[4]
        return added, bound

    def _price_blocks(self, starts, rows, kept, v, rho) -> tuple[np.ndarray, ...]:
        sc = self.scorer
        step, m = self.rows_per_block, self.m
        indptr, kept_c = kept
        buf = sc.buffers(step)
        out_r, out_c, out_s, out_pos, out_bound = [], [], [], [], []
        for start in starts:
            block = rows[start : start + step]
            k = len(block)
            if self.stored is None:
                score = sc.block(block, buf).astype(np.int64) - sc.off
                profit = score - v[None, :]
                profit[score < 0] = _NEG  # not allowed
                neg = _NEG
            else:
                profit = self._profits(block, v)  # 32 bits: half the memory traffic
                neg = self.neg
            count = indptr[block + 1] - indptr[block]
            at = np.repeat(indptr[block], count) + _ragged_arange(count)
            profit[np.repeat(np.arange(k), count), kept_c[at]] = neg  # kept already
            row_rho = rho[start : start + step]
            # Improving pairs, and those a little short of it (prices move from round to
            # round): all of a row's when they are few, else its _ADD most profitable.
            improving = profit.max(axis=1) > row_rho
            margin = _MARGIN if self.stored is None else _STORED_MARGIN
            near = profit > (row_rho - margin).astype(profit.dtype)[:, None]
            rr, cc = np.divmod(np.flatnonzero(near), m)
            mine = improving[rr]
            rr, cc = rr[mine], cc[mine]
            many = np.bincount(rr, minlength=k) > _ADD
            few = ~many[rr]
            rr, cc = rr[few], cc[few]
            crowded = np.flatnonzero(many)
            if len(crowded):
                cols = np.argpartition(-profit[crowded], _ADD - 1, axis=1)[:, :_ADD]
                rr = np.concatenate((rr, np.repeat(crowded, cols.shape[1])))
                cc = np.concatenate((cc, cols.ravel()))
            if len(rr):
                gain = profit[rr, cc]
                out_r.append(block[rr])
                out_c.append(cc)
                out_s.append(gain.astype(np.int64) + v[cc])
                profit[rr, cc] = neg
            best = profit.max(axis=1).astype(np.int64)
            best[best <= neg] = _NEG
            out_pos.append(np.arange(start, start + k))
            out_bound.append(best)
        empty = np.zeros(0, dtype=np.int64)
        return (
            np.concatenate(out_r) if out_r else empty,
            np.concatenate(out_c) if out_c else empty,
            np.concatenate(out_s) if out_s else empty,
            np.concatenate(out_pos) if out_pos else empty,
            np.concatenate(out_bound) if out_bound else empty,
        )


def _top_per_column(r, c, s, keep) -> tuple[np.ndarray, ...]:
    """Of pairs (row, column, score), each column's ``keep[column]`` best (highest score, then
    lowest row), and per column the score a new pair must beat to be among them (-1 while
    the column has fewer)."""
    order = np.lexsort((r, -s, c))
    r, c, s = r[order], c[order], s[order]
    rank = np.arange(len(c)) - np.searchsorted(c, c, side="left")
    keep_it = rank < keep[c]
    last = np.full(len(keep), -1, dtype=np.int64)
    full = rank == keep[c] - 1
    last[c[full]] = s[full]
    return r[keep_it], c[keep_it], s[keep_it], last


def _threads() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return min(cores, 4)


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
