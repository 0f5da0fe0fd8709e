"""Twilio webhooks: every request is signed; a person texting a capteur's short code becomes a
referral and gets a reply from the territory's number; STOP/ARRET opts out of every SMS;
delivery status callbacks move a row forward only."""

import datetime

import pytest
from twilio.request_validator import RequestValidator

from backend.capteurs.models import ReferralCode
from backend.notifications.delivery import deliver
from backend.notifications.enums import NotificationStatus, Sender
from backend.notifications.models import Notification, SmsOptOut
from backend.notifications.tasks import sweep
from backend.referrals.enums import Channel as ReferralChannel
from backend.referrals.enums import ReferralTemplate
from backend.referrals.models import Referral
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.notifications.factories import (
    PERSON_MOBILE,
    PUBLIC_BASE_URL,
    TWILIO_AUTH_TOKEN,
    NotificationFactory,
    forbid_real_twilio_http,
    freeze,
    paris,
    twilio_sid,
    use_fake_twilio,
)

pytestmark = pytest.mark.django_db

INBOUND = "/twilio/sms/inbound/"
STATUS = "/twilio/sms/status/"
TWO_WAY_NUMBER = "+33644630101"  # the territory's sms_number (TerritoryFactory)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Tuesday 9 June 2026, 14:00 in Orthez: replies may leave at once."""
    forbid_real_twilio_http(monkeypatch)
    return freeze(monkeypatch, paris(2026, 6, 9, 14, 0))


@pytest.fixture
def twilio(monkeypatch, settings):
    return use_fake_twilio(monkeypatch, settings)


@pytest.fixture
def code(territory, twilio):
    code = ReferralCodeFactory(
        capteur=CapteurFactory(territory=territory, partner=True, name="Pharmacie du Pont")
    )
    ReferralCode.objects.filter(pk=code.pk).update(short_code="K7Q2")
    code.refresh_from_db()
    return code


def signature(path, params, *, token=TWILIO_AUTH_TOKEN, base=PUBLIC_BASE_URL):
    return RequestValidator(token).compute_signature(f"{base}{path}", params)


def twilio_post(client, path, params, **sign):
    """POSTs like Twilio: form-encoded, signed over the public URL it was configured with."""
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature(path, params, **sign))


def text(client, body, *, sid=None, sender=PERSON_MOBILE, to=TWO_WAY_NUMBER):
    """A person texts `body` to the territory's number."""
    params = {
        "MessageSid": sid or twilio_sid("SM"),
        "AccountSid": "AC" + "0123456789abcdef" * 2,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
    }
    return twilio_post(client, INBOUND, params)


def status_callback(client, notification, status, *, sid=None, error_code=None):
    path = f"{STATUS}?outbox={notification.pk}"
    params = {"MessageSid": sid or notification.provider_id, "MessageStatus": status}
    if error_code:
        params["ErrorCode"] = str(error_code)
    return twilio_post(client, path, params)


def reload(notification) -> Notification:
    return Notification.objects.get(pk=notification.pk)


# --- signatures -----------------------------------------------------------------------------


def forged_requests():
    params = {"MessageSid": "SM1", "From": PERSON_MOBILE, "To": TWO_WAY_NUMBER, "Body": "K7Q2"}
    return {
        "unsigned": (params, {}),
        "wrong token": (
            params,
            {"HTTP_X_TWILIO_SIGNATURE": signature(INBOUND, params, token="another-token")},
        ),
        "tampered body": (
            {**params, "Body": "STOP"},
            {"HTTP_X_TWILIO_SIGNATURE": signature(INBOUND, params)},
        ),
        # Django's own idea of the URL, not the public one Twilio called.
        "internal url": (
            params,
            {"HTTP_X_TWILIO_SIGNATURE": signature(INBOUND, params, base="http://testserver")},
        ),
    }


