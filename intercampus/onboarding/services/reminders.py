"""Reminding newcomers of their steps: automatically before a step is due and when it is late
(run by the background task in ``onboarding.tasks``), and in bulk by staff from the cohort
dashboard.

Automatic reminders cover the steps the newcomer does themselves (owner "student"); steps of
the offices are followed on the dashboard. Each automatic reminder goes out at most once per
step state: the task claims ``reminded_before_at`` / ``reminded_late_at`` with a conditional
UPDATE before it sends, so two workers never send the same one. A step already past due when
the journey started is shown as late but never reminded as late. The reminder reaches the
newcomer by e-mail and in the app: a personal notice (``core.notices``) on their page, and
their journey page lists the steps they were reminded of.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_noop
from django_scopes import scope, scopes_disabled

from intercampus.core.audit import audit_log
from intercampus.core.notices import notify_person
from intercampus.institutions.models import Institution
from intercampus.onboarding import clock
from intercampus.onboarding.choices import StepOwner, StepStatus
from intercampus.onboarding.models import Journey, JourneyStepState

logger = logging.getLogger(__name__)

DEFAULT_DAYS_BEFORE = 3
NOTICE_KIND = "onboarding.journey.reminder"


@dataclass
class ReminderRun:
    """What one run of the reminders sent."""

    before: int = 0
    late: int = 0
    emails: int = 0
    journeys: set[int] = field(default_factory=set)


def journey_path() -> str:
    try:
        return reverse("journey:home")
    except NoReverseMatch:
        return "/me/journey/"


def journey_url() -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{journey_path()}"


def leave_notice(
    journey: Journey, due_soon: list[JourneyStepState], late: list[JourneyStepState]
) -> None:
    """The in-app side of a reminder: a notice on the newcomer's page, in their language."""

    params = {
        "host": journey.institution.display_name,
        "n": len(late),
        "titles": ", ".join(s.step.title for s in [*late, *due_soon]),
    }
    if late:
        message = gettext_noop("Your arrival journey at {host}: {n} steps are late: {titles}.")
    else:
        message = gettext_noop("Your arrival journey at {host}: steps due soon: {titles}.")
    notify_person(
        user=journey.newcomer, kind=NOTICE_KIND, message=message, params=params, link=journey_path()
    )


def send_journey_email(
    journey: Journey,
    *,
    due_soon: Iterable[JourneyStepState] = (),
    late: Iterable[JourneyStepState] = (),
    from_staff: bool = False,
) -> int:
    """E-mail the newcomer about their steps, in their language. Errors are logged, not
    raised: the reminder is also shown in the app."""
    newcomer = journey.newcomer
    language = newcomer.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "journey": journey,
            "host": journey.institution,
            "newcomer": newcomer,
            "due_soon": list(due_soon),
            "late": list(late),
            "from_staff": from_staff,
            "url": journey_url(),
        }
        subject = " ".join(
            render_to_string("onboarding/emails/reminder_subject.txt", context).split()
        )
        body = render_to_string("onboarding/emails/reminder_body.txt", context)
        html = render_to_string("onboarding/emails/reminder_body.html", context)
    try:
        return send_mail(subject, body, None, [newcomer.email], html_message=html)
    except Exception:  # noqa: BLE001 - any transport error; the reminder stays in the app
        logger.exception("Could not e-mail journey reminder %s", journey.uuid)
        return 0


def _claim(state_pk: int, field_name: str, now: datetime.datetime) -> bool:
    """Mark one reminder as sent; False when another run sent it first."""
    claimed = JourneyStepState.objects.filter(pk=state_pk, **{f"{field_name}__isnull": True})
    return claimed.update(**{field_name: now}) == 1


