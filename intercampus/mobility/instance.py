"""The ``alloc-instance/1`` file: a call's applicants and places as JSON, for allocating
without a database (``intercampus allocate --instance FILE --out FILE``)::

    {"format": "alloc-instance/1",
     "applicants": [{"id": 0, "score": 324, "tiebreak": 9062, "prefs": [441, 885, 34],
                     "tags": ["lang:es"]}],
     "places": [{"id": 441, "capacity": 6, "min_score": 350, "bonus": {"lang:cs": 30}}]}

Ids are integers or strings. ``tags``, ``min_score``, ``bonus`` and ``ranking`` (applicant
ids, best first) are optional; other keys are ignored. The output is one JSON object
``{"<applicant id>": <place id or null>}`` with every applicant.

Speed matters (100,000 applicants in well under a second, see benchmarks/allocation.py):
msgspec decodes straight into typed records, checking types on the way, at a fraction of
orjson's time plus separate checks, and its errors carry the path. Ranked choices, most of
the file, are not turned into 450,000 Python objects: they are kept as raw JSON and, when
they are all lists of integers (the usual case), parsed in bulk by numpy.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Sequence

import msgspec
import numpy as np

from intercampus.mobility.allocation import Columns, InputError

FORMAT = "alloc-instance/1"

Id = int | str


# gc=False: records hold no cycles, and the collector need not track 100,000 of them.
class _Applicant(msgspec.Struct, gc=False):
    id: Id
    score: int | float
    tiebreak: int
    prefs: msgspec.Raw  # checked and parsed by _prefs
    tags: list[str] | None = None


class _Place(msgspec.Struct, gc=False):
    id: Id
    capacity: int
    min_score: int | float | None = None
    bonus: dict[str, int | float] | None = None
    ranking: list[Id] | None = None


class _Instance(msgspec.Struct, gc=False):
    format: str
    applicants: list[_Applicant]
    places: list[_Place]


class _Head(msgspec.Struct):
    format: object = None


_decoder = msgspec.json.Decoder(_Instance)

# msgspec, like json, decodes nested arrays by recursion: a few thousand levels exhaust it.
_TOO_DEEP = "not valid JSON: nested too deeply"

_EXPECTED = {
    "id": "expected an integer or a string",
    "score": "expected a number",
    "min_score": "expected a number",
    "tiebreak": "expected an integer",
    "capacity": "expected an integer",
    "prefs": "expected a list of place ids",
    "tags": "expected a list of strings",
    "bonus": "expected an object of tag: points",
    "ranking": "expected a list of applicant ids",
    "applicants": "expected a list of objects",
    "places": "expected a list of objects",
    "format": f"expected {FORMAT!r}",
}


def read_instance(path: str) -> Columns:
    """Read and parse an instance file, ``-`` for standard input."""
    if path == "-":
        return parse_instance(sys.stdin.buffer.read())
    with open(path, "rb") as f:
        return parse_instance(f.read())


def parse_instance(data: bytes | str) -> Columns:
    """The instance as columns, types checked; uniqueness is checked when it is solved."""
    try:
        doc = _decoder.decode(data)
    except msgspec.ValidationError as e:
        _check_format_first(data)  # a wrong format tag explains the rest
        raise InputError(_describe(str(e))) from None
    except msgspec.DecodeError as e:
        raise InputError(f"not valid JSON: {e}") from None
    except RecursionError:
        raise InputError(_TOO_DEEP) from None
    _check_format(doc)
    apps, places = doc.applicants, doc.places
    prefs, pref_arrays = _prefs([a.prefs for a in apps])
    return Columns(
        app_ids=[a.id for a in apps],
        scores=[a.score for a in apps],
        tiebreaks=[a.tiebreak for a in apps],
        prefs=prefs,
        tags=[a.tags for a in apps],
        place_ids=[p.id for p in places],
        capacity=[p.capacity for p in places],
        min_score=[p.min_score for p in places],
        bonus=[p.bonus for p in places],
        ranking=[p.ranking for p in places],
        typed=True,
        pref_arrays=pref_arrays,
    )


class _LazyPrefs(Sequence):
    """Each applicant's prefs, decoded from its raw JSON when asked for (explanations)."""

    def __init__(self, raws: list[msgspec.Raw]):
        self._raws = raws

    def __len__(self) -> int:
        return len(self._raws)

    def __getitem__(self, i):
        return _decode_prefs(self._raws[i], i)


def _prefs(raws: list[msgspec.Raw]) -> tuple[Sequence, tuple | None]:
    """The prefs column, plus (lengths, ids) arrays when all prefs are lists of integers."""
    arrays = _int_lists(b"".join(raws), len(raws))
    if arrays is not None:
        return _LazyPrefs(raws), arrays
    return [_decode_prefs(raw, i) for i, raw in enumerate(raws)], None


def _decode_prefs(raw: msgspec.Raw, i: int) -> list:
    try:
        return msgspec.json.decode(raw, type=list[Id])
    except RecursionError:
        raise InputError(f"applicants[{i}].prefs: {_TOO_DEEP}") from None
    except msgspec.ValidationError as e:
        message = str(e).replace(" - at `$", f" - at `$.applicants[{i}].prefs")
        if " - at `$" not in message:
            message += f" - at `$.applicants[{i}].prefs`"
        raise InputError(_describe(message)) from None


_CLOSE_TO_COMMA = bytes.maketrans(b"]", b",")


def _int_lists(blob: bytes, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Parse ``n`` concatenated JSON values, each valid JSON (msgspec checked), as lists of
    integers: (length of each list, all the integers). None if they are anything else."""
    if any(space in blob for space in (b" ", b"\t", b"\n", b"\r")):  # rare: costs a copy
        blob = blob.translate(None, b" \t\n\r")  # no strings, so no whitespace that matters
    if blob.translate(None, b"0123456789-,[]"):
        return None  # strings, floats, objects, null...
    b = np.frombuffer(blob, dtype=np.uint8)
    opens, closes = np.flatnonzero(b == ord("[")), np.flatnonzero(b == ord("]"))
    # Exactly n lists, none nested: brackets alternate, one pair per value.
    if not (len(opens) == len(closes) == n and (opens < closes).all()):
        return None
    if n > 1 and not (closes[:-1] < opens[1:]).all():
        return None
    commas = np.flatnonzero(b == ord(","))
    lengths = np.diff(np.searchsorted(commas, closes), prepend=0) + 1
    lengths[closes - opens == 1] = 0  # "[]"
    # "[1,2][][3]" -> "1,2,3,": valid JSON leaves no empty field, which fromstring reads as 0.
    text = blob.replace(b"[]", b"").translate(_CLOSE_TO_COMMA, b"[")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not read to the end: an error, not a warning
        try:
            ids = np.fromstring(text, dtype=np.int64, sep=",")
        except (ValueError, DeprecationWarning):
            return None
    # fromstring saturates on overflow: leave such ids to the exact path.
    extreme = (ids == np.iinfo(np.int64).max) | (ids == np.iinfo(np.int64).min)
    if len(ids) != lengths.sum() or extreme.any():
        return None
    return lengths, ids


def _check_format_first(data: bytes | str) -> None:
    try:
        head = msgspec.json.decode(data, type=_Head)
    except (msgspec.ValidationError, RecursionError):
        return  # not even an object, or too deep: the full error says so
    _check_format(head)


def _check_format(doc: _Instance | _Head) -> None:
    if doc.format != FORMAT:
        got = "nothing" if doc.format is None else repr(doc.format)
        raise InputError(f"format: expected {FORMAT!r}, got {got}")


def _describe(message: str) -> str:
    """msgspec's "Expected `int`, got `str` - at `$.applicants[3].prefs[1]`" in our words:
    "applicants[3].prefs: expected a list of place ids (got str at prefs[1])"."""
    what, _, path = message.partition(" - at `$")
    path = path.rstrip("`").lstrip(".")
    if not path:
        return "expected a JSON object with format, applicants and places"
    missing = re.fullmatch(r"Object missing required field `(\w+)`", what)
    if missing:
        return f"{path}: missing required field {missing[1]!r}"
    field = re.fullmatch(r"(.*?)(\w+)((?:\[[^\]]*\])*)", path)
    if field is None or field[2] not in _EXPECTED:
        return f"{path}: {what[:1].lower()}{what[1:]}"
    got = re.search(r"got `(\w+)`", what)
    detail = f"got {got[1]}" if got else what[:1].lower() + what[1:]
    if field[3] and field[2] in ("applicants", "places"):
        return f"{path}: expected an object, {detail}"
    if field[3]:
        detail += f" at {field[2]}{field[3]}"
    return f"{field[1]}{field[2]}: {_EXPECTED[field[2]]} ({detail})"


def dump_assignment(assignment: dict) -> bytes:
    """``{"<applicant id>": <place id or null>}``: integer keys become strings, as JSON wants;
    values keep their type."""
    return msgspec.json.encode(assignment) + b"\n"


def write_assignment(assignment: dict, path: str) -> None:
    """Write the output file, ``-`` for standard output."""
    data = dump_assignment(assignment)
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    with open(path, "wb") as f:
        f.write(data)
