"""Degree newcomers (master's and PhD, national or international) whom the host adds itself:
one through a page or the API, or many from a spreadsheet.

A newcomer without an account gets one, with no usable password, and an invitation e-mail
with a link to choose their password; then their journey starts as for any other newcomer.
An import applies all rows or none, and names the row and column of every problem.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scope

from intercampus.accounts.models import User
from intercampus.core.audit import audit_log, snapshot
from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution
from intercampus.lib.spreadsheets import Row
from intercampus.onboarding.choices import JourneySource, TargetGroup
from intercampus.onboarding.models import Journey
from intercampus.onboarding.services.journeys import active_template, journey_start

logger = logging.getLogger(__name__)

IMPORT_COLUMNS = ("email", "given_name", "family_name", "target_group", "anchor_date")
# The anchor must be a plausible arrival: not decades away.
ANCHOR_YEARS = 5


@dataclass(frozen=True)
class Added:
    """The result of adding one newcomer."""

    journey: Journey
    user_created: bool
    journey_created: bool


def invitation_url(user: User) -> str:
    """A link with which the invited person chooses their password (allauth's reset flow)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


def send_invitation(user: User, host: Institution) -> int:
    """E-mail ``user`` an invitation to sign in and follow their journey at ``host``."""
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {"user": user, "host": host, "url": invitation_url(user)}
        subject = " ".join(
            render_to_string("onboarding/emails/invitation_subject.txt", context).split()
        )
        body = render_to_string("onboarding/emails/invitation_body.txt", context)
        html = render_to_string("onboarding/emails/invitation_body.html", context)
    try:
        return send_mail(subject, body, None, [user.email], html_message=html)
    except Exception:  # noqa: BLE001 - a mail server failure must not undo the journey
        logger.exception("Could not e-mail the invitation of user %s", user.uuid)
        return 0


def _user_for(*, actor: Any, host: Institution, email: str, given: str, family: str) -> tuple:
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(email=email, password=None, first_name=given, last_name=family)
    audit_log(
        actor=actor,
        action="onboarding.newcomer.invited",
        obj=user,
        after=snapshot(user, ["email", "first_name", "last_name"]),
        institution=host,
    )
    transaction.on_commit(lambda: send_invitation(user, host))
    return user, True


def _check_input(
    email: str, given_name: str, family_name: str, target_group: str, anchor: Any
) -> dict[str, str]:
    """The problems of one newcomer's details, by field."""
    problems: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        problems["email"] = _("Enter a valid e-mail address.")
    for name, value in (("given_name", given_name), ("family_name", family_name)):
        if not value.strip():
            problems[name] = _("This field is required.")
        elif len(value) > 150:
            problems[name] = _("At most 150 characters.")
    if target_group not in TargetGroup.values:
        problems["target_group"] = _("Enter one of {choices}.").format(
            choices=", ".join(TargetGroup.values)
        )
    if not isinstance(anchor, datetime.date):
        problems["anchor_date"] = _("Enter a date as YYYY-MM-DD.")
    elif abs(anchor.year - datetime.date.today().year) > ANCHOR_YEARS:
        problems["anchor_date"] = _("Enter a date within {n} years of today.").format(
            n=ANCHOR_YEARS
        )
    return problems


def newcomer_add(
    *,
    actor: Any,
    host: Institution,
    email: str,
    given_name: str,
    family_name: str,
    target_group: str,
    anchor_date: datetime.date,
    source: str = JourneySource.STAFF,
) -> Added:
    """Add a degree newcomer to ``host`` and start their journey (idempotent: a newcomer who
    already has a journey added by the host keeps it).

    Creates the user when the address is unknown, with an unusable password, and e-mails
    an invitation once committed. Raises ValidationError by field, or ServiceError when the
    host has no active template for the target group.
    """
    email = email.strip().lower()
    problems = _check_input(email, given_name, family_name, target_group, anchor_date)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic(), scope(institution=host):
        if active_template(host, target_group) is None:
            raise ServiceError(
                _("{host} has no active journey template for {group}.").format(
                    host=host.display_name, group=TargetGroup(target_group).label
                ),
                field="target_group",
                status=409,
            )
        user, user_created = _user_for(
            actor=actor,
            host=host,
            email=email,
            given=given_name.strip(),
            family=family_name.strip(),
        )
        existing = Journey.objects.filter(institution=host, newcomer=user, reference="").first()
        journey = existing or journey_start(
            actor=actor,
            host=host,
            newcomer=user,
            target_group=target_group,
            anchor_date=anchor_date,
            source=source,
        )
        return Added(journey=journey, user_created=user_created, journey_created=not existing)


@dataclass(frozen=True)
class ImportResult:
    rows: int
    users_created: int
    journeys_created: int


def _parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    # Excel cells come through as "2027-09-01 00:00:00".
    text = text.split(" ", 1)[0].split("T", 1)[0]
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def parse_newcomer_rows(
    header: list[str], rows: Iterable[Row], host: Institution
) -> tuple[list[dict[str, Any]], list[str]]:
    """Check an imported table; returns the newcomers and the problems (row and column)."""
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        return [], [
            _("The first row must name the columns {columns}; missing: {missing}.").format(
                columns=", ".join(IMPORT_COLUMNS), missing=", ".join(missing)
            )
        ]
    newcomers: list[dict[str, Any]] = []
    errors: list[str] = []
    first_seen: dict[str, int] = {}
    groups_without_template: set[str] = set()
    for row in rows:
        values = {c: row.values.get(c, "").strip() for c in IMPORT_COLUMNS}
        item = {**values, "email": values["email"].lower()}
        item["anchor_date"] = _parse_date(values["anchor_date"])
        problems = _check_input(
            item["email"],
            item["given_name"],
            item["family_name"],
            item["target_group"],
            item["anchor_date"],
        )
        group = item["target_group"]
        if "target_group" not in problems and active_template(host, group) is None:
            problems["target_group"] = _("you have no active journey template for {group}").format(
                group=group
            )
            groups_without_template.add(group)
        for column in IMPORT_COLUMNS:
            if column in problems:
                errors.append(
                    _("Row {row}, column {column}: {problem}").format(
                        row=row.number, column=column, problem=str(problems[column]).rstrip(".")
                    )
                    + "."
                )
        if "email" not in problems and item["email"] in first_seen:
            errors.append(
                _("Row {row}: {email} is already in row {first}.").format(
                    row=row.number, email=item["email"], first=first_seen[item["email"]]
                )
            )
            continue
        first_seen.setdefault(item["email"], row.number)
        if not problems:
            newcomers.append(item)
    return newcomers, errors


def newcomers_import(
    *, actor: Any, host: Institution, header: list[str], rows: list[Row]
) -> ImportResult:
    """Add every newcomer of a table and start their journeys, or none of them.

    Raises ValidationError listing every problem (row and column) when any row is wrong.
    """
    with scope(institution=host):
        newcomers, errors = parse_newcomer_rows(header, rows, host)
    if errors:
        raise ValidationError(errors)
    if not newcomers:
        raise ValidationError(_("The file has no newcomer rows."))
    users = journeys = 0
    with transaction.atomic():
        for item in newcomers:
            added = newcomer_add(actor=actor, host=host, source=JourneySource.IMPORT, **item)
            users += added.user_created
            journeys += added.journey_created
    return ImportResult(rows=len(newcomers), users_created=users, journeys_created=journeys)
