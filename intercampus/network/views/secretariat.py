"""Staff pages of the consortium secretariat: members, work groups, appointments, projects.

Everything hangs off the consortium fetched with ``get_managed_consortium`` (only the one the
institution hosts), so an id in the URL can never reach another consortium's data. Writes go
through services and redirect (PRG); a refused POST re-renders with what was typed.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from intercampus.core.permissions import staff_view
from intercampus.core.staff_pages import staff_url
from intercampus.network import forms, selectors, services
from intercampus.network.models import Consortium, Project, WorkGroup
from intercampus.network.views.staff_common import (
    MANAGE_CONSORTIUM,
    _attempt,
    _attempt_or_message,
    _consortium_crumbs,
    _form_page,
    _home_crumb,
    _not_post,
)

# --- Secretariat: the consortium and its memberships ---------------------------------------


def _consortium(request: HttpRequest, slug: str) -> Consortium:
    return selectors.get_managed_consortium(request.institution, slug)


@staff_view(MANAGE_CONSORTIUM)
def consortium(request: HttpRequest, slug: str) -> HttpResponse:
    managed = _consortium(request, slug)
    members, partners = selectors.members_and_partners(managed)
    return render(
        request,
        "network/staff/consortium.html",
        {
            "institution": request.institution,
            "consortium": managed,
            "members": members,
            "partners": partners,
            "ended": selectors.ended_memberships(managed),
            "crumbs": [_home_crumb(request)],
            "current": str(managed),
        },
    )


@staff_view(MANAGE_CONSORTIUM)
def consortium_edit(request: HttpRequest, slug: str) -> HttpResponse:
    managed = _consortium(request, slug)
    back = staff_url(request, "consortium", slug=slug)
    initial = {"description": managed.description, "website": managed.website}
    form = forms.ConsortiumForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            form,
            services.consortium_change,
            actor=request.user,
            consortium=managed,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The consortium's description was saved."))
            return redirect(back)
    return _form_page(
        request,
        form=form,
        title=_("Edit {consortium}").format(consortium=managed),
        submit=_("Save"),
        back=back,
        crumbs=_consortium_crumbs(request, managed),
        current=_("Edit"),
    )


@staff_view(MANAGE_CONSORTIUM)
def membership_add(request: HttpRequest, slug: str) -> HttpResponse:
    managed = _consortium(request, slug)
    back = staff_url(request, "consortium", slug=slug)
    form = forms.MembershipAddForm(
        request.POST or None, institutions=selectors.institutions_outside(managed)
    )
    if request.method == "POST" and form.is_valid():
        ok, membership = _attempt(
            form,
            services.membership_add,
            actor=request.user,
            consortium=managed,
            **form.cleaned_data,
        )
        if ok:
            messages.success(
                request,
                _("{institution} now belongs to {consortium}.").format(
                    institution=membership.institution, consortium=managed
                ),
            )
            return redirect(back)
    return _form_page(
        request,
        form=form,
        title=_("Add an institution to {consortium}").format(consortium=managed),
        intro=_("Choose an institution that is already on the platform."),
        aside_link=(
            _("Add an institution that is not on the platform yet"),
            staff_url(request, "member_new", slug=slug),
        ),
        submit=_("Add"),
        back=back,
        crumbs=_consortium_crumbs(request, managed),
        current=_("Add a member"),
    )


@staff_view(MANAGE_CONSORTIUM)
def member_new(request: HttpRequest, slug: str) -> HttpResponse:
    managed = _consortium(request, slug)
    back = staff_url(request, "consortium", slug=slug)
    form = forms.MemberInstitutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, membership = _attempt(
            form,
            services.member_institution_create,
            actor=request.user,
            consortium=managed,
            kind=form.cleaned_data["kind"],
            since=form.cleaned_data["since"],
            **form.institution_fields(),
        )
        if ok:
            messages.success(
                request,
                _("{institution} was added and now belongs to {consortium}.").format(
                    institution=membership.institution, consortium=managed
                ),
            )
            return redirect(back)
    return _form_page(
        request,
        form=form,
        title=_("Add a new institution to {consortium}").format(consortium=managed),
        submit=_("Add"),
        back=back,
        crumbs=_consortium_crumbs(request, managed),
        current=_("New institution"),
    )


@staff_view(MANAGE_CONSORTIUM)
def membership_edit(request: HttpRequest, slug: str, membership) -> HttpResponse:
    managed = _consortium(request, slug)
    found = selectors.get_membership(managed, membership)
    back = staff_url(request, "consortium", slug=slug)
    initial = {"kind": found.kind, "since": found.since, "until": found.until}
    form = forms.MembershipChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            form,
            services.membership_change,
            actor=request.user,
            membership=found,
            **form.cleaned_data,
        )
        if ok:
            messages.success(
                request,
                _("The membership of {institution} was saved.").format(
                    institution=found.institution
                ),
            )
            return redirect(back)
    return _form_page(
        request,
        form=form,
        title=_("Membership of {institution}").format(institution=found.institution),
        submit=_("Save"),
        back=back,
        crumbs=_consortium_crumbs(request, managed),
        current=str(found.institution),
    )


def _member_rows(managed: Consortium) -> tuple[list[str], list[list[Any]]]:
    header = [
        str(_("Name")),
        str(_("SCHAC code")),
        str(_("Country")),
        str(_("City")),
        str(_("Kind")),
        str(_("Since")),
    ]
    rows = [
        [
            m.institution.name,
            m.institution.schac,
            m.institution.country.code,
            m.institution.city,
            str(m.get_kind_display()),
            m.since,
        ]
        for m in selectors.current_memberships(managed)
    ]
    return header, rows


def _spreadsheet_safe(value: Any) -> Any:
    # A cell starting with = + - @ is run as a formula by spreadsheet programs.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@staff_view(MANAGE_CONSORTIUM)
def members_csv(request: HttpRequest, slug: str) -> HttpResponse:
    managed = _consortium(request, slug)
    header, rows = _member_rows(managed)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{managed.slug}-members.csv"'
    # A byte order mark, so that spreadsheet programs read the names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_spreadsheet_safe(v) for v in row])
    return response


@staff_view(MANAGE_CONSORTIUM)
def members_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    managed = _consortium(request, slug)
    header, rows = _member_rows(managed)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Members"))[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            # openpyxl would store a text starting with "=" as a formula; keep it text.
            if cell.data_type == "f":
                cell.data_type = "s"
            if hasattr(cell.value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEF", (45, 22, 10, 20, 20, 12), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{managed.slug}-members.xlsx"'
    return response


# --- Secretariat: work groups --------------------------------------------------------------


def _groups_crumb(request: HttpRequest, managed: Consortium) -> tuple[str, Any]:
    return (staff_url(request, "work_groups", slug=managed.slug), _("Work groups"))


def _group_crumbs(request: HttpRequest, managed: Consortium, group: WorkGroup, *more) -> list:
    return _consortium_crumbs(
        request,
        managed,
        _groups_crumb(request, managed),
        (staff_url(request, "work_group_manage", slug=managed.slug, group=group.slug), group.name),
        *more,
    )


@staff_view(MANAGE_CONSORTIUM)
def work_groups(request: HttpRequest, slug: str) -> HttpResponse:
    managed = _consortium(request, slug)
    return render(
        request,
        "network/staff/work_groups.html",
        {
            "institution": request.institution,
            "consortium": managed,
            "groups": selectors.consortium_work_groups(managed),
            "crumbs": _consortium_crumbs(request, managed),
            "current": _("Work groups"),
        },
    )


@staff_view(MANAGE_CONSORTIUM)
def work_group_create(request: HttpRequest, slug: str) -> HttpResponse:
    managed = _consortium(request, slug)
    form = forms.WorkGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, group = _attempt(
            form,
            services.work_group_create,
            actor=request.user,
            consortium=managed,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The group {name} was created.").format(name=group.name))
            return redirect(staff_url(request, "work_group_manage", slug=slug, group=group.slug))
    return _form_page(
        request,
        form=form,
        title=_("New work group"),
        submit=_("Create"),
        back=staff_url(request, "work_groups", slug=slug),
        crumbs=_consortium_crumbs(request, managed, _groups_crumb(request, managed)),
        current=_("New"),
    )


@staff_view(MANAGE_CONSORTIUM)
def work_group_manage(request: HttpRequest, slug: str, group: str) -> HttpResponse:
    managed = _consortium(request, slug)
    found = selectors.get_work_group(managed, group)
    return render(
        request,
        "network/staff/work_group_manage.html",
        {
            "institution": request.institution,
            "consortium": managed,
            "group": found,
            "appointments": selectors.appointments_of(found),
            "members": selectors.work_group_members(found),
            "access_points": selectors.access_points_for(found),
            "crumbs": _consortium_crumbs(request, managed, _groups_crumb(request, managed)),
            "current": found.name,
        },
    )


@staff_view(MANAGE_CONSORTIUM)
def work_group_edit(request: HttpRequest, slug: str, group: str) -> HttpResponse:
    managed = _consortium(request, slug)
    found = selectors.get_work_group(managed, group)
    form = forms.WorkGroupForm(
        request.POST or None, initial=forms.WorkGroupForm.initial_from(found)
    )
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            form,
            services.work_group_change,
            actor=request.user,
            work_group=found,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The group {name} was saved.").format(name=found.name))
            return redirect(staff_url(request, "work_group_manage", slug=slug, group=found.slug))
        # The refused values stay on the form; the page around it shows the stored group.
        found = selectors.get_work_group(managed, group)
    return _form_page(
        request,
        form=form,
        title=_("Edit {name}").format(name=found.name),
        submit=_("Save"),
        back=staff_url(request, "work_group_manage", slug=slug, group=group),
        crumbs=_group_crumbs(request, managed, found),
        current=_("Edit"),
    )


@staff_view(MANAGE_CONSORTIUM)
def work_group_appoint(request: HttpRequest, slug: str, group: str) -> HttpResponse:
    managed = _consortium(request, slug)
    found = selectors.get_work_group(managed, group)
    back = staff_url(request, "work_group_manage", slug=slug, group=group)
    form = forms.AppointmentForm(
        request.POST or None, institutions=selectors.current_member_institutions(managed)
    )
    if request.method == "POST" and form.is_valid():
        ok, appointment = _attempt(
            form,
            services.work_group_appoint,
            actor=request.user,
            work_group=found,
            **form.cleaned_data,
        )
        if ok:
            messages.success(
                request,
                _("{institution} was appointed to coordinate {group}.").format(
                    institution=appointment.institution, group=found.name
                ),
            )
            return redirect(back)
    return _form_page(
        request,
        "network/staff/work_group_appoint.html",
        form=form,
        group=found,
        appointments=selectors.appointments_of(found),
        title=_("Appoint a coordinator of {group}").format(group=found.name),
        intro=_(
            "Record the General Assembly's decision. The current coordinator's term ends "
            "the day before the new term starts."
        ),
        submit=_("Appoint"),
        back=back,
        crumbs=_group_crumbs(request, managed, found),
        current=_("Appoint a coordinator"),
    )


@staff_view(MANAGE_CONSORTIUM)
def work_group_member_add(request: HttpRequest, slug: str, group: str) -> HttpResponse:
    managed = _consortium(request, slug)
    found = selectors.get_work_group(managed, group)
    back = staff_url(request, "work_group_manage", slug=slug, group=group)
    candidates = selectors.institutions_to_seat(found)
    form = forms.WorkGroupMemberForm(
        request.POST or None, institutions=candidates, people=selectors.people_at(candidates)
    )
    if request.method == "POST" and form.is_valid():
        data, new_person = form.cleaned_data, form.new_person()
        common = {"actor": request.user, "work_group": found, "institution": data["institution"]}
        if new_person:
            ok, member = _attempt(
                form,
                services.work_group_member_add_new_representative,
                since=data["since"],
                **common,
                **new_person,
            )
        else:
            ok, member = _attempt(
                form,
                services.work_group_member_add,
                representative=data["representative"],
                since=data["since"],
                **common,
            )
        if ok:
            messages.success(
                request,
                _("{institution} is now in {group}.").format(
                    institution=member.institution, group=found.name
                ),
            )
            return redirect(back)
    return _form_page(
        request,
        form=form,
        title=_("Add a member to {group}").format(group=found.name),
        intro=_("Choose the representative among the institution's people, or name a new one."),
        submit=_("Add"),
        back=back,
        crumbs=_group_crumbs(request, managed, found),
        current=_("Add a member"),
    )


@staff_view(MANAGE_CONSORTIUM)
def work_group_member_remove(request: HttpRequest, slug: str, group: str, member) -> HttpResponse:
    managed = _consortium(request, slug)
    found = selectors.get_work_group(managed, group)
    seat = selectors.get_group_member(found, member)
    if refused := _not_post(request):
        return refused
    if _attempt_or_message(
        request, services.work_group_member_remove, actor=request.user, member=seat
    ):
        messages.success(
            request,
            _("{institution} was removed from {group}.").format(
                institution=seat.institution, group=found.name
            ),
        )
    return redirect(staff_url(request, "work_group_manage", slug=slug, group=group))


@staff_view(MANAGE_CONSORTIUM)
def access_point_set(request: HttpRequest, slug: str, group: str) -> HttpResponse:
    managed = _consortium(request, slug)
    found = selectors.get_work_group(managed, group)
    back = staff_url(request, "work_group_manage", slug=slug, group=group)
    form = forms.AccessPointForm(
        request.POST or None,
        institutions=selectors.current_member_institutions(managed).filter(
            work_group_seats__work_group=found
        ),
    )
    if request.method == "POST" and form.is_valid():
        ok, point = _attempt(
            form,
            services.access_point_set,
            actor=request.user,
            consortium=managed,
            work_group=found,
            **form.cleaned_data,
        )
        if ok:
            messages.success(
                request,
                _("{institution} is the access point for {country}.").format(
                    institution=point.institution, country=point.country.name
                ),
            )
            return redirect(back)
    return _form_page(
        request,
        form=form,
        title=_("Set an access point"),
        intro=_("Members of the group act as the consortium's access points to their countries."),
        submit=_("Save"),
        back=back,
        crumbs=_group_crumbs(request, managed, found),
        current=_("Access point"),
    )


# --- Secretariat: projects -----------------------------------------------------------------


def _projects_crumb(request: HttpRequest, managed: Consortium) -> tuple[str, Any]:
    return (staff_url(request, "projects", slug=managed.slug), _("Projects"))


@staff_view(MANAGE_CONSORTIUM)
def projects(request: HttpRequest, slug: str) -> HttpResponse:
    managed = _consortium(request, slug)
    return render(
        request,
        "network/staff/projects.html",
        {
            "institution": request.institution,
            "consortium": managed,
            "projects": selectors.projects_of(managed).prefetch_related("outputs"),
            "crumbs": _consortium_crumbs(request, managed),
            "current": _("Projects"),
        },
    )


@staff_view(MANAGE_CONSORTIUM)
def project_create(request: HttpRequest, slug: str) -> HttpResponse:
    managed = _consortium(request, slug)
    form = forms.ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, project = _attempt(
            form,
            services.project_create,
            actor=request.user,
            consortium=managed,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The project {name} was created.").format(name=project))
            return redirect(staff_url(request, "project", slug=slug, project=project.slug))
    return _form_page(
        request,
        form=form,
        title=_("New project"),
        submit=_("Create"),
        back=staff_url(request, "projects", slug=slug),
        crumbs=_consortium_crumbs(request, managed, _projects_crumb(request, managed)),
        current=_("New"),
    )


def _project_page(
    request: HttpRequest,
    managed: Consortium,
    project: Project,
    *,
    partner_form=None,
    output_form=None,
) -> HttpResponse:
    return render(
        request,
        "network/staff/project.html",
        {
            "institution": request.institution,
            "consortium": managed,
            "project": project,
            "partner_form": partner_form
            or forms.ProjectPartnerForm(prefix="partner", institutions=_partner_choices(project)),
            "output_form": output_form or forms.ProjectOutputForm(prefix="output"),
            "output_statuses": forms.OutputStatusForm.base_fields["status"].choices,
            "crumbs": _consortium_crumbs(request, managed, _projects_crumb(request, managed)),
            "current": project.acronym,
        },
    )


def _partner_choices(project: Project):
    from intercampus.institutions.models import Institution

    return Institution.objects.exclude(
        pk__in=project.partners.filter(institution__isnull=False).values("institution_id")
    ).order_by("name")


@staff_view(MANAGE_CONSORTIUM)
def project(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    managed = _consortium(request, slug)
    return _project_page(request, managed, selectors.get_consortium_project(managed, project))


@staff_view(MANAGE_CONSORTIUM)
def project_edit(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    managed = _consortium(request, slug)
    found = selectors.get_consortium_project(managed, project)
    form = forms.ProjectForm(request.POST or None, initial=forms.ProjectForm.initial_from(found))
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            form, services.project_change, actor=request.user, project=found, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("The project {name} was saved.").format(name=found))
            return redirect(staff_url(request, "project", slug=slug, project=found.slug))
        found = selectors.get_consortium_project(managed, project)
    return _form_page(
        request,
        form=form,
        title=_("Edit {name}").format(name=found.acronym),
        submit=_("Save"),
        back=staff_url(request, "project", slug=slug, project=project),
        crumbs=_consortium_crumbs(
            request,
            managed,
            _projects_crumb(request, managed),
            (staff_url(request, "project", slug=slug, project=project), found.acronym),
        ),
        current=_("Edit"),
    )


@staff_view(MANAGE_CONSORTIUM)
def project_partner_add(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    managed = _consortium(request, slug)
    found = selectors.get_consortium_project(managed, project)
    page = staff_url(request, "project", slug=slug, project=project)
    if request.method != "POST":
        return redirect(page)
    form = forms.ProjectPartnerForm(
        request.POST, prefix="partner", institutions=_partner_choices(found)
    )
    if form.is_valid():
        ok, partner = _attempt(
            form,
            services.project_partner_add,
            actor=request.user,
            project=found,
            **form.cleaned_data,
        )
        if ok:
            messages.success(
                request, _("{name} was added as a partner.").format(name=partner.display_name)
            )
            return redirect(page)
    return _project_page(request, managed, found, partner_form=form)


@staff_view(MANAGE_CONSORTIUM)
def project_partner_remove(request: HttpRequest, slug: str, project: str, partner) -> HttpResponse:
    managed = _consortium(request, slug)
    found = selectors.get_consortium_project(managed, project)
    gone = selectors.get_project_partner(found, partner)
    if refused := _not_post(request):
        return refused
    if _attempt_or_message(
        request, services.project_partner_remove, actor=request.user, partner=gone
    ):
        messages.success(request, _("{name} was removed.").format(name=gone.display_name))
    return redirect(staff_url(request, "project", slug=slug, project=project))


@staff_view(MANAGE_CONSORTIUM)
def project_output_add(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    managed = _consortium(request, slug)
    found = selectors.get_consortium_project(managed, project)
    page = staff_url(request, "project", slug=slug, project=project)
    if request.method != "POST":
        return redirect(page)
    form = forms.ProjectOutputForm(request.POST, prefix="output")
    if form.is_valid():
        ok, output = _attempt(
            form,
            services.project_output_add,
            actor=request.user,
            project=found,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The output {title} was added.").format(title=output))
            return redirect(page)
    return _project_page(request, managed, found, output_form=form)


@staff_view(MANAGE_CONSORTIUM)
def project_output_status(request: HttpRequest, slug: str, project: str, output) -> HttpResponse:
    managed = _consortium(request, slug)
    found = selectors.get_consortium_project(managed, project)
    item = selectors.get_project_output(found, output)
    if refused := _not_post(request):
        return refused
    form = forms.OutputStatusForm(request.POST)
    saved = form.is_valid() and _attempt_or_message(
        request,
        services.project_output_change,
        actor=request.user,
        output=item,
        status=form.cleaned_data["status"],
    )
    if request.htmx:
        item.refresh_from_db()
        return render(
            request,
            "network/staff/_output_row.html",
            {
                "institution": request.institution,
                "consortium": managed,
                "project": found,
                "output": item,
                "output_statuses": form.fields["status"].choices,
                "saved": saved,
            },
        )
    if saved:
        messages.success(request, _("The status of {title} was saved.").format(title=item))
    elif not form.is_valid():
        messages.error(request, _("Choose one of the listed statuses."))
    return redirect(staff_url(request, "project", slug=slug, project=project))
