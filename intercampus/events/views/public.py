"""Events as students see them, under /events/ (namespace ``events``): the upcoming events
they may attend, one event with its seats and waitlist, registering and cancelling, and the
event as an iCalendar file.

Every page needs a signed-in person; an event is read through ``selectors.get_visible_event``,
so one that is not for them is 404. Times are shown on the organiser's clock.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intercampus.core.services import ServiceError
from intercampus.events import calendar, selectors, services
from intercampus.events.choices import RegistrationStatus
from intercampus.events.forms import RegistrationForm, add_errors
from intercampus.events.models import Event

EVENTS_PER_PAGE = 25


def _detail_url(event: Event) -> str:
    return reverse("events:detail", kwargs={"event": event.uuid})


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    organisers = selectors.organisers_with_events(request.user)
    chosen = request.GET.get("institution", "")
    institution = next((i for i in organisers if i.schac == chosen), None)
    events = selectors.events_visible_to(request.user, institution=institution)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    mine = {
        r.event_id: r for r in selectors.registrations_of_user(request.user, include_past=False)
    }
    for event in page:
        event.my_registration = mine.get(event.id)  # type: ignore[attr-defined]
        event.seats_left = max(0, event.capacity - event.taken)  # type: ignore[attr-defined]
    return render(
        request,
        "events/list.html",
        {"page": page, "organisers": organisers, "chosen": institution},
    )


def _detail_page(
    request: HttpRequest, event: Event, form: RegistrationForm | None = None, status: int = 200
) -> HttpResponse:
    registration = selectors.registration_of_user(request.user, event)
    standing = selectors.Standing.of(request.user)
    group = standing.group_at(event)
    if form is None:
        form = RegistrationForm(group_known=group is not None)
    context: dict[str, Any] = {
        "event": event,
        "figures": selectors.event_figures(event),
        "registration": registration,
        "may_attend": standing.may_attend(event) and event.published,
        "open": event.registration_open(),
        "started": event.has_started(),
        "group": group,
        "form": form,
        "needs_verified_email": registration is None
        and selectors.needs_verified_email(request.user, event, standing),
    }
    return render(request, "events/detail.html", context, status=status)


@login_required
@require_GET
def event_detail(request: HttpRequest, event: uuid.UUID) -> HttpResponse:
    return _detail_page(request, selectors.get_visible_event(request.user, event))


@login_required
@require_POST
def event_register(request: HttpRequest, event: uuid.UUID) -> HttpResponse:
    found = selectors.get_visible_event(request.user, event)
    group = selectors.derive_group(request.user, found)
    form = RegistrationForm(request.POST, group_known=group is not None)
    if not form.is_valid():
        return _detail_page(request, found, form, status=400)
    try:
        registration = services.registration_create(
            actor=request.user, event=found, group=form.cleaned_data.get("group") or None
        )
    except ServiceError as error:
        add_errors(form, error)
        return _detail_page(request, found, form, status=error.status)
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(request, _("You are registered: your seat is confirmed."))
    else:
        messages.info(
            request,
            _(
                "The event is full: you are on the waitlist. If a seat comes free for you, "
                "it is yours and we tell you by e-mail."
            ),
        )
    return redirect(_detail_url(found))


@login_required
@require_POST
def event_cancel(request: HttpRequest, event: uuid.UUID) -> HttpResponse:
    found = selectors.get_visible_event(request.user, event)
    registration = selectors.registration_of_user(request.user, found)
    if registration is None:
        messages.error(request, _("You are not registered for this event."))
        return redirect(_detail_url(found))
    try:
        services.registration_cancel(actor=request.user, registration=registration)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(_detail_url(found))


@login_required
@require_GET
def event_ics(request: HttpRequest, event: uuid.UUID) -> HttpResponse:
    found = selectors.get_visible_event(request.user, event)
    registration = selectors.registration_of_user(request.user, found)
    content = calendar.calendar_bytes(found.title, [(found, registration)])
    return calendar.ics_response(f"event-{found.uuid}.ics", content)
