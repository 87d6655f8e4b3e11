"""Allocation runs (stored with inputs and results, so every outcome can be explained) and the
nominations that follow them."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from intercampus.mobility.choices import NominationStatus, RunStatus
from intercampus.mobility.models.agreements import new_iia_id


class AllocationRun(models.Model):
    """One run of the allocation on a call: its inputs, parameters, version and results."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey("mobility.Call", on_delete=models.CASCADE, related_name="runs")
    owner = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="allocation_runs"
    )
    # A re-allocation after declines starts from the run it continues.
    base_run = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="followers"
    )
    algorithm_version = models.CharField(max_length=50)
    parameters = models.JSONField(default=dict)
    # The alloc-instance/1 document the algorithm was given (ids are application and place
    # UUIDs), so a run can be replayed and checked outside the database.
    instance = models.JSONField()
    # application uuid -> place uuid or None
    results = models.JSONField(default=dict)
    # place uuid -> the key of the last applicant admitted there (None when seats were left)
    cutoffs = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.DRAFT)

    class Phase(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # A large call is allocated by the task worker: the run is recorded when it is queued,
    # and its page follows the phase until the results are stored (or why they were not).
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.DONE)
    error = models.TextField(blank=True)
    placed_count = models.PositiveIntegerField(default=0)
    unplaced_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="owner")

    class Meta:
        ordering = ["-created"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")

    def __str__(self) -> str:
        return f"{self.call} – {self.created:%Y-%m-%d %H:%M}"


class Nomination(models.Model):
    """The home institution's nomination of a placed student to the host."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.OneToOneField(
        "mobility.Application", on_delete=models.PROTECT, related_name="nomination"
    )
    place = models.ForeignKey("mobility.Place", on_delete=models.PROTECT, related_name="+")
    home = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="nominations_sent"
    )
    host_hei_id = models.CharField(max_length=100)
    host = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations_received",
    )
    # The EWP omobility-id; stable so that partners on other platforms can refer to it.
    omobility_id = models.CharField(max_length=64, default=new_iia_id, editable=False)
    status = models.CharField(
        max_length=20, choices=NominationStatus.choices, default=NominationStatus.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    nominated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    # The home owns the nomination; the host reads the ones addressed to it through
    # selectors.nominations_received_by(), the same interface EWP partners use.
    objects = ScopedManager(institution="home")

    class Meta:
        ordering = ["-nominated_at"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")

    def __str__(self) -> str:
        return f"{self.application} ({self.get_status_display()})"
