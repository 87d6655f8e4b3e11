"""Writes of applications: a student starts, drafts, submits and withdraws; uploads documents;
staff enter the committee's score and re-score.

Each function runs inside the scope of the application's owner (the home institution, whose
data it is), so it works the same from a student's page, a staff page, a command or the API.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import Role
from intercampus.core.audit import audit_log, snapshot
from intercampus.core.services import ServiceError
from intercampus.mobility import scoring
from intercampus.mobility.choices import ApplicationState, CallStatus, DocumentKind
from intercampus.mobility.models import (
    Application,
    ApplicationChoice,
    ApplicationDocument,
    Call,
    Place,
)
from intercampus.mobility.selectors import applications as selectors
from intercampus.mobility.selectors import calls as call_selectors
from intercampus.mobility.services.common import FROZEN_STATUSES, call_weights, owned_update

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_DOCUMENTS = 20
# What a document may be, told by its first bytes; the extensions each type may carry.
DOCUMENT_TYPES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}
# Fields a draft saves; each is saved only when what was typed is valid.
DRAFT_FIELDS = ("grade_average", "cycle", "languages", "motivation")
NOT_WITHDRAWABLE = (ApplicationState.ACCEPTED, ApplicationState.WITHDRAWN)


def current_time() -> datetime.datetime:
    """The clock the window is checked against (one seam, so tests can set it)."""
    return timezone.now()


def local_moment(moment: datetime.datetime, call: Call) -> str:
    """A moment as the call's owner reads it: date, time and time zone name."""
    zone = zoneinfo.ZoneInfo(call.owner.timezone)
    local = moment.astimezone(zone)
    return "{} {}".format(formats.date_format(local, "DATETIME_FORMAT"), call.owner.timezone)


# --- Start and draft ----------------------------------------------------------------------


def _is_student_of(user: Any, institution_id: int) -> bool:
    with scopes_disabled():
        return Role.objects.filter(
            user=user, institution_id=institution_id, kind=RoleKind.STUDENT
        ).exists()


def application_start(
    *, actor: Any, call: Call, now: datetime.datetime | None = None
) -> Application:
    """The actor's application to ``call``: the existing one, or a new draft.

    Needs the student role at the call's owner and a published call that has not closed.
    """
    now = now or current_time()
    if not _is_student_of(actor, call.owner_id):
        raise ServiceError(
            _("Only students of {name} can apply.").format(name=call.owner), status=403
        )
    existing = selectors.own_application_for(actor, call)
    if existing is not None:
        return existing
    # A draft may be started before the call opens, not once it has closed.
    if call.status != CallStatus.PUBLISHED or call_selectors.window_state(call, now) == "closed":
        check_window(call, now)
    try:
        with transaction.atomic(), scope(institution=call.owner):
            application = Application.objects.create(call=call, owner=call.owner, student=actor)
            audit_log(
                actor=actor,
                action="mobility.application.created",
                obj=application,
                institution=call.owner,
            )
            return application
    except IntegrityError:
        # Two clicks at once: the other request created it.
        found = selectors.own_application_for(actor, call)
        if found is None:
            raise
        return found


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "call__owner", "owner")
        .get(pk=application.pk)
    )


def _check_draft(application: Application) -> None:
    if application.state != ApplicationState.DRAFT:
        raise ServiceError(_("This application is submitted; it can no longer change."), status=409)


def _check_choices(application: Application, places: list[Place]) -> None:
    call = application.call
    if len(places) > call.max_choices:
        raise ServiceError(
            _("Rank at most {n} places.").format(n=call.max_choices), field="choices"
        )
    if len({p.pk for p in places}) != len(places):
        raise ServiceError(_("Rank each place once."), field="choices")
    if any(p.call_id != call.pk for p in places):
        raise ServiceError(_("Rank only places of this call."), field="choices")


def _set_choices(application: Application, places: list[Place]) -> bool:
    current = list(application.choices.order_by("rank").values_list("place_id", flat=True))
    if current == [p.pk for p in places]:
        return False
    application.choices.all().delete()
    ApplicationChoice.objects.bulk_create(
        ApplicationChoice(application=application, place=place, rank=rank)
        for rank, place in enumerate(places, start=1)
    )
    return True


def application_save_draft(
    *,
    actor: Any,
    application: Application,
    fields: dict[str, Any],
    places: list[Place] | None,
    raw: dict[str, Any] | None = None,
) -> Application:
    """Save the valid part of a draft: ``fields`` (a subset of ``DRAFT_FIELDS``) and, when
    given, the ranked ``places``. Fields left out keep their saved value. ``raw`` is the form
    exactly as typed, kept whole so that nothing typed is lost.

    The audit entry names the fields that changed, not their values: a draft is saved every
    few seconds while a student types.
    """
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"Not draft fields: {sorted(unknown)}")
    with transaction.atomic(), scope(institution=application.owner):
        locked = _lock(application)
        if locked.student_id != getattr(actor, "pk", None):
            raise ServiceError(_("Only the student can change their application."), status=403)
        _check_draft(locked)
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, fields[name])
        if places is not None:
            _check_choices(locked, places)
            if _set_choices(locked, places):
                changed.append("choices")
        if raw is not None:
            locked.draft = raw
        # Saved even when nothing changed, so "saved at" tells the student it was kept.
        locked.full_clean(exclude=["call", "owner", "student"])
        locked.save()
        if changed:
            audit_log(
                actor=actor,
                action="mobility.application.draft_saved",
                obj=locked,
                before=None,
                after={"changed": sorted(changed)},
                institution=locked.owner,
            )
        return locked


