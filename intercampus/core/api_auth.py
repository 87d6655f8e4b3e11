"""Who calls the API, as which institution, and the caller's own account (``/me``).

Two ways in, tried in this order:

1. ``Authorization: Bearer ic_...``: an :class:`~intercampus.accounts.models.ApiToken`. A header
   with an unknown or revoked token is refused with 401 at once; it never falls back to the
   session, so a script learns that its token is dead.
2. The Django session of the browser. CSRF is enforced on unsafe methods, as ninja's
   ``django_auth`` does, but only once we know there is a session: ninja checks CSRF first, so
   an anonymous POST would get "CSRF failed" (403) where "unauthenticated" (401) is the truth.

Tenancy is the same rule as ``core/tenancy.py``: a staff write is made *as* one institution,
inside ``django_scopes.scope(institution=...)``. Holding no staff role there is 404; holding
a staff role without the permission is 403. :func:`acting_at` serves endpoints whose path
names the institution; :func:`acting_for` serves endpoints whose path names a consortium,
work group or project, and finds the caller's institution that authorises that object.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django_scopes import scope
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.pagination import paginate
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from intercampus.accounts.choices import STAFF_ROLES
from intercampus.accounts.models import ApiToken, Role, User
from intercampus.accounts.selectors import roles_of, staff_institutions_of
from intercampus.accounts.services import api_token_issue, api_token_revoke
from intercampus.core.api_errors import InputSchema, LimitOffsetPagination
from intercampus.core.permissions import PERMISSIONS, has_permission
from intercampus.institutions.models import Institution

T = TypeVar("T")

# --- Authentication -------------------------------------------------------------------------


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer ic_...``; a bad token is a 401, not a fall-through."""

    def __call__(self, request: HttpRequest) -> User | None:
        scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = ApiToken.objects.authenticate(token) if token else None
        if user is None:
            raise AuthenticationError(message=_("This API token is unknown or has been revoked."))
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser's session, with CSRF checked on unsafe methods once a session exists."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


# Pass as ``auth=`` on every endpoint that needs a signed-in caller.
AUTH = [ApiTokenAuth(), SessionAuth()]


# --- Acting as an institution ---------------------------------------------------------------


@dataclass(frozen=True)
class Acting:
    """The caller, the institution they act as, and the roles they hold there."""

    user: User
    institution: Institution
    roles: frozenset[str]


def _roles_here(user: User) -> frozenset[str]:
    """The user's roles at the institution whose scope is active."""
    return frozenset(Role.objects.filter(user=user).values_list("kind", flat=True))


def _refuse(institution: Institution) -> PermissionDenied:
    return PermissionDenied(
        _("Your role at {institution} does not allow this.").format(institution=institution)
    )


@contextmanager
def acting_at(request: HttpRequest, schac: str, permission: str) -> Iterator[Acting]:
    """Act as the institution ``schac``, inside its scope, with ``permission``.

    404 if it does not exist or the caller holds no staff role there; 403 if their roles there
    do not grant ``permission``.
    """
    if permission not in PERMISSIONS:
        raise LookupError(f"Unknown permission {permission!r}")
    user: User = request.auth  # type: ignore[attr-defined]
    institution = Institution.objects.filter(schac=schac).first()
    if institution is None:
        raise Http404
    with scope(institution=institution):
        roles = _roles_here(user)
        if not roles & STAFF_ROLES:
            raise Http404
        if not has_permission(roles, permission):
            raise _refuse(institution)
        yield Acting(user=user, institution=institution, roles=roles)


_NOT_FOUND = object()


def _attempt(resolve: Callable[[Institution, frozenset[str]], T], *args: Any) -> Any:
    try:
        return resolve(*args)
    except Http404:
        return _NOT_FOUND


