"""The mobility report of the institution under /i/<schac>/mobility/reports/?year=YYYY/YYYY:
seats offered and used per agreement and partner, the flows per partner as a chart with its
table, the balance, and the same figures as CSV and Excel. Needs ``mobility.view_reports``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from intercampus.core.permissions import staff_view
from intercampus.lib.spreadsheets import csv_response, xlsx_response
from intercampus.mobility.selectors import reports as selectors

VIEW = "mobility.view_reports"


def _year(request: HttpRequest) -> tuple[str, str]:
    """The year asked for (or the one the report opens on) and, when what was asked is not a
    year, why."""
    asked = request.GET.get("year", "").strip()
    if not asked:
        return selectors.default_report_year(request.institution), ""
    if selectors.is_academic_year(asked):
        return asked, ""
    return selectors.current_academic_year(), _(
        "“{year}” is not an academic year such as 2027/2028; showing the current year."
    ).format(year=asked)


def _year_choices(year: str) -> list[str]:
    first = int(selectors.current_academic_year()[:4])
    years = {f"{y}/{y + 1}" for y in range(first - 4, first + 4)} | {year}
    return sorted(years, reverse=True)


@staff_view(VIEW)
@require_GET
def mobility_report(request: HttpRequest) -> HttpResponse:
    year, error = _year(request)
    report = selectors.mobility_report(request.institution, year)
    return render(
        request,
        "mobility/reports/report.html",
        {
            "institution": request.institution,
            "year": year,
            "asked": request.GET.get("year", ""),
            "year_error": error,
            "years": _year_choices(year),
            "report": report,
            "chart": selectors.chart_data(report),
        },
    )


def _export(request: HttpRequest, respond: Any, extension: str) -> HttpResponse:
    year, _error = _year(request)
    report = selectors.mobility_report(request.institution, year)
    header = [str(c) for c in selectors.EXPORT_COLUMNS]
    filename = f"mobility-{request.institution.schac}-{year.replace('/', '-')}.{extension}"
    return respond(filename, header, selectors.export_rows(report))


@staff_view(VIEW)
@require_GET
def mobility_report_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, csv_response, "csv")


@staff_view(VIEW)
@require_GET
def mobility_report_xlsx(request: HttpRequest) -> HttpResponse:
    def respond(filename: str, header: Any, rows: Any) -> HttpResponse:
        return xlsx_response(filename, header, rows, title=str(_("Mobility")))

    return _export(request, respond, "xlsx")
