"""What the secretariat and coordinator pages share: URLs, PRG helpers, service calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from intercampus.core.services import ServiceError
from intercampus.core.staff_pages import staff_url
from intercampus.network import forms
from intercampus.network.choices import ActionStatus
from intercampus.network.models import Consortium

MANAGE_CONSORTIUM = "network.manage_consortium"
MANAGE_WORK_GROUP = "network.manage_work_group"
UNFINISHED = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})


# --- Helpers -------------------------------------------------------------------------------


def _attempt(form, service: Callable[..., Any], **kwargs: Any) -> tuple[bool, Any]:
    """Call ``service``; if it refuses, put its message on ``form`` and return (False, None)."""
    try:
        return True, service(**kwargs)
    except ServiceError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
    except ValidationError as error:
        forms.add_service_errors(form, error)
    return False, None


def _attempt_or_message(request: HttpRequest, service: Callable[..., Any], **kwargs: Any) -> bool:
    """Call a service that has no form (a delete button); a refusal becomes an error message."""
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
    """405 for a button's target reached by GET; checked after the lookups, so that someone
    who may not see the object still gets 404."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to the page the button was on (a ``next`` field), if it is one of ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _home_crumb(request: HttpRequest) -> tuple[str, Any]:
    return (staff_url(request, "home"), _("Staff area"))


def _consortium_crumbs(request: HttpRequest, consortium: Consortium, *more) -> list:
    return [
        _home_crumb(request),
        (staff_url(request, "consortium", slug=consortium.slug), str(consortium)),
        *more,
    ]


def _form_page(request: HttpRequest, template: str = "network/staff/form.html", **context):
    context.setdefault("institution", request.institution)
    return render(request, template, context)
