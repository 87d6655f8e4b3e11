"""Builders shared by the call, application and student tests (no tests here).

They build with scopes disabled, as fixtures do; the code under test runs scoped.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.test import Client
from django_scopes import scope, scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.core.testing import user_with_role
from intercampus.institutions.models import Institution
from intercampus.mobility.choices import CallStatus, MobilityType
from intercampus.mobility.models import Agreement, Application, Call, CooperationCondition, Place
from intercampus.mobility.services import applications as app_services

TOMSK = zoneinfo.ZoneInfo("Asia/Tomsk")
YEAR = "2027/2028"
# A moment inside the windows the builders give by default.
NOW = datetime.datetime(2027, 2, 15, 12, 0, tzinfo=datetime.UTC)


def agreement(owner, partner, **condition) -> CooperationCondition:
    """An agreement of ``owner`` with ``partner`` and one condition where ``owner`` sends."""
    with scopes_disabled():
        copy = Agreement.objects.create(owner=owner, partner_hei_id=partner.schac, partner=partner)
        fields = {
            "mobility_type": MobilityType.STUDENT_STUDIES,
            "sending_hei_id": owner.schac,
            "receiving_hei_id": partner.schac,
            "first_academic_year": "2026/2027",
            "last_academic_year": "2028/2029",
            "mobilities_per_year": 3,
            "subject_areas": [],
            "eqf_levels": [7],
            "language_skills": [{"language": "en", "cefr_level": "B2", "isced_f_code": ""}],
            **condition,
        }
        return CooperationCondition.objects.create(agreement=copy, **fields)


def call(owner, **fields) -> Call:
    """A published call of ``owner`` open from 1 February to 28 February 2027, 23:59 in Tomsk."""
    values = {
        "title": "Exchange 2027/2028",
        "academic_year": YEAR,
        "opens_at": datetime.datetime(2027, 2, 1, 9, 0, tzinfo=TOMSK),
        "closes_at": datetime.datetime(2027, 2, 28, 23, 59, tzinfo=TOMSK),
        "status": CallStatus.PUBLISHED,
        "max_choices": 3,
        "lottery_seed": 123456789,
        **fields,
    }
    with scopes_disabled():
        return Call.objects.create(owner=owner, **values)


def place(call_, condition, **fields) -> Place:
    values = {
        "host_hei_id": condition.receiving_hei_id,
        "host": Institution.objects.filter(schac=condition.receiving_hei_id).first(),
        "seats": 2,
        "eqf_levels": [7],
        "language": "en",
        "min_cefr": "B2",
        **fields,
    }
    with scopes_disabled():
        return Place.objects.create(call=call_, condition=condition, **values)


def student(institution, email: str):
    return user_with_role(email, institution, RoleKind.STUDENT)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def draft(call_, user, *, places=(), **fields) -> Application:
    """A saved draft of ``user`` to ``call_`` (through the services, as a student would)."""
    application = app_services.application_start(actor=user, call=call_, now=NOW)
    values = {
        "grade_average": Decimal("80"),
        "cycle": 7,
        "languages": {"en": "C1"},
        "motivation": "I want to learn.",
        **fields,
    }
    return app_services.application_save_draft(
        actor=user, application=application, fields=values, places=list(places)
    )


def submitted(call_, user, *, places=(), **fields) -> Application:
    application = draft(call_, user, places=places, **fields)
    return app_services.application_submit(actor=user, application=application, now=NOW)


def in_scope(institution):
    return scope(institution=institution)
