"""The demo accounts: one per persona, each with a role at an institution and a page to start at."""

from __future__ import annotations

import os
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from intercampus.accounts.models import User

DEFAULT_PASSWORD = "intercampus-demo"


def demo_password() -> str:
    """The password of new demo accounts: ``INTERCAMPUS_DEMO_PASSWORD`` or the default."""
    return os.environ.get("INTERCAMPUS_DEMO_PASSWORD") or DEFAULT_PASSWORD


@dataclass(frozen=True)
class Persona:
    email: str
    does: str | Promise
    # The page to start at: a URL name and its arguments.
    start: tuple[str, dict[str, str]]
    institution: str = ""  # SCHAC code of the role
    role: str = ""
    # (SCHAC code, slot) of the demo person whose name the account takes.
    person: tuple[str, str] | None = None
    superuser: bool = False


PERSONAS: tuple[Persona, ...] = (
    Persona(
        email="secretariat@cluster.demo",
        does=_("CLUSTER secretariat at KU Leuven: members, work groups, appointments, projects"),
        start=("staff:consortium", {"institution": "kuleuven.be", "slug": "cluster"}),
        institution="kuleuven.be",
        role="secretariat",
        person=("kuleuven.be", "secretary_general"),
    ),
    Persona(
        email="coordinator@tpu.demo",
        does=_("TPU coordinates the Associate Partners Work Group: members, meetings, actions"),
        start=(
            "staff:work_group",
            {"institution": "tpu.ru", "consortium": "cluster", "group": "associate-partners"},
        ),
        institution="tpu.ru",
        role="wg_coordinator",
        person=("tpu.ru", "head_io"),
    ),
    Persona(
        email="iro@tpu.demo",
        does=_("International relations officer at Tomsk Polytechnic University"),
        start=("staff:home", {"institution": "tpu.ru"}),
        institution="tpu.ru",
        role="iro",
        person=("tpu.ru", "iro"),
    ),
    Persona(
        email="iro@kth.demo",
        does=_("International relations officer at KTH"),
        start=("staff:home", {"institution": "kth.se"}),
        institution="kth.se",
        role="iro",
        person=("kth.se", "iro"),
    ),
    Persona(
        email="student@kth.demo",
        does=_("A KTH student looking for an exchange"),
        start=("me:home", {}),
        institution="kth.se",
        role="student",
    ),
    Persona(
        email="admin@intercampus.demo",
        does=_("Platform operator: the Django admin"),
        start=("admin:index", {}),
        superuser=True,
    ),
)


# One hash per password and process: hashing is slow on purpose, and every demo account
# shares the one published password anyway.
_hashes: dict[str, str] = {}


def demo_password_hash() -> str:
    password = demo_password()
    if password not in _hashes:
        _hashes[password] = make_password(password)
    return _hashes[password]


def demo_account(email: str, *, first_name: str = "", last_name: str = "") -> User:
    """The demo account for ``email``, one that can sign in: created with the demo password and
    a verified address; an account that exists keeps its password unless it has none that can
    be used (made by an older demo), and gets the name when it has none."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(
            email=email,
            first_name=first_name,
            last_name=last_name,
            password=demo_password_hash(),
        )
        user.full_clean(exclude=["password"])
        user.save()
    else:
        changed = []
        if not user.has_usable_password():
            user.password = demo_password_hash()
            changed.append("password")
        if first_name and not user.first_name and not user.last_name:
            user.first_name, user.last_name = first_name, last_name
            changed += ["first_name", "last_name"]
        if changed:
            user.save(update_fields=changed)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user
