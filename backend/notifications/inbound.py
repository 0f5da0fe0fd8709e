"""What inbound SMS and delivery callbacks do (called by the Twilio webhooks)."""

import logging
import re

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
from backend.referrals.services import Submission, referral_submit

logger = logging.getLogger(__name__)

STOP_WORDS = {"STOP", "ARRET", "ARRÊT", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL"}
START_WORDS = {"START", "UNSTOP", "YES"}
CANDIDATE = re.compile(rf"\b[{SHORT_CODE_ALPHABET}]{{4,6}}\b")


def _first_word(body: str) -> str:
    words = body.strip().upper().split()
    return words[0].strip(".!") if words else ""


def handle_inbound_sms(*, message_sid, from_number, to_number, body):
    """STOP/ARRET opts the number out; START opts it back in; a short code creates a referral
    (channel sms) for its capteur and gets a reply; anything else gets a helpful reply."""
    territory = Territory.objects.filter(sms_number=to_number).first() if to_number else None
    word = _first_word(body)
    if word in STOP_WORDS:
        SmsOptOut.objects.get_or_create(phone=from_number)
        logger.info("inbound SMS %s: opt-out recorded", message_sid)
        return None
    if word in START_WORDS:
        SmsOptOut.objects.filter(phone=from_number).delete()
        return None
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
        acknowledgment_sender=reply_from,
    )
    logger.info("inbound SMS %s: referral %s", message_sid, result.referral.pk)
    return result.referral


def record_delivery_status(*, notification_id, message_sid, provider_status, error_code):
    from backend.notifications.webhooks import FINAL, PROVIDER_ORDER

    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or (
            notification.provider_id and message_sid and notification.provider_id != message_sid
        ):
            return
        known = notification.provider_status
        if known in PROVIDER_ORDER and PROVIDER_ORDER.index(
            provider_status
        ) <= PROVIDER_ORDER.index(known):
            return  # a late or repeated callback never moves a status back
        notification.provider_status = provider_status
        fields = ["provider_status", "updated_at"]
        if provider_status in FINAL:
            notification.status = FINAL[provider_status]
            fields.append("status")
            if provider_status == "delivered":
                notification.delivered_at = timezone.now()
                fields.append("delivered_at")
            else:
                notification.last_error = f"Twilio {provider_status} {error_code}".strip()
                fields.append("last_error")
        elif notification.status in (NotificationStatus.PENDING, NotificationStatus.SENDING):
            notification.status = NotificationStatus.SENT
            fields.append("status")
        notification.save(update_fields=fields)
