"""How the API refuses bad input and reports every error.

Every error leaves the API as a 4xx JSON body ``{"detail": "<human message>", ...}``:

=====================================================  ======  ==============================
raised                                                 status  body
=====================================================  ======  ==============================
``Http404`` / ``ObjectDoesNotExist``                   404     ``{"detail": "Not found."}``
``ninja.errors.AuthenticationError``                   401     ``{"detail": ...}``
``PermissionDenied``                                   403     ``{"detail": ...}``
``ninja.errors.ValidationError`` (schema)              422     ``detail`` + ``errors`` (loc, msg)
``django.core.exceptions.ValidationError`` (service)   422     ``detail`` + ``errors`` (loc, msg)
``ServiceError``                                       .status ``detail`` + ``field``
``IntegrityError``                                     409     ``{"detail": ...}``
``HttpError`` (malformed JSON, CSRF)                   its     ``{"detail": ...}``
``RequestDataTooBig``                                  413     ``{"detail": ...}``
=====================================================  ======  ==============================

Input schemas derive from :class:`InputSchema`, which refuses unknown fields, and use
:data:`IsoDate`, which accepts only ``YYYY-MM-DD`` text (pydantic would otherwise read a bare
number as a Unix timestamp).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, Any

import ninja.pagination
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import BeforeValidator, ConfigDict

from intercampus.core.bad_requests import too_large_detail
from intercampus.core.limits import TEXT_MAX_LENGTH
from intercampus.core.services import ServiceError

if TYPE_CHECKING:
    from ninja import NinjaAPI


# --- Strict input ---------------------------------------------------------------------------


class InputSchema(Schema):
    """Base of every request body: a field the endpoint does not know is an error, not ignored,
    and no text is longer than :data:`~intercampus.core.limits.TEXT_MAX_LENGTH` unless a field
    sets a stricter maximum."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, str_max_length=TEXT_MAX_LENGTH
    )


def _date_text(value: Any) -> Any:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(_("Enter a date as YYYY-MM-DD."))
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(_("Enter a valid date as YYYY-MM-DD.")) from None


# A calendar date written as ISO 8601 text, e.g. "2026-09-01".
IsoDate = Annotated[datetime.date, BeforeValidator(_date_text)]


# --- Pagination -----------------------------------------------------------------------------

# Beyond any real list, and well inside the 64-bit integers of SQL: PostgreSQL refuses a larger
# OFFSET with an error ("bigint out of range") and SQLite cannot even take it.
MAX_OFFSET = 10**9


class LimitOffsetPagination(ninja.pagination.LimitOffsetPagination):
    """Ninja's ``?limit=&offset=`` pagination, with an offset too large for SQL refused (422)."""

    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


# --- Error bodies ---------------------------------------------------------------------------

# Pydantic's wording for the commonest mistakes, replaced by ours (which can be translated).
_FRIENDLY = {
    "missing": lambda: _("This field is required."),
    "extra_forbidden": lambda: _("Unknown field."),
    "model_attributes_type": lambda: _("Send a JSON object."),
    "model_type": lambda: _("Send a JSON object."),
    "dict_type": lambda: _("Send a JSON object."),
}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "payload", "members", 0, "since")`` -> ``members.0.since``."""
    parts = list(loc)
    if parts and parts[0] == "body":
        # The second element is the name of the view's body parameter: not the client's concern.
        parts = parts[2:]
    elif parts:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or _("request body")


def _message(error: dict[str, Any]) -> str:
    friendly = _FRIENDLY.get(error.get("type", ""))
    if friendly is not None:
        return str(friendly())
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ")


def validation_error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The 422 body: one readable sentence naming the fields, and the errors one by one."""
    cleaned = [
        {"loc": list(e.get("loc", ())), "msg": _message(e), "type": e.get("type", "invalid")}
        for e in errors
    ]
    parts = [f"{_field_name(e['loc'])}: {e['msg'].rstrip('.')}" for e in cleaned]
    detail = _("Invalid input. {problems}.").format(problems="; ".join(parts))
    return {"detail": detail, "errors": cleaned}


def django_validation_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    """A Django ValidationError as the same error list as pydantic's, located in the body."""
    if hasattr(exc, "error_dict"):
        errors = []
        for field, messages in exc.message_dict.items():
            loc = ["body", "payload"] if field == "__all__" else ["body", "payload", field]
            errors.extend({"loc": loc, "msg": str(m), "type": "invalid"} for m in messages)
        return errors
    return [{"loc": ["body", "payload"], "msg": str(m), "type": "invalid"} for m in exc.messages]


# --- The error bodies in the OpenAPI document ------------------------------------------------


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(description='Where: e.g. ["body", "payload", "since"]')
    msg: str
    type: str


class ErrorOut(Schema):
    """Every 4xx answer of the API."""

    detail: str = Field(description="What went wrong, in the caller's language")
    field: str | None = Field(None, description="The field a rule refused, when there is one")


