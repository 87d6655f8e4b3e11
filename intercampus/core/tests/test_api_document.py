"""The OpenAPI document is true: one schema per name, and every answer an operation gives,
including its 4xx errors, is documented. Every operation is also sent NUL characters in its
path, query and body: none may answer 500 (PostgreSQL refuses NUL outright, so CI runs this
module on PostgreSQL too)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from typing import Any

from django.test import Client
from ninja.openapi import schema as ninja_schema

from intercampus.accounts.models import ApiToken
from intercampus.api import api

NUL = "a\x00b"
PERSONAS = ("secretariat", "tpu_officer", "kth_officer", "student")


def document() -> dict[str, Any]:
    return json.loads(json.dumps(api.get_openapi_schema()))


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in document()["paths"].items()
        for method, operation in methods.items()
    ]


def test_no_two_schemas_share_a_name(monkeypatch):
    definitions: dict[str, set[str]] = defaultdict(set)
    add = ninja_schema.OpenAPISchema.add_schema_definitions

    def record(self, new: dict) -> None:
        for name, definition in new.items():
            definitions[name].add(json.dumps(definition, sort_keys=True))
        add(self, new)

    monkeypatch.setattr(ninja_schema.OpenAPISchema, "add_schema_definitions", record)
    api.get_openapi_schema()

    assert {name: len(d) for name, d in definitions.items() if len(d) > 1} == {}


def test_every_operation_documents_its_error_answers():
    doc = document()
    undocumented = []
    for method, path, operation in operations():
        codes = set(operation["responses"])
        expected = {"400"}
        if operation.get("security"):
            expected |= {"401", "403", "404"}
        if operation.get("parameters") or "requestBody" in operation:
            expected.add("422")
        if "requestBody" in operation:
            expected.add("413")
        if not expected <= codes:
            undocumented.append(f"{method} {path}: {sorted(expected - codes)}")
        for code, answer in operation["responses"].items():
            if code.startswith("4"):
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                assert ref.rsplit("/", 1)[1] in doc["components"]["schemas"]
    assert undocumented == []


def _value(name: str, schema: dict[str, Any], path: str, world) -> str:
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    known = {
        "schac": world.tpu.schac,
        "slug": world.project.slug if path.startswith("/api/v1/projects") else "cluster",
        "group": world.apwg.slug,
        "institution": world.tpu.schac,
        "year": "2025",
    }
    return known.get(name, "x")


def _url(path: str, operation: dict[str, Any], world, nul_in: str | None = None) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            name = parameter["name"]
            value = NUL if name == nul_in else _value(name, parameter["schema"], path, world)
            path = path.replace("{" + name + "}", value.replace("\x00", "%00"))
    return path


def _clients(world) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for persona in PERSONAS:
        _token, raw = ApiToken.objects.issue(user=getattr(world, persona), name="test")
        clients[persona] = Client(headers={"Authorization": f"Bearer {raw}"})
    return clients


def _check(problems: list[str], label: str, operation: dict[str, Any], response) -> None:
    status = str(response.status_code)
    if response.status_code >= 500:
        problems.append(f"{label}: {status}")
    elif status not in operation["responses"]:
        problems.append(f"{label}: {status} is not documented")


def test_every_get_answers_without_500_and_as_documented_for_each_persona(world):
    clients = _clients(world)
    problems: list[str] = []
    for method, path, operation in operations():
        if method != "get":
            continue
        url = _url(path, operation, world)
        for persona, client in clients.items():
            _check(problems, f"GET {url} as {persona}", operation, client.get(url))
    assert problems == []


def _nul_body(operation: dict[str, Any], doc: dict[str, Any]) -> dict[str, str]:
    schema = operation["requestBody"]["content"].get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return dict.fromkeys(schema.get("properties", {}), NUL) or {"name": NUL}


def test_nul_anywhere_in_any_operation_is_refused_as_documented(world):
    doc = document()
    client = _clients(world)["secretariat"]
    problems: list[str] = []
    for method, path, operation in operations():
        send = getattr(client, method)
        for parameter in operation.get("parameters", []):
            name = parameter["name"]
            if parameter["in"] == "path":
                url = _url(path, operation, world, nul_in=name)
            else:
                url = f"{_url(path, operation, world)}?{name}=a%00b"
            _check(problems, f"{method} {url}", operation, send(url))
        if "requestBody" in operation:
            url = _url(path, operation, world)
            body = json.dumps(_nul_body(operation, doc))
            response = send(url, body, content_type="application/json")
            _check(problems, f"{method} {url} with NUL in the body", operation, response)
    assert problems == []
