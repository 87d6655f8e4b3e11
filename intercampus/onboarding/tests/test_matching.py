"""Buddy matching: the compatibility, the exactness of the matching (against scipy's dense
linear_sum_assignment on the capacity-expanded matrix), hard constraints, capacities,
determinism, late arrivals, and the instance file and command."""

from __future__ import annotations

import json
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from intercampus import cli
from intercampus.onboarding import matching
from intercampus.onboarding.instance import (
    InstanceError,
    dump_assignment,
    parse_instance,
    read_instance,
)
from intercampus.onboarding.matching import (
    Buddy,
    Newcomer,
    Score,
    Weights,
    allowed,
    compatibility,
    match,
)

LANGS = ["en", "de", "fr", "zh"]
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Instances ------------------------------------------------------------------------------------


@st.composite
def instances(draw, max_newcomers=14, max_buddies=9, programmes=1, max_capacity=3):
    langs = st.frozensets(st.sampled_from(LANGS), max_size=3)
    faculty = st.one_of(st.none(), st.integers(0, 3))
    interests = st.frozensets(st.integers(0, 7), max_size=4)
    day = st.integers(0, 40)
    programme = st.integers(0, programmes - 1)
    n = draw(st.integers(0, max_newcomers))
    m = draw(st.integers(0, max_buddies))
    ids = draw(st.permutations(range(100)))  # ids in no particular order
    newcomers = [
        Newcomer(
            ids[i],
            draw(langs),
            draw(faculty),
            draw(interests),
            draw(st.one_of(st.none(), day)) if draw(st.booleans()) else draw(day),
            draw(programme),
        )
        for i in range(n)
    ]
    buddies = []
    for j in range(m):
        start = draw(day)
        buddies.append(
            Buddy(
                ids[50 + j],
                draw(st.integers(0, max_capacity)),
                draw(langs),
                draw(faculty),
                draw(interests),
                start,
                start + draw(st.integers(0, 15)),
                draw(programme),
            )
        )
    return newcomers, buddies


def reference(newcomers, buddies, weights=Weights(), capacity=None):
    """(matched, total compatibility) of an optimum, by scipy's dense linear_sum_assignment on
    the capacity-expanded matrix: a forbidden pair costs more than leaving everybody alone."""
    capacity = capacity or {b.id: b.capacity for b in buddies}
    slots = [b for b in buddies for _ in range(capacity[b.id])]
    if not newcomers or not slots:
        return 0, 0
    top = weights.max_total + 1
    forbidden = top * (len(newcomers) + 1) * 2
    cost = np.full((len(newcomers), len(slots)), float(forbidden))
    for i, n in enumerate(newcomers):
        for j, b in enumerate(slots):
            if allowed(n, b):
                cost[i, j] = top - compatibility(n, b, weights).total
    rows, cols = linear_sum_assignment(cost)
    real = cost[rows, cols] < forbidden
    return int(real.sum()), int((top - cost[rows, cols][real]).sum())


def check_feasible(result, newcomers, buddies, fixed=None):
    fixed = fixed or {}
    by_id = {b.id: b for b in buddies}
    assert set(result.assignment) == {n.id for n in newcomers} | set(fixed)
    load = Counter(b for b in result.assignment.values() if b is not None)
    for bid, count in load.items():
        assert count <= max(by_id[bid].capacity, sum(1 for v in fixed.values() if v == bid))
    for n in newcomers:
        bid = result.assignment[n.id]
        if bid is not None and n.id not in fixed:
            assert allowed(n, by_id[bid])
            assert result.scores[n.id] == compatibility(n, by_id[bid])
        if bid is None:
            assert n.id not in result.scores


# Compatibility --------------------------------------------------------------------------------


def test_compatibility_of_the_issue_example():
    n = Newcomer(0, ["en", "de"], 3, [14, 17], 20)
    b = Buddy(0, 2, ["en"], 7, [6, 17], 47, 59)
    # One shared language 35; other faculty 0; Jaccard 1/3 of 25 = 8.33 -> 8; 27 days early.
    assert compatibility(n, b) == Score(35, 0, 8, 0, 43, ("en",), (17,))
    assert allowed(n, b)


@pytest.mark.parametrize(
    ("arrival", "start", "end", "points"),
    [(20, 10, 30, 15), (10, 10, 30, 15), (30, 10, 30, 15), (5, 10, 30, 10), (35, 10, 30, 10),
     (45, 10, 30, 0), (60, 10, 30, 0), (None, 10, 30, 0), (20, None, None, 0)],
)  # fmt: skip
def test_availability_points(arrival, start, end, points):
    n = Newcomer(0, ["en"], None, [], arrival)
    b = Buddy(0, 1, ["en"], None, [], start, end)
    assert compatibility(n, b).availability == points


def test_languages_faculty_interests_and_weights():
    n = Newcomer(0, ["en", "de", "fr"], "law", [1, 2], 0)
    b = Buddy(0, 1, ["de", "fr"], "law", [2, 3, 4, 5], 0, 0)
    score = compatibility(n, b)
    # Two shared languages; same faculty; Jaccard 1/5 of 25 = 5; on the day.
    assert (score.languages, score.faculty, score.interests, score.availability) == (40, 20, 5, 15)
    assert score.total == 80 and score.shared_languages == ("de", "fr")
    # Half up: 25 x 1/2 = 12.5 -> 13; a programme's weights.
    half = Buddy(1, 1, ["de"], None, [2], 0, 0)
    assert compatibility(Newcomer(1, ["de"], None, [1, 2], 0), half).interests == 13
    w = Weights(two_languages=10, one_language=5, faculty=0, interests=50, availability=1)
    assert compatibility(n, b, w) == Score(10, 0, 10, 1, 21, ("de", "fr"), (2,))
    assert not allowed(Newcomer(2, ["zh"], None, [], 0), b)
    assert not allowed(Newcomer(3, ["de"], None, [], 0, programme=1), b)
    with pytest.raises(ValueError, match="weights.faculty"):
        Weights(faculty=-1)


@FAST
@given(instances(max_newcomers=12, max_buddies=12), st.integers(0, 4))
def test_vectorised_scores_equal_compatibility(instance, variant):
    """The scan's lookup tables give every pair exactly compatibility(), also when tables
    are built block by block, without the interest table, and with 16- or 32-bit scores."""
    newcomers, buddies = instance
    if not newcomers or not buddies:
        return
    weights = [Weights(), Weights(faculty=0), Weights(200, 100, 150, 90, 60), Weights(),
               Weights(9000, 10000, 10000, 9999, 10000)][variant]  # fmt: skip
    old = matching._TABLE_BYTES, matching._LUT_SIZE
    if variant == 3:
        matching._TABLE_BYTES, matching._LUT_SIZE = 0, 0
    try:
        scorer = matching._Scorer(newcomers, buddies, weights)
        got = scorer.block(np.arange(len(newcomers)), scorer.buffers(len(newcomers)))
    finally:
        matching._TABLE_BYTES, matching._LUT_SIZE = old
    for i, n in enumerate(newcomers):
        for j, b in enumerate(buddies):
            if n.langs.isdisjoint(b.langs):
                assert got[i, j] < scorer.off
            else:
                assert int(got[i, j]) - scorer.off == compatibility(n, b, weights).total


def test_many_languages_and_interests_take_several_words():
    rng = random.Random(5)
    langs = [f"l{i}" for i in range(70)]
    newcomers = [
        Newcomer(i, rng.sample(langs, 3), None, rng.sample(range(150), 6), 0) for i in range(30)
    ]
    buddies = [
        Buddy(j, 1, rng.sample(langs, 20), None, rng.sample(range(150), 40), 0, 5)
        for j in range(25)
    ]
    scorer = matching._Scorer(newcomers, buddies, Weights())
    assert scorer.iw == 3
    got = scorer.block(np.arange(30), scorer.buffers(30)).astype(int) - scorer.off
    for i, n in enumerate(newcomers):
        for j, b in enumerate(buddies):
            expected = compatibility(n, b).total if allowed(n, b) else None
            assert (got[i, j] if got[i, j] >= 0 else None) == expected
    result = match(newcomers, buddies)
    assert (result.matched, result.total) == reference(newcomers, buddies)


