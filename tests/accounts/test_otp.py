"""Two-factor authentication (TOTP, recovery codes) on the API: the login's second step, the
enrolment, and the rule that coordinators and admins pass it before anything else. Codes are
computed as an authenticator app does (tests.accounts.factories.totp_code)."""

import re

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    MembershipFactory,
    TOTPDeviceFactory,
    UserFactory,
    log_in_verified,
    totp_code,
)

pytestmark = pytest.mark.django_db


def log_in(user):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/login/", {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    return client, response


def test_a_facilitator_without_second_factor_logs_in_with_the_password_alone(facilitator):
    client, response = log_in(facilitator)

    assert response.status_code == 200
    assert response.json()["second_factor"] == {"enabled": False, "required": False}
    assert client.get("/api/v1/referrals/").status_code == 200


def test_a_coordinator_with_an_app_gives_its_code_after_the_password(coordinator):
    device = TOTPDeviceFactory(user=coordinator)

    # when the password is right
    client, response = log_in(coordinator)

    # then a code is asked, and nothing else is open meanwhile
    assert response.status_code == 202
    assert response.json()["second_factor"] == "otp_required"
    refused = client.get("/api/v1/referrals/")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "otp_required"
    assert client.get("/api/v1/auth/me/").json()["code"] == "otp_required"

    # when the code of the app is given
    verified = client.post("/api/v1/auth/otp/verify/", {"code": totp_code(device)})

    # then the session is open
    assert verified.status_code == 200
    assert verified.json()["second_factor"] == {"enabled": True, "required": True}
    assert client.get("/api/v1/referrals/").status_code == 200


def test_a_wrong_or_reused_code_is_refused(coordinator):
    device = TOTPDeviceFactory(user=coordinator)
    client, _ = log_in(coordinator)
    code = totp_code(device)
    other, _ = log_in(coordinator)
    assert other.post("/api/v1/auth/otp/verify/", {"code": code}).status_code == 200

    wrong = client.post(
        "/api/v1/auth/otp/verify/", {"code": "000000" if code != "000000" else "111111"}
    )
    reused = client.post("/api/v1/auth/otp/verify/", {"code": code})

    assert wrong.status_code == 400
    assert wrong.json()["errors"]["code"] == [
        "Code incorrect ou déjà utilisé : saisissez le code affiché."
    ]
    assert reused.status_code == 400
    assert client.get("/api/v1/referrals/").status_code == 403


def test_the_code_step_is_throttled_like_the_login(coordinator):
    TOTPDeviceFactory(user=coordinator)
    client, _ = log_in(coordinator)
    for _ in range(10):
        client.post("/api/v1/auth/otp/verify/", {"code": "123456"})

    response = client.post("/api/v1/auth/otp/verify/", {"code": "123456"})

    assert response.status_code == 429
    assert "Retry-After" in response


def test_a_recovery_code_opens_the_session_once(coordinator):
    # given a coordinator enrolled, who keeps their recovery codes
    client = APIClient()
    client.force_login(coordinator)
    client.post("/api/v1/auth/otp/enrolment/")
    device = TOTPDevice.objects.get(user=coordinator)
    codes = client.post("/api/v1/auth/otp/enrolment/confirm/", {"code": totp_code(device)}).json()[
        "recovery_codes"
    ]

    # when they lost their phone and log in with a recovery code, typed loosely
    first, _ = log_in(coordinator)
    typed = f" {codes[0][:4].upper()}-{codes[0][4:]} "
    response = first.post("/api/v1/auth/otp/verify/", {"code": typed})

    # then it works, once
    assert response.status_code == 200
    second, _ = log_in(coordinator)
    assert second.post("/api/v1/auth/otp/verify/", {"code": codes[0]}).status_code == 400
    assert StaticToken.objects.filter(device__user=coordinator).count() == 9


def test_a_coordinator_without_an_app_is_sent_to_the_enrolment(coordinator):
    client, response = log_in(coordinator)

    assert response.status_code == 202
    assert response.json() == {
        "second_factor": "otp_enrolment_required",
        "detail": "Votre rôle demande une double authentification : activez-la pour continuer.",
    }
    refused = client.get("/api/v1/capteurs/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "otp_enrolment_required"


def test_a_coordinator_enrols_an_app_and_gets_recovery_codes_once(coordinator):
    # given a coordinator logged in with the password, sent to the enrolment
    client, _ = log_in(coordinator)

    # when they start it
    started = client.post("/api/v1/auth/otp/enrolment/")

    # then they get the app's link, its key and a QR code to scan
    assert started.status_code == 201
    body = started.json()
    assert re.fullmatch(
        rf"otpauth://totp/Relais%3A{re.escape(coordinator.email).replace('@', '%40')}\?secret="
        rf"{body['secret']}&algorithm=SHA1&digits=6&period=30&issuer=Relais",
        body["otpauth_uri"],
    )
    assert body["qr_svg"].startswith("<svg") and "<path" in body["qr_svg"]
    assert client.get("/api/v1/referrals/").status_code == 403  # not confirmed yet

    # when they confirm with a wrong code, then with the app's code
    wrong = client.post("/api/v1/auth/otp/enrolment/confirm/", {"code": "12345"})
    device = TOTPDevice.objects.get(user=coordinator)
    confirmed = client.post("/api/v1/auth/otp/enrolment/confirm/", {"code": totp_code(device)})

    # then ten one-time recovery codes are shown, and the session is open
    assert wrong.status_code == 400
    assert confirmed.status_code == 200
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{8}", code) for code in codes)
    assert client.get("/api/v1/referrals/").status_code == 200
    me = client.get("/api/v1/auth/me/").json()
    assert me["second_factor"] == {"enabled": True, "required": True}
    assert StaticToken.objects.filter(device__user=coordinator).count() == 10


def test_an_enrolled_user_cannot_enrol_another_app_without_disabling_first(coordinator):
    client, _ = log_in(coordinator)
    client.post("/api/v1/auth/otp/enrolment/")
    device = TOTPDevice.objects.get(user=coordinator)
    client.post("/api/v1/auth/otp/enrolment/confirm/", {"code": totp_code(device)})

    # an attacker with the password only cannot add their own app
    attacker, _ = log_in(coordinator)
    response = attacker.post("/api/v1/auth/otp/enrolment/")

    assert response.status_code == 409
    assert response.json()["code"] == "otp_already_enrolled"
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_a_facilitator_may_enrol_and_then_needs_the_code(facilitator):
    client, _ = log_in(facilitator)
    client.post("/api/v1/auth/otp/enrolment/")
    device = TOTPDevice.objects.get(user=facilitator)
    client.post("/api/v1/auth/otp/enrolment/confirm/", {"code": totp_code(device)})

    again, response = log_in(facilitator)

    assert response.status_code == 202
    assert response.json()["second_factor"] == "otp_required"
    assert again.get("/api/v1/referrals/").json()["code"] == "otp_required"


def test_disabling_the_second_factor_asks_for_a_code(facilitator, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the wrong code (django-otp's)
    device = TOTPDeviceFactory(user=facilitator)
    client = APIClient()
    log_in_verified(client, facilitator, device)

    refused = client.post("/api/v1/auth/otp/disable/", {"code": "000000"})
    done = client.post("/api/v1/auth/otp/disable/", {"code": totp_code(device)})

    assert refused.status_code == 400
    assert done.status_code == 200
    assert done.json()["second_factor"] == {"enabled": False, "required": False}
    assert not TOTPDevice.objects.filter(user=facilitator).exists()


def test_a_coordinator_who_disables_it_must_enrol_again(coordinator):
    device = TOTPDeviceFactory(user=coordinator)
    client = APIClient()
    log_in_verified(client, coordinator, device)

    client.post("/api/v1/auth/otp/disable/", {"code": totp_code(device)})

    assert client.get("/api/v1/referrals/").json()["code"] == "otp_enrolment_required"


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_superuser": True, "is_staff": True}])
def test_an_admin_needs_the_second_factor_on_the_api_too(territory, flags):
    admin = MembershipFactory(territory=territory, user=UserFactory(**flags)).user

    client, response = log_in(admin)

    assert response.json()["second_factor"] == "otp_enrolment_required"
    assert client.get("/api/v1/referrals/").status_code == 403


def test_logging_out_needs_no_second_factor(coordinator):
    client, _ = log_in(coordinator)

    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_the_login_documents_the_second_step(api, settings):
    settings.API_DOCS_PUBLIC = True
    schema = api.get("/api/schema/?format=json").json()

    login = schema["paths"]["/api/v1/auth/login/"]["post"]["responses"]
    assert {"200", "202"} <= set(login)
    assert "/api/v1/auth/otp/verify/" in schema["paths"]
