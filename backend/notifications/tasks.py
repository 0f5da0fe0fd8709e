"""Celery tasks of the outbox: thin, named, bounded; the logic is in notifications.delivery."""

from celery import shared_task

from backend.notifications import delivery
from backend.notifications.sms import TransientSmsError

# Retrying helps only transient failures (rate limit, 5xx, network); backoff 30 s, 60 s,
# 2 min, 4 min, 8 min: well under Redis' visibility timeout, so a lost worker's task returns.
MAX_RETRIES = 5


@shared_task(
    bind=True,
    name="notifications.deliver",
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=30,
    time_limit=45,
)
def deliver_notification(self, notification_id):
    try:
        delivery.deliver(notification_id, final_attempt=self.request.retries >= MAX_RETRIES)
    except TransientSmsError as exc:
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task(name="notifications.sweep_pending", soft_time_limit=50, time_limit=60)
def sweep_pending():
    return delivery.sweep()


@shared_task(name="notifications.send_coordinator_digests", soft_time_limit=120, time_limit=150)
def send_coordinator_digests():
    return delivery.send_coordinator_digests()
