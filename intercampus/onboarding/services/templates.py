"""Writes about journey templates and their steps.

A change to a template reaches the journeys already started from it: a new step is added to
them, a step whose timing changes moves their open due dates, and a step is deleted only
while nobody has done it. Keyword-only, atomic, in the host's scope, audited
(``onboarding.journey_template.*``, ``onboarding.journey_step.*``).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from intercampus.core.audit import audit_log, snapshot
from intercampus.core.services import ServiceError, audited_create, audited_update
from intercampus.institutions.models import Institution
from intercampus.onboarding.choices import StepStatus
from intercampus.onboarding.models import Journey, JourneyStep, JourneyStepState, JourneyTemplate
from intercampus.onboarding.services.journeys import check_upload, due_date_for, upload_name

TEMPLATE_FIELDS = frozenset({"name", "description", "target_group", "active"})
STEP_FIELDS = frozenset(
    {
        "phase",
        "title",
        "description",
        "owner_role",
        "offset_days",
        "offset_kind",
        "category",
        "required",
        "links",
        "country",
        "position",
    }
)
# Changing one of these moves the due dates of the journeys that have the step.
_TIMING_FIELDS = ("offset_days", "offset_kind", "country")


def _unknown_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


# --- Templates ------------------------------------------------------------------------------


def _deactivate_others(template: JourneyTemplate, actor: Any) -> None:
    """Only one template per target group is active: the others step down, audited."""
    others = JourneyTemplate.objects.filter(
        institution=template.institution_id, target_group=template.target_group, active=True
    ).exclude(pk=template.pk)
    for other in others:
        audited_update(
            actor=actor, obj=other, action="onboarding.journey_template.changed", active=False
        )


def template_create(
    *,
    actor: Any,
    institution: Institution,
    name: str,
    target_group: str,
    description: str = "",
    active: bool = True,
) -> JourneyTemplate:
    """Create a template of the host; an active one replaces the group's active template."""
    with transaction.atomic(), scope(institution=institution):
        if JourneyTemplate.objects.filter(institution=institution, name=name).exists():
            raise ServiceError(_("You already have a template of this name."), field="name")
        if active:
            probe = JourneyTemplate(institution=institution, target_group=target_group)
            _deactivate_others(probe, actor)
        return audited_create(
            actor=actor,
            model=JourneyTemplate,
            action="onboarding.journey_template.created",
            institution=institution,
            name=name,
            target_group=target_group,
            description=description,
            active=active,
        )


def template_update(*, actor: Any, template: JourneyTemplate, **fields: Any) -> JourneyTemplate:
    """Change a template's name, description, target group or whether it is active."""
    _unknown_fields(fields, TEMPLATE_FIELDS)
    with transaction.atomic(), scope(institution=template.institution):
        name = fields.get("name", template.name)
        clash = JourneyTemplate.objects.filter(institution=template.institution_id, name=name)
        if clash.exclude(pk=template.pk).exists():
            raise ServiceError(_("You already have a template of this name."), field="name")
        group = fields.get("target_group", template.target_group)
        if group != template.target_group and template.journeys.exists():
            raise ServiceError(
                _("Journeys started from this template; its target group cannot change."),
                field="target_group",
                status=409,
            )
        if fields.get("active", template.active):
            probe = JourneyTemplate(
                pk=template.pk, institution=template.institution, target_group=group
            )
            _deactivate_others(probe, actor)
        return audited_update(
            actor=actor, obj=template, action="onboarding.journey_template.changed", **fields
        )


def template_delete(*, actor: Any, template: JourneyTemplate) -> None:
    """Delete a template that no journey started from (deactivate it otherwise)."""
    with transaction.atomic(), scope(institution=template.institution):
        if template.journeys.exists():
            raise ServiceError(
                _("Journeys started from this template: deactivate it instead."), status=409
            )
        audit_log(
            actor=actor,
            action="onboarding.journey_template.deleted",
            obj=template,
            before=snapshot(template),
            institution=template.institution,
        )
        for step in template.steps.exclude(document=""):
            step.document.delete(save=False)
        template.delete()


# --- Steps ----------------------------------------------------------------------------------


def _step_snapshot(step: JourneyStep) -> dict[str, Any]:
    data = snapshot(step, fields=sorted(STEP_FIELDS | {"template", "uuid"}))
    return {**data, "document": step.document.name or ""}


