"""``intercampus demo``: migrate, load the demo consortium, print the logins, serve the site."""

from __future__ import annotations

import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Worker

from intercampus.network.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Set up the database, load the demo consortium (CLUSTER) with one account per persona, "
        "print how to sign in, and serve the site. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on (8000).")
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on.")
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Load the demo and print the logins, but do not start the web server.",
        )

    def handle(self, *args, port: int, host: str, no_serve: bool, verbosity: int, **options):
        if not 0 < port < 65536:
            raise CommandError(_("The port must be between 1 and 65535."))
        call_command(
            "migrate",
            interactive=False,
            verbosity=max(verbosity - 1, 0),
            stdout=self.stdout,
            stderr=self.stderr,
        )
        # Progress goes straight to the underlying stream: rich writes partial lines, which
        # Django's OutputWrapper would end with a newline each.
        stream = getattr(self.stdout, "_out", self.stdout)
        logins = load_demo(stdout=stream if verbosity else None)

        ipv6 = ":" in host
        shown = f"[{host}]" if ipv6 else host
        if host in {"0.0.0.0", "::"}:  # noqa: S104 - only choosing what to print
            shown = "127.0.0.1" if host == "0.0.0.0" else "[::1]"  # noqa: S104
        base = f"http://{shown}:{port}"
        self.stdout.write(self.style.SUCCESS(_("Demo accounts:")))
        for login in logins:
            self.stdout.write(
                "  "
                + _("{email}  password {password}  {does}  start at {url}").format(
                    email=login.email,
                    password=login.password,
                    does=login.does,
                    url=base + login.path,
                )
            )
        self.stdout.write(
            _(
                "Passwords are set when an account is first created "
                "(INTERCAMPUS_DEMO_PASSWORD, or the default)."
            )
        )
        if no_serve:
            return
        start_demo_worker()
        address = f"[{host}]:{port}" if ipv6 else f"{host}:{port}"
        call_command("runserver", address, use_reloader=False, use_ipv6=ipv6)


def start_demo_worker() -> threading.Thread:
    """The demo serves from one process, with no ``intercampus worker`` beside it: a thread
    of that process runs the queued background tasks (the buddy matching that sign-ups and
    declines queue, reminders, allocation runs of large calls), as a worker does in
    production, so that what the demo's users do has its effect."""
    worker = Worker(
        queue_names=["*"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"demo-{get_random_string(16)}",
        excluded_queue_names=[],
    )
    thread = threading.Thread(target=worker.run, name="demo-task-worker", daemon=True)
    thread.start()
    return thread
