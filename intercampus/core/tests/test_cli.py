"""The ``intercampus`` command: ``serve`` runs the production web server, ``worker`` the
background tasks."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus, task

from intercampus.cli import main
from intercampus.core.management.commands.serve import IntercampusServer, gunicorn_options
from intercampus.core.management.commands.worker import Command as WorkerCommand

PROJECT_DIR = Path(__file__).resolve().parents[3]
PRODUCTION_HOST = "intercampus.example.org"


@task()
def add(a: int, b: int) -> int:
    return a + b


@pytest.mark.parametrize("command", ["serve", "worker", "demo"])
def test_the_project_commands_are_listed_in_the_help(command, capsys):
    main(["help"])

    assert f"    {command}\n" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("serve", ["--host", "--port", "--workers"]),
        ("worker", ["--queue-name", "--batch", "--max-tasks"]),
    ],
)
def test_command_explains_its_options(command, options, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])

    assert exit_.value.code == 0
    usage = capsys.readouterr().out
    assert f"usage: intercampus {command}" in usage
    for option in options:
        assert option in usage


def test_serve_configures_gunicorn_with_an_access_log_on_stdout():
    server = IntercampusServer(gunicorn_options(host="127.0.0.1", port=8123, workers=3, timeout=45))

    assert server.cfg.bind == ["127.0.0.1:8123"]
    assert server.cfg.workers == 3
    assert server.cfg.timeout == 45
    assert server.cfg.accesslog == "-"
    assert server.cfg.preload_app is True


def test_serve_listens_on_an_ipv6_address():
    assert gunicorn_options(host="::", port=8000, workers=1, timeout=30)["bind"] == "[::]:8000"


def test_worker_takes_every_queue_and_never_reloads_by_default():
    parser = WorkerCommand().create_parser("intercampus", "worker")

    defaults = parser.parse_args([])
    chosen = parser.parse_args(["--queue-name", "emails", "--reload", "--max-tasks", "5"])

    assert (defaults.queue_name, defaults.reload) == ("*", False)
    assert (chosen.queue_name, chosen.reload, chosen.max_tasks) == ("emails", True, 5)


# Transactional: the worker closes connections that are not in autocommit mode, as a test
# transaction's would be.
def test_worker_runs_the_tasks_waiting_in_the_database(transactional_db):
    result = add.enqueue(2, 3)

    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """One request as the reverse proxy would send it (no redirect followed)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "GET", path, headers={"Host": PRODUCTION_HOST, "X-Forwarded-Proto": "https", **headers}
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# The first start hashes and compresses every static file: minutes on a busy 2-core machine.
# The wait is generous because it ends at once when the server exits or starts listening.
START_DEADLINE_SECONDS = 300


def wait_until_listening(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read() if server.stdout else ""
            pytest.fail(f"intercampus serve exited ({server.returncode}) early:\n{output}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail("intercampus serve did not start listening")


def start_serve(cli: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return server, port


def stop_serve(server: subprocess.Popen) -> str:
    server.send_signal(signal.SIGTERM)
    output, _ = server.communicate(timeout=60)
    return output


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "INTERCAMPUS_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(45),
        "ALLOWED_HOSTS": PRODUCTION_HOST,
        "SITE_URL": f"https://{PRODUCTION_HOST}",
        "EMAIL_URL": "smtp://mail.example.org:25",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'intercampus.sqlite3'}",
        "INTERCAMPUS_DATA_DIR": str(tmp_path / "data"),
    }


def test_serve_answers_pages_and_compressed_static_files_in_production(production_env):
    cli = [sys.executable, "-m", "intercampus.cli"]
    subprocess.run(
        [*cli, "migrate", "--verbosity", "0"],
        env=production_env,
        cwd=PROJECT_DIR,
        check=True,
        timeout=300,
    )
    server, port = start_serve(cli, production_env)
    try:
        wait_until_listening(port, server)
        page_status, _, page = fetch(port, "/")
        css_status, css_headers, _ = fetch(
            port, "/static/vendor/pico.min.css", **{"Accept-Encoding": "gzip"}
        )
        plain_http_status, plain_http_headers, _ = fetch(port, "/", **{"X-Forwarded-Proto": "http"})
    finally:
        output = stop_serve(server)

    assert page_status == 200
    # Hashed names: browsers may cache them for ever.
    assert b"/static/vendor/pico.min." in page and b"/static/vendor/pico.min.css" not in page
    assert css_status == 200
    assert css_headers["Content-Encoding"] == "gzip"
    assert plain_http_status == 301
    assert plain_http_headers["Location"].startswith(f"https://{PRODUCTION_HOST}/")
    # The access log goes to stdout, one line per request.
    assert '"GET / HTTP/1.1" 200' in output
    assert "collected and compressed" in output

    # A restart of the same version serves the files collected before, without collecting.
    server, port = start_serve(cli, production_env)
    try:
        wait_until_listening(port, server)
        css_status, _, _ = fetch(port, "/static/vendor/pico.min.css")
    finally:
        output = stop_serve(server)
    assert css_status == 200
    assert "up to date" in output
