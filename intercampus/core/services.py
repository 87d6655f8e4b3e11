"""What every service shares: its error, and audited create, update and delete."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from intercampus.core.audit import audit_log, snapshot

M = TypeVar("M", bound=models.Model)


class ServiceError(Exception):
    """A business rule refused the change; ``message`` is shown to the user as it is.

    ``field`` names the form field at fault, when there is one, so pages can show the message
    next to it and the API can name it.
    """

    def __init__(self, message: str, *, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.status = status


def _scope_of(obj: Any) -> dict[str, Any]:
    """The institution and consortium an object belongs to, for the audit entry."""
    scope: dict[str, Any] = {"institution": None, "consortium": None}
    for name in ("institution", "consortium"):
        if hasattr(obj, f"{name}_id"):
            scope[name] = getattr(obj, name)
    if scope["consortium"] is None:
        for parent in ("work_group", "project"):
            owner = getattr(obj, parent, None)
            if owner is not None and getattr(owner, "consortium_id", None):
                scope["consortium"] = owner.consortium
    if scope["institution"] is None and obj._meta.label_lower == "institutions.institution":
        scope["institution"] = obj
    return scope


@transaction.atomic
def audited_create(*, actor: Any, model: type[M], action: str, **fields: Any) -> M:
    """Create a ``model`` row after full validation, and audit it.

    Raises ``django.core.exceptions.ValidationError`` naming the fields at fault.
    """
    obj = model(**fields)
    obj.full_clean()
    obj.save()
    audit_log(actor=actor, action=action, obj=obj, **_scope_of(obj))
    return obj


@transaction.atomic
def audited_update(*, actor: Any, obj: M, action: str, **fields: Any) -> M:
    """Change ``fields`` of ``obj`` after full validation; audit the values before and after."""
    before = snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    after = snapshot(obj)
    if before != after:
        audit_log(actor=actor, action=action, obj=obj, before=before, after=after, **_scope_of(obj))
    return obj


@transaction.atomic
def audited_delete(*, actor: Any, obj: models.Model, action: str) -> None:
    """Delete ``obj``; the audit entry keeps what it was."""
    before = snapshot(obj)
    scope = _scope_of(obj)
    audit_log(actor=actor, action=action, obj=obj, before=before, after=None, **scope)
    try:
        obj.delete()
    except ProtectedError as error:
        raise ServiceError(
            _("This cannot be deleted while other records still refer to it."), status=409
        ) from error
