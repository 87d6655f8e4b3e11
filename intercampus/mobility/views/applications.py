"""The staff's pages for the applications to a call: the list with filters and the committee's
score, exports, the detail with each choice's eligibility, and the documents.

Applications and documents are looked up among the institution's own
(``selectors.applications``): another institution's are 404. Documents are served by a view
that checks this, never from a public media URL.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intercampus.core.permissions import staff_view
from intercampus.core.services import ServiceError
from intercampus.core.staff_pages import staff_url
from intercampus.lib.spreadsheets import csv_response, xlsx_response
from intercampus.mobility.choices import ApplicationState
from intercampus.mobility.forms.applications import CommitteeScoreForm, StateFilterForm
from intercampus.mobility.selectors import applications as selectors
from intercampus.mobility.selectors import calls as call_selectors
from intercampus.mobility.services import applications as services
from intercampus.mobility.views.calls import call_crumbs
from intercampus.mobility.views.student import document_response

SCORE = "mobility.score_applications"
PER_PAGE = 50


def _state(request: HttpRequest) -> str:
    state = request.GET.get("state", "")
    return state if state in ApplicationState.values else ""


def _row_context(request: HttpRequest, application: Any, **extra: Any) -> dict[str, Any]:
    return {
        "institution": request.institution,
        "app": application,
        "form": CommitteeScoreForm(initial={"committee_score": application.committee_score}),
        "scorable": application.call.status not in services.FROZEN_STATUSES,
        **extra,
    }


@staff_view(SCORE)
@require_GET
def application_list(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    found = call_selectors.get_call(request.institution, call)
    state = _state(request)
    page = Paginator(selectors.applications_of_call(found, state=state), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mobility/applications/list.html",
        {
            "institution": request.institution,
            "zone": request.institution.timezone,
            "call": found,
            "page": page,
            "state": state,
            "filter_form": StateFilterForm(initial={"state": state}),
            "counts": [c for c in call_selectors.application_counts(found) if c[2]],
            "scorable": found.status not in services.FROZEN_STATUSES,
            "crumbs": call_crumbs(request, found),
        },
    )


def _export(request: HttpRequest, call: uuid.UUID, respond: Any, extension: str) -> HttpResponse:
    found = call_selectors.get_call(request.institution, call)
    header = [str(c) for c in selectors.EXPORT_COLUMNS]
    rows = selectors.export_rows(found, state=_state(request))
    filename = f"applications-{request.institution.schac}-{found.uuid}.{extension}"
    return respond(filename, header, rows)


@staff_view(SCORE)
@require_GET
def applications_csv(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    return _export(request, call, csv_response, "csv")


@staff_view(SCORE)
@require_GET
def applications_xlsx(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    def respond(filename: str, header: Any, rows: Any) -> HttpResponse:
        return xlsx_response(filename, header, rows, title=str(_("Applications")))

    return _export(request, call, respond, "xlsx")


@staff_view(SCORE)
@require_POST
def applications_rescore(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    found = call_selectors.get_call(request.institution, call)
    try:
        result = services.applications_rescore(actor=request.user, call=found)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Scores re-computed: {changed} of {total} applications changed.").format(
                changed=result.changed, total=result.total
            ),
        )
    return redirect(staff_url(request, "applications", call=found.uuid))


@staff_view(SCORE)
@require_GET
def application_detail(request: HttpRequest, application: uuid.UUID) -> HttpResponse:
    found = selectors.get_application(request.institution, application)
    return render(
        request,
        "mobility/applications/detail.html",
        {
            "institution": request.institution,
            "zone": request.institution.timezone,
            "call": found.call,
            "app": found,
            "choices": list(found.choices.all()),
            "documents": list(found.documents.all()),
            "cycle_label": selectors.cycle_label(found.cycle),
            "form": CommitteeScoreForm(initial={"committee_score": found.committee_score}),
            "scorable": found.submitted_at is not None
            and found.call.status not in services.FROZEN_STATUSES,
            "crumbs": [
                *call_crumbs(request, found.call),
                (staff_url(request, "applications", call=found.call.uuid), _("Applications")),
            ],
        },
    )


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@staff_view(SCORE)
@require_POST
def application_score(request: HttpRequest, application: uuid.UUID) -> HttpResponse:
    """Save the committee's score; an htmx request gets the list row back."""
    found = selectors.get_application(request.institution, application)
    form = CommitteeScoreForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            found = services.application_score(
                actor=request.user,
                application=found,
                committee_score=form.cleaned_data["committee_score"],
            )
        except ServiceError as refused:
            error = refused.message
    else:
        error = " ".join(form.errors.get("committee_score", []))
    if request.htmx:
        found = selectors.applications_of_call(found.call, state=found.state).get(pk=found.pk)
        context = _row_context(request, found, error=error, saved=not error)
        if error:
            context["form"] = form
        return render(request, "mobility/applications/_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The committee's score is saved."))
    return _back(request, staff_url(request, "application", application=found.uuid))


@staff_view(SCORE)
@require_GET
def application_document(
    request: HttpRequest, application: uuid.UUID, document: uuid.UUID
) -> HttpResponse:
    return document_response(selectors.get_document(request.institution, application, document))
