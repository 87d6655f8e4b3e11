"""Reads of consortium data: what the public pages, the API and the staff pages show."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import ngettext
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
class YearUsed:
    """How many institutions' totals come from one year."""

    year: int
    institutions: int


@dataclass(frozen=True)
class Totals:
    """Consortium headcount totals: each institution counted with its latest reported year.

    Institutions report when they can, so one year rarely has everyone's figures; summing one
    year only would drop everyone who has not reported it yet. ``years`` says which years the
    sums draw on (newest first), so a page or a client can say so.
    """

    years: tuple[YearUsed, ...] = ()
    professors: int = 0
    teachers: int = 0
    phd_students: int = 0
    students: int = 0

    @property
    def year(self) -> int | None:
        """The newest year in the sums, or None when nobody has reported."""
        return self.years[0].year if self.years else None

    @property
    def one_year(self) -> bool:
        """Whether every institution counted reported the same latest year."""
        return len(self.years) == 1

    def as_dict(self) -> dict[str, int]:
        return {c.value: getattr(self, c.value) for c in HeadcountCategory}

    def years_text(self) -> str:
        """The years used, as a phrase: "2025 for 15 institutions, 2024 for 1"."""
        parts = [
            ngettext(
                "{year} for {n} institution", "{year} for {n} institutions", used.institutions
            ).format(year=used.year, n=used.institutions)
            for used in self.years
        ]
        return ", ".join(parts)


def consortium_totals(consortium: Consortium) -> Totals:
    """Sums of the headcounts of the current members and associate partners, each institution
    with the latest year it reported (see ``Totals``)."""
    institutions = current_memberships(consortium).values("institution_id")
    latest_year = (
        Headcount.objects.filter(institution_id=OuterRef("institution_id"))
        .order_by("-year")
        .values("year")[:1]
    )
    rows = Headcount.objects.filter(
        institution_id__in=institutions, year=Subquery(latest_year)
    ).values_list("institution_id", "year", "category", "count")
    sums: Counter[str] = Counter()
    year_of: dict[int, int] = {}
    for institution_id, year, category, count in rows:
        sums[category] += count
        year_of[institution_id] = year
    per_year = sorted(Counter(year_of.values()).items(), reverse=True)
    years = tuple(YearUsed(year=y, institutions=n) for y, n in per_year)
    return Totals(years=years, **{c.value: sums[c.value] for c in HeadcountCategory})


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


# --- Public pages (no login): the consortium, institutions, work groups, projects --------------
# Imports are local so that this block stays an append-only addition to the module.


def default_consortium() -> Consortium | None:
    """The consortium the home page shows: INTERCAMPUS_DEFAULT_CONSORTIUM, else the first one."""
    from django.conf import settings

    consortia = Consortium.objects.select_related("secretariat").order_by("name")
    slug = getattr(settings, "INTERCAMPUS_DEFAULT_CONSORTIUM", "")
    chosen = consortia.filter(slug=slug).first() if slug else None
    return chosen or consortia.first()


def other_consortia(consortium: Consortium) -> QuerySet[Consortium]:
    """Every other consortium on the platform, for a link list on a consortium page."""
    return Consortium.objects.exclude(pk=consortium.pk).order_by("name")


def programmes_of(consortium: Consortium):
    """The consortium's standing programmes, by name."""
    return consortium.programmes.order_by("name")


def institution_directory(*, query: str = "", country: str = "") -> QuerySet[Institution]:
    """Every institution on the platform, filtered by a search text (name, short name, city,
    SCHAC code) and a country code; each carries ``open_memberships`` with its consortium."""
    from django.db.models import Q

    open_memberships = (
        Membership.objects.filter(until__isnull=True)
        .select_related("consortium")
        .order_by("consortium__name")
    )
    institutions = (
        Institution.objects.filter(on_platform=True)
        .prefetch_related(
            Prefetch("memberships", queryset=open_memberships, to_attr="open_memberships")
        )
        .order_by("name")
    )
    query = query.strip()
    if query:
        institutions = institutions.filter(
            Q(name__icontains=query)
            | Q(short_name__icontains=query)
            | Q(city__icontains=query)
            | Q(schac__icontains=query)
        )
    if country:
        institutions = institutions.filter(country=country.upper())
    return institutions


