"""The JSON API at /api/v1/, with its OpenAPI document at /api/v1/openapi.json and the
interactive documentation at /api/v1/docs.

Reads of public data need no sign-in. Everything else accepts the browser session (with CSRF on
unsafe methods) or ``Authorization: Bearer ic_...`` (a token from ``POST /api/v1/me/tokens``).
Every error is a 4xx JSON body ``{"detail": "..."}``: see ``core/api_errors.py``.
"""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from intercampus.core.api_auth import me_router
from intercampus.core.api_errors import document_error_responses, install_error_handlers
from intercampus.events.api import router as events_router
from intercampus.institutions.api import router as institutions_router
from intercampus.mobility.api import router as mobility_router
from intercampus.network.api import router as network_router
from intercampus.onboarding.api import router as onboarding_router


class IntercampusAPI(NinjaAPI):
    """The API whose OpenAPI document also lists the 4xx answers of every operation."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        document_error_responses(schema)
        return schema


api = IntercampusAPI(
    title="Intercampus API",
    version="1.0.0",
    description=(
        "Consortia, institutions, memberships, work groups and projects. "
        "Public reads need no authentication; writes take a session (with CSRF) or "
        "`Authorization: Bearer ic_...`. Staff writes act as one institution: a caller holding "
        "the role at several may choose it with `?as=<schac>`. Errors are JSON "
        '`{"detail": "..."}`; ids are slugs, SCHAC codes and UUIDs.'
    ),
    urls_namespace="api-1.0.0",
)
install_error_handlers(api)

api.add_router("/", network_router)
api.add_router("/", institutions_router)
api.add_router("/", mobility_router, tags=["mobility"])
api.add_router("/", me_router)
api.add_router("/events", events_router)
api.add_router("/onboarding", onboarding_router)
