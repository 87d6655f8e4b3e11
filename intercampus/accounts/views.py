"""The personal area /me/: who I am, my roles, my language and my API tokens.

Everything here is the signed-in user's own: tokens are looked up among
``request.user.api_tokens`` only, so naming someone else's token gives 404.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intercampus.accounts import services
from intercampus.accounts.choices import STAFF_ROLES
from intercampus.accounts.forms import ApiTokenForm, PreferredLanguageForm
from intercampus.accounts.models import ApiToken
from intercampus.accounts.selectors import roles_of
from intercampus.core.notices import mark_notices_read, unread_notices_of
from intercampus.core.services import ServiceError

# The secret of a token just issued waits here for the one page that shows it.
NEW_TOKEN_SESSION_KEY = "me:new_api_token"


def _roles_by_institution(request: HttpRequest) -> list[dict[str, Any]]:
    """My roles grouped per institution, and whether I may enter its staff area."""
    groups = []
    for institution, roles in groupby(roles_of(request.user), key=lambda r: r.institution):
        roles = list(roles)
        groups.append(
            {
                "institution": institution,
                "roles": [r.get_kind_display() for r in roles],
                "staff": any(r.kind in STAFF_ROLES for r in roles),
            }
        )
    return groups


def _tokens(request: HttpRequest):
    return request.user.api_tokens.order_by(F("revoked").asc(nulls_first=True), "-created")


def _home_page(request: HttpRequest, language_form: PreferredLanguageForm) -> HttpResponse:
    return render(
        request,
        "accounts/home.html",
        {
            "institutions": _roles_by_institution(request),
            "language_form": language_form,
            "active_tokens": _tokens(request).filter(revoked__isnull=True),
            "notices": unread_notices_of(request.user),
        },
    )


@login_required
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    """Mark all of the user's own notices as read."""
    mark_notices_read(user=request.user)
    return redirect("me:home")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = PreferredLanguageForm(initial={"language": request.user.preferred_language})
    return _home_page(request, form)


def _remember_language(response: HttpResponse, language: str) -> None:
    """Set Django's language cookie, as django.views.i18n.set_language does."""
    if not language:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Save my preferred language and switch this browser to it at once."""
    form = PreferredLanguageForm(request.POST)
    if form.is_valid():
        chosen = form.cleaned_data["language"]
        try:
            services.user_language_set(user=request.user, language=chosen)
        except ServiceError as error:
            form.add_error("language", error.message)
        else:
            if chosen:
                # The confirmation is already in the language just chosen.
                translation.activate(chosen)
            messages.success(request, _("Your preferred language is saved."))
            response = redirect("me:home")
            _remember_language(response, chosen)
            return response
    return _home_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """My API tokens, and a form to issue a new one."""
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            token, raw = services.api_token_issue(
                user=request.user, name=form.cleaned_data["name"], expires=form.expires()
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            request.session[NEW_TOKEN_SESSION_KEY] = {"prefix": token.prefix, "secret": raw}
            return redirect("me:token_created")
    return render(request, "accounts/tokens.html", {"form": form, "tokens": _tokens(request)})


@login_required
@require_GET
@never_cache
def token_created(request: HttpRequest) -> HttpResponse:
    """Show a new token's secret, once: the session forgets it as the page is made."""
    new = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    token = _tokens(request).filter(prefix=new["prefix"]).first() if new else None
    if token is None:
        messages.info(
            request, _("A token's secret is shown only once. Issue a new token if you lost it.")
        )
        return redirect("me:tokens")
    return render(request, "accounts/token_created.html", {"token": token, "secret": new["secret"]})


def _my_token(request: HttpRequest, prefix: str) -> ApiToken:
    token = _tokens(request).filter(prefix=prefix).first()
    if token is None:
        raise Http404
    return token


@login_required
@require_POST
def token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    token = _my_token(request, prefix)
    try:
        services.api_token_revoke(user=request.user, token=token)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The token “{name}” is revoked.").format(name=token.name))
    return redirect("me:tokens")
