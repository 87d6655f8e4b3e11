"""Demo mobility data: agreements among members and associate partners (the Americas too),
an open call at TPU with applications, a finished, published allocation at KTH with
nominations, and an open call at KTH for the year after that its students can apply to.

For the demo loader (``intercampus demo``) to call after the institutions and the demo
accounts exist. Everything is written through the mobility services, acting as the demo
international officers (``iro@tpu.demo``, ``iro@kth.demo``; nobody for the institutions that
have no demo officer), so the demo passes the same rules as the pages and the audit log tells
how it came about.

Idempotent by natural keys, never by dates (the day the demo is loaded changes):
an agreement copy is found by (owner, code), a call by (owner, title), an application by
(call, student). What exists is left as it is, so that what a demo user did (approving,
accepting, declining...) survives a reload; the steps that follow a creation (conditions,
linking, approvals, places, the allocation, nominations) run only for what this load created.
A call's window is set relative to the day it is created, and only then.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from intercampus.accounts.choices import RoleKind
from intercampus.accounts.models import Role, User
from intercampus.institutions.models import Institution
from intercampus.mobility import isced
from intercampus.mobility.choices import (
    ApplicationState,
    CallStatus,
    MobilityType,
)
from intercampus.mobility.models import (
    Agreement,
    AgreementApproval,
    Application,
    Call,
    Nomination,
    Place,
)
from intercampus.mobility.models.profiles import Gender
from intercampus.mobility.selectors.agreements import partner_copy
from intercampus.mobility.services import agreements as agreement_services
from intercampus.mobility.services import allocation as allocation_services
from intercampus.mobility.services import applications as application_services
from intercampus.mobility.services import calls as call_services
from intercampus.mobility.services import nominations as nomination_services
from intercampus.network.demo.people import name_for
from intercampus.network.demo.personas import demo_account

TPU, KTH = "tpu.ru", "kth.se"
POLITO, TUDA, THU = "polito.it", "tu-darmstadt.de", "tsinghua.edu.cn"
AALTO, UPC, IST, TUE = "aalto.fi", "upc.edu", "tecnico.ulisboa.pt", "tue.nl"
# The associate partners in the Americas.
POLYMTL, USP = "polymtl.ca", "usp.br"
# The demo officers who act for their institution; the others' copies are written by nobody.
OFFICERS = {TPU: "iro@tpu.demo", KTH: "iro@kth.demo"}
PERSONA_STUDENT = "student@kth.demo"
FIRST_YEAR, LAST_YEAR = "2026/2027", "2028/2029"
CALL_YEAR = "2027/2028"


# --- Agreements ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """One cooperation condition: students studying from ``sending`` at ``receiving``."""

    sending: str
    receiving: str
    per_year: int
    # How long each mobility lasts; the agreement states the year's total (EWP).
    months_each: int
    # (ISCED-F code, clarification)
    areas: tuple[tuple[str, str], ...]
    # (language, CEFR level, ISCED-F code it is for or "" for every area); the first one for
    # every area is what a call's place asks for.
    languages: tuple[tuple[str, str, str], ...] = (("en", "B2", ""),)
    eqf: tuple[int, ...] = (6, 7)

    def fields(self) -> dict[str, Any]:
        return {
            "mobility_type": MobilityType.STUDENT_STUDIES,
            "sending_hei_id": self.sending,
            "receiving_hei_id": self.receiving,
            "first_academic_year": FIRST_YEAR,
            "last_academic_year": LAST_YEAR,
            "mobilities_per_year": self.per_year,
            "total_months_per_year": self.per_year * self.months_each,
            "subject_areas": [
                {"isced_f_code": code, "isced_clarification": text} for code, text in self.areas
            ],
            "eqf_levels": list(self.eqf),
            "language_skills": [
                {"language": language, "cefr_level": level, "isced_f_code": area}
                for language, level, area in self.languages
            ],
            "blended": False,
        }


@dataclass(frozen=True)
class Pair:
    """An agreement as both partners' own copies, linked.

    ``first`` types its copy; ``second`` creates its copy from it (the same conditions) unless
    ``second_flows`` is given, in which case it types its own and links the two (so they may
    differ). ``approved_by``: the partners that approved the other's copy.
    """

    first: str
    first_code: str
    second: str
    second_code: str
    flows: tuple[Flow, ...]
    approved_by: tuple[str, ...]
    second_flows: tuple[Flow, ...] | None = None


def _both(a: str, b: str, per_year: tuple[int, int], months: int, areas, a_langs, b_langs):
    """The two directions of a student exchange between ``a`` and ``b``."""
    return (
        Flow(a, b, per_year[0], months, areas, b_langs),
        Flow(b, a, per_year[1], months, areas, a_langs),
    )


EN = (("en", "B2", ""),)

PAIRS: tuple[Pair, ...] = (
    Pair(
        TPU,
        "TPU-KTH-2026",
        KTH,
        "KTH-TPU-2026",
        (
            Flow(TPU, KTH, 4, 5, (("0714", "Robotics and automation"), ("0613", ""))),
            Flow(
                KTH,
                TPU,
                3,
                5,
                (("0714", ""), ("0532", "Petroleum geology")),
                (("en", "B2", ""), ("ru", "A2", "")),
            ),
        ),
        approved_by=(TPU, KTH),
    ),
    Pair(
        POLITO,
        "POLITO-TPU-2026",
        TPU,
        "TPU-POLITO-2026",
        (
            Flow(
                TPU,
                POLITO,
                3,
                5,
                (("0715", ""), ("0731", "")),
                (("en", "B2", ""), ("it", "A2", "")),
            ),
            Flow(POLITO, TPU, 2, 10, (("0715", ""),), (("en", "B2", ""), ("ru", "A2", ""))),
        ),
        approved_by=(POLITO, TPU),
    ),
    Pair(
        TPU,
        "TPU-TUDA-2026",
        TUDA,
        "TUDA-TPU-2026",
        (
            # Taught in German: the place asks for German, not English.
            Flow(
                TPU,
                TUDA,
                2,
                5,
                (("0713", "Power systems"),),
                (("de", "B2", "0713"), ("en", "B2", "")),
            ),
            Flow(TUDA, TPU, 2, 5, (("0713", "Power systems"),)),
        ),
        approved_by=(TPU,),
    ),
    Pair(
        THU,
        "THU-TPU-2026",
        TPU,
        "TPU-THU-2026",
        _both(TPU, THU, (2, 2), 10, (("0613", ""),), (("en", "B2", ""), ("ru", "A2", "")), EN),
        approved_by=(THU, TPU),
    ),
    Pair(
        KTH,
        "KTH-AALTO-2026",
        AALTO,
        "AALTO-KTH-2026",
        _both(KTH, AALTO, (4, 4), 5, (("0613", ""), ("0714", "")), EN, EN),
        approved_by=(KTH, AALTO),
    ),
    Pair(
        POLITO,
        "POLITO-KTH-2026",
        KTH,
        "KTH-POLITO-2026",
        _both(KTH, POLITO, (2, 2), 5, (("0731", ""),), EN, (("en", "B2", ""), ("it", "A2", ""))),
        approved_by=(POLITO, KTH),
    ),
    Pair(
        UPC,
        "UPC-KTH-2026",
        KTH,
        "KTH-UPC-2026",
        (
            # Architecture is taught in Spanish and Catalan; the rest in English.
            Flow(
                KTH,
                UPC,
                3,
                5,
                (("0731", ""), ("0532", "")),
                (("es", "B1", "0731"), ("en", "B2", "")),
            ),
            Flow(UPC, KTH, 3, 5, (("0731", ""), ("0532", ""))),
        ),
        approved_by=(UPC, KTH),
    ),
    Pair(
        KTH,
        "KTH-IST-2026",
        IST,
        "IST-KTH-2026",
        _both(KTH, IST, (2, 2), 10, (("0715", ""),), EN, (("en", "B2", ""), ("pt", "A2", ""))),
        approved_by=(KTH, IST),
    ),
    # Polytechnique Montréal teaches in French; KTH in English.
    Pair(
        KTH,
        "KTH-POLYMTL-2026",
        POLYMTL,
        "POLYMTL-KTH-2026",
        _both(
            KTH,
            POLYMTL,
            (2, 2),
            5,
            (("0714", ""), ("0713", "")),
            EN,
            (("fr", "B2", ""), ("en", "B2", "")),
        ),
        approved_by=(KTH, POLYMTL),
    ),
    Pair(
        USP,
        "USP-TPU-2026",
        TPU,
        "TPU-USP-2026",
        _both(
            TPU,
            USP,
            (2, 2),
            10,
            (("0532", "Petroleum geology"),),
            (("en", "B2", ""), ("ru", "A2", "")),
            (("pt", "B1", ""), ("en", "B2", "")),
        ),
        approved_by=(USP, TPU),
    ),
    Pair(
        POLITO,
        "POLITO-USP-2026",
        USP,
        "USP-POLITO-2026",
        _both(
            POLITO,
            USP,
            (2, 2),
            5,
            (("0731", ""),),
            (("en", "B2", ""), ("it", "A2", "")),
            (("pt", "B1", ""), ("en", "B2", "")),
        ),
        approved_by=(POLITO,),
    ),
    # Typed on both sides, and they drifted apart: KTH says 3 a year to TU/e, TU/e says 2.
    Pair(
        KTH,
        "KTH-TUE-2026",
        TUE,
        "TUE-KTH-2026",
        _both(KTH, TUE, (3, 2), 5, (("0714", ""),), EN, EN),
        approved_by=(),
        second_flows=_both(KTH, TUE, (2, 2), 5, (("0714", ""),), EN, EN),
    ),
)


# --- Calls and applications -----------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """A demo student's application: ``choices`` are (host SCHAC, ISCED-F code), best first."""

    grade: str | None
    cycle: int | None
    languages: dict[str, str]
    choices: tuple[tuple[str, str], ...]
    submitted: bool = True
    committee: int | None = None  # the committee's score, entered before the allocation


