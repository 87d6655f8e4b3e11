"""The placement allocation: properties on random instances (hypothesis), a brute force over
all stable matchings on tiny ones, and examples. No database."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intercampus.mobility import allocation
from intercampus.mobility.allocation import (
    ALGORITHM_VERSION,
    Applicant,
    InputError,
    Place,
    Reason,
    allocate,
    reallocate,
)
from intercampus.mobility.instance import FORMAT, _int_lists, parse_instance, read_instance

TAGS = ["lang:es", "lang:cs", "lang:de"]

# --- random instances ------------------------------------------------------------------


@st.composite
def instances(draw, max_applicants=8, max_places=4) -> dict:
    """An alloc-instance/1 document. Small score ranges make ties (and so tiebreaks) common;
    prefs may name unknown places and repeat themselves; ids mix integers and strings."""
    any_id = st.one_of(st.integers(0, 3 * max_applicants), st.text("xyz", min_size=1, max_size=6))
    place_ids = draw(st.lists(any_id, max_size=max_places, unique=True))
    n = draw(st.integers(0, max_applicants))
    app_ids = draw(st.lists(any_id, min_size=n, max_size=n, unique_by=str))
    tiebreaks = draw(st.permutations(range(n)))
    choices = st.sampled_from([*place_ids, 99, "nowhere"])
    applicants = []
    for i, app_id in enumerate(app_ids):
        applicant = {"id": app_id, "score": draw(st.integers(0, 6)), "tiebreak": tiebreaks[i]}
        applicant["prefs"] = draw(st.lists(choices, max_size=len(place_ids) + 1))
        if draw(st.booleans()):
            applicant["tags"] = draw(st.lists(st.sampled_from(TAGS), max_size=3))
        applicants.append(applicant)
    places = [draw(_places(place_id, app_ids)) for place_id in place_ids]
    return {"format": FORMAT, "applicants": applicants, "places": places}


@st.composite
def _places(draw, place_id, app_ids) -> dict:
    place = {"id": place_id, "capacity": draw(st.integers(0, 3))}
    if draw(st.integers(0, 3)) == 0:  # an explicit ranking, perhaps with strangers and repeats
        place["ranking"] = draw(st.lists(st.sampled_from([*app_ids, "stranger"])))
        return place
    if draw(st.booleans()):
        place["min_score"] = draw(st.integers(0, 6))
    if draw(st.booleans()):
        points = st.one_of(st.integers(0, 3), st.sampled_from([0.5, 1.25]))
        place["bonus"] = draw(st.dictionaries(st.sampled_from(TAGS), points, max_size=2))
    return place


def as_dataclasses(doc: dict) -> tuple[list[Applicant], list[Place]]:
    applicants = [
        Applicant(a["id"], a["score"], a["tiebreak"], a["prefs"], a.get("tags") or ())
        for a in doc["applicants"]
    ]
    places = [
        Place(p["id"], p["capacity"], p.get("min_score"), p.get("bonus") or {}, p.get("ranking"))
        for p in doc["places"]
    ]
    return applicants, places


def solve_doc(doc: dict, fixed=None) -> dict:
    """Through the instance file path and through the dataclass API: both must agree."""
    from_file = allocation.solve(parse_instance(json.dumps(doc)), fixed).assignment
    from_api = reallocate(*as_dataclasses(doc), fixed or {}).assignment
    assert from_file == from_api
    return from_file


# --- an independent statement of the rules -----------------------------------------------


class Rules:
    """The allocation rules written plainly, to check results against."""

    def __init__(self, doc: dict):
        self.apps = {a["id"]: a for a in doc["applicants"]}
        self.places = {p["id"]: p for p in doc["places"]}

    def prefs(self, a) -> list:
        """Known places, first mentions, best first."""
        seen = []
        for p in self.apps[a]["prefs"]:
            if p in self.places and not any(q == p and type(q) is type(p) for q in seen):
                seen.append(p)
        return seen

    def rank(self, a, p):
        """How place p ranks applicant a (higher is better), None if unacceptable."""
        place, app = self.places[p], self.apps[a]
        if "ranking" in place:
            ranking = place["ranking"]
            return (-ranking.index(a), 0) if a in ranking else None
        tags = set(app.get("tags") or ())
        key = app["score"] + sum(v for t, v in (place.get("bonus") or {}).items() if t in tags)
        if key < place.get("min_score", float("-inf")):
            return None
        return (key, -app["tiebreak"])

    def choice_index(self, a, p) -> int:
        """Position of p in a's prefs; unplaced is worse than any choice."""
        return len(self.prefs(a)) if p is None else self.prefs(a).index(p)

    def blocking_pairs(self, matching: dict, seats: dict | None = None, among=None) -> list:
        seats = seats or {p: place["capacity"] for p, place in self.places.items()}
        admitted = {p: [a for a in matching if matching[a] == p] for p in self.places}
        pairs = []
        for a in among if among is not None else self.apps:
            for p in self.prefs(a)[: self.choice_index(a, matching[a])]:
                mine = self.rank(a, p)
                if mine is None or seats[p] <= 0:
                    continue
                if len(admitted[p]) < seats[p] or any(self.rank(b, p) < mine for b in admitted[p]):
                    pairs.append((a, p))
        return pairs

    def is_feasible(self, matching: dict, seats: dict | None = None) -> bool:
        seats = seats or {p: place["capacity"] for p, place in self.places.items()}
        for p in self.places:
            if sum(1 for q in matching.values() if q == p and type(q) is type(p)) > seats[p]:
                return False
        return all(
            p is None or (p in self.prefs(a) and self.rank(a, p) is not None)
            for a, p in matching.items()
        )


