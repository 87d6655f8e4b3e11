"""The international office's allocation pages for a call, under
/i/<schac>/mobility/calls/<call>/runs/: the runs, running the allocation (inline for a small
call, by the task worker for a large one, with a progress bar), the review of a run with its
cut-offs, exports, publishing and re-allocating seats freed by declines. And the student's
"decline my place" (under /me/mobility/).

Calls and runs are looked up among the institution's own: another institution's are 404.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from intercampus.core.limits import BoundedTextFormMixin
from intercampus.core.permissions import staff_view
from intercampus.core.services import ServiceError
from intercampus.core.staff_pages import staff_renderer, staff_url
from intercampus.institutions.forms import add_errors
from intercampus.lib.spreadsheets import csv_response, xlsx_response
from intercampus.mobility.choices import CallStatus, RunStatus
from intercampus.mobility.models import AllocationRun
from intercampus.mobility.selectors import allocation as selectors
from intercampus.mobility.selectors import applications as app_selectors
from intercampus.mobility.selectors import calls as call_selectors
from intercampus.mobility.services import allocation as services
from intercampus.mobility.views.calls import call_crumbs

RUN_ALLOCATION = "mobility.run_allocation"
PER_PAGE = 50


class RunForm(BoundedTextFormMixin, forms.Form):
    early = forms.BooleanField(
        label=gettext_lazy("The call is still open: allocate now anyway"),
        required=False,
        help_text=gettext_lazy(
            "Running the allocation closes the call now: students can no longer apply or submit."
        ),
    )


_render = staff_renderer("mobility/allocation/")


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """To ``url``: a redirect, or, for htmx, the instruction to load it."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


# --- The runs of a call -------------------------------------------------------------------


def _runs_page(
    request: HttpRequest, call: Any, form: RunForm | None = None, status: int = 200
) -> HttpResponse:
    published = selectors.published_run(call)
    left = selectors.left_uuids(call) if published else set()
    window = call_selectors.window_state(call, services.current_time())
    form = form or RunForm()
    if not (call.status == CallStatus.PUBLISHED and window != "closed"):
        # Only a call still open asks to confirm.
        del form.fields["early"]
    return _render(
        request,
        "runs.html",
        {
            "call": call,
            "runs": list(selectors.runs_of_call(call)),
            "form": form,
            "window": window,
            "eligible": selectors.eligible_count(call),
            "inline_limit": services.INLINE_LIMIT,
            "can_run": call.status in (CallStatus.PUBLISHED, CallStatus.ALLOCATED),
            "published": published,
            "freed": selectors.freed_seats(published, left) if published else 0,
            "crumbs": call_crumbs(request, call),
        },
        status=status,
    )