def _ru(**levels: str) -> dict[str, str]:
    return {"ru": "NS", **levels}


def _sv(**levels: str) -> dict[str, str]:
    return {"sv": "NS", **levels}


TPU_CALL = {
    "title": "Exchange semester 2027/2028 – autumn",
    "description": (
        "One semester at a partner university in autumn 2027, for bachelor and master "
        "students of all schools. Rank up to three places; the international office "
        "allocates them by grades, language level and the committee's interview."
    ),
    "academic_year": CALL_YEAR,
    "terms": ["2027/2028-1/2"],
    "mobility_type": MobilityType.STUDENT_STUDIES,
    "max_choices": 3,
    "eligible_cycles": [6, 7],
    "required_documents": [],
    "weight_grades": 60,
    "weight_language": 20,
    "weight_committee": 20,
}
# Opens two weeks before the day the demo is first loaded, closes four weeks after it.
TPU_OPENS, TPU_CLOSES = -14, 28

TPU_APPLICANTS: tuple[Applicant, ...] = (
    Applicant("88.40", 7, _ru(en="C1"), ((KTH, "0714"), (POLITO, "0715"), (THU, "0613"))),
    Applicant("92.10", 6, _ru(en="B2", de="B1"), ((KTH, "0613"), (KTH, "0714"))),
    # English B1 is below what KTH asks: that choice is not eligible, the German one is.
    Applicant("79.60", 7, _ru(en="B1", de="B2"), ((KTH, "0714"), (TUDA, "0713"))),
    Applicant("85.00", 6, _ru(en="B2", it="A2"), ((POLITO, "0731"), (POLITO, "0715"))),
    Applicant("90.30", 7, _ru(en="C1", zh="A2"), ((THU, "0613"), (KTH, "0613"))),
    Applicant("76.80", 6, _ru(en="B2"), ((POLITO, "0715"), (KTH, "0714"))),
    Applicant("83.20", 7, _ru(en="B2"), ((KTH, "0714"), (THU, "0613"))),
    Applicant("81.50", 6, _ru(en="C1"), ((POLITO, "0731"), (KTH, "0613"), (POLITO, "0715"))),
    Applicant("74.00", 6, _ru(en="B2"), ((KTH, "0613"),), submitted=False),
    Applicant("87.70", 7, _ru(en="B2"), ((THU, "0613"), (POLITO, "0715")), submitted=False),
    Applicant("80.90", 6, _ru(), (), submitted=False),
    Applicant(None, 7, {}, (), submitted=False),
)

