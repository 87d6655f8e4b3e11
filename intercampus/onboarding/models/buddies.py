"""The buddy programme: a host's programme, its volunteer buddies and its newcomers, the
matches the matching proposes, and the buddies' check-ins.

Everything belongs to the host institution that runs the programme and is scoped by it.
The matching itself is the pure module ``onboarding.matching``; ``services.buddies`` turns
these rows into its input and stores its output with the parts of each score.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from intercampus.mobility.choices import CEFR_ORDER
from intercampus.onboarding import matching

MIN_CAPACITY = 1
MAX_CAPACITY = 5
MAX_WEIGHT = 1000


class CefrLevel(models.TextChoices):
    """Common European Framework of Reference levels and EWP's NS (native speaker), in the
    platform's one order (``mobility.choices.CEFR_ORDER``); B1 and up count for matching."""

    A1 = "A1", _("A1 (beginner)")
    A2 = "A2", _("A2 (elementary)")
    B1 = "B1", _("B1 (intermediate)")
    B2 = "B2", _("B2 (upper intermediate)")
    C1 = "C1", _("C1 (advanced)")
    C2 = "C2", _("C2 (proficient)")
    NS = "NS", _("Native speaker")


# The lowest level at which a shared language counts for matching.
MATCHING_MINIMUM = CefrLevel.B1
# A shared language counts for matching only at these levels (native speakers included:
# applications give mother tongues as NS).
MATCHING_LEVELS = frozenset(
    level for level, rank in CEFR_ORDER.items() if rank >= CEFR_ORDER[MATCHING_MINIMUM]
)


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED_BY_BUDDY = "declined_by_buddy", _("Declined by the buddy")
    DECLINED_BY_NEWCOMER = "declined_by_newcomer", _("Declined by the newcomer")
    ENDED = "ended", _("Ended")


# A match that holds a buddy's slot and the newcomer: kept as it is by every new run.
LIVE_STATUSES = (MatchStatus.PROPOSED, MatchStatus.ACCEPTED)
DECLINED_STATUSES = (MatchStatus.DECLINED_BY_BUDDY, MatchStatus.DECLINED_BY_NEWCOMER)
# The newcomer had (or has) a buddy: live or ended matches.
HELD_STATUSES = (*LIVE_STATUSES, MatchStatus.ENDED)


class CheckInKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call")
    MESSAGE = "message", _("Message")
    EVENT = "event", _("Event together")


def _weight(default: int, label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MaxValueValidator(MAX_WEIGHT)]
    )