# Matching -------------------------------------------------------------------------------------


@FAST
@given(instances())
def test_matching_is_feasible_and_optimal(instance):
    newcomers, buddies = instance
    result = match(newcomers, buddies)
    check_feasible(result, newcomers, buddies)
    assert (result.matched, result.total) == reference(newcomers, buddies)


@FAST
@given(instances(max_newcomers=18, max_buddies=8, max_capacity=2))
def test_optimal_through_the_certificate_loop(instance):
    """With the scan keeping a single pair per newcomer, nearly every optimum needs the
    certificate's rounds: exact re-scans, pairs added, regions re-solved."""
    newcomers, buddies = instance
    saved = matching._DELTA, matching._KEEP, matching._LEAST, matching._ADD
    matching._DELTA, matching._KEEP, matching._LEAST, matching._ADD = 0, 1, 1, 1
    try:
        result = match(newcomers, buddies)
    finally:
        matching._DELTA, matching._KEEP, matching._LEAST, matching._ADD = saved
    check_feasible(result, newcomers, buddies)
    assert (result.matched, result.total) == reference(newcomers, buddies)


def crowded_cohort(rnd, n, ratio, max_capacity, english):
    """n newcomers and buddies with ratio x n places, nearly all sharing a language when
    ``english``, and crowding on the same few faculties and interests: the best buddies of
    most newcomers are taken, so the optimum lies deep in their rankings."""
    langs = [["en"], ["en", "de"], ["de"], ["fr"]]
    weights = [0.6, 0.25, 0.1, 0.05] if english else [0.25, 0.25, 0.25, 0.25]

    def skewed(rate, top):  # 0 most often, then 1, ... (hypothesis' random may give inf)
        return int(min(rnd.expovariate(rate), top))

    def person():
        return (
            rnd.choices(langs, weights)[0],
            skewed(1.0, 5),
            {skewed(0.7, 9) for _ in range(rnd.randint(1, 4))},
        )

    newcomers = [Newcomer(i, *person(), rnd.randint(0, 40)) for i in range(n)]
    buddies, places = [], 0
    while places < round(ratio * n):
        capacity = min(rnd.randint(1, max_capacity), round(ratio * n) - places)
        start = rnd.randint(0, 40)
        buddies.append(Buddy(1000 + len(buddies), capacity, *person(), start, start + 9))
        places += capacity
    return newcomers, buddies


@st.composite
def crowded_cohorts(draw):
    """30-60 newcomers, places from 0.8 to 2 times as many, capacities up to 1-5."""
    return crowded_cohort(
        draw(st.randoms(use_true_random=False)),
        draw(st.integers(30, 60)),
        draw(st.sampled_from([0.8, 1.0, 1.05, 1.1, 1.5, 2.0])),
        draw(st.integers(1, 5)),
        draw(st.booleans()),
    )


@pytest.mark.parametrize("ratio", [0.8, 1.05, 1.1, 1.5])
@pytest.mark.parametrize("english", [True, False])
def test_optimal_on_larger_crowded_cohorts(ratio, english):
    """A few hundred newcomers: kept pairs are dropped and priced back in over rounds."""
    newcomers, buddies = crowded_cohort(random.Random(7), 300, ratio, 3, english)
    result = match(newcomers, buddies)
    check_feasible(result, newcomers, buddies)
    assert (result.matched, result.total) == reference(newcomers, buddies)


@FAST
@given(crowded_cohorts())
def test_optimal_when_capacity_is_tight_and_candidates_are_few(instance):
    """Few candidates per newcomer, every improving pair found one at a time, and kept pairs
    dropped as soon as they fall behind: many rounds of pricing, each checked in full."""
    newcomers, buddies = instance
    names = ("_DELTA", "_KEEP", "_LEAST", "_ADD", "_MARGIN", "_DROP_SLACK")
    saved = [getattr(matching, name) for name in names]
    for name, value in zip(names, (0, 2, 1, 1, 0, 0), strict=True):
        setattr(matching, name, value)
    try:
        result = match(newcomers, buddies)
    finally:
        for name, value in zip(names, saved, strict=True):
            setattr(matching, name, value)
    check_feasible(result, newcomers, buddies)
    assert (result.matched, result.total) == reference(newcomers, buddies)


