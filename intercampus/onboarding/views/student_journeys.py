"""The newcomer's own journey, /me/journey/ (namespace ``journey``): the timeline by phase,
what is due next, late steps, marking steps done with evidence, and the host's documents.

Everything is read through selectors that filter by ``newcomer=request.user``: another
person's journey, step or file is 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intercampus.core.services import ServiceError
from intercampus.onboarding.forms import EvidenceForm
from intercampus.onboarding.selectors import journeys as selectors
from intercampus.onboarding.services import journeys as services
from intercampus.onboarding.views.staff_journeys import file_response


def _back(state: Any) -> str:
    return reverse("journey:home") + f"#step-{state.journey.uuid}-{state.step.uuid}"


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    timelines = [selectors.timeline(j, j.all_states) for j in selectors.journeys_of(request.user)]
    return render(
        request,
        "onboarding/me/journey.html",
        {"timelines": timelines, "evidence_form": EvidenceForm()},
    )


@login_required
@require_POST
def step_done(request: HttpRequest, journey: uuid.UUID, step: uuid.UUID) -> HttpResponse:
    """Mark a step done, with the evidence file if one is sent."""
    state = selectors.get_own_state(request.user, journey, step)
    form = EvidenceForm(request.POST, request.FILES)
    evidence = form.cleaned_data.get("evidence") if form.is_valid() else None
    try:
        services.step_mark_done(actor=request.user, state=state, evidence=evidence)
    except ServiceError as error:
        messages.error(request, _("“{step}”: {error}").format(step=state.step.title, error=error))
    else:
        if evidence is not None:
            messages.success(
                request,
                _("“{step}” is done; the evidence is saved.").format(step=state.step.title),
            )
        else:
            messages.success(request, _("“{step}” is done.").format(step=state.step.title))
    return redirect(_back(state))


@login_required
@require_POST
def step_skip(request: HttpRequest, journey: uuid.UUID, step: uuid.UUID) -> HttpResponse:
    state = selectors.get_own_state(request.user, journey, step)
    try:
        services.step_skip(actor=request.user, state=state)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“{step}” is skipped.").format(step=state.step.title))
    return redirect(_back(state))


@login_required
@require_POST
def step_reopen(request: HttpRequest, journey: uuid.UUID, step: uuid.UUID) -> HttpResponse:
    state = selectors.get_own_state(request.user, journey, step)
    try:
        services.step_reopen(actor=request.user, state=state)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“{step}” is to do again.").format(step=state.step.title))
    return redirect(_back(state))


@login_required
@require_GET
def evidence(request: HttpRequest, journey: uuid.UUID, step: uuid.UUID) -> HttpResponse:
    state = selectors.get_own_state(request.user, journey, step)
    return file_response(state.evidence, state.evidence_name, state.evidence_type)


@login_required
@require_GET
def document(request: HttpRequest, journey: uuid.UUID, step: uuid.UUID) -> HttpResponse:
    """The host's document attached to a step of the newcomer's journey."""
    state = selectors.get_own_state(request.user, journey, step)
    return file_response(state.step.document, state.step.document_name, state.step.document_type)
