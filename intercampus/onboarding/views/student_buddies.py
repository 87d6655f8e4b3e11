"""The student's buddy pages, /me/buddy/ (``buddy_me_urlpatterns``, namespace ``buddy``):
sign up as a buddy or as a newcomer, my matches with why we matched you, accept or decline,
the buddy's check-in log, and the buddy's certificate.

Everything is read through selectors that filter by ``request.user``: another person's
match, profile or certificate is 404; a programme one may not join is 404 too.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scope

from intercampus.core.services import ServiceError
from intercampus.onboarding.forms import add_errors
from intercampus.onboarding.forms_buddies import (
    BuddySignupForm,
    CheckInForm,
    DeclineForm,
    NewcomerSignupForm,
)
from intercampus.onboarding.models import BuddyProfile, NewcomerProfile
from intercampus.onboarding.selectors import buddies as selectors
from intercampus.onboarding.services import buddies as services


def _home() -> str:
    return reverse("buddy:home")


def _match_anchor(match: Any) -> str:
    return f"{_home()}#match-{match.uuid}"


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    profiles = selectors.profiles_of(request.user)
    selectors.explain_my_waiting(profiles)
    joined_buddy = {p.programme_id for p in profiles.buddy}
    joined_newcomer = {p.programme_id for p in profiles.newcomer}
    open_to = selectors.programmes_open_to(request.user)
    return render(
        request,
        "onboarding/buddies/me/home.html",
        {
            "profiles": profiles,
            "signup_problems": selectors.my_signup_problems(request.user),
            "matches": selectors.matches_for(request.user),
            "join_as_buddy": [
                p
                for p in open_to.as_buddy
                if p.pk not in joined_buddy and p.pk not in joined_newcomer
            ],
            "join_as_newcomer": [
                p
                for p in open_to.as_newcomer
                if p.pk not in joined_newcomer and p.pk not in joined_buddy
            ],
            "checkin_form": CheckInForm(),
        },
    )


def _signup(
    request: HttpRequest,
    programme: uuid.UUID,
    *,
    role: str,
    form_class: type,
    model: type,
    service: Any,
) -> HttpResponse:
    found = selectors.get_open_programme(request.user, programme, role)
    with scope(institution=found.institution):
        existing = model.objects.filter(programme=found, user=request.user).first()
    initial = form_class.initial_for(existing) if existing is not None else {}
    form = form_class(
        request.POST if request.method == "POST" else None, programme=found, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            _profile, created = service(
                actor=request.user, programme=found, **form.service_kwargs()
            )
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            if created:
                messages.success(
                    request,
                    _("You are signed up. Matching is queued: we tell you when you have a buddy."),
                )
            else:
                messages.success(request, _("Your details are saved."))
            return redirect(_home())
    return render(
        request,
        "onboarding/buddies/me/signup.html",
        {"programme": found, "form": form, "role": role, "existing": existing},
    )


@login_required
@require_http_methods(["GET", "POST"])
def signup_buddy(request: HttpRequest, programme: uuid.UUID) -> HttpResponse:
    return _signup(
        request,
        programme,
        role="buddy",
        form_class=BuddySignupForm,
        model=BuddyProfile,
        service=services.buddy_signup,
    )


@login_required
@require_http_methods(["GET", "POST"])
def signup_newcomer(request: HttpRequest, programme: uuid.UUID) -> HttpResponse:
    return _signup(
        request,
        programme,
        role="newcomer",
        form_class=NewcomerSignupForm,
        model=NewcomerProfile,
        service=services.newcomer_signup,
    )


@login_required
@require_POST
def match_accept(request: HttpRequest, match: uuid.UUID) -> HttpResponse:
    found = selectors.get_own_match(request.user, match)
    try:
        accepted = services.match_accept(actor=request.user, match=found)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if accepted.status == "accepted":
            messages.success(request, _("The match is accepted by you both."))
        else:
            messages.success(request, _("You accepted; we wait for the other side."))
    return redirect(_match_anchor(found))


@login_required
@require_http_methods(["GET", "POST"])
def match_decline(request: HttpRequest, match: uuid.UUID) -> HttpResponse:
    found = selectors.get_own_match(request.user, match)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.match_decline(
                actor=request.user, match=found, reason=form.cleaned_data["reason"]
            )
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("You declined the match. Its slot is free again."))
            return redirect(_home())
    return render(request, "onboarding/buddies/me/decline.html", {"match": found, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def checkins(request: HttpRequest, match: uuid.UUID) -> HttpResponse:
    """The check-in log of a match; its buddy adds to it."""
    found = selectors.get_own_match(request.user, match)
    form = CheckInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if found.side != "buddy":
            messages.error(request, _("Only the buddy logs check-ins."))
            return redirect(reverse("buddy:checkins", kwargs={"match": found.uuid}))
        if form.is_valid():
            try:
                services.checkin_add(actor=request.user, match=found, **form.cleaned_data)
            except (ServiceError, ValidationError) as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The check-in is logged."))
                return redirect(reverse("buddy:checkins", kwargs={"match": found.uuid}))
    return render(request, "onboarding/buddies/me/checkins.html", {"match": found, "form": form})


@login_required
@require_GET
def certificate(request: HttpRequest, profile: uuid.UUID) -> HttpResponse:
    """The buddy's certificate of activity in one programme, as PDF."""
    found = selectors.get_own_buddy_profile(request.user, profile)
    try:
        pdf = services.certificate_pdf(profile=found)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(_home())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="buddy-certificate-{found.uuid}.pdf"'
    return response
