"""Hostile JSON bodies (nested thousands deep) get a 4xx answer, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from intercampus.accounts.models import ApiToken

MEMBERSHIPS = "/api/v1/consortia/cluster/memberships"


@pytest.fixture
def secretariat_api(world) -> Client:
    _token, raw = ApiToken.objects.issue(user=world.secretariat, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"}, raise_request_exception=False)


def test_a_body_nested_too_deeply_is_400(secretariat_api):
    body = '{"institution": ' + "[" * 100_000 + "]" * 100_000 + "}"

    response = secretariat_api.post(MEMBERSHIPS, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON."}
