"""The international relations officer's agreement pages, under /i/<schac>/mobility/agreements/.

Our copies are fetched with ``selectors.agreement_for`` (only the institution's own); a
partner's copy only through the selectors that check it names us. Writes go through
``services.agreements`` and redirect (PRG); a refused form is shown again with what was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from intercampus.core.permissions import staff_view
from intercampus.core.services import ServiceError
from intercampus.core.staff_pages import staff_renderer, staff_url
from intercampus.lib.spreadsheets import csv_response, xlsx_response
from intercampus.mobility import isced, notifications
from intercampus.mobility.choices import AgreementStatus
from intercampus.mobility.forms.agreements import (
    AdoptForm,
    AgreementFilterForm,
    AgreementForm,
    ApproveForm,
    ConditionForm,
    LinkForm,
    add_errors,
    language_suggestions,
)
from intercampus.mobility.models import Agreement
from intercampus.mobility.selectors import agreements as selectors
from intercampus.mobility.services import agreements as services

MANAGE = "mobility.manage_agreements"
GET_POST = ["GET", "POST"]


# --- Helpers --------------------------------------------------------------------------------


def _home_crumb(request: HttpRequest) -> tuple[str, Any]:
    return (staff_url(request, "home"), _("Staff area"))


def _crumbs(request: HttpRequest, *trail: tuple[str, Any]) -> list[tuple[str, Any]]:
    return [_home_crumb(request), (staff_url(request, "agreements"), _("Agreements")), *trail]


_render = staff_renderer("mobility/agreements/")


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _attempt(form: Any, service: Any, **kwargs: Any) -> tuple[bool, Any]:
    """Call ``service``; a refusal goes onto ``form`` and gives (False, None)."""
    try:
        return True, service(**kwargs)
    except (ServiceError, ValidationError) as error:
        add_errors(form, error)
        return False, None


def _attempt_or_message(request: HttpRequest, service: Any, **kwargs: Any) -> bool:
    """Call a service behind a button; a refusal becomes an error message."""
    try:
        service(**kwargs)
    except ServiceError as error:
        messages.error(request, error.message)
        return False
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    return True


def _not_post(request: HttpRequest) -> HttpResponse | None:
    """405 for a button's target reached by GET (checked after the lookups, so that someone
    who may not see the object still gets 404)."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _detail_url(request: HttpRequest, agreement: Agreement) -> str:
    return staff_url(request, "agreement_detail", agreement=agreement.uuid)


def _agreement_crumbs(request: HttpRequest, agreement: Agreement, *trail: tuple[str, Any]):
    return _crumbs(request, (_detail_url(request, agreement), str(agreement)), *trail)


# --- The list and its exports ---------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[AgreementFilterForm, dict[str, str]]:
    form = AgreementFilterForm(
        request.GET or None, partners=selectors.partner_options(request.institution)
    )
    return form, (form.filters() if form.is_bound else {})


@staff_view(MANAGE)
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    page = selectors.agreements_page(request.institution, page=request.GET.get("page"), **filters)
    statuses = dict(AgreementStatus.choices)
    for agreement in page:
        agreement.status_label = statuses.get(agreement.status, agreement.status)
    query = request.GET.copy()
    query.pop("page", None)
    return _render(
        request,
        "list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(filters),
            "incoming": selectors.incoming_copies(request.institution),
            "unread": selectors.agreement_notices(request.institution, unread_only=True).count(),
            "crumbs": [_home_crumb(request)],
            "current": _("Agreements"),
        },
    )


def _export_rows(request: HttpRequest) -> tuple[list[str], list[list[Any]]]:
    _form, filters = _filters(request)
    statuses = dict(AgreementStatus.choices)
    header = [
        _("Our code"),
        _("Our agreement id"),
        _("Partner"),
        _("Partner SCHAC code"),
        _("Partner's code"),
        _("Partner's agreement id"),
        _("Status"),
        _("Conditions"),
        _("First academic year"),
        _("Last academic year"),
        _("Approved by the partner"),
        _("Approved by us"),
        _("Version (iia-hash)"),
    ]
    rows = [
        [
            a.iia_code,
            a.iia_id,
            a.partner.name if a.partner else "",
            a.partner_hei_id,
            a.partner_iia_code,
            a.partner_iia_id,
            str(statuses.get(a.status, a.status)),
            a.condition_count or 0,
            a.first_year or "",
            a.last_year or "",
            _("yes") if a.approved_by_partner else _("no"),
            _("yes") if a.approved_by_us else _("no"),
            a.iia_hash,
        ]
        for a in selectors.agreements_of(request.institution, **filters)
    ]
    return [str(h) for h in header], rows