@FAST
@given(crowded_cohorts())
def test_optimal_on_crowded_cohorts(instance):
    newcomers, buddies = instance
    result = match(newcomers, buddies)
    check_feasible(result, newcomers, buddies)
    assert (result.matched, result.total) == reference(newcomers, buddies)


@FAST
@given(crowded_cohorts(), st.booleans())
def test_optimal_when_the_scores_are_not_stored(instance, few):
    """Cohorts too large to store every pair's score are scanned again at each pricing,
    with the buddies' best newcomers kept as well; the same optimum."""
    newcomers, buddies = instance
    names = ("_STORE_BYTES", "_KEEP", "_LEAST", "_COL_TIMES", "_COL_EXTRA")
    saved = [getattr(matching, name) for name in names]
    for name, value in zip(names, (0, 2, 1, 1, 0) if few else (0,), strict=False):
        setattr(matching, name, value)
    try:
        result = match(newcomers, buddies)
    finally:
        for name, value in zip(names, saved, strict=True):
            setattr(matching, name, value)
    check_feasible(result, newcomers, buddies)
    assert (result.matched, result.total) == reference(newcomers, buddies)


@FAST
@given(crowded_cohorts())
def test_optimal_whatever_the_first_prices(instance):
    """No auction (all prices 0), a long one, or one bidder at a time, and few first pairs
    per newcomer (ties at the cut broken per row): only the number of rounds changes."""
    newcomers, buddies = instance
    names = ("_AUCTION_ROUNDS", "_AUCTION_CHUNK_LEAST", "_SEL_KEEP", "_SEL_DELTA")
    for values in ((0, 64, 32, 8), (200, 64, 32, 8), (200, 1, 2, 8), (3, 1, 3, 0)):
        saved = [getattr(matching, name) for name in names]
        for name, value in zip(names, values, strict=True):
            setattr(matching, name, value)
        try:
            result = match(newcomers, buddies)
        finally:
            for name, value in zip(names, saved, strict=True):
                setattr(matching, name, value)
        check_feasible(result, newcomers, buddies)
        assert (result.matched, result.total) == reference(newcomers, buddies)


@FAST
@given(instances(programmes=2))
def test_pairs_stay_within_a_programme(instance):
    newcomers, buddies = instance
    result = match(newcomers, buddies)
    check_feasible(result, newcomers, buddies)
    expected = [0, 0]
    for p in (0, 1):
        part = reference(
            [n for n in newcomers if n.programme == p], [b for b in buddies if b.programme == p]
        )
        expected = [expected[0] + part[0], expected[1] + part[1]]
    assert [result.matched, result.total] == expected


@FAST
@given(instances(), st.sampled_from([Weights(faculty=0), Weights(10, 90, 5, 0, 100)]))
def test_optimal_with_a_programmes_weights(instance, weights):
    newcomers, buddies = instance
    result = match(newcomers, buddies, weights)
    assert (result.matched, sum(s.total for s in result.scores.values())) == reference(
        newcomers, buddies, weights
    )


@FAST
@given(instances(), st.randoms(use_true_random=False))
def test_deterministic_whatever_the_input_order(instance, rnd):
    newcomers, buddies = instance
    first = match(newcomers, buddies)
    shuffled_n, shuffled_b = list(newcomers), list(buddies)
    rnd.shuffle(shuffled_n)
    rnd.shuffle(shuffled_b)
    again = match(shuffled_n, shuffled_b)
    assert again.assignment == first.assignment
    assert again.scores == first.scores
    assert match(newcomers, buddies).assignment == first.assignment


