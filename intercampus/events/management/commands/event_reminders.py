"""``intercampus event_reminders``: remind people with a seat, the day before the event.

Runs the reminders now, or with ``--enqueue`` hands them to the task worker. Idempotent:
nobody is reminded twice, so a scheduler may run it every hour.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from intercampus.events.tasks import send_event_reminders


class Command(BaseCommand):
    help = "E-mail everyone with a seat at an event that starts in 24 to 48 hours (once each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the work for the task worker instead of doing it now.",
        )

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        if enqueue:
            result = send_event_reminders.enqueue()
            self.stdout.write(f"Queued as task {result.id}.")
            return
        sent = send_event_reminders.call()
        self.stdout.write(f"{sent} reminder(s) sent.")
