"""Benchmark of the staff cohort dashboard (/i/<schac>/journeys/) with 5,000 journeys.

Builds a throwaway SQLite database (or uses ``--database-url``, e.g. a scratch PostgreSQL),
migrates it, creates the test consortium, a TPU template of 15 steps and 5,000 newcomers
with journeys at different stages (about 75,000 step states), then renders the dashboard as
TPU's international officer and prints the number of queries (target: at most 15) and the
render time, for the unfiltered page, a filtered one and the CSV export of the whole cohort.

Run: ``.venv/bin/python benchmarks/cohort_dashboard.py [--journeys 5000]``. Not part of the
test suite.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_QUERIES = 15
STEPS = [
    ("attractiveness", "Explore the programmes taught in English", "student", -95, "academic"),
    ("attractiveness", "Join the newcomers' webinar", "international_office", -80, "social"),
    ("selection", "Send the signed learning agreement", "student", -60, "academic"),
    ("selection", "Receive the acceptance letter", "international_office", -55, "academic"),
    ("formalities", "Apply for the study visa", "student", -45, "legal"),
    ("formalities", "Book a room in the dormitory", "housing", -20, "housing"),
    ("formalities", "Buy health insurance", "student", -10, "health"),
    ("formalities", "Registration with the migration authority", "student", 7, "legal"),
    ("formalities", "Pick up the student card", "student", 2, "academic"),
    ("formalities", "Open a bank account", "student", 10, "money"),
    ("onboarding", "Meet your buddy", "buddy", 3, "social"),
    ("onboarding", "Welcome week", "student_association", 5, "social"),
    ("onboarding", "Meet your supervisor", "department", 14, "academic"),
    ("onboarding", "Mid-semester check-in", "international_office", 50, "social"),
    ("onboarding", "Belonging survey", "student", 90, "social"),
]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intercampus.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    # No collected static files here: plain URLs, as in the test suite.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(n_journeys: int, seed: int = 20270903):
    """The consortium, a template, ``n_journeys`` newcomers and their step states, in bulk."""
    from django_scopes import scopes_disabled

    from intercampus.accounts.models import User
    from intercampus.core.testing import build_world
    from intercampus.onboarding.choices import OffsetKind, StepStatus
    from intercampus.onboarding.models import (
        Journey,
        JourneyStep,
        JourneyStepState,
        JourneyTemplate,
    )
    from intercampus.onboarding.services.journeys import due_date_for

    rng = random.Random(seed)
    world = build_world()
    tpu = world.tpu
    today = datetime.date.today()
    with scopes_disabled():
        template = JourneyTemplate.objects.create(
            institution=tpu, target_group="exchange", name="Exchange students"
        )
        steps = JourneyStep.objects.bulk_create(
            JourneyStep(
                template=template,
                phase=phase,
                title=title,
                owner_role=owner,
                offset_days=offset,
                offset_kind=OffsetKind.WORKING if offset == 7 else OffsetKind.CALENDAR,
                category=category,
                position=i,
            )
            for i, (phase, title, owner, offset, category) in enumerate(STEPS, start=1)
        )
        users = User.objects.bulk_create(
            User(
                email=f"newcomer{i:05d}@example.org",
                first_name=rng.choice(["Ana", "Wei", "Olga", "Jan", "Lea", "Amir", "Sofia"]),
                last_name=f"Newcomer{i:05d}",
                password="!",
            )
            for i in range(n_journeys)
        )
        # Anchors from 100 days ago to 100 days ahead: every stage of the journey.
        journeys = Journey.objects.bulk_create(
            Journey(
                institution=tpu,
                newcomer=user,
                template=template,
                target_group="exchange",
                anchor_date=today + datetime.timedelta(days=rng.randint(-100, 100)),
                source="import",
                started_on=today - datetime.timedelta(days=120),
            )
            for user in users
        )
        states = []
        for journey in journeys:
            for step in steps:
                due = due_date_for(step, journey.anchor_date, "RU")
                # Most of what is past due is done; some of it is late.
                done = due < today and rng.random() < 0.8
                states.append(
                    JourneyStepState(
                        journey=journey,
                        step=step,
                        due_date=due,
                        status=StepStatus.DONE if done else StepStatus.TODO,
                    )
                )
        JourneyStepState.objects.bulk_create(states, batch_size=5000)
    # Fresh planner statistics, as autovacuum (PostgreSQL) or a maintained database would have.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return world


def measure(client, url: str, repeat: int) -> tuple[int, float, int]:
    """Queries of one request, median time over ``repeat`` requests, response size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # Read now: the next request resets the connection's query log.
    count = len(queries.captured_queries)
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append(time.perf_counter() - started)
    return count, statistics.median(times), len(response.content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="intercampus-bench-") as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        os.environ.setdefault("INTERCAMPUS_DATA_DIR", folder)
        setup_django(url)
        started = time.perf_counter()
        world = build(args.journeys)
        print(f"built {args.journeys:,} journeys in {time.perf_counter() - started:.1f} s")

        from django.test import Client
        from django.urls import reverse

        client = Client()
        client.force_login(world.tpu_officer)
        base = reverse("staff:journey_dashboard", kwargs={"institution": "tpu.ru"})
        export = reverse("staff:journey_export_csv", kwargs={"institution": "tpu.ru"})
        worst = 0
        for label, address in (
            ("dashboard", base),
            ("dashboard, behind, legal steps", f"{base}?progress=behind&category=legal"),
            ("dashboard, page 40", f"{base}?page=40"),
            ("CSV export of the cohort", export),
        ):
            queries, seconds, size = measure(client, address, args.repeat)
            if address.startswith(base):
                worst = max(worst, queries)
            print(
                f"{label:34s} {queries:3d} queries  {seconds * 1000:7.1f} ms (median of "
                f"{args.repeat})  {size / 1024:7.1f} KiB"
            )
        verdict = "OK" if worst <= TARGET_QUERIES else "OVER"
        print(f"dashboard queries: at most {worst} (target {TARGET_QUERIES}): {verdict}")
        return 0 if worst <= TARGET_QUERIES else 1


if __name__ == "__main__":
    sys.exit(main())
