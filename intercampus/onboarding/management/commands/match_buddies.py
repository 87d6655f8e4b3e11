"""``intercampus match-buddies --programme <uuid>``: match a buddy programme's newcomers
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
from intercampus.cli_options import MATCH_BUDDIES_HELP, add_match_buddies_arguments, mode_mismatch
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
    help = MATCH_BUDDIES_HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Documented and typed with a dash; Django knows it by its module's name.
        return super().create_parser(prog_name, "match-buddies", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        add_match_buddies_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        mismatch = mode_mismatch(options)
        if mismatch:
            raise CommandError(mismatch)
        if options["instance"]:
            self._from_file(options["instance"], options["out"] or "-")
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