class ValidationErrorOut(ErrorOut):
    """A 422 answer: the fields that were refused, one by one."""

    errors: list[FieldErrorOut] = Field(default_factory=list)


_ERROR_DESCRIPTIONS = {
    400: "Malformed request: invalid JSON, a NUL character, or a rule refused it",
    401: "Not signed in, or the API token is unknown, revoked or expired",
    403: "Signed in, but the role does not allow this (or the CSRF check failed)",
    404: "Not found, or not visible to the caller",
    409: "Conflicts with the current state of a record",
    413: "The request body is larger than the limit",
    422: "Invalid input: the fields named in errors",
}
_WRITES = {"post", "put", "patch", "delete"}


def _error_codes(method: str, operation: dict[str, Any]) -> list[int]:
    """The 4xx answers an operation can give, told from what it takes (see the table above)."""
    parameters = operation.get("parameters", [])
    codes = [400]
    if operation.get("security"):
        codes += [401, 403]
    if any(p["in"] == "path" or p["name"] == "as" for p in parameters) or operation.get("security"):
        codes.append(404)
    if method in _WRITES:
        codes.append(409)
    if "requestBody" in operation:
        codes.append(413)
    if parameters or "requestBody" in operation:
        codes.append(422)
    return codes


# No text the API takes may hold NUL (RefuseBadRequestsMiddleware answers 400): said in the
# document, so that a client's or a fuzzer's generator knows it too.
_NO_NUL = "^[^\\u0000]*$"
_STRING_KEEPS = {"pattern", "format", "enum", "const"}


def _refuse_nul_in_strings(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and not _STRING_KEEPS & node.keys():
            node["pattern"] = _NO_NUL
        # The keys of a JSON object taken as a mapping (e.g. languages) are text too.
        if isinstance(node.get("additionalProperties"), dict) and "propertyNames" not in node:
            node["propertyNames"] = {"pattern": _NO_NUL}
        for value in node.values():
            _refuse_nul_in_strings(value)
    elif isinstance(node, list):
        for value in node:
            _refuse_nul_in_strings(value)


def document_error_responses(schema: dict[str, Any]) -> None:
    """Add the 4xx answers that every operation can give to an OpenAPI document, in place.

    They come from the exception handlers above and from RefuseBadRequestsMiddleware, not from
    the endpoints' ``response=``, so ninja does not know them; declaring them per endpoint
    would also change the status ninja gives to a view's plain return value.
    """
    _refuse_nul_in_strings(schema["paths"])
    _refuse_nul_in_strings(schema["components"])
    components = schema["components"]["schemas"]
    for model in (FieldErrorOut, ErrorOut, ValidationErrorOut):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        definition.pop("$defs", None)
        components[model.__name__] = definition
    for path in schema["paths"].values():
        for method, operation in path.items():
            responses = operation["responses"]
            for code in _error_codes(method, operation):
                body = "ValidationErrorOut" if code == 422 else "ErrorOut"
                responses.setdefault(
                    code,
                    {
                        "description": _ERROR_DESCRIPTIONS[code],
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}
                        },
                    },
                )


def _json(api: NinjaAPI, request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
    return api.create_response(request, body, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the handlers above on ``api``; call once where the API is built."""

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _json(api, request, {"detail": _("Not found.")}, 404)

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _json(api, request, {"detail": _("Not found.")}, 404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = exc.message if exc.message != "Unauthorized" else ""
        detail = message or _("Sign in or send an API token: Authorization: Bearer ic_...")
        response = _json(api, request, {"detail": detail}, 401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(exc) or _("Your role does not allow this.")
        return _json(api, request, {"detail": detail}, 403)

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return _json(api, request, validation_error_body(exc.errors), 422)

    @api.exception_handler(DjangoValidationError)
    def refused_by_model(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return _json(api, request, validation_error_body(django_validation_errors(exc)), 422)

    @api.exception_handler(ServiceError)
    def refused_by_service(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return _json(api, request, {"detail": exc.message, "field": exc.field}, exc.status)

    @api.exception_handler(IntegrityError)
    def conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        detail = _("This conflicts with a record that already exists.")
        return _json(api, request, {"detail": detail}, 409)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # Bodies that are not JSON are read by ninja, past RefuseBadRequestsMiddleware.
        return _json(api, request, {"detail": too_large_detail()}, 413)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = exc.message
        # Ninja's own wording (in English, with parser details when DEBUG is on) replaced.
        if detail.startswith("Cannot parse request body"):
            detail = _("The request body is not valid JSON.")
        elif detail == "CSRF check Failed":
            detail = _("CSRF check failed: send the X-CSRFToken header.")
        return _json(api, request, {"detail": detail}, exc.status_code)


# Exempt: an unknown path answers 404 whatever the method, never the CSRF check's HTML page.
@csrf_exempt
def api_not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Unknown paths under /api/ answer in JSON too, so scripts never have to parse HTML."""
    from django.http import JsonResponse

    return JsonResponse(
        {"detail": _("No API endpoint at {path}. See /api/v1/docs.").format(path=request.path)},
        status=404,
    )
