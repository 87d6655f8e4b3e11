"""Background work of the events app (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from intercampus.events import services


@task()
def send_event_reminders() -> int:
    """E-mail everyone with a seat at an event that starts in 24 to 48 hours, once each.

    Safe to run as often as wanted (each reminder is claimed before it is sent): run it from
    the scheduler every hour with ``intercampus event_reminders --enqueue``.
    """
    return services.event_reminders_send()
