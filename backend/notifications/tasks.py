"""Celery tasks of the outbox: thin, named, bounded; the logic is in notifications.delivery."""

from celery import shared_task

from backend.notifications import delivery
from backend.notifications.sms import TransientSmsError

# Retrying helps only transient failures (rate limit, 5xx, network); backoff 30 s, 1, 2, 4,
# 8 min (delivery.retry_delay): well under Redis' visibility timeout, so a lost worker's task
# returns. The row itself counts its attempts (delivery.MAX_ATTEMPTS) and fails on the last.
MAX_RETRIES = delivery.MAX_ATTEMPTS - 1


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
        countdown = delivery.retry_delay(self.request.retries + 1)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="notifications.sweep_pending", soft_time_limit=50, time_limit=60)
def sweep_pending():
    return delivery.sweep()


@shared_task(name="notifications.send_coordinator_digests", soft_time_limit=120, time_limit=150)
def send_coordinator_digests():
    return delivery.send_coordinator_digests()