def institution_countries() -> list:
    """The countries that have at least one institution, sorted by their (translated) name."""
    from django_countries.fields import Country

    codes = (
        Institution.objects.filter(on_platform=True)
        .exclude(country="")
        .order_by()
        .values_list("country", flat=True)
        .distinct()
    )
    return sorted((Country(code=code) for code in codes), key=lambda c: str(c.name).casefold())


@dataclass(frozen=True)
class HeadcountYear:
    """One year's headcounts of one institution, in the category order of HeadcountCategory."""

    year: int
    counts: tuple[int | None, ...]


@dataclass(frozen=True)
class GroupRole:
    """An institution's place in a work group: it coordinates it, sits in it, or both."""

    group: WorkGroup
    coordinates: bool
    member: bool


@dataclass(frozen=True)
class InstitutionProfile:
    """What the public page of an institution shows; no personal data."""

    institution: Institution
    memberships: list
    units: list  # top-level units, each with ``subunits`` (a list, recursively)
    headcounts: list[HeadcountYear]  # newest year first
    work_groups: list[GroupRole]
    project_partnerships: list
    access_points: list


def _unit_tree(units: list) -> list:
    by_parent: dict[int | None, list] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_id, []).append(unit)
    for unit in units:
        unit.subunits = by_parent.get(unit.pk, [])
    return by_parent.get(None, [])


def _headcount_years(institution: Institution) -> list[HeadcountYear]:
    table: dict[int, dict[str, int]] = {}
    for year, category, count in institution.headcounts.values_list("year", "category", "count"):
        table.setdefault(year, {})[category] = count
    return [
        HeadcountYear(year=year, counts=tuple(table[year].get(c.value) for c in HeadcountCategory))
        for year in sorted(table, reverse=True)
    ]


def _group_roles(institution: Institution) -> list[GroupRole]:
    coordinated = {
        g.pk: g
        for g in institution.coordinated_work_groups.filter(is_active=True).select_related(
            "consortium"
        )
    }
    seats = {
        s.work_group_id: s.work_group
        for s in institution.work_group_seats.filter(work_group__is_active=True).select_related(
            "work_group__consortium"
        )
    }
    groups = {**seats, **coordinated}
    roles = [
        GroupRole(group=g, coordinates=pk in coordinated, member=pk in seats)
        for pk, g in groups.items()
    ]
    return sorted(roles, key=lambda r: (r.group.consortium.name, r.group.name))


def institution_profile(schac: str) -> InstitutionProfile:
    """The public profile of the institution ``schac``; 404 if there is none."""
    institution = get_institution(schac)
    return InstitutionProfile(
        institution=institution,
        memberships=list(
            institution.memberships.select_related("consortium").order_by(
                "consortium__name", "-since"
            )
        ),
        units=_unit_tree(list(institution.units.order_by("name"))),
        headcounts=_headcount_years(institution),
        work_groups=_group_roles(institution),
        project_partnerships=list(
            institution.project_partnerships.select_related("project").order_by("-project__start")
        ),
        access_points=list(
            institution.access_points.select_related("consortium", "work_group").order_by(
                "consortium__name", "country"
            )
        ),
    )


def latest_appointment(work_group: WorkGroup):
    """The newest appointment of a coordinator for the group, with its decision, or None."""
    return (
        work_group.appointments.select_related("institution", "decision")
        .order_by("-term_start", "-id")
        .first()
    )


