"""Building journey templates and journeys for tests, through the services."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from intercampus.accounts.models import User
from intercampus.core.testing import PASSWORD
from intercampus.onboarding.choices import JourneySource, TargetGroup
from intercampus.onboarding.models import JourneyStep, JourneyStepState, JourneyTemplate
from intercampus.onboarding.services import journeys as services
from intercampus.onboarding.services import templates as template_services

MIGRATION_STEP = "Registration with the migration authority"

# (phase, title, owner, offset, kind, category, required, country)
TPU_STEPS = [
    (
        "attractiveness",
        "Explore the programmes taught in English",
        "student",
        -90,
        "calendar",
        "academic",
        False,
        "",
    ),
    (
        "selection",
        "Send the signed learning agreement",
        "student",
        -60,
        "calendar",
        "academic",
        True,
        "",
    ),
    ("formalities", "Apply for the study visa", "student", -45, "calendar", "legal", True, ""),
    (
        "formalities",
        "Book a room in the dormitory",
        "housing",
        -20,
        "calendar",
        "housing",
        True,
        "",
    ),
    ("formalities", MIGRATION_STEP, "student", 7, "working", "legal", True, "RU"),
    (
        "formalities",
        "Apply for a Swedish personal number",
        "student",
        5,
        "working",
        "legal",
        True,
        "SE",
    ),
    ("onboarding", "Meet your buddy", "buddy", 3, "calendar", "social", False, ""),
    (
        "onboarding",
        "Mid-semester check-in",
        "international_office",
        50,
        "calendar",
        "social",
        True,
        "",
    ),
]


def step_fields(row: tuple) -> dict[str, Any]:
    phase, title, owner, offset, kind, category, required, country = row
    return {
        "phase": phase,
        "title": title,
        "owner_role": owner,
        "offset_days": offset,
        "offset_kind": kind,
        "category": category,
        "required": required,
        "country": country,
    }


def make_template(
    institution: Any,
    actor: Any,
    *,
    name: str = "Exchange students",
    target_group: str = TargetGroup.EXCHANGE,
    steps: list[tuple] | None = None,
) -> JourneyTemplate:
    template = template_services.template_create(
        actor=actor, institution=institution, name=name, target_group=target_group
    )
    for position, row in enumerate(TPU_STEPS if steps is None else steps, start=1):
        template_services.step_create(
            actor=actor, template=template, position=position, **step_fields(row)
        )
    return template


def make_newcomer(email: str, given: str = "Anna", family: str = "Berg") -> User:
    return User.objects.create_user(
        email=email, password=PASSWORD, first_name=given, last_name=family
    )


def start(world: Any, newcomer: Any, anchor: datetime.date, host: Any = None, **kw: Any):
    return services.journey_start(
        actor=world.tpu_officer,
        host=host or world.tpu,
        newcomer=newcomer,
        target_group=kw.pop("target_group", TargetGroup.EXCHANGE),
        anchor_date=anchor,
        source=kw.pop("source", JourneySource.STAFF),
        **kw,
    )


def state_of(journey: Any, title: str) -> JourneyStepState:
    with scopes_disabled():
        return JourneyStepState.objects.select_related("step", "journey__institution").get(
            journey=journey, step__title=title
        )


def step_named(template: JourneyTemplate, title: str) -> JourneyStep:
    with scopes_disabled():
        return JourneyStep.objects.get(template=template, title=title)


def png(name: str = "evidence.png", size: int = 100) -> SimpleUploadedFile:
    content = b"\x89PNG\r\n\x1a\n" + b"\0" * max(size - 8, 0)
    return SimpleUploadedFile(name, content, content_type="image/png")


def pdf(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n", content_type="application/pdf"
    )


def csv_file(text: str, name: str = "newcomers.csv") -> io.BytesIO:
    handle = io.BytesIO(text.encode("utf-8"))
    handle.name = name
    return handle
