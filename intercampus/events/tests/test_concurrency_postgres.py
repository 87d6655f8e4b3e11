"""No event is ever overbooked, also when many people register at the same moment.

Real concurrency needs real row locks and separate connections: this runs on PostgreSQL only
(CI's PostgreSQL pass, ``make test-postgres``). SQLite serialises every write transaction, so
there is no race to test there.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection
from django_scopes import scopes_disabled

from intercampus.accounts.models import User
from intercampus.events import services
from intercampus.events.choices import Group, RegistrationStatus
from intercampus.events.models import Registration
from intercampus.events.tests.factories import make_event
from intercampus.institutions.models import Institution

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: SQLite serialises writes, so there is no race to test",
)

PEOPLE = 50
SEATS = 10


def _register_all(event, users) -> list[BaseException]:
    start = threading.Barrier(len(users))
    errors: list[BaseException] = []

    def register(user):
        try:
            start.wait()
            services.registration_create(actor=user, event=event, group=Group.LOCAL)
        except BaseException as error:  # noqa: BLE001 - every failure is a test failure
            errors.append(error)
        finally:
            # Each thread has its own connection; leave none open for the test database.
            connection.close()

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        list(pool.map(register, users))
    return errors


def test_fifty_simultaneous_registrations_fill_ten_seats_exactly(transactional_db):
    owner = Institution.objects.create(
        schac="race.example.org", name="Race University", country="FI", city="Espoo"
    )
    event = make_event(owner, capacity=SEATS)
    users = [
        User.objects.create_user(email=f"racer{i}@example.org", password="x") for i in range(PEOPLE)
    ]
    # A seat at an event open to everyone needs a verified address.
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )

    errors = _register_all(event, users)

    assert errors == []
    with scopes_disabled():
        rows = list(
            Registration.objects.filter(event=event)
            .order_by("sequence")
            .values_list("sequence", "status", "created")
        )
    assert [seq for seq, _, _ in rows] == list(range(1, PEOPLE + 1))
    assert [status for _, status, _ in rows] == (
        [RegistrationStatus.CONFIRMED] * SEATS + [RegistrationStatus.WAITLISTED] * (PEOPLE - SEATS)
    )
    # Arrival numbers follow the order in which registrations were made under the lock.
    times = [created for _, _, created in rows]
    assert times == sorted(times)
