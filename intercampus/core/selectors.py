"""Reads of the audit log, by who may see what."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from intercampus.accounts.choices import RoleKind
from intercampus.core.models import AuditEntry
from intercampus.institutions.models import Institution


def audit_entries_visible_to(
    *, institution: Institution, roles: frozenset[str]
) -> QuerySet[AuditEntry]:
    """The secretariat reads the log of the consortia it runs and of its own institution;
    an international officer reads its own institution's log."""
    condition = Q(institution=institution)
    if RoleKind.SECRETARIAT in roles:
        condition |= Q(consortium__secretariat=institution)
    return AuditEntry.objects.filter(condition).select_related("actor", "institution", "consortium")