@staff_view(MANAGE)
@require_GET
def agreements_csv(request: HttpRequest) -> HttpResponse:
    header, rows = _export_rows(request)
    return csv_response(f"agreements-{request.institution.schac}.csv", header, rows)


@staff_view(MANAGE)
@require_GET
def agreements_xlsx(request: HttpRequest) -> HttpResponse:
    header, rows = _export_rows(request)
    return xlsx_response(
        f"agreements-{request.institution.schac}.xlsx", header, rows, title=_("Agreements")
    )


# --- Creating a copy ------------------------------------------------------------------------


@staff_view(MANAGE)
@require_http_methods(GET_POST)
def agreement_create(request: HttpRequest) -> HttpResponse:
    institution = request.institution
    form = AgreementForm(_posted(request), owner=institution)
    if request.method == "POST" and form.is_valid():
        ok, agreement = _attempt(
            form,
            services.agreement_create,
            actor=request.user,
            owner=institution,
            **form.cleaned_data,
        )
        if ok:
            messages.success(
                request,
                _("The agreement {code} was created: now add its cooperation conditions.").format(
                    code=agreement.iia_code
                ),
            )
            return redirect(_detail_url(request, agreement))
    return _render(
        request,
        "form.html",
        {
            "form": form,
            "title": _("New agreement"),
            "submit": _("Create"),
            "back": staff_url(request, "agreements"),
            "platform_institutions": selectors.platform_institutions(institution),
            "partner_units": _all_partner_units(institution),
            "crumbs": _crumbs(request),
            "current": _("New agreement"),
        },
    )


def _all_partner_units(institution: Any) -> list[tuple[str, str]]:
    """(unit id, "unit name, institution") for every other institution on the platform."""
    from intercampus.institutions.models import OrganisationalUnit

    units = OrganisationalUnit.objects.exclude(institution=institution).select_related(
        "institution"
    )
    return [(str(u.uuid), f"{u.name}, {u.institution.display_name}") for u in units]


# --- One copy: the detail page and what can be done from it ---------------------------------


@staff_view(MANAGE)
@require_GET
def agreement_detail(request: HttpRequest, agreement) -> HttpResponse:
    ours = selectors.agreement_for(request.institution, agreement)
    theirs = selectors.partner_copy(ours)
    linked = selectors.is_linked(ours, theirs)
    blockers = selectors.blockers(ours, theirs)
    state = selectors.approval_state(ours, theirs)
    diff = selectors.agreement_diff(ours, theirs) if linked else None
    names = selectors.Names(ours)
    conditions = selectors.conditions_of(ours)
    # Conditions move only among those of the same kind (they are served grouped by kind).
    neighbours = list(zip(conditions, conditions[1:], strict=False))
    return _render(
        request,
        "detail.html",
        {
            "agreement": ours,
            "theirs": theirs if linked else None,
            "half_linked": theirs if theirs is not None and not linked else None,
            "partner_name": names.institution(ours.partner_hei_id),
            "diff": diff,
            "conditions": [
                (c, selectors.condition_title(c, names), selectors.condition_rows(c, names))
                for c in conditions
            ],
            "blockers": [b for b in blockers if b.blocks_approval],
            "todo": [b for b in blockers if not b.blocks_approval],
            "state": state,
            "can_approve": linked
            and not any(b.blocks_approval for b in blockers)
            and not state.theirs_by_us.is_current,
            "approve_form": ApproveForm(initial={"iia_hash": theirs.iia_hash}) if linked else None,
            "partner_unit": names.unit(ours.partner_ounit_id),
            "movable_up": {b.pk for a, b in neighbours if a.mobility_type == b.mobility_type},
            "movable_down": {a.pk for a, b in neighbours if a.mobility_type == b.mobility_type},
            "crumbs": _crumbs(request),
            "current": str(ours),
        },
    )


@staff_view(MANAGE)
@require_http_methods(GET_POST)
def agreement_edit(request: HttpRequest, agreement) -> HttpResponse:
    ours = selectors.agreement_for(request.institution, agreement)
    form = AgreementForm(
        _posted(request),
        owner=request.institution,
        with_partner=False,
        initial=AgreementForm.initial_for(ours),
    )
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            form, services.agreement_change, actor=request.user, agreement=ours, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("The agreement was saved."))
            return redirect(_detail_url(request, ours))
    return _render(
        request,
        "form.html",
        {
            "form": form,
            "title": _("Edit {agreement}").format(agreement=ours),
            "submit": _("Save"),
            "back": _detail_url(request, ours),
            "partner_units": [(str(u.uuid), u.name) for u in selectors.units_of(ours.partner)],
            "crumbs": _agreement_crumbs(request, ours),
            "current": _("Edit"),
        },
    )


@staff_view(MANAGE)
@require_http_methods(GET_POST)
def agreement_link(request: HttpRequest, agreement) -> HttpResponse:
    ours = selectors.agreement_for(request.institution, agreement)
    on_platform = ours.partner is not None
    candidates = selectors.link_candidates(ours) if on_platform else []
    form = LinkForm(_posted(request), candidates=candidates, on_platform=on_platform)
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            form, services.agreement_link, actor=request.user, agreement=ours, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("The two copies are linked."))
            return redirect(_detail_url(request, ours))
    return _render(
        request,
        "link.html",
        {
            "agreement": ours,
            "form": form,
            "on_platform": on_platform,
            "candidates": candidates,
            "crumbs": _agreement_crumbs(request, ours),
            "current": _("Link"),
        },
    )


@staff_view(MANAGE)
@require_http_methods(GET_POST)
def agreement_approve(request: HttpRequest, agreement) -> HttpResponse:
    ours = selectors.agreement_for(request.institution, agreement)
    refused = _not_post(request)
    if refused:
        return refused
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The version to approve is missing: reload the page."))
    elif _attempt_or_message(
        request,
        services.agreement_approve,
        actor=request.user,
        agreement=ours,
        iia_hash=form.cleaned_data["iia_hash"],
    ):
        messages.success(request, _("You approved the partner's copy at the version shown."))
    return redirect(_detail_url(request, ours))


@staff_view(MANAGE)
@require_http_methods(GET_POST)
def agreement_terminate(request: HttpRequest, agreement) -> HttpResponse:
    ours = selectors.agreement_for(request.institution, agreement)
    if request.method == "POST":
        if _attempt_or_message(
            request, services.agreement_terminate, actor=request.user, agreement=ours
        ):
            messages.success(
                request,
                _("The agreement is terminated; the partner is asked to approve the termination."),
            )
        return redirect(_detail_url(request, ours))
    return _render(
        request,
        "confirm.html",
        {
            "title": _("Terminate {agreement}?").format(agreement=ours),
            "text": _(
                "Terminating marks our copy as terminated as a whole. That changes its version, "
                "so the partner's approval no longer holds until it approves the termination. "
                "A terminated agreement cannot be changed any more. If mobilities have already "
                "taken place under it, shorten its last academic year instead."
            ),
            "submit": _("Terminate the agreement"),
            "back": _detail_url(request, ours),
            "crumbs": _agreement_crumbs(request, ours),
            "current": _("Terminate"),
        },
    )


@staff_view(MANAGE)
@require_http_methods(GET_POST)
def agreement_delete(request: HttpRequest, agreement) -> HttpResponse:
    ours = selectors.agreement_for(request.institution, agreement)
    if request.method == "POST":
        if _attempt_or_message(
            request, services.agreement_delete, actor=request.user, agreement=ours
        ):
            messages.success(request, _("The agreement {code} was deleted.").format(code=ours))
            return redirect(staff_url(request, "agreements"))
        return redirect(_detail_url(request, ours))
    return _render(
        request,
        "confirm.html",
        {
            "title": _("Delete {agreement}?").format(agreement=ours),
            "text": _(
                "Only an agreement that was never approved by both partners can be deleted. "
                "The partner's copy, if linked, will no longer be linked to it, and its id "
                "will never be used again."
            ),
            "submit": _("Delete the agreement"),
            "back": _detail_url(request, ours),
            "crumbs": _agreement_crumbs(request, ours),
            "current": _("Delete"),
        },
    )


