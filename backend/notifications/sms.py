"""SMS backends behind one interface, chosen by settings.SMS_BACKEND.

- `console` (default): the message is logged (recipient masked) and kept in the outbox, visible
  in the admin; nothing leaves the machine.
- `twilio`: the real Twilio SDK, with a timeout (its default has none), a Messaging Service SID
  or the alphanumeric sender ID, and a status callback URL per message.

`send(to=, body=, sender=, status_callback=)`: `sender` is a number to send from (the
territory's two-way number, when replying to a person who texted it) or "" for the default
outbound sender. A backend returns the provider's message id, or raises PermanentSmsError (do not
retry: invalid number, unsubscribed, landline) or TransientSmsError (retry later: rate limit,
5xx, network).
"""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException

# Module-level so that tests can swap the SDK's HTTP layer (never reach api.twilio.com).
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

logger = logging.getLogger(__name__)


class SmsError(Exception):
    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class PermanentSmsError(SmsError):
    pass


class TransientSmsError(SmsError):
    pass


def mask(number: str) -> str:
    """A phone number for logs: "+336******78"."""
    return number[:4] + "*" * max(len(number) - 6, 0) + number[-2:] if number else ""


class SmsBackend(Protocol):
    """What settings.SMS_BACKEND names (see the module docstring)."""

    def send(self, *, to: str, body: str, sender: str, status_callback: str) -> str: ...


class ConsoleSmsBackend:
    def send(self, *, to: str, body: str, sender: str, status_callback: str) -> str:
        logger.info(
            "SMS (console) to %s from %s: %d characters",
            mask(to),
            sender or settings.SMS_SENDER_ID,
            len(body),
        )
        return ""


# Twilio error codes that will fail again however often we retry.
# 21211 invalid number, 21610 unsubscribed (STOP), 21614 not a mobile, 21408 region not allowed,
# 21612 cannot route, 30003-30006 unreachable / landline / unknown.
PERMANENT_TWILIO_CODES = {21211, 21408, 21610, 21612, 21614, 30003, 30004, 30005, 30006}
# Authentication or account problems: no message can leave until a human fixes the settings.
CONFIGURATION_STATUSES = {401, 403}


class TwilioSmsBackend:
    def __init__(self, http_client=None):
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=http_client or TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT),
        )
        if settings.TWILIO_API_BASE_URL:
            # A local fake Twilio in integration tests; never set in production.
            self.client.api.base_url = settings.TWILIO_API_BASE_URL

    def send(self, *, to: str, body: str, sender: str, status_callback: str) -> str:
        params = {"to": to, "body": body, "status_callback": status_callback}
        if sender:
            params["from_"] = sender
        elif settings.TWILIO_MESSAGING_SERVICE_SID:
            # The Messaging Service picks the sender (alphanumeric where the country allows).
            params["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            params["from_"] = settings.SMS_SENDER_ID
        try:
            message = self.client.messages.create(**params)
        # Legacy errors and RFC 9457 ones (TwilioServiceException is no TwilioRestException).
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _classify(exc) from exc
        except (TwilioException, RequestException) as exc:
            # Connection refused, read timeout, a malformed answer: worth another try.
            raise TransientSmsError(type(exc).__name__) from exc
        return message.sid


def _classify(exc: TwilioRestException | TwilioServiceException) -> SmsError:
    status, code = exc.status, exc.code
    label = f"Twilio {status}/{code}"
    if status in CONFIGURATION_STATUSES:
        # Not the message's fault: keep retrying (then the sweep) while a human fixes it, so a
        # rotated token does not fail every pending SMS for good.
        logger.error("Twilio refused our credentials (%s): check the TWILIO_* settings", label)
        return TransientSmsError(label, code=code)
    if code in PERMANENT_TWILIO_CODES or (400 <= status < 500 and status != 429):
        return PermanentSmsError(label, code=code)
    return TransientSmsError(label, code=code)


def get_backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    path = {
        "console": "backend.notifications.sms.ConsoleSmsBackend",
        "twilio": "backend.notifications.sms.TwilioSmsBackend",
    }.get(name, name)
    return import_string(path)()
