"""Twilio webhooks: inbound SMS and delivery status callbacks.

Every request must carry a valid X-Twilio-Signature, computed by Twilio over the public URL it
called (settings.PUBLIC_BASE_URL + path and query: behind a TLS-terminating proxy, Django's own
idea of the URL would be wrong) and the POST parameters. Unsigned or wrongly signed: 403, and
nothing changes. Answers are fast and empty: replies go through the outbox.
"""

import functools
import logging
import re

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from backend.notifications import inbound

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _signature_ok(request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    url = f"{settings.PUBLIC_BASE_URL}{request.get_full_path()}"
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST, signature)


def twilio_signed(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _signature_ok(request):
            logger.warning("Twilio webhook with a missing or bad signature refused")
            return HttpResponseForbidden()
        return view(request, *args, **kwargs)

    return csrf_exempt(require_POST(wrapper))


@twilio_signed
def inbound_sms(request):
    """A person texted the network's number (e.g. a capteur's short code, or STOP)."""
    inbound.handle_inbound_sms(
        message_sid=request.POST.get("MessageSid", ""),
        from_number=request.POST.get("From", ""),
        to_number=request.POST.get("To", ""),
        body=request.POST.get("Body", ""),
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


OUTBOX_ID = re.compile(r"^\d{1,18}$")


@twilio_signed
def status_callback(request):
    """Twilio tells what became of a message we sent (`?outbox=<id>` names our row)."""
    outbox = request.GET.get("outbox", "")
    provider_status = request.POST.get("MessageStatus", "")
    if OUTBOX_ID.match(outbox) and provider_status in inbound.PROVIDER_ORDER:
        inbound.record_delivery_status(
            notification_id=int(outbox),
            message_sid=request.POST.get("MessageSid", ""),
            provider_status=provider_status,
            error_code=request.POST.get("ErrorCode", ""),
        )
    return HttpResponse(status=204)
