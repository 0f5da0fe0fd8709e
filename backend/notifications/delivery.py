"""Delivery of outbox rows: claim, send once, record the outcome.

A row is claimed by moving it from pending to sending in one UPDATE; only the claimer sends,
so a task delivered twice sends once. A worker that dies mid-send leaves the row in sending:
the sweep hands it back after SENDING_STALE_AFTER (Twilio offers no idempotency key, so that
rare case can duplicate; the status callback tells).
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
from backend.notifications.sms import PermanentSmsError, TransientSmsError, get_backend

logger = logging.getLogger(__name__)

SENDING_STALE_AFTER = datetime.timedelta(minutes=10)
PENDING_RESEND_AFTER = datetime.timedelta(minutes=2)


def _claim(notification_id):
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, status=NotificationStatus.PENDING)
        .exclude(not_before__gt=now)
        .update(status=NotificationStatus.SENDING, attempts=F("attempts") + 1, updated_at=now)
    )
    return Notification.objects.get(pk=notification_id) if claimed else None


def status_callback_url(notification) -> str:
    path = reverse("twilio-status-callback")
    return f"{settings.PUBLIC_BASE_URL}{path}?outbox={notification.pk}"


def _sender(notification):
    if notification.sender == Sender.TWO_WAY and notification.sender_number:
        return notification.sender_number
    if settings.SMS_BACKEND == "twilio" and settings.TWILIO_MESSAGING_SERVICE_SID:
        return ""  # the Messaging Service chooses (alphanumeric where allowed)
    return settings.SMS_SENDER_ID


def deliver(notification_id, *, final_attempt=False):
    """Sends the notification if it is still pending and due. Raises TransientSmsError
    (after putting the row back to pending) when a retry may succeed."""
    from backend.notifications.services import sms_refusal

    notification = _claim(notification_id)
    if notification is None:
        return
    refusal = sms_refusal(notification) if notification.channel == Channel.SMS else None
    if refusal:
        _finish(notification, NotificationStatus.FAILED, error=refusal)
        logger.info("notification %s not sent: refused before sending", notification.pk)
        return
    try:
        if notification.channel == Channel.SMS:
            provider_id = get_backend().send(
                to=notification.recipient,
                body=notification.body,
                sender=_sender(notification),
                status_callback=status_callback_url(notification),
            )
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
        status = NotificationStatus.FAILED if final_attempt else NotificationStatus.PENDING
        _finish(notification, status, error=str(exc))
        logger.warning("notification %s: transient error %s", notification.pk, exc)
        if not final_attempt:
            raise
        return
    except Exception as exc:
        # Email transport errors and the unexpected: back to pending for the sweep, loudly.
        _finish(notification, NotificationStatus.PENDING, error=type(exc).__name__)
        logger.exception("notification %s: delivery error", notification.pk)
        raise
    _finish(notification, NotificationStatus.SENT, provider_id=provider_id)


def _finish(notification, status, *, error="", provider_id=""):
    now = timezone.now()
    fields = {"status": status, "last_error": error[:500], "updated_at": now}
    if status == NotificationStatus.SENT:
        fields.update(sent_at=now, provider_id=provider_id)
    # Only the claimer (the row is in `sending`) writes the outcome.
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.SENDING).update(
        **fields
    )


def sweep(now=None) -> int:
    """Re-enqueues what stayed pending (broker down, worker lost) and hands back stale claims.

    Returns how many notifications were enqueued.
    """
    from backend.notifications.services import enqueue_delivery

    now = now or timezone.now()
    Notification.objects.filter(
        status=NotificationStatus.SENDING, updated_at__lt=now - SENDING_STALE_AFTER
    ).update(status=NotificationStatus.PENDING, updated_at=now)
    due = (
        Notification.objects.filter(status=NotificationStatus.PENDING)
        .exclude(not_before__gt=now)
        .exclude(enqueued_at__gt=now - PENDING_RESEND_AFTER)
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    count = 0
    for notification_id in list(due):
        if enqueue_delivery(notification_id):
            count += 1
    return count


def send_coordinator_digests(today=None) -> int:
    """The daily email to each coordinator: overdue referrals, referrals with no facilitator."""
    from backend.notifications.services import coordinator_digest_create

    return coordinator_digest_create(today=today or timezone.localdate())
