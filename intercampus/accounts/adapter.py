"""How django-allauth fits the site: where people land after signing in, and how failed
sign-ins are counted."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from intercampus.core.start import start_page


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Each person's start page (allauth still prefers a ``next`` the request carries)."""
        return start_page(request.user)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """The failed-login counter for one account *from one address*.

        allauth counts failures per account alone, so anyone who knows an e-mail address could
        lock its owner out by failing on purpose. Counting per account and address stops a
        guesser after a few tries while the owner, elsewhere, still signs in. Guessing across
        many accounts from one address is held back by the per-address limit in settings.
        """
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}:{self.get_client_ip(request)}"
