"""Delivery of outbox rows: claim, send once, record the outcome.

A row is claimed by moving it from pending to sending in one UPDATE; only the claimer sends,
so a task delivered twice sends once. The provider's message id is written the moment Twilio
answers, before anything else happens to the row. A worker that dies mid-send leaves the row in
sending; after sending_stale_after() the sweep looks at it:
- with a provider id (Twilio accepted it: our write or its status callback says so), the
  message left our hands: the row is marked sent, never sent again;
- without one, the row goes back to pending and is sent again. That is the accepted risk: a
  worker killed between Twilio accepting the message and our write of its id (a few
  milliseconds) leads to a second SMS, since Twilio offers no idempotency key to ask with.

Transient failures put the row back to pending with `enqueued_at` set to when its retry is due,
so the sweep leaves it to the task's own retry; after MAX_ATTEMPTS the row fails for good.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from backend.notifications.enums import Channel, NotificationStatus, Sender
from backend.notifications.models import Notification
from backend.notifications.policy import later_for_person, sms_refusal
from backend.notifications.sms import PermanentSmsError, TransientSmsError, get_backend

logger = logging.getLogger(__name__)


def sending_stale_after() -> datetime.timedelta:
    """How long a claim may last before the sweep settles it (10 min; settings
    NOTIFICATION_SENDING_STALE_SECONDS). Must exceed the longest live send (the task's time
    limit), or the sweep would hand a send in flight to another worker."""
    return datetime.timedelta(seconds=settings.NOTIFICATION_SENDING_STALE_SECONDS)


def pending_resend_after() -> datetime.timedelta:
    """How long an enqueued row waits before the sweep enqueues it again (2 min; settings
    NOTIFICATION_PENDING_RESEND_SECONDS): its task is on its way until then."""
    return datetime.timedelta(seconds=settings.NOTIFICATION_PENDING_RESEND_SECONDS)


# Every try counts, whoever started it (the task's retries or the sweep): a row never loops.
MAX_ATTEMPTS = 6


def retry_delay(failures: int) -> int:
    """Seconds before the next try after `failures` failed ones: 30 s, 1, 2, 4, 8 min. Well
    under Redis' visibility timeout, so a lost worker's task comes back. The base is
    settings.NOTIFICATION_RETRY_BASE_SECONDS (integration tests make it 0)."""
    # Typed int: the stubs type int ** int as Any (a negative exponent gives a float).
    backoff: int = 2 ** max(failures - 1, 0)
    return settings.NOTIFICATION_RETRY_BASE_SECONDS * backoff


def _claim(notification_id: int) -> Notification | None:
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, status=NotificationStatus.PENDING)
        .exclude(not_before__gt=now)
        .update(status=NotificationStatus.SENDING, attempts=F("attempts") + 1, updated_at=now)
    )
    # With its territory: the delivery policy reads the territory's SMS countries.
    return (
        Notification.objects.select_related("territory").get(pk=notification_id)
        if claimed
        else None
    )


def status_callback_url(notification: Notification) -> str:
    path = reverse("twilio-status-callback")
    return f"{settings.PUBLIC_BASE_URL}{path}?outbox={notification.pk}"


def _sender(notification: Notification) -> str:
    """The two-way number for replies to a person who texted it; else "" (the backend's
    default outbound sender: Messaging Service or alphanumeric sender ID)."""
    if notification.sender == Sender.TWO_WAY and notification.sender_number:
        return notification.sender_number
    return ""


def deliver(notification_id: int, *, final_attempt: bool = False) -> None:
    """Sends the notification if it is still pending and due. Raises TransientSmsError
    (after putting the row back to pending) when a retry may succeed; on the final attempt
    (`final_attempt`, or MAX_ATTEMPTS reached) the row fails instead."""
    notification = _claim(notification_id)
    if notification is None:
        return
    final_attempt = final_attempt or notification.attempts >= MAX_ATTEMPTS
    if notification.channel == Channel.SMS:
        refusal = sms_refusal(notification)
        if refusal:
            _finish(notification, NotificationStatus.FAILED, error=refusal)
            logger.info("notification %s not sent: refused before sending", notification.pk)
            return
        later = later_for_person(notification)
        if later is not None:
            # Delayed past the evening (broker outage, retries): it waits for the morning.
            _finish(notification, NotificationStatus.PENDING, not_before=later, uncount=True)
            logger.info("notification %s: waits for %s", notification.pk, later.isoformat())
            return
    try:
        if notification.channel == Channel.SMS:
            provider_id = get_backend().send(
                to=notification.recipient,
                body=notification.body,
                sender=_sender(notification),
                status_callback=status_callback_url(notification),
            )
            _record_provider_id(notification, provider_id)
        else:
            send_mail(
                notification.subject,
                notification.body,
                from_email=None,
                recipient_list=[notification.recipient],
            )
            provider_id = ""
    except PermanentSmsError as exc:
        _finish(notification, NotificationStatus.FAILED, error=str(exc))
        logger.warning("notification %s failed for good: %s", notification.pk, exc)
        return
    except TransientSmsError as exc:
        _fail_or_retry(notification, exc, final_attempt=final_attempt)
        logger.warning("notification %s: transient error %s", notification.pk, exc)
        if not final_attempt:
            raise
        return
    except Exception as exc:
        # Email transport errors and the unexpected: back to pending for the sweep, loudly.
        _fail_or_retry(notification, exc, final_attempt=final_attempt)
        logger.exception("notification %s: delivery error", notification.pk)
        if not final_attempt:
            raise
        return
    _finish(notification, NotificationStatus.SENT, provider_id=provider_id)


def _record_provider_id(notification: Notification, provider_id: str) -> None:
    """Twilio accepted the message: say so at once, in its own write, so that a worker killed
    from here on leaves a row the sweep will not send again."""
    if provider_id:
        Notification.objects.filter(
            pk=notification.pk, status=NotificationStatus.SENDING, provider_id=""
        ).update(provider_id=provider_id)


def _fail_or_retry(notification: Notification, exc: Exception, *, final_attempt: bool) -> None:
    error = str(exc) if isinstance(exc, TransientSmsError) else type(exc).__name__
    if final_attempt:
        _finish(notification, NotificationStatus.FAILED, error=error)
        return
    retry_at = timezone.now() + datetime.timedelta(seconds=retry_delay(notification.attempts))
    _finish(notification, NotificationStatus.PENDING, error=error, enqueued_at=retry_at)


def _finish(
    notification: Notification,
    status: str,
    *,
    error: str = "",
    provider_id: str = "",
    enqueued_at: datetime.datetime | None = None,
    not_before: datetime.datetime | None = None,
    uncount: bool = False,
) -> None:
    now = timezone.now()
    fields: dict[str, object] = {"status": status, "last_error": error[:500], "updated_at": now}
    if status == NotificationStatus.SENT:
        fields.update(sent_at=now, provider_id=provider_id)
    if enqueued_at is not None:
        fields["enqueued_at"] = enqueued_at
    if not_before is not None:
        fields["not_before"] = not_before
    if uncount:
        fields["attempts"] = F("attempts") - 1
    # Only the claimer (the row is in `sending`) writes the outcome: a status callback that came
    # first (see inbound.record_delivery_status) already recorded what Twilio did.
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.SENDING).update(
        **fields
    )


def sweep_candidates(now: datetime.datetime, limit: int) -> list[int]:
    """Settles stale claims (a worker died mid-send): a row Twilio accepted (its provider id
    is known) is sent, the others go back to pending. Then lists the pending rows to enqueue
    again (broker down, worker lost), at most `limit`, oldest first.

    Skips rows enqueued less than pending_resend_after() ago (their task is on its way) and rows
    waiting for a retry or for the morning.
    """
    stale = Notification.objects.filter(
        status=NotificationStatus.SENDING, updated_at__lt=now - sending_stale_after()
    )
    left_our_hands = stale.exclude(provider_id="")
    left_our_hands.filter(sent_at__isnull=True).update(sent_at=now)
    left_our_hands.update(status=NotificationStatus.SENT, last_error="", updated_at=now)
    stale.filter(provider_id="").update(status=NotificationStatus.PENDING, updated_at=now)
    return list(
        Notification.objects.filter(status=NotificationStatus.PENDING)
        .exclude(not_before__gt=now)
        .exclude(enqueued_at__gt=now - pending_resend_after())
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
