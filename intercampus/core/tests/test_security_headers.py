"""Every response forbids inline scripts and the browser features the platform never uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR)


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/docs", "/no-such-page/"])
def test_pages_carry_a_content_security_policy_without_inline_code(db, client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_pages_refuse_camera_microphone_and_location(db, client):
    policy = client.get("/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_no_template_has_inline_script_or_event_handler():
    """The policy would block them in the browser: keep code in static files."""
    inline_script = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\")\b)[^>]*>")
    handler = re.compile(r"\son[a-z]+=\"", re.IGNORECASE)
    style_attribute = re.compile(r"\sstyle=\"")
    offenders = []
    for template in TEMPLATES.rglob("templates/**/*.html"):
        text = template.read_text()
        for pattern in (inline_script, handler, style_attribute):
            if pattern.search(text):
                offenders.append(f"{template.relative_to(TEMPLATES)}: {pattern.pattern}")
    assert not offenders, offenders
