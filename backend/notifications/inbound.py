"""What inbound SMS and delivery callbacks do (called by the Twilio webhooks)."""

import datetime
import logging
import re

import phonenumbers
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Territory
from backend.capteurs.selectors import referral_code_by_short_code
from backend.capteurs.services import SHORT_CODE_ALPHABET
from backend.notifications import messages
from backend.notifications.enums import Channel, NotificationStatus, Sender, Template
from backend.notifications.models import Notification, SmsOptOut
from backend.notifications.services import notification_create
from backend.referrals.enums import Channel as ReferralChannel
from backend.referrals.enums import FilledBy
from backend.referrals.models import Referral
from backend.referrals.privacy import PRIVACY_NOTICE_VERSION
from backend.referrals.services import Submission, referral_submit

logger = logging.getLogger(__name__)

RESUBMISSION_WINDOW = datetime.timedelta(hours=24)
STOP_WORDS = {"STOP", "ARRET", "ARRÊT", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL"}
START_WORDS = {"START", "UNSTOP"}
CANDIDATE = re.compile(rf"\b[{SHORT_CODE_ALPHABET}]{{4,6}}\b")
# Twilio may post one message twice (a slow answer, a retry): remember the ids for a day.
SEEN_MESSAGE_FOR = datetime.timedelta(days=1)


def _first_word(body: str) -> str:
    words = body.strip().upper().split()
    return words[0].strip(".!") if words else ""


def _valid_number(number: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return False


def _seen_key(message_sid):
    return f"twilio-inbound:{message_sid}"


def handle_inbound_sms(*, message_sid, from_number, to_number, body):
    """STOP/ARRET opts the number out; START opts it back in; a short code creates a referral
    (channel sms) for its capteur and gets a reply; anything else gets a helpful reply.

    The same `message_sid` twice does it once: the referral by its idempotency key, the rest
    through the cache (best effort)."""
    if message_sid and cache.get(_seen_key(message_sid)):
        logger.info("inbound SMS %s: already handled", message_sid)
        return None
    result = _handle(
        message_sid=message_sid, from_number=from_number, to_number=to_number, body=body
    )
    if message_sid:
        cache.set(_seen_key(message_sid), 1, SEEN_MESSAGE_FOR.total_seconds())
    return result


def _handle(*, message_sid, from_number, to_number, body):
    word = _first_word(body)
    if word in STOP_WORDS:
        SmsOptOut.objects.get_or_create(phone=from_number)
        logger.info("inbound SMS %s: opt-out recorded", message_sid)
        return None
    if word in START_WORDS:
        SmsOptOut.objects.filter(phone=from_number).delete()
        logger.info("inbound SMS %s: opt-out lifted", message_sid)
        return None
    if not _valid_number(from_number):
        logger.info("inbound SMS %s: from no valid number, ignored", message_sid)
        return None
    territory = Territory.objects.filter(sms_number=to_number).first() if to_number else None
    code = None
    for candidate in CANDIDATE.findall(body.upper()):
        code = referral_code_by_short_code(short_code=candidate)
        if code is not None:
            break
    reply_from = {"sender": Sender.TWO_WAY, "sender_number": to_number}
    if code is None:
        with transaction.atomic():
            notification_create(
                channel=Channel.SMS,
                template=Template.INBOUND_REPLY,
                recipient=from_number,
                body=messages.inbound_reply_unknown_code(territory),
                territory=territory,
                **reply_from,
            )
        logger.info("inbound SMS %s: no known code", message_sid)
        return None
    # The same number texting the same capteur's code again within a day is the same person
    # asking again: no second referral, no second alert (and no SMS pumping through us).
    recent = Referral.objects.filter(
        phone=from_number,
        capteur_id=code.capteur_id,
        created_at__gte=timezone.now() - RESUBMISSION_WINDOW,
    ).first()
    if recent is not None:
        logger.info("inbound SMS %s: same person again, referral %s", message_sid, recent.pk)
        return recent
    # Twilio may call twice for one message: the message id is the idempotency key.
    result = referral_submit(
        code=code,
        idempotency_key=f"sms:{message_sid}" if message_sid else None,
        submission=Submission(
            first_name="",
            phone=from_number,
            filled_by=FilledBy.PERSON,
            channel=ReferralChannel.SMS,
        ),
        # Texting the code is the request to be called back; the person did not see the
        # notice on a page, so the consent is recorded as given by SMS.
        consent_version=f"{PRIVACY_NOTICE_VERSION}-sms",
        acknowledgment_sender=reply_from,
    )
    logger.info("inbound SMS %s: referral %s", message_sid, result.referral.pk)
    return result.referral


# Twilio's message statuses, in the order they happen; callbacks may come twice or out of
# order, so a status only ever moves forward, and a final one never changes.
PROVIDER_ORDER = ["accepted", "queued", "sending", "sent", "delivered", "undelivered", "failed"]
PROVIDER_FINAL = {
    "delivered": NotificationStatus.DELIVERED,
    "undelivered": NotificationStatus.FAILED,
    "failed": NotificationStatus.FAILED,
}


def record_delivery_status(*, notification_id, message_sid, provider_status, error_code):
    """Records what Twilio says became of an outbox row. Twilio is the truth: a message it
    reports on left our hands, even if our own request timed out (the row then stops being
    retried). May arrive before the worker recorded the send: it writes the provider id."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or (
            notification.provider_id and message_sid and notification.provider_id != message_sid
        ):
            return
        known = notification.provider_status
        if known in PROVIDER_FINAL or (
            known in PROVIDER_ORDER
            and PROVIDER_ORDER.index(provider_status) <= PROVIDER_ORDER.index(known)
        ):
            return  # a late or repeated callback never moves a status back
        now = timezone.now()
        notification.provider_status = provider_status
        fields = ["provider_status", "updated_at"]
        if message_sid and not notification.provider_id:
            notification.provider_id = message_sid
            fields.append("provider_id")
        if notification.sent_at is None:
            notification.sent_at = now
            fields.append("sent_at")
        if provider_status in PROVIDER_FINAL:
            notification.status = PROVIDER_FINAL[provider_status]
            fields.append("status")
            if provider_status == "delivered":
                notification.delivered_at = now
                notification.last_error = ""
                fields += ["delivered_at", "last_error"]
            else:
                notification.last_error = f"Twilio {provider_status} {error_code}".strip()
                fields.append("last_error")
        elif notification.status != NotificationStatus.SENT:
            notification.status = NotificationStatus.SENT
            notification.last_error = ""
            fields += ["status", "last_error"]
        notification.save(update_fields=fields)