# --- Cooperation conditions -----------------------------------------------------------------


def _condition_page(
    request: HttpRequest, ours: Agreement, form: ConditionForm, title: str, submit: str
) -> HttpResponse:
    units = selectors.units_of(ours.owner) + selectors.units_of(ours.partner)
    return _render(
        request,
        "condition_form.html",
        {
            "agreement": ours,
            "form": form,
            "title": title,
            "submit": submit,
            "back": _detail_url(request, ours),
            "isced_groups": isced.grouped_choices(),
            "languages": language_suggestions(ours.owner, ours.partner),
            "units": [(str(u.uuid), f"{u.name}, {u.institution.display_name}") for u in units],
            "crumbs": _agreement_crumbs(request, ours),
            "current": title,
        },
    )


def _condition_form(request: HttpRequest, ours: Agreement, **kwargs: Any) -> ConditionForm:
    names = selectors.institution_names({ours.owner.schac, ours.partner_hei_id})
    return ConditionForm(_posted(request), agreement=ours, institution_names=names, **kwargs)


@staff_view(MANAGE)
@require_http_methods(GET_POST)
def agreement_condition_add(request: HttpRequest, agreement) -> HttpResponse:
    ours = selectors.agreement_for(request.institution, agreement)
    form = _condition_form(
        request,
        ours,
        initial={"sending_hei_id": ours.owner.schac, "receiving_hei_id": ours.partner_hei_id},
    )
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            form,
            services.condition_add,
            actor=request.user,
            agreement=ours,
            **form.condition_fields(),
        )
        if ok:
            messages.success(request, _("The condition was added."))
            return redirect(_detail_url(request, ours))
    return _condition_page(request, ours, form, _("Add a cooperation condition"), _("Add"))


@staff_view(MANAGE)
@require_http_methods(GET_POST)
def agreement_condition_edit(request: HttpRequest, agreement, condition) -> HttpResponse:
    ours = selectors.agreement_for(request.institution, agreement)
    found = selectors.condition_for(ours, condition)
    form = _condition_form(
        request,
        ours,
        initial=ConditionForm.initial_for(found),
        subject_rows=len(found.subject_areas or []),
        language_rows=len(found.language_skills or []),
    )
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            form,
            services.condition_change,
            actor=request.user,
            condition=found,
            **form.condition_fields(),
        )
        if ok:
            messages.success(request, _("The condition was saved."))
            return redirect(_detail_url(request, ours))
    return _condition_page(request, ours, form, _("Edit a cooperation condition"), _("Save"))


@staff_view(MANAGE)
@require_http_methods(GET_POST)
def agreement_condition_remove(request: HttpRequest, agreement, condition) -> HttpResponse:
    ours = selectors.agreement_for(request.institution, agreement)
    found = selectors.condition_for(ours, condition)
    if request.method == "POST":
        if _attempt_or_message(
            request, services.condition_remove, actor=request.user, condition=found
        ):
            messages.success(request, _("The condition was removed."))
        return redirect(_detail_url(request, ours))
    names = selectors.Names(ours)
    return _render(
        request,
        "confirm.html",
        {
            "title": _("Remove this condition?"),
            "text": selectors.condition_title(found, names),
            "submit": _("Remove the condition"),
            "back": _detail_url(request, ours),
            "crumbs": _agreement_crumbs(request, ours),
            "current": _("Remove a condition"),
        },
    )


@staff_view(MANAGE)
@require_http_methods(GET_POST)
def agreement_condition_move(request: HttpRequest, agreement, condition) -> HttpResponse:
    ours = selectors.agreement_for(request.institution, agreement)
    found = selectors.condition_for(ours, condition)
    refused = _not_post(request)
    if refused:
        return refused
    _attempt_or_message(
        request,
        services.condition_move,
        actor=request.user,
        condition=found,
        up=request.POST.get("direction") == "up",
    )
    return redirect(_detail_url(request, ours) + "#conditions")


