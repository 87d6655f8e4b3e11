"""Notices to one person, in their own language, on their page (and by e-mail when asked)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from intercampus.core.models import PersonalNotice


def notify_person(
    *,
    user: Any,
    kind: str,
    text: Callable[[], str],
    link: str = "",
    email_subject: Callable[[], str] | None = None,
) -> PersonalNotice:
    """Leave ``user`` a notice; ``text`` (and ``email_subject``) are called with the user's
    language active, so the message reads in their language. The e-mail, when asked for, is
    sent after the surrounding transaction commits."""
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        message = str(text())[:500]
        subject = str(email_subject()) if email_subject else ""
    notice = PersonalNotice.objects.create(user=user, kind=kind, text=message, link=link)
    if subject and user.email:
        url = f"{settings.SITE_URL}{link}" if link else settings.SITE_URL
        body = f"{message}\n\n{url}\n"
        transaction.on_commit(
            lambda: send_mail(subject, body, None, [user.email], fail_silently=True)
        )
    return notice


def unread_notices_of(user: Any) -> list[PersonalNotice]:
    return list(PersonalNotice.objects.filter(user=user, read_at__isnull=True)[:50])


def mark_notices_read(*, user: Any) -> int:
    """Mark every unread notice of ``user`` read; returns how many."""
    return PersonalNotice.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
