"""Every text a person types has a maximum length: in every form and every API request body."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms

import intercampus
from intercampus.core.limits import (
    LINE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    BoundedTextFormMixin,
)


def _project_modules():
    for info in pkgutil.walk_packages(intercampus.__path__, "intercampus."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        yield importlib.import_module(info.name)


def _project_forms() -> list[type[forms.BaseForm]]:
    found = set()
    for module in _project_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.add(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


PROJECT_FORMS = _project_forms()


def test_the_project_has_forms():
    assert len(PROJECT_FORMS) > 40


@pytest.mark.parametrize("form_class", PROJECT_FORMS, ids=lambda c: c.__qualname__)
def test_every_form_bounds_its_text_fields(form_class):
    """Forms build some fields in ``__init__`` (from their model), so the mixin that bounds
    them after construction is what makes a form safe; a form without it must bound every
    text field itself."""
    if issubclass(form_class, BoundedTextFormMixin):
        return
    unbounded = [
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None
    ]
    assert not unbounded, f"{form_class.__qualname__}: {unbounded} have no maximum length"


class Sample(BoundedTextFormMixin, forms.Form):
    note = forms.CharField(widget=forms.Textarea)
    label = forms.CharField()
    code = forms.CharField(max_length=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["added"] = forms.CharField(widget=forms.Textarea, required=False)


def test_the_mixin_bounds_declared_and_added_fields():
    form = Sample({})
    form.is_valid()
    assert form.fields["note"].max_length == TEXT_MAX_LENGTH
    assert form.fields["label"].max_length == LINE_MAX_LENGTH
    assert form.fields["code"].max_length == 10


def test_a_too_long_text_is_a_field_error_and_nothing_typed_is_lost():
    data = {"note": "n" * (TEXT_MAX_LENGTH + 1), "label": "ok", "code": "c", "added": "a" * 10**6}
    form = Sample(data)
    assert not form.is_valid()
    assert set(form.errors) == {"note", "added"}
    assert form["note"].value() == data["note"]


def _strings_without_limit(node, components, path, seen, found):
    if isinstance(node, list):
        for item in node:
            _strings_without_limit(item, components, path, seen, found)
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _strings_without_limit(components[name], components, name, seen, found)
        return
    bounded = {"maxLength", "enum", "const", "pattern"} & set(node)
    if node.get("type") == "string" and not bounded and node.get("format") not in FORMATS:
        found.append(path)
    for key, value in node.items():
        if key == "properties":
            for name, prop in value.items():
                _strings_without_limit(prop, components, f"{path}.{name}", seen, found)
        elif key in {"anyOf", "oneOf"} and _is_a_number(value):
            continue
        elif key in {"items", "anyOf", "allOf", "oneOf", "additionalProperties"}:
            _strings_without_limit(value, components, path, seen, found)


def _is_a_number(alternatives) -> bool:
    """A decimal, which the API takes as a number or its text; its digits bound the text."""
    return any(a.get("type") in {"number", "integer"} for a in alternatives)


# Formats whose values are short by construction; binary is an upload, bounded by its size.
FORMATS = {"date", "date-time", "time", "uuid", "binary"}
# Request bodies that are a whole document (EWP XML), bounded by the upload size instead.
WHOLE_DOCUMENT_BODIES = {"/api/v1/ewp/iia-hash", "/api/v1/institutions/{schac}/ewp/iias"}


def test_every_api_request_body_bounds_its_text():
    from intercampus.api import api

    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    found: list[str] = []
    for path, operations in schema["paths"].items():
        if path in WHOLE_DOCUMENT_BODIES:
            continue
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if not body:
                continue
            for content in body["content"].values():
                where = f"{method.upper()} {path}"
                _strings_without_limit(content["schema"], components, where, set(), found)
    assert not found, found