@FAST
@given(instances(max_newcomers=16), st.data())
def test_late_arrivals_never_move_accepted_pairs(instance, data):
    newcomers, buddies = instance
    k = data.draw(st.integers(0, len(newcomers)))
    early, late = newcomers[:k], newcomers[k:]
    accepted = {n: b for n, b in match(early, buddies).assignment.items() if b is not None}
    result = match(late, buddies, fixed=accepted)
    for n, b in accepted.items():
        assert result.assignment[n] == b
    check_feasible(result, late, buddies, accepted)
    load = Counter(b for b in result.assignment.values() if b is not None)
    assert all(load[b.id] <= b.capacity for b in buddies)
    # The late ones get an optimum of the capacity that is left.
    left = {b.id: b.capacity - list(accepted.values()).count(b.id) for b in buddies}
    late_total = sum(result.scores[n.id].total for n in late if n.id in result.scores)
    late_matched = sum(result.assignment[n.id] is not None for n in late)
    assert (late_matched, late_total) == reference(late, buddies, capacity=left)


def test_fixed_pairs_are_kept_whatever_they_score_and_take_capacity():
    buddy = Buddy("b", 1, ["de"], None, [], 0, 10)
    other = Buddy("c", 1, ["en"], None, [], 0, 10)
    late = Newcomer("n2", ["de", "en"], None, [], 5)
    # n1 speaks no German but was paired with b by hand: kept, and b is full.
    result = match([late], [buddy, other], fixed={"n1": "b"})
    assert result.assignment == {"n1": "b", "n2": "c"}
    assert result.fixed == frozenset({"n1"})
    # A newcomer in both lists keeps its buddy; a buddy over capacity keeps its pairs.
    result = match([late], [buddy, other], fixed={"n2": "b", "n9": "b"})
    assert result.assignment == {"n9": "b", "n2": "b"}
    assert result.scores["n2"].total == compatibility(late, buddy).total
    with pytest.raises(ValueError, match="not among the buddies"):
        match([late], [buddy], fixed={"n2": "zz"})


def test_edge_cases():
    n = Newcomer(1, ["en"], None, [], 3)
    assert match([], []).assignment == {}
    assert match([n], []).assignment == {1: None}
    assert match([n], [Buddy(1, 0, ["en"], None, [], 0, 9)]).assignment == {1: None}
    with pytest.raises(ValueError, match="duplicate id 1"):
        match([n, n], [])
    with pytest.raises(ValueError, match="capacity"):
        match([n], [Buddy(1, -1, ["en"], None, [], 0, 9)])


def test_cardinality_comes_before_compatibility():
    # a likes b1 best, but only a can take b2: both get a buddy.
    a = Newcomer("a", ["en", "de"], 1, [1], 5)
    z = Newcomer("z", ["de"], None, [], 5)
    b1 = Buddy("b1", 1, ["en", "de"], 1, [1], 0, 9)
    b2 = Buddy("b2", 1, ["en"], None, [], 50, 60)
    result = match([a, z], [b1, b2])
    assert result.assignment == {"a": "b2", "z": "b1"}
    assert result.matched == 2


def test_scan_in_threads_gives_the_same_result():
    rng = random.Random(3)
    newcomers = [
        Newcomer(i, rng.sample(LANGS, 2), rng.randrange(4), rng.sample(range(12), 3),
                 rng.randrange(30))
        for i in range(120)
    ]  # fmt: skip
    buddies = [
        Buddy(j, rng.randrange(1, 3), rng.sample(LANGS, 2), rng.randrange(4),
              rng.sample(range(12), 3), (s := rng.randrange(30)), s + rng.randrange(10))
        for j in range(80)
    ]  # fmt: skip
    alone = match(newcomers, buddies)
    old = matching._THREADS_FROM, matching._BLOCK
    matching._THREADS_FROM, matching._BLOCK = 0, 1000
    try:
        threaded = match(newcomers, buddies)
    finally:
        matching._THREADS_FROM, matching._BLOCK = old
    assert threaded.assignment == alone.assignment
    assert (alone.matched, alone.total) == reference(newcomers, buddies)


# Instance file and command -----------------------------------------------------------------------

