"""SMS backends: the real Twilio SDK with its HTTP layer replaced, asserting on the request it
built; how Twilio's answers become a sent, failed or retried row; the console backend."""

import logging

import pytest
import requests
from celery.exceptions import Retry

from backend.config.celery import app as celery_app
from backend.notifications import sms
from backend.notifications.delivery import MAX_ATTEMPTS, deliver, retry_delay
from backend.notifications.enums import NotificationStatus
from backend.notifications.models import Notification
from backend.notifications.sms import TransientSmsError
from backend.notifications.tasks import deliver_notification, sweep
from tests.notifications.factories import (
    PUBLIC_BASE_URL,
    TWILIO_ACCOUNT_SID,
    TWILIO_MESSAGING_SERVICE_SID,
    NotificationFactory,
    forbid_real_twilio_http,
    freeze,
    paris,
    use_fake_twilio,
)

pytestmark = pytest.mark.django_db

MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    forbid_real_twilio_http(monkeypatch)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Tuesday 9 June 2026, 14:00: SMS to people may leave at once."""
    return freeze(monkeypatch, paris(2026, 6, 9, 14, 0))


@pytest.fixture
def twilio(monkeypatch, settings):
    return use_fake_twilio(monkeypatch, settings)


@pytest.fixture
def eager_retries():
    """Eager tasks propagate their exceptions in tests, a Retry included; this lets Celery run
    the retries in-process instead, at once. Set and restored by hand (not monkeypatch: the
    app's conf does not survive it)."""
    saved = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = saved


def reload(notification) -> Notification:
    return Notification.objects.get(pk=notification.pk)


# --- the request the SDK builds -----------------------------------------------------------


def test_an_sms_goes_through_the_messaging_service_with_a_status_callback(territory, twilio):
    notification = NotificationFactory(territory=territory)

    deliver(notification.pk)

    [request] = twilio.requests
    assert (request["method"], request["url"]) == ("POST", MESSAGES_URL)
    assert request["data"] == {
        "To": notification.recipient,
        "Body": notification.body,
        "MessagingServiceSid": TWILIO_MESSAGING_SERVICE_SID,
        "StatusCallback": f"{PUBLIC_BASE_URL}/twilio/sms/status/?outbox={notification.pk}",
    }
    notification = reload(notification)
    assert notification.status == NotificationStatus.SENT
    assert notification.provider_id.startswith("SM")
    assert notification.sent_at is not None
    assert notification.attempts == 1
    assert notification.last_error == ""


def test_without_a_messaging_service_the_sms_comes_from_the_alphanumeric_sender_id(
    territory, monkeypatch, settings
):
    twilio = use_fake_twilio(monkeypatch, settings, messaging_service=False)
    settings.SMS_SENDER_ID = "RELAIS64"
    notification = NotificationFactory(territory=territory)

    deliver(notification.pk)

    [form] = twilio.sent
    assert form["From"] == "RELAIS64"
    assert "MessagingServiceSid" not in form
    assert reload(notification).status == NotificationStatus.SENT


@pytest.mark.parametrize("messaging_service", [True, False])
def test_a_reply_to_an_inbound_sms_comes_from_the_territorys_two_way_number(
    territory, monkeypatch, settings, messaging_service
):
    twilio = use_fake_twilio(monkeypatch, settings, messaging_service=messaging_service)
    notification = NotificationFactory(territory=territory, reply=True)

    deliver(notification.pk)

    [form] = twilio.sent
    assert form["From"] == str(territory.sms_number) == "+33644630101"
    assert "MessagingServiceSid" not in form
    assert form["To"] == notification.recipient


def test_the_real_http_client_has_a_timeout(settings):
    # Twilio's default HTTP client waits forever on a hung server.
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = TWILIO_ACCOUNT_SID
    settings.TWILIO_TIMEOUT = 7

    backend = sms.get_backend()

    assert isinstance(backend, sms.TwilioSmsBackend)
    assert backend.client.http_client.timeout == 7


# --- Twilio's answers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "meaning"),
    [(21211, "invalid number"), (21610, "unsubscribed"), (21614, "not a mobile")],
)
def test_a_permanent_twilio_error_fails_the_sms_without_retry(territory, twilio, code, meaning):
    # given Twilio refuses the number for good
    twilio.fail_next(400, code)
    notification = NotificationFactory(territory=territory)

    # when the delivery task runs
    result = deliver_notification.apply(args=[notification.pk])

    # then the row failed with Twilio's code, after one request
    assert result.successful()
    notification = reload(notification)
    assert notification.status == NotificationStatus.FAILED
    assert notification.last_error == f"Twilio 400/{code}"
    assert notification.attempts == 1
    assert len(twilio.requests) == 1


