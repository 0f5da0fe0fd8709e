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
