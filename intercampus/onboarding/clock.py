"""The onboarding clock: the current time (one seam, so that tests can set it) and today's date
where a host is. It sits below services and selectors, which both read it."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone

from intercampus.institutions.models import Institution


def current_time() -> datetime.datetime:
    """The clock (one seam, so that tests can set it)."""
    return timezone.now()


def host_today(host: Institution, now: datetime.datetime | None = None) -> datetime.date:
    """Today's date where the host is."""
    try:
        zone = zoneinfo.ZoneInfo(host.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return (now or current_time()).astimezone(zone).date()
