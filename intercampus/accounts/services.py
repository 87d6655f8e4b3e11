"""Writes a user makes about themselves: their preferred language and their API tokens.

Each service is keyword-only, atomic and audited (``accounts.<thing>.<verb>``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intercampus.accounts.models import ApiToken, User
from intercampus.core.audit import audit_log, snapshot
from intercampus.core.services import ServiceError

# What the audit log keeps of a token: never its hash.
_TOKEN_AUDIT_FIELDS = ["user", "name", "prefix", "expires", "revoked"]


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """Set the user's preferred language: one of settings.LANGUAGES, or "" for the browser's."""
    if language and language not in dict(settings.LANGUAGES):
        raise ServiceError(_("Choose one of the languages offered."), field="language")
    # A snapshot of the whole user would copy the password hash into the audit log.
    before = snapshot(user, ["preferred_language"])
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    after = snapshot(user, ["preferred_language"])
    if before != after:
        audit_log(actor=user, action="accounts.user.changed", obj=user, before=before, after=after)
    return user


@transaction.atomic
def api_token_issue(
    *, user: User, name: str, expires: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``, valid until ``expires`` (or until revoked when None);
    returns it with its secret, which is never stored or shown again (only a hash is kept).

    Raises ServiceError when the name is blank or the expiry is not in the future.
    """
    name = name.strip()
    if not name:
        raise ServiceError(_("Give the token a name."), field="name")
    if expires is not None and expires <= timezone.now():
        raise ServiceError(_("The expiry must be in the future."), field="expires")
    token, raw = ApiToken.objects.issue(user=user, name=name, expires=expires)
    audit_log(
        actor=user,
        action="accounts.api_token.issued",
        obj=token,
        after=snapshot(token, _TOKEN_AUDIT_FIELDS),
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens; from now on it authenticates nobody.

    Raises ServiceError when the token is someone else's or already revoked.
    """
    if token.user_id != user.pk:
        raise ServiceError(_("This token is not yours."), status=404)
    if token.revoked is not None:
        raise ServiceError(_("This token is already revoked."), status=409)
    before = snapshot(token, _TOKEN_AUDIT_FIELDS)
    token.revoked = timezone.now()
    token.save(update_fields=["revoked"])
    audit_log(
        actor=user,
        action="accounts.api_token.revoked",
        obj=token,
        before=before,
        after=snapshot(token, _TOKEN_AUDIT_FIELDS),
    )
    return token
