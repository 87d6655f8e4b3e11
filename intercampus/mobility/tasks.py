"""Background work of mobility (django-tasks; run by ``intercampus worker``)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def allocate_call(run_uuid: str, actor_id: int | None, early: bool = False) -> dict[str, Any]:
    """Allocate a large call into the run ``allocation_enqueue`` recorded as queued; the run's
    page follows its phase (queued, running, done or failed with the reason)."""
    from intercampus.mobility.services.allocation import allocation_run_queued

    return allocation_run_queued(run_uuid=run_uuid, actor_id=actor_id, early=early)


@task()
def send_allocation_results(run_uuid: str) -> int:
    """E-mail the students whose result a just published run changed."""
    from intercampus.mobility.services.allocation import allocation_send_results

    return allocation_send_results(run_uuid=run_uuid)


@task()
def import_ewp_document(job_uuid: str, actor_id: int | None) -> dict[str, Any]:
    """Import a large EWP IIAs document queued by ``iias_import_or_enqueue``; the job's page
    follows its progress (queued, importing n of m, done or failed with the reason)."""
    from intercampus.mobility.services.ewp_jobs import iias_import_job_run

    return iias_import_job_run(job_uuid=job_uuid, actor_id=actor_id)
