"""``intercampus allocate --call <uuid>``: allocate a call's stored applications and record the
run, with a progress bar (loading the applications, solving, storing) and a summary per
place; ``--publish`` publishes the run at once.

``intercampus allocate --instance FILE --out FILE`` (no database) never reaches this
command: ``intercampus/cli.py`` answers it before Django starts. It is accepted here too, so
that ``manage.py allocate --instance`` gives the same answer.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scopes_disabled
from rich.console import Console
from rich.table import Table

from intercampus.accounts.selectors import user_by_email
from intercampus.cli_options import ALLOCATE_HELP, add_allocate_arguments, mode_mismatch
from intercampus.core.services import ServiceError
from intercampus.lib.progress import phase_progress
from intercampus.mobility.models import AllocationRun, Call
from intercampus.mobility.selectors import allocation as selectors
from intercampus.mobility.services import allocation as services

PHASES = {
    services.LOADING: "Loading applications",
    services.SOLVING: "Solving",
    services.STORING: "Storing the results",
}


class Command(BaseCommand):
    help = ALLOCATE_HELP

    def add_arguments(self, parser: CommandParser) -> None:
        add_allocate_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        mismatch = mode_mismatch(options)
        if mismatch:
            raise CommandError(mismatch)
        if options["instance"]:
            self._from_file(options["instance"], options["out"] or "-")
            return
        call = self._call(options["call"])
        actor = self._actor(options["actor"])
        # The stream itself: OutputWrapper would end each of rich's writes with a newline.
        stream = getattr(self.stdout, "_out", self.stdout)
        console = Console(file=stream, highlight=False, soft_wrap=True)
        try:
            run = self._run(call, actor, early=options["early"], console=console)
            if options["publish"]:
                run = services.allocation_publish(actor=actor, run=run)
        except ServiceError as error:
            if error.field == "early":
                confirm = "run the command again with --early"
                raise CommandError(services.early_confirmation_message(call, confirm)) from error
            raise CommandError(error.message) from error
        self._summary(run, console)

    def _call(self, value: str) -> Call:
        try:
            wanted = uuid.UUID(value)
        except ValueError:
            raise CommandError(f"{value!r} is not a call id (a UUID).") from None
        # The operator's command: any institution's call, run in that institution's scope.
        with scopes_disabled():
            call = Call.objects.select_related("owner").filter(uuid=wanted).first()
        if call is None:
            raise CommandError(f"No call {value}.")
        return call

    def _actor(self, email: str | None) -> Any:
        if not email:
            return None
        user = user_by_email(email)
        if user is None:
            raise CommandError(f"No user {email}.")
        return user

    def _run(self, call: Call, actor: Any, *, early: bool, console: Console) -> AllocationRun:
        with phase_progress(console, f"Allocating {call.title}", PHASES) as report:
            run = services.allocation_run(actor=actor, call=call, early=early, progress=report)
        return run

    def _summary(self, run: AllocationRun, console: Console) -> None:
        total = run.placed_count + run.unplaced_count
        console.print(
            f"Run {run.uuid} ({run.get_status_display()}): {run.placed_count} of {total} "
            f"students placed, {run.unplaced_count} not placed."
        )
        table = Table(title="Per place")
        table.add_column("Place")
        table.add_column("Seats", justify="right")
        table.add_column("Placed", justify="right")
        table.add_column("Cut-off", justify="right")
        with scopes_disabled():
            rows = selectors.place_rows(run)
        for row in rows:
            if row.cutoff is not None:
                cutoff = str(row.cutoff)
            else:
                cutoff = "seats left" if row.seats else "-"
            table.add_row(row.label, str(row.seats), str(row.placed), cutoff)
        console.print(table)

    def _from_file(self, path: str, out: str) -> None:
        from intercampus.mobility.allocation import InputError, solve
        from intercampus.mobility.instance import read_instance, write_assignment

        try:
            write_assignment(solve(read_instance(path)).assignment, out)
        except (InputError, OSError) as error:
            raise CommandError(str(error)) from error
