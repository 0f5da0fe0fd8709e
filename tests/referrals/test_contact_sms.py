"""A failed acknowledgment SMS shows on the referral; the facilitator corrects the number and
resends it."""

import datetime
import json

import pytest
from django.utils import timezone

from backend.notifications.enums import Channel, NotificationStatus
from backend.notifications.models import Notification
from backend.referrals.enums import EventKind, ReferralTemplate
from backend.referrals.models import Referral, ReferralEvent
from tests.conftest import problem_errors
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

WRONG_NUMBER = "+33612340001"
RIGHT_NUMBER = "+33698765432"
LANDLINE = "+33559001122"


@pytest.fixture(autouse=True)
def _daytime(monkeypatch):
    """SMS to people wait for the morning; these tests run at any hour."""
    monkeypatch.setattr("backend.notifications.policy.next_person_sms_time", lambda: None)


@pytest.fixture
def referral(territory, facilitator):
    return ReferralFactory(
        capteur__territory=territory, assigned_to=facilitator, phone=WRONG_NUMBER
    )


def acknowledgment(referral, *, status=NotificationStatus.FAILED, last_error=""):
    return Notification.objects.create(
        referral=referral,
        territory=referral.territory,
        channel=Channel.SMS,
        template=ReferralTemplate.PERSON_ACKNOWLEDGMENT,
        recipient=str(referral.phone),
        body="Bonjour, c'est Relais.",
        status=status,
        last_error=last_error,
    )


def contact(api, referral, data):
    return api.patch(f"/api/v1/referrals/{referral.id}/contact/", data)


def resend(api, referral):
    return api.post(f"/api/v1/referrals/{referral.id}/acknowledgment/resend/")


# --- the failure, where the facilitator looks ---------------------------------------------


def test_a_failed_acknowledgment_shows_on_the_referral_and_in_the_inbox(facilitator_api, referral):
    # given an earlier acknowledgment that was sent, then the latest one that failed
    acknowledgment(referral, status=NotificationStatus.SENT)
    failed = acknowledgment(referral, last_error="Twilio 400/21211")

    # when
    detail = facilitator_api.get(f"/api/v1/referrals/{referral.id}/").json()
    row = facilitator_api.get("/api/v1/referrals/").json()["results"][0]

    # then
    for shown in (detail, row):
        sms = shown["acknowledgment_sms"]
        assert (sms["status"], sms["last_error"]) == ("failed", "Twilio 400/21211")
        assert datetime.datetime.fromisoformat(sms["at"]) == failed.updated_at


def test_a_referral_without_acknowledgment_shows_none(facilitator_api, referral):
    detail = facilitator_api.get(f"/api/v1/referrals/{referral.id}/").json()

    assert detail["acknowledgment_sms"] is None


def test_other_messages_of_the_referral_are_not_the_acknowledgment(facilitator_api, referral):
    Notification.objects.create(
        referral=referral,
        channel=Channel.SMS,
        template=ReferralTemplate.FACILITATOR_NEW_REFERRAL,
        recipient="+33612000000",
        body="Relais: nouvelle orientation.",
        status=NotificationStatus.FAILED,
    )

    detail = facilitator_api.get(f"/api/v1/referrals/{referral.id}/").json()

    assert detail["acknowledgment_sms"] is None


def test_coordinators_see_the_status_but_no_number(api, coordinator, referral):
    acknowledgment(referral, last_error="Twilio 400/21211")
    api.force_authenticate(coordinator)

    detail = api.get(f"/api/v1/referrals/{referral.id}/").json()

    assert detail["acknowledgment_sms"]["status"] == "failed"
    assert detail["phone"] is None
    assert WRONG_NUMBER not in json.dumps(detail)


