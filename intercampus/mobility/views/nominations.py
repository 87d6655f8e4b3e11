"""Nomination pages under /i/<schac>/mobility/nominations/.

The home's international office sees, per call, the placed students still to nominate (one by
one or all at once) and its nominations, cancels one, completes what EWP needs to know about
a student, and downloads its nominations as an EWP Outgoing Mobilities v3 document. The
host's office sees the nominations addressed to it (``incoming/``) and accepts or rejects
each, with a reason. Every page needs ``mobility.manage_nominations``; a nomination is found
among the institution's own (home) or among those addressed to it (host), else 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intercampus.core.limits import BoundedTextFormMixin
from intercampus.core.permissions import staff_view
from intercampus.core.services import ServiceError
from intercampus.core.staff_pages import staff_crumbs, staff_url
from intercampus.mobility import ewp_omobilities, isced
from intercampus.mobility.choices import NominationStatus
from intercampus.mobility.models import Call, Nomination, StudentProfile
from intercampus.mobility.notifications import notice_mark_read
from intercampus.mobility.selectors import calls as call_selectors
from intercampus.mobility.selectors import nominations as selectors
from intercampus.mobility.services import nominations as services

MANAGE = "mobility.manage_nominations"


# --- Forms ----------------------------------------------------------------------------------


class RejectForm(BoundedTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you reject this nomination?"),
        help_text=gettext_lazy("The home institution and the student will read it."),
        max_length=services.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CancelForm(BoundedTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        help_text=gettext_lazy("The host and the student will read it."),
        max_length=services.MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StudentProfileForm(BoundedTextFormMixin, forms.ModelForm):
    first_name = forms.CharField(label=gettext_lazy("Given names"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Family name"), max_length=150)
    isced_f_code = forms.ChoiceField(
        label=gettext_lazy("Field of the student's programme (ISCED-F)"),
        required=False,
        help_text=gettext_lazy("Leave empty to use the agreement's subject area."),
    )

    class Meta:
        model = StudentProfile
        fields = ["birth_date", "nationality", "gender", "esi_code"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    field_order = ["first_name", "last_name", "birth_date", "nationality", "gender"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["isced_f_code"].choices = [("", "—"), *isced.grouped_choices()]
        self.fields["birth_date"].required = True
        self.fields["nationality"].required = True


# --- Helpers --------------------------------------------------------------------------------


def _call_filter(request: HttpRequest) -> Call | None:
    """The call named by ``?call=`` among the institution's own (404 for another's)."""
    value = request.GET.get("call", "")
    try:
        call_uuid = uuid.UUID(value)
    except ValueError:
        return None
    return call_selectors.get_call(request.institution, call_uuid)


def _outgoing_url(request: HttpRequest, call: Call | None = None) -> str:
    url = staff_url(request, "nominations")
    return f"{url}?call={call.uuid}" if call is not None else url


def _apply_error(form: forms.Form, error: ServiceError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _notices(request: HttpRequest) -> list[tuple[Any, str]]:
    return [
        (n, selectors.describe_notice(n)) for n in selectors.nomination_notices(request.institution)
    ]


# --- The home's side ------------------------------------------------------------------------


@staff_view(MANAGE)
@require_GET
def nominations(request: HttpRequest) -> HttpResponse:
    call = _call_filter(request)
    export = selectors.omobilities_export(request.institution, call=call)
    return render(
        request,
        "mobility/nominations/outgoing.html",
        {
            "institution": request.institution,
            "call": call,
            "calls": list(selectors.calls_with_placements(request.institution)),
            "groups": selectors.outgoing_by_call(request.institution, call=call),
            "left_out": export.left_out,
            "exportable": len(export.mobilities),
            "notices": _notices(request),
            "crumbs": staff_crumbs(request),
        },
    )


@staff_view(MANAGE)
@require_POST
def nomination_create(request: HttpRequest, application: uuid.UUID) -> HttpResponse:
    found = selectors.get_placed_application(request.institution, application)
    try:
        services.nomination_create(actor=request.user, application=found)
    except ServiceError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("{student} is nominated.").format(
                student=found.student.get_full_name() or found.student.email
            ),
        )
    return redirect(_outgoing_url(request, found.call))


@staff_view(MANAGE)
@require_POST
def nominations_create_all(request: HttpRequest, call: uuid.UUID) -> HttpResponse:
    found = call_selectors.get_call(request.institution, call)
    result = services.nominations_create_for_call(actor=request.user, call=found)
    if result.created:
        messages.success(request, _("{n} students nominated.").format(n=len(result.created)))
    for application, message in result.refused:
        student = application.student.get_full_name() or application.student.email
        messages.error(request, _("{student}: {message}").format(student=student, message=message))
    if not result.created and not result.refused:
        messages.info(request, _("Every placed student of this call is nominated already."))
    return redirect(_outgoing_url(request, found))


def _detail(
    request: HttpRequest, nomination: Nomination, *, cancel_form: CancelForm | None = None
) -> HttpResponse:
    mobility = ewp_omobilities.mobility_from_nomination(nomination)
    return render(
        request,
        "mobility/nominations/detail.html",
        {
            "institution": request.institution,
            "nomination": nomination,
            "mobility": mobility,
            "gaps": ewp_omobilities.missing(mobility),
            "cancellable": nomination.status
            in (NominationStatus.PENDING, NominationStatus.ACCEPTED),
            "cancel_form": cancel_form or CancelForm(),
            "crumbs": staff_crumbs(
                request,
                (_outgoing_url(request, nomination.application.call), _("Nominations")),
            ),
        },
        status=400 if cancel_form is not None and cancel_form.errors else 200,
    )


@staff_view(MANAGE)
@require_GET
def nomination_detail(request: HttpRequest, nomination: uuid.UUID) -> HttpResponse:
    return _detail(request, selectors.get_nomination(request.institution, nomination))


@staff_view(MANAGE)
@require_POST
def nomination_cancel(request: HttpRequest, nomination: uuid.UUID) -> HttpResponse:
    found = selectors.get_nomination(request.institution, nomination)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.nomination_cancel(
                actor=request.user, nomination=found, reason=form.cleaned_data["reason"]
            )
        except ServiceError as refused:
            _apply_error(form, refused)
        else:
            messages.success(request, _("The nomination is cancelled."))
            return redirect(staff_url(request, "nomination", nomination=found.uuid))
    return _detail(request, found, cancel_form=form)


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def nomination_student(request: HttpRequest, nomination: uuid.UUID) -> HttpResponse:
    """What EWP needs to know about the nominated student: names, birth date, nationality…"""
    found = selectors.get_nomination(request.institution, nomination)
    student = found.application.student
    profile = selectors.student_profile_of(found)
    initial = {"first_name": student.first_name, "last_name": student.last_name}
    if profile.isced_f_code:
        initial["isced_f_code"] = profile.isced_f_code
    form = StudentProfileForm(request.POST or None, instance=profile, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.student_profile_save(
                actor=request.user,
                nomination=found,
                first_name=data["first_name"],
                last_name=data["last_name"],
                **{name: data[name] for name in services.PROFILE_FIELDS},
            )
        except ServiceError as refused:
            _apply_error(form, refused)
        else:
            messages.success(request, _("The student's details are saved."))
            return redirect(staff_url(request, "nomination", nomination=found.uuid))
    return render(
        request,
        "mobility/nominations/student.html",
        {
            "institution": request.institution,
            "nomination": found,
            "form": form,
            "crumbs": staff_crumbs(
                request,
                (_outgoing_url(request, found.application.call), _("Nominations")),
                (
                    staff_url(request, "nomination", nomination=found.uuid),
                    str(found.application.student),
                ),
            ),
        },
        status=400 if form.errors else 200,
    )


@staff_view(MANAGE)
@require_GET
def nominations_xml(request: HttpRequest) -> HttpResponse:
    """The institution's nominations (of ``?call=``, or all) as an OMobilities v3 response."""
    call = _call_filter(request)
    export = selectors.omobilities_export(request.institution, call=call)
    try:
        document = ewp_omobilities.build_get_response(export.mobilities)
    except ewp_omobilities.OMobilityXmlError as error:
        messages.error(
            request,
            _("The document would not be valid, so it was not made: {error}").format(error=error),
        )
        return redirect(_outgoing_url(request, call))
    suffix = f"-{call.uuid}" if call is not None else ""
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="omobilities-{request.institution.schac}{suffix}.xml"'
    )
    return response


# --- The host's side ------------------------------------------------------------------------


def _status_filter(request: HttpRequest) -> str:
    status = request.GET.get("status", "")
    return status if status in NominationStatus.values else ""


@staff_view(MANAGE)
@require_GET
def nominations_incoming(request: HttpRequest) -> HttpResponse:
    status = _status_filter(request)
    return render(
        request,
        "mobility/nominations/incoming.html",
        {
            "institution": request.institution,
            # One reject form per row, each with its own element ids.
            "rows": [
                (item, RejectForm(auto_id=f"reject-{item.uuid}-%s"))
                for item in selectors.nominations_received_by(request.institution, status=status)
            ],
            "status": status,
            "statuses": NominationStatus.choices,
            "notices": _notices(request),
            "crumbs": staff_crumbs(request),
        },
    )


def _incoming_detail(
    request: HttpRequest, nomination: Nomination, *, reject_form: RejectForm | None = None
) -> HttpResponse:
    return render(
        request,
        "mobility/nominations/incoming_detail.html",
        {
            "institution": request.institution,
            "item": selectors.incoming_view(nomination),
            "arrival": services.arrival_of(nomination),
            "no_journey_because": services.journey_missing_reason(nomination),
            "reject_form": reject_form or RejectForm(),
            "crumbs": staff_crumbs(
                request, (staff_url(request, "nominations_incoming"), _("Incoming nominations"))
            ),
        },
        status=400 if reject_form is not None and reject_form.errors else 200,
    )


