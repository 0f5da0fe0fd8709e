"""What the outbox lets leave, whatever a caller wrote: an SMS body of three segments at most,
and SMS only to the countries of the territory's allowlist (France and overseas by default) —
the defence against SMS pumping to expensive foreign ranges."""

import pytest
from django.core.exceptions import ValidationError

from backend.accounts.models import DEFAULT_SMS_COUNTRIES
from backend.capteurs.enums import CapteurTemplate
from backend.notifications.delivery import deliver
from backend.notifications.enums import Channel, NotificationStatus
from backend.notifications.gsm7 import cut_to_segments, sms_segments
from backend.notifications.models import Notification
from backend.notifications.services import (
    SMS_MAX_SEGMENTS,
    notification_build,
    notification_retry,
)
from backend.referrals.enums import ReferralTemplate
from backend.referrals.messages import facilitator_new_referral
from tests.accounts.factories import TerritoryFactory
from tests.notifications.factories import (
    PERSON_MOBILE,
    NotificationFactory,
    forbid_real_twilio_http,
    freeze,
    paris,
    use_fake_twilio,
)
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

BELGIAN_MOBILE = "+32470123456"
REUNION_MOBILE = "+262692123456"
COUNTRY_REASON = (
    "Pas de SMS vers ce pays (BE) : il n'est pas dans la liste des pays autorisés du territoire."
)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    forbid_real_twilio_http(monkeypatch)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    return freeze(monkeypatch, paris(2026, 6, 9, 14, 0))


@pytest.fixture
def twilio(monkeypatch, settings):
    return use_fake_twilio(monkeypatch, settings)


def sms(body, territory=None):
    return notification_build(
        channel=Channel.SMS,
        template=ReferralTemplate.FACILITATOR_NEW_REFERRAL,
        recipient=PERSON_MOBILE,
        body=body,
        territory=territory,
    )


# --- three segments at most -------------------------------------------------------------------


def test_the_2000_needs_alert_is_cut_to_three_segments(territory):
    # given the facilitator's alert of a referral with 2000 needs (what intake once accepted)
    referral = ReferralFactory(capteur__territory=territory, needs=["emploi"] * 2000)
    body = facilitator_new_referral(referral)
    assert sms_segments(body) > 100

    # when it is written to the outbox
    notification = sms(body, territory)

    # then it is billed as three SMS at most, and says it was cut
    assert sms_segments(notification.body) == SMS_MAX_SEGMENTS == 3
    assert notification.body.startswith(body[:100])
    assert notification.body.endswith("...")


@pytest.mark.parametrize(
    "body",
    [
        "Relais: " + "x" * 2000,  # GSM-7
        "Relais: " + "€" * 600,  # GSM-7, each € costs two septets
        "Relais 😀 " * 300,  # UCS-2 (an emoji: surrogate pairs)
    ],
    ids=["gsm7", "gsm7-extension", "ucs2"],
)
def test_every_sms_body_is_cut_to_three_segments(body):
    cut = sms(body).body

    assert sms_segments(cut) <= SMS_MAX_SEGMENTS
    assert len(cut) > 150  # cut, not emptied
    assert cut == cut_to_segments(cut, SMS_MAX_SEGMENTS)


def test_a_short_sms_and_an_email_are_left_as_written():
    short = "Relais: nouvelle orientation R-2026-000001. Besoins: emploi."
    long_email = "Récapitulatif\n" * 500

    assert sms(short).body == short
    email = notification_build(
        channel=Channel.EMAIL,
        template=ReferralTemplate.COORDINATOR_DIGEST,
        recipient="coordination@example.org",
        subject="Relais",
        body=long_email,
    )
    assert email.body == long_email


# --- the territory's countries ----------------------------------------------------------------


def test_by_default_sms_go_to_france_and_overseas_only():
    assert TerritoryFactory().sms_regions == {
        "FR",
        "GP",
        "MQ",
        "GF",
        "RE",
        "YT",
        "PM",
        "BL",
        "MF",
        "WF",
        "PF",
        "NC",
    }
    assert DEFAULT_SMS_COUNTRIES.startswith("FR,")


def test_an_sms_to_a_country_outside_the_list_is_refused_at_delivery(territory, twilio):
    # given a row written before the check (or by a caller that did not build it)
    notification = NotificationFactory(territory=territory, recipient=BELGIAN_MOBILE)

    # when
    deliver(notification.pk)

    # then nothing leaves, and the row says why in French
    notification.refresh_from_db()
    assert (notification.status, notification.last_error) == (
        NotificationStatus.FAILED,
        COUNTRY_REASON,
    )
    assert twilio.requests == []


def test_an_sms_to_overseas_france_leaves(territory, twilio):
    notification = NotificationFactory(territory=territory, recipient=REUNION_MOBILE)

    deliver(notification.pk)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert [r["To"] for r in twilio.sent] == [REUNION_MOBILE]


def test_a_territory_may_add_a_country(twilio):
    # given a territory by the Belgian border that added Belgium
    territory = TerritoryFactory(sms_countries="FR, be")
    notification = NotificationFactory(territory=territory, recipient=BELGIAN_MOBILE)

    deliver(notification.pk)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT


def test_a_message_of_no_territory_follows_the_default_list(twilio):
    notification = NotificationFactory(
        territory=None, reply=False, sender_number="", recipient=BELGIAN_MOBILE
    )

    deliver(notification.pk)

    notification.refresh_from_db()
    assert notification.last_error == COUNTRY_REASON


def test_an_sms_to_a_country_outside_the_list_is_failed_when_written(territory):
    notification = notification_build(
        channel=Channel.SMS,
        template=CapteurTemplate.CAPTEUR_SPACE_LINK,
        recipient=BELGIAN_MOBILE,
        body="Relais: voici le lien de votre espace capteur.",
        territory=territory,
    )

    assert (notification.status, notification.last_error) == (
        NotificationStatus.FAILED,
        COUNTRY_REASON,
    )


def test_a_resend_to_a_country_outside_the_list_stays_failed(territory):
    notification = NotificationFactory(
        territory=territory, recipient=BELGIAN_MOBILE, status=NotificationStatus.FAILED
    )

    notification_retry(notification=notification)

    assert Notification.objects.get(pk=notification.pk).status == NotificationStatus.FAILED


def test_the_country_list_takes_known_region_codes_only():
    territory = TerritoryFactory(sms_countries="FR, RE, XX, ZZ")

    with pytest.raises(ValidationError) as refused:
        territory.full_clean()

    assert refused.value.message_dict["sms_countries"] == [
        "Codes de pays inconnus : XX, ZZ (codes ISO à deux lettres, ex. FR, RE, BE)."
    ]
