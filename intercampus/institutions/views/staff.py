"""The international relations officer's pages for their own institution: its profile,
organisational units, headcounts and people.

Every view runs under /i/<schac>/, where the tenancy middleware has resolved
``request.institution`` and opened its scope; objects named in the URL are looked up among
that institution's rows only (see ``institutions.selectors``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intercampus.core.permissions import staff_view
from intercampus.core.services import ServiceError
from intercampus.core.staff_pages import staff_crumbs, staff_renderer, staff_url
from intercampus.institutions import selectors, services
from intercampus.institutions.choices import HeadcountCategory
from intercampus.institutions.forms import (
    HeadcountImportForm,
    HeadcountYearForm,
    PersonForm,
    ProfileForm,
    UnitForm,
    add_errors,
)
from intercampus.lib.spreadsheets import csv_response, xlsx_response

PEOPLE_PER_PAGE = 50

_render = staff_renderer("institutions/")


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# --- Profile ------------------------------------------------------------------------------


@staff_view("institutions.change_profile")
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    institution = request.institution
    form = ProfileForm(
        _posted(request),
        initial=ProfileForm.initial_for(institution),
        current_timezone=institution.timezone,
    )
    if form.is_bound and form.is_valid():
        try:
            services.institution_update(
                actor=request.user, institution=institution, **form.cleaned_data
            )
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The profile is saved."))
            return redirect(staff_url(request, "profile"))
    return _render(request, "profile.html", {"form": form, "crumbs": staff_crumbs(request)})


# --- Organisational units -----------------------------------------------------------------


@staff_view("institutions.manage_units")
@require_GET
def units(request: HttpRequest) -> HttpResponse:
    return _render(
        request,
        "units.html",
        {"tree": selectors.unit_tree(request.institution), "crumbs": staff_crumbs(request)},
    )


def _unit_form_page(request: HttpRequest, unit: Any = None) -> HttpResponse:
    form = UnitForm(_posted(request), institution=request.institution, unit=unit)
    if form.is_bound and form.is_valid():
        try:
            if unit is None:
                saved = services.unit_create(
                    actor=request.user, institution=request.institution, **form.cleaned_data
                )
                messages.success(request, _("“{name}” is added.").format(name=saved.name))
            else:
                saved = services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
                messages.success(request, _("“{name}” is saved.").format(name=saved.name))
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            return redirect(staff_url(request, "units"))
    crumbs = staff_crumbs(request, (staff_url(request, "units"), _("Organisational units")))
    return _render(request, "unit_form.html", {"form": form, "unit": unit, "crumbs": crumbs})


@staff_view("institutions.manage_units")
@require_http_methods(["GET", "POST"])
def unit_add(request: HttpRequest) -> HttpResponse:
    return _unit_form_page(request)


@staff_view("institutions.manage_units")
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, unit: uuid.UUID) -> HttpResponse:
    return _unit_form_page(request, selectors.get_unit(request.institution, unit))


@staff_view("institutions.manage_units")
@require_http_methods(["GET", "POST"])
def unit_delete(request: HttpRequest, unit: uuid.UUID) -> HttpResponse:
    obj = selectors.get_unit(request.institution, unit)
    if request.method == "POST":
        try:
            services.unit_delete(actor=request.user, unit=obj)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("“{name}” is deleted.").format(name=obj.name))
        return redirect(staff_url(request, "units"))
    return _render(
        request,
        "confirm_delete.html",
        {
            "object": obj,
            "crumbs": staff_crumbs(
                request, (staff_url(request, "units"), _("Organisational units"))
            ),
            "cancel_url": staff_url(request, "units"),
            "people_count": obj.people.count(),
            "children_count": obj.children.count(),
        },
    )


# --- Headcounts ---------------------------------------------------------------------------


def _headcounts_page(request: HttpRequest, import_form: HeadcountImportForm) -> HttpResponse:
    return _render(
        request,
        "headcounts.html",
        {
            "grid": selectors.headcount_grid(request.institution),
            "categories": list(HeadcountCategory),
            "import_form": import_form,
            "crumbs": staff_crumbs(request),
        },
    )


@staff_view("institutions.manage_headcounts")
@require_GET
def headcounts(request: HttpRequest) -> HttpResponse:
    return _headcounts_page(request, HeadcountImportForm())


def _headcount_form_page(request: HttpRequest, year: int | None) -> HttpResponse:
    counts = selectors.headcount_year(request.institution, year) if year else {}
    form = HeadcountYearForm(_posted(request), year=year, counts=counts)
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data["year"]
        try:
            services.headcount_set(
                actor=request.user,
                institution=request.institution,
                year=chosen,
                counts=form.counts(),
            )
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The counts of {year} are saved.").format(year=chosen))
            return redirect(staff_url(request, "headcounts"))
    crumbs = staff_crumbs(request, (staff_url(request, "headcounts"), _("Headcounts")))
    return _render(request, "headcount_form.html", {"form": form, "year": year, "crumbs": crumbs})


@staff_view("institutions.manage_headcounts")
@require_http_methods(["GET", "POST"])
def headcount_add(request: HttpRequest) -> HttpResponse:
    return _headcount_form_page(request, None)


def _check_year(year: int) -> None:
    if not services.FIRST_YEAR <= year <= services.last_headcount_year():
        raise Http404


@staff_view("institutions.manage_headcounts")
@require_http_methods(["GET", "POST"])
def headcount_edit(request: HttpRequest, year: int) -> HttpResponse:
    _check_year(year)
    return _headcount_form_page(request, year)


@staff_view("institutions.manage_headcounts")
@require_http_methods(["GET", "POST"])
def headcount_delete(request: HttpRequest, year: int) -> HttpResponse:
    _check_year(year)
    if not selectors.headcount_year(request.institution, year):
        raise Http404
    if request.method == "POST":
        services.headcount_year_delete(
            actor=request.user, institution=request.institution, year=year
        )
        messages.success(request, _("The counts of {year} are deleted.").format(year=year))
        return redirect(staff_url(request, "headcounts"))
    return _render(
        request,
        "confirm_delete.html",
        {
            "object": _("the counts of {year}").format(year=year),
            "crumbs": staff_crumbs(request, (staff_url(request, "headcounts"), _("Headcounts"))),
            "cancel_url": staff_url(request, "headcounts"),
        },
    )


def _export(request: HttpRequest, respond: Any, extension: str) -> HttpResponse:
    filename = f"headcounts-{request.institution.schac}.{extension}"
    return respond(
        filename, services.HEADCOUNT_COLUMNS, selectors.headcount_export_rows(request.institution)
    )


@staff_view("institutions.manage_headcounts")
@require_GET
def headcounts_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, csv_response, "csv")


@staff_view("institutions.manage_headcounts")
@require_GET
def headcounts_xlsx(request: HttpRequest) -> HttpResponse:
    def respond(filename: str, header: Any, rows: Any) -> HttpResponse:
        return xlsx_response(filename, header, rows, title=str(_("Headcounts")))

    return _export(request, respond, "xlsx")


@staff_view("institutions.manage_headcounts")
@require_POST
def headcount_import(request: HttpRequest) -> HttpResponse:
    """Apply a whole spreadsheet, or nothing, and list every row at fault."""
    form = HeadcountImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            changed = services.headcounts_import(
                actor=request.user,
                institution=request.institution,
                header=form.table.header,
                rows=form.table.rows,
            )
        except (ServiceError, ValidationError) as error:
            form.add_error(None, _("Nothing was imported. Correct these rows and upload again:"))
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("The file is imported: {rows} rows read, {changed} counts changed.").format(
                    rows=len(form.table.rows), changed=changed
                ),
            )
            return redirect(staff_url(request, "headcounts"))
    return _headcounts_page(request, form)


# --- People -------------------------------------------------------------------------------


@staff_view("institutions.manage_people")
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.people_of(request.institution), PEOPLE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return _render(request, "people.html", {"page": page, "crumbs": staff_crumbs(request)})


def _person_form_page(request: HttpRequest, person: Any = None) -> HttpResponse:
    form = PersonForm(_posted(request), institution=request.institution, person=person)
    if form.is_bound and form.is_valid():
        try:
            if person is None:
                saved = services.person_create(
                    actor=request.user, institution=request.institution, **form.cleaned_data
                )
                messages.success(request, _("{name} is added.").format(name=saved))
            else:
                saved = services.person_update(
                    actor=request.user, person=person, **form.cleaned_data
                )
                messages.success(request, _("{name} is saved.").format(name=saved))
        except (ServiceError, ValidationError) as error:
            add_errors(form, error)
        else:
            return redirect(staff_url(request, "people"))
    crumbs = staff_crumbs(request, (staff_url(request, "people"), _("People")))
    return _render(request, "person_form.html", {"form": form, "person": person, "crumbs": crumbs})


@staff_view("institutions.manage_people")
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest) -> HttpResponse:
    return _person_form_page(request)


@staff_view("institutions.manage_people")
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person: uuid.UUID) -> HttpResponse:
    return _person_form_page(request, selectors.get_person(request.institution, person))


@staff_view("institutions.manage_people")
@require_http_methods(["GET", "POST"])
def person_delete(request: HttpRequest, person: uuid.UUID) -> HttpResponse:
    obj = selectors.get_person(request.institution, person)
    if request.method == "POST":
        try:
            services.person_delete(actor=request.user, person=obj)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("{name} is deleted.").format(name=obj))
        return redirect(staff_url(request, "people"))
    return _render(
        request,
        "confirm_delete.html",
        {
            "object": obj,
            "crumbs": staff_crumbs(request, (staff_url(request, "people"), _("People"))),
            "cancel_url": staff_url(request, "people"),
            "seats": list(obj.work_group_seats.select_related("work_group")),
        },
    )
