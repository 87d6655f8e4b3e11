"""Reads about users and their roles."""

from __future__ import annotations

from django_scopes import scopes_disabled

from intercampus.accounts.choices import STAFF_ROLES
from intercampus.accounts.models import Role, User
from intercampus.institutions.models import Institution


def roles_of(user: User) -> list[Role]:
    """A user's own roles at every institution (filtered by user, so safe across tenants)."""
    with scopes_disabled():
        return list(
            Role.objects.filter(user=user)
            .select_related("institution")
            .order_by("institution__name", "kind")
        )


def staff_institutions_of(user: User) -> list[Institution]:
    """The institutions whose staff area the user may enter."""
    with scopes_disabled():
        return list(
            Institution.objects.filter(roles__user=user, roles__kind__in=STAFF_ROLES)
            .distinct()
            .order_by("name")
        )


def user_by_email(email: str) -> User | None:
    """The user signing in with ``email`` (case-insensitive), for operators' commands."""
    return User.objects.filter(email__iexact=email).first()


def has_verified_email(user: User) -> bool:
    """True when the person proved they own an e-mail address (allauth's verification)."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()
