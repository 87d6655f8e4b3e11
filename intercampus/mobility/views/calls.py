"""The international office's pages for its mobility calls and their places, under
/i/<schac>/mobility/calls/.

Calls are looked up among the institution's own (``selectors.calls.get_call``): another
institution's call is 404. Times are entered and shown in the institution's time zone.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intercampus.core.permissions import request_has_permission, staff_view
from intercampus.core.services import ServiceError
from intercampus.core.staff_pages import staff_crumbs, staff_renderer, staff_url
from intercampus.institutions.forms import add_errors
from intercampus.mobility.choices import CallStatus
from intercampus.mobility.eligibility import document_label
from intercampus.mobility.forms.calls import CallForm, PlaceSeatsForm
from intercampus.mobility.selectors import calls as selectors
from intercampus.mobility.services import calls as services

MANAGE_CALLS = "mobility.manage_calls"


def _crumbs(request: HttpRequest, *trail: tuple[str, str]) -> list[tuple[str, str]]:
    return staff_crumbs(request, (staff_url(request, "calls"), _("Mobility calls")), *trail)


def call_crumbs(request: HttpRequest, call: Any, *trail: tuple[str, str]) -> list[tuple[str, str]]:
    """The trail down to one call's page (and ``trail`` below it): also for the pages of its
    applications and allocation."""
    return _crumbs(request, (staff_url(request, "call", call=call.uuid), call.title), *trail)


_render = staff_renderer("mobility/calls/")


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@staff_view(MANAGE_CALLS)
@require_GET
def calls(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in CallStatus.values:
        status = ""
    return _render(
        request,
        "list.html",
        {
            "calls": selectors.call_list(request.institution, status=status),
            "status": status,
            "statuses": CallStatus.choices,
            "crumbs": [(staff_url(request, "home"), request.institution.display_name)],
        },
    )


def _call_form_page(request: HttpRequest, call: Any = None) -> HttpResponse:
    zone = request.institution.timezone
    initial = CallForm.initial_for(call) if call else {}
    form = CallForm(_posted(request), initial=initial, zone=zone)
    if form.is_bound and form.is_valid():
        try:
            if call is None:
                saved = services.call_create(
                    actor=request.user, institution=request.institution, **form.cleaned_data
                )
                messages.success(
                    request,
                    _("“{title}” is created. Derive its places from your agreements next.").format(
                        title=saved.title
                    ),
                )
            else:
                saved = services.call_update(actor=request.user, call=call, **form.cleaned_data)
                messages.success(request, _("“{title}” is saved.").format(title=saved.title))
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            return redirect(staff_url(request, "call", call=saved.uuid))
    trail = [(staff_url(request, "call", call=call.uuid), call.title)] if call else []
    return _render(
        request, "form.html", {"form": form, "call": call, "crumbs": _crumbs(request, *trail)}
    )


@staff_view(MANAGE_CALLS)
@require_http_methods(["GET", "POST"])
def call_add(request: HttpRequest) -> HttpResponse:
    return _call_form_page(request)


@staff_view(MANAGE_CALLS)
@require_http_methods(["GET", "POST"])
def call_edit(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    return _call_form_page(request, selectors.get_call(request.institution, call))


@staff_view(MANAGE_CALLS)
@require_GET
def call_detail(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    found = selectors.get_call(request.institution, call)
    return _render(
        request,
        "detail.html",
        {
            "call": found,
            "window": selectors.window_state(found),
            "places": list(selectors.places_of(found)),
            "over_offered": selectors.over_offered_conditions(found),
            "counts": selectors.application_counts(found),
            "required_documents": [document_label(k) for k in found.required_documents or []],
            "editable": found.status not in services.FROZEN_STATUSES,
            "can_score": request_has_permission(request, "mobility.score_applications"),
            "can_allocate": request_has_permission(request, "mobility.run_allocation"),
            "crumbs": _crumbs(request),
        },
    )


@staff_view(MANAGE_CALLS)
@require_POST
def call_publish(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    found = selectors.get_call(request.institution, call)
    try:
        services.call_publish(actor=request.user, call=found)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“{title}” is published.").format(title=found.title))
    return redirect(staff_url(request, "call", call=found.uuid))


@staff_view(MANAGE_CALLS)
@require_POST
def call_derive_places(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    found = selectors.get_call(request.institution, call)
    try:
        created = services.places_derive(actor=request.user, call=found)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if created:
            messages.success(
                request,
                ngettext(
                    "{n} place was proposed from your agreements; review its seats.",
                    "{n} places were proposed from your agreements; review their seats.",
                    len(created),
                ).format(n=len(created)),
            )
        else:
            messages.info(
                request,
                _(
                    "No new place: no other agreement condition sends students of this type in "
                    "{year}."
                ).format(year=found.academic_year),
            )
    return redirect(staff_url(request, "call", call=found.uuid) + "#places")


@staff_view(MANAGE_CALLS)
@require_http_methods(["GET", "POST"])
def place_edit(request: HttpRequest, call: uuid.UUID, place: uuid.UUID) -> HttpResponse:
    found = selectors.get_call(request.institution, call)
    item = selectors.get_place(found, place)
    limit = selectors.seats_limit(item)
    form = PlaceSeatsForm(_posted(request), initial={"seats": item.seats})
    form.fields["seats"].widget.attrs["max"] = limit
    form.fields["seats"].help_text = _(
        "From 0 to {limit}: the seats the agreement has left in {year}."
    ).format(limit=limit, year=found.academic_year)
    if form.is_bound and form.is_valid():
        try:
            services.place_update(actor=request.user, place=item, seats=form.cleaned_data["seats"])
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The seats of {place} are saved.").format(place=item))
            return redirect(staff_url(request, "call", call=found.uuid) + "#places")
    crumbs = call_crumbs(request, found)
    return _render(
        request, "place_form.html", {"form": form, "call": found, "place": item, "crumbs": crumbs}
    )


@staff_view(MANAGE_CALLS)
@require_http_methods(["GET", "POST"])
def place_delete(request: HttpRequest, call: uuid.UUID, place: uuid.UUID) -> HttpResponse:
    found = selectors.get_call(request.institution, call)
    item = selectors.get_place(found, place)
    if request.method == "POST":
        try:
            services.place_delete(actor=request.user, place=item)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("{place} is removed from the call.").format(place=item))
        return redirect(staff_url(request, "call", call=found.uuid) + "#places")
    crumbs = call_crumbs(request, found)
    return _render(request, "place_delete.html", {"call": found, "place": item, "crumbs": crumbs})
