"""Checks over the whole staff area: every view declares its permission, and every view is
invisible (404) to staff of another institution."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Plausible values for URL parameters; an outsider is turned away before any lookup happens.
SAMPLE_KWARGS = {
    "slug": "cluster",
    "consortium": "cluster",
    "group": "associate-partners",
    "year": 2025,
    "prefix": "ic_abcdefg",
}


def _staff_patterns() -> list[tuple[str, URLPattern]]:
    resolver = get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "staff":
            found.extend((f"staff:{p.name}", p) for p in _flatten(entry.url_patterns))
    return found


def _flatten(patterns) -> list[URLPattern]:
    """URL patterns, with those of nested includes (e.g. mobility/) brought up."""
    flat: list[URLPattern] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            flat.extend(_flatten(entry.url_patterns))
        else:
            flat.append(entry)
    return flat


STAFF_PATTERNS = _staff_patterns()


def _sample_url(name: str, pattern: URLPattern, institution: str) -> str:
    from django.urls import reverse

    kwargs: dict[str, object] = {"institution": institution}
    for key, converter in pattern.pattern.converters.items():
        if key in SAMPLE_KWARGS:
            kwargs[key] = SAMPLE_KWARGS[key]
        elif type(converter).__name__ == "UUIDConverter":
            kwargs[key] = uuid.uuid4()
        elif type(converter).__name__ == "IntConverter":
            kwargs[key] = 1
        else:
            kwargs[key] = "sample"
    return reverse(name, kwargs=kwargs)


def test_the_staff_area_has_views():
    assert len(STAFF_PATTERNS) >= 5


@pytest.mark.parametrize(("name", "pattern"), STAFF_PATTERNS, ids=[n for n, _ in STAFF_PATTERNS])
def test_every_staff_view_declares_its_permission(name, pattern):
    assert getattr(pattern.callback, "permission", None), f"{name} declares no permission"


@pytest.mark.parametrize(("name", "pattern"), STAFF_PATTERNS, ids=[n for n, _ in STAFF_PATTERNS])
def test_staff_of_another_institution_get_404_everywhere(world, kth_officer_client, name, pattern):
    for institution in ("tpu.ru", "kuleuven.be"):
        url = _sample_url(name, pattern, institution)
        assert kth_officer_client.get(url).status_code == 404, url
        assert kth_officer_client.post(url, {}).status_code == 404, url


@pytest.mark.parametrize(("name", "pattern"), STAFF_PATTERNS, ids=[n for n, _ in STAFF_PATTERNS])
def test_students_get_404_in_their_own_institutions_staff_area(
    world, student_client, name, pattern
):
    url = _sample_url(name, pattern, "kth.se")
    assert student_client.get(url).status_code == 404, url
