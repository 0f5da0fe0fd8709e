import pytest

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

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

    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin.email, "password": DEFAULT_PASSWORD}
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
    client.force_login(admin)

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
    client.force_login(admin)

    page = client.get(f"/admin/referrals/referral/{referral.id}/change/").content.decode()

    assert "Zéphyrine" not in page
    assert "Je dors dehors" not in page
    assert str(referral.phone) not in page
    assert referral.phone.as_national not in page
