"""Celery tasks of referrals: thin, named, bounded; the work is in referrals.notifications."""

from celery import shared_task
from django.utils import timezone

from backend.referrals.notifications import coordinator_digests_create


@shared_task(name="referrals.send_coordinator_digests", soft_time_limit=120, time_limit=150)
def send_coordinator_digests():
    """The daily email to each coordinator: overdue referrals, referrals with no facilitator."""
    return coordinator_digests_create(today=timezone.localdate())
