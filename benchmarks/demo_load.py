"""Benchmark: how long ``intercampus demo --no-serve`` takes on a fresh SQLite database, and
again on the loaded one (which changes nothing).

Runs the real command in a subprocess with its own data directory, so migrations, the
demo's services and the hashing of the demo password are all counted. Prints the wall time
and the CPU time of each run next to the target: **the first load in at most 20 s of CPU
time** (on an idle machine wall time is about the same), the second run well under the
first. The target is in CPU time because on a busy machine wall time says more about the
neighbours than about the demo.

Run: ``.venv/bin/python benchmarks/demo_load.py``. Not part of the test suite.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_FIRST_LOAD_CPU_S = 20.0


def timed_run(data_dir: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one ``intercampus demo --no-serve``."""
    env = {**os.environ, "INTERCAMPUS_DATA_DIR": data_dir}
    env.pop("DATABASE_URL", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "intercampus.cli", "demo", "--no-serve", "--verbosity", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ic-demo-bench-") as data_dir:
        first = timed_run(data_dir)
        second = timed_run(data_dir)
    print(f"first load : {first[0]:6.1f} s wall, {first[1]:6.1f} s CPU", end="")
    print(f"   (target: at most {TARGET_FIRST_LOAD_CPU_S:.0f} s CPU)")
    print(f"second run : {second[0]:6.1f} s wall, {second[1]:6.1f} s CPU   (changes nothing)")


if __name__ == "__main__":
    main()
