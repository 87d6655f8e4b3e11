"""The API lets in a session or a bearer token, tells a stranger 401, and documents itself."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry

API = "/api/v1"


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def token_client(user) -> Client:
    _token, raw = ApiToken.objects.issue(user=user, name="test script")
    return bearer(raw)


# --- Tokens ---------------------------------------------------------------------------------


def test_a_valid_token_identifies_its_user(world):
    response = token_client(world.tpu_officer).get(f"{API}/me")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "iro@tpu.ru"
    assert body["roles"] == [
        {
            "institution": {"id": "tpu.ru", "name": "Tomsk Polytechnic University"},
            "kind": "iro",
            "label": "International relations officer",
            "staff": True,
        }
    ]


def test_a_revoked_token_gets_401(world):
    token, raw = ApiToken.objects.issue(user=world.tpu_officer, name="old")
    token.revoked = token.created
    token.save()
    response = bearer(raw).get(f"{API}/me")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_an_unknown_token_gets_401_even_on_a_write(world):
    response = bearer("ic_not-a-real-token").post(
        f"{API}/consortia/cluster/memberships", {}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_token_of_a_deactivated_user_gets_401(world):
    client = token_client(world.tpu_officer)
    world.tpu_officer.is_active = False
    world.tpu_officer.save()
    assert client.get(f"{API}/me").status_code == 401


def test_anonymous_callers_get_401_on_what_needs_a_sign_in(world, client):
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_anonymous_write_is_401_not_a_csrf_error(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"{API}/consortia/cluster/memberships", {}, content_type="application/json"
    )
    assert response.status_code == 401


def test_a_token_needs_no_csrf_token(world):
    _token, raw = ApiToken.objects.issue(user=world.tpu_officer, name="script")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    response = client.put(
        f"{API}/institutions/tpu.ru/headcounts/2024",
        {"professors": 1, "teachers": 2, "phd_students": 3, "students": 4},
        content_type="application/json",
    )
    assert response.status_code == 200


# --- Sessions -------------------------------------------------------------------------------


def test_the_session_of_a_signed_in_user_works(world, tpu_officer_client):
    response = tpu_officer_client.get(f"{API}/me")
    assert response.status_code == 200
    assert response.json()["email"] == "iro@tpu.ru"


def test_a_session_write_without_csrf_token_is_refused_with_json(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.tpu_officer)
    response = client.put(
        f"{API}/institutions/tpu.ru/headcounts/2024",
        {"professors": 1, "teachers": 2, "phd_students": 3, "students": 4},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_session_write_with_the_csrf_token_succeeds(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.tpu_officer)
    client.get("/")  # sets the CSRF cookie, as the browser gets it from any page
    csrf = client.cookies["csrftoken"].value
    response = client.put(
        f"{API}/institutions/tpu.ru/headcounts/2024",
        {"professors": 1, "teachers": 2, "phd_students": 3, "students": 4},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200


# --- /me/tokens -----------------------------------------------------------------------------


def test_a_signed_in_user_issues_a_token_and_sees_the_secret_once(world, tpu_officer_client):
    response = tpu_officer_client.post(
        f"{API}/me/tokens", {"name": "nightly export"}, content_type="application/json"
    )
    assert response.status_code == 201
    issued = response.json()
    assert issued["token"].startswith("ic_")
    assert issued["id"] == issued["token"][:10]
    assert AuditEntry.objects.filter(action="accounts.api_token.issued").count() == 1
    assert "key_hash" not in str(AuditEntry.objects.get().after)
    listed = tpu_officer_client.get(f"{API}/me/tokens").json()
    assert listed["count"] == 1
    assert listed["items"][0]["name"] == "nightly export"
    assert "token" not in listed["items"][0]
    assert bearer(issued["token"]).get(f"{API}/me").status_code == 200


def test_a_token_cannot_issue_another_token(world):
    response = token_client(world.tpu_officer).post(
        f"{API}/me/tokens", {"name": "offspring"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_revoking_a_token_shuts_it_out(world, tpu_officer_client):
    token, raw = ApiToken.objects.issue(user=world.tpu_officer, name="temporary")
    response = tpu_officer_client.delete(f"{API}/me/tokens/{token.prefix}")
    assert response.status_code == 204
    assert bearer(raw).get(f"{API}/me").status_code == 401
    assert AuditEntry.objects.filter(action="accounts.api_token.revoked").count() == 1


def test_nobody_revokes_someone_elses_token(world, kth_officer_client):
    token, raw = ApiToken.objects.issue(user=world.tpu_officer, name="mine")
    response = kth_officer_client.delete(f"{API}/me/tokens/{token.prefix}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert bearer(raw).get(f"{API}/me").status_code == 200


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 101}, {"name": 5}])
def test_a_token_needs_a_sensible_name(world, tpu_officer_client, body):
    response = tpu_officer_client.post(f"{API}/me/tokens", body, content_type="application/json")
    assert response.status_code == 422
    assert "name" in response.json()["detail"]


# --- Acting for several institutions ----------------------------------------------------------


def test_a_user_with_roles_at_two_institutions_chooses_with_as(world):
    from intercampus.accounts.choices import RoleKind
    from intercampus.accounts.models import Role

    with scopes_disabled():
        Role.objects.create(
            user=world.tpu_coordinator, institution=world.leuven, kind=RoleKind.SECRETARIAT
        )
    client = token_client(world.tpu_coordinator)
    body = {"institution": "kth.se", "kind": "member", "since": "2030-01-01"}
    url = f"{API}/consortia/cluster/memberships"
    # At TPU the user coordinates a group: the role there does not manage the consortium.
    response = client.post(f"{url}?as=tpu.ru", body, content_type="application/json")
    assert response.status_code == 403
    # Without ?as= the institution that authorises the consortium is picked: KU Leuven.
    response = client.post(
        f"{API}/consortia/cluster/work-groups",
        {"slug": "mobility", "name": "Mobility", "purpose": "Exchanges."},
        content_type="application/json",
    )
    assert response.status_code == 201
    entry = AuditEntry.objects.get(action="network.work_group.created")
    assert entry.actor == world.tpu_coordinator


def test_as_an_institution_where_one_is_not_staff_is_404(world):
    client = token_client(world.secretariat)
    response = client.post(
        f"{API}/consortia/cluster/work-groups?as=kth.se",
        {"slug": "mobility", "name": "Mobility", "purpose": "Exchanges."},
        content_type="application/json",
    )
    assert response.status_code == 404


# --- The documentation ----------------------------------------------------------------------


def test_the_openapi_document_loads_and_lists_the_paths(world, client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/consortia/",
        "/api/v1/consortia/{slug}",
        "/api/v1/consortia/{slug}/memberships",
        "/api/v1/consortia/{slug}/work-groups/{group}",
        "/api/v1/consortia/{slug}/work-groups/{group}/meetings",
        "/api/v1/projects/",
        "/api/v1/projects/{slug}",
        "/api/v1/institutions/",
        "/api/v1/institutions/{schac}",
        "/api/v1/institutions/{schac}/headcounts/{year}",
        "/api/v1/institutions/{schac}/people",
        "/api/v1/me",
        "/api/v1/me/tokens",
    ):
        assert path in paths, path
    schemes = response.json()["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_the_interactive_documentation_loads(world, client):
    from django.urls import reverse

    assert client.get(f"{API}/docs").status_code == 200
    assert reverse("api-1.0.0:openapi-view") == f"{API}/docs"


def test_a_token_issued_with_an_expiry_says_so_and_dies_with_it(world, tpu_officer_client):
    from datetime import timedelta

    from django.utils import timezone

    expires = timezone.now() + timedelta(days=7)
    issued = tpu_officer_client.post(
        f"{API}/me/tokens",
        {"name": "weekly", "expires": expires.isoformat()},
        content_type="application/json",
    ).json()
    assert issued["expires"] is not None
    assert issued["active"] is True
    assert bearer(issued["token"]).get(f"{API}/me").status_code == 200
    ApiToken.objects.filter(prefix=issued["id"]).update(expires=timezone.now())
    assert bearer(issued["token"]).get(f"{API}/me").status_code == 401
    listed = tpu_officer_client.get(f"{API}/me/tokens").json()["items"][0]
    assert listed["active"] is False


def test_an_expiry_in_the_past_is_refused_with_the_field_named(world, tpu_officer_client):
    response = tpu_officer_client.post(
        f"{API}/me/tokens",
        {"name": "late", "expires": "2001-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert "future" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_the_api_issues_tokens_through_the_same_checks_as_the_page(world, tpu_officer_client):
    response = tpu_officer_client.post(
        f"{API}/me/tokens", {"name": "   "}, content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert not ApiToken.objects.exists()


def test_revoking_a_revoked_token_again_is_a_conflict(world, tpu_officer_client):
    token, _raw = ApiToken.objects.issue(user=world.tpu_officer, name="twice")
    assert tpu_officer_client.delete(f"{API}/me/tokens/{token.prefix}").status_code == 204
    again = tpu_officer_client.delete(f"{API}/me/tokens/{token.prefix}")
    assert again.status_code == 409
    assert "already revoked" in again.json()["detail"]
