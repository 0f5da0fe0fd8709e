"""What inbound SMS and delivery callbacks do (called by the Twilio webhooks).

Inbound SMS: the outbox handles what concerns every message (STOP/START opt-outs, a message
posted twice, a sender that is no phone number) and hands the rest to the handler a domain app
registered (referrals: a capteur's short code becomes a referral).
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from django.db import transaction
from django.utils import timezone

from backend.core.cache import fail_open_cache
from backend.notifications.enums import NotificationStatus
from backend.notifications.models import Notification, SmsOptOut

logger = logging.getLogger(__name__)

STOP_WORDS = {"STOP", "ARRET", "ARRÊT", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL"}
START_WORDS = {"START", "UNSTOP"}
# Twilio may post one message twice (a slow answer, a retry): remember the ids for a day.
SEEN_MESSAGE_FOR = datetime.timedelta(days=1)


@dataclass(frozen=True)
class InboundSms:
    """A text a person sent to one of the network's numbers (From is a valid number)."""

    message_sid: str
    from_number: str
    to_number: str
    body: str


InboundHandler = Callable[[InboundSms], object]
_handler: list[InboundHandler] = []  # at most one: the app that owns the network's numbers


def register_inbound_handler(handler: InboundHandler) -> InboundHandler:
    """Sets what to do with an inbound SMS that is no opt-out (called in an app's ready())."""
    _handler[:] = [handler]
    return handler


def _first_word(body: str) -> str:
    words = body.strip().upper().split()
    return words[0].strip(".!") if words else ""


def _valid_number(number: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return False


def _seen_key(message_sid: str) -> str:
    return f"twilio-inbound:{message_sid}"


def handle_inbound_sms(*, message_sid: str, from_number: str, to_number: str, body: str) -> object:
    """STOP/ARRET opts the number out; START opts it back in; anything else from a valid
    number goes to the registered handler, whose result is returned.

    The same `message_sid` twice does it once: through the cache (best effort), and the
    handler's own idempotency (referrals use the message id as idempotency key), which
    is what remains while the cache is down."""
    if message_sid and fail_open_cache.get(_seen_key(message_sid)):
        logger.info("inbound SMS %s: already handled", message_sid)
        return None
    result = _handle(
        InboundSms(message_sid=message_sid, from_number=from_number, to_number=to_number, body=body)
    )
    if message_sid:
        fail_open_cache.set(_seen_key(message_sid), 1, SEEN_MESSAGE_FOR.total_seconds())
    return result


def _handle(sms: InboundSms) -> object:
    word = _first_word(sms.body)
    if word in STOP_WORDS:
        SmsOptOut.objects.get_or_create(phone=sms.from_number)
        logger.info("inbound SMS %s: opt-out recorded", sms.message_sid)
        return None
    if word in START_WORDS:
        SmsOptOut.objects.filter(phone=sms.from_number).delete()
        logger.info("inbound SMS %s: opt-out lifted", sms.message_sid)
        return None
    if not _valid_number(sms.from_number):
        logger.info("inbound SMS %s: from no valid number, ignored", sms.message_sid)
        return None
    if not _handler:
        logger.warning("inbound SMS %s: no handler registered, ignored", sms.message_sid)
        return None
    return _handler[0](sms)


# Twilio's message statuses, in the order they happen; callbacks may come twice or out of
# order, so a status only ever moves forward, and a final one never changes.
PROVIDER_ORDER = ["accepted", "queued", "sending", "sent", "delivered", "undelivered", "failed"]
PROVIDER_FINAL = {
    "delivered": NotificationStatus.DELIVERED,
    "undelivered": NotificationStatus.FAILED,
    "failed": NotificationStatus.FAILED,
}


def record_delivery_status(
    *, notification_id: int, message_sid: str, provider_status: str, error_code: str
) -> None:
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
