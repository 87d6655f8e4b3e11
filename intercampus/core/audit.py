"""Writing the audit log. Services call :func:`audit_log` for every change they make."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models
from django_countries.fields import Country

from intercampus.core.models import AuditEntry


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-safe data (foreign keys by their id)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"id", "created", "updated"}:
            continue
        data[field.name] = _json_safe(field.value_from_object(obj))
    return data


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, Country):
        return value.code or ""
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


def audit_log(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    institution: Any = None,
    consortium: Any = None,
) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``obj``; ``before``/``after`` are snapshots.

    ``after`` defaults to a snapshot of ``obj`` unless the action is a deletion.
    """
    if after is None and not action.endswith(".deleted"):
        after = snapshot(obj)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        institution=institution,
        consortium=consortium,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
    )