KTH_CALL = {
    "title": "Exchange 2027/2028",
    "description": (
        "Exchange studies at partner universities in 2027/2028, one or two semesters. "
        "The results are published: placed students are nominated to their host."
    ),
    "academic_year": CALL_YEAR,
    "terms": ["2027/2028-1/2", "2027/2028-2/2"],
    "mobility_type": MobilityType.STUDENT_STUDIES,
    "max_choices": 3,
    "eligible_cycles": [6, 7],
    "required_documents": [],
    "weight_grades": 60,
    "weight_language": 20,
    "weight_committee": 20,
}
# Opened ten weeks and closed two weeks before the day the demo is first loaded.
KTH_OPENS, KTH_CLOSES = -70, -14

# Open now, for the year after: what a KTH student (student@kth.demo) can apply to. Its places
# draw on the agreements' seats of 2028/2029, which nobody has used yet.
KTH_OPEN_CALL = {
    "title": "Exchange 2028/2029",
    "description": (
        "Exchange studies at partner universities in 2028/2029, one or two semesters, for "
        "bachelor and master students of all schools. Rank up to three places."
    ),
    "academic_year": "2028/2029",
    "terms": ["2028/2029-1/2", "2028/2029-2/2"],
    "mobility_type": MobilityType.STUDENT_STUDIES,
    "max_choices": 3,
    "eligible_cycles": [6, 7],
    "required_documents": [],
    "weight_grades": 70,
    "weight_language": 30,
    "weight_committee": 0,
}
# Opened a week before the day the demo is first loaded, closes five weeks after it.
KTH_OPEN_OPENS, KTH_OPEN_CLOSES = -7, 35