# --- properties --------------------------------------------------------------------------

SMALL = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SMALL
@given(instances())
def test_every_applicant_is_placed_acceptably_within_capacity_and_stably(doc):
    matching = solve_doc(doc)
    rules = Rules(doc)
    assert list(matching) == [a["id"] for a in doc["applicants"]]
    assert rules.is_feasible(matching)
    assert rules.blocking_pairs(matching) == []


@settings(max_examples=300, deadline=None)
@given(instances(max_applicants=5, max_places=3))
def test_the_result_is_the_student_optimal_stable_matching(doc):
    rules = Rules(doc)
    apps = list(rules.apps)
    stable = []
    for places in product(*[[None, *rules.prefs(a)] for a in apps]):
        matching = dict(zip(apps, places, strict=True))
        if rules.is_feasible(matching) and not rules.blocking_pairs(matching):
            stable.append(matching)
    ours = solve_doc(doc)
    assert ours in stable
    for other in stable:  # every applicant likes ours at least as well as any stable one
        assert all(rules.choice_index(a, ours[a]) <= rules.choice_index(a, other[a]) for a in apps)


@SMALL
@given(instances(), st.randoms(use_true_random=False))
def test_the_result_depends_on_neither_run_nor_order_of_the_file(doc, rnd):
    first = solve_doc(doc)
    assert solve_doc(doc) == first
    shuffled = dict(doc, applicants=doc["applicants"][:], places=doc["places"][:])
    rnd.shuffle(shuffled["applicants"])
    rnd.shuffle(shuffled["places"])
    assert solve_doc(shuffled) == first


@settings(max_examples=60, deadline=None)
@given(instances(max_applicants=300, max_places=40))
def test_vectorised_rounds_and_sequential_proposals_agree(doc):
    # Small calls never reach the vectorised rounds unless told to.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(allocation, "_SEQUENTIAL_BELOW", 0)
        rounds = solve_doc(doc)
        mp.setattr(allocation, "_SEQUENTIAL_BELOW", 10**9)
        one_by_one = solve_doc(doc)
    assert rounds == one_by_one
    assert Rules(doc).blocking_pairs(rounds) == []


@SMALL
@given(instances(), st.data())
def test_reallocation_keeps_fixed_applicants_and_is_stable_for_the_others(doc, data):
    rules = Rules(doc)
    first = solve_doc(doc)
    placed = [a for a, p in first.items() if p is not None]
    kept = data.draw(st.lists(st.sampled_from(placed), unique=True)) if placed else []
    fixed = {a: first[a] for a in kept}
    again = solve_doc(doc, fixed)
    assert all(again[a] == p for a, p in fixed.items())
    seats = {p: place["capacity"] for p, place in rules.places.items()}
    for p in fixed.values():
        seats[p] -= 1
    others = {a: p for a, p in again.items() if a not in fixed}
    assert rules.is_feasible(others, seats)
    assert rules.blocking_pairs(others, seats, among=others) == []


# --- examples ----------------------------------------------------------------------------


