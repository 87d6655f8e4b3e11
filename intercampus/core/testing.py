"""Named personas and a small consortium for tests (see conftest.py).

Built with scopes disabled, as fixtures are; the code under test runs scoped.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import Role, User
from intercampus.institutions.models import Headcount, Institution, OrganisationalUnit, Person
from intercampus.network.models import (
    Consortium,
    Decision,
    Membership,
    Project,
    ProjectPartner,
    WorkGroup,
    WorkGroupMember,
)

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    """A small consortium: 3 members, 2 associate partners, one work group, one project."""

    consortium: Consortium
    kth: Institution
    leuven: Institution
    polito: Institution
    tpu: Institution
    usp: Institution
    apwg: WorkGroup
    project: Project
    secretariat: User  # secretariat role at KU Leuven, which hosts the secretariat
    tpu_coordinator: User  # coordinates the Associate Partners Work Group
    tpu_officer: User  # international relations officer at TPU
    kth_officer: User  # international relations officer at KTH
    student: User  # a KTH student
    tpu_person: Person  # TPU's representative in the work group


def verified_user(email: str, password: str = PASSWORD) -> User:
    """A user who confirmed their e-mail address, as every persona has."""
    user = User.objects.create_user(email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def user_with_role(email: str, institution: Institution, *kinds: str) -> User:
    user = verified_user(email)
    for kind in kinds:
        Role.objects.create(user=user, institution=institution, kind=kind)
    return user


def build_world() -> World:
    with scopes_disabled():
        kth = Institution.objects.create(
            schac="kth.se",
            name="KTH Royal Institute of Technology",
            short_name="KTH",
            country="SE",
            city="Stockholm",
            timezone="Europe/Stockholm",
            languages=["sv", "en"],
            erasmus_code="S  STOCKHO04",
        )
        leuven = Institution.objects.create(
            schac="kuleuven.be",
            name="KU Leuven",
            country="BE",
            city="Leuven",
            timezone="Europe/Brussels",
            languages=["nl", "en"],
        )
        polito = Institution.objects.create(
            schac="polito.it",
            name="Politecnico di Torino",
            country="IT",
            city="Turin",
            timezone="Europe/Rome",
            languages=["it", "en"],
        )
        tpu = Institution.objects.create(
            schac="tpu.ru",
            name="Tomsk Polytechnic University",
            short_name="TPU",
            country="RU",
            city="Tomsk",
            timezone="Asia/Tomsk",
            languages=["ru", "en"],
        )
        usp = Institution.objects.create(
            schac="usp.br",
            name="University of São Paulo",
            short_name="USP",
            country="BR",
            city="São Paulo",
            timezone="America/Sao_Paulo",
            languages=["pt-BR"],
        )
        consortium = Consortium.objects.create(
            slug="cluster", name="CLUSTER", acronym="CLUSTER", secretariat=leuven
        )
        since = datetime.date(1990, 1, 1)
        for inst in (kth, leuven, polito):
            Membership.objects.create(
                consortium=consortium, institution=inst, kind="member", since=since
            )
        for inst in (tpu, usp):
            Membership.objects.create(
                consortium=consortium,
                institution=inst,
                kind="associate",
                since=datetime.date(2005, 1, 1),
            )
        for inst, n in ((kth, 10), (leuven, 20), (polito, 30), (tpu, 40), (usp, 50)):
            for category in ("professors", "teachers", "phd_students", "students"):
                Headcount.objects.create(institution=inst, year=2025, category=category, count=n)
        OrganisationalUnit.objects.create(
            institution=kth, name="School of Engineering Sciences", kind="faculty"
        )
        apwg = WorkGroup.objects.create(
            consortium=consortium,
            slug="associate-partners",
            name="Associate Partners Work Group",
            purpose="Strengthen cooperation.",
            coordinator=tpu,
        )
        Decision.objects.create(
            consortium=consortium,
            body="general_assembly",
            decided_on=datetime.date(2020, 4, 2),
            text="TPU coordinates the Associate Partners Work Group.",
        )
        tpu_person = Person.objects.create(
            institution=tpu, given_name="Irina", family_name="Smirnova", email="i.s@tpu.ru"
        )
        WorkGroupMember.objects.create(work_group=apwg, institution=tpu, representative=tpu_person)
        WorkGroupMember.objects.create(work_group=apwg, institution=usp)
        project = Project.objects.create(
            consortium=consortium,
            slug="incomm",
            acronym="InComm",
            name="Feel at Home",
            programme="Erasmus+ strategic partnership",
            start=datetime.date(2019, 10, 1),
            end=datetime.date(2022, 8, 31),
        )
        ProjectPartner.objects.create(project=project, institution=kth, role="coordinator")
        ProjectPartner.objects.create(project=project, outside_name="TU Graz", outside_country="AT")
        return World(
            consortium=consortium,
            kth=kth,
            leuven=leuven,
            polito=polito,
            tpu=tpu,
            usp=usp,
            apwg=apwg,
            project=project,
            secretariat=user_with_role("secretariat@kuleuven.be", leuven, RoleKind.SECRETARIAT),
            tpu_coordinator=user_with_role(
                "coordinator@tpu.ru", tpu, RoleKind.WORKGROUP_COORDINATOR
            ),
            tpu_officer=user_with_role("iro@tpu.ru", tpu, RoleKind.INTERNATIONAL_OFFICER),
            kth_officer=user_with_role("iro@kth.se", kth, RoleKind.INTERNATIONAL_OFFICER),
            student=user_with_role("student@kth.se", kth, RoleKind.STUDENT),
            tpu_person=tpu_person,
        )
