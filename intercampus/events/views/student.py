"""A person's own registrations, under /me/events/ (namespace ``my_events``): what they are
registered for, where they stand on waitlists, and all of it as a calendar feed.

Only ``request.user``'s own registrations are ever read (``selectors.registrations_of_user``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from intercampus.events import calendar, selectors


@login_required
@require_GET
def my_events(request: HttpRequest) -> HttpResponse:
    registrations = selectors.registrations_of_user(request.user)
    now = timezone.now()
    upcoming = [r for r in registrations if r.event.ends > now]
    past = [r for r in registrations if r.event.ends <= now][::-1]
    return render(request, "events/my_events.html", {"upcoming": upcoming, "past": past})


@login_required
@require_GET
def my_calendar(request: HttpRequest) -> HttpResponse:
    registrations = selectors.registrations_of_user(request.user)
    content = calendar.calendar_bytes(
        _("My events on Intercampus"), [(r.event, r) for r in registrations]
    )
    return calendar.ics_response("my-events.ics", content)
