"""How django-allauth fits the site: where people land after signing in."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from intercampus.core.start import start_page


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Each person's start page (allauth still prefers a ``next`` the request carries)."""
        return start_page(request.user)
