"""Writes on the outbox. Callers write a notification in the same transaction as the event
that causes it; delivery is enqueued after commit and never blocks or fails the request.
"""

import datetime
import logging

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.notifications import messages
from backend.notifications.enums import Channel, NotificationStatus, Sender, Template
from backend.notifications.models import Notification, SmsOptOut
from backend.referrals.routing import french_holidays

logger = logging.getLogger(__name__)

SMS_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def sms_number_refusal(phone: str) -> str | None:
    """Why `phone` can never get an SMS (none, invalid, not a mobile), or None. No query."""
    if not phone:
        return _("Pas de numéro.")
    try:
        number = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return _("Numéro invalide.")
    if not phonenumbers.is_valid_number(number):
        return _("Numéro invalide.")
    if phonenumbers.number_type(number) not in SMS_TYPES:
        return _("Ce numéro n'est pas un mobile : pas de SMS.")
    return None


# Messages to a number typed by the public (the form, an inbound SMS): capped per day, since
# that is how SMS pumping works. Staff alerts are not capped: a busy day is no abuse.
CAPPED_TEMPLATES = {Template.PERSON_ACKNOWLEDGMENT, Template.INBOUND_REPLY}
# Messages to referred people: not at night, on Sundays or public holidays.
QUIET_HOURS_TEMPLATES = {Template.PERSON_ACKNOWLEDGMENT}


def sms_refusal(notification) -> str | None:
    """Why this SMS must not leave now (checked at delivery): a number that cannot get SMS,
    an opt-out (STOP), or the per-number daily cap (SMS pumping through the public form)."""
    refusal = sms_number_refusal(notification.recipient)
    if refusal:
        return refusal
    if SmsOptOut.objects.filter(phone=notification.recipient).exists():
        return _("Ce numéro a demandé à ne plus recevoir de SMS (STOP).")
    if notification.template not in CAPPED_TEMPLATES:
        return None
    since = timezone.now() - datetime.timedelta(days=1)
    sent_today = (
        Notification.objects.filter(
            channel=Channel.SMS,
            recipient=notification.recipient,
            template__in=CAPPED_TEMPLATES,
            sent_at__gte=since,
        )
        .exclude(pk=notification.pk)
        .count()
    )
    if sent_today >= settings.SMS_DAILY_CAP_PER_NUMBER:
        return _("Plafond quotidien de SMS atteint pour ce numéro.")
    return None


def _sms_day_for_people(day: datetime.date) -> bool:
    """Monday to Saturday, except public holidays (a Saturday holiday too)."""
    return day.weekday() != 6 and day not in french_holidays(day.year)


def next_person_sms_time(now=None) -> datetime.datetime | None:
    """When an SMS to a referred person may leave: None if now, else the next morning that is
    neither a Sunday nor a public holiday (people are not woken up by Relais)."""
    now = timezone.localtime(now or timezone.now())
    start, end = settings.SMS_PERSON_HOURS
    if _sms_day_for_people(now.date()) and start <= now.hour < end:
        return None
    day = now.date() if now.hour < start else now.date() + datetime.timedelta(days=1)
    while not _sms_day_for_people(day):
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(start)))


def later_for_person(notification) -> datetime.datetime | None:
    """When a quiet-hours message found due now must wait for (None: it may leave now)."""
    if notification.template not in QUIET_HOURS_TEMPLATES:
        return None
    return next_person_sms_time()


def notification_build(
    *,
    channel,
    template,
    recipient,
    body,
    subject="",
    territory=None,
    referral=None,
    sender=Sender.ALPHANUMERIC,
    sender_number="",
    not_before=None,
) -> Notification:
    """An unsaved outbox row (see notifications_save). An SMS to a number that can never get
    one (landline, invalid) is written as failed with the reason, so people see why."""
    refusal = sms_number_refusal(recipient) if channel == Channel.SMS else None
    return Notification(
        channel=channel,
        template=template,
        recipient=recipient,
        subject=subject,
        body=body,
        territory=territory,
        referral=referral,
        sender=sender if channel == Channel.SMS else "",
        sender_number=sender_number,
        not_before=not_before,
        status=NotificationStatus.FAILED if refusal else NotificationStatus.PENDING,
        last_error=refusal or "",
        enqueued_at=None if refusal else timezone.now(),
    )


def notifications_save(notifications: list[Notification]) -> list[Notification]:
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


def notification_create(**fields) -> Notification:
    """Writes one outbox row (see notification_build) and enqueues it after commit."""
    return notifications_save([notification_build(**fields)])[0]


def enqueue_delivery(notification_id, *, eta=None, mark=True) -> bool:
    """Hands the delivery to Celery. Never raises: with the broker down, the row stays pending
    and the periodic sweep enqueues it again (returns False). `mark=False` when the row's
    `enqueued_at` was written with it."""
    from backend.notifications.tasks import deliver_notification

    if mark:
        Notification.objects.filter(pk=notification_id).update(enqueued_at=timezone.now())
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


def enqueue_deliveries(notification_ids, *, mark=True) -> int:
    """Enqueues each delivery in turn; the first failure (broker down) leaves the rest to the
    sweep, so that a request waits for one connection timeout at most. Returns how many were
    enqueued."""
    from backend.notifications.tasks import deliver_notification

    # Without a broker (tasks run in-process), a failure is the task's own: go on.
    eager = deliver_notification.app.conf.task_always_eager
    count = 0
    for notification_id in notification_ids:
        if enqueue_delivery(notification_id, mark=mark):
            count += 1
        elif not eager:
            break
    return count