@pytest.mark.parametrize("forgery", forged_requests().keys())
def test_a_forged_inbound_sms_is_refused_and_changes_nothing(
    client, code, facilitator, forgery, django_capture_on_commit_callbacks
):
    params, headers = forged_requests()[forgery]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INBOUND, params, **headers)

    assert response.status_code == 403
    assert not Referral.objects.exists()
    assert not Notification.objects.exists()
    assert not SmsOptOut.objects.exists()


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "wrong-token"])
def test_a_forged_status_callback_is_refused_and_changes_nothing(client, territory, twilio, signed):
    notification = NotificationFactory(territory=territory, sent=True)
    path = f"{STATUS}?outbox={notification.pk}"
    params = {"MessageSid": notification.provider_id, "MessageStatus": "failed"}
    headers = (
        {"HTTP_X_TWILIO_SIGNATURE": signature(path, params, token="another-token")}
        if signed
        else {}
    )

    response = client.post(path, params, **headers)

    assert response.status_code == 403
    assert reload(notification).status == NotificationStatus.SENT


def test_the_outbox_id_is_covered_by_the_signature(client, territory, twilio):
    # given a callback signed for one row, replayed against another
    mine = NotificationFactory(territory=territory, sent=True)
    other = NotificationFactory(territory=territory, sent=True)
    params = {"MessageSid": mine.provider_id, "MessageStatus": "failed"}
    stolen = signature(f"{STATUS}?outbox={mine.pk}", params)

    response = client.post(f"{STATUS}?outbox={other.pk}", params, HTTP_X_TWILIO_SIGNATURE=stolen)

    assert response.status_code == 403
    assert reload(other).status == NotificationStatus.SENT


def test_behind_a_proxy_the_signature_is_checked_against_the_public_url(client, code, twilio):
    # given Relais is reached as https://relais.example.org while Django sees http://testserver
    # when Twilio signs over the public URL
    response = text(client, "K7Q2")

    # then the request is accepted, and answered with empty TwiML
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    assert b"<Response></Response>" in response.content


def test_a_webhook_without_an_auth_token_configured_refuses_everything(client, code, settings):
    settings.TWILIO_AUTH_TOKEN = ""

    response = text(client, "K7Q2")

    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_webhooks_only_take_posts(client, twilio):
    assert client.get(INBOUND).status_code == 405
    assert client.get(f"{STATUS}?outbox=1").status_code == 405


# --- inbound SMS: a short code ------------------------------------------------------------------


@pytest.mark.parametrize("body", ["K7Q2", "k7q2", " K7Q2. ", "bonjour k7q2 merci", "Code: K7q2 !"])
def test_texting_a_short_code_refers_the_person_and_replies_from_the_territorys_number(
    client, code, facilitator, twilio, body, django_capture_on_commit_callbacks
):
    # given a capteur's poster says "texte K7Q2 au 06 44 63 01 01"
    # when a person texts it
    with django_capture_on_commit_callbacks(execute=True):
        response = text(client, body)

    # then a referral is recorded for that capteur, with the person's number
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert (referral.channel, referral.capteur, referral.code) == (
        ReferralChannel.SMS,
        code.capteur,
        code,
    )
    assert str(referral.phone) == PERSON_MOBILE
    assert referral.territory == code.capteur.territory
    assert referral.assigned_to == facilitator
    # and the person gets a reply from the number they texted
    reply = Notification.objects.get(recipient=PERSON_MOBILE)
    assert reply.template == ReferralTemplate.PERSON_ACKNOWLEDGMENT
    assert (reply.sender, reply.sender_number) == (Sender.TWO_WAY, TWO_WAY_NUMBER)
    assert reply.status == NotificationStatus.SENT
    sent = {form["To"]: form for form in twilio.sent}
    assert sent[PERSON_MOBILE]["From"] == TWO_WAY_NUMBER
    assert "vous appellera au plus tard le jeudi 11 juin" in sent[PERSON_MOBILE]["Body"]
    # and the facilitator is alerted as for any referral
    assert "Pharmacie du Pont" in sent[str(facilitator.phone)]["Body"]