def _host_reminders(host: Institution, now: datetime.datetime, days_before: int) -> ReminderRun:
    run = ReminderRun()
    today = clock.host_today(host, now)
    mine = JourneyStepState.objects.filter(
        journey__institution=host, status=StepStatus.TODO, step__owner_role=StepOwner.STUDENT
    )
    soon = mine.filter(
        reminded_before_at__isnull=True,
        due_date__gte=today,
        due_date__lte=today + datetime.timedelta(days=days_before),
    )
    late = mine.filter(
        reminded_late_at__isnull=True,
        due_date__lt=today,
        due_date__gte=F("journey__started_on"),
    )
    by_journey: dict[int, tuple[list, list]] = {}
    for kind, candidates, field_name in (
        (0, soon, "reminded_before_at"),
        (1, late, "reminded_late_at"),
    ):
        for state in candidates.select_related("step").order_by("due_date", "id"):
            if _claim(state.pk, field_name, now):
                by_journey.setdefault(state.journey_id, ([], []))[kind].append(state)
    journeys = Journey.objects.filter(pk__in=by_journey).select_related("newcomer", "institution")
    for journey in journeys:
        due_soon, overdue = by_journey[journey.pk]
        run.before += len(due_soon)
        run.late += len(overdue)
        run.journeys.add(journey.pk)
        leave_notice(journey, due_soon, overdue)
        run.emails += send_journey_email(journey, due_soon=due_soon, late=overdue)
    return run


def reminders_send(
    *, now: datetime.datetime | None = None, days_before: int = DEFAULT_DAYS_BEFORE
) -> ReminderRun:
    """Send every reminder that is due now, each at most once (see the module's docstring).

    Runs across hosts (a background task has no request scope); each host's part runs in its
    own scope with its own "today".
    """
    now = now or clock.current_time()
    total = ReminderRun()
    with scopes_disabled():
        host_ids = (
            JourneyStepState.objects.filter(
                status=StepStatus.TODO,
                step__owner_role=StepOwner.STUDENT,
            )
            .filter(Q(reminded_before_at__isnull=True) | Q(reminded_late_at__isnull=True))
            .values_list("journey__institution", flat=True)
            .distinct()
        )
        hosts = list(Institution.objects.filter(pk__in=list(host_ids)))
    for host in hosts:
        with scope(institution=host):
            run = _host_reminders(host, now, days_before)
        total.before += run.before
        total.late += run.late
        total.emails += run.emails
        total.journeys |= run.journeys
    return total


def journeys_remind(
    *,
    actor: Any,
    host: Institution,
    journeys: Iterable[Journey],
    days_before: int = DEFAULT_DAYS_BEFORE,
) -> int:
    """Staff remind the chosen newcomers of their late steps and those due within
    ``days_before`` days (whoever owns them). Each newcomer with something open gets one
    e-mail, and an audit entry records it. Returns how many newcomers were reminded."""
    now = clock.current_time()
    today = clock.host_today(host, now)
    horizon = today + datetime.timedelta(days=days_before)
    reminded = 0
    with transaction.atomic(), scope(institution=host):
        chosen = (
            Journey.objects.filter(institution=host, pk__in=[j.pk for j in journeys])
            .select_related("newcomer", "institution")
            .order_by("pk")
        )
        states_by_journey: dict[int, list[JourneyStepState]] = {}
        open_states = JourneyStepState.objects.filter(
            journey__in=chosen, status=StepStatus.TODO, due_date__lte=horizon
        ).select_related("step")
        for state in open_states.order_by("due_date", "id"):
            states_by_journey.setdefault(state.journey_id, []).append(state)
        for journey in chosen:
            states = states_by_journey.get(journey.pk, [])
            if not states:
                continue
            late = [s for s in states if s.due_date < today]
            soon = [s for s in states if s.due_date >= today]
            journey.last_reminded_at = now
            journey.save(update_fields=["last_reminded_at"])
            audit_log(
                actor=actor,
                action="onboarding.journey.reminded",
                obj=journey,
                after={
                    "late": [str(s.step.uuid) for s in late],
                    "due_soon": [str(s.step.uuid) for s in soon],
                },
                institution=host,
            )
            leave_notice(journey, soon, late)
            transaction.on_commit(
                lambda j=journey, s=soon, la=late: send_journey_email(
                    j, due_soon=s, late=la, from_staff=True
                )
            )
            reminded += 1
    return reminded
