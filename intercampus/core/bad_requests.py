"""Requests that no view can take safely are refused before any view or query sees them.

- A NUL character: no database text column can hold one (PostgreSQL refuses the whole query,
  "A string literal cannot contain NUL"), so a NUL in a path, a query, a form field, a header
  or a JSON string of the API would otherwise end in a server error. A path with NUL gets
  404 (no page has such a name); anything else with NUL gets 400.
- A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``: 413, where Django would raise
  ``RequestDataTooBig`` from whichever view first read the body.
- A malformed multipart body: 400.

Under ``/api/`` the answer is the API's JSON body ``{"detail": "..."}``; elsewhere the site's
own error page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"
# A JSON string escape for NUL: "\u0000" after an even number of backslashes (after an odd
# number it is the harmless text \u0000).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _has_nul(values: Iterable[str]) -> bool:
    return any(NUL in value for value in values)


def _headers_have_nul(request: HttpRequest) -> bool:
    headers = (v for k, v in request.META.items() if k.startswith("HTTP_") and isinstance(v, str))
    return _has_nul(headers)


def _query_or_form_has_nul(request: HttpRequest) -> bool:
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if NUL in key or _has_nul(values):
                return True
    return _has_nul(upload.name or "" for upload in request.FILES.values())


def _json_has_nul(request: HttpRequest) -> bool:
    if not (request.content_type or "").endswith("json"):
        return False
    return b"\x00" in request.body or _JSON_NUL.search(request.body) is not None


def carries_nul(request: HttpRequest) -> bool:
    """Whether a header, the query, a form field, a file name or a JSON string holds NUL."""
    return _headers_have_nul(request) or _query_or_form_has_nul(request) or _json_has_nul(request)


def too_large_detail() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _("The request is larger than the limit of {size} MB.").format(
        size=f"{limit / 2**20:.1f}".removesuffix(".0")
    )


def _too_large(request: HttpRequest, is_api: bool) -> HttpResponse:
    if is_api:
        return JsonResponse({"detail": too_large_detail()}, status=413)
    return render(request, "413.html", {"detail": too_large_detail()}, status=413)


class RefuseBadRequestsMiddleware:
    """Refuse NUL characters (404 in the path, 400 elsewhere) and bodies over the limit (413)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path_info.startswith("/api/")
        if NUL in request.path_info or NUL in request.path:
            if is_api:
                return JsonResponse({"detail": _("Not found.")}, status=404)
            raise Http404
        try:
            refused = carries_nul(request)
        except RequestDataTooBig:
            return _too_large(request, is_api)
        except MultiPartParserError:
            refused = True
            detail = _("The form data cannot be read; send it again.")
        else:
            detail = _("The request contains a NUL character, which no field accepts.")
        if not refused:
            return self.get_response(request)
        if is_api:
            return JsonResponse({"detail": detail}, status=400)
        raise BadRequest(detail)
