"""Capteur writes replayed with their Idempotency-Key (the PWA's offline outbox): a capteur
signed up standing in a shop with no network is created once, however often it is sent."""

import pytest

from backend.capteurs.models import Capteur, ReferralCode
from tests.capteurs.factories import CapteurFactory
from tests.capteurs.test_apis import capteur_payload

pytestmark = pytest.mark.django_db

KEY = "7f3c2a1e-9d8b-4c6a-b5e4-1a2b3c4d5e6f"


def test_a_replayed_capteur_sign_up_creates_one_capteur(facilitator_api, territory):
    first = facilitator_api.post(
        "/api/v1/capteurs/", capteur_payload(territory), HTTP_IDEMPOTENCY_KEY=KEY
    )
    again = facilitator_api.post(
        "/api/v1/capteurs/", capteur_payload(territory), HTTP_IDEMPOTENCY_KEY=KEY
    )

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Capteur.objects.count() == 1


def test_the_same_key_for_another_capteur_is_422(facilitator_api, territory):
    facilitator_api.post("/api/v1/capteurs/", capteur_payload(territory), HTTP_IDEMPOTENCY_KEY=KEY)

    response = facilitator_api.post(
        "/api/v1/capteurs/", capteur_payload(territory, name="Autre"), HTTP_IDEMPOTENCY_KEY=KEY
    )

    assert response.status_code == 422
    assert Capteur.objects.count() == 1


def test_a_replayed_code_issue_issues_one_code(facilitator_api, territory):
    capteur = CapteurFactory(territory=territory, partner=True)
    url = f"/api/v1/capteurs/{capteur.id}/codes/"

    first = facilitator_api.post(url, {"label": "Vitrine"}, HTTP_IDEMPOTENCY_KEY=KEY)
    again = facilitator_api.post(url, {"label": "Vitrine"}, HTTP_IDEMPOTENCY_KEY=KEY)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert ReferralCode.objects.filter(capteur=capteur).count() == 1
