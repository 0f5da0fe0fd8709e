"""Celery tasks of core: thin, named, bounded."""

from celery import shared_task

from backend.core.idempotency import idempotent_requests_purge


@shared_task(name="core.purge_idempotent_requests", soft_time_limit=120, time_limit=150)
def purge_idempotent_requests():
    """Deletes idempotency keys past their lifetime (their stored answers may name a person)."""
    return idempotent_requests_purge()
