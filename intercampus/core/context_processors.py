from __future__ import annotations

from django.http import HttpRequest

from intercampus.accounts.selectors import staff_institutions_of


def navigation(request: HttpRequest) -> dict:
    """The staff areas the signed-in user can switch to, for the site header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_institutions": []}
    return {"staff_institutions": staff_institutions_of(user)}
