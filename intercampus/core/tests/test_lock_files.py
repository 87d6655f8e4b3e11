"""A fresh machine installs exactly the versions CI tested: every dependency of
pyproject.toml is pinned in the lock files (`make lock` renews them)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[3]


def pinned(lock: str) -> dict[str, str]:
    text = (PROJECT_DIR / "requirements" / lock).read_text()
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.MULTILINE))


def names(requirements: list[str]) -> list[str]:
    return [
        re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements
    ]


PROJECT = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("base.txt", PROJECT["dependencies"]),
        ("test.txt", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]),
    ],
)
def test_every_dependency_is_pinned(lock, requirements):
    locked = {name.lower().replace("_", "-") for name in pinned(lock)}
    missing = [name for name in names(requirements) if name not in locked]
    assert not missing, f"not in requirements/{lock}: {missing}; run make lock"


def test_the_test_lock_keeps_the_runtime_versions():
    base, test = pinned("base.txt"), pinned("test.txt")
    differ = {name: (v, test.get(name)) for name, v in base.items() if test.get(name) != v}
    assert not differ, differ
