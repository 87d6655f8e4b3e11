"""Arrival journeys: templates of steps per host and target group, and student journeys.

A template is the host's plan; a journey is that plan applied to one newcomer and one anchor
date (arrival or matriculation), with one state per step that applies in the host's country.
Everything belongs to the host institution and is scoped by it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_scopes import ScopedManager

from intercampus.onboarding.choices import (
    PHASE_ORDER,
    JourneySource,
    OffsetKind,
    Phase,
    StepCategory,
    StepOwner,
    StepStatus,
    TargetGroup,
)

MAX_LINKS = 10
# Offsets beyond a year either side are typing mistakes: the journey spans about six months.
MAX_OFFSET_DAYS = 365


def validate_links(value: Any) -> None:
    """A list of at most ten ``{"title": ..., "url": ...}`` with http(s) addresses."""
    if not isinstance(value, list):
        raise ValidationError(_("Links must be a list."))
    if len(value) > MAX_LINKS:
        raise ValidationError(_("At most {n} links.").format(n=MAX_LINKS))
    check_url = URLValidator(schemes=["http", "https"])
    for link in value:
        if not isinstance(link, dict) or set(link) != {"title", "url"}:
            raise ValidationError(_("Each link needs a title and an address, and nothing else."))
        if not str(link["title"]).strip():
            raise ValidationError(_("Each link needs a title."))
        try:
            check_url(str(link["url"]))
        except ValidationError:
            raise ValidationError(
                _("“{url}” is not a web address (http:// or https://).").format(url=link["url"])
            ) from None


def _step_document_path(instance: JourneyStep, filename: str) -> str:
    return f"journey-templates/{instance.template.uuid}/{uuid.uuid4().hex}"


def _evidence_path(instance: JourneyStepState, filename: str) -> str:
    return f"journeys/{instance.journey.uuid}/{uuid.uuid4().hex}"


class JourneyTemplate(models.Model):
    """A host's plan of steps for one target group of newcomers."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("host institution"),
        on_delete=models.CASCADE,
        related_name="journey_templates",
    )
    target_group = models.CharField(_("target group"), max_length=20, choices=TargetGroup.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The one active template per target group is the one new journeys start from.
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("New journeys of this target group start from the active template."),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["target_group", "name"]
        verbose_name = _("journey template")
        verbose_name_plural = _("journey templates")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "target_group"],
                condition=Q(active=True),
                name="journey_template_one_active_per_group",
            ),
            models.UniqueConstraint(
                fields=["institution", "name"], name="journey_template_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class JourneyStep(models.Model):
    """One thing to do in a journey, when (relative to the anchor date) and by whom."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    template = models.ForeignKey(JourneyTemplate, on_delete=models.CASCADE, related_name="steps")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_role = models.CharField(_("owner"), max_length=30, choices=StepOwner.choices)
    offset_days = models.IntegerField(
        _("offset in days"),
        help_text=_("Days from the anchor date (arrival or matriculation); negative for before."),
    )
    offset_kind = models.CharField(
        _("counted in"), max_length=10, choices=OffsetKind.choices, default=OffsetKind.CALENDAR
    )
    category = models.CharField(_("category"), max_length=20, choices=StepCategory.choices)
    required = models.BooleanField(_("required"), default=True)
    links = models.JSONField(_("links"), default=list, blank=True, validators=[validate_links])
    document = models.FileField(
        _("document"), upload_to=_step_document_path, blank=True, max_length=300
    )
    document_name = models.CharField(_("document name"), max_length=255, blank=True)
    document_type = models.CharField(max_length=50, blank=True)
    country = CountryField(
        _("only in country"),
        blank=True,
        help_text=_("The step applies only when the host is in this country (its own rules)."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = ScopedManager(institution="template__institution")

    class Meta:
        ordering = ["template", "position", "offset_days", "id"]
        verbose_name = _("journey step")
        verbose_name_plural = _("journey steps")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if abs(self.offset_days or 0) > MAX_OFFSET_DAYS:
            raise ValidationError(
                {"offset_days": _("Enter a number between -{n} and {n}.").format(n=MAX_OFFSET_DAYS)}
            )

    @property
    def phase_order(self) -> int:
        return PHASE_ORDER.get(self.phase, len(PHASE_ORDER))

    @property
    def offset_abs(self) -> int:
        """The offset without its sign, for "5 days before"."""
        return abs(self.offset_days or 0)

    def applies_in(self, country: str) -> bool:
        """Whether the step applies to a host in ``country`` (ISO 3166 alpha-2)."""
        return not self.country or str(self.country) == str(country)


class Journey(models.Model):
    """A newcomer's journey at a host institution, from one template and one anchor date."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("host institution"),
        on_delete=models.CASCADE,
        related_name="journeys",
    )
    newcomer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("newcomer"),
        on_delete=models.PROTECT,
        related_name="journeys",
    )
    template = models.ForeignKey(
        JourneyTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        related_name="journeys",
    )
    target_group = models.CharField(_("target group"), max_length=20, choices=TargetGroup.choices)
    anchor_date = models.DateField(
        _("anchor date"), help_text=_("Arrival or matriculation date, in the host's time zone.")
    )
    source = models.CharField(_("source"), max_length=20, choices=JourneySource.choices)
    # The nomination (its UUID) or another outside reference; no foreign key, so that the
    # host's journey does not depend on the home's records (which may live on another platform).
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created = models.DateTimeField(_("started"), auto_now_add=True)
    # The host's calendar date when the journey started: steps already past due then are
    # shown as late but never reminded as late (the newcomer joined after their date).
    started_on = models.DateField(_("started on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_reminded_at = models.DateTimeField(_("last reminded by staff"), null=True, blank=True)
    # Why the newcomer of an accepted nomination could not be signed up for the host's buddy
    # programme (empty once signed up, or when nothing was tried): the staff's and the
    # newcomer's pages say it, so that someone can act on it.
    buddy_signup_problem = models.TextField(_("buddy programme sign-up problem"), blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["anchor_date", "id"]
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "newcomer", "reference"], name="journey_unique_start"
            )
        ]
        indexes = [models.Index(fields=["institution", "anchor_date"])]

    def __str__(self) -> str:
        return f"{self.newcomer} @ {self.institution_id}"


class JourneyStepState(models.Model):
    """Where one newcomer stands on one step: its due date, whether it is done, evidence."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="states")
    step = models.ForeignKey(JourneyStep, on_delete=models.PROTECT, related_name="states")
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.TODO
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence = models.FileField(_("evidence"), upload_to=_evidence_path, blank=True, max_length=300)
    evidence_name = models.CharField(_("evidence file name"), max_length=255, blank=True)
    evidence_type = models.CharField(max_length=50, blank=True)
    # Each reminder goes out at most once: the task claims the field before it sends.
    reminded_before_at = models.DateTimeField(_("reminded before due"), null=True, blank=True)
    reminded_late_at = models.DateTimeField(_("reminded when late"), null=True, blank=True)

    objects = ScopedManager(institution="journey__institution")

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("journey step state")
        verbose_name_plural = _("journey step states")
        constraints = [
            models.UniqueConstraint(fields=["journey", "step"], name="journey_step_state_unique")
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.step_id} of {self.journey_id}: {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == StepStatus.TODO
