"""``intercampus match_buddies --programme <uuid>``: match a buddy programme's newcomers
without a buddy into the capacity left, on the stored data, with a progress bar (loading,
solving, storing) and the run's figures. Proposed and accepted pairs never move.

``--instance FILE --out FILE`` solves a ``buddy-instance/1`` file without a database (as
``intercampus match-buddies --instance``, which ``intercampus/cli.py`` answers before Django
starts).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scopes_disabled
from rich.console import Console
from rich.table import Table

from intercampus.accounts.selectors import user_by_email
from intercampus.core.services import ServiceError
from intercampus.lib.progress import phase_progress
from intercampus.onboarding.models import BuddyProgramme
from intercampus.onboarding.services import buddies as services

PHASES = {
    services.LOADING: "Loading the profiles",
    services.SOLVING: "Solving",
    services.STORING: "Storing the new matches",
}


class Command(BaseCommand):
    help = (
        "Match newcomers to buddies: as many newcomers as possible, then the highest total "
        "compatibility. --programme ID matches a programme's stored newcomers without a buddy "
        "(proposed and accepted pairs are kept); --instance FILE solves a buddy-instance/1 "
        "file without a database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--programme", metavar="ID", help="the buddy programme's UUID")
        mode.add_argument("--instance", metavar="FILE", help="a buddy-instance/1 file, - for stdin")
        parser.add_argument("--out", metavar="FILE", default="-", help="with --instance: output")
        parser.add_argument(
            "--actor", metavar="EMAIL", help="the staff member recorded in the audit log"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["instance"]:
            self._from_file(options["instance"], options["out"])
            return
        programme = self._programme(options["programme"])
        actor = self._actor(options["actor"])
        # The stream itself: OutputWrapper would end each of rich's writes with a newline.
        stream = getattr(self.stdout, "_out", self.stdout)
        console = Console(file=stream, highlight=False, soft_wrap=True)
        try:
            stats = self._run(programme, actor, console)
        except ServiceError as error:
            raise CommandError(error.message) from error
        self._summary(programme, stats, console)

    def _programme(self, value: str) -> BuddyProgramme:
        try:
            wanted = uuid.UUID(value)
        except ValueError:
            raise CommandError(f"{value!r} is not a programme id (a UUID).") from None
        # The operator's command: any host's programme, run in that host's scope.
        with scopes_disabled():
            found = BuddyProgramme.objects.select_related("institution").filter(uuid=wanted)
            programme = found.first()
        if programme is None:
            raise CommandError(f"No buddy programme {value}.")
        return programme

    def _actor(self, email: str | None) -> Any:
        if not email:
            return None
        user = user_by_email(email)
        if user is None:
            raise CommandError(f"No user {email}.")
        return user

    def _run(
        self, programme: BuddyProgramme, actor: Any, console: Console
    ) -> services.MatchingStats:
        with phase_progress(console, f"Matching {programme.name}", PHASES) as report:
            stats = services.matching_run(
                actor=actor, programme=programme, trigger="command", progress=report
            )
        return stats

    def _summary(
        self, programme: BuddyProgramme, stats: services.MatchingStats, console: Console
    ) -> None:
        console.print(
            f"Run {stats.run} ({stats.algorithm_version}) of {programme.name}: "
            f"{stats.matched} of {stats.waiting} newcomers without a buddy matched now."
        )
        table = Table(title="Matching run")
        table.add_column("")
        table.add_column("Count", justify="right")
        for label, value in (
            ("Newcomers without a buddy before", stats.waiting),
            ("Matched now", stats.matched),
            ("Still without a buddy", stats.unmatched),
            ("Pairs kept (proposed or accepted)", stats.kept),
            ("Active buddies", stats.buddies),
            ("Places left", stats.capacity_left),
            ("Total compatibility of the new pairs", stats.total_score),
        ):
            table.add_row(label, str(value))
        console.print(table)

    def _from_file(self, path: str, out: str) -> None:
        from intercampus.onboarding.instance import InstanceError, read_instance, write_assignment
        from intercampus.onboarding.matching import match

        try:
            students, buddies = read_instance(path)
            write_assignment(match(students, buddies).assignment, out)
        except (InstanceError, OSError) as error:
            raise CommandError(str(error)) from error
