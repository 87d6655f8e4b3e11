"""Notices to one person, in the language they read them in, on their page (and by e-mail,
in their preferred language, when asked).

A notice keeps its message untranslated (marked with ``gettext_noop``) and the values to put
into it, and is translated when shown: a student who reads the site in Russian sees it in
Russian, whatever language was active when it was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from intercampus.core.models import PersonalNotice
from intercampus.core.notice_text import render_message

logger = logging.getLogger(__name__)

MAX_TEXT = 500


def notice_for(
    *,
    user_id: int,
    kind: str,
    message: str,
    params: Mapping[str, Any],
    link: str = "",
    text: str = "",
) -> PersonalNotice:
    """An unsaved notice (for bulk_create). ``text``, the wording as sent, defaults to the
    message in the active language."""
    return PersonalNotice(
        user_id=user_id,
        kind=kind,
        message=message,
        params=dict(params),
        text=(text or render_message(message, params))[:MAX_TEXT],
        link=link,
    )


def notify_person(
    *,
    user: Any,
    kind: str,
    message: str,
    params: Mapping[str, Any] | None = None,
    link: str = "",
    email_subject: str = "",
) -> PersonalNotice:
    """Leave ``user`` a notice. ``message`` (and ``email_subject``) are English messages
    marked with ``gettext_noop``, with ``{name}`` placeholders filled from ``params`` (plain
    values, stored as JSON). The notice is shown in the reader's language; the e-mail, when a
    subject is given, is written in the user's preferred language and sent after the
    surrounding transaction commits."""
    params = dict(params or {})
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        notice = notice_for(user_id=user.pk, kind=kind, message=message, params=params, link=link)
        subject = render_message(email_subject, params) if email_subject else ""
    notice.save()
    if subject and user.email:
        url = f"{settings.SITE_URL}{link}" if link else settings.SITE_URL
        body = f"{notice.text}\n\n{url}\n"
        transaction.on_commit(lambda: _send_notice_email(subject, body, user.email))
    return notice


def _send_notice_email(subject: str, body: str, address: str) -> None:
    # The notice is saved and shown on the person's page; a mail server that refuses the
    # e-mail must not undo that, but the operator has to hear of it.
    try:
        send_mail(subject, body, None, [address])
    except Exception:
        logger.exception("The e-mail of a personal notice to %s could not be sent", address)


def unread_notices_of(user: Any) -> list[PersonalNotice]:
    return list(PersonalNotice.objects.filter(user=user, read_at__isnull=True)[:50])


def mark_notices_read(*, user: Any) -> int:
    """Mark every unread notice of ``user`` read; returns how many."""
    return PersonalNotice.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