# Scores are all different (20 for Swedish + 0.6 grade + 0.2 committee), so the result does
# not depend on the call's lottery, which is drawn afresh when the call is created.
KTH_APPLICANTS: tuple[Applicant, ...] = (
    Applicant(
        "91.00", 7, _sv(en="C1"), ((POLITO, "0731"), (UPC, "0731"), (AALTO, "0613")), committee=85
    ),
    Applicant(
        "88.50", 7, _sv(en="C1"), ((POLITO, "0731"), (TUE, "0714"), (AALTO, "0714")), committee=90
    ),
    Applicant("86.00", 6, _sv(en="B2"), ((POLITO, "0731"), (AALTO, "0613")), committee=80),
    Applicant(
        "84.00", 7, _sv(en="C1"), ((TPU, "0714"), (AALTO, "0613"), (TUE, "0714")), committee=75
    ),
    Applicant("82.50", 7, _sv(en="C2", ru="B1"), ((TPU, "0714"), (AALTO, "0714")), committee=88),
    Applicant(
        "81.00",
        6,
        _sv(en="B2", es="B2"),
        ((UPC, "0731"), (POLITO, "0731"), (IST, "0715")),
        committee=70,
    ),
    Applicant(
        "80.00", 7, _sv(en="B2"), ((AALTO, "0714"), (AALTO, "0613"), (TPU, "0714")), committee=72
    ),
    # English B1: not eligible for any of their choices.
    Applicant("79.00", 6, _sv(en="B1"), ((TUE, "0714"), (IST, "0715")), committee=65),
    Applicant("77.50", 7, _sv(en="C1"), ((TPU, "0532"), (TPU, "0714")), committee=82),
    Applicant(
        "76.00", 6, _sv(en="B2"), ((POLITO, "0731"), (AALTO, "0613"), (UPC, "0532")), committee=60
    ),
    Applicant("75.50", 6, _sv(en="B2"), ((IST, "0715"), (UPC, "0532")), committee=78),
    Applicant(
        "73.00", 7, _sv(en="B2"), ((AALTO, "0613"), (AALTO, "0714"), (TUE, "0714")), committee=66
    ),
    Applicant("72.50", 7, _sv(en="C1"), ((TUE, "0714"), (AALTO, "0714")), committee=85),
    Applicant(
        "71.00", 6, _sv(en="B2"), ((POLITO, "0731"), (UPC, "0532"), (IST, "0715")), committee=58
    ),
    Applicant("70.00", 7, _sv(en="B2"), ((TPU, "0714"), (TPU, "0532")), committee=74),
    # English B1 but Spanish B2: Aalto is out of reach, UPC's architecture is not.
    Applicant("69.50", 6, _sv(en="B1", es="B2"), ((AALTO, "0613"), (UPC, "0731")), committee=62),
    Applicant("68.00", 7, _sv(en="C1"), ((AALTO, "0714"), (TUE, "0714")), committee=79),
    Applicant(
        "66.50", 6, _sv(en="B2"), ((POLITO, "0731"), (AALTO, "0613"), (AALTO, "0714")), committee=70
    ),
    Applicant("65.00", 6, _sv(en="B2"), ((IST, "0715"), (TUE, "0714")), committee=68),
    Applicant("64.00", 6, _sv(en="B2"), ((AALTO, "0613"), (POLITO, "0731")), committee=55),
    Applicant("62.50", 7, _sv(en="B2"), ((UPC, "0532"), (TUE, "0714")), committee=77),
    Applicant("61.00", 6, _sv(en="B2"), ((AALTO, "0714"), (TPU, "0714")), committee=50),
    Applicant("59.50", 6, _sv(en="B2"), ((POLITO, "0731"), (UPC, "0731")), committee=64),
    Applicant("57.00", 6, _sv(en="B2"), ((TUE, "0714"),), committee=60),
)
# The persona: Politecnico di Torino first, where the last student admitted scored higher;
# placed at Aalto, their second choice, so their result page shows the cut-off.
PERSONA_APPLICANT = Applicant(
    "74.50", 7, _sv(en="C1"), ((POLITO, "0731"), (AALTO, "0613"), (IST, "0715")), committee=70
)
# Placed students at these hosts are nominated; TPU accepts the best-ranked one it receives.
NOMINATED_HOSTS = (TPU, UPC, IST)
ACCEPTING_HOST = TPU

