"""Benchmark: 500 people register at the same moment for a 100-seat event, on PostgreSQL.

Each registration goes through the real service (``events.services.registration_create``:
row lock on the event, seat count per quota group, arrival number, audit entry) from a pool
of threads, each with its own database connection. Afterwards it checks that:

- exactly 100 registrations are confirmed and 400 waitlisted, and no call failed;
- arrival numbers are 1..500 with no gap and no duplicate;
- the confirmed ones are exactly the first 100 arrivals, the waitlist the 400 after them, in
  the order the registrations committed (their timestamps, taken under the lock, never go
  backwards as the arrival number grows);

and prints the throughput in registrations per second.

Run: ``.venv/bin/python benchmarks/event_registrations.py [--people 500 --seats 100
--threads 32]``. The database is ``DATABASE_URL`` or
postgres://postgres@127.0.0.1:5432/intercampus_bench, created and migrated when missing.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import os
import queue
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/intercampus_bench"


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` when the server does not have it yet."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intercampus.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def prepare(people: int, seats: int):
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from intercampus.accounts.models import User
    from intercampus.events.choices import Audience
    from intercampus.events.models import Event
    from intercampus.institutions.models import Institution

    owner, _ = Institution.objects.get_or_create(
        schac="bench.example.org",
        defaults={"name": "Benchmark University", "country": "FI", "city": "Espoo"},
    )
    emails = [f"bench-{i:05d}@example.org" for i in range(people)]
    unusable = make_password(None)
    User.objects.bulk_create(
        [User(email=e, password=unusable) for e in emails], ignore_conflicts=True
    )
    users = list(User.objects.filter(email__in=emails).order_by("email"))
    # A seat at an event open to everyone needs a verified address.
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        ignore_conflicts=True,
    )
    starts = timezone.now() + datetime.timedelta(days=7)
    event = Event.objects.create(
        institution=owner,
        title=f"Benchmark party {timezone.now():%Y-%m-%d %H:%M:%S}",
        starts=starts,
        ends=starts + datetime.timedelta(hours=3),
        place="Hall",
        capacity=seats,
        audience=Audience.EVERYONE,
        published=True,
    )
    return event, users


def register_all(event, users, threads: int) -> tuple[float, list[BaseException]]:
    """Register every user from ``threads`` threads released at once; the wall time and the
    errors."""
    from django.db import connection

    from intercampus.events import services
    from intercampus.events.choices import Group

    work: queue.Queue = queue.Queue()
    for i, user in enumerate(users):
        # Mixed groups, as at a real integration event; no quota, so arrival order decides.
        work.put((user, Group.LOCAL if i % 2 else Group.INTERNATIONAL))
    errors: list[BaseException] = []
    start = threading.Barrier(threads + 1)

    def worker() -> None:
        try:
            connection.ensure_connection()
            start.wait()
            while True:
                try:
                    user, group = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    services.registration_create(actor=user, event=event, group=group)
                except BaseException as error:  # noqa: BLE001 - every failure is reported
                    errors.append(error)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in pool:
        thread.join()
    return time.perf_counter() - began, errors


def check(event, people: int, seats: int, errors: list[BaseException]) -> list[tuple[str, bool]]:
    from django_scopes import scopes_disabled

    from intercampus.events.choices import RegistrationStatus
    from intercampus.events.models import Registration

    with scopes_disabled():
        rows = list(
            Registration.objects.filter(event=event)
            .order_by("sequence")
            .values_list("sequence", "status", "created")
        )
    sequences = [s for s, _, _ in rows]
    confirmed = [s for s, status, _ in rows if status == RegistrationStatus.CONFIRMED]
    waitlisted = [s for s, status, _ in rows if status == RegistrationStatus.WAITLISTED]
    times = [t for _, _, t in rows]
    return [
        ("no error", not errors),
        (f"{people} registrations", len(rows) == people),
        (f"exactly {seats} confirmed", len(confirmed) == seats),
        (f"{people - seats} waitlisted", len(waitlisted) == people - seats),
        ("arrival numbers 1..N, no gap, no duplicate", sequences == list(range(1, people + 1))),
        ("confirmed = the first arrivals", confirmed == list(range(1, seats + 1))),
        (
            "waitlist = the later arrivals, in order",
            waitlisted == list(range(seats + 1, people + 1)),
        ),
        ("commit order matches arrival order", times == sorted(times)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--keep", action="store_true", help="keep the event afterwards")
    options = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    ensure_database(url)
    setup_django(url)

    event, users = prepare(options.people, options.seats)
    elapsed, errors = register_all(event, users, options.threads)
    results = check(event, options.people, options.seats, errors)

    print(
        f"{options.people} simultaneous registrations for {options.seats} seats, "
        f"{options.threads} threads, PostgreSQL"
    )
    print(f"  wall time   {elapsed:.3f} s")
    print(f"  throughput  {options.people / elapsed:.0f} registrations/s")
    for label, ok in results:
        print(f"  [{'ok' if ok else 'FAILED'}] {label}")
    for error in errors[:5]:
        print(f"  error: {error!r}")
    if not options.keep:
        event.delete()
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