@contextmanager
def acting_for(
    request: HttpRequest,
    permission: str,
    resolve: Callable[[Institution, frozenset[str]], T],
    as_schac: str | None = None,
) -> Iterator[tuple[Acting, T]]:
    """Act as the caller's institution that authorises an object, and yield it with the object.

    ``resolve(institution, roles)`` returns the object that institution may manage with those
    roles, or raises Http404 (the network selectors ``get_managed_consortium`` and
    ``get_run_work_group`` do exactly this). With ``as_schac`` only that institution is tried.
    Otherwise the caller's staff institutions are tried in name order: the first whose roles
    grant ``permission`` and which authorises the object wins. If none does, the answer is 403
    when an institution would authorise the object but the caller's role there lacks the
    permission, and 404 otherwise (the object is none of their institutions' business).
    """
    if as_schac:
        with acting_at(request, as_schac, permission) as acting:
            found = resolve(acting.institution, acting.roles)
            yield acting, found
        return
    if permission not in PERMISSIONS:
        raise LookupError(f"Unknown permission {permission!r}")
    user: User = request.auth  # type: ignore[attr-defined]
    refusal: PermissionDenied | None = None
    for institution in staff_institutions_of(user):
        with scope(institution=institution):
            roles = _roles_here(user)
            if has_permission(roles, permission):
                found = _attempt(resolve, institution, roles)
                if found is not _NOT_FOUND:
                    yield Acting(user=user, institution=institution, roles=roles), found
                    return
            elif _attempt(resolve, institution, PERMISSIONS[permission]) is not _NOT_FOUND:
                refusal = refusal or _refuse(institution)
    if refusal is not None:
        raise refusal
    raise Http404


# --- /me: the caller and their tokens -------------------------------------------------------

me_router = Router(tags=["me"])


class RoleInstitutionOut(Schema):
    id: str = Field(description="SCHAC code")
    name: str


class RoleOut(Schema):
    institution: RoleInstitutionOut
    kind: str
    label: str
    staff: bool = Field(description="Whether the role opens the institution's staff area")


class MeOut(Schema):
    email: str
    name: str
    preferred_language: str
    roles: list[RoleOut]


class TokenOut(Schema):
    id: str = Field(description="The token's public prefix, which identifies it")
    name: str
    created: datetime.datetime
    last_used: datetime.datetime | None = Field(
        description="When a request last authenticated with it (to the minute)"
    )
    expires: datetime.datetime | None = Field(description="When it stops working; null: never")
    revoked: datetime.datetime | None
    active: bool = Field(description="Neither revoked nor expired")


class TokenIssuedOut(TokenOut):
    token: str = Field(description="The secret: shown this once, never again")


class TokenIn(InputSchema):
    name: str = Field(min_length=1, max_length=100, description="What the token is for")
    expires: datetime.datetime | None = Field(
        default=None, description="When it stops working (in the future); omit for never"
    )


def _token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.prefix,
        "name": token.name,
        "created": token.created,
        "last_used": token.last_used,
        "expires": token.expires,
        "revoked": token.revoked,
        "active": token.active,
    }


@me_router.get("/me", response=MeOut, auth=AUTH, summary="The caller and their roles")
def me(request: HttpRequest) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    roles = [
        {
            "institution": {"id": r.institution.schac, "name": r.institution.name},
            "kind": r.kind,
            "label": str(r.get_kind_display()),
            "staff": r.kind in STAFF_ROLES,
        }
        for r in roles_of(user)
    ]
    return {
        "email": user.email,
        "name": user.get_full_name(),
        "preferred_language": user.preferred_language,
        "roles": roles,
    }


@me_router.get("/me/tokens", response=list[TokenOut], auth=AUTH, summary="The caller's tokens")
@paginate(LimitOffsetPagination, max_limit=100)
def token_list(request: HttpRequest) -> list[dict[str, Any]]:
    user: User = request.auth  # type: ignore[attr-defined]
    tokens = ApiToken.objects.filter(user=user).order_by("-created", "-id")
    return [_token_out(t) for t in tokens]


@me_router.post(
    "/me/tokens",
    response={201: TokenIssuedOut},
    auth=[SessionAuth()],
    summary="Issue a token (signed in with the browser session only)",
)
def token_issue(request: HttpRequest, payload: TokenIn) -> Status:
    # Only a person signed in may mint credentials: a leaked token cannot breed new ones.
    user: User = request.auth  # type: ignore[attr-defined]
    token, raw = api_token_issue(user=user, name=payload.name, expires=payload.expires)
    return Status(201, {**_token_out(token), "token": raw})


@me_router.delete(
    "/me/tokens/{token_id}", response={204: None}, auth=AUTH, summary="Revoke a token"
)
def token_revoke(request: HttpRequest, token_id: str) -> Status:
    user: User = request.auth  # type: ignore[attr-defined]
    token = ApiToken.objects.filter(user=user, prefix=token_id).first()
    if token is None:
        raise Http404
    # The service refuses a token already revoked with 409, as the page does.
    api_token_revoke(user=user, token=token)
    return Status(204, None)