MOTIVATIONS = (
    "I want to deepen my studies in {area} at {host}, whose laboratories and courses fit my "
    "thesis plans, and to learn how engineering is taught elsewhere.",
    "{host} is strong in {area}. A semester there would let me take courses my programme "
    "does not offer and meet students from other countries.",
    "My goal is an international career in {area}; studying at {host} would give me the "
    "language practice and the network to start it.",
)


# --- Loading ---------------------------------------------------------------------------------


def load_demo_mobility(stdout: TextIO | None = None) -> None:
    """Create the demo's mobility data that is missing (see the module's docstring).

    ``stdout``: a stream to write a line per part on; ``None`` loads silently. Needs the demo
    institutions and accounts (``load_demo`` creates them first). Atomic; sends no e-mail.
    """
    with transaction.atomic(), scopes_disabled(), _no_mail():
        loader = _Loader()
        for label, run in (
            (_("Agreements"), loader.agreements),
            (_("An open call at TPU"), loader.tpu_call),
            (_("A published allocation at KTH"), loader.kth_call),
            (_("An open call at KTH"), loader.kth_open_call),
        ):
            run()
            if stdout is not None:
                stdout.write(f"  {label}\n")


@contextmanager
def _no_mail() -> Iterator[None]:
    """Drop what the services queue to run after the commit while the demo loads: e-mails to
    the partners' officers and to students (demo addresses: nobody should get them, and a
    console mail backend would print them all over the demo's output). The in-app notices
    stay, so the pages show them."""
    connection = transaction.get_connection()
    queued = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[queued:]


