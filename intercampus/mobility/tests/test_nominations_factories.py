"""Builders shared by the nomination, report and OMobilities tests (no tests here).

A linked KTH–TPU agreement (both directions, two mobilities a year each), a call at each
side with a place at the other, placed applications and a published allocation run. Built
with scopes disabled, as fixtures are; the code under test runs scoped.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.core.testing import user_with_role
from intercampus.mobility.choices import ApplicationState, RunStatus
from intercampus.mobility.models import AllocationRun, Application, Place, StudentProfile
from intercampus.mobility.tests import test_calls_factories as calls
from intercampus.mobility.tests.agreements_factories import linked_pair

YEAR = "2027/2028"
_numbers = itertools.count(1)


def agreements(world):
    """(TPU's copy, KTH's copy), linked, each with TPU→KTH and KTH→TPU student studies."""
    return linked_pair(world)


def condition_from(copy, sending: str):
    return copy.conditions.get(sending_hei_id=sending, mobility_type="student-studies")


def call_with_place(owner, copy, *, subject_area: str = "0714", **call_fields):
    """A call of ``owner`` (term 1 of 2027/2028) with one place under ``copy``'s condition
    where ``owner`` sends."""
    found = calls.call(owner, terms=[f"{YEAR}-1/2"], **call_fields)
    condition = condition_from(copy, owner.schac)
    place = calls.place(found, condition, subject_area=subject_area, seats=2)
    return found, place


def named_student(institution, given: str, family: str, *, profile: bool = True):
    """A student of ``institution`` with names and (by default) what EWP needs to know."""
    email = f"{given.lower()}.{family.lower()}{next(_numbers)}@{institution.schac}"
    user = user_with_role(email, institution, RoleKind.STUDENT)
    user.first_name, user.last_name = given, family
    user.save()
    if profile:
        StudentProfile.objects.create(
            user=user,
            birth_date=datetime.date(2004, 5, 17),
            nationality="SE",
            gender=2,
            esi_code=f"S{next(_numbers):06d}",
        )
    return user


def placed(call, place: Place, student, *, score: str = "80") -> Application:
    """A placed application of ``student`` to ``call``, placed at ``place`` by a published run."""
    with scopes_disabled():
        application = Application.objects.create(
            call=call,
            owner=call.owner,
            student=student,
            state=ApplicationState.PLACED,
            grade_average=Decimal(score),
            cycle=7,
            languages={"en": "C1"},
            score=Decimal(score),
            tiebreak=next(_numbers),
            submitted_at=timezone.now(),
        )
        AllocationRun.objects.create(
            call=call,
            owner=call.owner,
            algorithm_version="test",
            instance={},
            results={str(application.uuid): str(place.uuid)},
            status=RunStatus.PUBLISHED,
            published_at=timezone.now(),
            placed_count=1,
        )
    return application


def kth_placed(world, *, student=None, score: str = "80"):
    """KTH's call with a place at TPU and ``student`` (default: the world's) placed there."""
    _tpu_copy, kth_copy = agreements(world)
    call, place = call_with_place(world.kth, kth_copy)
    if student is None:
        student = world.student
        student.first_name, student.last_name = "Astrid", "Lindqvist"
        student.save()
        StudentProfile.objects.create(
            user=student,
            birth_date=datetime.date(2005, 3, 1),
            nationality="SE",
            gender=2,
            esi_code="19800101-1234",
            isced_f_code="0714",
        )
    return call, place, placed(call, place, student, score=score)


def officer(institution, email: str, kind: str = RoleKind.INTERNATIONAL_OFFICER):
    return user_with_role(email, institution, kind)
