"""The host's journey pages in its staff area, /i/<schac>/journeys/...: the cohort dashboard
(progress, who is behind on which step, filters, bulk reminders, export), one newcomer's
journey, adding and importing degree newcomers, and the templates with their steps.

Every view needs ``onboarding.manage_journeys``; objects named in the URL are looked up among
the host's own rows (``onboarding.selectors.journeys``), so another host's UUID is 404.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intercampus.core.permissions import staff_view
from intercampus.core.services import ServiceError
from intercampus.core.staff_pages import staff_crumbs, staff_renderer, staff_url
from intercampus.lib.spreadsheets import csv_response, xlsx_response
from intercampus.onboarding import clock
from intercampus.onboarding.choices import JourneySource, Phase, TargetGroup
from intercampus.onboarding.forms import (
    CohortFilterForm,
    EvidenceForm,
    NewcomerForm,
    SpreadsheetForm,
    StepForm,
    TemplateForm,
    add_errors,
)
from intercampus.onboarding.selectors import journeys as selectors
from intercampus.onboarding.services import journeys as services
from intercampus.onboarding.services import newcomers as newcomer_services
from intercampus.onboarding.services import reminders as reminder_services
from intercampus.onboarding.services import templates as template_services
from intercampus.onboarding.services.newcomers import IMPORT_COLUMNS

MANAGE = "onboarding.manage_journeys"
JOURNEYS_PER_PAGE = 50
# A bulk reminder names the journeys it reaches; more than this is a mistake or an attack.
MAX_BULK = 5000
STEP_ACTIONS = {
    "done": services.step_mark_done,
    "skip": services.step_skip,
    "reopen": services.step_reopen,
}


def _journeys_crumb(request: HttpRequest) -> tuple[str, str]:
    return (staff_url(request, "journey_dashboard"), _("Arrival journeys"))


def _templates_crumb(request: HttpRequest) -> tuple[str, str]:
    return (staff_url(request, "journey_templates"), _("Journey templates"))


_render = staff_renderer("onboarding/")


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def file_response(file: FieldFile, filename: str, content_type: str) -> FileResponse:
    """A stored file as an attachment, with the type checked at upload."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename or "document",
        content_type=content_type or "application/octet-stream",
    )


# --- The cohort dashboard -------------------------------------------------------------------


