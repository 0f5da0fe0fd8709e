"""Celery tasks of visits: thin, named, bounded; the work is in backend.visits.planning."""

from celery import shared_task
from django.utils import timezone

from backend.visits.planning import visits_plan_automatic


@shared_task(name="visits.plan_automatic", soft_time_limit=300, time_limit=360)
def plan_automatic():
    """The daily planning of onboarding and follow-up visits. Idempotent: a retried or
    redelivered run plans nothing twice."""
    return visits_plan_automatic(today=timezone.localdate())
