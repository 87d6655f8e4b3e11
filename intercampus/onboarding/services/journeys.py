"""Writes about arrival journeys: starting a newcomer's journey (from the host's active
template, or from an accepted nomination), and the newcomer's or staff's progress on each
step. Templates and steps are written by ``services.templates``.

Every service is keyword-only, atomic, runs in the host's scope and writes an audit entry
(``onboarding.<thing>.<verb>``). Dates: the anchor date and every due date are calendar dates
in the host's time zone; working days follow the host country's public holidays
(``onboarding.workdays``).
"""

from __future__ import annotations

import datetime
import logging
import re
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from intercampus.accounts.models import Role
from intercampus.core.audit import audit_log, snapshot
from intercampus.core.permissions import has_permission
from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution
from intercampus.lib import academic_terms
from intercampus.onboarding import clock, workdays
from intercampus.onboarding.choices import (
    JourneySource,
    OffsetKind,
    StepStatus,
    TargetGroup,
)
from intercampus.onboarding.models import Journey, JourneyStep, JourneyStepState, JourneyTemplate

logger = logging.getLogger(__name__)

MANAGE_JOURNEYS = "onboarding.manage_journeys"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# What an uploaded file may be, told by its first bytes; the extensions each type may carry.
UPLOAD_TYPES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}


# --- Dates (the clock itself is ``onboarding.clock``) ---------------------------------------


def due_date_for(step: JourneyStep, anchor: datetime.date, country: str) -> datetime.date:
    """When ``step`` is due for a newcomer anchored on ``anchor`` at a host in ``country``."""
    if step.offset_kind == OffsetKind.WORKING:
        return workdays.add_working_days(anchor, step.offset_days, country)
    return workdays.add_calendar_days(anchor, step.offset_days)


# --- Checks ---------------------------------------------------------------------------------


def may_manage(actor: Any, host: Institution) -> bool:
    """Whether ``actor`` holds a role at ``host`` that grants managing journeys."""
    if not getattr(actor, "is_authenticated", False):
        return False
    with scope(institution=host):
        roles = set(Role.objects.filter(user=actor).values_list("kind", flat=True))
    return has_permission(roles, MANAGE_JOURNEYS)


def check_upload(file: IO[bytes], name: str, size: int, field: str = "file") -> str:
    """The content type of an upload (PDF, PNG or JPEG of at most 5 MB, told by its first
    bytes), or ServiceError naming ``field``."""
    if size > MAX_UPLOAD_BYTES:
        raise ServiceError(
            _("The file is {size} MB; the limit is 5 MB.").format(
                size=formats.number_format(size / (1024 * 1024), 1)
            ),
            field=field,
        )
    if size == 0:
        raise ServiceError(_("The file is empty."), field=field)
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for content_type, (magic, extensions) in UPLOAD_TYPES.items():
        if head.startswith(magic):
            if not name.lower().endswith(extensions):
                raise ServiceError(
                    _(
                        "The file's name does not match its content (a {kind}); "
                        "rename it to end in {ext}."
                    ).format(kind=content_type.split("/")[1].upper(), ext=extensions[0]),
                    field=field,
                )
            return content_type
    raise ServiceError(
        _("Only PDF, PNG or JPEG files are accepted, and this file is none of them."),
        field=field,
    )


def upload_name(file: UploadedFile) -> str:
    name = (file.name or "document").replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[\x00-\x1f]", "", name)[:255] or "document"


# --- Starting a journey ---------------------------------------------------------------------


def active_template(host: Institution, target_group: str) -> JourneyTemplate | None:
    with scope(institution=host):
        return JourneyTemplate.objects.filter(
            institution=host, target_group=target_group, active=True
        ).first()


