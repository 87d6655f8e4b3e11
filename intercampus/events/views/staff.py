"""The organiser's pages for its events, under /i/<schac>/events/ (namespace ``staff``):
the list, creating and changing an event, its registrations (with CSV and Excel export),
check-in at the door, and the mix of local and international attendees.

Every view declares ``events.manage_events``; events are read through
``selectors.get_event(request.institution, ...)``, so another institution's event is 404.
Times are typed and shown on the institution's clock.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intercampus.core.permissions import staff_view
from intercampus.core.services import ServiceError
from intercampus.core.staff_pages import staff_crumbs, staff_renderer, staff_url
from intercampus.events import selectors, services
from intercampus.events.choices import RegistrationStatus
from intercampus.events.forms import EventForm, add_errors
from intercampus.events.models import Event
from intercampus.lib.spreadsheets import csv_response, xlsx_response

PERMISSION = "events.manage_events"
REGISTRATIONS_PER_PAGE = 50
WHEN = {"upcoming", "past", "all"}


def _event_url(request: HttpRequest, name: str, event: Event) -> str:
    return staff_url(request, name, event=event.uuid)


def _crumbs(request: HttpRequest, event: Event | None = None) -> list[tuple[str, str]]:
    trail = staff_crumbs(request, (staff_url(request, "events"), _("Events")))
    if event is not None:
        trail.append((_event_url(request, "event_detail", event), event.title))
    return trail


# Every date and time on these pages is on the institution's clock.
_render = staff_renderer("events/staff/", on_institution_clock=True)


# --- Events ---------------------------------------------------------------------------------


@staff_view(PERMISSION)
@require_GET
def events(request: HttpRequest) -> HttpResponse:
    when = request.GET.get("when", "upcoming")
    when = when if when in WHEN else "upcoming"
    rows = selectors.events_of(request.institution, when=when)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    crumbs = staff_crumbs(request)
    return _render(request, "events.html", {"page": page, "when": when, "crumbs": crumbs})


def _event_form_page(request: HttpRequest, event: Event | None = None) -> HttpResponse:
    zone = request.institution.timezone
    form = EventForm(request.POST if request.method == "POST" else None, zone=zone, event=event)
    if form.is_bound and form.is_valid():
        try:
            if event is None:
                saved = services.event_create(
                    actor=request.user, institution=request.institution, **form.cleaned_data
                )
                messages.success(request, _("“{title}” is added.").format(title=saved.title))
            else:
                saved = services.event_update(actor=request.user, event=event, **form.cleaned_data)
                messages.success(request, _("“{title}” is saved.").format(title=saved.title))
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            return redirect(_event_url(request, "event_detail", saved))
    context = {"form": form, "event": event, "crumbs": _crumbs(request, event), "zone": zone}
    return _render(request, "event_form.html", context, status=400 if form.errors else 200)


@staff_view(PERMISSION)
@require_http_methods(["GET", "POST"])
def event_add(request: HttpRequest) -> HttpResponse:
    return _event_form_page(request)


@staff_view(PERMISSION)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, event: uuid.UUID) -> HttpResponse:
    return _event_form_page(request, selectors.get_event(request.institution, event))


@staff_view(PERMISSION)
@require_GET
def event_detail(request: HttpRequest, event: uuid.UUID) -> HttpResponse:
    """The event at a glance: seats, waitlist, and the mix of local and international people."""
    found = selectors.get_event(request.institution, event)
    stats = selectors.attendance_stats(found)
    context = {
        "event": found,
        "figures": selectors.event_figures(found),
        "stats": stats,
        "chart": stats.chart(),
        "chart_titles": {"registered": _("With a seat"), "attended": _("Attended")},
        "started": found.has_started(),
        "crumbs": _crumbs(request),
    }
    return _render(request, "event_detail.html", context)


# --- Registrations --------------------------------------------------------------------------


STATUS_FILTERS = ["active", *RegistrationStatus.values]


@staff_view(PERMISSION)
@require_GET
def event_registrations(request: HttpRequest, event: uuid.UUID) -> HttpResponse:
    found = selectors.get_event(request.institution, event)
    status = request.GET.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    query = request.GET.get("q", "")[:100]
    rows = selectors.registrations_for(found, status=status, query=query)
    page = Paginator(rows, REGISTRATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "event": found,
        "page": page,
        "status": status,
        "query": query,
        "statuses": RegistrationStatus.choices,
        "filters": urlencode({k: v for k, v in (("status", status), ("q", query)) if v}),
        "started": found.has_started(),
        "crumbs": _crumbs(request, found),
    }
    return _render(request, "registrations.html", context)


def _export(request: HttpRequest, event: uuid.UUID, respond: Any, extension: str) -> HttpResponse:
    found = selectors.get_event(request.institution, event)
    filename = f"registrations-{found.uuid}.{extension}"
    return respond(filename, selectors.EXPORT_COLUMNS, selectors.export_rows(found))


@staff_view(PERMISSION)
@require_GET
def event_registrations_csv(request: HttpRequest, event: uuid.UUID) -> HttpResponse:
    return _export(request, event, csv_response, "csv")


@staff_view(PERMISSION)
@require_GET
def event_registrations_xlsx(request: HttpRequest, event: uuid.UUID) -> HttpResponse:
    return _export(request, event, xlsx_response, "xlsx")


@staff_view(PERMISSION)
@require_POST
def event_registration_cancel(
    request: HttpRequest, event: uuid.UUID, registration: uuid.UUID
) -> HttpResponse:
    found = selectors.get_event(request.institution, event)
    target = selectors.get_registration(found, registration)
    try:
        services.registration_cancel(actor=request.user, registration=target)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The registration of {name} is cancelled.").format(
                name=target.user.get_full_name() or target.user.email
            ),
        )
    return redirect(_event_url(request, "event_registrations", found))


# --- Check-in -------------------------------------------------------------------------------


@staff_view(PERMISSION)
@require_GET
def event_check_in(request: HttpRequest, event: uuid.UUID) -> HttpResponse:
    """Who has a seat, searchable by name or e-mail, each with a check-in button."""
    found = selectors.get_event(request.institution, event)
    query = request.GET.get("q", "")[:100]
    rows = selectors.check_in_list(found, query=query)
    page = Paginator(rows, REGISTRATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "event": found,
        "page": page,
        "query": query,
        "filters": urlencode({"q": query}) if query else "",
        "stats": selectors.attendance_stats(found),
        "started": found.has_started(),
        "crumbs": _crumbs(request, found),
    }
    return _render(request, "check_in.html", context)


@staff_view(PERMISSION)
@require_POST
def event_check_in_registration(
    request: HttpRequest, event: uuid.UUID, registration: uuid.UUID
) -> HttpResponse:
    """Check one person in (or, with ``undo``, take it back) and return to the list."""
    found = selectors.get_event(request.institution, event)
    target = selectors.get_registration(found, registration)
    name = target.user.get_full_name() or target.user.email
    try:
        if request.POST.get("undo"):
            services.registration_check_in_undo(actor=request.user, registration=target)
            messages.success(request, _("{name} is no longer checked in.").format(name=name))
        else:
            services.registration_check_in(actor=request.user, registration=target)
            messages.success(request, _("{name} is checked in.").format(name=name))
    except ServiceError as error:
        messages.error(request, error.message)
    back = _event_url(request, "event_check_in", found)
    query = request.POST.get("q", "")[:100]
    return redirect(f"{back}?{urlencode({'q': query})}" if query else back)


@staff_view(PERMISSION)
@require_POST
def event_no_shows(request: HttpRequest, event: uuid.UUID) -> HttpResponse:
    found = selectors.get_event(request.institution, event)
    try:
        count = services.registrations_mark_no_show(actor=request.user, event=found)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("{count} people are marked as not having come.").format(count=count)
        )
    return redirect(_event_url(request, "event_check_in", found))
