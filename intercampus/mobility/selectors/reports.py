"""The mobility report of one institution and academic year: seats offered and used per
agreement and per partner, outgoing and incoming, and the balance (incoming − outgoing).

* Seats offered: the mobilities per year of the student cooperation conditions of our own
  agreement copies (not terminated) valid that year; outgoing where we send, incoming where
  we receive.
* Seats used: nominations waiting or accepted for a call of that year; outgoing are ours,
  incoming are the partners' nominations to us, read across institutions in
  :func:`_incoming_nominations` (filtered by our SCHAC code as their host: what EWP would
  serve us). An incoming nomination counts against our copy of the agreement it names when
  the two copies are linked.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from intercampus.institutions.models import Institution
from intercampus.mobility.choices import STUDENT_TYPES
from intercampus.mobility.models import Agreement, CooperationCondition, Nomination
from intercampus.mobility.selectors.calls import SEAT_HOLDING

YEAR = re.compile(r"^(?P<first>[0-9]{4})/(?P<second>[0-9]{4})$")


def current_academic_year(today: datetime.date | None = None) -> str:
    """The academic year running on ``today``: from August on, the one that starts then."""
    today = today or timezone.localdate()
    first = today.year if today.month >= 8 else today.year - 1
    return f"{first}/{first + 1}"


def default_report_year(institution: Institution, today: datetime.date | None = None) -> str:
    """The year a report opens on: the current academic year when the institution has
    nominations in it (as home or host), else the newest year that has some, else the current
    one. A report that opens on a year of zeros tells nothing."""
    current = current_academic_year(today)
    with scopes_disabled():
        # Cross-tenant on purpose: only the years of the institution's own flows are read.
        years = set(
            Nomination.objects.filter(
                Q(home=institution) | Q(host_hei_id=institution.schac),
                status__in=SEAT_HOLDING,
            )
            .values_list("place__call__academic_year", flat=True)
            .distinct()
        )
    if not years or current in years:
        return current
    return max(years)


def is_academic_year(value: str) -> bool:
    """True for ``YYYY/YYYY`` where the second year follows the first."""
    match = YEAR.match(value or "")
    return bool(match) and int(match["second"]) == int(match["first"]) + 1


@dataclass
class Figures:
    """Seats offered and used in both directions; the balance is incoming − outgoing used."""

    out_offered: int = 0
    out_used: int = 0
    in_offered: int = 0
    in_used: int = 0

    @property
    def balance(self) -> int:
        return self.in_used - self.out_used

    def add(self, other: Figures) -> None:
        self.out_offered += other.out_offered
        self.out_used += other.out_used
        self.in_offered += other.in_offered
        self.in_used += other.in_used


@dataclass
class AgreementRow:
    """One of our agreement copies (None: incoming nominations under no copy of ours)."""

    agreement: Agreement | None
    partner_hei_id: str
    partner_name: str
    figures: Figures = field(default_factory=Figures)

    @property
    def label(self) -> str:
        if self.agreement is None:
            return str(_("not under one of our agreements"))
        return self.agreement.iia_code or self.agreement.iia_id[:8]


@dataclass
class PartnerRow:
    partner_hei_id: str
    partner_name: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class Report:
    institution: Institution
    year: str
    agreements: list[AgreementRow]
    partners: list[PartnerRow]
    total: Figures

    @property
    def empty(self) -> bool:
        return not self.agreements


# --- Reading ---------------------------------------------------------------------------------


def _conditions(institution: Institution, year: str) -> list[CooperationCondition]:
    return list(
        CooperationCondition.objects.filter(
            agreement__owner=institution,
            agreement__terminated=False,
            mobility_type__in=STUDENT_TYPES,
            first_academic_year__lte=year,
            last_academic_year__gte=year,
        ).select_related("agreement")
    )


def _outgoing_nominations(institution: Institution, year: str) -> list[Nomination]:
    with scopes_disabled():
        # Our own nominations (we are their home).
        return list(
            Nomination.objects.filter(
                home=institution, status__in=SEAT_HOLDING, place__call__academic_year=year
            ).select_related("place__condition__agreement")
        )


def _incoming_nominations(institution: Institution, year: str) -> list[Nomination]:
    with scopes_disabled():
        # Cross-tenant on purpose: the nominations whose host is us, counted, never shown.
        return list(
            Nomination.objects.filter(
                host_hei_id=institution.schac,
                status__in=SEAT_HOLDING,
                place__call__academic_year=year,
            ).select_related("home", "place__condition__agreement__owner")
        )


def _our_copy_of(theirs: Agreement, ours: Iterable[Agreement]) -> Agreement | None:
    for copy in ours:
        if copy.partner_hei_id != theirs.owner.schac:
            continue
        if copy.partner_iia_id == theirs.iia_id or copy.iia_id == theirs.partner_iia_id:
            return copy
    return None


def mobility_report(institution: Institution, year: str) -> Report:
    """The report of ``institution`` for the academic ``year`` (``YYYY/YYYY``)."""
    rows: dict[Any, AgreementRow] = {}
    names = _names(institution)

    def row(agreement: Agreement | None, partner: str) -> AgreementRow:
        key = agreement.pk if agreement is not None else ("none", partner)
        if key not in rows:
            rows[key] = AgreementRow(agreement, partner, names.get(partner, partner))
        return rows[key]

    for condition in _conditions(institution, year):
        agreement = condition.agreement
        figures = row(agreement, agreement.partner_hei_id).figures
        if condition.sending_hei_id == institution.schac:
            figures.out_offered += condition.mobilities_per_year
        elif condition.receiving_hei_id == institution.schac:
            figures.in_offered += condition.mobilities_per_year
    for nomination in _outgoing_nominations(institution, year):
        agreement = nomination.place.condition.agreement
        row(agreement, nomination.host_hei_id).figures.out_used += 1
    with scopes_disabled():
        ours = list(Agreement.objects.filter(owner=institution).select_related("owner"))
    for nomination in _incoming_nominations(institution, year):
        theirs = nomination.place.condition.agreement
        row(_our_copy_of(theirs, ours), nomination.home.schac).figures.in_used += 1
    agreements = sorted(rows.values(), key=lambda r: (r.partner_name.lower(), r.label))
    return Report(
        institution=institution,
        year=year,
        agreements=agreements,
        partners=_by_partner(agreements),
        total=_total(agreements),
    )


def _names(institution: Institution) -> dict[str, str]:
    return {i.schac: i.display_name for i in Institution.objects.exclude(pk=institution.pk)}


def _by_partner(agreements: list[AgreementRow]) -> list[PartnerRow]:
    partners: dict[str, PartnerRow] = {}
    for agreement in agreements:
        partner = partners.setdefault(
            agreement.partner_hei_id,
            PartnerRow(agreement.partner_hei_id, agreement.partner_name),
        )
        partner.figures.add(agreement.figures)
    return sorted(partners.values(), key=lambda p: p.partner_name.lower())


def _total(agreements: list[AgreementRow]) -> Figures:
    total = Figures()
    for agreement in agreements:
        total.add(agreement.figures)
    return total


# --- Exports and the chart ---------------------------------------------------------------------


EXPORT_COLUMNS = (
    _("level"),
    _("agreement"),
    _("partner (SCHAC)"),
    _("partner"),
    _("outgoing seats offered"),
    _("outgoing seats used"),
    _("incoming seats offered"),
    _("incoming seats used"),
    _("balance (incoming − outgoing)"),
)


def _figures(f: Figures) -> list[int]:
    return [f.out_offered, f.out_used, f.in_offered, f.in_used, f.balance]


def export_rows(report: Report) -> list[list[Any]]:
    """Agreements, then partners, then the total, in the order of ``EXPORT_COLUMNS``."""
    rows: list[list[Any]] = []
    for a in report.agreements:
        level = str(_("agreement"))
        rows.append([level, a.label, a.partner_hei_id, a.partner_name, *_figures(a.figures)])
    for p in report.partners:
        rows.append([str(_("partner")), "", p.partner_hei_id, p.partner_name, *_figures(p.figures)])
    rows.append([str(_("total")), "", "", "", *_figures(report.total)])
    return rows


def chart_data(report: Report) -> dict[str, Any]:
    """Outgoing and incoming students per partner, for a Chart.js bar chart."""
    return {
        "labels": [p.partner_name for p in report.partners],
        "outgoing": [p.figures.out_used for p in report.partners],
        "incoming": [p.figures.in_used for p in report.partners],
        "outgoing_label": str(_("Outgoing")),
        "incoming_label": str(_("Incoming")),
    }
