"""What the mobility services share, below them all (so that none has to import another
back): the statuses that freeze a call, the audited writes of rows an institution owns, and a
call's scoring weights.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from intercampus.core.audit import audit_log, snapshot
from intercampus.institutions.models import Institution
from intercampus.mobility import scoring
from intercampus.mobility.choices import CallStatus
from intercampus.mobility.models import Call

# Once results are out, what students were ranked on must not move under them.
FROZEN_STATUSES = (CallStatus.ALLOCATED, CallStatus.RESULTS_PUBLISHED)


# --- Audited writes of rows owned by an institution ----------------------------------------


def owned_create(
    *, actor: Any, model: type[models.Model], action: str, owner: Institution, **fields: Any
) -> Any:
    """Create a row after full validation and audit it under ``owner``."""
    obj = model(**fields)
    obj.full_clean()
    obj.save()
    audit_log(actor=actor, action=action, obj=obj, institution=owner)
    return obj


def owned_update(
    *, actor: Any, obj: models.Model, action: str, owner: Institution, **fields: Any
) -> Any:
    """Change ``fields`` of ``obj`` after full validation; audit the values before and after."""
    before = snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    after = snapshot(obj)
    if before != after:
        audit_log(
            actor=actor, action=action, obj=obj, before=before, after=after, institution=owner
        )
    return obj


# --- Scoring ---------------------------------------------------------------------------------


def call_weights(call: Call) -> scoring.Weights:
    """The weights ``call`` scores its applications with."""
    return scoring.Weights(
        grades=call.weight_grades, language=call.weight_language, committee=call.weight_committee
    )
