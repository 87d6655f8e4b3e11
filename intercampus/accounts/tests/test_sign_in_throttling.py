"""Sign-in throttling: a guesser is stopped; the people around them are not locked out."""

from __future__ import annotations

from django.db import connection
from django.urls import reverse

from intercampus.core.testing import PASSWORD

LOGIN = reverse("account_login")
# Documentation addresses (RFC 5737): nothing is sent anywhere, they only label requests.
GUESSER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
PROXY = "127.0.0.1"


def sign_in(client, email, password, **extra):
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


def fail(client, email, times, **extra):
    for _ in range(times):
        response = sign_in(client, email, "not-the-password", **extra)
        assert response.status_code in (200, 429)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] != LOGIN


def test_failures_from_one_address_do_not_lock_out_other_accounts_there(world, client):
    fail(client, "iro@tpu.ru", 25, REMOTE_ADDR=GUESSER)
    assert signed_in(sign_in(client, "iro@kth.se", PASSWORD, REMOTE_ADDR=GUESSER))


def test_a_guesser_is_stopped_but_the_owner_elsewhere_still_signs_in(world, client):
    fail(client, "iro@tpu.ru", 5, REMOTE_ADDR=GUESSER)
    refused = sign_in(client, "iro@tpu.ru", PASSWORD, REMOTE_ADDR=GUESSER)
    assert not signed_in(refused)
    assert "Too many failed login attempts" in refused.text
    assert signed_in(sign_in(client, "iro@tpu.ru", PASSWORD, REMOTE_ADDR=ELSEWHERE))


def test_behind_a_trusted_proxy_each_client_has_its_own_count(world, client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    fail(client, "iro@tpu.ru", 5, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=GUESSER)
    owner = sign_in(
        client, "iro@tpu.ru", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE
    )
    assert signed_in(owner)


def test_without_a_trusted_proxy_a_forged_header_changes_nothing(world, client):
    fail(client, "iro@tpu.ru", 5, REMOTE_ADDR=GUESSER, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    # The header is ignored: the guesser stays the guesser, whatever it claims to be.
    refused = sign_in(
        client, "iro@tpu.ru", PASSWORD, REMOTE_ADDR=GUESSER, HTTP_X_FORWARDED_FOR="192.0.2.1"
    )
    assert not signed_in(refused)


def test_the_counts_live_in_the_shared_database_cache(world, client, settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    fail(client, "iro@tpu.ru", 1, REMOTE_ADDR=GUESSER)
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")  # noqa: S608 (a setting, not input)
        keys = [row[0] for row in cursor.fetchall()]
    assert any("login_failed" in key for key in keys)