class BuddyProgramme(models.Model):
    """A host's buddy programme on one campus, with the weights of its compatibility score."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("host institution"),
        on_delete=models.CASCADE,
        related_name="buddy_programmes",
    )
    name = models.CharField(_("name"), max_length=200)
    campus = models.CharField(_("campus"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    # When not empty, sign-ups choose their interests from this list; otherwise free tags.
    interest_choices = models.JSONField(_("interests to choose from"), default=list, blank=True)
    weight_two_languages = _weight(
        matching.DEFAULT_WEIGHTS.two_languages, _("points for two or more shared languages")
    )
    weight_one_language = _weight(
        matching.DEFAULT_WEIGHTS.one_language, _("points for one shared language")
    )
    weight_faculty = _weight(matching.DEFAULT_WEIGHTS.faculty, _("points for the same faculty"))
    weight_interests = _weight(
        matching.DEFAULT_WEIGHTS.interests, _("points for common interests (all in common)")
    )
    weight_availability = _weight(
        matching.DEFAULT_WEIGHTS.availability, _("points for arriving within the availability")
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Open to sign-ups, and matched automatically.")
    )
    # Set when a matching run is queued for the worker, cleared when a run starts: at most
    # one run waits per programme, and the pages say that matching is on its way.
    matching_queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("buddy programme")
        verbose_name_plural = _("buddy programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name"], name="buddy_programme_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weights(self) -> matching.Weights:
        return matching.Weights(
            two_languages=self.weight_two_languages,
            one_language=self.weight_one_language,
            faculty=self.weight_faculty,
            interests=self.weight_interests,
            availability=self.weight_availability,
        )


class _Participant(models.Model):
    """What buddies and newcomers both state: languages, faculty and interests."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # {"en": "C1", "de": "B1"}: language tag -> CEFR level.
    languages = models.JSONField(_("languages"), default=dict)
    faculty = models.ForeignKey(
        "institutions.OrganisationalUnit",
        verbose_name=_("faculty"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When the host's faculty is not listed: a free label (compared case-insensitively).
    faculty_label = models.CharField(_("faculty (other)"), max_length=200, blank=True)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    created = models.DateTimeField(_("signed up"), auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def matching_languages(self) -> frozenset[str]:
        """The languages spoken at B1 or better: the only ones matching counts."""
        return frozenset(
            t for t, level in (self.languages or {}).items() if level in MATCHING_LEVELS
        )

    @property
    def faculty_key(self) -> str | None:
        """What "the same faculty" compares: the unit, else the label ignoring case."""
        if self.faculty_id:
            return f"unit:{self.faculty_id}"
        label = " ".join(self.faculty_label.split()).casefold()
        return f"label:{label}" if label else None

    @property
    def faculty_name(self) -> str:
        return self.faculty.name if self.faculty_id else self.faculty_label

    @property
    def languages_sorted(self) -> list[tuple[str, str]]:
        return sorted((self.languages or {}).items())


class BuddyProfile(_Participant):
    """A local student volunteering as a buddy in a programme, for up to five newcomers."""

    programme = models.ForeignKey(
        BuddyProgramme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="buddies",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("buddy"),
        on_delete=models.PROTECT,
        related_name="buddy_profiles",
    )
    available_from = models.DateField(_("available from"))
    available_to = models.DateField(_("available until"))
    capacity = models.PositiveSmallIntegerField(
        _("how many newcomers"),
        default=MIN_CAPACITY,
        validators=[MinValueValidator(MIN_CAPACITY), MaxValueValidator(MAX_CAPACITY)],
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Takes new newcomers when matching runs.")
    )

    objects = ScopedManager(institution="programme__institution")

    class Meta:
        ordering = ["programme", "created", "id"]
        verbose_name = _("buddy")
        verbose_name_plural = _("buddies")
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="buddy_profile_unique"),
            models.CheckConstraint(
                condition=Q(capacity__gte=MIN_CAPACITY, capacity__lte=MAX_CAPACITY),
                name="buddy_profile_capacity_range",
            ),
            models.CheckConstraint(
                condition=Q(available_to__gte=models.F("available_from")),
                name="buddy_profile_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.programme_id})"


class NewcomerProfile(_Participant):
    """A newcomer accepted by the host who wants a buddy: what they speak and like, and when
    they arrive."""

    programme = models.ForeignKey(
        BuddyProgramme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="newcomers",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("newcomer"),
        on_delete=models.PROTECT,
        related_name="newcomer_profiles",
    )
    arrival_date = models.DateField(_("arrival date"))
    journey = models.ForeignKey(
        "onboarding.Journey",
        verbose_name=_("arrival journey"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newcomer_profiles",
    )

    objects = ScopedManager(institution="programme__institution")

    class Meta:
        ordering = ["programme", "arrival_date", "id"]
        verbose_name = _("newcomer")
        verbose_name_plural = _("newcomers")
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="newcomer_profile_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.programme_id})"


class BuddyMatch(models.Model):
    """A buddy and a newcomer put together by a matching run, with why (the score's parts)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        BuddyProgramme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="matches",
    )
    buddy = models.ForeignKey(
        BuddyProfile, verbose_name=_("buddy"), on_delete=models.CASCADE, related_name="matches"
    )
    newcomer = models.ForeignKey(
        NewcomerProfile,
        verbose_name=_("newcomer"),
        on_delete=models.CASCADE,
        related_name="matches",
    )
    status = models.CharField(
        _("status"), max_length=25, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    # {"languages": 35, "faculty": 0, "interests": 8, "availability": 15, "total": 58}
    score = models.JSONField(_("score"), default=dict)
    shared_languages = models.JSONField(_("shared languages"), default=list, blank=True)
    shared_interests = models.JSONField(_("common interests"), default=list, blank=True)
    matched_at = models.DateTimeField(_("matched at"))
    # The matching run that proposed the pair (its UUID, in the audit log) and its algorithm.
    run = models.UUIDField(_("matching run"))
    algorithm_version = models.CharField(_("algorithm"), max_length=50)
    buddy_accepted_at = models.DateTimeField(_("accepted by the buddy"), null=True, blank=True)
    newcomer_accepted_at = models.DateTimeField(
        _("accepted by the newcomer"), null=True, blank=True
    )
    responded_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    declined_reason = models.TextField(_("reason for declining"), blank=True)

    objects = ScopedManager(institution="programme__institution")

    class Meta:
        ordering = ["-matched_at", "id"]
        verbose_name = _("buddy match")
        verbose_name_plural = _("buddy matches")
        constraints = [
            # A newcomer has at most one buddy at a time.
            models.UniqueConstraint(
                fields=["newcomer"],
                condition=Q(status__in=["proposed", "accepted"]),
                name="buddy_match_one_live_per_newcomer",
            )
        ]
        indexes = [
            models.Index(fields=["programme", "status"], name="buddy_match_programme_status")
        ]

    def __str__(self) -> str:
        return f"{self.buddy_id} + {self.newcomer_id}: {self.status}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def total(self) -> int:
        return int((self.score or {}).get("total", 0))


class CheckIn(models.Model):
    """A buddy's record of time spent with their newcomer."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    match = models.ForeignKey(
        BuddyMatch, verbose_name=_("match"), on_delete=models.CASCADE, related_name="checkins"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=CheckInKind.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), default=0, validators=[MaxValueValidator(24 * 60)]
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(institution="match__programme__institution")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.kind} on {self.date}"