def journey_start(
    *,
    actor: Any,
    host: Institution,
    newcomer: Any,
    target_group: str,
    anchor_date: datetime.date,
    source: str,
    reference: str = "",
) -> Journey:
    """Start ``newcomer``'s journey at ``host`` from the host's active template for
    ``target_group``, with every applicable step due relative to ``anchor_date``.

    Idempotent per (host, newcomer, reference): a second call returns the journey already
    started, unchanged. Raises ServiceError (409, field ``target_group``) when the host has no
    active template for the group.
    """
    if target_group not in TargetGroup.values:
        raise ServiceError(_("Choose one of the target groups."), field="target_group")
    if source not in JourneySource.values:
        raise ValueError(f"Unknown journey source {source!r}")
    with transaction.atomic(), scope(institution=host):
        existing = Journey.objects.filter(
            institution=host, newcomer=newcomer, reference=reference
        ).first()
        if existing is not None:
            return existing
        template = active_template(host, target_group)
        if template is None:
            raise ServiceError(
                _("{host} has no active journey template for {group}.").format(
                    host=host.display_name, group=TargetGroup(target_group).label
                ),
                field="target_group",
                status=409,
            )
        journey = Journey(
            institution=host,
            newcomer=newcomer,
            template=template,
            target_group=target_group,
            anchor_date=anchor_date,
            source=source,
            reference=reference,
            started_on=clock.host_today(host),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        try:
            with transaction.atomic():
                journey.save()
        except IntegrityError:
            # Started at the same moment by another request: that one stands.
            return Journey.objects.get(institution=host, newcomer=newcomer, reference=reference)
        country = str(host.country)
        JourneyStepState.objects.bulk_create(
            JourneyStepState(
                journey=journey, step=step, due_date=due_date_for(step, anchor_date, country)
            )
            for step in template.steps.all()
            if step.applies_in(country)
        )
        audit_log(actor=actor, action="onboarding.journey.started", obj=journey, institution=host)
        return journey


def nomination_anchor(nomination: Any) -> datetime.date | None:
    """When the accepted nominee arrives: the start of the earliest term of the call they
    were nominated in (the nomination records no arrival date of its own), by the platform's
    one rule (``lib.academic_terms``). None when the call's year or terms cannot be read."""
    with scopes_disabled():
        call = nomination.application.call
    try:
        return academic_terms.earliest_start(call.academic_year, call.terms or [])
    except ValueError:
        return None


def journey_start_for_nomination(
    *,
    nomination: Any,
    actor: Any = None,
    anchor_date: datetime.date | None = None,
    target_group: str = TargetGroup.EXCHANGE,
) -> Journey | None:
    """Start the exchange journey of a nominated student once the host has accepted them.

    Call it when a host accepts a nomination. The anchor is ``anchor_date`` if given, else the
    start of the call's earliest term (``nomination_anchor``). Idempotent (the
    nomination's UUID is the reference). Returns None, doing nothing, when the host is not on
    the platform or has no active template for the group: a journey is a service the host
    offers, not a condition of the nomination.
    """
    with scopes_disabled():
        host = nomination.host
        newcomer = nomination.application.student
        decided_by = nomination.decided_by
    if host is None or active_template(host, target_group) is None:
        return None
    anchor = anchor_date or nomination_anchor(nomination)
    if anchor is None:
        raise ServiceError(_("The nomination gives no arrival date; enter one."), field="anchor")
    journey = journey_start(
        actor=actor or decided_by,
        host=host,
        newcomer=newcomer,
        target_group=target_group,
        anchor_date=anchor,
        source=JourneySource.NOMINATION,
        reference=str(nomination.uuid),
    )
    with scopes_disabled():
        languages = dict(getattr(nomination.application, "languages", None) or {})
    _enrol_in_buddy_programme(journey=journey, languages=languages)
    return journey


def _enrol_in_buddy_programme(*, journey: Journey, languages: dict[str, Any]) -> None:
    """An accepted newcomer joins the host's buddy programme at once, with the languages of
    their application, so that matching runs before they arrive; they can add interests and
    faculty on their buddy page later. Nothing happens when the host runs no active programme
    or the newcomer is in it already.

    When the sign-up is refused (no language at B1 or better, an unreadable language, the
    newcomer is a buddy there), the acceptance and the journey stand, and the reason is kept
    on the journey (``buddy_signup_problem``) and logged: the host's staff pages and the
    newcomer's buddy page say it, and the newcomer can still sign up by hand.
    """
    from django.core.exceptions import ValidationError

    from intercampus.onboarding.models import BuddyProgramme, NewcomerProfile
    from intercampus.onboarding.services import buddies

    with scopes_disabled():
        programme = (
            BuddyProgramme.objects.filter(institution=journey.institution, active=True)
            .select_related("institution")
            .order_by("id")
            .first()
        )
        if (
            programme is None
            or NewcomerProfile.objects.filter(programme=programme, user=journey.newcomer).exists()
        ):
            return
    newcomer = journey.newcomer
    # The reason is read mostly by the newcomer: it is written in their language.
    with translation.override(newcomer.preferred_language or settings.LANGUAGE_CODE):
        try:
            buddies.newcomer_signup(
                actor=newcomer, programme=programme, languages=languages, journey=journey
            )
        except ServiceError as refused:
            problem = refused.message
        except ValidationError as invalid:
            problem = " ".join(
                str(m) for messages in invalid.message_dict.values() for m in messages
            )
        else:
            problem = ""
    if problem:
        logger.warning(
            "Newcomer %s of journey %s not signed up for buddy programme %s: %s",
            newcomer.pk,
            journey.uuid,
            programme.uuid,
            problem,
        )
    if problem != journey.buddy_signup_problem:
        with scope(institution=journey.institution):
            Journey.objects.filter(pk=journey.pk).update(buddy_signup_problem=problem)
        journey.buddy_signup_problem = problem


# --- Progress on a step ---------------------------------------------------------------------


def _state_snapshot(state: JourneyStepState) -> dict[str, Any]:
    fields = ["journey", "step", "due_date", "status", "done_at", "done_by"]
    return {**snapshot(state, fields=fields), "evidence": state.evidence.name or ""}


def _check_actor(actor: Any, state: JourneyStepState) -> bool:
    """True when staff act; the newcomer may act on their own journey; others get 404."""
    journey = state.journey
    if may_manage(actor, journey.institution):
        return True
    if getattr(actor, "pk", None) is not None and actor.pk == journey.newcomer_id:
        return False
    raise ServiceError(_("Not found."), status=404)


def _locked(state: JourneyStepState) -> JourneyStepState:
    return (
        JourneyStepState.objects.select_for_update()
        .select_related("journey__institution", "step")
        .get(pk=state.pk)
    )


def _audit_state(actor: Any, action: str, state: JourneyStepState, before: dict) -> None:
    audit_log(
        actor=actor,
        action=action,
        obj=state,
        before=before,
        after=_state_snapshot(state),
        institution=state.journey.institution,
    )


def step_mark_done(
    *, actor: Any, state: JourneyStepState, evidence: UploadedFile | None = None
) -> JourneyStepState:
    """Mark a step of a journey done, by its newcomer or the host's staff, with optional
    evidence (PDF, PNG or JPEG of at most 5 MB, checked by content). Marking a done step
    done again only replaces its evidence. Raises ServiceError (field ``evidence``)."""
    host = state.journey.institution
    name = ""
    content_type = ""
    if evidence is not None:
        name = upload_name(evidence)
        content_type = check_upload(evidence, name, evidence.size or 0, field="evidence")
    with transaction.atomic(), scope(institution=host):
        state = _locked(state)
        _check_actor(actor, state)
        before = _state_snapshot(state)
        if evidence is not None:
            if state.evidence:
                state.evidence.delete(save=False)
            state.evidence_name = name
            state.evidence_type = content_type
            state.evidence.save(name, evidence, save=False)
        elif state.status == StepStatus.DONE:
            return state
        if state.status != StepStatus.DONE:
            state.status = StepStatus.DONE
            state.done_at = clock.current_time()
            state.done_by = actor
        state.save()
        _audit_state(actor, "onboarding.journey_step.done", state, before)
        return state


def step_skip(*, actor: Any, state: JourneyStepState) -> JourneyStepState:
    """Skip a step: the newcomer may skip an optional one, staff any."""
    host = state.journey.institution
    with transaction.atomic(), scope(institution=host):
        state = _locked(state)
        staff = _check_actor(actor, state)
        if state.step.required and not staff:
            raise ServiceError(_("This step is required; it cannot be skipped."), status=403)
        if state.status == StepStatus.SKIPPED:
            return state
        before = _state_snapshot(state)
        state.status = StepStatus.SKIPPED
        state.done_at = clock.current_time()
        state.done_by = actor
        state.save()
        _audit_state(actor, "onboarding.journey_step.skipped", state, before)
        return state


def step_reopen(*, actor: Any, state: JourneyStepState) -> JourneyStepState:
    """Put a done or skipped step back to do (its evidence, if any, is kept)."""
    host = state.journey.institution
    with transaction.atomic(), scope(institution=host):
        state = _locked(state)
        _check_actor(actor, state)
        if state.status == StepStatus.TODO:
            return state
        before = _state_snapshot(state)
        state.status = StepStatus.TODO
        state.done_at = None
        state.done_by = None
        state.save()
        _audit_state(actor, "onboarding.journey_step.reopened", state, before)
        return state
