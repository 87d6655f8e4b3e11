"""The options of ``intercampus allocate`` and ``intercampus match-buddies``, declared once.

Each command has two modes: on the database (``--call`` / ``--programme``, Django's
management command) and on a file (``--instance``, answered by ``intercampus/cli.py`` before
Django starts, as start-up alone would cost it about 0.3 s). Both build their parser here,
so ``--help`` lists every option of both modes whichever answers it. No Django import: the
file mode must stay fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

ALLOCATE_HELP = (
    "Allocate the places of a mobility call by student-proposing deferred acceptance. "
    "Two modes: --call ID allocates a call's stored applications and records the run for "
    "review (--publish, --early, --actor); --instance FILE allocates an alloc-instance/1 "
    "JSON file without a database and writes {applicant id: place id or null} (--out)."
)

MATCH_BUDDIES_HELP = (
    "Match newcomers to buddies: as many newcomers as possible, then the highest total "
    "compatibility. Two modes: --programme ID matches a programme's stored newcomers without "
    "a buddy (proposed and accepted pairs are kept; --actor); --instance FILE solves a "
    "buddy-instance/1 JSON file without a database and writes {student id: buddy id or null} "
    "for every student (--out)."
)

# Options that belong to one mode only: given in the other, they would be silently ignored.
_DATABASE_ONLY = {"publish": "--publish", "early": "--early", "actor": "--actor"}
_FILE_ONLY = {"out": "--out"}


def add_allocate_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``intercampus allocate``, both modes."""
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--call", metavar="ID", help="a call in the database: its UUID")
    mode.add_argument(
        "--instance", metavar="FILE", help="an alloc-instance/1 file, - for stdin (no database)"
    )
    database = parser.add_argument_group("with --call")
    database.add_argument(
        "--publish", action="store_true", help="publish the run at once (students are told)"
    )
    database.add_argument(
        "--early",
        action="store_true",
        help="confirm allocating before the call's closing date: this closes the call "
        "for applications now",
    )
    database.add_argument(
        "--actor", metavar="EMAIL", help="the staff member recorded in the audit log"
    )
    files = parser.add_argument_group("with --instance")
    files.add_argument("--out", metavar="FILE", help="the output file, - for stdout (default)")


def add_match_buddies_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``intercampus match-buddies``, both modes."""
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--programme", metavar="ID", help="a buddy programme in the database: its UUID"
    )
    mode.add_argument(
        "--instance", metavar="FILE", help="a buddy-instance/1 file, - for stdin (no database)"
    )
    database = parser.add_argument_group("with --programme")
    database.add_argument(
        "--actor", metavar="EMAIL", help="the staff member recorded in the audit log"
    )
    files = parser.add_argument_group("with --instance")
    files.add_argument("--out", metavar="FILE", help="the output file, - for stdout (default)")


def mode_mismatch(options: Mapping[str, Any]) -> str | None:
    """Why these parsed options mix the two modes (an option of the other mode given), or
    None when they do not."""
    if options.get("instance"):
        wrong, mode = _DATABASE_ONLY, "--instance"
    else:
        wrong, mode = _FILE_ONLY, "--call" if "call" in options else "--programme"
    given = [flag for name, flag in wrong.items() if options.get(name)]
    if not given:
        return None
    return f"{', '.join(given)} cannot be used with {mode}"


def file_parser(prog: str) -> argparse.ArgumentParser:
    """The parser of a command's file mode, as ``intercampus/cli.py`` runs it without Django."""
    command = prog.rsplit(" ", 1)[-1]
    help_text, add = {
        "allocate": (ALLOCATE_HELP, add_allocate_arguments),
        "match-buddies": (MATCH_BUDDIES_HELP, add_match_buddies_arguments),
    }[command]
    parser = argparse.ArgumentParser(prog=prog, description=help_text)
    add(parser)
    return parser
