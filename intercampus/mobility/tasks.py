"""Background work of mobility (django-tasks; run by ``intercampus worker``).

Each task is defined beside the service that queues it and does its work (so that services
never import this module back); this module lists them, and keeps the paths of tasks queued
before they moved there importable for the worker.
"""

from intercampus.mobility.services.allocation import allocate_call, send_allocation_results
from intercampus.mobility.services.ewp_jobs import import_ewp_document

__all__ = ["allocate_call", "import_ewp_document", "send_allocation_results"]
