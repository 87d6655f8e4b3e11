"""NUL characters and oversized bodies get 400/404/413 with a message, on every database.

PostgreSQL refuses any query that holds NUL: these requests used to end in a 500 there.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from intercampus.accounts.models import ApiToken

API = "/api/v1"
MEMBERSHIPS = f"{API}/consortia/cluster/memberships"


@pytest.fixture
def secretariat_api(world) -> Client:
    _token, raw = ApiToken.objects.issue(user=world.secretariat, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/institutions/%00",
        f"{API}/institutions/kth.se%00",
        f"{API}/consortia/clu%00ster/memberships",
    ],
)
def test_nul_in_an_api_path_is_404_in_json(world, client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("path", ["/institutions/a%00b/", "/i/a%00b/", "/i/tpu.ru%00/"])
def test_nul_in_a_page_path_is_404(world, tpu_officer_client, path):
    assert tpu_officer_client.get(path).status_code == 404


@pytest.mark.parametrize(
    "query", ["q=%00", "as=tpu.ru%00", "limit=1%00", "%00=1", "current=tr%00ue"]
)
def test_nul_in_an_api_query_is_400_in_json(world, secretariat_api, query):
    response = secretariat_api.get(f"{MEMBERSHIPS}?{query}")

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_nul_in_a_page_query_is_400(world, tpu_officer_client):
    assert tpu_officer_client.get("/i/tpu.ru/?q=a%00b").status_code == 400


def test_nul_in_a_json_string_is_400(world, secretariat_api):
    body = '{"institution": "kth.se\\u0000", "kind": "member", "since": "2030-01-01"}'

    response = secretariat_api.post(MEMBERSHIPS, body, content_type="application/json")

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_an_escaped_backslash_before_u0000_is_plain_text_not_nul(world, secretariat_api):
    body = '{"institution": "kth.se\\\\u0000", "kind": "member", "since": "2030-01-01"}'

    response = secretariat_api.post(MEMBERSHIPS, body, content_type="application/json")

    # Refused by the endpoint as an unknown institution, not by the NUL guard.
    assert response.status_code == 422


def test_nul_in_a_form_field_is_400(world, client):
    response = client.post("/accounts/login/", {"login": "a\x00@example.org", "password": "x"})

    assert response.status_code == 400


def test_nul_in_a_bearer_token_is_400(world):
    client = Client(headers={"Authorization": "Bearer ic_abc\x00def"})

    assert client.get(f"{API}/me").status_code == 400


def test_a_json_body_over_the_limit_is_413_in_json(world, secretariat_api):
    body = '{"institution": "' + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + '"}'

    response = secretariat_api.post(MEMBERSHIPS, body, content_type="application/json")

    assert response.status_code == 413
    assert "MB" in response.json()["detail"]


def test_a_form_over_the_limit_is_413_with_a_page(world, client):
    response = client.post(
        "/accounts/login/",
        {"login": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "password": "x"},
    )

    assert response.status_code == 413
    assert b"too large" in response.content


def test_a_malformed_multipart_body_is_400(world, client):
    response = client.generic(
        "POST",
        "/accounts/login/",
        b"--x\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--x--",
        content_type="multipart/form-data; boundary=",
    )

    assert response.status_code == 400