@pytest.mark.parametrize("count", [5, 60])
def test_the_acknowledgment_costs_no_query_per_inbox_row(
    facilitator_api, territory, facilitator, django_assert_num_queries, count
):
    for referral in ReferralFactory.create_batch(
        count, capteur__territory=territory, assigned_to=facilitator
    ):
        acknowledgment(referral, last_error="Twilio 400/21211")

    # membership check (with the roles), page (with the acknowledgments), access log
    with django_assert_num_queries(3):
        rows = facilitator_api.get("/api/v1/referrals/").json()["results"]

    assert {row["acknowledgment_sms"]["status"] for row in rows} == {"failed"}


# --- correcting the contact details -------------------------------------------------------


def test_correcting_the_number_then_resending_sends_a_new_acknowledgment(
    facilitator_api, facilitator, referral, django_capture_on_commit_callbacks
):
    # given an acknowledgment that failed on a wrong number
    acknowledgment(referral, last_error="Twilio 400/21211")

    # when the facilitator corrects the number
    corrected = contact(facilitator_api, referral, {"phone": "06 98 76 54 32"})

    # then the number changed, and the timeline says so without the numbers
    assert corrected.status_code == 200, corrected.json()
    assert corrected.json()["phone"] == RIGHT_NUMBER
    event = ReferralEvent.objects.get(referral=referral, kind=EventKind.CONTACT_CORRECTED)
    assert (event.actor, event.payload) == (facilitator, {"fields": ["phone"]})
    assert "5432" not in json.dumps(event.payload)
    assert "0001" not in json.dumps(event.payload)

    # when they resend the acknowledgment
    with django_capture_on_commit_callbacks(execute=True):
        response = resend(facilitator_api, referral)

    # then a new acknowledgment went to the corrected number
    assert response.status_code == 202, response.json()
    assert response.json()["acknowledgment_sms"]["status"] == "pending"
    latest = Notification.objects.filter(referral=referral).order_by("-id").first()
    assert (latest.template, latest.recipient) == (
        ReferralTemplate.PERSON_ACKNOWLEDGMENT,
        RIGHT_NUMBER,
    )
    assert latest.status == NotificationStatus.SENT  # by the console backend
    event = ReferralEvent.objects.get(referral=referral, kind=EventKind.ACKNOWLEDGMENT_RESENT)
    assert (event.actor, event.payload) == (facilitator, {"notification": latest.id})
    detail = facilitator_api.get(f"/api/v1/referrals/{referral.id}/").json()
    assert detail["acknowledgment_sms"]["status"] == "sent"


def test_correcting_the_contact_does_not_look_for_duplicates_again(
    facilitator_api, territory, referral
):
    ReferralFactory(capteur__territory=territory, phone=RIGHT_NUMBER)

    contact(facilitator_api, referral, {"phone": RIGHT_NUMBER})

    referral.refresh_from_db()
    assert referral.possible_duplicate_of is None
    assert not ReferralEvent.objects.filter(kind=EventKind.DUPLICATE_FLAGGED).exists()


def test_the_email_can_replace_the_phone(facilitator_api, referral):
    response = contact(facilitator_api, referral, {"phone": "", "email": "sam@example.org"})

    assert response.status_code == 200, response.json()
    referral.refresh_from_db()
    assert (str(referral.phone), referral.email) == ("", "sam@example.org")
    event = ReferralEvent.objects.get(referral=referral, kind=EventKind.CONTACT_CORRECTED)
    assert event.payload == {"fields": ["phone", "email"]}


def test_the_same_details_again_change_nothing(facilitator_api, referral):
    response = contact(facilitator_api, referral, {"phone": WRONG_NUMBER})

    assert response.status_code == 200
    assert not ReferralEvent.objects.filter(kind=EventKind.CONTACT_CORRECTED).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"phone": "12 34"}, "phone", "Saisissez un numéro de téléphone valide."),
        ({"email": "sam@"}, "email", "Saisissez une adresse e-mail valide."),
        ({"phone": ""}, "phone", "Gardez au moins un numéro de téléphone ou une adresse e-mail."),
        ({}, "non_field_errors", "Indiquez le numéro de téléphone ou l'adresse e-mail."),
    ],
)
def test_invalid_contact_details_are_refused_in_french_and_change_nothing(
    facilitator_api, referral, data, field, message
):
    response = contact(facilitator_api, referral, data)

    assert response.status_code == 400
    assert problem_errors(response)[field] == [message]
    assert Referral.objects.get(pk=referral.pk).phone == WRONG_NUMBER
    assert not ReferralEvent.objects.filter(kind=EventKind.CONTACT_CORRECTED).exists()


# --- resending: when it is refused --------------------------------------------------------


@pytest.mark.parametrize("latest", [NotificationStatus.SENT, NotificationStatus.PENDING, None])
def test_there_is_nothing_to_resend_unless_the_latest_acknowledgment_failed(
    facilitator_api, referral, latest
):
    acknowledgment(referral, last_error="Twilio 400/21211")
    if latest:
        acknowledgment(referral, status=latest)
    else:
        Notification.objects.all().delete()

    response = resend(facilitator_api, referral)

    assert response.status_code == 409
    assert response.json()["code"] == "nothing_to_resend"
    assert "rien à renvoyer" in response.json()["detail"]
    assert Notification.objects.count() == (2 if latest else 0)


def test_no_resend_without_a_phone(facilitator_api, territory, facilitator):
    referral = ReferralFactory(
        capteur__territory=territory, assigned_to=facilitator, phone="", email="sam@example.org"
    )
    acknowledgment(referral)

    response = resend(facilitator_api, referral)

    assert response.status_code == 409
    assert response.json()["code"] == "no_phone"


def test_no_resend_on_a_closed_referral(facilitator_api, territory, facilitator):
    referral = ReferralFactory(capteur__territory=territory, assigned_to=facilitator, closed=True)
    acknowledgment(referral)

    assert resend(facilitator_api, referral).status_code == 409


def test_one_resend_per_ten_minutes(facilitator_api, territory, facilitator):
    # given a landline: each resend fails at once, so only the rate stops the next one
    referral = ReferralFactory(
        capteur__territory=territory, assigned_to=facilitator, phone=LANDLINE
    )
    acknowledgment(referral)
    first = resend(facilitator_api, referral)
    assert first.status_code == 202
    assert first.json()["acknowledgment_sms"] == {
        "status": "failed",
        "last_error": "Ce numéro n'est pas un mobile : pas de SMS.",
        "at": first.json()["acknowledgment_sms"]["at"],
    }

    # when / then
    too_soon = resend(facilitator_api, referral)
    assert too_soon.status_code == 409
    assert too_soon.json()["code"] == "resend_too_soon"

    ReferralEvent.objects.filter(kind=EventKind.ACKNOWLEDGMENT_RESENT).update(
        at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert resend(facilitator_api, referral).status_code == 202


# --- who may --------------------------------------------------------------------------------


def test_coordinators_may_neither_correct_nor_resend(api, coordinator, referral):
    acknowledgment(referral)
    api.force_authenticate(coordinator)

    assert contact(api, referral, {"phone": RIGHT_NUMBER}).status_code == 403
    assert resend(api, referral).status_code == 403
    assert Referral.objects.get(pk=referral.pk).phone == WRONG_NUMBER
    assert Notification.objects.count() == 1


@pytest.mark.parametrize(
    ("phone", "capable", "label"),
    [("+33612345678", True, None), ("+33559123456", False, "fixe — pas de SMS"), ("", False, None)],
)
def test_the_referral_says_whether_its_number_can_take_an_sms(
    facilitator_api, territory, facilitator, phone, capable, label
):
    referral = ReferralFactory(
        capteur__territory=territory,
        assigned_to=facilitator,
        phone=phone,
        email="" if phone else "a@example.org",
    )

    detail = facilitator_api.get(f"/api/v1/referrals/{referral.id}/").json()

    assert (detail["sms_capable"], detail["sms_capable_label"]) == (capable, label)
