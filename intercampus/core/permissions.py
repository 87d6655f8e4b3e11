"""Which role grants which permission, and the decorator every staff view declares.

Permissions are named ``<app>.<verb>_<thing>``. A staff view declares exactly one with
:func:`staff_view`; a test walks the URL configuration and fails on a view without one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from intercampus.accounts.choices import STAFF_ROLES, RoleKind

SECRETARIAT = frozenset({RoleKind.SECRETARIAT})
COORDINATION = frozenset({RoleKind.WORKGROUP_COORDINATOR, RoleKind.SECRETARIAT})
INTERNATIONAL_OFFICE = frozenset({RoleKind.INTERNATIONAL_OFFICER})
PROGRAMME = frozenset({RoleKind.PROGRAMME_COORDINATOR})
STUDENT_SUPPORT = frozenset({RoleKind.STUDENT_SUPPORT})

PERMISSIONS: dict[str, frozenset[str]] = {
    "institutions.view_staff_area": STAFF_ROLES,
    "institutions.change_profile": INTERNATIONAL_OFFICE,
    "institutions.manage_units": INTERNATIONAL_OFFICE,
    "institutions.manage_headcounts": INTERNATIONAL_OFFICE,
    "institutions.manage_people": INTERNATIONAL_OFFICE | SECRETARIAT,
    "network.manage_consortium": SECRETARIAT,
    "network.manage_work_group": COORDINATION,
    "core.view_audit": SECRETARIAT | INTERNATIONAL_OFFICE,
    "mobility.manage_agreements": INTERNATIONAL_OFFICE,
    "mobility.manage_calls": INTERNATIONAL_OFFICE,
    "mobility.score_applications": INTERNATIONAL_OFFICE | PROGRAMME,
    "mobility.run_allocation": INTERNATIONAL_OFFICE,
    "mobility.manage_nominations": INTERNATIONAL_OFFICE,
    "mobility.view_reports": INTERNATIONAL_OFFICE | SECRETARIAT,
    "onboarding.manage_journeys": INTERNATIONAL_OFFICE | STUDENT_SUPPORT,
    "onboarding.manage_buddies": INTERNATIONAL_OFFICE | STUDENT_SUPPORT,
    "events.manage_events": INTERNATIONAL_OFFICE | STUDENT_SUPPORT,
}


def has_permission(roles: frozenset[str] | set[str], permission: str) -> bool:
    """True when one of ``roles`` (held at the current institution) grants ``permission``."""
    try:
        return bool(PERMISSIONS[permission] & set(roles))
    except KeyError:
        raise LookupError(f"Unknown permission {permission!r}") from None


def request_has_permission(request: HttpRequest, permission: str) -> bool:
    return has_permission(getattr(request, "tenant_roles", frozenset()), permission)


def staff_view(permission: str) -> Callable:
    """Declare the permission a view under ``/i/<institution>/`` needs, and enforce it.

    The tenancy middleware has already answered 404 to non-members; a member without the
    permission gets 403, because for them the institution's staff area does exist.
    """
    if permission not in PERMISSIONS:
        raise LookupError(f"Unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if getattr(request, "institution", None) is None:
                raise LookupError("staff_view used outside /i/<institution>/")
            if not request_has_permission(request, permission):
                raise PermissionDenied
            # The institution is in request.institution already; views need not repeat it.
            kwargs.pop("institution", None)
            return view(request, *args, **kwargs)

        wrapper.permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator
