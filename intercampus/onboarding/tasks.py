"""Background work of the onboarding app (django-tasks; run by ``intercampus worker``).

``send_journey_reminders`` is meant to run every day (or every hour: each reminder goes out at
most once whatever the frequency). Enqueue it with ``send_journey_reminders.enqueue()``.

``match_buddies`` is defined beside the service that queues it (``services.buddies``, so that
it need not import this module back) and listed here; its old path still imports.
"""

from __future__ import annotations

from django_tasks import task

from intercampus.onboarding.services.buddies import match_buddies
from intercampus.onboarding.services.reminders import DEFAULT_DAYS_BEFORE, reminders_send


@task()
def send_journey_reminders(days_before: int = DEFAULT_DAYS_BEFORE) -> dict[str, int]:
    """E-mail and show newcomers their steps due within ``days_before`` days, and their late
    steps; each reminder at most once. Returns the counts, kept with the task's result."""
    run = reminders_send(days_before=days_before)
    return {
        "due_soon": run.before,
        "late": run.late,
        "journeys": len(run.journeys),
        "emails": run.emails,
    }


__all__ = ["match_buddies", "send_journey_reminders"]
