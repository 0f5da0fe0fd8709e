import threading

import pytest
from django.db import connection

from backend.referrals.enums import Channel, FilledBy
from backend.referrals.models import Referral
from backend.referrals.privacy import PRIVACY_NOTICE_VERSION
from backend.referrals.throttles import ReferralCodeThrottle, ReferralIPThrottle
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.conftest import problem_errors

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/intake/"


@pytest.fixture
def code(territory, facilitator):
    return ReferralCodeFactory(capteur=CapteurFactory(territory=territory, partner=True))


def payload(code_, **overrides):
    return {
        "code": code_.token,
        "first_name": "Sam",
        "phone": "06 12 34 56 78",
        "call_moments": ["morning"],
        "needs": ["emploi", "mobilite"],
        "note": "Je cherche du travail près d'Orthez.",
        "consent": True,
        **overrides,
    }


def test_a_person_leaves_their_number_and_gets_an_acknowledgment(api, code, facilitator):
    response = api.post(URL, payload(code, channel="qr"))

    assert response.status_code == 201
    referral = Referral.objects.get()
    body = response.json()
    assert body["reference"] == referral.pseudonym
    assert body["facilitator_first_name"] == facilitator.first_name
    assert body["first_contact_due_on"] == referral.first_contact_due_on.isoformat()
    assert body["message"].startswith(f"Merci. {facilitator.first_name} vous appellera avant le ")
    assert referral.phone == "+33612345678"
    assert (referral.channel, referral.filled_by) == (Channel.QR, FilledBy.PERSON)
    assert referral.consent_version == PRIVACY_NOTICE_VERSION
    assert referral.consent_at is not None
    assert referral.capteur == code.capteur
    assert referral.code == code
    code.capteur.refresh_from_db()
    assert code.capteur.last_referral_at is not None


def test_an_email_is_enough_without_a_phone(api, code):
    response = api.post(URL, payload(code, phone="", email="sam@example.org"))

    assert response.status_code == 201
    assert Referral.objects.get().email == "sam@example.org"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Ce champ ne peut être vide."),
        ({"phone": "12 34"}, "phone", "Saisissez un numéro de téléphone valide."),
        (
            {"phone": ""},
            "phone",
            "Laissez un numéro de téléphone, ou à défaut une adresse e-mail.",
        ),
        ({"email": "sam@", "phone": ""}, "email", "Saisissez une adresse e-mail valide."),
        ({"consent": False}, "consent", "Cochez la case pour que nous puissions vous rappeler."),
        ({"needs": ["argent"]}, "needs", None),
        ({"call_moments": ["minuit"]}, "call_moments", None),
        (
            {"note": "x" * 501},
            "note",
            "Assurez-vous que ce champ comporte au plus 500\u00a0caractères.",
        ),
        ({"code": "inconnu"}, "code", "Ce code n'existe pas."),
        ({"channel": "sms"}, "channel", None),
        ({"website": "http://spam.example"}, "website", "Ce champ doit rester vide."),
    ],
)
def test_invalid_submissions_are_refused_in_french_and_nothing_is_saved(
    api, code, overrides, field, message
):
    response = api.post(URL, payload(code, **overrides))

    assert response.status_code == 400
    errors = problem_errors(response)
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert not Referral.objects.exists()


def test_a_revoked_code_is_refused(api, territory):
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory), revoked=True)

    response = api.post(URL, payload(code))

    assert response.status_code == 400
    assert problem_errors(response) == {"code": ["Ce code n'est plus valable."]}
    assert not Referral.objects.exists()


def test_the_same_idempotency_key_twice_returns_the_first_acknowledgment(api, code):
    first = api.post(URL, payload(code, idempotency_key="0b6f1c52-1d1e-4a55-9a36-1f1b0b9b7a01"))

    replay = api.post(URL, payload(code, idempotency_key="0b6f1c52-1d1e-4a55-9a36-1f1b0b9b7a01"))

    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json() == first.json()
    assert Referral.objects.count() == 1


def test_the_same_idempotency_key_with_another_payload_is_422(api, code):
    api.post(URL, payload(code, idempotency_key="k-1"))

    response = api.post(URL, payload(code, first_name="Alex", idempotency_key="k-1"))

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Referral.objects.count() == 1


def test_one_submission_costs_at_most_8_queries(api, code, django_assert_max_real_queries):
    # the submission also writes the SMS outbox rows (facilitator's alert, acknowledgment)
    with django_assert_max_real_queries(8):
        response = api.post(URL, payload(code, idempotency_key="k-q"))

    assert response.status_code == 201
    assert Referral.objects.get().notifications.count() == 2


def test_submissions_are_rate_limited_per_client_address(api, territory, monkeypatch):
    monkeypatch.setattr(ReferralIPThrottle, "THROTTLE_RATES", {"referral_ip": "2/hour"})
    codes = [ReferralCodeFactory(capteur=CapteurFactory(territory=territory)) for _ in range(3)]

    statuses = [
        api.post(URL, payload(c, phone=f"06123456{i}0")).status_code for i, c in enumerate(codes)
    ]

    assert statuses == [201, 201, 429]
    assert Referral.objects.count() == 2


def test_submissions_are_rate_limited_per_code(api, code, monkeypatch):
    monkeypatch.setattr(ReferralCodeThrottle, "THROTTLE_RATES", {"referral_code": "1/hour"})

    first = api.post(URL, payload(code), REMOTE_ADDR="192.0.2.1")
    second = api.post(URL, payload(code, phone="0612345679"), REMOTE_ADDR="192.0.2.2")

    assert (first.status_code, second.status_code) == (201, 429)
    assert int(second["Retry-After"]) > 0
    assert second["Content-Type"] == "application/problem+json"


def test_a_forged_forwarded_for_does_not_bypass_the_limit(api, code, territory, monkeypatch):
    monkeypatch.setattr(ReferralIPThrottle, "THROTTLE_RATES", {"referral_ip": "1/hour"})
    other = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    api.post(URL, payload(code), HTTP_X_FORWARDED_FOR="203.0.113.1")
    response = api.post(URL, payload(other), HTTP_X_FORWARDED_FOR="203.0.113.2")

    assert response.status_code == 429


def test_behind_one_trusted_proxy_clients_are_told_apart(api, code, territory, monkeypatch):
    # given one reverse proxy that appends the client's address
    from rest_framework.settings import api_settings

    monkeypatch.setattr(api_settings, "NUM_PROXIES", 1)
    monkeypatch.setattr(ReferralIPThrottle, "THROTTLE_RATES", {"referral_ip": "1/hour"})
    other = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    # when two people behind the proxy submit, and the first forges a header to retry
    first = api.post(URL, payload(code), HTTP_X_FORWARDED_FOR="198.51.100.7")
    second = api.post(URL, payload(other, phone="0612345679"), HTTP_X_FORWARDED_FOR="198.51.100.8")
    forged = api.post(
        URL, payload(other, phone="0612345670"), HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7"
    )

    # then
    assert (first.status_code, second.status_code, forged.status_code) == (201, 201, 429)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_posts_with_one_key_leave_exactly_one_referral(territory, facilitator):
    from rest_framework.test import APIClient

    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))
    barrier = threading.Barrier(10)
    statuses = []

    def post():
        try:
            barrier.wait()
            statuses.append(APIClient().post(URL, payload(code, idempotency_key="k-c")).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Referral.objects.count() == 1
    assert sorted(statuses) == [200] * 9 + [201]


def test_a_submission_logs_no_personal_data(api, code, caplog):
    caplog.set_level("DEBUG")

    api.post(URL, payload(code, first_name="Zébulon", note="Je dors dans ma voiture."))
    api.post(URL, payload(code, first_name="Zébulon", phone="12"))  # a 400 is logged too

    text = caplog.text
    assert caplog.records
    for personal in ("Zébulon", "612345678", "voiture"):
        assert personal not in text


def test_a_body_that_is_not_an_object_is_a_400(api):
    response = api.post(URL, ["not", "an", "object"])

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_the_public_api_cannot_pretend_to_be_the_capteur_space(api, code):
    response = api.post(URL, payload(code, channel="capteur_space", filled_by="capteur"))

    assert response.status_code == 400
    assert "channel" in problem_errors(response)


def test_junk_submissions_do_not_use_up_a_posters_limit(api, code, monkeypatch):
    # given a code allowed one submission, and bots posting junk from other addresses
    monkeypatch.setattr(ReferralCodeThrottle, "THROTTLE_RATES", {"referral_code": "1/hour"})
    for n in range(3):
        api.post(URL, payload(code, phone="12"), REMOTE_ADDR=f"192.0.2.{n}")

    # when a real person submits
    response = api.post(URL, payload(code), REMOTE_ADDR="198.51.100.1")

    # then
    assert response.status_code == 201
