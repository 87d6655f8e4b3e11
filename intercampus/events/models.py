"""Events (integration events, seminars, later summer schools) and registrations for them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from intercampus.events.choices import Audience, EventKind, Group, RegistrationStatus


class Event(models.Model):
    """A dated event organised by one institution, with seats that people register for."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The organiser, and the tenant that owns the registrations.
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, default=EventKind.INTEGRATION
    )
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    registration_opens = models.DateTimeField(
        _("registration opens"),
        null=True,
        blank=True,
        help_text=_("Empty: as soon as the event is published."),
    )
    registration_closes = models.DateTimeField(
        _("registration closes"),
        null=True,
        blank=True,
        help_text=_("Empty: when the event starts."),
    )
    audience = models.CharField(
        _("open to"), max_length=20, choices=Audience.choices, default=Audience.STUDENTS
    )
    local_quota = models.PositiveIntegerField(
        _("seats reserved for local students"),
        default=0,
        help_text=_("International students cannot take these seats."),
    )
    international_quota = models.PositiveIntegerField(
        _("seats reserved for international students"),
        default=0,
        help_text=_("Local students cannot take these seats."),
    )
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Students see only published events.")
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts", "title"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["institution", "starts"], name="event_owner_starts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="event_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.starts and self.ends and self.ends <= self.starts:
            errors.setdefault("ends", []).append(_("The event must end after it starts."))
        if not self.place and not self.link:
            errors.setdefault("place", []).append(_("Give a place, an online link, or both."))
        if self.capacity is not None and (
            (self.local_quota or 0) + (self.international_quota or 0) > self.capacity
        ):
            errors.setdefault("local_quota", []).append(
                _("The reserved seats add up to more than the event has.")
            )
        opens, closes = self.registration_opens, self.registration_closes
        if opens and closes and closes <= opens:
            errors.setdefault("registration_closes", []).append(
                _("Registration must close after it opens.")
            )
        if closes and self.starts and closes > self.starts:
            errors.setdefault("registration_closes", []).append(
                _("Registration must close by the time the event starts.")
            )
        if errors:
            raise ValidationError(errors)

    @property
    def quotas(self) -> dict[str, int]:
        return {Group.LOCAL: self.local_quota, Group.INTERNATIONAL: self.international_quota}

    @property
    def closes_at(self):
        return self.registration_closes or self.starts

    def registration_open(self, now=None) -> bool:
        now = now or timezone.now()
        opens = self.registration_opens
        return self.published and (opens is None or opens <= now) and now < self.closes_at

    def has_started(self, now=None) -> bool:
        return (now or timezone.now()) >= self.starts


class Registration(models.Model):
    """One person's registration for an event: a seat, a place on the waitlist, or cancelled.

    Personal data of the organiser, scoped to it.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus.choices)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    # Arrival order within the event: 1, 2, 3... handed out while the event's row is locked,
    # so in the order registrations committed, without gaps (see services).
    sequence = models.PositiveIntegerField(_("arrival number"), editable=False)
    created = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("seat since"), null=True, blank=True)
    # Set when a seat came from the waitlist; the person's own page says so.
    promoted_at = models.DateTimeField(_("moved up from the waitlist at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    objects = ScopedManager(institution="event__institution")

    class Meta:
        ordering = ["event", "sequence"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [
            models.Index(fields=["event", "status", "sequence"], name="registration_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~Q(status="cancelled"),
                name="registration_active_unique",
            ),
            models.UniqueConstraint(fields=["event", "sequence"], name="registration_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.event} ({self.get_status_display()})"
