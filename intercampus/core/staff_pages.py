"""Helpers shared by the staff views of every app under ``/i/<institution>/``.

One way to build a staff URL, one breadcrumb trail and one render call, so that the apps'
staff pages agree. They read only ``request.institution`` (set by the tenancy middleware)
and take plain values, so ``core`` imports no domain app.

Breadcrumbs are ``(url, label)`` pairs from the staff area's front page down to the page's
parent; the page itself is the ``current`` label given to ``includes/breadcrumbs.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

Crumb = tuple[str, str]


def staff_url(request: HttpRequest, name: str, **kwargs: Any) -> str:
    """The URL of the staff view ``staff:<name>`` in the request's institution."""
    return reverse(f"staff:{name}", kwargs={"institution": request.institution.schac, **kwargs})


def staff_crumbs(request: HttpRequest, *trail: Crumb) -> list[Crumb]:
    """Breadcrumbs: the staff area's front page (named after the institution), then ``trail``."""
    return [(staff_url(request, "home"), request.institution.display_name), *trail]


def staff_renderer(
    template_dir: str, *, on_institution_clock: bool = False
) -> Callable[..., HttpResponse]:
    """A render function for the staff templates under ``template_dir``.

    It puts ``institution`` and its time zone (``zone``) in every context; with
    ``on_institution_clock`` the whole page is rendered in the institution's time zone.
    """

    def render_staff_page(
        request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
    ) -> HttpResponse:
        institution = request.institution
        full_context = {"institution": institution, "zone": institution.timezone, **context}
        if not on_institution_clock:
            return render(request, f"{template_dir}{template}", full_context, status=status)
        with timezone.override(institution.timezone):
            return render(request, f"{template_dir}{template}", full_context, status=status)

    return render_staff_page
