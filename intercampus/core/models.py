"""The audit log (who changed what, when, with the values before and after) and the notices
addressed to an institution's staff."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from intercampus.core.notice_text import render_message


class AuditEntry(models.Model):
    """One recorded change of personal, contractual or consortium data."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A dotted code such as ``network.meeting.created``; stable, so reports can filter on it.
    action = models.CharField(_("action"), max_length=100, db_index=True)
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The institution whose data changed, if any."),
    )
    consortium = models.ForeignKey(
        "network.Consortium",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The consortium whose data changed, if any."),
    )
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=100)
    object_repr = models.CharField(_("object"), max_length=300)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """The fields whose value differs, as (name, before, after), for display."""
        before, after = self.before or {}, self.after or {}
        names = sorted(set(before) | set(after))
        return [(n, before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)]


class Notification(models.Model):
    """A notice for the staff of one institution, listed in its staff area (often e-mailed too).

    Cross-app: any app can address its notices here; ``kind`` is a dotted code owned by the
    app (``mobility.agreement.changed``) and the app renders the text from ``kind`` and
    ``params`` in the reader's language, so nothing is stored in the sender's language.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("for"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    sender = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    # What it is about (e.g. an agreement's UUID), so that repeated notices can be folded.
    subject = models.CharField(_("about"), max_length=100, blank=True, db_index=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    # A path in the recipient's staff area.
    link = models.CharField(_("link"), max_length=500, blank=True)
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # Moved forward when a later change is folded into this unread notice.
    updated = models.DateTimeField(_("last change"), auto_now=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-updated", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} → {self.institution_id}"


class PersonalNotice(models.Model):
    """A notice for one person (a promotion from a waitlist, a reminder, a result), shown on
    their own page in the language they read it in: ``message`` (an English message marked
    for translation) and its ``params`` are translated when shown; ``text`` keeps the wording
    sent (in the person's language then), shown for notices that have no ``message``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    text = models.CharField(_("message"), max_length=500)
    message = models.CharField(_("message to translate"), max_length=500, blank=True)
    params = models.JSONField(_("message values"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("personal notice")
        verbose_name_plural = _("personal notices")

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"

    @property
    def display_text(self) -> str:
        """The notice in the active language."""
        if not self.message:
            return self.text
        return render_message(self.message, self.params)