EXAMPLE = {
    "format": "buddy-instance/1",
    "students": [
        {"id": 0, "langs": ["en", "de"], "faculty": 3, "interests": [14, 17], "arrival": 20},
        {"id": "s1", "langs": ["zh"], "faculty": None, "interests": [], "arrival": 1, "x": 1},
        {"id": 2, "langs": ["de"], "faculty": 3, "interests": [6], "arrival": 50},
    ],
    "buddies": [
        {"id": 0, "capacity": 2, "langs": ["en"], "faculty": 7, "interests": [6, 17],
         "avail_from": 47, "avail_to": 59},
        {"id": "b5", "capacity": 1, "langs": ["de"], "faculty": 3, "interests": ["6"],
         "avail_from": 10, "avail_to": 30},
    ],
}  # fmt: skip


def test_parse_instance_and_output():
    students, buddies = parse_instance(json.dumps(EXAMPLE))
    assert students[0] == Newcomer(0, ["en", "de"], 3, [14, 17], 20)
    assert buddies[1] == Buddy("b5", 1, ["de"], 3, ["6"], 10, 30)
    result = match(students, buddies)
    assert result.assignment == {0: 0, "s1": None, 2: "b5"}
    assert json.loads(dump_assignment(result.assignment)) == {"0": 0, "s1": None, "2": "b5"}


def broken(where: str, key: str, value):
    doc = json.loads(json.dumps(EXAMPLE))
    doc[where][1][key] = value
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("[1]", "expected a JSON object at the top level"),
        ("{", "not valid JSON"),
        (json.dumps({**EXAMPLE, "format": "buddy-instance/2"}), "format: expected"),
        (json.dumps({**EXAMPLE, "students": {}}), "students: expected a list of objects"),
        (broken("students", "langs", "zh"), "students[1].langs: expected a list of language codes"),
        (broken("students", "langs", [""]), "students[1].langs: expected a list of language codes"),
        (broken("students", "interests", [1.5]), "students[1].interests: expected a list of"),
        (broken("students", "arrival", "2025-01-01"), "students[1].arrival: expected a day number"),
        (broken("students", "arrival", True), "students[1].arrival: expected a day number"),
        (broken("students", "faculty", [3]), "students[1].faculty: expected an integer, a string"),
        (broken("students", "id", 0), "students[1].id: duplicate id 0"),
        (broken("students", "id", "0"), "students[1].id: duplicate id '0'"),
        (broken("students", "id", None), "students[1].id: expected an integer or a string"),
        (broken("buddies", "capacity", -1), "buddies[1].capacity: expected a non-negative integer"),
        (broken("buddies", "avail_to", 9), "buddies[1].avail_to: 9 is before avail_from 10"),
        (broken("buddies", "avail_from", "10"), "buddies[1].avail_from: expected a day number"),
    ],
)  # fmt: skip
def test_invalid_instances_name_the_field(data, message):
    with pytest.raises(InstanceError) as e:
        parse_instance(data)
    assert str(e.value).startswith(message)


def test_missing_field():
    doc = json.loads(json.dumps(EXAMPLE))
    del doc["buddies"][0]["capacity"]
    with pytest.raises(InstanceError, match=r"buddies\[0\]: missing field 'capacity'"):
        parse_instance(json.dumps(doc))
    doc["buddies"][0] = 7
    with pytest.raises(InstanceError, match=r"buddies\[0\]: expected an object"):
        parse_instance(json.dumps(doc))


def test_command_solves_a_file_without_a_database(tmp_path, capsys):
    instance, out = tmp_path / "instance.json", tmp_path / "out.json"
    instance.write_text(json.dumps(EXAMPLE))
    assert cli.main(["match-buddies", "--instance", str(instance), "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == {"0": 0, "s1": None, "2": "b5"}
    assert read_instance(str(instance))[0][2].arrival == 50

    instance.write_text(broken("students", "langs", "zh"))
    assert cli.main(["match-buddies", "--instance", str(instance), "--out", str(out)]) == 2
    assert "students[1].langs: expected a list of language codes" in capsys.readouterr().err
