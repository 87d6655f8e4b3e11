"""My API tokens: issue one (its secret shown once), list them, revoke one."""

from django.urls import reverse

from intercampus.accounts.models import ApiToken
from intercampus.core.models import AuditEntry

TOKENS = reverse("me:tokens")


def revoke_url(token):
    return reverse("me:token_revoke", kwargs={"prefix": token.prefix})


def test_the_token_pages_require_sign_in(world, client):
    assert client.get(TOKENS).status_code == 302
    token, _raw = ApiToken.objects.issue(user=world.tpu_officer, name="x")
    assert client.post(revoke_url(token)).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked is None


def test_issuing_a_token_shows_its_secret_once_and_it_works(world, tpu_officer_client):
    response = tpu_officer_client.post(TOKENS, {"name": "Nightly export"})
    assert response.status_code == 302
    assert response["Location"] == reverse("me:token_created")
    shown = tpu_officer_client.get(reverse("me:token_created"))
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"] or "no-cache" in shown["Cache-Control"]
    token = ApiToken.objects.get(user=world.tpu_officer)
    secret = shown.context["secret"]
    assert secret.startswith(token.prefix)
    assert secret in shown.text
    assert ApiToken.objects.authenticate(secret) == world.tpu_officer
    again = tpu_officer_client.get(reverse("me:token_created"), follow=True)
    assert secret not in again.text
    assert "shown only once" in again.text
    entry = AuditEntry.objects.get(action="accounts.api_token.issued")
    assert entry.actor == world.tpu_officer
    assert "key_hash" not in entry.after
    assert secret not in str(entry.after)


def test_a_token_needs_a_name(world, tpu_officer_client):
    response = tpu_officer_client.post(TOKENS, {"name": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not ApiToken.objects.exists()


def test_the_list_shows_my_tokens_only_with_their_state(world, tpu_officer_client):
    mine, _raw = ApiToken.objects.issue(user=world.tpu_officer, name="Mine")
    ApiToken.objects.issue(user=world.kth_officer, name="Theirs")
    tpu_officer_client.post(revoke_url(mine))
    response = tpu_officer_client.get(TOKENS)
    assert "Mine" in response.text
    assert "Revoked on" in response.text
    assert "Theirs" not in response.text


def test_i_revoke_my_token_and_it_no_longer_authenticates(world, tpu_officer_client):
    token, raw = ApiToken.objects.issue(user=world.tpu_officer, name="Old script")
    response = tpu_officer_client.post(revoke_url(token))
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked is not None
    assert ApiToken.objects.authenticate(raw) is None
    entry = AuditEntry.objects.get(action="accounts.api_token.revoked")
    assert entry.actor == world.tpu_officer
    assert entry.before["revoked"] is None and entry.after["revoked"]


def test_revoking_twice_says_so_and_audits_once(world, tpu_officer_client):
    token, _raw = ApiToken.objects.issue(user=world.tpu_officer, name="Old script")
    tpu_officer_client.post(revoke_url(token))
    response = tpu_officer_client.post(revoke_url(token), follow=True)
    assert "already revoked" in response.text
    assert AuditEntry.objects.filter(action="accounts.api_token.revoked").count() == 1


def test_revoking_needs_a_post(world, tpu_officer_client):
    token, _raw = ApiToken.objects.issue(user=world.tpu_officer, name="x")
    assert tpu_officer_client.get(revoke_url(token)).status_code == 405
    assert ApiToken.objects.get(pk=token.pk).revoked is None


def test_one_user_cannot_revoke_another_users_token(world, kth_officer_client):
    token, raw = ApiToken.objects.issue(user=world.tpu_officer, name="TPU script")
    response = kth_officer_client.post(revoke_url(token))
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked is None
    assert ApiToken.objects.authenticate(raw) == world.tpu_officer
    assert not AuditEntry.objects.exists()


# --- Expiry and last use --------------------------------------------------------------------


def test_a_token_issued_for_30_days_stops_working_after_them(world, tpu_officer_client):
    from datetime import timedelta

    from django.utils import timezone

    tpu_officer_client.post(TOKENS, {"name": "One-off import", "lifetime": "30"})
    shown = tpu_officer_client.get(reverse("me:token_created"))
    token = ApiToken.objects.get(user=world.tpu_officer)
    assert timedelta(days=29) < token.expires - timezone.now() <= timedelta(days=30)
    secret = shown.context["secret"]
    assert ApiToken.objects.authenticate(secret) == world.tpu_officer
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert ApiToken.objects.authenticate(secret) is None
    listed = tpu_officer_client.get(TOKENS)
    assert "Expired" in listed.text


def test_a_token_kept_until_revoked_has_no_expiry(world, tpu_officer_client):
    tpu_officer_client.post(TOKENS, {"name": "Nightly export", "lifetime": ""})
    assert ApiToken.objects.get(user=world.tpu_officer).expires is None


def test_the_list_shows_when_each_token_was_last_used(world, tpu_officer_client):
    token, raw = ApiToken.objects.issue(user=world.tpu_officer, name="Used today")
    assert ApiToken.objects.authenticate(raw) == world.tpu_officer
    token.refresh_from_db()
    assert token.last_used is not None
    response = tpu_officer_client.get(TOKENS)
    row = response.text.split("Used today", 1)[1].split("</tr>", 1)[0]
    assert token.last_used.strftime("%Y") in row
    assert "never" in row  # it never expires
