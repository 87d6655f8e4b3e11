"""Reads of consortium data: what the public pages, the API and the staff pages show."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404
from django_scopes import scopes_disabled

from intercampus.institutions.choices import HeadcountCategory
from intercampus.institutions.models import Headcount, Institution
from intercampus.network.choices import MembershipKind
from intercampus.network.models import (
    Consortium,
    Membership,
    Project,
    WorkGroup,
    WorkGroupMember,
)


def current_memberships(consortium: Consortium) -> QuerySet[Membership]:
    """Open memberships (members and associate partners), with their institutions."""
    return (
        consortium.memberships.filter(until__isnull=True)
        .select_related("institution")
        .order_by("institution__name")
    )


@dataclass(frozen=True)
class Totals:
    """Consortium headcount totals for one year (the latest with figures)."""

    year: int | None
    professors: int = 0
    teachers: int = 0
    phd_students: int = 0
    students: int = 0

    def as_dict(self) -> dict[str, int]:
        return {c.value: getattr(self, c.value) for c in HeadcountCategory}


def consortium_totals(consortium: Consortium) -> Totals:
    """Sums of the latest year's headcounts of the current members and associate partners."""
    counts = Headcount.objects.filter(
        institution__memberships__consortium=consortium,
        institution__memberships__until__isnull=True,
    )
    year = counts.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        return Totals(year=None)
    sums = dict(
        counts.filter(year=year)
        .values("category")
        .annotate(total=Sum("count"))
        .values_list("category", "total")
    )
    return Totals(year=year, **{c.value: sums.get(c.value, 0) for c in HeadcountCategory})


def members_and_partners(consortium: Consortium) -> tuple[list[Membership], list[Membership]]:
    memberships = list(current_memberships(consortium))
    members = [m for m in memberships if m.kind == MembershipKind.MEMBER]
    partners = [m for m in memberships if m.kind == MembershipKind.ASSOCIATE_PARTNER]
    return members, partners


def work_groups_of(consortium: Consortium) -> QuerySet[WorkGroup]:
    return consortium.work_groups.filter(is_active=True).select_related("coordinator")


def get_consortium(slug: str) -> Consortium:
    consortium = Consortium.objects.select_related("secretariat").filter(slug=slug).first()
    if consortium is None:
        raise Http404
    return consortium


def get_work_group(consortium: Consortium, slug: str) -> WorkGroup:
    group = (
        consortium.work_groups.select_related("coordinator", "consortium").filter(slug=slug).first()
    )
    if group is None:
        raise Http404
    return group


def work_group_members(work_group: WorkGroup) -> list[WorkGroupMember]:
    """Members with their representatives' names, which the consortium publishes.

    Representatives are people of several institutions, so this public read crosses tenants
    on purpose; it only ever reaches people named as representatives of this group.
    """
    with scopes_disabled():
        return list(
            work_group.members.select_related("institution", "representative").order_by(
                "institution__name"
            )
        )


def projects_of(consortium: Consortium) -> QuerySet[Project]:
    return consortium.projects.prefetch_related(Prefetch("partners", queryset=_partners()))


def _partners():
    from intercampus.network.models import ProjectPartner

    return ProjectPartner.objects.select_related("institution")


def get_project(slug: str) -> Project:
    project = (
        Project.objects.select_related("consortium")
        .prefetch_related(Prefetch("partners", queryset=_partners()), "outputs")
        .filter(slug=slug)
        .first()
    )
    if project is None:
        raise Http404
    return project


def get_institution(schac: str) -> Institution:
    institution = Institution.objects.filter(schac=schac).first()
    if institution is None:
        raise Http404
    return institution


# --- Who may manage what (object-level rules, after the role check) ------------------------


def consortia_managed_by(institution: Institution) -> QuerySet[Consortium]:
    """Consortia whose secretariat this institution hosts."""
    return Consortium.objects.filter(secretariat=institution)


def get_managed_consortium(institution: Institution, slug: str) -> Consortium:
    """The consortium ``slug`` if ``institution`` hosts its secretariat, else 404."""
    consortium = consortia_managed_by(institution).filter(slug=slug).first()
    if consortium is None:
        raise Http404
    return consortium


def work_groups_run_by(institution: Institution, roles: frozenset[str]) -> QuerySet[WorkGroup]:
    """Groups the current staff member may run: coordinated by their institution, or every
    group of a consortium whose secretariat they are."""
    from django.db.models import Q

    from intercampus.accounts.choices import RoleKind

    condition = Q(pk__in=[])
    if RoleKind.WORKGROUP_COORDINATOR in roles:
        condition |= Q(coordinator=institution)
    if RoleKind.SECRETARIAT in roles:
        condition |= Q(consortium__secretariat=institution)
    return WorkGroup.objects.filter(condition).select_related("consortium", "coordinator")


def get_run_work_group(
    institution: Institution, roles: frozenset[str], consortium_slug: str, group_slug: str
) -> WorkGroup:
    group = (
        work_groups_run_by(institution, roles)
        .filter(consortium__slug=consortium_slug, slug=group_slug)
        .first()
    )
    if group is None:
        raise Http404
    return group
