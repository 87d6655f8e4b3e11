"""Reads of applications: the staff's lists, exports and details; the student's own; and the
plain data the eligibility check and the allocation take.

Staff functions take the institution (the tenant) and filter by it. Student functions read
across institutions (a student may apply at several), which is allowed because they filter
by ``student=user``: a student only ever sees their own applications.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from intercampus.institutions.models import Institution
from intercampus.mobility.choices import ApplicationState, EqfLevel
from intercampus.mobility.eligibility import (
    Applicant,
    CallRules,
    Eligibility,
    PlaceRules,
    check_choice,
)
from intercampus.mobility.models import (
    Application,
    ApplicationChoice,
    ApplicationDocument,
    Call,
    Place,
)

# --- Eligibility inputs ---------------------------------------------------------------------


def place_rules(place: Place) -> PlaceRules:
    return PlaceRules(
        eqf_levels=tuple(int(level) for level in place.eqf_levels or []),
        language=place.language,
        min_cefr=place.min_cefr,
    )


def call_rules(call: Call) -> CallRules:
    return CallRules(
        eligible_cycles=tuple(int(c) for c in call.eligible_cycles or []),
        required_documents=tuple(call.required_documents or []),
    )


def document_kinds(application: Application) -> frozenset[str]:
    with scopes_disabled():
        return frozenset(application.documents.values_list("kind", flat=True))


def applicant_for(
    application: Application,
    *,
    cycle: int | None = None,
    languages: Mapping[str, str] | None = None,
) -> Applicant:
    """The applicant as the eligibility check sees them: what is saved, unless a draft's
    current values are given."""
    return Applicant(
        cycle=cycle if cycle is not None else application.cycle,
        languages=dict(languages if languages is not None else application.languages or {}),
        documents=document_kinds(application),
    )


def check_places(
    call: Call, places: Iterable[Place], applicant: Applicant
) -> list[tuple[Place, Eligibility]]:
    rules = call_rules(call)
    return [(place, check_choice(place_rules(place), rules, applicant)) for place in places]


# --- Staff ------------------------------------------------------------------------------


def applications_of_call(call: Call, *, state: str = "") -> QuerySet[Application]:
    """The call's applications, best score first, each with its choices and documents counted.

    Drafts are the student's own work in progress: staff see that they exist (counts) but the
    list holds only applications that were submitted, unless the draft state is asked for.
    """
    found = (
        call.applications.select_related("student")
        .annotate(
            choice_count=Count("choices", distinct=True),
            eligible_count=Count("choices", filter=Q(choices__eligible=True), distinct=True),
            document_count=Count("documents", distinct=True),
        )
        .order_by("-score", "tiebreak", "submitted_at", "id")
    )
    if state:
        return found.filter(state=state)
    return found.exclude(state=ApplicationState.DRAFT)


def get_application(institution: Institution, application_uuid: uuid.UUID) -> Application:
    """One of the institution's applications by its public id, or 404."""
    return get_object_or_404(
        Application.objects.filter(owner=institution)
        .select_related("call", "student", "owner")
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=ApplicationChoice.objects.select_related("place", "place__host"),
            ),
            "documents",
        ),
        uuid=application_uuid,
    )


def get_document(
    institution: Institution, application_uuid: uuid.UUID, document_uuid: uuid.UUID
) -> ApplicationDocument:
    """A document of one of the institution's applications, or 404."""
    return get_object_or_404(
        ApplicationDocument.objects.filter(application__owner=institution),
        application__uuid=application_uuid,
        uuid=document_uuid,
    )


EXPORT_COLUMNS = (
    _("application"),
    _("student"),
    _("state"),
    _("submitted"),
    _("grade average"),
    _("study cycle (EQF)"),
    _("languages"),
    _("committee score"),
    _("score"),
    _("lottery number"),
    _("choices"),
    _("eligible choices"),
)


def export_rows(call: Call, *, state: str = "") -> Iterable[list[Any]]:
    """One row per application for CSV/Excel, in the order of ``EXPORT_COLUMNS``."""
    applications = applications_of_call(call, state=state).prefetch_related(
        Prefetch("choices", queryset=ApplicationChoice.objects.select_related("place"))
    )
    for app in applications:
        choices = list(app.choices.all())
        yield [
            str(app.uuid),
            app.student.email,
            str(app.get_state_display()),
            app.submitted_at.isoformat() if app.submitted_at else "",
            app.grade_average,
            app.cycle or "",
            ", ".join(f"{tag} {level}" for tag, level in (app.languages or {}).items()),
            app.committee_score,
            app.score,
            app.tiebreak,
            "; ".join(f"{c.rank}. {c.place}" for c in choices),
            "; ".join(f"{c.rank}. {c.place}" for c in choices if c.eligible),
        ]


# --- The student's own --------------------------------------------------------------------


def applications_of_student(user) -> list[Application]:
    """The user's own applications at every institution (filtered by student: safe)."""
    with scopes_disabled():
        return list(
            Application.objects.filter(student=user)
            .select_related("call", "owner")
            .order_by("-call__closes_at", "-id")
        )


def get_own_application(user, application_uuid: uuid.UUID) -> Application:
    """The user's own application, or 404 (another student's is never found)."""
    with scopes_disabled():
        return get_object_or_404(
            Application.objects.select_related("call", "call__owner", "owner"),
            uuid=application_uuid,
            student=user,
        )


def own_application_for(user, call: Call) -> Application | None:
    with scopes_disabled():
        return Application.objects.filter(call=call, student=user).first()


def choices_of(application: Application) -> list[ApplicationChoice]:
    """The application's ranked choices (read for its student or the owner's staff)."""
    with scopes_disabled():
        return list(application.choices.select_related("place", "place__host").order_by("rank"))


def documents_of(application: Application) -> list[ApplicationDocument]:
    with scopes_disabled():
        return list(application.documents.all())


def get_own_document(
    user, application_uuid: uuid.UUID, document_uuid: uuid.UUID
) -> ApplicationDocument:
    """A document of the user's own application, or 404."""
    with scopes_disabled():
        return get_object_or_404(
            ApplicationDocument.objects.select_related("application"),
            application__uuid=application_uuid,
            application__student=user,
            uuid=document_uuid,
        )


def cycle_label(cycle: int | None) -> str:
    if cycle is None:
        return ""
    try:
        return str(EqfLevel(cycle).label)
    except ValueError:
        return f"EQF {cycle}"


# --- What the allocation takes --------------------------------------------------------------


@dataclass(frozen=True)
class AllocationApplicant:
    """One eligible application as the allocation sees it: its id, score, lottery number, and
    the places it may be given, best first (its eligible choices only)."""

    application_uuid: str
    score: Decimal
    tiebreak: int
    place_uuids: tuple[str, ...]
    languages: Mapping[str, str]


def allocation_inputs(call: Call) -> list[AllocationApplicant]:
    """The call's applications in the eligible state with their eligible choices in rank order.

    Runs in the call owner's scope (the allocation is the owner's staff's work).
    """
    choices = (
        ApplicationChoice.objects.filter(eligible=True).select_related("place").order_by("rank")
    )
    applications = (
        call.applications.filter(state=ApplicationState.ELIGIBLE)
        .prefetch_related(Prefetch("choices", queryset=choices, to_attr="eligible_choices"))
        .order_by("id")
    )
    return [
        AllocationApplicant(
            application_uuid=str(app.uuid),
            score=app.score if app.score is not None else Decimal(0),
            tiebreak=app.tiebreak or 0,
            place_uuids=tuple(str(c.place.uuid) for c in app.eligible_choices),
            languages=dict(app.languages or {}),
        )
        for app in applications
    ]
