"""Large EWP imports, run by the task worker and followed on a page of their own."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class EwpImportJob(models.Model):
    """One IIAs get response imported in the background: its progress and its outcome."""

    class Phase(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The institution that imports: the job is its own, like the audit entries it writes.
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="ewp_import_jobs"
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    # The document as uploaded, kept until the worker has read it (then emptied).
    document = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(default=0)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    institutions_created = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # Why the import failed, and the schema problems with their lines, if any.
    error = models.TextField(blank=True)
    problems = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-created"]
        verbose_name = _("EWP import")
        verbose_name_plural = _("EWP imports")

    def __str__(self) -> str:
        return f"{self.filename or self.uuid} ({self.phase})"

    @property
    def percent(self) -> int:
        return 100 * self.processed // self.total if self.total else 0

    @property
    def in_progress(self) -> bool:
        return self.phase in (self.Phase.QUEUED, self.Phase.RUNNING)
