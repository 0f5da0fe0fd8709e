"""Writes on the outbox. Callers write a notification in the same transaction as the event
that causes it; delivery is enqueued after commit and never blocks or fails the request.

The outbox knows how to store, enqueue and deliver a message, not what it means: each domain
app builds its own messages (its `notifications.py`) and hands them to `notifications_save`.
"""

from collections.abc import Collection, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import Territory
from backend.notifications import policy
from backend.notifications.enums import Channel, NotificationStatus, Sender
from backend.notifications.gsm7 import cut_to_segments
from backend.notifications.models import Notification
from backend.notifications.tasks import enqueue_deliveries, enqueue_delivery

# An SMS body is cut to this many segments at most, whatever the caller wrote: a message built
# from what the public typed must not become a 100-part SMS (each part is billed).
SMS_MAX_SEGMENTS = 3


def notification_build(
    *,
    channel: str,
    template: str,
    recipient: str,
    body: str,
    subject: str = "",
    territory: Territory | None = None,
    referral_id: int | None = None,
    sender: str = Sender.ALPHANUMERIC,
    sender_number: str = "",
    quiet_hours: bool = False,
    daily_capped: bool = False,
) -> Notification:
    """An unsaved outbox row (see notifications_save).

    `quiet_hours`: an SMS to a person, held until the morning when written at night (and
    again at delivery). `daily_capped`: a number typed by the public, under the daily cap.
    An SMS to a number that can never get one (landline, invalid, a country outside the
    territory's list) is written as failed with the reason, so people see why. An SMS body is
    cut to SMS_MAX_SEGMENTS segments.
    """
    refusal = None
    if channel == Channel.SMS:
        refusal = policy.sms_recipient_refusal(recipient, territory)
        body = cut_to_segments(body, SMS_MAX_SEGMENTS)
    return Notification(
        channel=channel,
        template=template,
        recipient=recipient,
        subject=subject,
        body=body,
        territory=territory,
        referral_id=referral_id,
        sender=sender if channel == Channel.SMS else "",
        sender_number=sender_number,
        quiet_hours=quiet_hours,
        daily_capped=daily_capped,
        not_before=policy.next_person_sms_time() if quiet_hours else None,
        status=NotificationStatus.FAILED if refusal else NotificationStatus.PENDING,
        last_error=refusal or "",
        enqueued_at=None if refusal else timezone.now(),
    )


def notifications_save(notifications: Sequence[Notification]) -> list[Notification]:
    """Writes outbox rows (one INSERT) and enqueues their delivery once the caller's
    transaction commits. Opt-outs and the daily cap are checked at delivery."""
    if not notifications:
        return []
    saved = Notification.objects.bulk_create(notifications)
    now = timezone.now()
    # A message waiting for the morning is the sweep's, once due.
    due = [
        n.pk
        for n in saved
        if n.status == NotificationStatus.PENDING and not (n.not_before and n.not_before > now)
    ]
    if due:
        transaction.on_commit(lambda: enqueue_deliveries(due, mark=False), robust=True)
    return saved


def notification_create(**fields: Any) -> Notification:
    """Writes one outbox row (see notification_build) and enqueues it after commit."""
    return notifications_save([notification_build(**fields)])[0]


@transaction.atomic
def notification_retry(*, notification: Notification) -> Notification:
    """Puts a failed notification back in the queue (after a number was corrected, say)."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.status != NotificationStatus.FAILED:
        return notification
    refusal = (
        policy.sms_recipient_refusal(notification.recipient, notification.territory)
        if notification.channel == Channel.SMS
        else None
    )
    if refusal:
        notification.last_error = refusal
        notification.save(update_fields=["last_error", "updated_at"])
        return notification
    notification.status = NotificationStatus.PENDING
    notification.last_error = ""
    notification.attempts = 0  # a fresh budget of tries (delivery.MAX_ATTEMPTS)
    notification.not_before = policy.next_person_sms_time() if notification.quiet_hours else None
    notification.save(
        update_fields=["status", "last_error", "attempts", "not_before", "updated_at"]
    )
    notification_id = notification.pk
    transaction.on_commit(lambda: enqueue_delivery(notification_id), robust=True)
    return notification


@transaction.atomic
def notifications_forget(
    *,
    referral_ids: Collection[int] = (),
    recipients: Collection[str] = (),
    territory_ids: Collection[int] = (),
    notification_ids: Collection[int] = (),
) -> int:
    """Blanks what the outbox holds of people whose data is anonymised or erased: recipient,
    subject and body of every row linked to one of `referral_ids` (whoever it went to: a
    facilitator's alert names the person's needs), of the rows linked to no referral that went
    to one of `recipients` (the people's E.164 numbers and e-mails) from one of
    `territory_ids` or from no territory (e.g. the reply to an SMS with an unknown code), and
    of the rows `notification_ids`.

    What stays is what counts need: message name, channel, status and dates. A row still
    waiting to leave is cancelled (failed, with the reason). SMS opt-outs are not touched:
    honouring STOP is a legal duty that outlives the person's data (a number that said STOP
    must never get an SMS again). Idempotent; returns the number of rows blanked now.
    """
    condition = Q(referral_id__in=list(referral_ids)) | Q(pk__in=list(notification_ids))
    if recipients:
        emails = {r.lower() for r in recipients if "@" in r}
        condition |= Q(referral__isnull=True, recipient__in=[*recipients, *emails]) & (
            Q(territory_id__in=list(territory_ids)) | Q(territory__isnull=True)
        )
    rows = Notification.objects.filter(condition).exclude(recipient="", subject="", body="")
    now = timezone.now()
    rows.filter(status=NotificationStatus.PENDING).update(
        status=NotificationStatus.FAILED,
        last_error=_("Annulé : les données de la personne ont été effacées."),
        updated_at=now,
    )
    return rows.update(recipient="", subject="", body="", updated_at=now)