def access_points_for(work_group: WorkGroup):
    """Access points named for this group, or for its whole consortium."""
    from django.db.models import Q

    return (
        work_group.consortium.access_points.filter(
            Q(work_group=work_group) | Q(work_group__isnull=True)
        )
        .select_related("institution")
        .order_by("country")
    )


def meetings_of(work_group: WorkGroup):
    """The group's meetings, newest first, each with its decisions prefetched."""
    from intercampus.network.models import Decision

    decisions = Decision.objects.order_by("decided_on", "id")
    return work_group.meetings.prefetch_related(Prefetch("decisions", queryset=decisions))


def decisions_without_meeting(work_group: WorkGroup):
    """Decisions about the group that were not taken at one of its meetings."""
    return work_group.decisions.filter(meeting__isnull=True).order_by("-decided_on", "-id")


def actions_of(work_group: WorkGroup, *, today) -> list:
    """The group's actions by due date; each has ``is_late`` (past due and not finished)."""
    from intercampus.network.choices import ActionStatus

    unfinished = {ActionStatus.OPEN, ActionStatus.IN_PROGRESS}
    actions = list(work_group.actions.select_related("owner").order_by("due", "id"))
    for action in actions:
        action.is_late = bool(action.due and action.due < today and action.status in unfinished)
    return actions


# --- Staff pages: the secretariat and the coordinators ---------------------------------------
# Every lookup below starts from an object the view already fetched through
# get_managed_consortium() or get_run_work_group(), so it cannot reach another consortium's data.


def _first_or_404(queryset):
    found = queryset.first()
    if found is None:
        raise Http404
    return found


def ended_memberships(consortium: Consortium) -> QuerySet[Membership]:
    """Memberships that have ended, most recently ended first."""
    return (
        consortium.memberships.filter(until__isnull=False)
        .select_related("institution")
        .order_by("-until", "institution__name")
    )


def get_membership(consortium: Consortium, membership_uuid) -> Membership:
    return _first_or_404(
        consortium.memberships.select_related("institution").filter(uuid=membership_uuid)
    )


def current_member_institutions(consortium: Consortium) -> QuerySet[Institution]:
    """Institutions that are members or associate partners now."""
    return Institution.objects.filter(
        memberships__consortium=consortium, memberships__until__isnull=True
    ).order_by("name")


def institutions_outside(consortium: Consortium) -> QuerySet[Institution]:
    """Institutions on the platform that are not members or associate partners now."""
    return (
        Institution.objects.filter(on_platform=True)
        .exclude(pk__in=current_member_institutions(consortium).values("pk"))
        .order_by("name")
    )


def consortium_work_groups(consortium: Consortium) -> QuerySet[WorkGroup]:
    """Every group of the consortium, inactive ones too, with member counts."""
    from django.db.models import Count

    return (
        consortium.work_groups.select_related("coordinator")
        .annotate(member_count=Count("members"))
        .order_by("-is_active", "name")
    )


def appointments_of(work_group: WorkGroup):
    """The group's appointment history, newest term first, with the appointing decisions."""
    return work_group.appointments.select_related("institution", "decision").order_by(
        "-term_start", "-id"
    )


def get_group_member(work_group: WorkGroup, member_uuid) -> WorkGroupMember:
    return _first_or_404(work_group.members.select_related("institution").filter(uuid=member_uuid))


def group_institutions(work_group: WorkGroup) -> QuerySet[Institution]:
    """Institutions seated in the group, and its coordinator: who can own its actions."""
    from django.db.models import Q

    condition = Q(work_group_seats__work_group=work_group)
    if work_group.coordinator_id:
        condition |= Q(pk=work_group.coordinator_id)
    return Institution.objects.filter(condition).distinct().order_by("name")


def institutions_to_seat(work_group: WorkGroup) -> QuerySet[Institution]:
    """Current members and associate partners of the consortium not yet in the group."""
    return current_member_institutions(work_group.consortium).exclude(
        pk__in=work_group.members.values("institution_id")
    )