# --- Submit and withdraw ------------------------------------------------------------------


def check_window(call: Call, now: datetime.datetime) -> None:
    """Refuse, with the dates in the owner's time zone, when the call does not take
    applications at ``now`` (``selectors.calls.window_state``: the pages and the API agree)."""
    if call.status == CallStatus.DRAFT:
        raise ServiceError(_("This call is not open for applications."), status=409)
    state = call_selectors.window_state(call, now)
    if state == "upcoming":
        raise ServiceError(
            _("This call opens on {when}; submit from then on.").format(
                when=local_moment(call.opens_at, call)
            ),
            status=409,
        )
    if state == "closed":
        raise ServiceError(closed_message(call), status=409)


def closed_message(call: Call) -> str:
    """Why a closed call takes no more applications, with when it closed."""
    when = local_moment(call.closes_at, call)
    if call_selectors.closed_early(call):
        return _(
            "This call was closed early on {when}, when the allocation ran; applications can "
            "no longer be submitted."
        ).format(when=when)
    return _("This call closed on {when}; applications can no longer be submitted.").format(
        when=when
    )


def _check_complete(application: Application, choices: list[ApplicationChoice]) -> None:
    if application.grade_average is None:
        raise ServiceError(_("Enter your grade average."), field="grade_average")
    if application.cycle is None:
        raise ServiceError(_("Choose your study cycle."), field="cycle")
    if not choices:
        raise ServiceError(_("Rank at least one place."), field="choices")


_KEEP: Any = object()


def _score(application: Application, *, committee_score: Any = _KEEP) -> Decimal:
    if committee_score is _KEEP:
        committee_score = application.committee_score
    return scoring.compute_score(
        grade_average=application.grade_average,
        language_levels=(application.languages or {}).values(),
        committee_score=committee_score,
        weights=call_weights(application.call),
    )


def application_submit(
    *, actor: Any, application: Application, now: datetime.datetime | None = None
) -> Application:
    """Submit a complete draft inside the call's window.

    Records when; checks each choice (``ApplicationChoice.eligible`` and ``reasons``);
    computes the score and the lottery number; moves to "eligible" when at least one choice
    is, else "not eligible". Raises ServiceError outside the window or when incomplete.
    """
    now = now or current_time()
    with transaction.atomic(), scope(institution=application.owner):
        locked = _lock(application)
        if locked.student_id != getattr(actor, "pk", None):
            raise ServiceError(_("Only the student can submit their application."), status=403)
        _check_draft(locked)
        check_window(locked.call, now)
        choices = list(locked.choices.select_related("place").order_by("rank"))
        _check_complete(locked, choices)
        applicant = selectors.applicant_for(locked)
        verdicts = selectors.check_places(locked.call, [c.place for c in choices], applicant)
        for choice, (_place, verdict) in zip(choices, verdicts, strict=True):
            choice.eligible = verdict.eligible
            choice.reasons = list(verdict.reasons)
        ApplicationChoice.objects.bulk_update(choices, ["eligible", "reasons"])
        any_eligible = any(c.eligible for c in choices)
        before = snapshot(locked)
        locked.submitted_at = now
        locked.score = _score(locked)
        locked.tiebreak = scoring.tiebreak(locked.call.lottery_seed, locked.uuid)
        locked.state = ApplicationState.ELIGIBLE if any_eligible else ApplicationState.INELIGIBLE
        locked.save()
        audit_log(
            actor=actor,
            action="mobility.application.submitted",
            obj=locked,
            before=before,
            after=snapshot(locked),
            institution=locked.owner,
        )
        return locked


def application_withdraw(*, actor: Any, application: Application) -> Application:
    """The student withdraws; possible in every state but "accepted by the host"."""
    with transaction.atomic(), scope(institution=application.owner):
        locked = _lock(application)
        if locked.student_id != getattr(actor, "pk", None):
            raise ServiceError(_("Only the student can withdraw their application."), status=403)
        if locked.state in NOT_WITHDRAWABLE:
            raise ServiceError(_("This application can no longer be withdrawn."), status=409)
        return owned_update(
            actor=actor,
            obj=locked,
            action="mobility.application.withdrawn",
            owner=locked.owner,
            state=ApplicationState.WITHDRAWN,
        )


# --- Documents ----------------------------------------------------------------------------


def sniff_type(head: bytes) -> str | None:
    """The content type the file's first bytes show (PDF, PNG or JPEG), else None."""
    for content_type, (magic, _extensions) in DOCUMENT_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


