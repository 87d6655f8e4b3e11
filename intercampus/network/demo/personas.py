"""The demo accounts: one per persona, each with a role at an institution; where each starts
is the site's own rule (``intercampus.core.start.start_page``), as after signing in."""

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
    institution: str = ""  # SCHAC code of the role
    role: str = ""
    # (SCHAC code, slot) of the demo person whose name the account takes.
    person: tuple[str, str] | None = None
    superuser: bool = False


@dataclass(frozen=True)
class OtherLogin:
    """An account that the mobility, events or onboarding demo makes, worth signing in as."""

    email: str
    does: str | Promise


OTHER_LOGINS: tuple[OtherLogin, ...] = (
    OtherLogin(
        "newcomer1@tpu.demo",
        _("A master's newcomer at TPU, arrived ten days ago: arrival journey, buddy, events"),
    ),
    OtherLogin(
        "newcomer7@tpu.demo",
        _("A master's newcomer arriving at TPU in two months, one step overdue"),
    ),
    OtherLogin(
        "incoming2@kth.demo",
        _("An exchange student arriving at KTH in two months, waiting for a buddy"),
    ),
    OtherLogin(
        "student1@tpu.demo",
        _("A TPU student volunteering in the TPU Buddy Club: matches and check-ins"),
    ),
)
# Said of the KTH student whom TPU accepted, whose e-mail depends on the allocation.
NOMINEE_DOES = _("A KTH student accepted by TPU for an exchange: journey and buddy before arrival")


PERSONAS: tuple[Persona, ...] = (
    Persona(
        email="secretariat@cluster.demo",
        does=_("CLUSTER secretariat at KU Leuven: members, work groups, appointments, projects"),
        institution="kuleuven.be",
        role="secretariat",
        person=("kuleuven.be", "secretary_general"),
    ),
    Persona(
        email="coordinator@tpu.demo",
        does=_("TPU coordinates the Associate Partners Work Group: members, meetings, actions"),
        institution="tpu.ru",
        role="wg_coordinator",
        person=("tpu.ru", "head_io"),
    ),
    Persona(
        email="iro@tpu.demo",
        does=_("International relations officer at Tomsk Polytechnic University"),
        institution="tpu.ru",
        role="iro",
        person=("tpu.ru", "iro"),
    ),
    Persona(
        email="iro@kth.demo",
        does=_("International relations officer at KTH"),
        institution="kth.se",
        role="iro",
        person=("kth.se", "iro"),
    ),
    Persona(
        email="student@kth.demo",
        does=_(
            "A KTH student: an open call to apply to, a placement result, a buddy programme "
            "to volunteer in"
        ),
        institution="kth.se",
        role="student",
    ),
    Persona(
        email="admin@intercampus.demo",
        does=_("Platform operator: the Django admin"),
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
