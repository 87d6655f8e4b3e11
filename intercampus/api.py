"""The JSON API at /api/v1/, with its OpenAPI document at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Intercampus API",
    version="1.0.0",
    description="Consortia, institutions, memberships, work groups and projects.",
    urls_namespace="api-1.0.0",
)