@staff_view(MANAGE)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    host = request.institution
    filters = selectors.CohortFilters.from_query(request.GET)
    today = clock.host_today(host)
    journeys = selectors.cohort(host, filters, today)
    page = Paginator(journeys, JOURNEYS_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode(filters.as_query())
    return _render(
        request,
        "staff/dashboard.html",
        {
            "filter_form": CohortFilterForm(request.GET or None),
            "filters": filters,
            "filtered": bool(filters.as_query()),
            "summary": selectors.cohort_summary(host, filters, today),
            "page": page,
            "today": today,
            "query": query,
            "query_prefix": f"{query}&" if query else "",
            "crumbs": staff_crumbs(request),
        },
    )


def _export_rows(request: HttpRequest) -> tuple[list[str], list[list[Any]]]:
    host = request.institution
    filters = selectors.CohortFilters.from_query(request.GET)
    header = [
        str(_("E-mail")),
        str(_("Given name")),
        str(_("Family name")),
        str(_("Target group")),
        str(_("Anchor date")),
        str(_("Steps")),
        str(_("Done or skipped")),
        str(_("Late")),
        str(_("Late steps")),
        str(_("Next due")),
    ]
    rows = [
        [
            row.email,
            row.given_name,
            row.family_name,
            str(TargetGroup(row.target_group).label),
            row.anchor_date.isoformat(),
            row.n_steps,
            row.n_finished,
            row.n_late,
            "; ".join(f"{title} ({due.isoformat()})" for title, due in row.late_steps),
            row.next_due.isoformat() if row.next_due else "",
        ]
        for row in selectors.cohort_rows(host, filters)
    ]
    return header, rows


@staff_view(MANAGE)
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    header, rows = _export_rows(request)
    return csv_response(f"journeys-{request.institution.schac}.csv", header, rows)


@staff_view(MANAGE)
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    header, rows = _export_rows(request)
    return xlsx_response(
        f"journeys-{request.institution.schac}.xlsx", header, rows, title=str(_("Journeys"))
    )


def _chosen_uuids(request: HttpRequest) -> list[uuid.UUID]:
    chosen = []
    for value in request.POST.getlist("journey")[:MAX_BULK]:
        try:
            chosen.append(uuid.UUID(value))
        except ValueError:
            continue
    return chosen


@staff_view(MANAGE)
@require_POST
def remind(request: HttpRequest) -> HttpResponse:
    """Bulk reminders: the journeys ticked, or every journey behind under the filters."""
    host = request.institution
    filters = selectors.CohortFilters.from_query(request.POST)
    if request.POST.get("everyone_behind"):
        behind = selectors.CohortFilters(**{**filters.__dict__, "progress": "behind"})
        journeys = list(selectors.cohort(host, behind).prefetch_related(None))
    else:
        chosen = _chosen_uuids(request)
        journeys = list(
            selectors.cohort(host, filters).prefetch_related(None).filter(uuid__in=chosen)
        )
    back = staff_url(request, "journey_dashboard")
    query = urlencode(filters.as_query())
    back = f"{back}?{query}" if query else back
    if not journeys:
        messages.error(request, _("Tick the newcomers to remind first."))
        return redirect(back)
    count = reminder_services.journeys_remind(actor=request.user, host=host, journeys=journeys)
    if count:
        messages.success(
            request,
            _("{count} newcomers are reminded of their late and coming steps.").format(count=count),
        )
    else:
        messages.info(request, _("None of them has a step late or due soon: nobody is reminded."))
    return redirect(back)


# --- One journey ----------------------------------------------------------------------------


@staff_view(MANAGE)
@require_GET
def journey_detail(request: HttpRequest, journey: uuid.UUID) -> HttpResponse:
    found = selectors.get_journey(request.institution, journey)
    return _render(
        request,
        "staff/journey_detail.html",
        {
            "journey": found,
            "timeline": selectors.timeline(found),
            "evidence_form": EvidenceForm(),
            "crumbs": staff_crumbs(request, _journeys_crumb(request)),
        },
    )


@staff_view(MANAGE)
@require_POST
def step_action(
    request: HttpRequest, journey: uuid.UUID, step: uuid.UUID, action: str
) -> HttpResponse:
    if action not in STEP_ACTIONS:
        raise Http404
    found = selectors.get_journey(request.institution, journey)
    state = selectors.get_state(found, step)
    kwargs: dict[str, Any] = {}
    if action == "done":
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid() and form.cleaned_data.get("evidence"):
            kwargs["evidence"] = form.cleaned_data["evidence"]
    try:
        STEP_ACTIONS[action](actor=request.user, state=state, **kwargs)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“{step}” is updated.").format(step=state.step.title))
    return redirect(
        staff_url(request, "journey_detail", journey=found.uuid) + f"#step-{state.step.uuid}"
    )


@staff_view(MANAGE)
@require_GET
def evidence(request: HttpRequest, journey: uuid.UUID, step: uuid.UUID) -> HttpResponse:
    state = selectors.get_state(selectors.get_journey(request.institution, journey), step)
    return file_response(state.evidence, state.evidence_name, state.evidence_type)


# --- Degree newcomers -----------------------------------------------------------------------


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def newcomer_add(request: HttpRequest) -> HttpResponse:
    form = NewcomerForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            added = newcomer_services.newcomer_add(
                actor=request.user,
                host=request.institution,
                source=JourneySource.STAFF,
                **form.cleaned_data,
            )
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            if added.journey_created:
                message = _("{name}'s journey has started.")
            else:
                message = _("{name} already had a journey; it is unchanged.")
            messages.success(request, message.format(name=added.journey.newcomer))
            return redirect(staff_url(request, "journey_detail", journey=added.journey.uuid))
    return _render(
        request,
        "staff/newcomer_form.html",
        {"form": form, "crumbs": staff_crumbs(request, _journeys_crumb(request))},
    )


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def newcomer_import(request: HttpRequest) -> HttpResponse:
    """Add a whole spreadsheet of newcomers, or none, listing every row at fault."""
    form = SpreadsheetForm(request.POST or None, request.FILES or None)
    if form.is_bound and form.is_valid():
        try:
            result = newcomer_services.newcomers_import(
                actor=request.user,
                host=request.institution,
                header=form.table.header,
                rows=form.table.rows,
            )
        except (ServiceError, ValidationError) as error:
            form.add_error(None, _("Nothing was imported. Correct these rows and upload again:"))
            add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The file is imported: {rows} newcomers, {journeys} journeys started, "
                    "{users} invitations sent."
                ).format(
                    rows=result.rows, journeys=result.journeys_created, users=result.users_created
                ),
            )
            return redirect(staff_url(request, "journey_dashboard"))
    return _render(
        request,
        "staff/newcomer_import.html",
        {
            "form": form,
            "columns": IMPORT_COLUMNS,
            "groups": list(TargetGroup),
            "crumbs": staff_crumbs(request, _journeys_crumb(request)),
        },
    )


# --- Templates and steps --------------------------------------------------------------------


