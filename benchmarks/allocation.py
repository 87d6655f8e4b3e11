"""Benchmark of the placement allocation (``intercampus allocate --instance``).

1. Times the real command on a generated call of 100,000 applicants (~450,000 ranked
   choices, 11,000 places) against the target of 0.5 s median, reading and writing included.
2. Solves a 10,000-applicant call with our solver and with the PyPI ``matching`` package
   (``HospitalResident``, resident-optimal), checks that both give the same matching and
   compares their times.

Run: ``.venv/bin/python benchmarks/allocation.py [--quick]``. Needs the "bench" extra
(``pip install -e '.[bench]'``). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import msgspec
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intercampus.mobility import allocation  # noqa: E402
from intercampus.mobility.instance import parse_instance  # noqa: E402

COMMAND = ROOT / ".venv" / "bin" / "intercampus"
TARGET_S = 0.5
TAGS = ["lang:es", "lang:cs", "lang:de", "lang:fr", "lang:it", "lang:sv", "lang:ru", "lang:pt"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller instances, 3 runs")
    quick = parser.parse_args().quick
    big, small, runs = (20_000, 2_000, 3) if quick else (100_000, 10_000, 7)
    print(f"Placement allocation, {allocation.ALGORITHM_VERSION}{' (quick)' if quick else ''}")
    print()
    time_the_command(generate(big, big * 11 // 100), runs)
    print()
    if importlib.util.find_spec("matching") is None:
        print("Comparison with the matching package skipped: pip install -e '.[bench]' first.")
        return
    compare_with_matching(generate(small, small * 11 // 100, seed=7))


def time_the_command(doc: dict, runs: int) -> None:
    """The real console script, reading and writing files, as a user runs it."""
    with tempfile.TemporaryDirectory() as tmp:
        instance, out = Path(tmp) / "instance.json", Path(tmp) / "out.json"
        instance.write_bytes(msgspec.json.encode(doc))
        command = [str(COMMAND), "allocate", "--instance", str(instance), "--out", str(out)]
        # As users run it: Python caches compiled modules, which PYTHONDONTWRITEBYTECODE (set
        # by some tools) would forbid; the untimed first run writes those caches.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run(command, check=True, env=env)
        times, cpu = [], []
        for _ in range(runs):
            before = _children_cpu()
            start = time.perf_counter()
            subprocess.run(command, check=True, env=env)
            times.append(time.perf_counter() - start)
            cpu.append(_children_cpu() - before)
        expected = allocation.solve(parse_instance(instance.read_bytes())).assignment
        written = msgspec.json.decode(out.read_bytes())
        same = written == {str(a): p for a, p in expected.items()}
        size = instance.stat().st_size / 1e6
    n_prefs = sum(len(a["prefs"]) for a in doc["applicants"])
    seats = sum(p["capacity"] for p in doc["places"])
    placed = sum(p is not None for p in written.values())
    print(
        f"intercampus allocate --instance F --out G: {len(doc['applicants']):,} applicants, "
        f"{n_prefs:,} choices, {len(doc['places']):,} places, {seats:,} seats "
        f"({size:.1f} MB); {placed:,} placed"
    )
    median = statistics.median(times)
    verdict = "ok" if median <= TARGET_S else "TOO SLOW"
    row = [str(runs), f"{median:.3f} s", f"{min(times):.3f} s", f"<= {TARGET_S} s", verdict]
    print(_table(["runs", "median", "min", "target", ""], [row]))
    print(
        f"  CPU time (user + system), median: {statistics.median(cpu):.3f} s; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (others' work slows the wall time)"
    )
    print(f"output identical to the in-process solver: {'yes' if same else 'NO'}")


def compare_with_matching(doc: dict) -> None:
    """Our solver against matching's HospitalResident (resident-optimal) on the same call."""
    applicants = [
        allocation.Applicant(a["id"], a["score"], a["tiebreak"], a["prefs"], a.get("tags", ()))
        for a in doc["applicants"]
    ]
    places = [
        allocation.Place(p["id"], p["capacity"], p.get("min_score"), p.get("bonus", {}))
        for p in doc["places"]
    ]
    start = time.perf_counter()
    ours = allocation.allocate(applicants, places).assignment
    t_ours = time.perf_counter() - start
    (t_build, t_solve), theirs = _in_a_deep_stack(lambda: solve_with_matching(doc, list(ours)))

    print(
        f"{len(applicants):,} applicants, {len(places):,} places: "
        f"our solver and matching {_version('matching')} (HospitalResident)"
    )
    rows = [
        ["ours: allocate()", f"{t_ours:.3f} s", "1"],
        ["matching: solve(optimal='resident')", f"{t_solve:.3f} s", f"{t_solve / t_ours:.0f}"],
        ["matching: building the game", f"{t_build:.3f} s", f"{t_build / t_ours:.0f}"],
    ]
    print(_table(["solver", "time", "x ours"], rows))
    print(f"same matching: {'yes' if theirs == ours else 'NO'}")


def solve_with_matching(doc: dict, app_ids: list) -> tuple[tuple[float, float], dict]:
    from matching.games import HospitalResident

    resident_prefs, hospital_prefs, capacities = hr_preferences(doc)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns about players nobody ranks
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
    t_build = time.perf_counter() - start
    start = time.perf_counter()
    solution = game.solve(optimal="resident")
    t_solve = time.perf_counter() - start
    theirs = dict.fromkeys(app_ids)
    for hospital, residents in solution.items():
        theirs.update((r.name, hospital.name) for r in residents)
    return (t_build, t_solve), theirs


def _in_a_deep_stack(task):
    """HospitalResident deep-copies its players, which recurses along the whole preference
    graph: far deeper than Python's default limit and stack allow at 10,000 applicants."""
    results = []
    limit = sys.getrecursionlimit()
    threading.stack_size(1 << 29)
    sys.setrecursionlimit(1_000_000)
    try:
        worker = threading.Thread(target=lambda: results.append(task()))
        worker.start()
        worker.join()
    finally:
        sys.setrecursionlimit(limit)
    return results[0]


def hr_preferences(doc: dict) -> tuple[dict, dict, dict]:
    """matching's input from the same call: each applicant's acceptable places, best first;
    each place's acceptable applicants (among those who rank it), best key first."""
    places = {p["id"]: p for p in doc["places"]}
    applicant_prefs, ranked_by = {}, {p: [] for p in places}
    for a in doc["applicants"]:
        acceptable = []
        for p in dict.fromkeys(a["prefs"]):
            place = places.get(p)
            if place is None or place["capacity"] < 1:
                continue
            bonus = place.get("bonus", {})
            key = a["score"] + sum(bonus.get(t, 0) for t in set(a.get("tags", ())))
            if key >= place.get("min_score", key):
                acceptable.append(p)
                ranked_by[p].append((-key, a["tiebreak"], a["id"]))
        if acceptable:
            applicant_prefs[a["id"]] = acceptable
    hospital_prefs = {p: [a for *_, a in sorted(r)] for p, r in ranked_by.items() if r}
    return applicant_prefs, hospital_prefs, {p: places[p]["capacity"] for p in hospital_prefs}


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join("  " + line for line in lines)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def generate(n_applicants: int, n_places: int, seed: int = 20240601) -> dict:
    """A seeded call that looks like a real one: popular places are ranked often (Zipf-like),
    seats fall somewhat short of demand, scores cluster, some languages earn bonuses."""
    rng = np.random.default_rng(seed)
    place_ids = (rng.permutation(n_places * 3)[:n_places] + 1).tolist()
    popularity = 1.0 / np.arange(1, n_places + 1) ** 0.8
    popularity = rng.permutation(popularity / popularity.sum())
    # 1..20 seats, skewed to small numbers: ~0.8 seat per applicant in all.
    capacity = np.clip(np.round(rng.gamma(2.0, 3.6, n_places)), 1, 20).astype(int)
    scale = n_applicants / n_places / 9.1
    capacity = np.clip(np.round(capacity * scale), 1, 20).astype(int).tolist()
    places = []
    for i, pid in enumerate(place_ids):
        place = {"id": pid, "capacity": capacity[i]}
        if rng.random() < 0.2:
            chosen = rng.choice(len(TAGS), size=rng.integers(1, 3), replace=False)
            place["bonus"] = {TAGS[t]: int(rng.integers(1, 6)) * 10 for t in chosen}
        if rng.random() < 0.05:
            place["min_score"] = int(rng.integers(400, 700))
        places.append(place)
    return {
        "format": "alloc-instance/1",
        "applicants": _applicants(rng, n_applicants, place_ids, popularity),
        "places": places,
    }


def _applicants(rng, n: int, place_ids: list, popularity) -> list[dict]:
    lengths = rng.integers(1, 9, n)  # 1..8 choices, mean 4.5
    draws = rng.choice(len(place_ids), size=(n, 16), p=popularity)
    scores = np.clip(np.round(rng.normal(600, 120, n)), 0, 1000).astype(int).tolist()
    tiebreaks = rng.permutation(n * 10)[:n].tolist()
    tag_draws = rng.random(n)
    applicants = []
    for i in range(n):
        prefs = list(dict.fromkeys(draws[i].tolist()))[: lengths[i]]
        applicant = {
            "id": i,
            "score": scores[i],
            "tiebreak": tiebreaks[i],
            "prefs": [place_ids[j] for j in prefs],
        }
        if tag_draws[i] < 0.3:
            applicant["tags"] = [TAGS[int(tag_draws[i] * 1000) % len(TAGS)]]
        applicants.append(applicant)
    return applicants


if __name__ == "__main__":
    main()
