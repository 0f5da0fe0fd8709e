"""SMS backends behind one interface, chosen by settings.SMS_BACKEND.

- `console` (default): the message is logged (recipient masked) and kept in the outbox, visible
  in the admin; nothing leaves the machine.
- `twilio`: the real Twilio SDK, with a timeout (its default has none), a Messaging Service SID
  or a sender, and a status callback URL per message.

A backend returns the provider's message id, or raises PermanentSmsError (do not retry: invalid
number, unsubscribed, landline) or TransientSmsError (retry later: rate limit, 5xx, network).
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    def __init__(self, message, *, code=None):
        super().__init__(message)
        self.code = code


class PermanentSmsError(SmsError):
    pass


class TransientSmsError(SmsError):
    pass


def mask(number: str) -> str:
    """A phone number for logs: "+336******78"."""
    return number[:4] + "*" * max(len(number) - 6, 0) + number[-2:] if number else ""


class ConsoleSmsBackend:
    def send(self, *, to, body, sender, status_callback):
        logger.info("SMS (console) to %s from %s: %d characters", mask(to), sender, len(body))
        return ""


# Twilio error codes that will fail again however often we retry.
# 21211 invalid number, 21610 unsubscribed (STOP), 21614 not a mobile, 21408 region not allowed,
# 21612 cannot route, 30003-30006 unreachable / landline / unknown.
PERMANENT_TWILIO_CODES = {21211, 21408, 21610, 21612, 21614, 30003, 30004, 30005, 30006}


class TwilioSmsBackend:
    def __init__(self, http_client=None):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=http_client or TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT),
        )
        if settings.TWILIO_API_BASE_URL:
            # A local fake Twilio in integration tests; never set in production.
            self.client.api.base_url = settings.TWILIO_API_BASE_URL

    def send(self, *, to, body, sender, status_callback):
        from requests import RequestException
        from twilio.base.exceptions import TwilioException, TwilioRestException

        params = {"to": to, "body": body, "status_callback": status_callback}
        if sender:
            params["from_"] = sender
        else:
            params["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        try:
            message = self.client.messages.create(**params)
        except TwilioRestException as exc:
            if exc.code in PERMANENT_TWILIO_CODES or (
                400 <= exc.status < 500 and exc.status != 429
            ):
                raise PermanentSmsError(f"Twilio {exc.status}/{exc.code}", code=exc.code) from exc
            raise TransientSmsError(f"Twilio {exc.status}/{exc.code}", code=exc.code) from exc
        except (TwilioException, RequestException) as exc:
            raise TransientSmsError(f"{type(exc).__name__}") from exc
        return message.sid


def get_backend():
    name = settings.SMS_BACKEND
    path = {
        "console": "backend.notifications.sms.ConsoleSmsBackend",
        "twilio": "backend.notifications.sms.TwilioSmsBackend",
    }.get(name, name)
    return import_string(path)()