def test_the_same_inbound_sms_posted_twice_refers_once_and_replies_once(
    client, code, facilitator, twilio, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = text(client, "K7Q2", sid="SM" + "a" * 32)
    with django_capture_on_commit_callbacks(execute=True):
        again = text(client, "K7Q2", sid="SM" + "a" * 32)

    assert (first.status_code, again.status_code) == (200, 200)
    assert Referral.objects.count() == 1
    assert Notification.objects.filter(recipient=PERSON_MOBILE).count() == 1
    assert len(twilio.requests) == 2  # the facilitator's alert and the reply


def test_texting_the_same_code_again_within_a_day_makes_no_second_referral(
    client, code, facilitator, twilio, django_capture_on_commit_callbacks
):
    # given a person who texted the code this morning
    with django_capture_on_commit_callbacks(execute=True):
        text(client, "K7Q2", sid="SM" + "b" * 32)

    # when they text it again (another message), and again
    with django_capture_on_commit_callbacks(execute=True):
        text(client, "k7q2 ?", sid="SM" + "c" * 32)
        text(client, "K7Q2", sid="SM" + "d" * 32)

    # then one referral, one alert: a number cannot flood the facilitator
    assert Referral.objects.count() == 1
    assert len(twilio.requests) == 2


def test_an_sms_referral_records_consent_given_by_sms(client, code, twilio):
    text(client, "K7Q2")

    assert Referral.objects.get().consent_version.endswith("-sms")


def test_a_revoked_code_gets_the_unknown_code_reply(
    client, code, django_capture_on_commit_callbacks
):
    ReferralCode.objects.filter(pk=code.pk).update(revoked_at=datetime.datetime.now(datetime.UTC))

    with django_capture_on_commit_callbacks(execute=True):
        text(client, "K7Q2")

    assert not Referral.objects.exists()
    assert Notification.objects.get().template == ReferralTemplate.INBOUND_REPLY


def test_an_unknown_code_gets_a_helpful_reply_with_the_territorys_phone(
    client, code, twilio, django_capture_on_commit_callbacks
):
    # when a person texts a code no capteur has
    with django_capture_on_commit_callbacks(execute=True):
        text(client, "Bonjour ZZ99", sid="SM" + "b" * 32)
        text(client, "Bonjour ZZ99", sid="SM" + "b" * 32)  # Twilio posted it twice

    # then no referral, and one reply naming the territory's contact number
    assert not Referral.objects.exists()
    reply = Notification.objects.get()
    assert reply.template == ReferralTemplate.INBOUND_REPLY
    assert reply.status == NotificationStatus.SENT
    [form] = twilio.sent
    assert (form["To"], form["From"]) == (PERSON_MOBILE, TWO_WAY_NUMBER)
    assert form["Body"] == (
        "Relais: nous n'avons pas reconnu ce code. Appelez-nous au 05 59 60 12 34, "
        "nous vous aiderons."
    )


# --- inbound SMS: STOP ------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["STOP", "stop", "Stop.", "ARRET", "Arrêt", "arrêt merci"])
def test_stop_or_arret_opts_the_number_out(client, code, twilio, body):
    response = text(client, body)

    assert response.status_code == 200
    assert SmsOptOut.objects.filter(phone=PERSON_MOBILE).exists()
    assert not Referral.objects.exists()
    assert twilio.requests == []


def test_after_stop_no_sms_goes_to_that_number_from_any_sender(
    api, client, code, territory, twilio, django_capture_on_commit_callbacks
):
    # given the person texted STOP
    text(client, "STOP")

    # when they are referred again through the form, and a reply or staff SMS follows
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            "/api/v1/referrals/intake/",
            {"code": code.token, "first_name": "Sam", "phone": PERSON_MOBILE, "consent": True},
        )
    others = [
        NotificationFactory(territory=territory, reply=True),
        NotificationFactory(territory=territory, recipient=PERSON_MOBILE),
    ]
    for notification in others:
        deliver(notification.pk)

    # then nothing is sent to them, and each row says why
    assert not [form for form in twilio.sent if form["To"] == PERSON_MOBILE]
    refused = Notification.objects.filter(recipient=PERSON_MOBILE)
    assert refused.count() == 3
    assert set(refused.values_list("status", "last_error")) == {
        (NotificationStatus.FAILED, "Ce numéro a demandé à ne plus recevoir de SMS (STOP).")
    }


