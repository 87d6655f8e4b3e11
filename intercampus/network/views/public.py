"""Public pages: the consortium, its institutions, work groups and projects. No login needed,
and no personal data beyond the names and positions of work group representatives."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intercampus.core.limits import BoundedTextFormMixin
from intercampus.institutions.choices import HeadcountCategory
from intercampus.network import selectors
from intercampus.network.models import Consortium

INSTITUTIONS_PER_PAGE = 50


def _consortium_context(consortium: Consortium) -> dict:
    members, partners = selectors.members_and_partners(consortium)
    totals = selectors.consortium_totals(consortium)
    figures = [
        {"key": c.value, "label": c.label, "value": getattr(totals, c.value)}
        for c in HeadcountCategory
    ]
    return {
        "consortium": consortium,
        "members": members,
        "partners": partners,
        "totals": totals,
        "figures": figures,
        "chart": {
            "labels": [str(f["label"]) for f in figures],
            "values": [f["value"] for f in figures],
            "title": _chart_title(totals),
        },
        "work_groups": list(selectors.work_groups_of(consortium)),
        "projects": list(selectors.projects_of(consortium)),
        "programmes": list(selectors.programmes_of(consortium)),
        "other_consortia": list(selectors.other_consortia(consortium)),
    }


def _chart_title(totals: selectors.Totals) -> str:
    if totals.one_year:
        return str(_("People in {year}").format(year=totals.year))
    return str(_("People, latest year reported ({years})").format(years=totals.years_text()))


def home(request: HttpRequest) -> HttpResponse:
    """The default consortium's page, or how to load the demo when there is no consortium."""
    consortium = selectors.default_consortium()
    context = _consortium_context(consortium) if consortium else {"consortium": None}
    return render(request, "network/home.html", context)


def consortium_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consortium = selectors.get_consortium(slug)
    return render(request, "network/consortium_detail.html", _consortium_context(consortium))


class InstitutionSearchForm(BoundedTextFormMixin, forms.Form):
    """The search box and country filter of the institution directory."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, city or SCHAC code"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, countries: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries"))] + [
            (c.code, c.name) for c in countries
        ]


def institution_list(request: HttpRequest) -> HttpResponse:
    form = InstitutionSearchForm(request.GET or None, countries=selectors.institution_countries())
    filters = form.cleaned_data if form.is_valid() else {}
    institutions = selectors.institution_directory(
        query=filters.get("q", ""), country=filters.get("country", "")
    )
    page = Paginator(institutions, INSTITUTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "network/institution_list.html",
        {"form": form, "page": page, "filtered": bool(filters.get("q") or filters.get("country"))},
    )


def institution_detail(request: HttpRequest, schac: str) -> HttpResponse:
    profile = selectors.institution_profile(schac)
    latest = profile.headcounts[0] if profile.headcounts else None
    categories = list(HeadcountCategory)
    return render(
        request,
        "network/institution_detail.html",
        {
            "profile": profile,
            "institution": profile.institution,
            "categories": categories,
            "latest": latest,
            "latest_figures": list(zip(categories, latest.counts, strict=True)) if latest else [],
            "previous_years": profile.headcounts[1:],
        },
    )


def work_group_detail(request: HttpRequest, slug: str, group: str) -> HttpResponse:
    consortium = selectors.get_consortium(slug)
    work_group = selectors.get_work_group(consortium, group)
    return render(
        request,
        "network/work_group_detail.html",
        {
            "consortium": consortium,
            "group": work_group,
            "appointment": selectors.latest_appointment(work_group),
            "members": selectors.work_group_members(work_group),
            "access_points": list(selectors.access_points_for(work_group)),
            "meetings": list(selectors.meetings_of(work_group)),
            "other_decisions": list(selectors.decisions_without_meeting(work_group)),
            "actions": selectors.actions_of(work_group, today=timezone.localdate()),
        },
    )


def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = selectors.get_project(slug)
    return render(request, "network/project_detail.html", {"project": project})
