"""The mobility API. For now: agreements as Erasmus Without Paper IIAs v7 documents.

* ``GET /institutions/{schac}/ewp/iias``: the institution's agreements as an IIAs v7 get
  response (XML), valid against the official schema;
* ``POST /institutions/{schac}/ewp/iias``: import a get response (XML request body, or a
  multipart form with the document as ``file``); a document that is not valid against the
  schema is refused with 422 and its errors, each with its line, and nothing is stored; a
  document of more than ``ewp_jobs.BACKGROUND_THRESHOLD`` agreements is answered 202 with
  the import job, which the task worker runs;
* ``GET /institutions/{schac}/ewp/imports/{job}``: the progress and outcome of such a job;
* ``POST /ewp/iia-hash``: the ``iia-hash`` of each ``iia`` of a document (any signed-in user).

The two institution endpoints act as that institution (``core.api_auth.acting_at``) with
``mobility.manage_agreements``: staff of another institution get 404, other roles 403.

The rest of the mobility API lives in one module per area, each with its own ``router``, added
to this one below: ``api_agreements`` (agreements, conditions, difference, approval),
``api_calls`` (calls and places), ``api_applications`` (staff: applications and scores) and
``api_student`` (``/me/mobility/``), ``api_allocation`` (allocation runs and the student's
result), ``api_nominations`` (home and host sides, OMobilities export) and ``api_reports``
(the mobility report). A new area adds its module the same way; shared schemas are in
``mobility/schemas.py``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from intercampus.core.api_auth import AUTH, acting_at
from intercampus.core.services import ServiceError
from intercampus.interop.schemas import EwpXmlError
from intercampus.mobility import (
    api_agreements,
    api_allocation,
    api_applications,
    api_calls,
    api_nominations,
    api_reports,
    api_student,
)
from intercampus.mobility.models import EwpImportJob
from intercampus.mobility.services import ewp as services
from intercampus.mobility.services import ewp_jobs

router = Router(tags=["mobility"])
for _part in (
    api_agreements,
    api_calls,
    api_applications,
    api_student,
    api_allocation,
    api_nominations,
    api_reports,
):
    router.add_router("", _part.router)

MANAGE = "mobility.manage_agreements"
XML_TYPES = ("application/xml", "text/xml")

_DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "description": "An IIAs v7 get-response: the XML as the body, or a multipart form "
        "whose `file` field is the document (at most 10 MB).",
        "content": {
            "application/xml": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


# --- Schemas --------------------------------------------------------------------------------


class XmlProblemOut(Schema):
    line: int | None = Field(description="Line of the document, when known")
    path: str | None = Field(description="Where in the document, when known")
    msg: str


class XmlRefusedOut(Schema):
    detail: str
    errors: list[XmlProblemOut]


class IiaHashOut(Schema):
    iia_id: str = Field(description="The serving (first) partner's iia-id")
    iia_hash: str = Field(description="The IIAs v7 iia-hash of the iia as sent")
    valid_for_approval: bool = Field(
        description="False when the iia carries not-yet-defined or v6-value markers"
    )


class ImportedIiaOut(Schema):
    iia_id: str
    owner: str = Field(description="SCHAC code of the serving partner, which owns the copy")
    partner: str
    outcome: str = Field(description="created, updated or unchanged")
    iia_hash: str = Field(description="The iia-hash of the iia as received, which is kept")
    valid_for_approval: bool
    linked: bool = Field(description="Linked to the partner's own copy on the platform")


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    institutions_created: list[str] = Field(
        description="SCHAC codes of institutions now known through EWP"
    )
    warnings: list[str]
    items: list[ImportedIiaOut]


class ImportJobOut(Schema):
    job: str = Field(description="The import job's id")
    url: str = Field(description="Where to follow the job (this API)")
    page: str = Field(description="The job's page for staff")
    phase: str = Field(description="queued, running, done or failed")
    total: int = Field(description="Agreements in the document")
    processed: int = Field(description="Agreements stored so far")
    created: int
    updated: int
    unchanged: int
    institutions_created: list[str]
    warnings: list[str]
    error: str = Field(description="Why the import failed, when it did")
    errors: list[str] = Field(description="The schema problems, each with its line")


def _job_out(request: HttpRequest, job: EwpImportJob) -> dict[str, Any]:
    schac = job.institution.schac
    return {
        "job": str(job.uuid),
        "url": request.build_absolute_uri(
            reverse("api-1.0.0:ewp_import_job", kwargs={"schac": schac, "job": job.uuid})
        ),
        "page": request.build_absolute_uri(
            reverse("staff:ewp_import_job", kwargs={"institution": schac, "job": job.uuid})
        ),
        "phase": job.phase,
        "total": job.total,
        "processed": job.processed,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "institutions_created": job.institutions_created,
        "warnings": job.warnings,
        "error": job.error,
        "errors": job.problems,
    }


# --- Helpers --------------------------------------------------------------------------------


def _document(request: HttpRequest) -> bytes:
    """The XML sent: the request body, or the ``file`` of a multipart form."""
    limit = services.MAX_DOCUMENT_BYTES
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ServiceError(_("Send the document in the form field “file”."), field="file")
        if upload.size is not None and upload.size > limit:
            raise _too_large()
        return upload.read()
    # Read the stream ourselves: request.body stops at DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
    data = request.read(limit + 1)
    if len(data) > limit:
        raise _too_large()
    if not data.strip():
        raise ServiceError(
            _("Send the XML document as the request body (Content-Type: application/xml).")
        )
    return data


def _too_large() -> ServiceError:
    return ServiceError(
        _("The document is larger than {size} MB.").format(
            size=services.MAX_DOCUMENT_BYTES // (1024 * 1024)
        ),
        status=413,
    )


def _refused(error: EwpXmlError) -> Status:
    return Status(
        422,
        {
            "detail": str(error),
            "errors": [{"line": p.line, "path": p.path, "msg": p.message} for p in error.problems],
        },
    )


# --- Endpoints ------------------------------------------------------------------------------


@router.get(
    "/institutions/{schac}/ewp/iias",
    auth=AUTH,
    summary="Our agreements as an EWP IIAs v7 get-response (XML)",
    response={200: str},
    openapi_extra={"responses": {200: {"description": "XML", "content": {"application/xml": {}}}}},
)
def iias_export(request: HttpRequest, schac: str) -> HttpResponse:
    with acting_at(request, schac, MANAGE) as acting:
        try:
            xml = services.iias_export(acting.institution)
        except EwpXmlError as error:
            raise ServiceError(
                _("The agreements could not be exported as valid EWP XML: {why}").format(
                    why=str(error)
                ),
                status=409,
            ) from None
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="iias-{acting.institution.schac}.xml"'
    return response


@router.post(
    "/institutions/{schac}/ewp/iias",
    auth=AUTH,
    response={200: ImportOut, 202: ImportJobOut, 422: XmlRefusedOut},
    summary="Import an EWP IIAs v7 get-response",
    openapi_extra=_DOCUMENT_BODY,
)
def iias_import(request: HttpRequest, schac: str) -> Any:
    """Each iia becomes (or updates) the copy of its serving partner, keeping its iia-hash
    as received. Every agreement must involve the institution of the path; copies of another
    institution on the platform are refused (403). A large document is imported by the task
    worker: the answer is then 202 with the job to follow."""
    with acting_at(request, schac, MANAGE) as acting:
        data = _document(request)
        try:
            report = ewp_jobs.iias_import_or_enqueue(
                actor=acting.user, xml_bytes=data, institution=acting.institution
            )
        except EwpXmlError as error:
            return _refused(error)
        if isinstance(report, EwpImportJob):
            return Status(202, _job_out(request, report))
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "institutions_created": report.institutions_created,
        "warnings": report.warnings,
        "items": report.items,
    }


@router.post(
    "/ewp/iia-hash",
    auth=AUTH,
    response={200: list[IiaHashOut], 422: XmlRefusedOut},
    summary="The iia-hash of each agreement of an EWP IIAs v7 get-response",
    openapi_extra=_DOCUMENT_BODY,
)
def iia_hash(request: HttpRequest) -> Any:
    """Hashes the document as sent, whether or not it is valid against the schema; a
    document that is not well-formed XML is refused with 422."""
    data = _document(request)
    try:
        report = services.iia_hashes(data)
    except EwpXmlError as error:
        return _refused(error)
    return [
        {"iia_id": r.iia_id, "iia_hash": r.iia_hash, "valid_for_approval": r.valid_for_approval}
        for r in report.results
    ]


@router.get(
    "/institutions/{schac}/ewp/imports/{job}",
    auth=AUTH,
    response={200: ImportJobOut},
    url_name="ewp_import_job",
    summary="The progress and outcome of a large EWP import",
)
def iias_import_job(request: HttpRequest, schac: str, job: uuid.UUID) -> Any:
    with acting_at(request, schac, MANAGE) as acting:
        found = get_object_or_404(
            EwpImportJob.objects.select_related("institution"),
            institution=acting.institution,
            uuid=job,
        )
        return _job_out(request, found)