def test_a_permanent_error_in_twilios_newer_error_format_is_not_retried_either(territory, twilio):
    # RFC 9457 answers raise TwilioServiceException, which is no TwilioRestException.
    twilio.fail_next(400, 21211, rfc9457=True)
    notification = NotificationFactory(territory=territory)

    deliver_notification.apply(args=[notification.pk])

    assert reload(notification).status == NotificationStatus.FAILED
    assert len(twilio.requests) == 1


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((429, 20429), "Twilio 429/20429"),
        ((500, None), "Twilio 500/500"),
        ((503, None), "Twilio 503/503"),
        (requests.ConnectionError("connection refused"), "ConnectionError"),
        (requests.ReadTimeout("read timed out"), "ReadTimeout"),
    ],
    ids=["rate-limited", "500", "503", "connection-error", "read-timeout"],
)
def test_a_transient_error_puts_the_sms_back_for_a_retry(territory, twilio, clock, answer, error):
    # given Twilio is overloaded, or unreachable
    if isinstance(answer, Exception):
        twilio.raise_next(answer)
    else:
        twilio.fail_next(*answer)
    notification = NotificationFactory(territory=territory)

    # when a delivery tries
    with pytest.raises(TransientSmsError):
        deliver(notification.pk)

    # then the row is pending again, counted and explained, its retry due in 30 s
    notification = reload(notification)
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1
    assert notification.last_error == error
    assert (notification.enqueued_at - clock.now).total_seconds() == retry_delay(1) == 30
    # and the sweep leaves it to the task's retry
    assert sweep(now=clock.now) == 0
    assert len(twilio.requests) == 1


def test_the_task_retries_a_transient_error_and_sends_once_twilio_recovers(
    territory, twilio, eager_retries
):
    # given Twilio answers 503 twice, then accepts
    twilio.fail_next(503, times=2)
    notification = NotificationFactory(territory=territory)

    # when the delivery task runs (retries run at once in eager mode)
    deliver_notification.apply(args=[notification.pk])

    # then the third request went through
    assert len(twilio.requests) == 3
    notification = reload(notification)
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 3
    assert notification.last_error == ""


def test_the_task_gives_up_after_its_last_retry(territory, twilio, eager_retries):
    # given Twilio keeps timing out
    twilio.raise_next(requests.ReadTimeout("read timed out"), times=10)
    notification = NotificationFactory(territory=territory)

    # when the delivery task runs with all its retries
    result = deliver_notification.apply(args=[notification.pk])

    # then after MAX_ATTEMPTS tries the row failed for good, and the task ended cleanly
    assert result.successful()
    assert len(twilio.requests) == MAX_ATTEMPTS == 6
    notification = reload(notification)
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == MAX_ATTEMPTS
    assert notification.last_error == "ReadTimeout"


def test_the_sweep_cannot_make_a_failing_sms_loop(territory, twilio, clock):
    # given a row already tried MAX_ATTEMPTS - 1 times, picked up again by the sweep
    twilio.fail_next(500)
    notification = NotificationFactory(
        territory=territory, attempts=MAX_ATTEMPTS - 1, left_behind=True
    )

    # when its last try fails
    deliver(notification.pk)

    # then it fails for good (no exception: no retry scheduled)
    notification = reload(notification)
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, 6)


def test_the_task_asks_celery_for_a_retry_after_the_backoff(territory, twilio):
    twilio.fail_next(503)
    notification = NotificationFactory(territory=territory)

    # (eager tasks propagate in tests: the retry request comes out as an exception)
    with pytest.raises(Retry) as retry:
        deliver_notification.apply(args=[notification.pk])

    assert retry.value.when == 30
    assert reload(notification).status == NotificationStatus.PENDING


def test_retries_back_off_exponentially():
    assert [retry_delay(failures) for failures in range(1, 6)] == [30, 60, 120, 240, 480]


# --- console -------------------------------------------------------------------------------


def test_the_console_backend_logs_a_masked_number_and_keeps_the_sms_in_the_outbox(
    territory, caplog
):
    notification = NotificationFactory(territory=territory, recipient="+33781234567")

    with caplog.at_level(logging.INFO, logger="backend.notifications.sms"):
        deliver(notification.pk)

    notification = reload(notification)
    assert (notification.status, notification.provider_id) == (NotificationStatus.SENT, "")
    assert "SMS (console) to +337******67 from RELAIS" in caplog.text
    assert "+33781234567" not in caplog.text
    assert notification.body not in caplog.text
