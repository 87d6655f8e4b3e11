"""The Django admin site for platform operators.

The admin is where a platform superuser looks across every tenant by design, so every admin
view runs with django-scopes disabled here, in one place, instead of in each ModelAdmin,
inline, autocomplete or related widget (a missed one answered 500 with a ScopeError).
Ordinary users never reach these views: ``admin_view`` lets only active staff in.
"""

from __future__ import annotations

import functools

from django.contrib import admin
from django_scopes import scopes_disabled


class OperatorAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @functools.wraps(view)
        def unscoped(request, *args, **kwargs):
            with scopes_disabled():
                response = guarded(request, *args, **kwargs)
                # A TemplateResponse renders after the view returns; its inline forms and
                # related widgets query while rendering, so render inside the same block.
                if callable(getattr(response, "render", None)) and not response.is_rendered:
                    response.render()
            return response

        return unscoped
