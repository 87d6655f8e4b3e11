"""The ``intercampus`` command: Django's management commands plus the project's own
(``demo``, ``serve``, ``worker``, ...)."""

from __future__ import annotations

import os
import sys

DASHED_COMMANDS = {"match-buddies": "match_buddies"}


def main(argv: list[str] | None = None) -> int:
    run = _without_django(sys.argv[1:] if argv is None else argv)
    if run is not None:
        code = run(sys.argv[1:] if argv is None else argv)
        if argv is None:  # the process is ours: skip freeing a million objects one by one
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        return code
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intercampus.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["intercampus", *argv])
    args[0] = "intercampus"
    if len(args) == 1:
        args.append("help")
    # Commands are documented with dashes (match-buddies); Django names them with underscores.
    args[1] = DASHED_COMMANDS.get(args[1], args[1])
    execute_from_command_line(args)
    return 0


def _without_django(args: list[str]):
    """The runner of a command that works on a file without Django (start-up alone would
    cost it about 0.3 s), or None for everything else: Django's management commands."""
    if _is_allocate_from_file(args):
        return _allocate_from_file
    if _is_match_buddies_from_file(args):
        return _match_buddies_from_file
    return None


def _is_allocate_from_file(args: list[str]) -> bool:
    """``allocate --instance FILE`` (and ``allocate --help``, which documents both modes)
    runs without Django: start-up alone would cost it about 0.3 s. ``allocate --call ID``
    needs the database and is Django's management command."""
    if args[:1] != ["allocate"]:
        return False
    if any(a == "--instance" or a.startswith("--instance=") for a in args):
        return True
    return ("-h" in args or "--help" in args) and "--call" not in args


def _allocate_from_file(args: list[str]) -> int:
    import argparse
    import gc

    parser = argparse.ArgumentParser(
        prog="intercampus allocate",
        description="Allocate the places of a mobility call by student-proposing deferred "
        "acceptance. Two modes: --call ID allocates a call stored in the database and records "
        "the run; --instance FILE allocates an alloc-instance/1 JSON file without a database "
        "and writes {applicant id: place id or null}.",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--call", metavar="ID", help="a call in the database (Django command)")
    mode.add_argument("--instance", metavar="FILE", help="an alloc-instance/1 file, - for stdin")
    parser.add_argument("--out", metavar="FILE", default="-", help="output file, - for stdout")
    options = parser.parse_args(args[1:])
    # A short-lived process that builds a million objects and frees none: the cyclic garbage
    # collector would only walk them again and again (about 0.1 s here).
    gc.disable()
    # numpy is used without BLAS; starting OpenBLAS's thread pool costs start-up time.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from intercampus.mobility.allocation import InputError, solve
    from intercampus.mobility.instance import read_instance, write_assignment

    try:
        result = solve(read_instance(options.instance))
        write_assignment(result.assignment, options.out)
    except (InputError, OSError) as e:
        print(f"intercampus allocate: error: {e}", file=sys.stderr)
        return 2
    return 0


def _is_match_buddies_from_file(args: list[str]) -> bool:
    """``match-buddies --instance FILE`` (and its ``--help``)."""
    if args[:1] != ["match-buddies"]:
        return False
    return any(a in ("--instance", "-h", "--help") or a.startswith("--instance=") for a in args)


def _match_buddies_from_file(args: list[str]) -> int:
    import argparse
    import gc

    parser = argparse.ArgumentParser(
        prog="intercampus match-buddies",
        description="Match newcomers to buddies from a buddy-instance/1 JSON file, without a "
        "database: as many newcomers as possible, then the highest total compatibility. "
        "Writes {student id: buddy id or null} for every student.",
    )
    parser.add_argument(
        "--instance", metavar="FILE", required=True, help="a buddy-instance/1 file, - for stdin"
    )
    parser.add_argument("--out", metavar="FILE", default="-", help="output file, - for stdout")
    options = parser.parse_args(args[1:])
    gc.disable()  # short-lived: tens of thousands of objects, none of them garbage
    from intercampus.onboarding.instance import InstanceError, read_instance, write_assignment
    from intercampus.onboarding.matching import match

    try:
        students, buddies = read_instance(options.instance)
        write_assignment(match(students, buddies).assignment, options.out)
    except (InstanceError, OSError) as e:
        print(f"intercampus match-buddies: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
