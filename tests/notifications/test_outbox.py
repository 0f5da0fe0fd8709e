"""The outbox: a referral's messages are rows written in the referral's own transaction, and
their delivery is enqueued after commit, without ever failing or hanging the request."""

import datetime
import json
import logging
import socket

import pytest
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.config.celery import app as celery_app
from backend.notifications.enums import Channel, NotificationStatus, Sender
from backend.notifications.models import Notification
from backend.notifications.tasks import deliver_notification, enqueue_delivery, sweep
from backend.referrals.enums import ReferralTemplate
from backend.referrals.models import Referral
from backend.referrals.services.intake import Submission, referral_submit
from tests.accounts.factories import MembershipFactory
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.notifications.factories import (
    PERSON_MOBILE,
    forbid_real_twilio_http,
    freeze,
    paris,
    use_fake_twilio,
)

pytestmark = pytest.mark.django_db

INTAKE_URL = "/api/v1/referrals/intake/"
NOTE = "Je dors dans ma voiture depuis deux semaines."


@pytest.fixture(autouse=True)
def _tuesday_afternoon(monkeypatch):
    """Tuesday 9 June 2026, 14:00 in Orthez: SMS to people may leave at once."""
    forbid_real_twilio_http(monkeypatch)
    return freeze(monkeypatch, paris(2026, 6, 9, 14, 0))


@pytest.fixture
def code(territory):
    return ReferralCodeFactory(
        capteur=CapteurFactory(territory=territory, partner=True, name="Bar-tabac Le Central")
    )


def submission(**overrides):
    return Submission(
        **{
            "first_name": "Samia",
            "phone": PERSON_MOBILE,
            "needs": ["emploi", "logement"],
            "note": NOTE,
            "consent": True,
            **overrides,
        }
    )


def outbox(template):
    return Notification.objects.filter(template=template)


def test_a_referral_writes_the_facilitators_sms_and_the_persons_acknowledgment(
    code, territory, django_capture_on_commit_callbacks
):
    # given a partner capteur's code and an available facilitator with a mobile
    facilitator = MembershipFactory(
        territory=territory, facilitator=True, user__first_name="Anaïs"
    ).user
    # when a person leaves their number
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_submit(code=code, submission=submission()).referral

    # then the facilitator gets an SMS: capteur, needs, due date, and nothing personal
    alert = outbox(ReferralTemplate.FACILITATOR_NEW_REFERRAL).get()
    assert (alert.channel, alert.recipient) == (Channel.SMS, str(facilitator.phone))
    assert alert.referral == referral
    assert referral.first_contact_due_on == datetime.date(2026, 6, 11)
    assert alert.body == (
        f"Relais: nouvelle orientation {referral.pseudonym} de Bar-tabac Le Central. "
        "Besoins: emploi, logement. Premier appel avant le jeudi 11 juin. "
        f"{django_settings.PUBLIC_BASE_URL}/app/orientations/{referral.pk}"
    )
    for personal in ("Samia", PERSON_MOBILE, "07 81", "voiture"):
        assert personal not in alert.body
    # and the person an acknowledgment saying who calls and by when
    acknowledgment = outbox(ReferralTemplate.PERSON_ACKNOWLEDGMENT).get()
    assert acknowledgment.recipient == PERSON_MOBILE
    assert acknowledgment.sender == Sender.ALPHANUMERIC
    assert acknowledgment.body == (
        "Bonjour, c'est Relais. Votre demande est bien arrivée. Anais vous appellera au plus "
        "tard le jeudi 11 juin. STOP au 0644630101 pour ne plus recevoir de SMS."
    )
    assert "voiture" not in acknowledgment.body
    # and both left after commit (console backend, tasks run in-process)
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert all(n.attempts == 1 and n.sent_at for n in Notification.objects.all())


def test_the_rows_are_pending_until_the_referral_commits(
    code, facilitator, django_capture_on_commit_callbacks
):
    # given a submission whose transaction has not committed yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral_submit(code=code, submission=submission())

        # then both messages are written, pending, and nothing was sent
        assert (
            outbox(ReferralTemplate.FACILITATOR_NEW_REFERRAL).get().status
            == NotificationStatus.PENDING
        )
        assert (
            outbox(ReferralTemplate.PERSON_ACKNOWLEDGMENT).get().status
            == NotificationStatus.PENDING
        )

    # when the transaction commits
    for callback in callbacks:
        callback()

    # then they are delivered
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 2