# --- what referrals send ---------------------------------------------------------------


def notify_new_referral(referral, *, acknowledgment_sender=None) -> list[Notification]:
    """The messages a new referral causes: the routed facilitator's alert, the person's
    acknowledgment (they consented by submitting), or the coordinators' alert when no
    facilitator is available. Call inside the referral's transaction."""
    created = _assignee_alert(referral)
    if referral.phone and referral.consent_at:
        created.append(_person_acknowledgment(referral, **(acknowledgment_sender or {})))
    return notifications_save(created)


def _assignee_alert(referral) -> list[Notification]:
    """The assignee's alert (SMS, else email), or the coordinators' when there is none."""
    created = []
    facilitator = referral.assigned_to
    if facilitator is None:
        created += _coordinators_unassigned(referral)
    elif facilitator.phone:
        created.append(
            notification_build(
                channel=Channel.SMS,
                template=Template.FACILITATOR_NEW_REFERRAL,
                recipient=str(facilitator.phone),
                body=messages.facilitator_new_referral(referral),
                territory=referral.territory,
                referral=referral,
            )
        )
    elif facilitator.email:
        # A facilitator with no mobile on file still hears of the referral.
        created.append(
            notification_build(
                channel=Channel.EMAIL,
                template=Template.FACILITATOR_NEW_REFERRAL,
                recipient=facilitator.email,
                subject=messages.facilitator_new_referral_subject(referral),
                body=messages.facilitator_new_referral(referral),
                territory=referral.territory,
                referral=referral,
            )
        )
    return created


def notify_assignee(referral) -> list[Notification]:
    """A referral given to a (new) facilitator: they hear of it as of a new referral."""
    return notifications_save(_assignee_alert(referral))


def person_acknowledgment_create(referral) -> Notification:
    """The person's acknowledgment, again (after a facilitator corrected the number)."""
    return notifications_save([_person_acknowledgment(referral)])[0]


def _person_acknowledgment(referral, *, sender=Sender.ALPHANUMERIC, sender_number=""):
    return notification_build(
        channel=Channel.SMS,
        template=Template.PERSON_ACKNOWLEDGMENT,
        recipient=str(referral.phone),
        body=messages.person_acknowledgment(referral),
        territory=referral.territory,
        referral=referral,
        sender=sender,
        sender_number=sender_number,
        not_before=next_person_sms_time(),
    )


def _coordinators_unassigned(referral) -> list[Notification]:
    from backend.accounts.enums import Role
    from backend.accounts.models import User

    subject, body = messages.coordinator_unassigned(referral)
    emails = User.objects.filter(
        is_active=True,
        memberships__territory=referral.territory,
        memberships__role=Role.COORDINATOR,
    ).values_list("email", flat=True)
    return [
        notification_build(
            channel=Channel.EMAIL,
            template=Template.COORDINATOR_UNASSIGNED,
            recipient=email,
            subject=subject,
            body=body,
            territory=referral.territory,
            referral=referral,
        )
        for email in emails
    ]


@transaction.atomic
def notification_retry(*, notification) -> Notification:
    """Puts a failed notification back in the queue (after a number was corrected, say)."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.status != NotificationStatus.FAILED:
        return notification
    refusal = (
        sms_number_refusal(notification.recipient) if notification.channel == Channel.SMS else None
    )
    if refusal:
        notification.last_error = refusal
        notification.save(update_fields=["last_error", "updated_at"])
        return notification
    notification.status = NotificationStatus.PENDING
    notification.last_error = ""
    notification.attempts = 0  # a fresh budget of tries (delivery.MAX_ATTEMPTS)
    notification.not_before = (
        next_person_sms_time() if notification.template in QUIET_HOURS_TEMPLATES else None
    )
    notification.save(
        update_fields=["status", "last_error", "attempts", "not_before", "updated_at"]
    )
    transaction.on_commit(lambda: enqueue_delivery(notification.pk), robust=True)
    return notification


def coordinator_digest_create(*, today) -> int:
    """One digest email per coordinator of each territory that has overdue or unassigned
    referrals today. Returns the number of emails written."""
    from backend.accounts.enums import Role
    from backend.accounts.models import Membership
    from backend.referrals.enums import OPEN_STATUSES
    from backend.referrals.models import Referral
    from backend.referrals.selectors import overdue_q

    count = 0
    memberships = Membership.objects.filter(
        role=Role.COORDINATOR, user__is_active=True
    ).select_related("user", "territory")
    by_territory = {}
    for membership in memberships:
        by_territory.setdefault(membership.territory, []).append(membership.user)
    for territory, coordinators in by_territory.items():
        referrals = Referral.objects.filter(territory=territory).select_related("assigned_to")
        overdue = list(referrals.filter(overdue_q(today)).order_by("first_contact_due_on"))
        unassigned = list(
            referrals.filter(assigned_to__isnull=True, status__in=OPEN_STATUSES).order_by("id")
        )
        if not overdue and not unassigned:
            continue
        subject, body = messages.coordinator_digest(
            territory, overdue=overdue, unassigned=unassigned
        )
        with transaction.atomic():
            for coordinator in coordinators:
                notification_create(
                    channel=Channel.EMAIL,
                    template=Template.COORDINATOR_DIGEST,
                    recipient=coordinator.email,
                    subject=subject,
                    body=body,
                    territory=territory,
                )
                count += 1
    return count