@staff_view(MANAGE)
@require_GET
def templates(request: HttpRequest) -> HttpResponse:
    return _render(
        request,
        "staff/templates.html",
        {
            "templates": selectors.templates_of(request.institution),
            "crumbs": staff_crumbs(request, _journeys_crumb(request)),
        },
    )


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def template_add(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            created = template_services.template_create(
                actor=request.user, institution=request.institution, **form.cleaned_data
            )
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("“{name}” is created.").format(name=created.name))
            return redirect(staff_url(request, "journey_template", template=created.uuid))
    return _render(
        request,
        "staff/template_form.html",
        {
            "form": form,
            "crumbs": staff_crumbs(request, _journeys_crumb(request), _templates_crumb(request)),
        },
    )


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def template_detail(request: HttpRequest, template: uuid.UUID) -> HttpResponse:
    """The template's settings (editable here) and its steps, phase by phase."""
    found = selectors.get_template(request.institution, template)
    form = TemplateForm(_posted(request), initial=TemplateForm.initial_for(found))
    if form.is_bound and form.is_valid():
        try:
            template_services.template_update(
                actor=request.user, template=found, **form.cleaned_data
            )
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("“{name}” is saved.").format(name=found.name))
            return redirect(staff_url(request, "journey_template", template=found.uuid))
    steps = selectors.steps_of(found)
    phases = [(p, [s for s in steps if s.phase == p]) for p in Phase]
    return _render(
        request,
        "staff/template_detail.html",
        {
            "template": found,
            "form": form,
            "phases": phases,
            "journey_count": found.journeys.count(),
            "crumbs": staff_crumbs(request, _journeys_crumb(request), _templates_crumb(request)),
        },
    )


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def template_delete(request: HttpRequest, template: uuid.UUID) -> HttpResponse:
    found = selectors.get_template(request.institution, template)
    if request.method == "POST":
        try:
            template_services.template_delete(actor=request.user, template=found)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect(staff_url(request, "journey_template", template=found.uuid))
        messages.success(request, _("“{name}” is deleted.").format(name=found.name))
        return redirect(staff_url(request, "journey_templates"))
    return _render(
        request,
        "staff/confirm_delete.html",
        {
            "object": found,
            "cancel_url": staff_url(request, "journey_template", template=found.uuid),
            "crumbs": staff_crumbs(request, _journeys_crumb(request), _templates_crumb(request)),
        },
    )


def _template_crumbs(request: HttpRequest, template: Any) -> list[tuple[str, str]]:
    crumbs = staff_crumbs(request, _journeys_crumb(request), _templates_crumb(request))
    return [
        *crumbs,
        (staff_url(request, "journey_template", template=template.uuid), template.name),
    ]


def _step_form_page(request: HttpRequest, template: Any, step: Any = None) -> HttpResponse:
    form = StepForm(_posted(request), request.FILES or None, step=step)
    if form.is_bound and form.is_valid():
        document = form.cleaned_data.get("document")
        try:
            if step is None:
                saved = template_services.step_create(
                    actor=request.user,
                    template=template,
                    document=document,
                    **form.service_fields(),
                )
            else:
                saved = template_services.step_update(
                    actor=request.user,
                    step=step,
                    document=document,
                    remove_document=bool(form.cleaned_data.get("remove_document")),
                    **form.service_fields(),
                )
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("“{title}” is saved.").format(title=saved.title))
            return redirect(
                staff_url(request, "journey_template", template=template.uuid)
                + f"#step-{saved.uuid}"
            )
    return _render(
        request,
        "staff/step_form.html",
        {
            "form": form,
            "template": template,
            "step": step,
            "crumbs": _template_crumbs(request, template),
        },
    )


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def step_add(request: HttpRequest, template: uuid.UUID) -> HttpResponse:
    return _step_form_page(request, selectors.get_template(request.institution, template))


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def step_edit(request: HttpRequest, template: uuid.UUID, step: uuid.UUID) -> HttpResponse:
    found = selectors.get_template(request.institution, template)
    return _step_form_page(request, found, selectors.get_step(found, step))


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def step_delete(request: HttpRequest, template: uuid.UUID, step: uuid.UUID) -> HttpResponse:
    found = selectors.get_template(request.institution, template)
    obj = selectors.get_step(found, step)
    back = staff_url(request, "journey_template", template=found.uuid)
    if request.method == "POST":
        try:
            template_services.step_delete(actor=request.user, step=obj)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("“{title}” is deleted.").format(title=obj.title))
        return redirect(back)
    return _render(
        request,
        "staff/confirm_delete.html",
        {"object": obj, "cancel_url": back, "crumbs": _template_crumbs(request, found)},
    )


@staff_view(MANAGE)
@require_GET
def step_document(request: HttpRequest, template: uuid.UUID, step: uuid.UUID) -> HttpResponse:
    obj = selectors.get_step(selectors.get_template(request.institution, template), step)
    return file_response(obj.document, obj.document_name, obj.document_type)
