"""Loading the demo consortium: deterministic, idempotent and quick.

Every row is found by its natural key (a SCHAC code, a slug, an institution and a name, ...)
and created only if it is missing; a row that exists is changed only where it differs from the
demo data. Loading twice therefore changes nothing, and reloading repairs an edited demo.

Consortium rows (memberships, work groups, appointments, members, access points, meetings,
decisions, actions, projects, partners, outputs) are created through their services, so the
demo passes the same rules as the pages and its audit log shows how the consortium was set up.
Once a row exists it is reconciled directly, without audit: demo data is seed data, and a
reload must not pile up audit entries. Institutions, units, headcounts, people and accounts
are created directly as seed data: everything else refers to them, and hundreds of audit
entries about them would bury the ones worth showing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO, TypeVar

from allauth.account.models import EmailAddress
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from intercampus.accounts.models import Role, User
from intercampus.core.start import start_page
from intercampus.events.demo import load_demo_events
from intercampus.institutions.models import Headcount, Institution, OrganisationalUnit, Person
from intercampus.lib.apportion import apportion
from intercampus.mobility.choices import NominationStatus
from intercampus.mobility.demo import TPU, load_demo_mobility
from intercampus.mobility.models import Nomination
from intercampus.network import services
from intercampus.network.choices import DecisionBody, MembershipKind
from intercampus.network.demo import consortium as data
from intercampus.network.demo import institutions as inst_data
from intercampus.network.demo.people import (
    REPRESENTATIVE_SLOT,
    SECRETARY_GENERAL,
    name_for,
    people_of,
)
from intercampus.network.demo.personas import (
    NOMINEE_DOES,
    OTHER_LOGINS,
    PERSONAS,
    Persona,
    demo_account,
    demo_password,
)
from intercampus.network.models import (
    AccessPoint,
    Action,
    Appointment,
    Consortium,
    Decision,
    Meeting,
    Membership,
    Programme,
    Project,
    ProjectOutput,
    ProjectPartner,
    WorkGroup,
    WorkGroupMember,
)
from intercampus.onboarding.demo import load_demo_onboarding

M = TypeVar("M", bound=models.Model)

# Services record who made a change; the demo loader is no user, so its entries have no actor.
SYSTEM = None


@dataclass(frozen=True)
class DemoLogin:
    """How to sign in as one demo persona."""

    email: str
    password: str
    does: str
    path: str


def load_demo(stdout: TextIO | None = None) -> list[DemoLogin]:
    """Load (or repair) the demo consortium and its accounts, then add the mobility, events
    and onboarding demo data that is missing; return the demo logins.

    ``stdout``: a stream to show progress on (a bar on a terminal, a line per step otherwise);
    ``None`` loads silently. Runs in one transaction: a failure leaves the database unchanged.
    """
    loader = _Loader()
    steps: list[tuple[Any, Callable[[], None]]] = [
        (_("Institutions"), loader.institutions),
        (_("Faculties and departments"), loader.units),
        (_("Headcounts"), loader.headcounts),
        (_("People"), loader.people),
        (_("Consortium and members"), loader.consortium),
        (_("Work groups, meetings and actions"), loader.work_groups),
        (_("Projects and programmes"), loader.projects),
        (_("Demo accounts"), loader.accounts),
        (_("Agreements, calls and an allocation"), load_demo_mobility),
        (_("Events"), load_demo_events),
        (_("Arrival journeys and buddies"), load_demo_onboarding),
        (_("Demo logins"), loader.list_logins),
    ]
    with scopes_disabled(), transaction.atomic(), _progress(stdout, len(steps)) as step:
        for label, run in steps:
            with step(label):
                run()
    return loader.logins


# --- Reconciling one row -------------------------------------------------------------------


def ensure(
    model: type[M],
    lookup: dict[str, Any],
    values: dict[str, Any] | None = None,
    *,
    create: Callable[..., M] | None = None,
) -> M:
    """The ``model`` row matching ``lookup``, created with ``values`` if missing (by calling
    ``create(**lookup, **values)`` when given), else updated where it differs from ``values``.

    Writes nothing when the row already holds these values.
    """
    values = values or {}
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        if create is not None:
            return create(**lookup, **values)
        obj = model(**lookup, **values)
        _validate(obj)
        obj.save()
        return obj
    changed = [name for name, value in values.items() if _differs(obj, name, value)]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        _validate(obj)
        auto_now = [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
        obj.save(update_fields=changed + auto_now)
    return obj


def _validate(obj: models.Model) -> None:
    """Field validators and ``clean()``, without the queries that checking foreign keys and
    unique keys costs: related rows are ones just loaded, and the database enforces unique
    keys anyway. Checking every row costs seconds on a demo of a few hundred rows."""
    relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    field = obj._meta.get_field(name)
    if field.is_relation:
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return field.get_prep_value(field.value_from_object(obj)) != field.get_prep_value(value)


# --- Progress ------------------------------------------------------------------------------


@contextmanager
def _progress(stdout: TextIO | None, total: int) -> Iterator[Callable[[Any], Any]]:
    """Yields ``step(label)``, a context manager around each step that reports it."""

    @contextmanager
    def silent(label: Any) -> Iterator[None]:
        yield

    if stdout is None:
        yield silent
        return
    console = Console(file=stdout, highlight=False)
    if not console.is_terminal:

        @contextmanager
        def line(label: Any) -> Iterator[None]:
            yield
            console.print(f"  {label}")

        yield line
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(str(_("Loading the demo")), total=total)

        @contextmanager
        def advance(label: Any) -> Iterator[None]:
            bar.update(task, description=str(label))
            yield
            bar.advance(task)

        yield advance
        bar.update(task, description=str(_("Demo loaded")))


# --- The demo, step by step ----------------------------------------------------------------


class _Loader:
    def __init__(self) -> None:
        self.institution: dict[str, Institution] = {}
        self.office: dict[str, OrganisationalUnit] = {}
        self.person: dict[tuple[str, str], Person] = {}
        self.cluster: Consortium | None = None
        self.logins: list[DemoLogin] = []

    def institutions(self) -> None:
        for d in inst_data.ALL:
            self.institution[d.schac] = ensure(
                Institution,
                {"schac": d.schac},
                {
                    "name": d.name,
                    "short_name": d.short_name,
                    "erasmus_code": d.erasmus_code,
                    "country": d.country,
                    "city": d.city,
                    "timezone": d.timezone,
                    "languages": list(d.languages),
                    "website": d.website,
                    "description": d.description,
                },
            )

    def units(self) -> None:
        for d in inst_data.ALL:
            institution = self.institution[d.schac]
            for unit in d.units:
                self._unit(institution, unit, parent=None)
            self.office[d.schac] = ensure(
                OrganisationalUnit,
                {"institution": institution, "name": inst_data.INTERNATIONAL_OFFICE},
                {"kind": inst_data.OFFICE, "code": "", "parent": None},
            )

    def _unit(
        self, institution: Institution, unit: inst_data.Unit, parent: OrganisationalUnit | None
    ) -> None:
        row = ensure(
            OrganisationalUnit,
            {"institution": institution, "name": unit.name},
            {"kind": unit.kind, "code": unit.code, "parent": parent},
        )
        for child in unit.children:
            self._unit(institution, child, parent=row)

    def headcounts(self) -> None:
        """Consortium totals split by institution size (largest remainder), three years."""
        ids = [self.institution[d.schac].pk for d in inst_data.ALL]
        weights = [d.size for d in inst_data.ALL]
        wanted: dict[tuple[int, int, str], int] = {}
        for year, factor in data.YEAR_FACTORS.items():
            for category, total in data.HEADCOUNT_TOTALS.items():
                shares = apportion(round(total * factor), weights)
                for pk, count in zip(ids, shares, strict=True):
                    wanted[(pk, year, category)] = count
        existing = {
            (h.institution_id, h.year, h.category): h
            for h in Headcount.objects.filter(
                institution_id__in=ids, year__in=list(data.YEAR_FACTORS)
            )
        }
        # Bulk writes: some two hundred rows, and no rule to check beyond the unique key.
        Headcount.objects.bulk_create(
            Headcount(institution_id=pk, year=year, category=category, count=count)
            for (pk, year, category), count in wanted.items()
            if (pk, year, category) not in existing
        )
        stale = []
        for key, row in existing.items():
            if key in wanted and row.count != wanted[key]:
                row.count = wanted[key]
                stale.append(row)
        Headcount.objects.bulk_update(stale, ["count"])

    def people(self) -> None:
        for d in inst_data.ALL:
            extra = (SECRETARY_GENERAL,) if d.schac == data.SECRETARIAT else ()
            for slot, generated in people_of(d, extra=extra).items():
                self.person[(d.schac, slot)] = ensure(
                    Person,
                    {"institution": self.institution[d.schac], "position": generated.position},
                    {
                        "given_name": generated.given_name,
                        "family_name": generated.family_name,
                        "email": generated.email,
                        "unit": self.office[d.schac],
                    },
                )

    def consortium(self) -> None:
        cluster = ensure(
            Consortium,
            {"slug": data.CONSORTIUM["slug"]},
            {
                **{k: v for k, v in data.CONSORTIUM.items() if k != "slug"},
                "secretariat": self.institution[data.SECRETARIAT],
            },
        )
        self.cluster = cluster
        memberships = [
            (d, MembershipKind.MEMBER, data.MEMBERS_SINCE) for d in inst_data.MEMBERS
        ] + [
            (d, MembershipKind.ASSOCIATE_PARTNER, data.ASSOCIATES_SINCE)
            for d in inst_data.ASSOCIATE_PARTNERS
        ]
        for d, kind, since in memberships:
            ensure(
                Membership,
                {"consortium": cluster, "institution": self.institution[d.schac], "until": None},
                {"kind": kind, "since": since},
                create=lambda until, **f: services.membership_add(actor=SYSTEM, **f),
            )
        for programme in data.PROGRAMMES:
            ensure(
                Programme,
                {"consortium": cluster, "slug": programme["slug"]},
                {k: v for k, v in programme.items() if k != "slug"},
            )

    def work_groups(self) -> None:
        for d in data.WORK_GROUPS:
            group = ensure(
                WorkGroup,
                {"consortium": self.cluster, "slug": d.slug},
                {
                    "name": d.name,
                    "kind": d.kind,
                    "purpose": d.purpose,
                    "aims": list(d.aims),
                    "is_active": True,
                },
                create=lambda **f: services.work_group_create(actor=SYSTEM, **f),
            )
            self._appointment(group, d)
            self._members(group, d)
            for meeting in d.meetings:
                self._meeting(group, meeting)

    def _appointment(self, group: WorkGroup, d: data.WorkGroupData) -> None:
        coordinator = self.institution[d.coordinator]
        appointment = Appointment.objects.filter(
            work_group=group, institution=coordinator, term_start=d.appointed_on
        ).first()
        if appointment is None:
            services.work_group_appoint(
                actor=SYSTEM,
                work_group=group,
                institution=coordinator,
                decided_on=d.appointed_on,
                decision_text=d.decision_text,
                reference=d.decision_reference,
            )
            return
        ensure(
            Decision,
            {"pk": appointment.decision_id},
            {
                "body": DecisionBody.GENERAL_ASSEMBLY,
                "decided_on": d.appointed_on,
                "reference": d.decision_reference,
                "text": d.decision_text,
            },
        )
        ensure(WorkGroup, {"pk": group.pk}, {"coordinator": coordinator})

    def _members(self, group: WorkGroup, d: data.WorkGroupData) -> None:
        for schac in d.members:
            ensure(
                WorkGroupMember,
                {"work_group": group, "institution": self.institution[schac]},
                {
                    "representative": self.person[(schac, REPRESENTATIVE_SLOT[d.slug])],
                    "since": d.appointed_on,
                },
                create=lambda **f: services.work_group_member_add(actor=SYSTEM, **f),
            )
        countries = set(d.access_points)
        for schac in d.members:
            institution = self.institution[schac]
            if institution.country.code not in countries:
                continue
            ensure(
                AccessPoint,
                {"consortium": self.cluster, "country": institution.country.code},
                {"institution": institution, "work_group": group, "since": d.appointed_on},
                # The service takes the country from the institution.
                create=lambda country, **f: services.access_point_set(actor=SYSTEM, **f),
            )

    def _meeting(self, group: WorkGroup, d: data.MeetingData) -> None:
        meeting = ensure(
            Meeting,
            {"work_group": group, "title": d.title},
            {"date": d.date, "location": d.location, "summary": d.summary},
            create=lambda **f: services.meeting_create(actor=SYSTEM, **f),
        )
        for reference, text in d.decisions:
            ensure(
                Decision,
                {"consortium": self.cluster, "reference": reference},
                {
                    "body": DecisionBody.WORK_GROUP,
                    "work_group": group,
                    "meeting": meeting,
                    "decided_on": d.date,
                    "text": text,
                },
                create=lambda reference, text, meeting, decided_on, **rest: (
                    services.decision_record(
                        actor=SYSTEM,
                        meeting=meeting,
                        text=text,
                        reference=reference,
                        decided_on=decided_on,
                    )
                ),
            )
        for action in d.actions:
            ensure(
                Action,
                {"work_group": group, "title": action.title},
                {
                    "meeting": meeting,
                    "owner": self.institution[action.owner],
                    "due": action.due,
                    "status": action.status,
                },
                create=lambda **f: services.action_create(actor=SYSTEM, **f),
            )

    def projects(self) -> None:
        for d in data.PROJECTS:
            project = ensure(
                Project,
                {"slug": d.slug},
                {
                    "consortium": self.cluster,
                    "acronym": d.acronym,
                    "name": d.name,
                    "programme": d.programme,
                    "start": d.start,
                    "end": d.end,
                    "description": d.description,
                    "website": d.website,
                },
                create=lambda **f: services.project_create(actor=SYSTEM, **f),
            )

            def add_partner(**fields: Any) -> ProjectPartner:
                return services.project_partner_add(actor=SYSTEM, **fields)

            for schac, role in d.partners:
                ensure(
                    ProjectPartner,
                    {"project": project, "institution": self.institution[schac]},
                    {"role": role},
                    create=add_partner,
                )
            for name, country, role in d.outside_partners:
                ensure(
                    ProjectPartner,
                    {"project": project, "outside_name": name},
                    {"outside_country": country, "role": role},
                    create=add_partner,
                )
            for output in d.outputs:
                ensure(
                    ProjectOutput,
                    {"project": project, "title": output.title},
                    {"due": output.due, "status": output.status, "description": output.description},
                    create=lambda **f: services.project_output_add(actor=SYSTEM, **f),
                )

    def accounts(self) -> None:
        for persona in PERSONAS:
            first, last = self._persona_name(persona)
            user = ensure(
                User,
                {"pk": demo_account(persona.email, first_name=first, last_name=last).pk},
                {
                    "first_name": first,
                    "last_name": last,
                    "is_staff": persona.superuser,
                    "is_superuser": persona.superuser,
                    "is_active": True,
                },
            )
            ensure(
                EmailAddress,
                {"user": user, "email": user.email},
                {"verified": True, "primary": True},
            )
            if persona.role:
                ensure(
                    Role,
                    {
                        "user": user,
                        "institution": self.institution[persona.institution],
                        "kind": persona.role,
                    },
                )
            if persona.person is not None:
                ensure(Person, {"pk": self.person[persona.person].pk}, {"user": user})

    def list_logins(self) -> None:
        """Every persona's login and start page, once the whole demo is there (a start page
        depends on the roles and groups the later steps add)."""
        wanted = [(p.email, p.does) for p in PERSONAS] + [(o.email, o.does) for o in OTHER_LOGINS]
        nominee = (
            Nomination.objects.filter(host__schac=TPU, status=NominationStatus.ACCEPTED)
            .select_related("application__student")
            .order_by("pk")
            .first()
        )
        if nominee is not None:
            wanted.append((nominee.application.student.email, NOMINEE_DOES))
        users = {u.email: u for u in User.objects.filter(email__in=[e for e, _d in wanted])}
        for email, does in wanted:
            user = users.get(email)
            if user is None:
                raise LookupError(f"The demo has no account {email} to list.")
            self.logins.append(
                DemoLogin(
                    email=email, password=demo_password(), does=str(does), path=start_page(user)
                )
            )

    def _persona_name(self, persona: Persona) -> tuple[str, str]:
        if persona.person is not None:
            person = self.person[persona.person]
            return person.given_name, person.family_name
        if persona.superuser:
            return "", ""
        locale = next(d.locale for d in inst_data.ALL if d.schac == persona.institution)
        return name_for(locale, persona.email)
