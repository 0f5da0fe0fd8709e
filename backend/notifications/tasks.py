"""The queue side of the outbox: its Celery tasks, and how a delivery is enqueued.

Tasks are thin, named and bounded; sending is in notifications.delivery. Enqueueing lives
here, beside the task it enqueues, so that writes (services) → queue (tasks) → sending
(delivery) is a line with no way back.
"""

import datetime
import logging

from celery import Task, shared_task
from django.utils import timezone

from backend.core import after_response
from backend.notifications import delivery
from backend.notifications.models import Notification
from backend.notifications.sms import TransientSmsError

logger = logging.getLogger(__name__)

# Retrying helps only transient failures (rate limit, 5xx, network); backoff 30 s, 1, 2, 4,
# 8 min (delivery.retry_delay): well under Redis' visibility timeout, so a lost worker's task
# returns. The row itself counts its attempts (delivery.MAX_ATTEMPTS) and fails on the last.
MAX_RETRIES = delivery.MAX_ATTEMPTS - 1
# The sweep enqueues this many rows a run at most; the next run (a minute later) goes on.
SWEEP_BATCH = 500


# celery ships no types (shared_task is Any): the task objects are Any to mypy.
@shared_task(  # type: ignore[untyped-decorator]
    bind=True,
    name="notifications.deliver",
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=30,
    time_limit=45,
)
def deliver_notification(self: Task, notification_id: int) -> None:
    try:
        delivery.deliver(notification_id, final_attempt=self.request.retries >= MAX_RETRIES)
    except TransientSmsError as exc:
        countdown = delivery.retry_delay(self.request.retries + 1)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no types, as above
    name="notifications.sweep_pending", soft_time_limit=50, time_limit=60
)
def sweep_pending() -> int:
    return sweep()


def enqueue_delivery(
    notification_id: int, *, eta: datetime.datetime | None = None, mark: bool = True
) -> bool:
    """Hands the delivery to Celery. Never raises: with the broker down, the row stays pending
    and the periodic sweep enqueues it again (returns False). `mark=False` when the row's
    `enqueued_at` was written with it.

    Without a broker (tasks run in-process, the embedded default), the delivery would run here
    and now: during a request, it waits until the response is sent (backend.core.after_response),
    so that a person never waits for an SMS gateway."""
    if mark:
        Notification.objects.filter(pk=notification_id).update(enqueued_at=timezone.now())
    if deliver_notification.app.conf.task_always_eager and after_response.in_request():
        after_response.run_after_response(lambda: _publish(notification_id, eta))
        return True
    return _publish(notification_id, eta)


def _publish(notification_id: int, eta: datetime.datetime | None) -> bool:
    try:
        deliver_notification.apply_async(args=[notification_id], eta=eta, retry=False)
    except Exception as exc:  # broker errors come in many types (kombu, redis, amqp, OSError)
        logger.warning(
            "notification %s: not enqueued (%s), left for the sweep",
            notification_id,
            type(exc).__name__,
        )
        return False
    return True


def enqueue_deliveries(notification_ids: list[int], *, mark: bool = True) -> int:
    """Enqueues each delivery in turn; the first failure (broker down) leaves the rest to the
    sweep, so that a request waits for one connection timeout at most. Returns how many were
    enqueued."""
    # Without a broker (tasks run in-process), a failure is the task's own: go on.
    eager = deliver_notification.app.conf.task_always_eager
    count = 0
    for notification_id in notification_ids:
        if enqueue_delivery(notification_id, mark=mark):
            count += 1
        elif not eager:
            break
    return count


def sweep(now: datetime.datetime | None = None) -> int:
    """Re-enqueues what stayed pending (broker down, worker lost) and hands back stale claims
    (see delivery.sweep_candidates). Returns how many notifications were enqueued."""
    return enqueue_deliveries(delivery.sweep_candidates(now or timezone.now(), SWEEP_BATCH))
