"""Benchmark: allocate a call of 10,000 stored applications on PostgreSQL, and count the
queries of a student's result page.

1. Builds (once; later runs reuse it) a call of about 300 places of 1 to 8 seats and 10,000
   submitted, eligible applications with 1 to 5 ranked choices each (bulk inserts), at an
   institution of its own.
2. Times ``mobility.services.allocation.allocation_run`` (read the applications, build and
   solve the instance, store the run with its instance, results and cut-offs, set the call's
   status, audit) 3 times: the median against the target, **at most 10 s**, with the time
   of each phase.
3. Publishes the last run (every application placed or not placed, a notice per student),
   then requests a student's application page with its result and cut-offs through the test
   client and counts its queries against the target, **at most 10**.

Run: ``.venv/bin/python benchmarks/allocation_postgres.py [--applications 10000 --places 300
--repeat 3]``. The database is ``DATABASE_URL`` or
postgres://postgres@127.0.0.1:5432/intercampus_bench, created and migrated when missing.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/intercampus_bench"
SCHAC = "alloc-bench.example.org"
TITLE = "Allocation benchmark"
SEED = 20270301
TARGET_SECONDS = 10.0
TARGET_QUERIES = 10


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


# --- Data ---------------------------------------------------------------------------------


def _build(applications: int, n_places: int):
    """The call with its places, students, applications and choices, in bulk."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from intercampus.accounts.models import User
    from intercampus.institutions.models import Institution
    from intercampus.mobility import scoring
    from intercampus.mobility.choices import ApplicationState, CallStatus, MobilityType
    from intercampus.mobility.models import (
        Agreement,
        Application,
        ApplicationChoice,
        Call,
        CooperationCondition,
        Place,
    )

    rng = random.Random(SEED)
    now = datetime.datetime.now(datetime.UTC)
    with transaction.atomic():
        home = Institution.objects.create(
            schac=SCHAC, name="Allocation Benchmark University", country="FI", city="Espoo"
        )
        call = Call.objects.create(
            owner=home,
            title=TITLE,
            academic_year="2027/2028",
            opens_at=now - datetime.timedelta(days=30),
            closes_at=now - datetime.timedelta(days=1),
            status=CallStatus.PUBLISHED,
            max_choices=5,
            lottery_seed=SEED,
        )
        hosts = [f"host-{i:02d}.example.org" for i in range(30)]
        conditions = []
        for host in hosts:
            agreement = Agreement.objects.create(owner=home, partner_hei_id=host)
            conditions.append(
                CooperationCondition.objects.create(
                    agreement=agreement,
                    mobility_type=MobilityType.STUDENT_STUDIES,
                    sending_hei_id=SCHAC,
                    receiving_hei_id=host,
                    first_academic_year="2026/2027",
                    last_academic_year="2028/2029",
                    mobilities_per_year=100,
                )
            )
        places = Place.objects.bulk_create(
            Place(
                call=call,
                condition=conditions[i % len(conditions)],
                host_hei_id=hosts[i % len(hosts)],
                subject_area=f"{i // len(hosts):04d}",
                seats=rng.randint(1, 8),
            )
            for i in range(n_places)
        )
        unusable = make_password(None)
        users = User.objects.bulk_create(
            User(email=f"alloc-bench-{i:05d}@example.org", password=unusable)
            for i in range(applications)
        )
        apps = []
        for user in users:
            uid = uuid.uuid4()
            score = Decimal(min(max(rng.gauss(70, 12), 0), 100)).quantize(Decimal("0.01"))
            apps.append(
                Application(
                    uuid=uid,
                    call=call,
                    owner=home,
                    student=user,
                    state=ApplicationState.ELIGIBLE,
                    grade_average=score,
                    cycle=7,
                    languages={"en": "C1"},
                    score=score,
                    tiebreak=scoring.tiebreak(SEED, uid),
                    submitted_at=now - datetime.timedelta(days=2),
                )
            )
        apps = Application.objects.bulk_create(apps, batch_size=2000)
        # Some places are far more wanted than others, as in real calls.
        weights = [1 / (1 + i % 40) for i in range(n_places)]
        choices = []
        for app in apps:
            wanted: list = []
            for place in rng.choices(places, weights=weights, k=12):
                if place not in wanted:
                    wanted.append(place)
            for rank, place in enumerate(wanted[: rng.randint(1, 5)], start=1):
                choices.append(
                    ApplicationChoice(application=app, place=place, rank=rank, eligible=True)
                )
        ApplicationChoice.objects.bulk_create(choices, batch_size=5000)
    return call


