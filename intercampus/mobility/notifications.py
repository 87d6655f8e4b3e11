"""Telling a partner on the platform that our copy of an agreement changed.

The partner's staff see a notice in their staff area (``core.Notification``) and its
international relations officers get an e-mail (templates ``mobility/emails/agreement_notice_*``)
in their own language, with a link to the page where they act: their own linked copy, or,
when they have none yet, our copy as it reaches them, from which they create theirs.

A partner elsewhere is told through EWP (an IIA CNR), which is not done here.
Repeated changes fold into the partner's unread notice, and only a new notice sends e-mail,
so that editing five conditions in a row does not send five e-mails.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from intercampus.core.models import Notification
from intercampus.institutions.models import Institution

logger = logging.getLogger(__name__)

CREATED = "mobility.agreement.created"
CHANGED = "mobility.agreement.changed"
LINKED = "mobility.agreement.linked"
ADOPTED = "mobility.agreement.adopted"
APPROVED = "mobility.agreement.approved"
TERMINATED = "mobility.agreement.terminated"
DELETED = "mobility.agreement.deleted"

MESSAGES = {
    CREATED: _("{sender} proposed a new agreement, {code}: create your copy from theirs."),
    CHANGED: _("{sender} changed its copy of agreement {code}."),
    LINKED: _("{sender} linked its copy of agreement {code} to yours."),
    ADOPTED: _("{sender} created its copy of agreement {code} from yours and linked them."),
    APPROVED: _("{sender} approved your copy of agreement {code}."),
    TERMINATED: _("{sender} terminated agreement {code} as a whole."),
    DELETED: _("{sender} deleted its copy of agreement {code}; yours is no longer linked."),
}
# Notices that a later change of the same copy may replace while they are unread.
FOLDABLE = frozenset({CREATED, CHANGED, LINKED, ADOPTED})


def describe(notice: Notification) -> str:
    """The notice in the reader's language."""
    template = MESSAGES.get(notice.kind)
    sender = notice.sender.display_name if notice.sender else notice.params.get("sender", "")
    if template is None:
        return notice.kind
    return str(template).format(sender=sender, code=notice.params.get("code", ""))


def partner_link(recipient: Institution, theirs: Any, ours: Any) -> str:
    """Where the recipient acts: its own copy, else our copy as it reaches it, else its list."""
    if theirs is not None:
        return reverse(
            "staff:agreement_detail",
            kwargs={"institution": recipient.schac, "agreement": theirs.uuid},
        )
    if ours is not None:
        return reverse(
            "staff:agreement_incoming", kwargs={"institution": recipient.schac, "copy": ours.uuid}
        )
    return reverse("staff:agreements", kwargs={"institution": recipient.schac})


def agreement_notify(
    *, agreement: Any, kind: str, params: dict | None = None
) -> Notification | None:
    """Tell the partner of ``agreement`` (when it is on the platform) what we did to our copy."""
    from intercampus.mobility.selectors.agreements import is_linked, partner_copy

    recipient = Institution.objects.filter(schac=agreement.partner_hei_id).first()
    if recipient is None:
        return None
    theirs = partner_copy(agreement)
    return notify(
        recipient=recipient,
        sender=agreement.owner,
        kind=kind,
        subject=str(agreement.uuid),
        params={"code": agreement.iia_code, **(params or {})},
        link=partner_link(recipient, theirs if is_linked(agreement, theirs) else None, agreement),
    )


def agreement_deleted_notify(
    *, owner: Institution, partner_hei_id: str, code: str, theirs: Any
) -> Notification | None:
    recipient = Institution.objects.filter(schac=partner_hei_id).first()
    if recipient is None:
        return None
    return notify(
        recipient=recipient,
        sender=owner,
        kind=DELETED,
        params={"code": code},
        link=partner_link(recipient, theirs, None),
    )


def notify(
    *,
    recipient: Institution,
    sender: Institution | None,
    kind: str,
    params: dict,
    link: str,
    subject: str = "",
) -> Notification:
    """Leave a notice for ``recipient``'s staff and e-mail its officers once committed.

    Cross-tenant on purpose: the sender's request writes a row of the recipient, which is how
    a notice reaches it; the rows read here are the recipient's unread notices on ``subject``.
    """
    with scopes_disabled():
        folded = None
        if kind in FOLDABLE and subject:
            folded = Notification.objects.filter(
                institution=recipient,
                sender=sender,
                subject=subject,
                kind__in=FOLDABLE,
                read_at__isnull=True,
            ).first()
        if folded is not None:
            # An unread "proposed" stays "proposed": the partner has not looked yet.
            if folded.kind != CREATED:
                folded.kind = kind
            folded.params = params
            folded.link = link
            folded.save()
            return folded
        notice = Notification(
            institution=recipient,
            sender=sender,
            kind=kind,
            subject=subject,
            params=params,
            link=link,
        )
        notice.save()
    transaction.on_commit(lambda: send_notice_emails(notice))
    return notice


def send_notice_emails(notice: Notification) -> int:
    """E-mail the notice to the recipient's international officers, each in their language.

    A failing mail server must not undo the change that was made: errors are logged.
    """
    from intercampus.mobility.selectors.agreements import iro_emails

    sent = 0
    url = absolute_url(notice.link)
    for email, language in iro_emails(notice.institution):
        with translation.override(language or settings.LANGUAGE_CODE):
            context = {
                "message": describe(notice),
                "url": url,
                "institution": notice.institution,
                "sender": notice.sender,
            }
            subject = " ".join(
                render_to_string("mobility/emails/agreement_notice_subject.txt", context).split()
            )
            body = render_to_string("mobility/emails/agreement_notice_body.txt", context)
            html = render_to_string("mobility/emails/agreement_notice_body.html", context)
        try:
            sent += send_mail(subject, body, None, [email], html_message=html)
        except Exception:  # noqa: BLE001 - any transport error; the notice stays in the app
            logger.exception("Could not e-mail notice %s to %s", notice.uuid, email)
    return sent


def absolute_url(path: str) -> str:
    """``path`` on the site's public address (setting ``SITE_URL``), for e-mails."""
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{path}" if path.startswith("/") else path


def notice_mark_read(*, actor: Any, notice: Notification) -> Notification:
    """Mark one notice read by ``actor`` (no audit: a notice is not contractual data)."""
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.read_by = actor
        notice.save(update_fields=["read_at", "read_by"])
    return notice


def notices_mark_all_read(*, actor: Any, institution: Institution) -> int:
    """Mark every unread agreement notice of ``institution`` read."""
    from intercampus.mobility.selectors.agreements import agreement_notices

    return agreement_notices(institution, unread_only=True).update(
        read_at=timezone.now(), read_by=actor
    )
