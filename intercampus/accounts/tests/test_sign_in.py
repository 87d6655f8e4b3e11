"""The sign-in pages (django-allauth) in the site's own layout."""

import pytest
from django.urls import reverse

from intercampus.core.testing import PASSWORD

LOGIN = reverse("account_login")


def test_the_sign_in_page_uses_the_site_layout(world, client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    text = response.text
    assert "vendor/pico.min.css" in text
    assert 'class="skip-link"' in text
    assert '<label for="id_login">' in text
    assert '<label for="id_password">' in text
    assert reverse("account_reset_password") in text


def test_signing_in_with_email_and_password_leads_to_my_page(world, client):
    response = client.post(LOGIN, {"login": "iro@tpu.ru", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("me:home")
    assert client.get(reverse("me:home")).status_code == 200


def test_a_wrong_password_keeps_the_email_and_says_what_is_wrong(world, client):
    response = client.post(LOGIN, {"login": "iro@tpu.ru", "password": "wrong"})
    assert response.status_code == 200
    assert 'value="iro@tpu.ru"' in response.text
    assert 'class="form-errors"' in response.text
    assert client.get(reverse("me:home")).status_code == 302


@pytest.mark.parametrize(
    "name",
    [
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
    ],
)
def test_the_other_entrance_pages_use_the_site_layout(world, client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "vendor/pico.min.css" in response.text
    assert "<h1>" in response.text


@pytest.mark.parametrize("name", ["account_logout", "account_email", "account_change_password"])
def test_the_account_pages_use_the_site_layout(world, tpu_officer_client, name):
    response = tpu_officer_client.get(reverse(name))
    assert response.status_code == 200
    assert "vendor/pico.min.css" in response.text
    assert "<h1>" in response.text


def test_a_password_reset_link_leads_to_a_page_in_the_site_layout(world, client, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": "iro@tpu.ru"})
    assert len(mailoutbox) == 1
    link = next(w for w in mailoutbox[0].body.split() if "/accounts/password/reset/key/" in w)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert "vendor/pico.min.css" in response.text
    assert 'name="password1"' in response.text
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    done = client.post(
        form_url,
        {"password1": "a-new-long-passphrase-42", "password2": "a-new-long-passphrase-42"},
        follow=True,
    )
    assert done.status_code == 200
    assert "vendor/pico.min.css" in done.text
    assert client.login(email="iro@tpu.ru", password="a-new-long-passphrase-42")