def prepare(applications: int, n_places: int):
    """The benchmark's call, built when missing, set back to "closed, not allocated"."""
    from django_scopes import scopes_disabled

    from intercampus.core.models import PersonalNotice
    from intercampus.mobility.choices import ApplicationState, CallStatus
    from intercampus.mobility.models import AllocationRun, Application, Call

    with scopes_disabled():
        call = Call.objects.filter(owner__schac=SCHAC, title=TITLE).first()
        if call is None or call.applications.count() != applications:
            if call is not None:
                print("The stored call has another size: build a fresh database to change it.")
                sys.exit(2)
            started = time.perf_counter()
            call = _build(applications, n_places)
            print(f"Built the call in {time.perf_counter() - started:.1f} s")
        AllocationRun.objects.filter(call=call).delete()
        Application.objects.filter(call=call).update(state=ApplicationState.ELIGIBLE)
        PersonalNotice.objects.filter(user__email__startswith="alloc-bench-").delete()
        Call.objects.filter(pk=call.pk).update(status=CallStatus.PUBLISHED)
        call.refresh_from_db()
    # Fresh statistics and no dead rows from the previous run's updates, as autovacuum keeps
    # them on a live server (without them the planner guesses one row per call).
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "mobility_application",
            "mobility_applicationchoice",
            "mobility_place",
            "mobility_allocationrun",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return call


# --- Measures -----------------------------------------------------------------------------


def time_runs(call, repeat: int) -> tuple[list[float], list[dict[str, float]], object]:
    from intercampus.mobility.services import allocation as services

    totals, phases, last = [], [], None
    for _ in range(repeat):
        marks: list[tuple[str, float]] = []
        started = time.perf_counter()
        last = services.allocation_run(
            actor=None,
            call=call,
            progress=lambda phase, marks=marks: marks.append((phase, time.perf_counter())),
        )
        ended = time.perf_counter()
        totals.append(ended - started)
        bounds = [t for _, t in marks] + [ended]
        phases.append({p: bounds[i + 1] - t for i, (p, t) in enumerate(marks)})
        call.refresh_from_db()
    return totals, phases, last


def count_result_page(call, run) -> tuple[int, int, str]:
    """Queries of the application page of a student who ranked a place above the one they
    got (or had none), as that student sees it; and the page's status."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from intercampus.mobility.models import Application

    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    wanted = next(
        a["id"]
        for a in run.instance["applicants"]
        if len(a["prefs"]) >= 3 and run.results[a["id"]] != a["prefs"][0]
    )
    with scopes_disabled():
        application = Application.objects.select_related("student").get(uuid=wanted)
    client = Client()
    client.force_login(application.student)
    url = reverse("mobility:application", kwargs={"application": application.uuid})
    client.get(url)  # the first request loads the session and the templates
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    page = response.content.decode()
    shown = "cut-offs shown" if "the last student admitted had" in page else "NO CUT-OFF SHOWN"
    return len(queries.captured_queries), response.status_code, shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--places", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(url)
    setup_django(url)

    from django_scopes import scopes_disabled

    from intercampus.mobility.services import allocation as services

    call = prepare(options.applications, options.places)
    with scopes_disabled():
        n_choices = sum(len(a.place_uuids) for a in _inputs(call))
    totals, phases, run = time_runs(call, options.repeat)
    median = statistics.median(totals)
    # A web or worker process has its URLs loaded already: do not time their import.
    from django.urls import reverse

    reverse("mobility:home")
    started = time.perf_counter()
    published = services.allocation_publish(actor=None, run=run)
    publish_time = time.perf_counter() - started
    queries, status, shown = count_result_page(call, published)

    print()
    print(
        f"Call: {options.applications:,} applications, {n_choices:,} ranked choices, "
        f"{options.places} places; {run.placed_count:,} placed, {run.unplaced_count:,} not"
    )
    print()
    rows = [
        (f"allocation_run, median of {len(totals)}", f"{median:.2f} s", "≤ 10 s", median <= 10),
        ("  runs", ", ".join(f"{t:.2f}" for t in totals) + " s", "", None),
    ]
    for phase in (services.LOADING, services.SOLVING, services.STORING):
        value = statistics.median(p.get(phase, 0.0) for p in phases)
        rows.append((f"  {phase}", f"{value:.2f} s", "", None))
    rows += [
        ("allocation_publish (states, notices)", f"{publish_time:.2f} s", "", None),
        (
            f"student result page (HTTP {status}, {shown})",
            f"{queries} queries",
            "≤ 10",
            queries <= TARGET_QUERIES and status == 200,
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'Measure':<{width}}  {'Value':>16}  {'Target':>7}  Met")
    print(f"{'-' * width}  {'-' * 16}  {'-' * 7}  ---")
    for name, value, target, met in rows:
        flag = "" if met is None else ("yes" if met else "NO")
        print(f"{name:<{width}}  {value:>16}  {target:>7}  {flag}")


def _inputs(call):
    from django_scopes import scope

    from intercampus.mobility.selectors.applications import allocation_inputs

    with scope(institution=call.owner):
        return allocation_inputs(call)


if __name__ == "__main__":
    main()