def people_at(institutions) -> list:
    """The people recorded at ``institutions``, to pick a representative from.

    Person is tenant data; the secretariat picks representatives at other institutions, so
    this read leaves the request's scope on purpose and filters by institution itself.
    """
    from django_scopes import scopes_disabled

    from intercampus.institutions.models import Person

    with scopes_disabled():
        return list(
            Person.objects.filter(institution__in=list(institutions))
            .select_related("institution")
            .order_by("institution__name", "family_name", "given_name")
        )


def get_consortium_project(consortium: Consortium, slug: str) -> Project:
    return _first_or_404(
        consortium.projects.prefetch_related(
            Prefetch("partners", queryset=_partners()), "outputs"
        ).filter(slug=slug)
    )


def get_project_partner(project: Project, partner_uuid):
    return _first_or_404(project.partners.select_related("institution").filter(uuid=partner_uuid))


def get_project_output(project: Project, output_uuid):
    return _first_or_404(project.outputs.filter(uuid=output_uuid))


def get_meeting(work_group: WorkGroup, meeting_uuid):
    return _first_or_404(work_group.meetings.filter(uuid=meeting_uuid))


def get_meeting_decision(meeting, decision_uuid):
    return _first_or_404(meeting.decisions.filter(uuid=decision_uuid))


def get_action(work_group: WorkGroup, action_uuid):
    return _first_or_404(
        work_group.actions.select_related("owner", "meeting").filter(uuid=action_uuid)
    )


def meeting_actions(meeting) -> list:
    """The actions agreed at ``meeting``, by due date, each with ``is_late``."""
    import datetime

    from intercampus.network.choices import ActionStatus

    today = datetime.date.today()
    unfinished = {ActionStatus.OPEN, ActionStatus.IN_PROGRESS}
    actions = list(meeting.actions.select_related("owner").order_by("due", "id"))
    for action in actions:
        action.is_late = bool(action.due and action.due < today and action.status in unfinished)
    return actions


# --- The JSON API (/api/v1/) -------------------------------------------------------------------


def consortium_list() -> QuerySet[Consortium]:
    """Every consortium on the platform, by name."""
    return Consortium.objects.order_by("name", "pk")


def memberships_of(consortium: Consortium, *, current: bool | None = None) -> QuerySet[Membership]:
    """The consortium's memberships, ended ones too unless ``current`` says otherwise."""
    memberships = consortium.memberships.select_related("institution")
    if current is not None:
        memberships = memberships.filter(until__isnull=current)
    return memberships.order_by("institution__name", "-since", "pk")


def project_directory(*, consortium_slug: str = "") -> QuerySet[Project]:
    """Every project, newest first, optionally only those of one consortium."""
    projects = Project.objects.select_related("consortium")
    if consortium_slug:
        projects = projects.filter(consortium__slug=consortium_slug)
    return projects.order_by("-start", "slug")


def get_managed_project(institution: Institution, slug: str) -> Project:
    """The project ``slug`` if ``institution`` hosts its consortium's secretariat, else 404."""
    project = (
        Project.objects.select_related("consortium")
        .prefetch_related(Prefetch("partners", queryset=_partners()), "outputs")
        .filter(slug=slug, consortium__secretariat=institution)
        .first()
    )
    if project is None:
        raise Http404
    return project


def get_representative(institution: Institution, person_uuid):
    """A person of ``institution`` who can represent it in a work group, or None.

    Person is tenant data; the secretariat names representatives of other institutions, so
    this read leaves the request's scope on purpose and filters by the institution itself.
    """
    from intercampus.institutions.models import Person

    with scopes_disabled():
        return Person.objects.filter(institution=institution, uuid=person_uuid).first()


def get_seat(work_group: WorkGroup, schac: str) -> WorkGroupMember:
    """The group's seat of the institution ``schac``, or 404."""
    seat = work_group.members.select_related("institution").filter(institution__schac=schac).first()
    if seat is None:
        raise Http404
    return seat
