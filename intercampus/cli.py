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
    if args[1] == "help" and len(args) > 2:  # intercampus help match-buddies
        args[2] = DASHED_COMMANDS.get(args[2], args[2])
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
    """``allocate --instance FILE`` (and ``allocate --help``: the one parser documents both
    modes) runs without Django: start-up alone would cost it about 0.3 s. ``allocate --call
    ID`` needs the database and is Django's management command, built on the same parser."""
    if args[:1] != ["allocate"]:
        return False
    if any(a == "--instance" or a.startswith("--instance=") for a in args):
        return True
    return "-h" in args or "--help" in args


def _allocate_from_file(args: list[str]) -> int:
    import gc

    options = _parse_file_mode("intercampus allocate", args[1:])
    # A short-lived process that builds a million objects and frees none: the cyclic garbage
    # collector would only walk them again and again (about 0.1 s here).
    gc.disable()
    # numpy is used without BLAS; starting OpenBLAS's thread pool costs start-up time.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from intercampus.mobility.allocation import InputError, solve
    from intercampus.mobility.instance import read_instance, write_assignment

    try:
        result = solve(read_instance(options.instance))
        write_assignment(result.assignment, options.out or "-")
    except (InputError, OSError) as e:
        print(f"intercampus allocate: error: {e}", file=sys.stderr)
        return 2
    return 0


def _parse_file_mode(prog: str, args: list[str]):
    """The options of a command's file mode, parsed by the command's one parser (so that
    ``--help`` shows both modes); exits with a usage error when they mix the modes."""
    from intercampus.cli_options import file_parser, mode_mismatch

    parser = file_parser(prog)
    options = parser.parse_args(args)
    mismatch = mode_mismatch(vars(options))
    if mismatch:
        parser.error(mismatch)
    return options


def _is_match_buddies_from_file(args: list[str]) -> bool:
    """``match-buddies --instance FILE`` (and its ``--help``)."""
    if args[:1] != ["match-buddies"]:
        return False
    return any(a in ("--instance", "-h", "--help") or a.startswith("--instance=") for a in args)


def _match_buddies_from_file(args: list[str]) -> int:
    import gc

    options = _parse_file_mode("intercampus match-buddies", args[1:])
    gc.disable()  # short-lived: tens of thousands of objects, none of them garbage
    from intercampus.onboarding.instance import InstanceError, read_instance, write_assignment
    from intercampus.onboarding.matching import match

    try:
        students, buddies = read_instance(options.instance)
        write_assignment(match(students, buddies).assignment, options.out or "-")
    except (InstanceError, OSError) as e:
        print(f"intercampus match-buddies: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
