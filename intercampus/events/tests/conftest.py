"""Fixtures of the event tests: a TPU integration event and a few people."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from intercampus.events.tests.factories import make_event, person


@pytest.fixture(autouse=True)
def _no_outbox_leftovers():
    mail.outbox = []


@pytest.fixture
def event(world):
    """TPU's welcome evening: 10 seats, open to everyone, a week from now."""
    return make_event(world.tpu, title="TPU welcome evening")


@pytest.fixture
def tpu_student(world):
    return person("local@tpu.ru", world.tpu)


@pytest.fixture
def tpu_student_client(tpu_student) -> Client:
    client = Client()
    client.force_login(tpu_student)
    return client


def people(n: int, prefix: str = "p"):
    return [person(f"{prefix}{i}@example.org") for i in range(n)]
