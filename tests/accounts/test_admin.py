import pytest

from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    TOTPDeviceFactory,
    UserFactory,
    log_in_verified,
    totp_code,
)

pytestmark = pytest.mark.django_db


def test_the_admin_login_is_throttled_like_the_api_login(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(10):
        client.post("/admin/login/", {"username": admin.email, "password": "guess"})

    response = client.post("/admin/login/", {"username": admin.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_an_admin_logs_in(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    device = TOTPDeviceFactory(user=admin)

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": admin.email, "password": DEFAULT_PASSWORD, "otp_token": totp_code(device)},
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_admin_pages_of_every_model_render(client):
    # given a superuser and one row of each main model
    from tests.referrals.factories import ReferralFactory
    from tests.structures.factories import StructureFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    referral = ReferralFactory()
    StructureFactory(territory=referral.territory)
    log_in_verified(client, admin)

    # when / then
    for url in [
        "/admin/accounts/user/",
        "/admin/accounts/territory/",
        "/admin/capteurs/capteur/",
        f"/admin/capteurs/capteur/{referral.capteur_id}/change/",
        "/admin/capteurs/referralcode/",
        "/admin/referrals/referral/",
        f"/admin/referrals/referral/{referral.id}/change/",
        "/admin/referrals/accesslog/",
        "/admin/structures/structure/",
    ]:
        assert client.get(url).status_code == 200, url


def test_the_referral_admin_shows_no_personal_data(client):
    from tests.referrals.factories import ReferralFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    referral = ReferralFactory(first_name="Zéphyrine", note="Je dors dehors.")
    log_in_verified(client, admin)

    page = client.get(f"/admin/referrals/referral/{referral.id}/change/").content.decode()

    assert "Zéphyrine" not in page
    assert "Je dors dehors" not in page
    assert str(referral.phone) not in page
    assert referral.phone.as_national not in page


def test_the_admin_asks_an_admin_for_the_code_of_their_app(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    device = TOTPDeviceFactory(user=admin)

    password_only = client.post(
        "/admin/login/?next=/admin/", {"username": admin.email, "password": DEFAULT_PASSWORD}
    )
    with_code = client.post(
        "/admin/login/?next=/admin/",
        {"username": admin.email, "password": DEFAULT_PASSWORD, "otp_token": totp_code(device)},
    )

    assert password_only.status_code == 200  # the form again, with an error
    assert with_code.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_admin_without_an_app_cannot_open_the_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)  # a password-only session (the PWA's, say)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
