"""Background tasks run at once in the onboarding tests (when the queued callbacks run), so
that a sign-up's queued matching can be followed to its pairs; a test that checks what is
queued sets the database backend back."""

import pytest

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE
