"""A student's own mobility pages under /me/mobility/: open calls, their applications, the
draft that saves itself as they type, documents, submission and withdrawal.

Every object is read through a selector that filters by ``student=request.user``, so another
student's application is 404. What a student typed is kept exactly, even when it is not valid
yet (``Application.draft``); the valid part is saved in the application's fields too.
"""

from __future__ import annotations

import uuid
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intercampus.core.services import ServiceError
from intercampus.mobility.choices import ApplicationState
from intercampus.mobility.eligibility import Applicant, document_label
from intercampus.mobility.forms.applications import (
    CYCLE_CHOICES,
    LEVEL_CHOICES,
    MAX_LANGUAGES,
    DocumentForm,
    Draft,
    clean_draft,
    missing_for_submission,
    raw_from_application,
    raw_from_post,
)
from intercampus.mobility.models import Application
from intercampus.mobility.selectors import allocation as allocation_selectors
from intercampus.mobility.selectors import applications as app_selectors
from intercampus.mobility.selectors import calls as call_selectors
from intercampus.mobility.services import applications as services

EMPTY_LANGUAGE_ROWS = 2


def _app_url(name: str, application: Application) -> str:
    return reverse(f"mobility:{name}", kwargs={"application": application.uuid})


# --- Keeping what was typed ---------------------------------------------------------------


def _kept_raw(request: HttpRequest, application: Application) -> dict[str, Any] | None:
    """The draft exactly as the student last typed it, on any device."""
    return application.draft or None


# --- The draft ----------------------------------------------------------------------------


def _places_by_uuid(application: Application) -> dict[str, Any]:
    return {str(p.uuid): p for p in call_selectors.places_for_student(application.call)}


def _normalised(raw: dict[str, Any], max_choices: int) -> dict[str, Any]:
    """The raw draft as a page shows it: empty language rows dropped, one row per rank."""
    raw = dict(raw)
    raw["languages"] = [row for row in raw.get("languages", []) if row[0].strip() or row[1]]
    choices = list(raw.get("choices", []))[:max_choices]
    raw["choices"] = choices + [""] * (max_choices - len(choices))
    return raw


def _move(raw: dict[str, Any], move: str) -> None:
    """Apply "up-<rank>" or "down-<rank>" to the ranked choices."""
    direction, _sep, rank = move.partition("-")
    if not rank.isdigit() or direction not in ("up", "down"):
        return
    i = int(rank) - 1
    j = i - 1 if direction == "up" else i + 1
    choices = raw["choices"]
    if 0 <= i < len(choices) and 0 <= j < len(choices):
        choices[i], choices[j] = choices[j], choices[i]


def _save(request: HttpRequest, application: Application, raw: dict[str, Any]) -> Draft:
    """Save the valid part of ``raw`` and keep all of it as typed."""
    draft = clean_draft(raw, _places_by_uuid(application))
    services.application_save_draft(
        actor=request.user,
        application=application,
        fields=draft.fields,
        places=draft.places,
        raw=raw,
    )
    application.refresh_from_db()
    return draft


def _live_eligibility(application: Application, draft: Draft) -> dict[int, Any]:
    """For each rank with a known place: the eligibility verdict on what is typed now."""
    places = _places_by_uuid(application)
    saved = app_selectors.applicant_for(application)
    applicant = Applicant(
        cycle=draft.fields.get("cycle", saved.cycle),
        languages=draft.fields.get("languages", saved.languages),
        documents=saved.documents,
    )
    ranked = [(rank, places.get(value)) for rank, value in enumerate(draft.choice_rows, start=1)]
    known = [(rank, place) for rank, place in ranked if place is not None]
    verdicts = app_selectors.check_places(application.call, [p for _r, p in known], applicant)
    return {rank: verdict for (rank, _p), (_place, verdict) in zip(known, verdicts, strict=True)}


def _saved_at(application: Application) -> str:
    zone = zoneinfo.ZoneInfo(application.call.owner.timezone)
    return timezone.localtime(application.saved_at, zone).strftime("%H:%M")


def _draft_context(application: Application, draft: Draft) -> dict[str, Any]:
    verdicts = _live_eligibility(application, draft)
    language_rows = [
        {"index": i, "tag": tag, "level": level, "error": draft.errors.get(f"language_{i}")}
        for i, (tag, level) in enumerate(draft.language_rows)
    ]
    free = min(EMPTY_LANGUAGE_ROWS, MAX_LANGUAGES - len(language_rows))
    start = len(language_rows)
    language_rows += [
        {"index": start + k, "tag": "", "level": "", "error": None} for k in range(max(free, 0))
    ]
    choice_rows = [
        {
            "rank": rank,
            "value": value,
            "error": draft.errors.get(f"choice_{rank}"),
            "verdict": verdicts.get(rank),
        }
        for rank, value in enumerate(draft.choice_rows, start=1)
    ]
    return {
        "draft": draft,
        "posted_language_rows": language_rows[:start],
        "raw": draft.raw,
        "errors": draft.errors,
        "language_rows": language_rows,
        "choice_rows": choice_rows,
        "saved_at": _saved_at(application),
    }


def _page(
    request: HttpRequest,
    application: Application,
    draft: Draft | None = None,
    document_form: DocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    call = application.call
    context: dict[str, Any] = {
        "application": application,
        "call": call,
        "zone": call.owner.timezone,
        "window": call_selectors.window_state(call),
        "documents": app_selectors.documents_of(application),
        "required_documents": [document_label(kind) for kind in call.required_documents or []],
        "is_draft": application.state == ApplicationState.DRAFT,
        "can_withdraw": application.state not in services.NOT_WITHDRAWABLE,
    }
    if application.state == ApplicationState.DRAFT:
        if draft is None:
            raw = _kept_raw(request, application) or raw_from_application(
                application, app_selectors.choices_of(application)
            )
            draft = clean_draft(_normalised(raw, call.max_choices), _places_by_uuid(application))
        context.update(_draft_context(application, draft))
        # Only a draft is told why it can no longer be submitted.
        context["closed_early"] = call_selectors.closed_early(call)
        context.update(
            {
                "places": call_selectors.places_for_student(call),
                "document_form": document_form or DocumentForm(),
                "level_choices": LEVEL_CHOICES,
                "cycle_choices": CYCLE_CHOICES,
            }
        )
    else:
        context["choices"] = app_selectors.choices_of(application)
        context["result"] = allocation_selectors.student_result(application, context["choices"])
        context["cycle_label"] = app_selectors.cycle_label(application.cycle)
    return render(request, "mobility/student/application.html", context, status=status)


# --- Pages --------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    calls = call_selectors.calls_open_to(request.user)
    mine = app_selectors.applications_of_student(request.user)
    by_call = {a.call_id: a for a in mine}
    now = timezone.now()
    return render(
        request,
        "mobility/student/home.html",
        {
            "calls": [
                {
                    "call": c,
                    "application": by_call.get(c.pk),
                    "window": call_selectors.window_state(c, now),
                }
                for c in calls
            ],
            "applications": mine,
        },
    )


@login_required
@require_GET
def call(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    found = call_selectors.get_call_open_to(request.user, call)
    return render(
        request,
        "mobility/student/call.html",
        {
            "call": found,
            "zone": found.owner.timezone,
            "window": call_selectors.window_state(found),
            "places": call_selectors.places_for_student(found),
            "application": app_selectors.own_application_for(request.user, found),
        },
    )


@login_required
@require_POST
def apply(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    found = call_selectors.get_call_open_to(request.user, call)
    try:
        application = services.application_start(actor=request.user, call=found)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("mobility:call", call=found.uuid)
    return redirect(_app_url("application", application))


@login_required
@require_http_methods(["GET", "POST"])
def application(request: HttpRequest, application: uuid.UUID) -> HttpResponse:
    """The application: a draft to fill in (POST saves it, or moves a choice), or what was sent."""
    found = app_selectors.get_own_application(request.user, application)
    if request.method == "GET" or found.state != ApplicationState.DRAFT:
        return _page(request, found)
    raw = _normalised(raw_from_post(request.POST, found.call.max_choices), found.call.max_choices)
    if move := request.POST.get("move"):
        _move(raw, move)
    try:
        draft = _save(request, found, raw)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(_app_url("application", found))
    if draft.errors:
        messages.warning(
            request,
            _("Your draft is saved, except the fields marked below. What you typed is kept."),
        )
        return _page(request, found, draft=draft)
    if not move:
        messages.success(request, _("Your draft is saved."))
    return redirect(_app_url("application", found))


@login_required
@require_POST
def autosave(request: HttpRequest, application: uuid.UUID) -> HttpResponse:
    """Save as the student types (htmx): answers the status line and the notes by each field."""
    found = app_selectors.get_own_application(request.user, application)
    context: dict[str, Any] = {"application": found}
    if found.state != ApplicationState.DRAFT:
        context["refused"] = _("This application is submitted; changes are no longer saved.")
        return render(request, "mobility/student/_autosave.html", context)
    raw = raw_from_post(request.POST, found.call.max_choices)
    try:
        draft = _save(request, found, raw)
    except ServiceError as error:
        context["refused"] = error.message
        return render(request, "mobility/student/_autosave.html", context)
    context.update(_draft_context(found, draft))
    return render(request, "mobility/student/_autosave.html", context)


@login_required
@require_POST
def submit(request: HttpRequest, application: uuid.UUID) -> HttpResponse:
    found = app_selectors.get_own_application(request.user, application)
    if found.state != ApplicationState.DRAFT:
        messages.info(request, _("This application is already submitted."))
        return redirect(_app_url("application", found))
    raw = _normalised(raw_from_post(request.POST, found.call.max_choices), found.call.max_choices)
    draft = _save(request, found, raw)
    draft.errors.update(missing_for_submission(draft))
    if draft.errors:
        messages.error(request, _("Correct the fields marked below, then submit again."))
        return _page(request, found, draft=draft)
    try:
        submitted = services.application_submit(actor=request.user, application=found)
    except ServiceError as error:
        if error.field:
            draft.errors[error.field] = error.message
        messages.error(request, error.message)
        return _page(request, found, draft=draft)
    if submitted.state == ApplicationState.ELIGIBLE:
        messages.success(request, _("Your application is submitted."))
    else:
        messages.warning(
            request,
            _(
                "Your application is submitted, but none of your choices is eligible: "
                "see why below."
            ),
        )
    return redirect(_app_url("application", submitted))


@login_required
@require_POST
def withdraw(request: HttpRequest, application: uuid.UUID) -> HttpResponse:
    found = app_selectors.get_own_application(request.user, application)
    try:
        services.application_withdraw(actor=request.user, application=found)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect(_app_url("application", found))


# --- Documents ----------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request: HttpRequest, application: uuid.UUID) -> HttpResponse:
    found = app_selectors.get_own_application(request.user, application)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.application_document_add(
                actor=request.user,
                application=found,
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("“{name}” is uploaded.").format(name=document))
            return redirect(_app_url("application", found) + "#documents")
    return _page(request, found, document_form=form, status=400)


@login_required
@require_GET
def document(request: HttpRequest, application: uuid.UUID, document: uuid.UUID) -> HttpResponse:
    found = app_selectors.get_own_document(request.user, application, document)
    return document_response(found)


@login_required
@require_POST
def document_delete(
    request: HttpRequest, application: uuid.UUID, document: uuid.UUID
) -> HttpResponse:
    found = app_selectors.get_own_document(request.user, application, document)
    try:
        services.application_document_delete(actor=request.user, document=found)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“{name}” is removed.").format(name=found))
    return redirect(_app_url("application", found.application) + "#documents")


def document_response(document: Any) -> FileResponse:
    """The stored file, as an attachment with the type checked at upload."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