@staff_view(RUN_ALLOCATION)
@require_GET
def runs(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    return _runs_page(request, call_selectors.get_call(request.institution, call))


def _in_page_words(call: Any, error: ServiceError) -> ServiceError:
    """The service's refusal, with the confirmation of an early run named as this page asks
    for it: its checkbox."""
    if error.field != "early":
        return error
    label = RunForm.base_fields["early"].label
    confirm = _("tick “{label}” and run it again").format(label=label)
    message = services.early_confirmation_message(call, confirm=confirm)
    return ServiceError(message, field="early", status=error.status)


@staff_view(RUN_ALLOCATION)
@require_POST
def run_start(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    """Run the allocation now (small call) or queue it for the worker (large call)."""
    found = call_selectors.get_call(request.institution, call)
    form = RunForm(request.POST)
    form.is_valid()
    early = bool(form.cleaned_data.get("early"))
    try:
        if selectors.eligible_count(found) > services.INLINE_LIMIT:
            run = services.allocation_enqueue(actor=request.user, call=found, early=early)
            messages.info(request, _("The allocation is queued; this page follows it."))
        else:
            run = services.allocation_run(actor=request.user, call=found, early=early)
            messages.success(
                request,
                _("The allocation placed {placed} of {total} students; review it below.").format(
                    placed=run.placed_count, total=run.placed_count + run.unplaced_count
                ),
            )
    except ServiceError as error:
        add_errors(form, _in_page_words(found, error))
        # htmx swaps only successful answers: the form with its error comes back as one.
        return _runs_page(request, found, form, status=200 if request.htmx else 409)
    return _go(request, staff_url(request, "allocation_run", call=found.uuid, run=run.uuid))


@staff_view(RUN_ALLOCATION)
@require_POST
def reallocate(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    found = call_selectors.get_call(request.institution, call)
    try:
        run = services.allocation_reallocate(actor=request.user, call=found)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(staff_url(request, "allocation_runs", call=found.uuid))
    messages.success(
        request,
        _("The freed seats are re-allocated; nobody else moved. Review the run, then publish it."),
    )
    return redirect(staff_url(request, "allocation_run", call=found.uuid, run=run.uuid))


# --- One run ------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> dict[str, str]:
    result = request.GET.get("result", "")
    return {
        "result": result if result in selectors.RESULT_FILTERS else "",
        "place": request.GET.get("place", "").strip()[:40],
        "q": request.GET.get("q", "").strip()[:100],
    }


def _querystring(filters: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in filters.items() if v})


@staff_view(RUN_ALLOCATION)
@require_GET
def run_detail(request: HttpRequest, call: uuid.UUID, run: uuid.UUID) -> HttpResponse:
    found = call_selectors.get_call(request.institution, call)
    item = selectors.get_run(found, run)
    context: dict[str, Any] = {
        "call": found,
        "run": item,
        "crumbs": call_crumbs(
            request,
            found,
            (staff_url(request, "allocation_runs", call=found.uuid), _("Allocation")),
        ),
    }
    if item.phase != AllocationRun.Phase.DONE:
        return _render(request, "run.html", context)
    rows = selectors.place_rows(item)
    filters = _filters(request)
    entries = selectors.filter_entries(item, selectors.entries(item), **filters)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    published = selectors.published_run(found)
    context.update(
        {
            "places": rows,
            "chart": selectors.chart_by_host(rows),
            "chart_titles": {"seats": _("Seats"), "placed": _("Placed")},
            "seats": sum(r.seats for r in rows),
            "page": page,
            "applicants": selectors.applicant_rows(item, list(page)),
            "filters": filters,
            "querystring": _querystring(filters),
            "result_filters": selectors.RESULT_FILTERS.items(),
            "matching": len(entries),
            "publishable": item.status == RunStatus.DRAFT,
            "freed": (
                selectors.freed_seats(item, selectors.left_uuids(found))
                if published and published.pk == item.pk
                else 0
            ),
        }
    )
    return _render(request, "run.html", context)


@staff_view(RUN_ALLOCATION)
@require_GET
def run_progress(request: HttpRequest, call: uuid.UUID, run: uuid.UUID) -> HttpResponse:
    """The progress panel of a queued or running run (polled by htmx); once the run is done,
    htmx reloads the page, which then shows the review."""
    found = call_selectors.get_call(request.institution, call)
    item = selectors.get_run_light(found, run)
    if item.phase == AllocationRun.Phase.DONE and request.htmx:
        return HttpResponseClientRefresh()
    return _render(request, "_progress.html", {"call": found, "run": item})


@staff_view(RUN_ALLOCATION)
@require_POST
def run_publish(request: HttpRequest, call: uuid.UUID, run: uuid.UUID) -> HttpResponse:
    found = call_selectors.get_call(request.institution, call)
    item = selectors.get_run_light(found, run)
    try:
        services.allocation_publish(actor=request.user, run=item)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The results are published; the students are told on their page.")
        )
    return redirect(staff_url(request, "allocation_run", call=found.uuid, run=item.uuid))


def _export(request: HttpRequest, call: uuid.UUID, run: uuid.UUID, respond: Any, ext: str):
    found = call_selectors.get_call(request.institution, call)
    item = selectors.get_run(found, run)
    header = [str(c) for c in selectors.EXPORT_COLUMNS]
    filename = f"allocation-{request.institution.schac}-{item.uuid}.{ext}"
    return respond(filename, header, selectors.export_rows(item))


@staff_view(RUN_ALLOCATION)
@require_GET
def run_csv(request: HttpRequest, call: uuid.UUID, run: uuid.UUID) -> HttpResponse:
    return _export(request, call, run, csv_response, "csv")


@staff_view(RUN_ALLOCATION)
@require_GET
def run_xlsx(request: HttpRequest, call: uuid.UUID, run: uuid.UUID) -> HttpResponse:
    def respond(filename: str, header: Any, rows: Any) -> HttpResponse:
        return xlsx_response(filename, header, rows, title=str(_("Allocation")))

    return _export(request, call, run, respond, "xlsx")


@staff_view(RUN_ALLOCATION)
@require_GET
def run_instance(request: HttpRequest, call: uuid.UUID, run: uuid.UUID) -> HttpResponse:
    """The run's alloc-instance/1 document, to replay it with ``intercampus allocate
    --instance`` (a re-allocation's fixed students are in ``fixed``)."""
    found = call_selectors.get_call(request.institution, call)
    item = selectors.get_run(found, run)
    document = dict(item.instance)
    if item.parameters.get("fixed"):
        document["fixed"] = item.parameters["fixed"]
    response = HttpResponse(json.dumps(document), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="allocation-{item.uuid}.json"'
    return response


# --- The student --------------------------------------------------------------------------


@login_required
@require_POST
def student_decline(request: HttpRequest, application: uuid.UUID) -> HttpResponse:
    """The student declines the place they were given (their own application only)."""
    found = app_selectors.get_own_application(request.user, application)
    try:
        services.allocation_decline(actor=request.user, application=found)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You declined your place; it goes to another student."))
    return redirect(reverse("mobility:application", kwargs={"application": found.uuid}) + "#result")
