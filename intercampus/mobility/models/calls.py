"""Mobility calls, the places students rank, and their applications."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from intercampus.mobility.choices import (
    ApplicationState,
    CallStatus,
    DocumentKind,
    MobilityType,
)
from intercampus.mobility.models.agreements import academic_year_validator

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Call(models.Model):
    """A home institution's call for outgoing mobility applications."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="calls"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    academic_year = models.CharField(
        _("academic year"), max_length=9, validators=[academic_year_validator]
    )
    terms = models.JSONField(
        _("terms"), default=list, blank=True, help_text=_("EWP term ids, e.g. 2027/2028-1/2.")
    )
    mobility_type = models.CharField(
        _("mobility type"),
        max_length=30,
        choices=MobilityType.choices,
        default=MobilityType.STUDENT_STUDIES,
    )
    # Stored in UTC; shown and entered in the owner's time zone.
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    status = models.CharField(
        _("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT
    )
    max_choices = models.PositiveSmallIntegerField(
        _("ranked choices allowed"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    eligible_cycles = models.JSONField(
        _("eligible study cycles (EQF)"),
        default=list,
        blank=True,
        help_text=_("Leave empty to accept every cycle."),
    )
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    weight_grades = models.PositiveSmallIntegerField(
        _("weight of grades (%)"), default=60, validators=PERCENT
    )
    weight_language = models.PositiveSmallIntegerField(
        _("weight of language level (%)"), default=20, validators=PERCENT
    )
    weight_committee = models.PositiveSmallIntegerField(
        _("weight of committee score (%)"), default=20, validators=PERCENT
    )
    # Drawn once when the call is created; ties are broken by numbers derived from it.
    lottery_seed = models.BigIntegerField(editable=False)
    created = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(institution="owner")

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Place(models.Model):
    """What a student can rank: seats at a host under one cooperation condition."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="places")
    condition = models.ForeignKey(
        "mobility.CooperationCondition", on_delete=models.PROTECT, related_name="places"
    )
    host_hei_id = models.CharField(_("host (SCHAC)"), max_length=100)
    host = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_places",
    )
    subject_area = models.CharField(_("subject area (ISCED-F)"), max_length=4, blank=True)
    eqf_levels = models.JSONField(_("study cycles (EQF)"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=20, blank=True)
    min_cefr = models.CharField(_("minimum language level"), max_length=2, blank=True)
    seats = models.PositiveIntegerField(_("seats"))

    class Meta:
        ordering = ["host_hei_id", "subject_area"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        area = f" {self.subject_area}" if self.subject_area else ""
        return f"{self.host or self.host_hei_id}{area}"


class Application(models.Model):
    """A student's application to a call, with ranked choices; personal data of the home."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    owner = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="applications"
    )
    student = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="applications"
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ApplicationState.choices,
        default=ApplicationState.DRAFT,
    )
    grade_average = models.DecimalField(
        _("grade average (0–100)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    cycle = models.PositiveSmallIntegerField(_("study cycle (EQF)"), null=True, blank=True)
    languages = models.JSONField(
        _("languages"), default=dict, blank=True, help_text=_("Language tag → CEFR level.")
    )
    motivation = models.TextField(_("motivation"), blank=True)
    # Everything the student typed, exactly as typed (also what is not valid yet), so that a
    # draft is never lost: the valid part is also saved in the fields above.
    draft = models.JSONField(default=dict, blank=True, editable=False)
    committee_score = models.DecimalField(
        _("committee score (0–100)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    score = models.DecimalField(
        _("score"), max_digits=6, decimal_places=2, null=True, blank=True, editable=False
    )
    tiebreak = models.BigIntegerField(_("lottery number"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    saved_at = models.DateTimeField(_("saved"), auto_now=True)

    objects = ScopedManager(institution="owner")

    class Meta:
        ordering = ["-score", "tiebreak"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["call", "student"], name="one_application_per_call")
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.call}"


class ApplicationChoice(models.Model):
    """One ranked choice of an application, with the result of the eligibility check."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="choices")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="choices")
    rank = models.PositiveSmallIntegerField(_("rank"))
    eligible = models.BooleanField(_("eligible"), null=True)
    reasons = models.JSONField(_("why not eligible"), default=list, blank=True)

    objects = ScopedManager(institution="application__owner")

    class Meta:
        ordering = ["application", "rank"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="choice_rank_unique"),
            models.UniqueConstraint(fields=["application", "place"], name="choice_place_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.place}"


def document_path(instance: ApplicationDocument, filename: str) -> str:
    # Random names: the original name is kept in the row, never trusted as a path.
    return f"applications/{instance.application.uuid}/{uuid.uuid4().hex}"


class ApplicationDocument(models.Model):
    """A document uploaded with an application (type and size checked on upload)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(institution="application__owner")

    class Meta:
        ordering = ["kind", "-uploaded_at"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return self.original_name
