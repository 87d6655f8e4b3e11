"""The fixed vocabularies of events: kinds, audiences, registration states and groups."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    INTEGRATION = "integration", _("Integration event")
    SEMINAR = "seminar", _("Seminar")
    SUMMER_SCHOOL = "summer_school", _("Summer school")


class Audience(models.TextChoices):
    """Who may see and register for an event."""

    EVERYONE = "everyone", _("Everyone signed in")
    STUDENTS = "students", _("Students of the organiser (local and incoming)")
    NEWCOMERS = "newcomers", _("Newcomers to the organiser")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")


class Group(models.TextChoices):
    """Which quota a registration counts against."""

    LOCAL = "local", _("Local student")
    INTERNATIONAL = "international", _("International student")


# A registration in one of these states holds a seat.
SEAT_STATUSES = frozenset(
    {RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW}
)
# Not cancelled: at most one such registration per person and event.
ACTIVE_STATUSES = SEAT_STATUSES | {RegistrationStatus.WAITLISTED}