def test_with_one_common_ranking_each_in_order_of_score_gets_the_best_choice_left():
    rnd = random.Random(7)
    places = [Place(p, rnd.randint(0, 3)) for p in range(12)]
    applicants = [
        Applicant(
            i,
            rnd.randint(0, 20),
            tiebreak=rnd.randrange(10**6) * 100 + i,
            prefs=rnd.sample(range(14), rnd.randint(0, 6)),
        )
        for i in range(200)
    ]
    seats = {p.id: p.capacity for p in places}
    expected = {}
    for a in sorted(applicants, key=lambda a: (-a.score, a.tiebreak)):
        expected[a.id] = next((p for p in a.prefs if seats.get(p, 0) > 0), None)
        if expected[a.id] is not None:
            seats[expected[a.id]] -= 1
    assert allocate(applicants, places).assignment == expected


def test_a_place_with_a_ranking_admits_in_its_order_and_nobody_else():
    applicants = [Applicant(i, score=100 - i, tiebreak=i, prefs=["lab"]) for i in range(4)]
    places = [Place("lab", capacity=2, min_score=1000, ranking=[3, 1, 99, 3])]
    result = allocate(applicants, places)
    assert result.assignment == {0: None, 1: "lab", 2: None, 3: "lab"}
    assert result.cutoffs == {"lab": 2}  # the position of applicant 1
    assert result.explain(0) == [Reason("lab", None, 2, True, "not_ranked")]


def test_bonuses_min_scores_and_explanations():
    places = [
        Place(1, capacity=1, bonus={"lang:cs": 30}),
        Place(2, capacity=1, min_score=90),
        Place(3, capacity=5),
    ]
    applicants = [
        Applicant("ana", 80, tiebreak=2, prefs=[1, 2, 3]),
        Applicant("bo", 60, tiebreak=1, prefs=[1, 3], tags=["lang:cs", "lang:cs"]),
        Applicant("cy", 60, tiebreak=3, prefs=[2, 3], tags=["lang:cs"]),
        Applicant("di", 80, tiebreak=0, prefs=[3, 1]),
    ]
    result = allocate(applicants, places)
    assert result.algorithm_version == ALGORITHM_VERSION
    assert result.assignment == {"ana": 3, "bo": 1, "cy": 3, "di": 3}
    assert result.cutoffs == {1: 90, 2: None, 3: 60}
    assert result.explain("ana") == [
        Reason(1, 80, 90, False, "below_cutoff"),
        Reason(2, 80, None, False, "below_min_score"),
    ]
    assert result.explain("bo") == []
    assert result.explain("di") == []


def test_a_lost_tiebreak_is_named():
    applicants = [Applicant(a, 50, tiebreak=t, prefs=["p"]) for a, t in (("x", 2), ("y", 1))]
    result = allocate(applicants, [Place("p", capacity=1)])
    assert result.assignment == {"x": None, "y": "p"}
    assert result.explain("x") == [Reason("p", 50, 50, False, "lost_tiebreak")]


def test_reallocation_fills_a_declined_seat_without_moving_anyone():
    applicants = [Applicant(i, 10 - i, tiebreak=i, prefs=["a", "b"]) for i in range(4)]
    places = [Place("a", 1), Place("b", 2)]
    first = allocate(applicants, places)
    assert first.assignment == {0: "a", 1: "b", 2: "b", 3: None}
    # 0 declined (out of the call), 1 and 2 accepted: 1 keeps "b" although "a" is free now.
    result = reallocate(applicants[1:], places, fixed={1: "b", 2: "b"})
    assert result.assignment == {1: "b", 2: "b", 3: "a"}
    assert result.explain(1) == []
    assert result.explain(3) == []


def test_reallocation_refuses_more_fixed_applicants_than_seats():
    applicants = [Applicant(i, 1, tiebreak=i, prefs=["a"]) for i in range(2)]
    with pytest.raises(InputError, match="2 applicants fixed at place 'a', which has 1 seats"):
        reallocate(applicants, [Place("a", 1)], fixed={0: "a", 1: "a"})


def doc_with(applicants: list, places: list | dict | None = None, **extra) -> str:
    places = [] if places is None else places
    return json.dumps({"format": FORMAT, "applicants": applicants, "places": places, **extra})


