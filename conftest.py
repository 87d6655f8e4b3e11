"""Fixtures shared by every test: the small consortium and one client per persona."""

from __future__ import annotations

import pytest
from django.test import Client

from intercampus.core.testing import World, build_world


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords properly costs a tenth of a second each; tests need no such cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo consortium, loaded once for the test module that asks for it inside a
    transaction rolled back at its end; each test runs in its own savepoint within it (the
    ``db`` fixture). Loading takes seconds, so a module loads it once, not every test."""
    from django.db import transaction

    from intercampus.network.demo.loader import load_demo

    with django_db_blocker.unblock(), transaction.atomic():
        with pytest.MonkeyPatch.context() as env:
            env.delenv("INTERCAMPUS_DEMO_PASSWORD", raising=False)
            load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def world(db) -> World:
    return build_world()


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def secretariat_client(world) -> Client:
    return _client_for(world.secretariat)


@pytest.fixture
def coordinator_client(world) -> Client:
    """The work group coordinator at TPU."""
    return _client_for(world.tpu_coordinator)


@pytest.fixture
def tpu_officer_client(world) -> Client:
    return _client_for(world.tpu_officer)


@pytest.fixture
def kth_officer_client(world) -> Client:
    return _client_for(world.kth_officer)


@pytest.fixture
def student_client(world) -> Client:
    return _client_for(world.student)