@staff_view(MANAGE)
@require_GET
def nomination_incoming(request: HttpRequest, nomination: uuid.UUID) -> HttpResponse:
    return _incoming_detail(request, selectors.received_nomination(request.institution, nomination))


@staff_view(MANAGE)
@require_POST
def nomination_accept(request: HttpRequest, nomination: uuid.UUID) -> HttpResponse:
    found = selectors.received_nomination(request.institution, nomination)
    try:
        accepted = services.nomination_accept(actor=request.user, nomination=found)
    except ServiceError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("The nomination is accepted; the home institution and the student are told.")
        )
        missing = services.journey_missing_reason(accepted)
        if missing:
            messages.warning(
                request, _("No arrival journey was started. {why}").format(why=missing)
            )
    return redirect(staff_url(request, "nomination_incoming", nomination=found.uuid))


@staff_view(MANAGE)
@require_POST
def nomination_reject(request: HttpRequest, nomination: uuid.UUID) -> HttpResponse:
    found = selectors.received_nomination(request.institution, nomination)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.nomination_reject(
                actor=request.user, nomination=found, reason=form.cleaned_data["reason"]
            )
        except ServiceError as refused:
            _apply_error(form, refused)
        else:
            messages.success(
                request,
                _("The nomination is rejected; the home institution and the student are told why."),
            )
            return redirect(staff_url(request, "nomination_incoming", nomination=found.uuid))
    return _incoming_detail(request, found, reject_form=form)


# --- Notices --------------------------------------------------------------------------------


@staff_view(MANAGE)
@require_POST
def nomination_notices_read(request: HttpRequest) -> HttpResponse:
    for notice in selectors.nomination_notices(request.institution):
        notice_mark_read(actor=request.user, notice=notice)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(staff_url(request, "nominations"))