# --- What partners send us ------------------------------------------------------------------


@staff_view(MANAGE)
@require_http_methods(GET_POST)
def agreement_inbox(request: HttpRequest) -> HttpResponse:
    institution = request.institution
    if request.method == "POST":
        notifications.notices_mark_all_read(actor=request.user, institution=institution)
        messages.success(request, _("Every notice is marked as read."))
        return redirect(staff_url(request, "agreement_inbox"))
    notices = selectors.agreement_notices(institution)[:200]
    return _render(
        request,
        "inbox.html",
        {
            "notices": [(n, notifications.describe(n)) for n in notices],
            "incoming": selectors.incoming_copies(institution),
            "crumbs": _crumbs(request),
            "current": _("Notices from partners"),
        },
    )


@staff_view(MANAGE)
@require_GET
def agreement_notice_open(request: HttpRequest, notice) -> HttpResponse:
    found = selectors.notice_for(request.institution, notice)
    notifications.notice_mark_read(actor=request.user, notice=found)
    # Only a path inside this institution's staff area: a notice never sends anyone elsewhere.
    prefix = f"/i/{request.institution.schac}/"
    return redirect(
        found.link if found.link.startswith(prefix) else staff_url(request, "agreements")
    )


@staff_view(MANAGE)
@require_GET
def agreement_incoming(request: HttpRequest, copy) -> HttpResponse:
    institution = request.institution
    theirs = selectors.incoming_copy(institution, copy)
    ours = selectors.our_copy_linked_to(institution, theirs)
    if ours is not None:
        return redirect(_detail_url(request, ours))
    names = selectors.Names(theirs)
    with_same_partner = [
        a
        for a in selectors.agreements_of(institution, partner=theirs.owner.schac)
        if not a.partner_iia_id and not a.terminated
    ]
    return _render(
        request,
        "incoming.html",
        {
            "theirs": theirs,
            "partner_name": names.institution(theirs.owner.schac),
            "conditions": [
                (c, selectors.condition_title(c, names), selectors.condition_rows(c, names))
                for c in selectors.conditions_of(theirs)
            ],
            "unlinked_ours": with_same_partner,
            "crumbs": _crumbs(request),
            "current": _("Proposal from {partner}").format(
                partner=names.institution(theirs.owner.schac)
            ),
        },
    )


@staff_view(MANAGE)
@require_http_methods(GET_POST)
def agreement_adopt(request: HttpRequest, copy) -> HttpResponse:
    institution = request.institution
    theirs = selectors.incoming_copy(institution, copy)
    ours = selectors.our_copy_linked_to(institution, theirs)
    if ours is not None:
        return redirect(_detail_url(request, ours))
    our_unit = next(
        (u for u in selectors.units_of(institution) if str(u.uuid) == theirs.partner_ounit_id),
        None,
    )
    form = AdoptForm(
        _posted(request),
        owner=institution,
        initial={"iia_code": theirs.partner_iia_code or theirs.iia_code, "owner_ounit": our_unit},
    )
    if request.method == "POST" and form.is_valid():
        ok, created = _attempt(
            form,
            services.agreement_adopt,
            actor=request.user,
            owner=institution,
            theirs=theirs,
            **form.cleaned_data,
        )
        if ok:
            messages.success(
                request,
                _(
                    "Our copy was created from the partner's and linked to it. Check it, then "
                    "approve the partner's copy."
                ),
            )
            return redirect(_detail_url(request, created))
    names = selectors.Names(theirs)
    return _render(
        request,
        "adopt.html",
        {
            "theirs": theirs,
            "form": form,
            "partner_name": names.institution(theirs.owner.schac),
            "conditions": [
                selectors.condition_title(c, names) for c in selectors.conditions_of(theirs)
            ],
            "back": staff_url(request, "agreement_incoming", copy=theirs.uuid),
            "crumbs": _crumbs(request),
            "current": _("Create our copy"),
        },
    )
