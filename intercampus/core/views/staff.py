"""The staff area's front page and the audit log."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from intercampus.core.permissions import request_has_permission, staff_view
from intercampus.core.selectors import audit_entries_visible_to
from intercampus.network.selectors import consortia_managed_by, work_groups_run_by


@staff_view("institutions.view_staff_area")
def home(request: HttpRequest) -> HttpResponse:
    institution = request.institution
    context = {
        "institution": institution,
        "roles": sorted(request.tenant_roles),
        "managed_consortia": consortia_managed_by(institution)
        if request_has_permission(request, "network.manage_consortium")
        else [],
        "run_groups": work_groups_run_by(institution, request.tenant_roles),
        "can": {
            name: request_has_permission(request, perm)
            for name, perm in (
                ("profile", "institutions.change_profile"),
                ("units", "institutions.manage_units"),
                ("headcounts", "institutions.manage_headcounts"),
                ("people", "institutions.manage_people"),
                ("audit", "core.view_audit"),
                ("agreements", "mobility.manage_agreements"),
                ("calls", "mobility.manage_calls"),
                ("nominations", "mobility.manage_nominations"),
                ("reports", "mobility.view_reports"),
                ("events", "events.manage_events"),
                ("journeys", "onboarding.manage_journeys"),
                ("buddies", "onboarding.manage_buddies"),
            )
        },
    }
    return render(request, "core/staff_home.html", context)


@staff_view("core.view_audit")
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = audit_entries_visible_to(institution=request.institution, roles=request.tenant_roles)
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {"institution": request.institution, "page": page, "action": action},
    )