def _attach_document(step: JourneyStep, document: UploadedFile | None) -> None:
    if document is None:
        return
    name = upload_name(document)
    step.document_type = check_upload(document, name, document.size or 0, field="document")
    if step.document:
        step.document.delete(save=False)
    step.document_name = name
    step.document.save(name, document, save=False)


def _add_to_open_journeys(step: JourneyStep) -> int:
    """Give the new step to the journeys already started from its template."""
    template = step.template
    host = template.institution
    if not step.applies_in(host.country):
        return 0
    journeys = Journey.objects.filter(template=template).only("pk", "anchor_date")
    states = [
        JourneyStepState(
            journey=journey,
            step=step,
            due_date=due_date_for(step, journey.anchor_date, str(host.country)),
        )
        for journey in journeys
    ]
    JourneyStepState.objects.bulk_create(states, batch_size=1000)
    return len(states)


def step_create(
    *,
    actor: Any,
    template: JourneyTemplate,
    document: UploadedFile | None = None,
    **fields: Any,
) -> JourneyStep:
    """Add a step to a template; journeys already started from it get the step too.

    Raises ValidationError (a field at fault) or ServiceError (the document).
    """
    _unknown_fields(fields, STEP_FIELDS)
    with transaction.atomic(), scope(institution=template.institution):
        if "position" not in fields:
            fields["position"] = template.steps.count() + 1
        step = JourneyStep(template=template, **fields)
        step.full_clean(exclude=["document"])
        _attach_document(step, document)
        step.save()
        _add_to_open_journeys(step)
        audit_log(
            actor=actor,
            action="onboarding.journey_step.created",
            obj=step,
            after=_step_snapshot(step),
            institution=template.institution,
        )
        return step


def _move_due_dates(step: JourneyStep) -> None:
    """Recompute the due dates of open states after the step's timing changed."""
    host = step.template.institution
    country = str(host.country)
    if not step.applies_in(country):
        # No longer for this host's country: open states go; done ones stay as history.
        step.states.filter(status=StepStatus.TODO).delete()
        return
    changed = []
    open_states = step.states.filter(status=StepStatus.TODO).select_related("journey")
    for state in open_states:
        due = due_date_for(step, state.journey.anchor_date, country)
        if due != state.due_date:
            state.due_date = due
            state.reminded_before_at = state.reminded_late_at = None
            changed.append(state)
    JourneyStepState.objects.bulk_update(
        changed, ["due_date", "reminded_before_at", "reminded_late_at"], batch_size=1000
    )
    missing = Journey.objects.filter(template=step.template).exclude(states__step=step)
    JourneyStepState.objects.bulk_create(
        [
            JourneyStepState(
                journey=j, step=step, due_date=due_date_for(step, j.anchor_date, country)
            )
            for j in missing
        ],
        batch_size=1000,
    )


def step_update(
    *,
    actor: Any,
    step: JourneyStep,
    document: UploadedFile | None = None,
    remove_document: bool = False,
    **fields: Any,
) -> JourneyStep:
    """Change a step; when its timing changes, open journeys' due dates move with it."""
    _unknown_fields(fields, STEP_FIELDS)
    with transaction.atomic(), scope(institution=step.template.institution):
        before = _step_snapshot(step)
        timing_before = [str(getattr(step, name)) for name in _TIMING_FIELDS]
        for name, value in fields.items():
            setattr(step, name, value)
        step.full_clean(exclude=["document"])
        if remove_document and step.document and document is None:
            step.document.delete(save=False)
            step.document_name = step.document_type = ""
        _attach_document(step, document)
        step.save()
        if [str(getattr(step, name)) for name in _TIMING_FIELDS] != timing_before:
            _move_due_dates(step)
        after = _step_snapshot(step)
        if after != before:
            audit_log(
                actor=actor,
                action="onboarding.journey_step.changed",
                obj=step,
                before=before,
                after=after,
                institution=step.template.institution,
            )
        return step


def step_delete(*, actor: Any, step: JourneyStep) -> None:
    """Delete a step that no newcomer has done or skipped yet (open states go with it)."""
    host = step.template.institution
    with transaction.atomic(), scope(institution=host):
        if step.states.exclude(status=StepStatus.TODO).exists():
            raise ServiceError(
                _("Newcomers have already done this step; it cannot be deleted."), status=409
            )
        audit_log(
            actor=actor,
            action="onboarding.journey_step.deleted",
            obj=step,
            before=_step_snapshot(step),
            institution=host,
        )
        step.states.all().delete()
        if step.document:
            step.document.delete(save=False)
        step.delete()
