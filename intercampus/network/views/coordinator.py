"""Staff pages of a work group coordinator: meetings, decisions and actions.

The group is fetched with ``get_run_work_group`` (only groups the institution coordinates, or
all of the consortium for its secretariat). Writes go through services and redirect (PRG).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intercampus.core.permissions import staff_view
from intercampus.core.staff_pages import staff_url
from intercampus.network import forms, selectors, services
from intercampus.network.models import Meeting, WorkGroup
from intercampus.network.views.staff_common import (
    MANAGE_WORK_GROUP,
    UNFINISHED,
    _attempt,
    _attempt_or_message,
    _back,
    _home_crumb,
    _not_post,
)

# --- Coordinator: the group's meetings, decisions and actions ------------------------------


def _run_group(request: HttpRequest, consortium: str, group: str) -> WorkGroup:
    return selectors.get_run_work_group(
        request.institution, request.tenant_roles, consortium, group
    )


def _run_crumbs(request: HttpRequest, group: WorkGroup, *more) -> list:
    """The trail to a page below the group's own page."""
    page = staff_url(request, "work_group", consortium=group.consortium.slug, group=group.slug)
    return [_home_crumb(request), (page, group.name), *more]


def _action_context() -> dict[str, Any]:
    return {"action_statuses": forms.ActionStatusForm.base_fields["status"].choices}


@staff_view(MANAGE_WORK_GROUP)
def work_group(request: HttpRequest, consortium: str, group: str) -> HttpResponse:
    found = _run_group(request, consortium, group)
    form = forms.MeetingCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, meeting = _attempt(
            form,
            services.meeting_create_with_decision,
            actor=request.user,
            work_group=found,
            decision_text=form.cleaned_data["decision_text"],
            **form.meeting_fields(),
        )
        if ok:
            messages.success(
                request, _("The meeting {title} was added.").format(title=meeting.title)
            )
            return redirect(_meeting_url(request, found, meeting))
    return render(
        request,
        "network/staff/group.html",
        {
            "institution": request.institution,
            "group": found,
            "meetings": selectors.meetings_of(found).prefetch_related("actions"),
            "actions": selectors.actions_of(found, today=timezone.localdate()),
            "form": form,
            "form_open": request.method == "POST",
            **_action_context(),
            "crumbs": [_home_crumb(request)],
            "current": found.name,
        },
    )


def _meeting_url(request: HttpRequest, group: WorkGroup, meeting: Meeting) -> str:
    return staff_url(
        request,
        "meeting",
        consortium=group.consortium.slug,
        group=group.slug,
        meeting=meeting.uuid,
    )


def _meeting_page(
    request: HttpRequest,
    group: WorkGroup,
    meeting: Meeting,
    *,
    meeting_form=None,
    decision_form=None,
    action_form=None,
) -> HttpResponse:
    owners = selectors.group_institutions(group)
    return render(
        request,
        "network/staff/meeting.html",
        {
            "institution": request.institution,
            "group": group,
            "meeting": meeting,
            "decisions": meeting.decisions.order_by("decided_on", "id"),
            "actions": selectors.meeting_actions(meeting),
            "meeting_form": meeting_form
            or forms.MeetingForm(prefix="meeting", initial=forms.MeetingForm.initial_from(meeting)),
            "decision_form": decision_form or forms.DecisionForm(prefix="decision"),
            "action_form": action_form or forms.ActionForm(prefix="action", institutions=owners),
            **_action_context(),
            "crumbs": _run_crumbs(request, group),
            "current": meeting.title,
        },
    )


@staff_view(MANAGE_WORK_GROUP)
def meeting(request: HttpRequest, consortium: str, group: str, meeting) -> HttpResponse:
    found = _run_group(request, consortium, group)
    item = selectors.get_meeting(found, meeting)
    if request.method != "POST":
        return _meeting_page(request, found, item)
    form = forms.MeetingForm(request.POST, prefix="meeting")
    if form.is_valid():
        ok, _result = _attempt(
            form, services.meeting_change, actor=request.user, meeting=item, **form.meeting_fields()
        )
        if ok:
            messages.success(request, _("The meeting was saved."))
            return redirect(_meeting_url(request, found, item))
        item.refresh_from_db()
    return _meeting_page(request, found, item, meeting_form=form)


@staff_view(MANAGE_WORK_GROUP)
def meeting_delete(request: HttpRequest, consortium: str, group: str, meeting) -> HttpResponse:
    found = _run_group(request, consortium, group)
    item = selectors.get_meeting(found, meeting)
    if request.method == "POST":
        if _attempt_or_message(request, services.meeting_delete, actor=request.user, meeting=item):
            messages.success(
                request, _("The meeting {title} was deleted.").format(title=item.title)
            )
            return redirect(staff_url(request, "work_group", consortium=consortium, group=group))
        return redirect(_meeting_url(request, found, item))
    return render(
        request,
        "network/staff/meeting_delete.html",
        {
            "institution": request.institution,
            "group": found,
            "meeting": item,
            "crumbs": _run_crumbs(request, found, (_meeting_url(request, found, item), item.title)),
            "current": _("Delete"),
        },
    )


@staff_view(MANAGE_WORK_GROUP)
def decision_add(request: HttpRequest, consortium: str, group: str, meeting) -> HttpResponse:
    found = _run_group(request, consortium, group)
    item = selectors.get_meeting(found, meeting)
    if request.method != "POST":
        return redirect(_meeting_url(request, found, item))
    form = forms.DecisionForm(request.POST, prefix="decision")
    if form.is_valid():
        ok, _result = _attempt(
            form, services.decision_record, actor=request.user, meeting=item, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("The decision was recorded."))
            return redirect(_meeting_url(request, found, item))
    return _meeting_page(request, found, item, decision_form=form)


@staff_view(MANAGE_WORK_GROUP)
def decision_delete(
    request: HttpRequest, consortium: str, group: str, meeting, decision
) -> HttpResponse:
    found = _run_group(request, consortium, group)
    item = selectors.get_meeting(found, meeting)
    gone = selectors.get_meeting_decision(item, decision)
    if refused := _not_post(request):
        return refused
    if _attempt_or_message(request, services.decision_delete, actor=request.user, decision=gone):
        messages.success(request, _("The decision was deleted."))
    return redirect(_meeting_url(request, found, item))


@staff_view(MANAGE_WORK_GROUP)
def action_add(request: HttpRequest, consortium: str, group: str, meeting) -> HttpResponse:
    found = _run_group(request, consortium, group)
    item = selectors.get_meeting(found, meeting)
    if request.method != "POST":
        return redirect(_meeting_url(request, found, item))
    form = forms.ActionForm(
        request.POST, prefix="action", institutions=selectors.group_institutions(found)
    )
    if form.is_valid():
        ok, action = _attempt(
            form,
            services.action_create,
            actor=request.user,
            work_group=found,
            meeting=item,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The action {title} was added.").format(title=action))
            return redirect(_meeting_url(request, found, item))
    return _meeting_page(request, found, item, action_form=form)


@staff_view(MANAGE_WORK_GROUP)
def action_status(request: HttpRequest, consortium: str, group: str, action) -> HttpResponse:
    found = _run_group(request, consortium, group)
    item = selectors.get_action(found, action)
    if refused := _not_post(request):
        return refused
    form = forms.ActionStatusForm(request.POST)
    saved = form.is_valid() and _attempt_or_message(
        request,
        services.action_change,
        actor=request.user,
        action=item,
        status=form.cleaned_data["status"],
    )
    default = (
        _meeting_url(request, found, item.meeting)
        if item.meeting
        else staff_url(request, "work_group", consortium=consortium, group=group)
    )
    if request.htmx:
        item.refresh_from_db()
        item.is_late = bool(
            item.due and item.due < timezone.localdate() and item.status in UNFINISHED
        )
        return render(
            request,
            "network/staff/_action_row.html",
            {
                "institution": request.institution,
                "group": found,
                "action": item,
                "saved": saved,
                "next": request.POST.get("next", ""),
                "show_meeting": request.POST.get("show_meeting") == "1",
                **_action_context(),
            },
        )
    if saved:
        messages.success(request, _("The status of {title} was saved.").format(title=item))
    elif not form.is_valid():
        messages.error(request, _("Choose one of the listed statuses."))
    return _back(request, default)


@staff_view(MANAGE_WORK_GROUP)
def action_delete(request: HttpRequest, consortium: str, group: str, action) -> HttpResponse:
    found = _run_group(request, consortium, group)
    item = selectors.get_action(found, action)
    if refused := _not_post(request):
        return refused
    default = (
        _meeting_url(request, found, item.meeting)
        if item.meeting
        else staff_url(request, "work_group", consortium=consortium, group=group)
    )
    if _attempt_or_message(request, services.action_delete, actor=request.user, action=item):
        messages.success(request, _("The action {title} was deleted.").format(title=item))
    return _back(request, default)
