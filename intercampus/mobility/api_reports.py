"""The mobility report in the API: for one institution and academic year, the seats offered
and used per agreement and per partner, outgoing and incoming, the balance and the totals;
as JSON, or as the CSV and Excel files the report page offers (``?format=csv|xlsx``).

Acts as the institution named in the path (``core.api_auth.acting_at``) with
``mobility.view_reports``, as the page does: staff of another institution get 404, other roles
403. The figures come from ``selectors.reports.mobility_report``, which the page uses too.
"""

# No ``from __future__ import annotations``: ninja reads the annotations of the view.
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from intercampus.core.api_auth import AUTH, acting_at
from intercampus.lib.spreadsheets import csv_response, xlsx_response
from intercampus.mobility.schemas import InstitutionRefOut
from intercampus.mobility.selectors import reports as selectors

router = Router()

VIEW = "mobility.view_reports"


# --- Schemas --------------------------------------------------------------------------------


class ReportQuery(Schema):
    year: str = Field(
        "", max_length=9, description="Academic year as YYYY/YYYY, e.g. 2027/2028; default: now"
    )
    format: Literal["json", "csv", "xlsx"] = Field(
        "json", description="json, or the same figures as a CSV or Excel file"
    )

    @field_validator("year")
    @classmethod
    def _academic_year(cls, value: str) -> str:
        value = value.strip()
        if value and not selectors.is_academic_year(value):
            raise ValueError(_("Enter an academic year such as 2027/2028."))
        return value


class SeatsOut(Schema):
    offered: int = Field(description="Mobilities per year of the agreements' conditions")
    used: int = Field(description="Nominations waiting or accepted")


class FiguresOut(Schema):
    outgoing: SeatsOut
    incoming: SeatsOut
    balance: int = Field(description="Incoming used − outgoing used")


class AgreementRefOut(Schema):
    id: uuid.UUID
    iia_code: str


class AgreementRowOut(FiguresOut):
    agreement: AgreementRefOut | None = Field(
        description="Our copy; null for incoming nominations under no agreement of ours"
    )
    label: str
    partner: InstitutionRefOut


class PartnerRowOut(FiguresOut):
    partner: InstitutionRefOut


class ReportOut(Schema):
    institution: str = Field(description="SCHAC code")
    year: str
    agreements: list[AgreementRowOut]
    partners: list[PartnerRowOut]
    total: FiguresOut


# --- Shaping --------------------------------------------------------------------------------


def _figures(figures: selectors.Figures) -> dict[str, Any]:
    return {
        "outgoing": {"offered": figures.out_offered, "used": figures.out_used},
        "incoming": {"offered": figures.in_offered, "used": figures.in_used},
        "balance": figures.balance,
    }


def _partner(schac: str, name: str) -> dict[str, Any]:
    return {"id": schac, "name": name}


def _report_out(report: selectors.Report) -> dict[str, Any]:
    return {
        "institution": report.institution.schac,
        "year": report.year,
        "agreements": [
            {
                **_figures(row.figures),
                "agreement": (
                    {"id": row.agreement.uuid, "iia_code": row.agreement.iia_code}
                    if row.agreement is not None
                    else None
                ),
                "label": row.label,
                "partner": _partner(row.partner_hei_id, row.partner_name),
            }
            for row in report.agreements
        ],
        "partners": [
            {**_figures(row.figures), "partner": _partner(row.partner_hei_id, row.partner_name)}
            for row in report.partners
        ],
        "total": _figures(report.total),
    }


# --- Endpoint -------------------------------------------------------------------------------

_FILES = {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}


@router.get(
    "/institutions/{schac}/mobility-report",
    response=ReportOut,
    auth=AUTH,
    summary="Seats offered and used per agreement and partner in an academic year",
    openapi_extra={"responses": {200: {"content": _FILES}}},
)
def mobility_report(request: HttpRequest, schac: str, query: Query[ReportQuery]) -> Any:
    """Outgoing: where we send, our nominations; incoming: where we receive, the partners'
    nominations to us. A year that is not ``YYYY/YYYY`` (consecutive years) is refused with
    422; without one, the current academic year if it has nominations, else the newest year
    that has some."""
    with acting_at(request, schac, VIEW) as acting:
        year = query.year or selectors.default_report_year(acting.institution)
        report = selectors.mobility_report(acting.institution, year)
        if query.format == "json":
            return _report_out(report)
        header = [str(c) for c in selectors.EXPORT_COLUMNS]
        rows = selectors.export_rows(report)
    filename = f"mobility-{acting.institution.schac}-{year.replace('/', '-')}.{query.format}"
    if query.format == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, header, rows, title=str(_("Mobility")))