def check_document(file: IO[bytes], name: str, size: int) -> str:
    """The content type of an upload, or ServiceError(field="file") saying what is wrong."""
    if size > MAX_DOCUMENT_BYTES:
        raise ServiceError(
            _("The file is {size} MB; the limit is 5 MB.").format(
                size=formats.number_format(size / (1024 * 1024), 1)
            ),
            field="file",
        )
    if size == 0:
        raise ServiceError(_("The file is empty."), field="file")
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    content_type = sniff_type(head)
    if content_type is None:
        raise ServiceError(
            _("Only PDF, PNG or JPEG files are accepted, and this file is none of them."),
            field="file",
        )
    extensions = DOCUMENT_TYPES[content_type][1]
    if not name.lower().endswith(extensions):
        raise ServiceError(
            _(
                "The file's name does not match its content (a {kind}); rename it to end in {ext}."
            ).format(kind=content_type.split("/")[1].upper(), ext=extensions[0]),
            field="file",
        )
    return content_type


def _document_snapshot(document: ApplicationDocument) -> dict[str, Any]:
    # The file itself is not JSON: its stored name stands for it.
    fields = ["uuid", "application", "kind", "original_name", "content_type", "size"]
    return {**snapshot(document, fields=fields), "file": document.file.name}


def application_document_add(
    *, actor: Any, application: Application, kind: str, file: UploadedFile
) -> ApplicationDocument:
    """Attach a PDF, PNG or JPEG of at most 5 MB to a draft (checked by content, not name)."""
    if kind not in DocumentKind.values:
        raise ServiceError(_("Choose what the document is."), field="kind")
    name = (file.name or "document").rsplit("/", 1)[-1][:255]
    content_type = check_document(file, name, file.size or 0)
    with transaction.atomic(), scope(institution=application.owner):
        locked = _lock(application)
        if locked.student_id != getattr(actor, "pk", None):
            raise ServiceError(_("Only the student can add documents."), status=403)
        _check_draft(locked)
        if locked.documents.count() >= MAX_DOCUMENTS:
            raise ServiceError(
                _("An application holds at most {n} documents.").format(n=MAX_DOCUMENTS),
                field="file",
            )
        document = ApplicationDocument(
            application=locked,
            kind=kind,
            original_name=name,
            content_type=content_type,
            size=file.size,
        )
        document.file.save(name, file, save=False)
        document.save()
        audit_log(
            actor=actor,
            action="mobility.application.document.added",
            obj=document,
            after=_document_snapshot(document),
            institution=locked.owner,
        )
        return document


def application_document_delete(*, actor: Any, document: ApplicationDocument) -> None:
    """Remove a document from a draft, and its file."""
    application = document.application
    with transaction.atomic(), scope(institution=application.owner):
        locked = _lock(application)
        if locked.student_id != getattr(actor, "pk", None):
            raise ServiceError(_("Only the student can remove documents."), status=403)
        _check_draft(locked)
        audit_log(
            actor=actor,
            action="mobility.application.document.deleted",
            obj=document,
            before=_document_snapshot(document),
            institution=locked.owner,
        )
        stored = document.file.name
        storage = document.file.storage
        document.delete()
        # The file goes only once the row is surely gone.
        transaction.on_commit(lambda: storage.delete(stored))


# --- Staff: committee score ---------------------------------------------------------------


def _check_scorable(application: Application) -> None:
    if application.submitted_at is None or application.state == ApplicationState.WITHDRAWN:
        raise ServiceError(_("Only submitted applications are scored."), status=409)
    if application.call.status in FROZEN_STATUSES:
        raise ServiceError(_("The allocation has run; scores can no longer change."), status=409)


def application_score(
    *, actor: Any, application: Application, committee_score: Decimal | None
) -> Application:
    """Enter (or clear) the committee's score (0–100) and re-compute the application's score."""
    if committee_score is not None and not (0 <= committee_score <= 100):
        raise ServiceError(_("Give a score from 0 to 100."), field="committee_score")
    with transaction.atomic(), scope(institution=application.owner):
        locked = _lock(application)
        _check_scorable(locked)
        score = _score(locked, committee_score=committee_score)
        return owned_update(
            actor=actor,
            obj=locked,
            action="mobility.application.scored",
            owner=locked.owner,
            committee_score=committee_score,
            score=score,
        )


@dataclass
class Rescored:
    changed: int
    total: int


def applications_rescore(*, actor: Any, call: Call) -> Rescored:
    """Re-compute the score of every submitted application of ``call`` (after new weights)."""
    with transaction.atomic(), scope(institution=call.owner):
        if call.status in FROZEN_STATUSES:
            raise ServiceError(
                _("The allocation has run; scores can no longer change."), status=409
            )
        applications = list(
            call.applications.select_for_update(of=("self",))
            .select_related("call", "owner")
            .filter(submitted_at__isnull=False)
            .exclude(state=ApplicationState.WITHDRAWN)
        )
        changed = 0
        for application in applications:
            score = _score(application)
            if score != application.score:
                owned_update(
                    actor=actor,
                    obj=application,
                    action="mobility.application.rescored",
                    owner=call.owner,
                    score=score,
                )
                changed += 1
        return Rescored(changed=changed, total=len(applications))
