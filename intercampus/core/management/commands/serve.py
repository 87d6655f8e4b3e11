"""``intercampus serve``: the production web server.

Runs the deployment checks, collects the static files that WhiteNoise serves (once per set of
sources: a restart of the same version skips it), then hands the
WSGI application to gunicorn through its Python API, so that one command (and one systemd
unit) starts a complete web process. Put a reverse proxy with TLS in front of it.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication

from intercampus.core.staticfiles import collect_static_once


def default_workers() -> int:
    """Gunicorn's rule of thumb (two per core plus one), capped, unless WEB_CONCURRENCY says."""
    configured = os.environ.get("WEB_CONCURRENCY")
    if configured:
        return int(configured)
    return min(2 * (os.cpu_count() or 1) + 1, 9)


class IntercampusServer(BaseApplication):
    """Gunicorn configured from code: no configuration file, no command-line parsing of its own."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__(usage=None, prog="intercampus serve")

    def load_config(self) -> None:
        for key, value in self.options.items():
            # Settings that an older gunicorn does not know are skipped, not fatal.
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        from intercampus.wsgi import application

        return application


def gunicorn_options(*, host: str, port: int, workers: int, timeout: int) -> dict[str, Any]:
    """The gunicorn settings ``serve`` runs with."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "timeout": timeout,
        "graceful_timeout": timeout,
        # Load the application once in the master: a broken import fails before any fork.
        "preload_app": True,
        # One line per request on stdout, errors on stderr: journald or the container keeps them.
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "intercampus",
        # The runtime control socket (gunicorn >= 25) is not used and would need a writable $HOME.
        "control_socket_disable": True,
    }


class Command(BaseCommand):
    help = (
        "Serve Intercampus in production: run the deployment checks, collect static files, "
        "then start gunicorn (access log on stdout). Put a TLS reverse proxy in front."
    )
    # The checks run in handle(), with --deploy when DEBUG is off.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="Address to listen on (default: 127.0.0.1, for a reverse proxy on this host).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=8000,
            help="Port to listen on (default: 8000).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Worker processes (default: $WEB_CONCURRENCY or 2 x CPU cores + 1, at most 9).",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=30,
            help="Seconds before a silent worker is killed and restarted (default: 30).",
        )

    def handle(self, *args: Any, host: str, port: int, workers: int, timeout: int, **options):
        production = not settings.DEBUG
        self.stdout.write("Running system checks" + (" (--deploy)" if production else ""))
        call_command("check", deploy=production, fail_level="ERROR")
        if production:
            self._collect_static_files()
        else:
            self.stderr.write(
                self.style.WARNING(
                    "DEBUG is on (development mode): do not expose this server. "
                    "Set INTERCAMPUS_ENV=production for a real deployment."
                )
            )
        self._warn_about_unapplied_migrations()
        # The master must not hand an open database connection down to the forked workers.
        connections.close_all()
        self.stdout.write(f"Starting gunicorn on {host}:{port} with {workers} worker(s)")
        IntercampusServer(
            gunicorn_options(host=host, port=port, workers=workers, timeout=timeout)
        ).run()

    def _collect_static_files(self) -> None:
        self.stdout.write(f"Static files in {settings.STATIC_ROOT}: ", ending="")
        self.stdout.flush()
        collected = collect_static_once(
            lambda: call_command("collectstatic", interactive=False, verbosity=0)
        )
        self.stdout.write("collected and compressed" if collected else "up to date")

    def _warn_about_unapplied_migrations(self) -> None:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(plan)} migration(s) not applied yet: run `intercampus migrate`."
                )
            )
