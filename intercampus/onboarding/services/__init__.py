"""Writes of the onboarding app, one module per topic: ``journeys`` (starting journeys and
progress on steps), ``templates`` (templates and their steps), ``newcomers`` (degree
newcomers added or imported by the host) and ``reminders``.

``journey_start_for_nomination`` is re-exported here: mobility calls it, looked up lazily
on this package, when a host accepts a nomination.
"""

from intercampus.onboarding.services.journeys import journey_start_for_nomination

__all__ = ["journey_start_for_nomination"]
