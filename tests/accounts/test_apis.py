import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.accounts.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_login_opens_a_session_and_returns_the_memberships(facilitator):
    # given a CSRF-checking client, as the PWA is
    client = APIClient(enforce_csrf_checks=True)
    client.get("/api/v1/auth/csrf/")
    token = client.cookies["csrftoken"].value

    # when
    response = client.post(
        "/api/v1/auth/login/",
        {"email": facilitator.email.upper(), "password": DEFAULT_PASSWORD},
        HTTP_X_CSRFTOKEN=token,
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == facilitator.email
    assert body["memberships"] == [
        {
            "territory_id": facilitator.memberships.get().territory_id,
            "territory_name": "Ouest Béarn",
            "territory_slug": "ouest-bearn",
            "role": "facilitator",
            "available": True,
            "unavailable_until": None,
        }
    ]
    assert client.get("/api/v1/auth/me/").json()["id"] == facilitator.id


def test_login_without_csrf_token_is_refused(facilitator):
    client = APIClient(enforce_csrf_checks=True)

    response = client.post(
        "/api/v1/auth/login/", {"email": facilitator.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert "_auth_user_id" not in client.session


def test_login_with_a_wrong_password_is_401_in_french(api, facilitator):
    response = api.post("/api/v1/auth/login/", {"email": facilitator.email, "password": "nope"})

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "E-mail ou mot de passe incorrect."


def test_login_requires_an_email_and_a_password(api):
    response = api.post("/api/v1/auth/login/", {"email": "pas-un-email"})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["email"] == ["Saisissez une adresse e-mail valide."]
    assert errors["password"] == ["Ce champ est obligatoire."]


def test_repeated_failed_logins_are_throttled(api, facilitator):
    # given ten failed attempts within a minute (the default limit)
    for _ in range(10):
        api.post("/api/v1/auth/login/", {"email": facilitator.email, "password": "bad"})

    # when
    response = api.post(
        "/api/v1/auth/login/", {"email": facilitator.email, "password": DEFAULT_PASSWORD}
    )

    # then
    assert response.status_code == 429
    assert "Retry-After" in response
    assert response["Content-Type"] == "application/problem+json"


def test_an_inactive_user_cannot_log_in(api):
    user = MembershipFactory(user=UserFactory(is_active=False)).user

    response = api.post("/api/v1/auth/login/", {"email": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 401


def test_logout_closes_the_session(facilitator):
    client = APIClient()
    client.login(email=facilitator.email, password=DEFAULT_PASSWORD)

    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_me_tells_the_app_the_map_tiles_only_when_a_server_is_set(facilitator_api, settings):
    settings.MAP_TILES_URL = ""
    assert facilitator_api.get("/api/v1/auth/me/").json()["map_tiles"]["url"] == ""

    settings.MAP_TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILES_ATTRIBUTION = "© Contributeurs OpenStreetMap"
    assert facilitator_api.get("/api/v1/auth/me/").json()["map_tiles"] == {
        "url": "https://tiles.example.org/{z}/{x}/{y}.png",
        "attribution": "© Contributeurs OpenStreetMap",
    }


def test_me_when_logged_out_is_401_problem(api):
    response = api.get("/api/v1/auth/me/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_a_forged_forwarded_for_header_does_not_escape_the_login_throttle(api, facilitator):
    # given no trusted proxy (the default), ten failures from one address
    for n in range(10):
        api.post(
            "/api/v1/auth/login/",
            {"email": f"someone{n}@example.org", "password": "bad"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )

    # when the same client forges yet another address
    response = api.post(
        "/api/v1/auth/login/",
        {"email": "someone-else@example.org", "password": "bad"},
        HTTP_X_FORWARDED_FOR="10.0.0.99",
    )

    # then
    assert response.status_code == 429


def test_a_facilitator_marks_an_absence_and_comes_back(api, facilitator, territory):
    api.force_authenticate(facilitator)
    until = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()

    away = api.put(
        "/api/v1/auth/me/availability/", {"territory": territory.id, "unavailable_until": until}
    )
    back = api.put(
        "/api/v1/auth/me/availability/", {"territory": territory.id, "unavailable_until": None}
    )

    assert away.status_code == 200
    assert away.json()["memberships"][0]["available"] is False
    assert away.json()["memberships"][0]["unavailable_until"] == until
    assert back.json()["memberships"][0]["available"] is True


def test_an_absence_cannot_end_in_the_past_nor_be_set_elsewhere(
    api, facilitator, territory, other_territory
):
    api.force_authenticate(facilitator)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()

    past = api.put(
        "/api/v1/auth/me/availability/",
        {"territory": territory.id, "unavailable_until": yesterday},
    )
    elsewhere = api.put(
        "/api/v1/auth/me/availability/",
        {"territory": other_territory.id, "unavailable_until": None},
    )

    assert past.status_code == 400
    assert past.json()["errors"] == {"unavailable_until": ["Cette date est déjà passée."]}
    assert elsewhere.status_code == 400
    assert elsewhere.json()["errors"] == {"territory": ["Vous n'êtes pas membre de ce territoire."]}


def test_a_login_body_that_is_not_an_object_is_a_400(api):
    response = api.post("/api/v1/auth/login/", ["x"])

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_an_unreadable_json_body_is_a_french_400(api):
    response = api.post("/api/v1/auth/login/", "{nope", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"] == "Le corps de la requête est illisible (JSON invalide)."


def test_an_authenticated_write_without_csrf_is_a_french_403(facilitator, territory):
    # given a real session, as the PWA has
    client = APIClient(enforce_csrf_checks=True)
    client.login(email=facilitator.email, password=DEFAULT_PASSWORD)

    response = client.post("/api/v1/auth/logout/")

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert response.json()["detail"] == "Jeton CSRF absent ou invalide : rechargez la page."