APP = {"id": 1, "score": 5, "tiebreak": 1, "prefs": [7]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "expected a JSON object with format, applicants and places"),
        (json.dumps({"format": "alloc-instance/0", "applicants": 3}), "format: expected"),
        (doc_with([dict(APP, prefs="7")]), "applicants[0].prefs: expected a list of place ids"),
        (doc_with([APP, dict(APP, id=2, prefs=[7, 1.5])]), "applicants[1].prefs: expected a"),
        (
            doc_with([APP, {"id": 2, "score": 5, "prefs": []}]),
            "applicants[1]: missing required field 'tiebreak'",
        ),
        (doc_with([dict(APP, score="5")]), "applicants[0].score: expected a number"),
        (doc_with([dict(APP, score=True)]), "applicants[0].score: expected a number"),
        (doc_with([dict(APP, tags="lang:es")]), "applicants[0].tags: expected a list of strings"),
        (doc_with([APP, dict(APP, tiebreak=2)]), "applicants[1].id: id 1 already used by"),
        (doc_with([APP, dict(APP, id="1", tiebreak=2)]), "applicants[1].id: JSON key '1'"),
        (doc_with([APP, dict(APP, id=2)]), "applicants[1].tiebreak: tiebreak 1 already used"),
        (doc_with([], [{"id": 7}]), "places[0]: missing required field 'capacity'"),
        (doc_with([], [{"id": 7, "capacity": -1}]), "places[0].capacity: -1 is not between"),
        (
            doc_with([], [{"id": 7, "capacity": 1}, {"id": 7, "capacity": 2}]),
            "places[1].id: id 7 already used by places[0].id",
        ),
        (
            doc_with([], [{"id": 7, "capacity": 1, "bonus": {"x": "y"}}]),
            "places[0].bonus: expected an object of tag: points",
        ),
        (doc_with([], [{"id": [7], "capacity": 1}]), "places[0].id: expected an integer or"),
        (doc_with([], {}), "places: expected a list of objects"),
    ],
)
def test_bad_instance_files_are_refused_with_the_place_of_the_error(text, message):
    with pytest.raises(InputError) as error:
        allocation.solve(parse_instance(text))
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("raws", "expected"),
    [
        ([b"[1,-2]", b"[]", b"[30]"], ([2, 0, 1], [1, -2, 30])),
        ([b"[ 1 ,\n 2 ]", b"[ ]"], ([2, 0], [1, 2])),
        ([], ([], [])),
        ([b"[[1]]"], None),  # nested
        ([b"5", b"[1]"], None),  # not a list
        ([b'["5"]'], None),  # strings go the exact way
        ([b"[1.5]"], None),
        ([b"[99999999999999999999]"], None),  # beyond 64 bits
    ],
)
def test_ranked_choices_are_parsed_in_bulk_only_when_all_are_integer_lists(raws, expected):
    parsed = _int_lists(b"".join(raws), len(raws))
    if expected is None:
        assert parsed is None
    else:
        assert [x.tolist() for x in parsed] == list(expected)


def test_an_instance_file_keeps_id_types_and_ignores_what_it_does_not_know(tmp_path):
    path = tmp_path / "call.json"
    applicants = [dict(APP, id="s-1", note="hi"), dict(APP, id=2, tiebreak=2, prefs=["x", 7, 7])]
    places = [{"id": 7, "capacity": 1, "host": "KTH"}]
    path.write_text(doc_with(applicants, places, comment="ignored"))
    result = allocation.solve(read_instance(str(path)))
    assert result.assignment == {"s-1": 7, 2: None}
    assert result.explain(2) == [Reason(7, 5, 5, False, "lost_tiebreak")]


def test_the_command_writes_every_applicant_without_starting_django(tmp_path):
    instance, out = tmp_path / "call.json", tmp_path / "out.json"
    applicants = [APP, dict(APP, id="b", tiebreak=0), dict(APP, id=3, tiebreak=5, prefs=[])]
    instance.write_text(doc_with(applicants, [{"id": 7, "capacity": 1}]))
    script = (
        "import sys; from intercampus.cli import main; code = main(sys.argv[1:]); "
        "print('django' in sys.modules); sys.exit(code)"
    )
    args = ["allocate", "--instance", str(instance), "--out", str(out)]
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "False", "")
    assert json.loads(out.read_text()) == {"1": None, "b": 7, "3": None}

    instance.write_text(doc_with([dict(APP, prefs={"7": 1})]))
    out.unlink()
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True)
    assert done.returncode == 2
    assert "applicants[0].prefs: expected a list of place ids" in done.stderr
    assert not out.exists()


def test_the_command_reads_standard_input_and_writes_standard_output():
    command = [sys.executable, "-m", "intercampus.cli", "allocate", "--instance", "-"]
    text = doc_with([APP], [{"id": 7, "capacity": 1}])
    done = subprocess.run([*command, "--out", "-"], input=text, capture_output=True, text=True)
    assert (done.returncode, json.loads(done.stdout)) == (0, {"1": 7})