class _Loader:
    def __init__(self) -> None:
        self.institution = {i.schac: i for i in Institution.objects.all()}
        self.officer = {schac: User.objects.get(email=email) for schac, email in OFFICERS.items()}

    def actor(self, schac: str) -> User | None:
        return self.officer.get(schac)

    # --- Agreements ----------------------------------------------------------------------

    def agreements(self) -> None:
        for pair in PAIRS:
            first, first_new = self._copy(pair.first, pair.second, pair.first_code, pair.flows)
            if pair.second_flows is None:
                second, second_new = self._adopted(pair, first)
            else:
                second, second_new = self._copy(
                    pair.second, pair.first, pair.second_code, pair.second_flows
                )
                if second_new or first_new:
                    self._link(pair.second, second, first)
            for schac in pair.approved_by:
                ours, new = (first, first_new) if schac == pair.first else (second, second_new)
                if new:
                    self._approve(schac, ours)

    def _copy(
        self, owner: str, partner: str, code: str, flows: tuple[Flow, ...]
    ) -> tuple[Agreement, bool]:
        found = Agreement.objects.filter(owner__schac=owner, iia_code=code).first()
        if found is not None:
            return found, False
        actor = self.actor(owner)
        agreement = agreement_services.agreement_create(
            actor=actor, owner=self.institution[owner], partner_hei_id=partner, iia_code=code
        )
        for flow in flows:
            agreement_services.condition_add(actor=actor, agreement=agreement, **flow.fields())
        return agreement, True

    def _adopted(self, pair: Pair, first: Agreement) -> tuple[Agreement, bool]:
        found = Agreement.objects.filter(
            owner__schac=pair.second, iia_code=pair.second_code
        ).first()
        if found is not None:
            return found, False
        first.refresh_from_db()
        second = agreement_services.agreement_adopt(
            actor=self.actor(pair.second),
            owner=self.institution[pair.second],
            theirs=first,
            iia_code=pair.second_code,
        )
        return second, True

    def _link(self, owner: str, ours: Agreement, theirs: Agreement) -> None:
        ours.refresh_from_db()
        theirs.refresh_from_db()
        if ours.partner_iia_id or theirs.partner_iia_id not in ("", ours.iia_id):
            return  # linked already, or the partner's copy is tied to another one
        agreement_services.agreement_link(
            actor=self.actor(owner), agreement=ours, partner_iia_id=theirs.iia_id
        )

    def _approve(self, owner: str, ours: Agreement) -> None:
        """``owner`` approves the partner's copy at its current version, unless it ever did."""
        ours.refresh_from_db()
        theirs = partner_copy(ours)
        if theirs is None:
            return
        if AgreementApproval.objects.filter(agreement=theirs, approver_hei_id=owner).exists():
            return
        agreement_services.agreement_approve(
            actor=self.actor(owner), agreement=ours, iia_hash=theirs.iia_hash
        )

    # --- Calls ---------------------------------------------------------------------------

    def _call(
        self, owner: str, fields: dict[str, Any], opens: int, closes: int
    ) -> tuple[Call, bool]:
        institution = self.institution[owner]
        found = Call.objects.filter(owner=institution, title=fields["title"]).first()
        if found is not None:
            return found, False
        zone = zoneinfo.ZoneInfo(institution.timezone)
        today = timezone.now().astimezone(zone).date()
        actor = self.actor(owner)
        call = call_services.call_create(
            actor=actor,
            institution=institution,
            opens_at=_local(today + datetime.timedelta(days=opens), 9, 0, zone),
            closes_at=_local(today + datetime.timedelta(days=closes), 23, 59, zone),
            **fields,
        )
        # Places of a condition with several subject areas share its seats.
        call_services.places_derive(actor=actor, call=call)
        call = call_services.call_publish(actor=actor, call=call)
        return call, True

    def _places(self, call: Call) -> dict[tuple[str, str], Place]:
        return {(p.host_hei_id, p.subject_area): p for p in call.places.select_related("host")}

    def _student(self, email: str, owner: str, locale: str) -> User:
        """A demo student of ``owner`` with a name typical of ``locale``; the demo password
        when the account is new (an account that exists keeps its password)."""
        first, last = name_for(locale, email)
        user = demo_account(email, first_name=first, last_name=last)
        Role.objects.get_or_create(
            user=user, institution=self.institution[owner], kind=RoleKind.STUDENT
        )
        return user

    def _apply(
        self,
        call: Call,
        student: User,
        data: Applicant,
        places: dict[tuple[str, str], Place],
        at: datetime.datetime,
        number: int,
    ) -> Application | None:
        """The student's application as they would make it: start, draft, submit at ``at``
        (inside the window). None when the student has applied already."""
        if Application.objects.filter(call=call, student=student).exists():
            return None
        ranked = [places[key] for key in data.choices]
        fields: dict[str, Any] = {"cycle": data.cycle, "languages": data.languages}
        if data.grade is not None:
            fields["grade_average"] = Decimal(data.grade)
        if ranked:
            first = ranked[0]
            host = first.host.display_name if first.host else first.host_hei_id
            area = isced.name_of(first.subject_area)
            fields["motivation"] = MOTIVATIONS[number % len(MOTIVATIONS)].format(
                host=host, area=area.lower() if area else "engineering"
            )
        application = application_services.application_start(actor=student, call=call, now=at)
        application = application_services.application_save_draft(
            actor=student, application=application, fields=fields, places=ranked
        )
        if data.submitted:
            application = application_services.application_submit(
                actor=student, application=application, now=at + datetime.timedelta(minutes=40)
            )
        return application

    def tpu_call(self) -> None:
        call, _new = self._call(TPU, TPU_CALL, TPU_OPENS, TPU_CLOSES)
        places = self._places(call)
        for number, data in enumerate(TPU_APPLICANTS, start=1):
            student = self._student(f"student{number}@tpu.demo", TPU, "ru_RU")
            # Over the days since the call opened, in the afternoon.
            at = call.opens_at + datetime.timedelta(days=number, hours=5 + number % 4)
            self._apply(call, student, data, places, at, number)

    def kth_open_call(self) -> None:
        self._call(KTH, KTH_OPEN_CALL, KTH_OPEN_OPENS, KTH_OPEN_CLOSES)

    # --- The allocation at KTH -----------------------------------------------------------

    def kth_call(self) -> None:
        call, _new = self._call(KTH, KTH_CALL, KTH_OPENS, KTH_CLOSES)
        officer = self.actor(KTH)
        if call.status != CallStatus.PUBLISHED:
            return  # allocated already: what follows was done then
        places = self._places(call)
        applicants = [
            (f"student{n}@kth.demo", data) for n, data in enumerate(KTH_APPLICANTS, start=1)
        ]
        applicants.append((PERSONA_STUDENT, PERSONA_APPLICANT))
        for number, (email, data) in enumerate(applicants, start=1):
            student = self._student(email, KTH, "sv_SE")
            at = call.opens_at + datetime.timedelta(days=2 * number, hours=4 + number % 5)
            application = self._apply(call, student, data, places, at, number)
            if application is not None and data.committee is not None:
                application_services.application_score(
                    actor=officer,
                    application=application,
                    committee_score=Decimal(data.committee),
                )
        run = allocation_services.allocation_run(actor=officer, call=call)
        run = allocation_services.allocation_publish(actor=officer, run=run)
        self._nominate(call, run)

    def _nominate(self, call: Call, run: Any) -> None:
        officer = self.actor(KTH)
        hosts = {str(p.uuid): p for p in call.places.all()}
        placed = (
            call.applications.filter(state=ApplicationState.PLACED)
            .exclude(student__email=PERSONA_STUDENT)
            .select_related("student", "call", "owner")
            .order_by("-score", "tiebreak")
        )
        accepted = False
        for application in placed:
            place = hosts.get(run.results.get(str(application.uuid)) or "")
            if place is None or place.host_hei_id not in NOMINATED_HOSTS:
                continue
            nomination = nomination_services.nomination_create(
                actor=officer, application=application
            )
            self._profile(officer, nomination, place)
            if place.host_hei_id == ACCEPTING_HOST and not accepted:
                nomination_services.nomination_accept(
                    actor=self.actor(ACCEPTING_HOST), nomination=nomination
                )
                accepted = True

    def _profile(self, officer: User | None, nomination: Nomination, place: Place) -> None:
        """What EWP needs to know about the nominated student, as the office completes it."""
        student = nomination.application.student
        number = int(student.email.split("@")[0].removeprefix("student") or 0)
        nomination_services.student_profile_save(
            actor=officer,
            nomination=nomination,
            first_name=student.first_name,
            last_name=student.last_name,
            birth_date=datetime.date(2001 + number % 4, 1 + number % 12, 1 + (7 * number) % 28),
            nationality="SE",
            gender=Gender.FEMALE if number % 2 else Gender.MALE,
            isced_f_code=place.subject_area,
        )


def _local(day: datetime.date, hour: int, minute: int, zone: zoneinfo.ZoneInfo):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


__all__ = ["load_demo_mobility"]
