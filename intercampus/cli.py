"""The ``intercampus`` command: Django's management commands plus the project's own
(``demo``, ``serve``, ``worker``, ...)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intercampus.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["intercampus", *argv])
    args[0] = "intercampus"
    if len(args) == 1:
        args.append("help")
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
