"""iCalendar (RFC 5545) files: one event, or a person's own registrations as a feed.

Times are written in the organiser's time zone with its VTIMEZONE, so calendar programs show
them right wherever the reader is.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from intercampus.events.choices import RegistrationStatus
from intercampus.events.emails import absolute_url
from intercampus.events.models import Event, Registration

PRODID = "-//Intercampus//Events//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _component(event: Event, registration: Registration | None = None) -> CalendarEvent:
    zone = zoneinfo.ZoneInfo(event.institution.timezone)
    item = CalendarEvent()
    # Stable across downloads, so that a calendar updates the entry instead of adding another.
    item.add("uid", f"{event.uuid}@intercampus")
    item.add("dtstamp", timezone.now())
    item.add("last-modified", event.updated)
    item.add("dtstart", event.starts.astimezone(zone))
    item.add("dtend", event.ends.astimezone(zone))
    item.add("summary", event.title)
    url = absolute_url(reverse("events:detail", kwargs={"event": event.uuid}))
    item.add("url", url)
    parts = (event.institution.name, event.description, event.link, url)
    description = "\n\n".join(part for part in parts if part)
    item.add("description", description)
    if event.place or event.link:
        item.add("location", event.place or event.link)
    waiting = registration is not None and registration.status == RegistrationStatus.WAITLISTED
    item.add("status", "TENTATIVE" if waiting else "CONFIRMED")
    return item


def calendar_bytes(name: str, items: Iterable[tuple[Event, Registration | None]]) -> bytes:
    calendar = _calendar(name)
    for event, registration in items:
        calendar.add_component(_component(event, registration))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
