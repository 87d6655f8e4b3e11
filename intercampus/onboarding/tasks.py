"""Background work of the onboarding app (django-tasks; run by ``intercampus worker``).

``send_journey_reminders`` is meant to run every day (or every hour: each reminder goes out at
most once whatever the frequency). Enqueue it with ``send_journey_reminders.enqueue()``.
"""

from __future__ import annotations

from django_tasks import task

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


@task()
def match_buddies(programme_uuid: str, actor_id: int | None, trigger: str) -> dict[str, object]:
    """Match the programme's waiting newcomers; queued by sign-ups and declines
    (``services.buddies.match_after_commit``). Returns the run's figures."""
    from intercampus.onboarding.services.buddies import matching_run_queued

    return matching_run_queued(programme_uuid=programme_uuid, actor_id=actor_id, trigger=trigger)
