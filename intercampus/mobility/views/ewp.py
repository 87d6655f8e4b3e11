"""Erasmus Without Paper pages of the international relations officer, under
/i/<schac>/mobility/ewp/: download our agreements as an IIAs v7 get response, import a
partner's get response, and compute the iia-hash of each agreement of a document.

Every page needs ``mobility.manage_agreements``. The work is done by
``mobility.services.ewp``; a refused document is shown with its schema errors and their lines,
and nothing of it is kept. A large document is imported by the task worker
(``mobility.services.ewp_jobs``): the import page then leads to the job's page, whose
progress bar htmx refreshes until the import is done.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from intercampus.core.limits import BoundedTextFormMixin
from intercampus.core.permissions import staff_view
from intercampus.core.services import ServiceError
from intercampus.core.staff_pages import staff_renderer, staff_url
from intercampus.interop.schemas import EwpXmlError
from intercampus.mobility.models import EwpImportJob
from intercampus.mobility.services import ewp as services
from intercampus.mobility.services import ewp_jobs

MANAGE = "mobility.manage_agreements"
MAX_MB = services.MAX_DOCUMENT_BYTES // (1024 * 1024)


# --- Forms ----------------------------------------------------------------------------------


def _read_upload(upload: Any) -> bytes:
    if upload.size is not None and upload.size > services.MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The file is larger than {size} MB.").format(size=MAX_MB))
    return upload.read()


class ImportForm(BoundedTextFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("IIAs get-response (XML)"),
        help_text=gettext_lazy(
            "An EWP IIAs v7 get-response, at most 10 MB. Each agreement becomes the copy of "
            "its first partner, the institution that serves it."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )

    def clean_file(self) -> bytes:
        return _read_upload(self.cleaned_data["file"])


class HashForm(BoundedTextFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("XML file"),
        required=False,
        help_text=gettext_lazy("An EWP IIAs v7 get-response, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )
    xml = forms.CharField(
        label=gettext_lazy("or paste the XML"),
        required=False,
        strip=False,
        # As much as an uploaded file may hold.
        max_length=services.MAX_DOCUMENT_BYTES,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            cleaned["document"] = _read_upload(upload)
        elif (cleaned.get("xml") or "").strip():
            cleaned["document"] = cleaned["xml"].encode("utf-8")
        elif not self.errors:
            raise ValidationError(_("Choose a file or paste the XML."))
        return cleaned


# --- Helpers --------------------------------------------------------------------------------


_render_ewp = staff_renderer("mobility/ewp/")


def _render(
    request: HttpRequest, template: str, title: str, context: dict[str, Any]
) -> HttpResponse:
    crumbs = [
        (staff_url(request, "home"), _("Staff area")),
        (staff_url(request, "agreements"), _("Agreements")),
    ]
    context = {"crumbs": crumbs, "current": title, "title": title, **context}
    return _render_ewp(request, template, context)


def _refused(form: forms.Form, field: str, error: Exception) -> list[str]:
    """Put a refusal on the form (next to ``field`` for a refused document); return the
    schema problems to list under it."""
    if isinstance(error, EwpXmlError):
        form.add_error(field, error.summary)
        return [str(p) for p in error.problems]
    if isinstance(error, ServiceError):
        form.add_error(None, error.message)
    else:
        form.add_error(None, " ".join(error.messages))  # type: ignore[attr-defined]
    return []


# --- Export ---------------------------------------------------------------------------------


@staff_view(MANAGE)
@require_GET
def ewp_export(request: HttpRequest) -> HttpResponse:
    """Our agreements as an IIAs v7 get response, downloaded."""
    try:
        xml = services.iias_export(request.institution)
    except EwpXmlError as error:
        messages.error(
            request,
            _("Our agreements could not be exported as valid EWP XML: {why}").format(
                why=str(error)
            ),
        )
        return redirect(staff_url(request, "agreements"))
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    name = f"iias-{request.institution.schac}.xml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Import ---------------------------------------------------------------------------------


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def ewp_import(request: HttpRequest) -> HttpResponse:
    # Bound on every POST, even an empty one, so that a missing document is reported.
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            report = ewp_jobs.iias_import_or_enqueue(
                actor=request.user,
                xml_bytes=form.cleaned_data["file"],
                institution=request.institution,
                filename=request.FILES["file"].name,
            )
        except (EwpXmlError, ServiceError, ValidationError) as error:
            problems = _refused(form, "file", error)
        else:
            if isinstance(report, EwpImportJob):
                return redirect(_job_url(request, report))
            messages.success(
                request, _("EWP import done. {summary}").format(summary=report.summary())
            )
            for warning in report.warnings:
                messages.warning(request, warning)
            return redirect(staff_url(request, "agreements"))
    return _render(
        request,
        "import.html",
        _("Import an EWP IIAs get-response"),
        {"form": form, "problems": problems, "max_mb": MAX_MB},
    )


# --- iia-hash -------------------------------------------------------------------------------


@staff_view(MANAGE)
@require_http_methods(["GET", "POST"])
def ewp_hash(request: HttpRequest) -> HttpResponse:
    """Read-only: the iia-hash of each agreement of a pasted or uploaded document."""
    # Bound on every POST, even an empty one, so that a missing document is reported.
    form = HashForm(request.POST, request.FILES) if request.method == "POST" else HashForm()
    problems: list[str] = []
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.iia_hashes(form.cleaned_data["document"])
        except (EwpXmlError, ServiceError) as error:
            problems = _refused(form, "file" if form.cleaned_data.get("file") else "xml", error)
    return _render(
        request,
        "hash.html",
        _("Compute iia-hash"),
        {
            "form": form,
            "problems": problems,
            "report": report,
            "schema_problems": [str(p) for p in report.schema_problems] if report else [],
        },
    )


# --- Large imports, in the background -------------------------------------------------------


def _job_url(request: HttpRequest, job: EwpImportJob) -> str:
    return reverse(
        "staff:ewp_import_job", kwargs={"institution": request.institution.schac, "job": job.uuid}
    )


def _job(request: HttpRequest, job: uuid.UUID) -> EwpImportJob:
    """One of the institution's own import jobs, or 404."""
    return get_object_or_404(EwpImportJob, institution=request.institution, uuid=job)


@staff_view(MANAGE)
@require_GET
def ewp_import_job(request: HttpRequest, job: uuid.UUID) -> HttpResponse:
    """A large import: its progress while the worker runs it, then its outcome."""
    return _render(
        request, "job.html", _("Import an EWP IIAs get-response"), {"job": _job(request, job)}
    )


@staff_view(MANAGE)
@require_GET
def ewp_import_job_progress(request: HttpRequest, job: uuid.UUID) -> HttpResponse:
    """The job's progress panel, polled by htmx while the job is queued or running."""
    return render(
        request,
        "mobility/ewp/_job_progress.html",
        {"institution": request.institution, "job": _job(request, job)},
    )
