"""Tenancy: the institution named in ``/i/<schac>/`` is resolved once, here.

Every request to the staff area runs inside ``django_scopes.scope(institution=...)`` so that a
query on tenant data (roles, people, and later applications and journeys) can only see that
institution's rows. Someone who holds no staff role there gets 404: to an outsider the staff
area of another institution does not exist.
"""

from __future__ import annotations

import re

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django_scopes import scope

from intercampus.accounts.choices import STAFF_ROLES
from intercampus.accounts.models import Role
from intercampus.institutions.models import Institution

STAFF_AREA = re.compile(r"^/i/(?P<schac>[^/]+)/")


class TenancyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.institution = None  # type: ignore[attr-defined]
        request.tenant_roles = frozenset()  # type: ignore[attr-defined]
        match = STAFF_AREA.match(request.path_info)
        if match is None:
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        institution = Institution.objects.filter(schac=match["schac"]).first()
        if institution is None:
            raise Http404
        with scope(institution=institution):
            roles = frozenset(Role.objects.filter(user=request.user).values_list("kind", flat=True))
            if not roles & STAFF_ROLES:
                raise Http404
            request.institution = institution  # type: ignore[attr-defined]
            request.tenant_roles = roles  # type: ignore[attr-defined]
            return self.get_response(request)
