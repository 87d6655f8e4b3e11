"""The host's buddy programme pages in its staff area, /i/<schac>/buddies/...: programmes
(with their weights), each programme's KPIs, unmatched newcomers and the "Run matching"
button, the lists of buddies, newcomers and matches (with why each pair was matched), and
exports of the matches.

Every view needs ``onboarding.manage_buddies``; objects named in the URL are looked up among
the host's own rows (``onboarding.selectors.buddies``), so another host's UUID is 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intercampus.core.permissions import staff_view
from intercampus.core.services import ServiceError
from intercampus.core.staff_pages import staff_crumbs, staff_renderer, staff_url
from intercampus.lib.spreadsheets import csv_response, xlsx_response
from intercampus.onboarding.forms import add_errors
from intercampus.onboarding.forms_buddies import ProgrammeForm
from intercampus.onboarding.models.buddies import BuddyProgramme, MatchStatus
from intercampus.onboarding.selectors import buddies as selectors
from intercampus.onboarding.services import buddies as services

MANAGE = "onboarding.manage_buddies"
PER_PAGE = 50
STATUS_FILTERS = [("", gettext_lazy("All")), *MatchStatus.choices]


def _crumbs(request: HttpRequest, programme: BuddyProgramme | None = None) -> list:
    trail = staff_crumbs(request, (staff_url(request, "buddy_programmes"), _("Buddy programmes")))
    if programme is not None:
        trail.append(
            (staff_url(request, "buddy_programme", programme=programme.uuid), programme.name)
        )
    return trail


_render = staff_renderer("onboarding/buddies/staff/")


# --- Programmes -----------------------------------------------------------------------------


@staff_view(MANAGE)
@require_GET
def programmes(request: HttpRequest) -> HttpResponse:
    found = list(selectors.programmes_of(request.institution))
    rows = [(p, selectors.programme_kpis(p)) for p in found]
    return _render(
        request,
        "programmes.html",
        {"rows": rows, "crumbs": staff_crumbs(request)},
    )


def _programme_form(request: HttpRequest, programme: BuddyProgramme | None) -> HttpResponse:
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None,
        initial=ProgrammeForm.initial_for(programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if programme is None:
                data = dict(form.cleaned_data)
                saved = services.programme_create(
                    actor=request.user,
                    institution=request.institution,
                    name=data.pop("name"),
                    **data,
                )
                messages.success(request, _("The programme is created."))
            else:
                saved = services.programme_update(
                    actor=request.user, programme=programme, **form.cleaned_data
                )
                messages.success(request, _("The programme is saved."))
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            return redirect(staff_url(request, "buddy_programme", programme=saved.uuid))
    return _render(
        request,
        "programme_form.html",
        {
            "form": form,
            "programme": programme,
            "crumbs": _crumbs(request, programme),
        },
    )


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def programme_add(request: HttpRequest) -> HttpResponse:
    return _programme_form(request, None)


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, programme: uuid.UUID) -> HttpResponse:
    return _programme_form(request, selectors.get_programme(request.institution, programme))


@staff_view(MANAGE)
@require_GET
def programme_detail(request: HttpRequest, programme: uuid.UUID) -> HttpResponse:
    found = selectors.get_programme(request.institution, programme)
    unmatched = list(selectors.unmatched_newcomers(found)[:PER_PAGE])
    selectors.why_unmatched(found, unmatched)
    return _render(
        request,
        "programme.html",
        {
            "programme": found,
            "kpis": selectors.programme_kpis(found),
            "nominees": selectors.nominee_kpi(found),
            "unmatched": unmatched,
            "signup_problems": selectors.signup_problems(request.institution),
            "crumbs": _crumbs(request),
        },
    )


@staff_view(MANAGE)
@require_POST
def run(request: HttpRequest, programme: uuid.UUID) -> HttpResponse:
    """Queue a matching run (never run inside the request). With htmx, answers the run panel
    saying so; otherwise redirects to the programme with a message."""
    found = selectors.get_programme(request.institution, programme)
    error = None
    try:
        services.matching_request(actor=request.user, programme=found)
    except ServiceError as refused:
        error = refused.message
    if getattr(request, "htmx", False):
        found.refresh_from_db(fields=["matching_queued_at"])
        return _render(
            request,
            "_run_panel.html",
            {"programme": found, "queued": error is None, "error": error},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _(
                "Matching is queued: it runs in the background, and the new pairs appear "
                "here once it has run."
            ),
        )
    return redirect(staff_url(request, "buddy_programme", programme=found.uuid))


# --- Lists ----------------------------------------------------------------------------------


@staff_view(MANAGE)
@require_GET
def buddies(request: HttpRequest, programme: uuid.UUID) -> HttpResponse:
    found = selectors.get_programme(request.institution, programme)
    page = Paginator(selectors.buddies_of(found), PER_PAGE).get_page(request.GET.get("page"))
    return _render(
        request,
        "buddies.html",
        {"programme": found, "page": page, "crumbs": _crumbs(request, found)},
    )


@staff_view(MANAGE)
@require_GET
def newcomers(request: HttpRequest, programme: uuid.UUID) -> HttpResponse:
    found = selectors.get_programme(request.institution, programme)
    page = Paginator(selectors.newcomers_of(found), PER_PAGE).get_page(request.GET.get("page"))
    selectors.why_unmatched(found, page.object_list)
    return _render(
        request,
        "newcomers.html",
        {"programme": found, "page": page, "crumbs": _crumbs(request, found)},
    )


@staff_view(MANAGE)
@require_GET
def matches(request: HttpRequest, programme: uuid.UUID) -> HttpResponse:
    found = selectors.get_programme(request.institution, programme)
    status = request.GET.get("status", "")
    status = status if status in MatchStatus.values else ""
    page = Paginator(selectors.matches_of(found, status), PER_PAGE).get_page(
        request.GET.get("page")
    )
    for m in page.object_list:
        m.reasons = selectors.explain(m, to_staff=True)
    return _render(
        request,
        "matches.html",
        {
            "programme": found,
            "page": page,
            "status": status,
            "statuses": STATUS_FILTERS,
            "query_prefix": f"status={status}&" if status else "",
            "crumbs": _crumbs(request, found),
        },
    )


@staff_view(MANAGE)
@require_POST
def match_end(request: HttpRequest, programme: uuid.UUID, match: uuid.UUID) -> HttpResponse:
    found = selectors.get_programme(request.institution, programme)
    pair = selectors.get_match(found, match)
    try:
        services.match_end(actor=request.user, match=pair)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The match has ended."))
    return redirect(staff_url(request, "buddy_matches", programme=found.uuid))


# --- Exports --------------------------------------------------------------------------------


def _export(programme: BuddyProgramme) -> tuple[list[str], list[list[Any]]]:
    header = [
        str(_("Buddy")),
        str(_("Buddy e-mail")),
        str(_("Newcomer")),
        str(_("Newcomer e-mail")),
        str(_("Arrival date")),
        str(_("Status")),
        str(_("Total")),
        str(_("Languages")),
        str(_("Faculty")),
        str(_("Interests")),
        str(_("Availability")),
        str(_("Shared languages")),
        str(_("Common interests")),
        str(_("Matched at")),
        str(_("Reason for declining")),
    ]
    rows = []
    for m in selectors.matches_of(programme):
        score = m.score or {}
        rows.append(
            [
                m.buddy.user.get_full_name(),
                m.buddy.user.email,
                m.newcomer.user.get_full_name(),
                m.newcomer.user.email,
                m.newcomer.arrival_date.isoformat(),
                str(m.get_status_display()),
                score.get("total", 0),
                score.get("languages", 0),
                score.get("faculty", 0),
                score.get("interests", 0),
                score.get("availability", 0),
                ", ".join(m.shared_languages),
                ", ".join(m.shared_interests),
                m.matched_at.isoformat(timespec="minutes"),
                m.declined_reason,
            ]
        )
    return header, rows


@staff_view(MANAGE)
@require_GET
def export_csv(request: HttpRequest, programme: uuid.UUID) -> HttpResponse:
    found = selectors.get_programme(request.institution, programme)
    header, rows = _export(found)
    return csv_response(f"buddy-matches-{found.uuid}.csv", header, rows)


@staff_view(MANAGE)
@require_GET
def export_xlsx(request: HttpRequest, programme: uuid.UUID) -> HttpResponse:
    found = selectors.get_programme(request.institution, programme)
    header, rows = _export(found)
    return xlsx_response(
        f"buddy-matches-{found.uuid}.xlsx", header, rows, title=str(_("Buddy matches"))
    )
