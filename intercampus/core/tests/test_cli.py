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
from django.core.management import CommandError, call_command
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


# allocate and match-buddies: one parser per command, both modes -------------------------------

ALLOCATE_OPTIONS = ["--call", "--instance", "--out", "--publish", "--early", "--actor"]
MATCH_BUDDIES_OPTIONS = ["--programme", "--instance", "--out", "--actor"]


@pytest.mark.parametrize(
    ("args", "options"),
    [
        (["allocate", "--help"], ALLOCATE_OPTIONS),
        (["allocate", "--call", "x", "--help"], ALLOCATE_OPTIONS),
        (["match-buddies", "--help"], MATCH_BUDDIES_OPTIONS),
        (["help", "allocate"], ALLOCATE_OPTIONS),
        (["help", "match-buddies"], MATCH_BUDDIES_OPTIONS),
    ],
)
def test_the_help_of_allocate_and_match_buddies_shows_every_option_of_both_modes(
    args, options, capsys
):
    try:
        main(args)
    except SystemExit as exit_:  # --help exits, Django's help command returns
        assert exit_.code == 0
    usage = capsys.readouterr().out

    assert f"usage: intercampus {args[1] if args[0] == 'help' else args[0]}" in usage
    for option in options:
        assert option in usage


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["allocate", "--instance", "f.json", "--publish"], "--publish cannot be used with"),
        (["allocate", "--instance", "f.json", "--early"], "--early cannot be used with"),
        (["match-buddies", "--instance", "f.json", "--actor", "a@b.c"], "--actor cannot be"),
    ],
)
def test_an_option_of_the_database_mode_is_refused_with_a_file(args, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)

    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "option"), [("allocate", "--call"), ("match_buddies", "--programme")]
)
def test_an_output_file_is_refused_with_the_database_mode(command, option):
    with pytest.raises(CommandError, match=f"--out cannot be used with {option}"):
        call_command(command, option, "00000000-0000-0000-0000-000000000000", "--out", "x")


# Hostile instance files: the same one-line error as any malformed file ------------------------

HUGE = "1" + "0" * 30
DEEP = "[" * 100_000 + "]" * 100_000
ALLOC_PLACES = '"places": [{"id": 1, "capacity": 1}]'
BUDDY = (
    '{"id": "s", "langs": ["en"], "faculty": null, "interests": [], "arrival": %s}',
    '{"id": "b", "capacity": %s, "langs": ["en"], "faculty": null, "interests": [], '
    '"avail_from": 1, "avail_to": 9}',
)


def buddy_file(arrival="1", capacity="1", students=None) -> str:
    students = students or "[" + BUDDY[0] % arrival + "]"
    return (
        f'{{"format": "buddy-instance/1", "students": {students}, '
        f'"buddies": [{BUDDY[1] % capacity}]}}'
    )


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("allocate", f'{{"format": "alloc-instance/1", "applicants": {DEEP}, {ALLOC_PLACES}}}'),
        (
            "allocate",
            '{"format": "alloc-instance/1", "applicants": [{"id": 1, "score": 1, '
            f'"tiebreak": 1, "prefs": {DEEP}}}], {ALLOC_PLACES}}}',
        ),
        ("allocate", f'{{"format": "alloc-instance/1", "extra": {DEEP}}}'),
        ("match-buddies", buddy_file(students=DEEP)),
        ("match-buddies", buddy_file(arrival=HUGE)),
        ("match-buddies", buddy_file(arrival="-" + HUGE)),
        ("match-buddies", buddy_file(capacity=HUGE)),
    ],
)
def test_hostile_instance_files_get_a_one_line_error(command, text, tmp_path):
    path = tmp_path / "instance.json"
    path.write_text(text)

    done = subprocess.run(
        [sys.executable, "-m", "intercampus.cli", command, "--instance", str(path)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"intercampus {command}: error: ")
    assert done.stderr.count("\n") == 1
