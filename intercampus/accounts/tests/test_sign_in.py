"""The sign-in pages (django-allauth) in the site's own layout."""

import pytest
from django.urls import reverse

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import Role, User
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
    response = client.post(LOGIN, {"login": "student@kth.se", "password": PASSWORD})
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


@pytest.mark.parametrize(
    ("email", "start"),
    [
        ("secretariat@kuleuven.be", "/i/kuleuven.be/consortia/cluster/"),
        ("coordinator@tpu.ru", "/i/tpu.ru/groups/cluster/associate-partners/"),
        ("iro@tpu.ru", "/i/tpu.ru/"),
        ("iro@kth.se", "/i/kth.se/"),
        ("student@kth.se", "/me/"),
    ],
)
def test_each_role_lands_on_its_start_page_after_signing_in(world, client, email, start):
    response = client.post(LOGIN, {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == start
    assert client.get(start).status_code == 200


def test_an_operator_without_roles_lands_on_the_admin(world, client):
    User.objects.create_superuser(email="ops@example.org", password=PASSWORD)
    response = client.post(LOGIN, {"login": "ops@example.org", "password": PASSWORD})
    assert response["Location"] == reverse("admin:index")


def test_a_next_page_wins_over_the_start_page(world, client):
    response = client.post(
        LOGIN + "?next=/institutions/", {"login": "iro@tpu.ru", "password": PASSWORD}
    )
    assert response["Location"] == "/institutions/"


def test_an_officer_who_is_also_a_student_starts_as_the_officer(world, client):
    Role.objects.create(user=world.kth_officer, institution=world.kth, kind=RoleKind.STUDENT)
    response = client.post(LOGIN, {"login": "iro@kth.se", "password": PASSWORD})
    assert response["Location"] == "/i/kth.se/"
