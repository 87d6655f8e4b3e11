"""ISCED-F 2013 fields of education (UNESCO), read from the vendored reference table.

IIAs v7 require four-digit ("detailed") codes; the broad (two-digit) and narrow
(three-digit) fields are used to group them in forms. The names are UNESCO's English names:
reference data, not interface text, so they are not translated here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "isced-f-2013.csv"


@dataclass(frozen=True)
class IscedField:
    code: str
    level: str  # "broad", "narrow" or "detailed"
    name: str

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


@cache
def _fields() -> dict[str, IscedField]:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        return {
            row["code"]: IscedField(code=row["code"], level=row["level"], name=row["name"])
            for row in rows
        }


def detailed_codes() -> list[IscedField]:
    """Every four-digit field, in code order."""
    return [f for f in _fields().values() if f.level == "detailed"]


def is_detailed_code(code: str) -> bool:
    """True for an existing four-digit ISCED-F 2013 code such as ``0714``."""
    field = _fields().get(code)
    return field is not None and field.level == "detailed"


def name_of(code: str) -> str:
    """The field's name, or "" for an unknown code."""
    field = _fields().get(code)
    return field.name if field else ""


def label_of(code: str) -> str:
    """``0714 Electronics and automation``, or the code alone when it is unknown."""
    name = name_of(code)
    return f"{code} {name}" if name else code


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Four-digit codes grouped by broad field, as optgroups for a ``<select>``."""
    fields = _fields()
    groups: dict[str, list[tuple[str, str]]] = {}
    for field in detailed_codes():
        broad = fields.get(field.code[:2])
        heading = broad.label if broad else field.code[:2]
        groups.setdefault(heading, []).append((field.code, field.label))
    return list(groups.items())
