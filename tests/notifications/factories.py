import datetime
import json
import uuid
import zoneinfo

import factory
from django.utils import timezone
from twilio.http import HttpClient
from twilio.http.response import Response

from backend.notifications.enums import Channel, NotificationStatus, Sender
from backend.notifications.models import Notification
from backend.referrals.enums import ReferralTemplate
from tests.accounts.factories import TerritoryFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# Real French mobile ranges (07 81 …): "07 00 …" is invalid, and landlines never get SMS.
PERSON_MOBILE = "+33781234567"
OTHER_MOBILE = "+33781234599"
LANDLINE = "+33559601234"


def paris(*args) -> datetime.datetime:
    """An aware datetime in the territory's time zone: paris(2026, 6, 9, 14, 0)."""
    return datetime.datetime(*args, tzinfo=PARIS)


class NotificationFactory(factory.django.DjangoModelFactory):
    """An outbox row as notifications_save leaves it: pending, just enqueued."""

    class Meta:
        model = Notification

    territory = factory.SubFactory(TerritoryFactory)
    channel = Channel.SMS
    template = ReferralTemplate.FACILITATOR_NEW_REFERRAL
    recipient = factory.Sequence(lambda n: f"+33781{n % 1000000:06d}")
    body = "Relais: nouvelle orientation R-2026-000001 de Bar-tabac du Centre. Besoins: emploi."
    sender = Sender.ALPHANUMERIC
    status = NotificationStatus.PENDING
    # Lambdas, not timezone.now itself: tests freeze the clock by patching timezone.now.
    enqueued_at = factory.LazyFunction(lambda: timezone.now())

    class Params:
        # To a referred person: quiet hours and the daily cap apply.
        to_person = factory.Trait(
            template=ReferralTemplate.PERSON_ACKNOWLEDGMENT,
            quiet_hours=True,
            daily_capped=True,
            recipient=PERSON_MOBILE,
            body="Bonjour, c'est Relais. Votre demande est bien arrivée.",
        )
        # A reply to someone who texted the territory's two-way number.
        reply = factory.Trait(
            template=ReferralTemplate.INBOUND_REPLY,
            daily_capped=True,
            recipient=PERSON_MOBILE,
            body="Relais: nous n'avons pas reconnu ce code.",
            sender=Sender.TWO_WAY,
            sender_number=factory.SelfAttribute("territory.sms_number"),
        )
        email = factory.Trait(
            channel=Channel.EMAIL,
            template=ReferralTemplate.COORDINATOR_UNASSIGNED,
            recipient=factory.Sequence(lambda n: f"coordination{n}@example.org"),
            subject="Orientation R-2026-000001 sans facilitateur",
            sender="",
        )
        # Written while the broker was down, long enough ago for the sweep.
        left_behind = factory.Trait(
            enqueued_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=5))
        )
        sent = factory.Trait(
            status=NotificationStatus.SENT,
            sent_at=factory.LazyFunction(lambda: timezone.now()),
            provider_id=factory.LazyFunction(lambda: twilio_sid("SM")),
            attempts=1,
        )


def twilio_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


class FakeTwilioHttp(HttpClient):
    """The Twilio SDK's HTTP layer, replaced: records each request the SDK built and answers
    like Twilio (201 and a message resource), or with what the test queued: an error answer
    (`fail_next(status, code)`) or an exception (`raise_next(exc)`).

    `on_request`, when set, runs before answering (e.g. a status callback that beats the
    worker)."""

    def __init__(self):
        super().__init__(logger=None, is_async=False, timeout=10)
        self.requests = []
        self._queued = []
        self.on_request = None

    def fail_next(self, status, code=None, *, times=1, rfc9457=False):
        payload = {"code": code or status, "message": "error", "status": status}
        if rfc9457:
            payload.update(type="https://www.twilio.com/docs/errors/21211", title="error")
        self._queued += [Response(status, json.dumps(payload))] * times

    def raise_next(self, exc, *, times=1):
        self._queued += [exc] * times

    def request(
        self,
        method,
        uri,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):
        self.requests.append({"method": method, "url": uri, "data": dict(data or {})})
        sid = twilio_sid("SM")
        if self.on_request:
            self.on_request(self.requests[-1], sid)
        if self._queued:
            answer = self._queued.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        form = data or {}
        return Response(
            201,
            json.dumps(
                {
                    "sid": sid,
                    "status": "accepted" if "MessagingServiceSid" in form else "queued",
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body"),
                    "messaging_service_sid": form.get("MessagingServiceSid"),
                }
            ),
        )

    @property
    def sent(self):
        """The form of each message create request."""
        return [r["data"] for r in self.requests]


TWILIO_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TWILIO_AUTH_TOKEN = "test-auth-token-0123456789abcdef"
TWILIO_MESSAGING_SERVICE_SID = "MG" + "fedcba9876543210" * 2
PUBLIC_BASE_URL = "https://relais.example.org"


def forbid_real_twilio_http(monkeypatch):
    """Any request through the SDK's real HTTP client fails the test: never api.twilio.com."""
    from twilio.http.http_client import TwilioHttpClient

    def refuse(self, *args, **kwargs):
        raise AssertionError("a test reached for the network through TwilioHttpClient")

    monkeypatch.setattr(TwilioHttpClient, "request", refuse)


def use_fake_twilio(monkeypatch, settings, *, messaging_service=True) -> FakeTwilioHttp:
    """SMS_BACKEND=twilio with the real SDK, whose HTTP client is a FakeTwilioHttp."""
    fake = FakeTwilioHttp()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = TWILIO_ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_AUTH_TOKEN
    settings.TWILIO_MESSAGING_SERVICE_SID = (
        TWILIO_MESSAGING_SERVICE_SID if messaging_service else ""
    )
    settings.TWILIO_API_BASE_URL = ""
    settings.SMS_SENDER_ID = "RELAIS"
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    monkeypatch.setattr("backend.notifications.sms.TwilioHttpClient", lambda **kwargs: fake)
    return fake


class Clock:
    """What `django.utils.timezone.now()` answers while frozen (see freeze)."""

    def __init__(self, moment):
        self.now = moment

    def set(self, moment):
        self.now = moment

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


def freeze(monkeypatch, moment) -> Clock:
    """Freezes Django's clock at `moment` (an aware datetime) for the test."""
    clock = Clock(moment)
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock
