"""Time from `intercampus serve` to the first answered request: first start, then a restart.

Target: a restart of the same installed version answers within 10 s (it must not collect and
compress the static files again); the first start may take as long as compression needs.

    .venv/bin/python benchmarks/serve_start.py

Uses a scratch data directory and SQLite database in a temporary folder, production settings,
one worker, a free port on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESTART_TARGET_SECONDS = 10.0
HOST = "intercampus.example.org"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_to_first_answer(cli: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds to the first answer, and the CPU seconds the server used in all (on a busy
    machine the wall time grows with the load; the CPU time does not)."""
    cpu_before = _children_cpu()
    port = _free_port()
    started = time.monotonic()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Bounded: ten minutes at most, and over at once if the server exits.
        while time.monotonic() - started < 600:
            if server.poll() is not None:
                sys.exit(f"intercampus serve exited ({server.returncode}):\n{server.stderr.read()}")
            if _answers(port):
                wall = time.monotonic() - started
                break
            time.sleep(0.1)
        else:
            sys.exit("intercampus serve did not answer within 600 s")
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)
    return wall, _children_cpu() - cpu_before


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ic-serve-bench-") as scratch:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": scratch,
            "INTERCAMPUS_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(45),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"https://{HOST}",
            "EMAIL_URL": "smtp://mail.example.org:25",
            "DATABASE_URL": f"sqlite:///{scratch}/intercampus.sqlite3",
            "INTERCAMPUS_DATA_DIR": f"{scratch}/data",
        }
        cli = [sys.executable, "-m", "intercampus.cli"]
        subprocess.run([*cli, "migrate", "--verbosity", "0"], env=env, cwd=PROJECT_DIR, check=True)
        first = _time_to_first_answer(cli, env)
        restart = _time_to_first_answer(cli, env)
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"first start (collect and compress): {first[0]:6.1f} s wall, {first[1]:6.1f} s CPU")
    verdict = "ok" if restart[0] <= RESTART_TARGET_SECONDS else "OVER TARGET"
    print(
        f"restart (static files up to date):  {restart[0]:6.1f} s wall, {restart[1]:6.1f} s CPU"
        f"   target <= {RESTART_TARGET_SECONDS:.0f} s wall   {verdict}"
    )


if __name__ == "__main__":
    main()
