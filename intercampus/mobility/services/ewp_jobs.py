"""Large EWP imports in the background: the HTTP request only checks the document against
the schema (libxml2, well under a second for 10 MB) and records an :class:`EwpImportJob`; the
task worker reads the agreements, checks the whole document, then writes the copies in short
transactions of :data:`CHUNK` agreements, recording its progress after each, so the request
never outlives a worker timeout and other writers (SQLite) never wait for a whole import.

A document refused by a check (ids, partners, permissions) stores nothing. A write that fails
half-way (a value that does not fit our model) stops the job: the agreements before it are
stored, which the job page says; importing the corrected document again completes the import
(copies already stored come out unchanged).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scopes_disabled
from django_tasks import task

from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution
from intercampus.interop.iia_xml import count_valid_iias, read_get_response
from intercampus.interop.schemas import EwpXmlError
from intercampus.mobility.models import EwpImportJob
from intercampus.mobility.services import ewp as services

logger = logging.getLogger(__name__)
Phase = EwpImportJob.Phase
# Documents with more agreements than this are imported by the task worker.
BACKGROUND_THRESHOLD = 200
# Agreements written per transaction by the worker.
CHUNK = 100


def iias_import_or_enqueue(
    *, actor: Any, xml_bytes: bytes, institution: Institution, filename: str = ""
) -> services.ImportReport | EwpImportJob:
    """Import a small document at once (``ImportReport``), or queue a large one for the task
    worker (``EwpImportJob``, phase "queued"). Either way the document is checked against the
    schema first: EwpXmlError refuses it with its problems, storing nothing; ServiceError
    (413) refuses a document over the size limit."""
    services.check_size(xml_bytes)
    count = count_valid_iias(xml_bytes)
    if count <= BACKGROUND_THRESHOLD:
        return services.iias_import(actor=actor, xml_bytes=xml_bytes, institution=institution)
    return _enqueue(actor, xml_bytes, institution, filename, count)


def _enqueue(
    actor: Any, xml_bytes: bytes, institution: Institution, filename: str, count: int
) -> EwpImportJob:
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        job = EwpImportJob.objects.create(
            institution=institution,
            created_by=user,
            filename=filename[:255],
            document=xml_bytes,
            size=len(xml_bytes),
            total=count,
        )
        actor_id = user.pk if user else None
        transaction.on_commit(lambda: import_ewp_document.enqueue(str(job.uuid), actor_id))
    return job


def iias_import_job_run(*, job_uuid: str, actor_id: int | None) -> dict[str, Any]:
    """The task worker's side: import the queued document, recording progress and outcome."""
    from intercampus.accounts.models import User

    # A task runs outside any request scope. The import crosses tenants on purpose, as the
    # request path does: it finds partners on the platform and creates off-platform ones; it
    # writes only the job's own institution's copies (services.check_document enforces it).
    with scopes_disabled():
        job = EwpImportJob.objects.select_related("institution").get(uuid=job_uuid)
        if job.phase != Phase.QUEUED:
            return {"job": job_uuid, "phase": job.phase}
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        EwpImportJob.objects.filter(pk=job.pk).update(phase=Phase.RUNNING)
        try:
            report = _run(job, actor)
        except EwpXmlError as error:
            _fail(job, error.summary, [str(p) for p in error.problems])
        except ServiceError as error:
            _fail(job, error.message)
        except ValidationError as error:
            _fail(job, " ".join(error.messages))
        except Exception:
            logger.exception("EWP import %s failed", job_uuid)
            _fail(job, _("The import failed unexpectedly; the error is logged."))
            raise
        else:
            _finish(job, report)
    job.refresh_from_db()
    return {"job": job_uuid, "phase": job.phase, "processed": job.processed}


def _run(job: EwpImportJob, actor: Any) -> services.ImportReport:
    items = read_get_response(bytes(job.document))
    EwpImportJob.objects.filter(pk=job.pk).update(total=len(items))
    services.check_document(actor, items, job.institution)
    report = services.ImportReport()
    known = services.Known()
    for start in range(0, len(items), CHUNK):
        with transaction.atomic():
            services.store_items(
                actor, items[start : start + CHUNK], job.institution, report, known
            )
            _progress(job, report)
    return report


def _progress(job: EwpImportJob, report: services.ImportReport) -> None:
    EwpImportJob.objects.filter(pk=job.pk).update(
        processed=len(report.items),
        created_count=report.created,
        updated_count=report.updated,
        unchanged_count=report.unchanged,
    )


def _finish(job: EwpImportJob, report: services.ImportReport) -> None:
    EwpImportJob.objects.filter(pk=job.pk).update(
        phase=Phase.DONE,
        document=b"",
        institutions_created=report.institutions_created,
        warnings=report.warnings,
        finished=timezone.now(),
    )


def _fail(job: EwpImportJob, message: str, problems: list[str] | None = None) -> None:
    job.refresh_from_db(fields=["processed"])
    if job.processed:
        message += " " + ngettext(
            "The agreement before it is stored; import the corrected document again to "
            "complete the import.",
            "The {count} agreements before it are stored; import the corrected document again "
            "to complete the import.",
            job.processed,
        ).format(count=job.processed)
    EwpImportJob.objects.filter(pk=job.pk).update(
        phase=Phase.FAILED,
        error=message,
        problems=problems or [],
        document=b"",
        finished=timezone.now(),
    )


# --- Background work (run by ``intercampus worker``; beside the service that queues it, so
# that it need not import ``mobility.tasks`` back) ---------------------------------------------


@task()
def import_ewp_document(job_uuid: str, actor_id: int | None) -> dict[str, Any]:
    """Import a large EWP IIAs document queued by ``iias_import_or_enqueue``; the job's page
    follows its progress (queued, importing n of m, done or failed with the reason)."""
    return iias_import_job_run(job_uuid=job_uuid, actor_id=actor_id)
