"""Visit writes replayed with their Idempotency-Key (the PWA's offline outbox): each is
written once, the replay gets the first answer; a conflict on replay is still a conflict."""

import datetime

import pytest
from django.utils import timezone

from backend.capteurs.models import StageChange
from backend.visits.models import Visit, VisitEvent
from tests.capteurs.factories import CapteurFactory
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db

KEY = "5f0d2c1e-8a7b-4c3d-9e2f-1a2b3c4d5e6f"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def capteur(territory, facilitator):
    return CapteurFactory(territory=territory, referent=facilitator)


@pytest.fixture
def visit(capteur, facilitator):
    return VisitFactory(capteur=capteur, facilitator=facilitator)


def send_twice(api, url, data):
    first = api.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    again = api.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert first.status_code in (200, 201), first.json()
    assert again.status_code == first.status_code
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    return first


def test_a_replayed_plan_plans_one_visit(facilitator_api, capteur):
    day = (timezone.localdate() + 3 * DAY).isoformat()

    response = send_twice(
        facilitator_api,
        "/api/v1/visits/",
        {"capteur": capteur.id, "kind": "prospection", "planned_on": day},
    )

    assert response.status_code == 201
    assert Visit.objects.filter(capteur=capteur).count() == 1
    assert VisitEvent.objects.filter(visit__capteur=capteur, kind="planned").count() == 1


def test_a_replayed_done_records_the_visit_and_moves_the_capteur_once(
    facilitator_api, visit, capteur
):
    response = send_twice(
        facilitator_api,
        f"/api/v1/visits/{visit.id}/done/",
        {
            "done_on": timezone.localdate().isoformat(),
            "outcome": "Affiche posée.",
            "next_step": "Repasser dans un mois.",
            "capteur_stage": "partner",
        },
    )

    assert response.json()["status"] == "done"
    assert VisitEvent.objects.filter(visit=visit, kind="done").count() == 1
    assert StageChange.objects.filter(capteur=capteur, to_stage="partner").count() == 1
    capteur.refresh_from_db()
    assert capteur.stage == "partner"


def test_a_replayed_reschedule_moves_the_visit_once(facilitator_api, visit):
    day = (timezone.localdate() + 5 * DAY).isoformat()

    response = send_twice(
        facilitator_api, f"/api/v1/visits/{visit.id}/reschedule/", {"planned_on": day}
    )

    assert response.json()["planned_on"] == day
    assert VisitEvent.objects.filter(visit=visit, kind="rescheduled").count() == 1


def test_a_replayed_cancel_cancels_once(facilitator_api, visit):
    response = send_twice(
        facilitator_api, f"/api/v1/visits/{visit.id}/cancel/", {"reason": "Fermé ce jour."}
    )

    assert response.json()["status"] == "cancelled"
    assert VisitEvent.objects.filter(visit=visit, kind="cancelled").count() == 1


def test_a_new_key_on_a_done_visit_is_still_a_conflict(facilitator_api, visit):
    # given: the visit was recorded as done from another phone
    url = f"/api/v1/visits/{visit.id}/done/"
    assert facilitator_api.post(url, {}, HTTP_IDEMPOTENCY_KEY=KEY).status_code == 200

    # when: this phone's outbox sends its own action, under its own key
    response = facilitator_api.post(url, {}, HTTP_IDEMPOTENCY_KEY="another-key-123")

    # then: a conflict, and one done event
    assert response.status_code == 409
    assert VisitEvent.objects.filter(visit=visit, kind="done").count() == 1


def test_the_visit_writes_document_the_idempotency_key(facilitator_api):
    schema = facilitator_api.get("/api/schema/?format=json").json()
    for path in [
        "/api/v1/visits/",
        "/api/v1/visits/{visit_id}/done/",
        "/api/v1/visits/{visit_id}/reschedule/",
        "/api/v1/visits/{visit_id}/cancel/",
    ]:
        names = [p["name"] for p in schema["paths"][path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path
