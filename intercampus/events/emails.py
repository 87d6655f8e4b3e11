"""E-mails to people who registered: a seat came free for them, and the reminder the day
before. Each is written in the person's own language (templates ``events/emails/*``).

A failing mail server never undoes a registration: errors are logged and reported as False.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from intercampus.events.models import Registration

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """``path`` on the site's public address (setting ``SITE_URL``)."""
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


def _send(template: str, registration: Registration) -> bool:
    user, event = registration.user, registration.event
    context: dict[str, Any] = {
        "user": user,
        "event": event,
        "registration": registration,
        "starts": event.starts,
        "ends": event.ends,
        "zone": event.institution.timezone,
        "url": absolute_url(reverse("events:detail", kwargs={"event": event.uuid})),
        "calendar_url": absolute_url(reverse("events:ics", kwargs={"event": event.uuid})),
    }
    # Times as the organiser's clock shows them, the language the person chose.
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(event.institution.timezone):
        subject = " ".join(
            render_to_string(f"events/emails/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"events/emails/{template}_body.txt", context)
        html = render_to_string(f"events/emails/{template}_body.html", context)
    try:
        return bool(send_mail(subject, body, None, [user.email], html_message=html))
    except Exception:  # noqa: BLE001 - any transport error; the registration stands
        logger.exception("Could not e-mail %s about registration %s", template, registration.uuid)
        return False


def send_promotion_emails(registration_ids: list[int]) -> int:
    """Tell people who moved up from the waitlist that they have a seat now."""
    with scopes_disabled():
        registrations = list(
            Registration.objects.filter(pk__in=registration_ids).select_related(
                "user", "event", "event__institution"
            )
        )
    return sum(_send("promoted", r) for r in registrations)


def send_reminder_email(registration: Registration) -> bool:
    return _send("reminder", registration)
