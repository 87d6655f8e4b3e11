"""Sign-up and password reset never tell a stranger whether an address has an account: the
answer is the same as for a new address, and the owner hears of it by e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

SIGNUP = reverse("account_signup")
RESET = reverse("account_reset_password")
NEW_PASSWORD = "a-long-new-passphrase-9"


@pytest.fixture
def mandatory_verification(settings):
    # The production default (see settings.py): only then does sign-up hide an account.
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _sign_up(client, email: str):
    return client.post(
        SIGNUP, {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def test_signing_up_with_a_registered_address_answers_as_for_a_new_one(
    world, client, mandatory_verification
):
    taken = _sign_up(client, world.student.email)
    fresh = _sign_up(client, "someone-new@example.org")

    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    page = client.get(taken["Location"]).content.decode().lower()
    assert "already" not in page
    assert sorted(m.to[0] for m in mail.outbox) == [
        "someone-new@example.org",
        world.student.email,
    ]


def test_the_sign_up_form_never_says_an_address_is_registered(
    world, client, mandatory_verification
):
    response = _sign_up(client, world.student.email)

    assert "already registered" not in response.content.decode()
    assert "already registered" not in client.get(response["Location"]).content.decode()


def test_password_reset_answers_the_same_for_an_unknown_address(world, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    known = client.post(RESET, {"email": world.student.email})
    unknown = client.post(RESET, {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
