"""The ``buddy-instance/1`` file: newcomers and buddies of one programme as JSON, for matching
without a database (``intercampus match-buddies --instance FILE --out FILE``)::

    {"format": "buddy-instance/1",
     "students": [{"id": 0, "langs": ["en", "de"], "faculty": 3, "interests": [14, 17],
                   "arrival": 20}],
     "buddies":  [{"id": 0, "capacity": 2, "langs": ["en"], "faculty": 7, "interests": [6, 17],
                   "avail_from": 47, "avail_to": 59}]}

``langs`` are the languages spoken at B1 or better; ``arrival``, ``avail_from`` and
``avail_to`` are day numbers (the window includes both ends), or null when not known (an
unknown day earns no availability points, as in the solver). Ids are integers or strings,
unique among the students and among the buddies; faculties and interests are integers or
strings, a faculty may be null. Everyone is in one programme and the default compatibility
applies. Other keys are ignored. The output is one JSON object ``{"<student id>": <buddy id
or null>}`` with every student, in the order of the file.
"""

from __future__ import annotations

import json
import sys

from intercampus.onboarding.matching import Buddy, Newcomer

FORMAT = "buddy-instance/1"
_INT32_MAX = 2**31 - 1


class InstanceError(ValueError):
    """An invalid instance; the message starts with where, e.g. ``students[3].langs: ...``."""


def read_instance(path: str) -> tuple[list[Newcomer], list[Buddy]]:
    """Read and validate an instance file, ``-`` for standard input."""
    if path == "-":
        return parse_instance(sys.stdin.buffer.read())
    with open(path, "rb") as f:
        return parse_instance(f.read())


def parse_instance(data: bytes | str) -> tuple[list[Newcomer], list[Buddy]]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise InstanceError(f"not valid JSON: {e}") from None
    except RecursionError:
        raise InstanceError("not valid JSON: nested too deeply") from None
    if not isinstance(doc, dict):
        raise InstanceError("expected a JSON object at the top level")
    if doc.get("format") != FORMAT:
        raise InstanceError(f"format: expected {FORMAT!r}, got {doc.get('format')!r}")
    students = [_newcomer(item, f"students[{i}]") for i, item in enumerate(_list(doc, "students"))]
    buddies = [_buddy(item, f"buddies[{i}]") for i, item in enumerate(_list(doc, "buddies"))]
    _unique(students, "students")
    _unique(buddies, "buddies")
    return students, buddies


def dump_assignment(assignment: dict) -> bytes:
    """``{"<student id>": <buddy id or null>}``: ids as JSON keys are strings, values keep
    their type."""
    return (json.dumps({str(k): v for k, v in assignment.items()}) + "\n").encode()


def write_assignment(assignment: dict, path: str) -> None:
    """Write the output file, ``-`` for standard output."""
    data = dump_assignment(assignment)
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    with open(path, "wb") as f:
        f.write(data)


def _list(doc: dict, name: str) -> list:
    items = doc.get(name)
    if not isinstance(items, list):
        raise InstanceError(f"{name}: expected a list of objects")
    return items


def _newcomer(item, where: str) -> Newcomer:
    _fields(item, where, ("id", "langs", "faculty", "interests", "arrival"))
    return Newcomer(
        id=_id(item["id"], f"{where}.id"),
        langs=_langs(item["langs"], f"{where}.langs"),
        faculty=_faculty(item["faculty"], f"{where}.faculty"),
        interests=_interests(item["interests"], f"{where}.interests"),
        arrival=_day(item["arrival"], f"{where}.arrival"),
    )


def _buddy(item, where: str) -> Buddy:
    fields = ("id", "capacity", "langs", "faculty", "interests", "avail_from", "avail_to")
    _fields(item, where, fields)
    capacity = item["capacity"]
    if not _is_int(capacity) or not 0 <= capacity <= _INT32_MAX:
        raise InstanceError(f"{where}.capacity: expected a non-negative integer up to {_INT32_MAX}")
    start = _day(item["avail_from"], f"{where}.avail_from")
    end = _day(item["avail_to"], f"{where}.avail_to")
    if start is not None and end is not None and end < start:
        raise InstanceError(f"{where}.avail_to: {end} is before avail_from {start}")
    return Buddy(
        id=_id(item["id"], f"{where}.id"),
        capacity=capacity,
        langs=_langs(item["langs"], f"{where}.langs"),
        faculty=_faculty(item["faculty"], f"{where}.faculty"),
        interests=_interests(item["interests"], f"{where}.interests"),
        avail_from=start,
        avail_to=end,
    )


def _fields(item, where: str, names: tuple) -> None:
    if not isinstance(item, dict):
        raise InstanceError(f"{where}: expected an object")
    for name in names:
        if name not in item:
            raise InstanceError(f"{where}: missing field {name!r}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _id(value, where: str):
    if not (_is_int(value) or isinstance(value, str)):
        raise InstanceError(f"{where}: expected an integer or a string")
    return value


def _langs(value, where: str) -> frozenset:
    if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
        raise InstanceError(f"{where}: expected a list of language codes")
    return frozenset(value)


def _faculty(value, where: str):
    if value is not None and not (_is_int(value) or isinstance(value, str)):
        raise InstanceError(f"{where}: expected an integer, a string or null")
    return value


def _interests(value, where: str) -> frozenset:
    if not isinstance(value, list) or not all(_is_int(x) or isinstance(x, str) for x in value):
        raise InstanceError(f"{where}: expected a list of interests (integers or strings)")
    return frozenset(value)


def _day(value, where: str) -> int | None:
    # Bounded: the solver computes distances between days in 64-bit integers.
    if value is not None and not (_is_int(value) and -_INT32_MAX <= value <= _INT32_MAX):
        raise InstanceError(
            f"{where}: expected a day number (an integer between {-_INT32_MAX} and "
            f"{_INT32_MAX}) or null"
        )
    return value


def _unique(items: list, name: str) -> None:
    """Unique as JSON keys too: 7 and "7" are the same student in the output."""
    seen: set = set()
    for i, item in enumerate(items):
        key = str(item.id)
        if key in seen:
            raise InstanceError(f"{name}[{i}].id: duplicate id {item.id!r}")
        seen.add(key)
