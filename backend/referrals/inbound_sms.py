"""The SMS door of intake: a person texts a capteur's short code (e.g. "K7Q2") to the
territory's number and is called back like after the form.

The outbox (backend.notifications.inbound) has already dealt with opt-outs, repeated posts of
one message and senders that are no phone number; what reaches `handle_code_sms` is a text
from a valid number. Registered in ReferralsConfig.ready().
"""

import logging
import re

from django.core.exceptions import ValidationError

from backend.accounts.models import Territory
from backend.capteurs.selectors import referral_code_by_short_code
from backend.capteurs.services import SHORT_CODE_ALPHABET
from backend.notifications.enums import Sender
from backend.notifications.inbound import InboundSms
from backend.referrals.enums import Channel, FilledBy
from backend.referrals.models import Referral
from backend.referrals.notifications import unknown_code_reply_create
from backend.referrals.privacy import PRIVACY_NOTICE_VERSION
from backend.referrals.services.intake import CodeRateLimited, Submission, referral_submit

logger = logging.getLogger(__name__)

CANDIDATE = re.compile(rf"\b[{SHORT_CODE_ALPHABET}]{{4,6}}\b")


def handle_code_sms(sms: InboundSms) -> Referral | None:
    """A known active code in the text makes a referral (channel sms) for its capteur, and the
    person's acknowledgment is sent from the number they texted; no known code gets a helpful
    reply. Returns the referral (a new one, or the one this number made through the same
    capteur within a day: see intake)."""
    code = None
    for candidate in CANDIDATE.findall(sms.body.upper()):
        code = referral_code_by_short_code(short_code=candidate)
        if code is not None:
            break
    if code is None:
        territory = (
            Territory.objects.filter(sms_number=sms.to_number).first() if sms.to_number else None
        )
        unknown_code_reply_create(
            territory=territory, person_number=sms.from_number, network_number=sms.to_number
        )
        logger.info("inbound SMS %s: no known code", sms.message_sid)
        return None
    try:
        result = referral_submit(
            code=code,
            # Twilio may call twice for one message: the message id is the idempotency key.
            idempotency_key=f"sms:{sms.message_sid}" if sms.message_sid else None,
            submission=Submission(
                first_name="",
                phone=sms.from_number,
                filled_by=FilledBy.PERSON,
                channel=Channel.SMS,
                # Texting the code is the request to be called back.
                consent=True,
            ),
            # The person did not see the notice on a page: the consent is recorded as given
            # by SMS.
            consent_version=f"{PRIVACY_NOTICE_VERSION}-sms",
            acknowledgment_sender={"sender": Sender.TWO_WAY, "sender_number": sms.to_number},
        )
    except CodeRateLimited:
        # A flood through one code: no referral and no reply (a reply would feed SMS pumping).
        logger.warning("inbound SMS %s: code %s over its rate limit", sms.message_sid, code.pk)
        return None
    except ValidationError as exc:
        # A sender intake refuses (a service number): no referral and no reply either.
        logger.info(
            "inbound SMS %s: refused by intake (%s)",
            sms.message_sid,
            ", ".join(sorted(exc.message_dict)),
        )
        return None
    logger.info("inbound SMS %s: referral %s", sms.message_sid, result.referral.pk)
    return result.referral
