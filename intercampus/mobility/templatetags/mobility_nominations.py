"""``{% nomination_steps application %}``: the steps after the allocation (placed, nominated,
accepted or rejected with the host's reason) on a student's own application page."""

from __future__ import annotations

from django import template

from intercampus.mobility.selectors.nominations import student_steps

register = template.Library()


@register.inclusion_tag("mobility/nominations/_student_steps.html")
def nomination_steps(application) -> dict:
    # The page fetched ``application`` for its own student (get_own_application).
    return {"steps": student_steps(application)}