def test_start_opts_the_number_back_in(client, code, territory, twilio):
    text(client, "ARRET")
    text(client, "START")

    notification = NotificationFactory(territory=territory, to_person=True)
    deliver(notification.pk)

    assert not SmsOptOut.objects.exists()
    assert reload(notification).status == NotificationStatus.SENT


# --- delivery status callbacks ----------------------------------------------------------------


def test_status_callbacks_move_the_sms_to_delivered(client, territory, twilio):
    notification = NotificationFactory(territory=territory, sent=True)

    assert status_callback(client, notification, "sent").status_code == 204
    assert reload(notification).status == NotificationStatus.SENT
    assert status_callback(client, notification, "delivered").status_code == 204

    notification = reload(notification)
    assert notification.status == NotificationStatus.DELIVERED
    assert notification.provider_status == "delivered"
    assert notification.delivered_at is not None


@pytest.mark.parametrize("late", ["queued", "sent", "undelivered", "failed"])
def test_a_late_callback_never_moves_a_delivered_sms(client, territory, twilio, late):
    notification = NotificationFactory(territory=territory, sent=True)
    status_callback(client, notification, "delivered")

    status_callback(client, notification, late, error_code=30003)

    notification = reload(notification)
    assert (notification.status, notification.provider_status) == (
        NotificationStatus.DELIVERED,
        "delivered",
    )


@pytest.mark.parametrize("outcome", ["undelivered", "failed"])
def test_an_undelivered_sms_is_failed_with_the_carriers_code(client, territory, twilio, outcome):
    notification = NotificationFactory(territory=territory, sent=True)

    status_callback(client, notification, outcome, error_code=30003)

    notification = reload(notification)
    assert notification.status == NotificationStatus.FAILED
    assert notification.last_error == f"Twilio {outcome} 30003"


def test_a_callback_for_an_unknown_row_is_acknowledged_and_ignored(client, territory, twilio):
    notification = NotificationFactory(territory=territory, sent=True)
    path = f"{STATUS}?outbox=999999"
    params = {"MessageSid": notification.provider_id, "MessageStatus": "failed"}

    response = twilio_post(client, path, params)

    assert response.status_code == 204
    assert reload(notification).status == NotificationStatus.SENT


def test_a_callback_about_another_message_is_ignored(client, territory, twilio):
    notification = NotificationFactory(territory=territory, sent=True)

    status_callback(client, notification, "failed", sid=twilio_sid("SM"))

    assert reload(notification).status == NotificationStatus.SENT


def test_a_callback_that_beats_the_worker_keeps_the_provider_id(client, territory, twilio):
    # given Twilio calls back before the worker has recorded its send
    notification = NotificationFactory(territory=territory)

    def callback_first(request, sid):
        status_callback(client, notification, "sent", sid=sid)

    twilio.on_request = callback_first

    # when the worker sends
    deliver(notification.pk)

    # then the row is sent, with Twilio's id and a send time
    notification = reload(notification)
    assert len(twilio.requests) == 1
    assert notification.status == NotificationStatus.SENT
    assert notification.provider_id.startswith("SM")
    assert notification.sent_at is not None
    # and the next callback still finds it
    status_callback(client, notification, "delivered")
    assert reload(notification).status == NotificationStatus.DELIVERED


def test_a_send_that_timed_out_here_but_reached_twilio_is_not_sent_again(
    client, territory, twilio, clock
):
    # given our request timed out, though Twilio had accepted the message
    notification = NotificationFactory(
        territory=territory, attempts=1, last_error="ReadTimeout", left_behind=True
    )

    # when Twilio's callback says it was sent
    status_callback(client, notification, "sent", sid=twilio_sid("SM"))

    # then the row is sent, and the sweep does not send it again
    notification = reload(notification)
    assert notification.status == NotificationStatus.SENT
    assert notification.last_error == ""
    assert sweep(now=clock.now + datetime.timedelta(minutes=5)) == 0
    assert twilio.requests == []
