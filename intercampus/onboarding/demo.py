"""Demo onboarding: arrival journey templates at TPU, KTH and Politecnico di Torino, TPU's
incoming newcomers at different stages of their journeys, the TPU Buddy Club with its
buddies, newcomers, matches and check-ins, and KTH's buddy programme, open for sign-ups.

For the demo loader (``intercampus demo``) to call after the institutions, the accounts, the
mobility demo (TPU accepts a KTH student's nomination there) and the events demo exist.
Everything is written through the onboarding services, as the international officers
(``iro@tpu.demo``, ``iro@kth.demo``), the newcomers and the buddies would, so the demo passes
the same rules as the pages and the journeys are the real thing (the nominated student's
journey starts as mobility starts it when a host accepts).

Idempotent by natural keys, never by dates (the day the demo is loaded changes): a template
is found by (host, name), a journey by (host, newcomer, reference), a programme by (host,
name), a buddy's or newcomer's profile by (programme, user). What exists is left as it is,
so that what a demo user did (marking steps done, declining a match...) survives a reload;
what follows a creation (steps of a template, progress on a journey, matching, accepting,
check-ins) runs only for what this load created. Dates are relative to the day a row is
created, and only then: a newcomer "arrived ten days ago" on the first load.

Seed history: after a newcomer's progress is written through the services, the journey's
start and the times steps were done are moved back to plausible days (a journey starts
about a hundred days before arrival; a step is done a few days before it is due), so that
the cohort's "done on time" figures mean something. These are direct writes, without audit,
as the demo loader does for seed data.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import Role, User
from intercampus.institutions.models import Institution, OrganisationalUnit
from intercampus.mobility.choices import NominationStatus
from intercampus.mobility.models import Nomination
from intercampus.mobility.services.nominations import anchor_date_for
from intercampus.network.demo.people import name_for
from intercampus.network.demo.personas import demo_account
from intercampus.onboarding import workdays
from intercampus.onboarding.choices import (
    OffsetKind,
    Phase,
    StepCategory,
    StepOwner,
    StepStatus,
    TargetGroup,
)
from intercampus.onboarding.clock import host_today
from intercampus.onboarding.models import (
    BuddyMatch,
    BuddyProfile,
    BuddyProgramme,
    Journey,
    JourneyStepState,
    JourneyTemplate,
    NewcomerProfile,
)
from intercampus.onboarding.models.buddies import CheckInKind, MatchStatus
from intercampus.onboarding.services import buddies as buddy_services
from intercampus.onboarding.services import journeys as journey_services
from intercampus.onboarding.services import newcomers as newcomer_services
from intercampus.onboarding.services import templates as template_services

TPU, KTH, POLITO = "tpu.ru", "kth.se", "polito.it"
OFFICERS = {TPU: "iro@tpu.demo", KTH: "iro@kth.demo"}

MIGRATION_STEP = "Registration with the migration authority"
INVITATION_DOCUMENTS = "Send your passport scan for the visa invitation letter"
MEDICAL_EXAMINATION = "Medical examination and fingerprinting"


# --- Templates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    phase: str
    title: str
    owner: str
    offset: int
    category: str
    required: bool = True
    kind: str = OffsetKind.CALENDAR
    country: str = ""
    description: str = ""
    links: tuple[tuple[str, str], ...] = ()

    def fields(self, position: int) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "title": self.title,
            "owner_role": self.owner,
            "offset_days": self.offset,
            "offset_kind": self.kind,
            "category": self.category,
            "required": self.required,
            "country": self.country,
            "description": self.description,
            "links": [{"title": t, "url": u} for t, u in self.links],
            "position": position,
        }


@dataclass(frozen=True)
class Template:
    host: str
    name: str
    target_group: str
    description: str
    steps: tuple[Step, ...]


TPU_LINK = ("Tomsk Polytechnic University", "https://tpu.ru")

# What every newcomer to TPU goes through once the admission is settled.
_TPU_FORMALITIES = (
    Step(
        Phase.FORMALITIES,
        INVITATION_DOCUMENTS,
        StepOwner.STUDENT,
        -75,
        StepCategory.LEGAL,
        description=(
            "Russia issues a study visa only on an invitation letter, which the migration "
            "authority takes about 30 working days to issue. Upload a scan of your passport's "
            "photo page (valid for at least 18 months) so that TPU can apply for it."
        ),
    ),
    Step(
        Phase.FORMALITIES,
        "TPU sends your visa invitation letter",
        StepOwner.INTERNATIONAL_OFFICE,
        -40,
        StepCategory.LEGAL,
        description="The international office e-mails the letter and posts the original.",
    ),
    Step(
        Phase.FORMALITIES,
        "Apply for the study visa at a Russian consulate",
        StepOwner.STUDENT,
        -30,
        StepCategory.LEGAL,
        description="Bring the invitation letter, your passport, a photo and an HIV test.",
    ),
    Step(
        Phase.FORMALITIES,
        "Book a room in the dormitory",
        StepOwner.HOUSING,
        -21,
        StepCategory.HOUSING,
        description="Rooms for two or three in the student town near the main campus.",
    ),
    Step(
        Phase.FORMALITIES,
        "Tell us your arrival date and flight",
        StepOwner.STUDENT,
        -10,
        StepCategory.HOUSING,
        description="A buddy meets you at Tomsk airport or the railway station.",
    ),
    Step(
        Phase.FORMALITIES,
        MIGRATION_STEP,
        StepOwner.STUDENT,
        7,
        StepCategory.LEGAL,
        kind=OffsetKind.WORKING,
        country="RU",
        description=(
            "Russian law: every foreign citizen is registered with the migration authority "
            "within seven working days of arrival. Bring your passport and migration card to "
            "the international office on your first working day; it registers you."
        ),
    ),
    Step(
        Phase.FORMALITIES,
        MEDICAL_EXAMINATION,
        StepOwner.STUDENT,
        30,
        StepCategory.HEALTH,
        country="RU",
        description=(
            "For a stay of more than 90 days: a medical examination and fingerprinting at the "
            "migration centre within 30 days of arrival. The international office books it."
        ),
    ),
)
_TPU_ONBOARDING = (
    Step(
        Phase.ONBOARDING, "Meet your buddy", StepOwner.BUDDY, 3, StepCategory.SOCIAL, required=False
    ),
    Step(
        Phase.ONBOARDING,
        "Get your student card and library card",
        StepOwner.INTERNATIONAL_OFFICE,
        5,
        StepCategory.ACADEMIC,
    ),
    Step(
        Phase.ONBOARDING,
        "Start the Russian language course",
        StepOwner.DEPARTMENT,
        14,
        StepCategory.ACADEMIC,
        description="Four hours a week, free for international students, levels A1 to B2.",
    ),
    Step(
        Phase.ONBOARDING,
        "Get a Russian bank card",
        StepOwner.STUDENT,
        14,
        StepCategory.MONEY,
        required=False,
        description="Foreign bank cards do not work in Russia; your grant is paid to this card.",
    ),
    Step(
        Phase.ONBOARDING,
        "First-100-days check-in with the international office",
        StepOwner.INTERNATIONAL_OFFICE,
        100,
        StepCategory.SOCIAL,
        description="How are your studies, your room, your friends? Twenty minutes, in person.",
    ),
)

TEMPLATES: tuple[Template, ...] = (
    Template(
        TPU,
        "Exchange students",
        TargetGroup.EXCHANGE,
        "From the nomination to the first hundred days in Tomsk, for exchange students.",
        (
            Step(
                Phase.ATTRACTIVENESS,
                "Explore the courses taught in English",
                StepOwner.STUDENT,
                -90,
                StepCategory.ACADEMIC,
                required=False,
                links=(TPU_LINK,),
            ),
            Step(
                Phase.SELECTION,
                "Send the signed learning agreement",
                StepOwner.STUDENT,
                -80,
                StepCategory.ACADEMIC,
            ),
            *_TPU_FORMALITIES,
            *_TPU_ONBOARDING,
        ),
    ),
    Template(
        TPU,
        "Master's newcomers",
        TargetGroup.DEGREE_MASTER,
        "For international students admitted to a two-year master's programme.",
        (
            Step(
                Phase.ATTRACTIVENESS,
                "Explore the master's programmes taught in English",
                StepOwner.STUDENT,
                -100,
                StepCategory.ACADEMIC,
                required=False,
                links=(TPU_LINK,),
            ),
            Step(
                Phase.SELECTION,
                "Accept your offer and sign the study contract",
                StepOwner.STUDENT,
                -85,
                StepCategory.ACADEMIC,
            ),
            *_TPU_FORMALITIES,
            *_TPU_ONBOARDING,
        ),
    ),
    Template(
        KTH,
        "Exchange students",
        TargetGroup.EXCHANGE,
        "Exchange students at KTH, from the nomination to the end of the first period.",
        (
            Step(
                Phase.ATTRACTIVENESS,
                "Browse the courses open to exchange students",
                StepOwner.STUDENT,
                -120,
                StepCategory.ACADEMIC,
                required=False,
                links=(("KTH for exchange students", "https://www.kth.se/en/studies/exchange"),),
            ),
            Step(
                Phase.SELECTION,
                "Choose your courses and send the learning agreement",
                StepOwner.STUDENT,
                -90,
                StepCategory.ACADEMIC,
            ),
            Step(
                Phase.FORMALITIES,
                "Apply for housing through the KTH housing portal",
                StepOwner.HOUSING,
                -75,
                StepCategory.HOUSING,
                description="KTH offers rooms to exchange students who apply before the deadline.",
            ),
            Step(
                Phase.FORMALITIES,
                "Apply for a residence permit (students from outside the EU)",
                StepOwner.STUDENT,
                -60,
                StepCategory.LEGAL,
                required=False,
                links=(("Swedish Migration Agency", "https://www.migrationsverket.se"),),
            ),
            Step(
                Phase.FORMALITIES,
                "Collect your keys and sign the tenancy contract",
                StepOwner.HOUSING,
                0,
                StepCategory.HOUSING,
            ),
            Step(
                Phase.FORMALITIES,
                "Swedish personal number (personnummer) at the Tax Agency",
                StepOwner.STUDENT,
                5,
                StepCategory.LEGAL,
                required=False,
                kind=OffsetKind.WORKING,
                country="SE",
                description=(
                    "If you stay a year or longer: register at the Tax Agency (Skatteverket) "
                    "to get a personal number, which banks and doctors ask for."
                ),
                links=(("Skatteverket", "https://www.skatteverket.se"),),
            ),
            Step(
                Phase.ONBOARDING,
                "Meet your buddy (fadder)",
                StepOwner.BUDDY,
                2,
                StepCategory.SOCIAL,
                required=False,
            ),
            Step(
                Phase.ONBOARDING,
                "Register for your courses in Ladok",
                StepOwner.STUDENT,
                5,
                StepCategory.ACADEMIC,
            ),
            Step(
                Phase.ONBOARDING,
                "First-100-days check-in",
                StepOwner.INTERNATIONAL_OFFICE,
                100,
                StepCategory.SOCIAL,
            ),
        ),
    ),
    Template(
        POLITO,
        "Master's degree newcomers",
        TargetGroup.DEGREE_MASTER,
        "International students admitted to a Laurea Magistrale, from admission to settling in.",
        (
            Step(
                Phase.ATTRACTIVENESS,
                "Explore the master's programmes taught in English",
                StepOwner.STUDENT,
                -150,
                StepCategory.ACADEMIC,
                required=False,
                links=(("Politecnico di Torino", "https://www.polito.it"),),
            ),
            Step(
                Phase.SELECTION,
                "Upload your enrolment documents to Apply@Polito",
                StepOwner.STUDENT,
                -120,
                StepCategory.ACADEMIC,
            ),
            Step(
                Phase.SELECTION,
                "Get the CIMEA statement of comparability of your degree",
                StepOwner.STUDENT,
                -100,
                StepCategory.ACADEMIC,
            ),
            Step(
                Phase.FORMALITIES,
                "Apply for the study visa (type D) at the Italian consulate",
                StepOwner.STUDENT,
                -60,
                StepCategory.LEGAL,
                required=False,
                description="Students from outside the EU only.",
            ),
            Step(
                Phase.FORMALITIES,
                "Find a room: EDISU residences or a private rental",
                StepOwner.HOUSING,
                -45,
                StepCategory.HOUSING,
            ),
            Step(
                Phase.FORMALITIES,
                "Get your codice fiscale (tax code)",
                StepOwner.STUDENT,
                5,
                StepCategory.LEGAL,
                kind=OffsetKind.WORKING,
                country="IT",
                description=(
                    "At the Agenzia delle Entrate, with your passport; you need it for a phone "
                    "contract, a bank account and the rent contract."
                ),
                links=(("Agenzia delle Entrate", "https://www.agenziaentrate.gov.it"),),
            ),
            Step(
                Phase.FORMALITIES,
                "Apply for the permesso di soggiorno within 8 days",
                StepOwner.STUDENT,
                8,
                StepCategory.LEGAL,
                kind=OffsetKind.WORKING,
                country="IT",
                description=(
                    "Students from outside the EU apply for the residence permit within eight "
                    "working days of arrival, with the kit from a post office (Sportello "
                    "Amico); the Welcome Desk checks your forms first."
                ),
            ),
            Step(
                Phase.ONBOARDING,
                "Confirm your enrolment at the Welcome Desk",
                StepOwner.INTERNATIONAL_OFFICE,
                3,
                StepCategory.ACADEMIC,
            ),
            Step(
                Phase.ONBOARDING,
                "Meet your buddy",
                StepOwner.BUDDY,
                7,
                StepCategory.SOCIAL,
                required=False,
            ),
            Step(
                Phase.ONBOARDING,
                "Register with the national health service (SSN)",
                StepOwner.STUDENT,
                30,
                StepCategory.HEALTH,
                required=False,
            ),
            Step(
                Phase.ONBOARDING,
                "First-100-days check-in",
                StepOwner.INTERNATIONAL_OFFICE,
                100,
                StepCategory.SOCIAL,
            ),
        ),
    ),
)


# --- TPU's newcomers and buddies ------------------------------------------------------------

ARRIVING, ARRIVED, SETTLED = "arriving", "arrived", "settled"
# Days from today to the anchor date, by stage: in two months, ten days ago, sixty days ago.
STAGE_OFFSET = {ARRIVING: 60, ARRIVED: -10, SETTLED: -60}
# A journey starts this many days before the anchor (the host added the newcomer then).
LEAD_DAYS = 100

CSR = "School of Computer Science & Robotics"
ENERGY = "School of Energy & Power Engineering"
NUCLEAR = "School of Nuclear Science & Engineering"
EARTH = "School of Earth Sciences & Engineering"
MANUFACTURING = "School of Advanced Manufacturing Technologies"

PROGRAMME_NAME = "TPU Buddy Club"
KTH_PROGRAMME = "KTH Buddy Programme"
INTERESTS = (
    "board games",
    "chess",
    "cooking",
    "football",
    "hiking",
    "music",
    "photography",
    "robotics",
    "skiing",
    "theatre",
    "travel",
    "volleyball",
)


@dataclass(frozen=True)
class Newcomer:
    """A newcomer the host adds itself, at one stage of their journey."""

    email: str
    locale: str
    stage: str
    faculty: str
    languages: dict[str, str]
    interests: tuple[str, ...]
    # Steps left undone past their due date: the dashboard shows them behind.
    late: tuple[str, ...] = ()
    # Steps done before they are due (every step due before today is done, but the late).
    early: tuple[str, ...] = ()
    host: str = TPU
    target_group: str = TargetGroup.DEGREE_MASTER


# The incoming students of the events demo (newcomer1@tpu.demo...), who registered for the
# welcome evening; the first six have arrived, the last three arrive in two months.
NEWCOMERS: tuple[Newcomer, ...] = (
    Newcomer(
        "newcomer1@tpu.demo",
        "zh_CN",
        ARRIVED,
        CSR,
        {"zh": "C2", "en": "B2", "ru": "A2"},
        ("robotics", "chess", "photography"),
        early=(MIGRATION_STEP,),
    ),
    Newcomer(
        "newcomer2@tpu.demo",
        "en_IN",
        ARRIVED,
        ENERGY,
        {"hi": "C2", "en": "C1"},
        ("cooking", "football", "music"),
        late=(MIGRATION_STEP,),
    ),
    Newcomer(
        "newcomer3@tpu.demo",
        "es_MX",
        ARRIVED,
        EARTH,
        {"es": "C2", "en": "B2", "fr": "A2"},
        ("hiking", "photography", "travel"),
        early=(MIGRATION_STEP,),
    ),
    Newcomer(
        "newcomer4@tpu.demo",
        "tr_TR",
        SETTLED,
        MANUFACTURING,
        {"tr": "C2", "en": "B1", "de": "B1"},
        ("football", "volleyball", "travel"),
        late=(MEDICAL_EXAMINATION,),
    ),
    Newcomer(
        "newcomer5@tpu.demo",
        "uz_UZ",
        SETTLED,
        NUCLEAR,
        {"uz": "C2", "ru": "C1", "en": "A2"},
        ("chess", "football", "cooking"),
    ),
    Newcomer(
        "newcomer6@tpu.demo",
        "pt_BR",
        SETTLED,
        CSR,
        {"pt": "C2", "en": "B2", "es": "B1"},
        ("music", "volleyball", "board games"),
    ),
    Newcomer(
        "newcomer7@tpu.demo",
        "id_ID",
        ARRIVING,
        ENERGY,
        {"id": "C2", "en": "B2"},
        ("photography", "travel", "cooking"),
        late=(INVITATION_DOCUMENTS,),
    ),
    Newcomer(
        "newcomer8@tpu.demo",
        "fr_FR",
        ARRIVING,
        NUCLEAR,
        {"fr": "C2", "en": "B2", "ru": "A1"},
        ("theatre", "skiing", "hiking"),
    ),
    Newcomer(
        # No language at B1 or better in common with any buddy: stays without one, and the
        # staff page says why.
        "newcomer9@tpu.demo",
        "vi_VN",
        ARRIVING,
        EARTH,
        {"vi": "C2", "en": "A2"},
        ("cooking", "music"),
    ),
)
EECS = "School of Electrical Engineering and Computer Science"
ABE = "School of Architecture and the Built Environment"
# Exchange students KTH adds by hand (their partners are not on the platform yet): one has
# arrived, two arrive in two months. They wait for a buddy in KTH's buddy programme, where
# nobody has volunteered yet: a KTH student who signs up (student@kth.demo) is matched.
KTH_NEWCOMERS: tuple[Newcomer, ...] = (
    Newcomer(
        "incoming1@kth.demo",
        "es_ES",
        ARRIVED,
        EECS,
        {"es": "C2", "en": "C1"},
        ("hiking", "music"),
        host=KTH,
        target_group=TargetGroup.EXCHANGE,
    ),
    Newcomer(
        "incoming2@kth.demo",
        "fr_FR",
        ARRIVING,
        ABE,
        {"fr": "C2", "en": "B2"},
        ("photography", "travel"),
        host=KTH,
        target_group=TargetGroup.EXCHANGE,
    ),
    Newcomer(
        "incoming3@kth.demo",
        "pt_BR",
        ARRIVING,
        EECS,
        {"pt": "C2", "en": "B2", "es": "B1"},
        ("football", "cooking"),
        host=KTH,
        target_group=TargetGroup.EXCHANGE,
    ),
)
# What the KTH students whom TPU accepted tell the buddy programme (by e-mail; others get
# the default).
NOMINEE_PROFILE = ({"sv": "C2", "en": "C1", "de": "A2"}, CSR, ("skiing", "hiking", "robotics"))


@dataclass(frozen=True)
class Buddy:
    """A TPU student volunteering in the Buddy Club: ``window`` is (from, to) in days from
    today, or None for the autumn semester the nominated exchange students arrive for."""

    number: int
    languages: dict[str, str]
    faculty: str
    interests: tuple[str, ...]
    capacity: int
    window: tuple[int, int] | None = (-75, 90)
    extra: dict[str, Any] = field(default_factory=dict)


# student1..10@tpu.demo: the TPU students of the mobility demo (Russian names), their
# languages as they gave them in their exchange applications, a little extended.
BUDDIES: tuple[Buddy, ...] = (
    Buddy(1, {"ru": "C2", "en": "C1"}, CSR, ("robotics", "chess", "hiking"), 2),
    Buddy(2, {"ru": "C2", "en": "B2", "de": "B1"}, MANUFACTURING, ("football", "travel"), 3),
    Buddy(3, {"ru": "C2", "en": "B1", "de": "B2"}, ENERGY, ("music", "cooking"), 1),
    Buddy(4, {"ru": "C2", "en": "B2", "it": "A2"}, EARTH, ("hiking", "photography"), 2),
    Buddy(5, {"ru": "C2", "en": "C1", "zh": "B2"}, CSR, ("photography", "board games"), 2),
    Buddy(6, {"ru": "C2", "en": "B2", "fr": "B1"}, NUCLEAR, ("theatre", "skiing"), 1, (-20, 120)),
    Buddy(7, {"ru": "C2", "en": "B2"}, ENERGY, ("football", "volleyball", "cooking"), 3),
    Buddy(8, {"ru": "C2", "en": "C1", "fr": "A2"}, CSR, ("skiing", "hiking", "robotics"), 2, None),
    Buddy(9, {"ru": "C2", "en": "B2", "es": "B1"}, EARTH, ("travel", "music"), 1, (30, 150)),
    Buddy(10, {"ru": "C2", "en": "B1", "zh": "B1"}, NUCLEAR, ("chess", "board games"), 2),
)


# --- Loading ---------------------------------------------------------------------------------


def load_demo_onboarding(stdout: TextIO | None = None) -> None:
    """Create the demo's onboarding data that is missing (see the module's docstring).

    ``stdout``: a stream to write a line per part on; ``None`` loads silently. Needs the demo
    institutions, accounts and mobility data (``load_demo`` creates them first). Atomic;
    sends no e-mail.
    """
    with transaction.atomic(), scopes_disabled(), _no_mail():
        loader = _Loader()
        if loader.tpu is None:
            return
        for label, run in (
            (_("Journey templates"), loader.templates),
            (_("Journeys of TPU's newcomers"), loader.journeys),
            (_("The TPU Buddy Club"), loader.buddies),
            (_("KTH's buddy programme"), loader.kth_programme),
        ):
            run()
            if stdout is not None:
                stdout.write(f"  {label}\n")


@contextmanager
def _no_mail() -> Iterator[None]:
    """Drop what the services queue to run after the commit while the demo loads: the
    newcomers' invitations, the e-mails about matches (demo addresses: nobody should get
    them) and the matching runs that sign-ups ask for (the demo runs matching itself). The
    in-app notices stay, so the pages show them."""
    connection = transaction.get_connection()
    queued = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[queued:]


class _Loader:
    def __init__(self) -> None:
        self.now = timezone.now()
        self.institution = {
            i.schac: i for i in Institution.objects.filter(schac__in=[TPU, KTH, POLITO])
        }
        self.tpu = self.institution.get(TPU)
        self.officer = {
            schac: User.objects.filter(email=email).first() for schac, email in OFFICERS.items()
        }
        self.today = host_today(self.tpu, self.now) if self.tpu else self.now.date()
        self.zone = zoneinfo.ZoneInfo(self.tpu.timezone) if self.tpu else datetime.UTC
        # The journeys this load started, with what each newcomer tells the buddy programme
        # (None: the nominated exchange students, who all tell NOMINEE_PROFILE).
        self.started: list[tuple[Journey, Newcomer | None]] = []

    def at(self, day: datetime.date, hour: int = 10) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=self.zone)

    # --- Templates -----------------------------------------------------------------------

    def templates(self) -> None:
        for data in TEMPLATES:
            host = self.institution.get(data.host)
            if host is None:
                continue
            if JourneyTemplate.objects.filter(institution=host, name=data.name).exists():
                continue
            actor = self.officer.get(data.host)
            template = template_services.template_create(
                actor=actor,
                institution=host,
                name=data.name,
                target_group=data.target_group,
                description=data.description,
            )
            for position, step in enumerate(data.steps, start=1):
                template_services.step_create(
                    actor=actor, template=template, **step.fields(position)
                )

    # --- Journeys ------------------------------------------------------------------------

    def journeys(self) -> None:
        self._nominees()
        for data in NEWCOMERS + KTH_NEWCOMERS:
            self._newcomer(data)

    def _nominees(self) -> None:
        """The KTH students whose nominations TPU accepted: their exchange journeys start as
        mobility starts them, anchored on the start of the term they come for."""
        accepted = (
            Nomination.objects.filter(host=self.tpu, status=NominationStatus.ACCEPTED)
            .select_related("application__call", "application__student")
            .order_by("pk")
        )
        for nomination in accepted:
            student = nomination.application.student
            reference = str(nomination.uuid)
            if Journey.objects.filter(
                institution=self.tpu, newcomer=student, reference=reference
            ).exists():
                continue
            journey = journey_services.journey_start_for_nomination(
                nomination=nomination,
                actor=self.officer.get(TPU),
                anchor_date=anchor_date_for(nomination.application.call),
            )
            if journey is not None:
                self._progress(journey, start=journey.started_on)
                self.started.append((journey, None))

    def _newcomer(self, data: Newcomer) -> None:
        host = self.institution.get(data.host)
        if host is None:
            return
        given, family = name_for(data.locale, data.email)
        # An account the newcomer can sign in with (the service would make one without a
        # password, to be set from the invitation).
        user = demo_account(data.email, first_name=given, last_name=family)
        started = Journey.objects.filter(institution=host, newcomer=user, reference="").exists()
        if started or journey_services.active_template(host, data.target_group) is None:
            return
        journey = newcomer_services.newcomer_add(
            actor=self.officer.get(data.host),
            host=host,
            email=data.email,
            given_name=given,
            family_name=family,
            target_group=data.target_group,
            anchor_date=self._anchor(data),
        ).journey
        start = min(self.today, journey.anchor_date - datetime.timedelta(days=LEAD_DAYS))
        Journey.objects.filter(pk=journey.pk).update(started_on=start, created=self.at(start, 9))
        self._progress(journey, start=start, late=data.late, early=data.early)
        self.started.append((journey, data))

    def _anchor(self, data: Newcomer) -> datetime.date:
        """The arrival day of the newcomer's stage; for one late on the migration step, far
        enough back that its seven working days are over (public holidays may stretch them)."""
        anchor = self.today + datetime.timedelta(days=STAGE_OFFSET[data.stage])
        if MIGRATION_STEP in data.late:
            step = next(s for s in _TPU_FORMALITIES if s.title == MIGRATION_STEP)
            country = str(self.tpu.country)
            while _due(step, anchor, country) >= self.today - datetime.timedelta(days=1):
                anchor -= datetime.timedelta(days=1)
        return anchor

    def _progress(
        self,
        journey: Journey,
        start: datetime.date,
        late: tuple[str, ...] = (),
        early: tuple[str, ...] = (),
    ) -> None:
        """Mark done every step due before today except the ``late`` ones, and the ``early``
        ones: the newcomer's own steps by the newcomer, the others by the host's office; each
        done a few days before it was due (and not before the journey started)."""
        officer = self.officer.get(journey.institution.schac)
        states = (
            JourneyStepState.objects.filter(journey=journey)
            .filter(Q(due_date__lt=self.today) | Q(step__title__in=early))
            .select_related("step", "journey__institution")
            .order_by("due_date", "pk")
        )
        for i, state in enumerate(states):
            if state.step.title in late:
                continue
            by_newcomer = state.step.owner_role in (StepOwner.STUDENT, StepOwner.BUDDY)
            actor = journey.newcomer if by_newcomer else officer
            journey_services.step_mark_done(actor=actor, state=state)
            done_on = min(state.due_date - datetime.timedelta(days=1 + i % 4), self.today)
            done_on = max(done_on, start)
            JourneyStepState.objects.filter(pk=state.pk, status=StepStatus.DONE).update(
                done_at=self.at(done_on, 10 + i % 7)
            )

    # --- Buddies -------------------------------------------------------------------------

    def buddies(self) -> None:
        programme = BuddyProgramme.objects.filter(institution=self.tpu, name=PROGRAMME_NAME).first()
        if programme is None:
            programme = buddy_services.programme_create(
                actor=self.officer.get(TPU),
                institution=self.tpu,
                name=PROGRAMME_NAME,
                campus="Tomsk",
                description=(
                    "TPU students who meet newcomers at the airport, help them settle into the "
                    "dormitory and show them Tomsk during their first months."
                ),
                interest_choices=list(INTERESTS),
            )
        faculties = {
            u.name: u for u in OrganisationalUnit.objects.filter(institution=self.tpu, parent=None)
        }
        created = self._buddy_profiles(programme, faculties)
        created += self._newcomer_profiles(programme, faculties)
        if not created or not programme.active:
            return
        stats = buddy_services.matching_run(
            actor=self.officer.get(TPU), programme=programme, trigger="demo"
        )
        self._settle_matches(programme, stats.run)

    def kth_programme(self) -> None:
        """KTH's programme, open for sign-ups: KTH's incoming exchange students wait in it
        for a buddy, and a KTH student (``student@kth.demo``) can volunteer from their buddy
        page and be matched with them."""
        kth = self.institution.get(KTH)
        if kth is None:
            return
        programme = BuddyProgramme.objects.filter(institution=kth, name=KTH_PROGRAMME).first()
        if programme is None:
            programme = buddy_services.programme_create(
                actor=self.officer.get(KTH),
                institution=kth,
                name=KTH_PROGRAMME,
                campus="Stockholm",
                description=(
                    "KTH students who welcome exchange and master's students: a fika before "
                    "the term starts, help with the first week's errands, and the student "
                    "union's events."
                ),
                interest_choices=list(INTERESTS),
            )
        faculties = {
            u.name: u for u in OrganisationalUnit.objects.filter(institution=kth, parent=None)
        }
        self._newcomer_profiles(programme, faculties)

    def _buddy_profiles(self, programme: BuddyProgramme, faculties: dict) -> int:
        created = 0
        for data in BUDDIES:
            user = self._student(f"student{data.number}@tpu.demo")
            if BuddyProfile.objects.filter(programme=programme, user=user).exists():
                continue
            window = data.window or self._autumn_window()
            start, end = (self.today + datetime.timedelta(days=d) for d in window)
            buddy_services.buddy_signup(
                actor=user,
                programme=programme,
                languages=data.languages,
                available_from=start,
                available_to=end,
                capacity=data.capacity,
                faculty=faculties.get(data.faculty),
                interests=data.interests,
            )
            created += 1
        return created

    def _autumn_window(self) -> tuple[int, int]:
        """From two weeks before the nominated exchange students arrive to the end of their
        semester, in days from today (the next 1 September when nobody is nominated)."""
        journey = (
            Journey.objects.filter(institution=self.tpu, target_group=TargetGroup.EXCHANGE)
            .order_by("-anchor_date")
            .first()
        )
        if journey is not None:
            arrival = journey.anchor_date
        else:
            year = self.today.year + (self.today >= datetime.date(self.today.year, 9, 1))
            arrival = datetime.date(year, 9, 1)
        days = (arrival - self.today).days
        return days - 14, days + 110

    def _newcomer_profiles(self, programme: BuddyProgramme, faculties: dict) -> int:
        created = 0
        for journey, data in sorted(self.started, key=lambda s: (s[0].anchor_date, s[0].pk)):
            if journey.institution_id != programme.institution_id:
                continue
            user = journey.newcomer
            if NewcomerProfile.objects.filter(programme=programme, user=user).exists():
                continue
            if data is None:
                languages, faculty, interests = NOMINEE_PROFILE
            else:
                languages, faculty, interests = data.languages, data.faculty, data.interests
            buddy_services.newcomer_signup(
                actor=user,
                programme=programme,
                languages=languages,
                arrival_date=journey.anchor_date,
                faculty=faculties.get(faculty),
                interests=interests,
                journey=journey,
            )
            created += 1
        return created

    def _settle_matches(self, programme: BuddyProgramme, run: Any) -> None:
        """The pairs this run made for newcomers who have arrived accept each other, as if
        matched three weeks before the arrival; the buddies of those who arrived two months
        ago have met them since."""
        matches = (
            BuddyMatch.objects.filter(programme=programme, run=run, status=MatchStatus.PROPOSED)
            .select_related("buddy__user", "newcomer__user", "programme__institution")
            .order_by("newcomer__arrival_date", "pk")
        )
        for match in matches:
            arrival = match.newcomer.arrival_date
            if arrival > self.today:
                continue
            buddy, newcomer = match.buddy.user, match.newcomer.user
            buddy_services.match_accept(actor=buddy, match=match)
            match = buddy_services.match_accept(actor=newcomer, match=match)
            BuddyMatch.objects.filter(pk=match.pk).update(
                matched_at=self.at(arrival - datetime.timedelta(days=21), 12),
                buddy_accepted_at=self.at(arrival - datetime.timedelta(days=20), 18),
                newcomer_accepted_at=self.at(arrival - datetime.timedelta(days=19), 9),
                responded_at=self.at(arrival - datetime.timedelta(days=19), 9),
            )
            if (self.today - arrival).days < 30:
                continue
            for days, kind, minutes, note in CHECKINS:
                buddy_services.checkin_add(
                    actor=buddy,
                    match=match,
                    date=min(arrival + datetime.timedelta(days=days), self.today),
                    kind=kind,
                    minutes=minutes,
                    note=note,
                )

    def _student(self, email: str) -> User:
        """A TPU student with a Russian name; the demo password when the account is new."""
        first, last = name_for("ru_RU", email)
        user = demo_account(email, first_name=first, last_name=last)
        Role.objects.get_or_create(user=user, institution=self.tpu, kind=RoleKind.STUDENT)
        return user


# (days after arrival, kind, minutes, note): what a buddy logs in the first two months.
CHECKINS = (
    (0, CheckInKind.MEETING, 120, "Met at Tomsk airport, took the bus to the dormitory."),
    (21, CheckInKind.EVENT, 180, "Board games evening at the student club with other newcomers."),
)


def _due(step: Step, anchor: datetime.date, country: str) -> datetime.date:
    if step.kind == OffsetKind.WORKING:
        return workdays.add_working_days(anchor, step.offset, country)
    return workdays.add_calendar_days(anchor, step.offset)


__all__ = ["load_demo_onboarding"]
