"""People who sign in, the roles they hold at institutions, and their API tokens."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from intercampus.accounts.choices import RoleKind


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an e-mail address."""

    username = None  # type: ignore[assignment]
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Role(models.Model):
    """A role a user holds at one institution (the tenant)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(_("role"), max_length=30, choices=RoleKind.choices)
    created = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution", "kind"], name="role_unique_per_institution"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_kind_display()} @ {self.institution_id}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenManager(models.Manager["ApiToken"]):
    def issue(
        self, *, user: User, name: str, expires: datetime.datetime | None = None
    ) -> tuple[ApiToken, str]:
        """Create a token and return it with its secret, which is shown only once."""
        raw = "ic_" + secrets.token_urlsafe(32)
        token = self.create(
            user=user, name=name, prefix=raw[:10], key_hash=_hash_token(raw), expires=expires
        )
        return token, raw

    def authenticate(self, raw: str) -> User | None:
        now = timezone.now()
        token = (
            self.select_related("user")
            .filter(key_hash=_hash_token(raw), revoked__isnull=True, user__is_active=True)
            .exclude(expires__lte=now)
            .first()
        )
        if token is None:
            return None
        # Updated at most once a minute so that a busy script does not write on every call.
        if token.last_used is None or (now - token.last_used).total_seconds() > 60:
            self.filter(pk=token.pk).update(last_used=now)
        return token.user


class ApiToken(models.Model):
    """A bearer token with which a script calls the API as its user; only a hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=10, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)
    # Optional: a token for a one-off script should not outlive the script.
    expires = models.DateTimeField(_("expires"), null=True, blank=True)

    objects = ApiTokenManager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires is not None and self.expires <= timezone.now()

    @property
    def active(self) -> bool:
        return self.revoked is None and not self.expired