def test_a_referral_with_an_email_only_gets_no_acknowledgment_sms(
    code, facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral_submit(code=code, submission=submission(phone="", email="samia@example.org"))

    assert list(Notification.objects.values_list("template", flat=True)) == [
        ReferralTemplate.FACILITATOR_NEW_REFERRAL
    ]


def test_with_no_facilitator_the_coordinators_get_an_email(
    code, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    # given a territory with a coordinator and no facilitator at all
    # when a person leaves their number
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_submit(code=code, submission=submission()).referral

    # then the coordinator gets an email naming the reference, not the person
    alert = outbox(ReferralTemplate.COORDINATOR_UNASSIGNED).get()
    assert (alert.channel, alert.recipient) == (Channel.EMAIL, coordinator.email)
    assert alert.status == NotificationStatus.SENT
    [email] = mailoutbox
    assert email.to == [coordinator.email]
    assert referral.pseudonym in email.subject
    assert "Bar-tabac Le Central" in email.body
    for personal in ("Samia", PERSON_MOBILE, "voiture"):
        assert personal not in email.subject + email.body
    # and the person is still told someone will call
    assert "Une personne de l'équipe vous appellera" in (
        outbox(ReferralTemplate.PERSON_ACKNOWLEDGMENT).get().body
    )


def test_a_facilitator_without_a_mobile_gets_the_alert_by_email(
    code, territory, mailoutbox, django_capture_on_commit_callbacks
):
    # given the only facilitator has no phone on file
    facilitator = MembershipFactory(territory=territory, facilitator=True, user__phone="").user

    # when a person leaves their number
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_submit(code=code, submission=submission()).referral

    # then the facilitator is told by email
    alert = outbox(ReferralTemplate.FACILITATOR_NEW_REFERRAL).get()
    assert (alert.channel, alert.recipient) == (Channel.EMAIL, facilitator.email)
    [email] = mailoutbox
    assert email.subject == f"Nouvelle orientation {referral.pseudonym}"
    assert "Samia" not in email.body and "voiture" not in email.body


def test_a_rolled_back_referral_leaves_no_notification(
    code, facilitator, django_capture_on_commit_callbacks
):
    # given a submission inside a transaction that fails after the referral was written
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        referral_submit(code=code, submission=submission())
        assert Notification.objects.count() == 2
        raise RuntimeError("the caller's transaction fails")

    # then neither the referral nor its messages remain, and nothing was enqueued
    assert not Referral.objects.exists()
    assert not Notification.objects.exists()
    assert callbacks == []


def test_the_intake_api_answers_and_the_messages_leave_after_commit(
    api, code, facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            INTAKE_URL,
            {
                "code": code.token,
                "first_name": "Samia",
                "phone": "07 81 23 45 67",
                "needs": ["emploi"],
                "note": NOTE,
                "consent": True,
            },
        )

    assert response.status_code == 201
    assert dict(Notification.objects.values_list("template", "status")) == {
        ReferralTemplate.FACILITATOR_NEW_REFERRAL: NotificationStatus.SENT,
        ReferralTemplate.PERSON_ACKNOWLEDGMENT: NotificationStatus.SENT,
    }


# --- with the broker down ---------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed on exit: nothing listens there


class BrokerOutage:
    """Points the Celery app at a Redis port where nothing listens, tasks no longer eager,
    with the settings' connection timeouts. `app.conf` is set and restored by hand: the app
    reads it at start, and a monkeypatched conf breaks its teardown."""

    KEYS = (
        "task_always_eager",
        "broker_url",
        "broker_connection_timeout",
        "broker_transport_options",
    )

    def __init__(self, app):
        self.app = app
        self.saved = None

    def start(self):
        self.saved = {key: getattr(self.app.conf, key) for key in self.KEYS}
        self._drop_pools(close=False)  # the normal pools: kombu keeps them for the next test
        self.app.conf.task_always_eager = False
        self.app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
        self.app.conf.broker_connection_timeout = django_settings.CELERY_BROKER_CONNECTION_TIMEOUT
        self.app.conf.broker_transport_options = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS

    def end(self):
        if self.saved is None:
            return
        self._drop_pools(close=True)  # the outage's pools: never used again
        for key, value in self.saved.items():
            setattr(self.app.conf, key, value)
        self.saved = None

    def _drop_pools(self, *, close):
        # The app caches its connection and producer pools, built from broker_url on first use.
        if close and self.app._pool is not None:
            self.app._pool.force_close_all()
        self.app._pool = None
        self.app.amqp._producer_pool = None


@pytest.fixture
def broker_outage():
    outage = BrokerOutage(celery_app)
    yield outage
    outage.end()


def test_with_the_broker_down_a_referral_is_accepted_and_delivered_later_once(
    api,
    code,
    facilitator,
    broker_outage,
    settings,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
):
    twilio = use_fake_twilio(monkeypatch, settings)
    # given the broker is down
    broker_outage.start()

    # when a person submits the form
    with (
        caplog.at_level(logging.WARNING, logger="backend.notifications.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api.post(
            INTAKE_URL,
            {
                "code": code.token,
                "first_name": "Samia",
                "phone": "07 81 23 45 67",
                "needs": ["emploi"],
                "consent": True,
            },
        )

    # then the referral is accepted and its messages wait in the outbox
    assert response.status_code == 201
    assert Referral.objects.count() == 1
    assert set(Notification.objects.values_list("status", flat=True)) == {
        NotificationStatus.PENDING
    }
    assert "not enqueued (OperationalError), left for the sweep" in caplog.text
    # after one failed connection the request stopped trying: one timeout at most, not one each
    assert caplog.text.count("not enqueued") == 1
    assert twilio.requests == []

    # when the broker is back and the sweep runs (after the 2 minutes it leaves a fresh row)
    broker_outage.end()
    later = timezone.now() + datetime.timedelta(minutes=3)
    assert sweep(now=later) == 2

    # then each message went out once
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert sorted(form["To"] for form in twilio.sent) == sorted(
        [str(facilitator.phone), PERSON_MOBILE]
    )

    # and another sweep sends nothing more
    assert sweep(now=later + datetime.timedelta(minutes=3)) == 0
    assert len(twilio.requests) == 2


# --- after the response ------------------------------------------------------------------


@pytest.fixture
def wsgi_post():
    """POSTs JSON through Django's WSGI handler as a WSGI server does: the response is
    produced and its body read (what the client receives), then closed. Returns (status,
    queries of the response, close), `close` being the server's call once the body is sent.
    The handler's close_old_connections is held back, as Django's test client does."""

    def post(path, payload):
        environ = (
            RequestFactory()
            .post(path, data=json.dumps(payload), content_type="application/json")
            .environ
        )
        statuses = []
        with CaptureQueriesContext(connection) as context:
            body = WSGIHandler()(environ, lambda status, headers, *_: statuses.append(status))
            b"".join(body)
        statements = [
            q["sql"]
            for q in context.captured_queries
            if not q["sql"].upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
        ]
        return statuses[0], statements, body.close

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield post
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def intake_payload(code):
    return {
        "code": code.token,
        "first_name": "Samia",
        "phone": "07 81 23 45 67",
        "needs": ["emploi"],
        "consent": True,
        "idempotency_key": "after-response",
    }


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_messages_leave_once_the_response_is_sent(
    code, facilitator, wsgi_post
):
    # given tasks run in-process (the embedded default: no broker)
    assert celery_app.conf.task_always_eager

    # when a person submits, and the server has sent the answer
    status, queries, close = wsgi_post(INTAKE_URL, intake_payload(code))

    # then the answer came with the messages written but not sent, in 8 queries at most
    assert status == "201 Created"
    assert len(queries) <= 8, "\n".join(queries)
    assert set(Notification.objects.values_list("status", flat=True)) == {
        NotificationStatus.PENDING
    }
    # and once the server closes the response, they leave
    close()
    assert dict(Notification.objects.values_list("template", "status")) == {
        ReferralTemplate.FACILITATOR_NEW_REFERRAL: NotificationStatus.SENT,
        ReferralTemplate.PERSON_ACKNOWLEDGMENT: NotificationStatus.SENT,
    }


@pytest.fixture
def published(monkeypatch):
    """Tasks go to a broker (not run in-process); what is published is recorded instead."""
    published = []
    monkeypatch.setattr(
        deliver_notification, "apply_async", lambda args, **kwargs: published.append(args[0])
    )
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield published
    celery_app.conf.task_always_eager = saved


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_a_submission_enqueues_its_messages_in_8_queries_at_most(
    code, facilitator, wsgi_post, published
):
    status, queries, close = wsgi_post(INTAKE_URL, intake_payload(code))
    close()

    assert status == "201 Created"
    assert len(queries) <= 8, "\n".join(queries)
    assert sorted(published) == sorted(Notification.objects.values_list("pk", flat=True))
    assert set(Notification.objects.values_list("status", flat=True)) == {
        NotificationStatus.PENDING
    }


def test_outside_a_request_a_delivery_without_broker_runs_at_once(code, facilitator):
    with transaction.atomic():
        referral_submit(code=code, submission=submission())
    # (the test's transaction holds back on_commit: enqueue by hand, as the callback does)
    for pk in Notification.objects.values_list("pk", flat=True):
        enqueue_delivery(pk, mark=False)

    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
