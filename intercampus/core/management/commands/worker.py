"""``intercampus worker``: runs background tasks (reminders, imports, allocation runs, e-mail).

A thin wrapper around django-tasks-db's ``db_worker`` with production defaults: every queue,
no autoreload. All of ``db_worker``'s options are accepted and passed through. Run as many
workers as needed on the same database; each gets its own worker id.
"""

from __future__ import annotations

from django.core.management.base import CommandParser
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = (
        "Run a background task worker on the database queue (all queues by default). "
        "Accepts every option of db_worker, e.g. --queue-name, --batch, --max-tasks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        # db_worker processes only the "default" queue and reloads on code changes when DEBUG
        # is on; a deployed worker should take every queue and never restart mid-task.
        parser.set_defaults(queue_name="*", reload=False)
        for action in parser._actions:
            if action.dest == "queue_name":
                action.help = "The queues to process, separated by commas (default: '*', all)."
            elif action.dest == "reload":
                action.help = "Reload the worker on code changes (default: off)."
