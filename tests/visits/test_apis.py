import datetime

import pytest
from django.utils import timezone

from backend.capteurs.models import StageChange
from backend.visits.models import Visit, VisitEvent
from tests.accounts.factories import MembershipFactory, UserFactory, log_in_verified
from tests.capteurs.factories import CapteurFactory
from tests.conftest import problem_errors
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def ids(response):
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def action(api, visit, name, data=None):
    return api.post(f"/api/v1/visits/{visit.id}/{name}/", data or {})


@pytest.fixture
def capteur(territory, facilitator):
    return CapteurFactory(territory=territory, partner=True, referent=facilitator)


@pytest.fixture
def visit(capteur, facilitator):
    return VisitFactory(capteur=capteur, facilitator=facilitator, planned_on=TODAY() + DAY)


# --- list --------------------------------------------------------------------------------


def test_a_facilitator_sees_every_visit_of_their_territory(
    facilitator_api, territory, facilitator, other_territory
):
    mine = VisitFactory(capteur__territory=territory, facilitator=facilitator)
    colleagues = VisitFactory(capteur__territory=territory)
    VisitFactory(capteur__territory=other_territory)

    assert sorted(ids(facilitator_api.get("/api/v1/visits/"))) == sorted([mine.id, colleagues.id])
    assert ids(facilitator_api.get("/api/v1/visits/?facilitator=me")) == [mine.id]
    assert ids(facilitator_api.get(f"/api/v1/visits/?facilitator={colleagues.facilitator_id}")) == [
        colleagues.id
    ]


def test_visit_filters(facilitator_api, territory, capteur, facilitator):
    # given
    today = TODAY()
    past = VisitFactory(capteur=capteur, facilitator=facilitator, done=True)
    soon = VisitFactory(capteur__territory=territory, planned_on=today + 3 * DAY)
    later = VisitFactory(capteur__territory=territory, planned_on=today + 30 * DAY, kind="restock")
    cancelled = VisitFactory(capteur__territory=territory, cancelled=True)
    base = "/api/v1/visits/"

    # then
    assert ids(facilitator_api.get(f"{base}?capteur={capteur.id}")) == [past.id]
    assert ids(facilitator_api.get(f"{base}?status=done")) == [past.id]
    assert sorted(ids(facilitator_api.get(f"{base}?status=done&status=cancelled"))) == sorted(
        [past.id, cancelled.id]
    )
    assert ids(facilitator_api.get(f"{base}?kind=restock")) == [later.id]
    window = f"from={(today + DAY).isoformat()}&to={(today + 10 * DAY).isoformat()}"
    assert ids(facilitator_api.get(f"{base}?{window}")) == [soon.id]
    assert ids(facilitator_api.get(f"{base}?from={(today + 4 * DAY).isoformat()}")) == [later.id]


def test_visits_come_latest_planned_first_unless_asked(facilitator_api, territory):
    first = VisitFactory(capteur__territory=territory, planned_on=TODAY() + DAY)
    second = VisitFactory(capteur__territory=territory, planned_on=TODAY() + 2 * DAY)

    assert ids(facilitator_api.get("/api/v1/visits/")) == [second.id, first.id]
    assert ids(facilitator_api.get("/api/v1/visits/?ordering=planned_on")) == [
        first.id,
        second.id,
    ]


def test_a_list_row_is_small_and_says_where_and_who(facilitator_api, visit, capteur, facilitator):
    row = facilitator_api.get("/api/v1/visits/").json()["results"][0]

    assert row == {
        "id": visit.id,
        "territory": capteur.territory_id,
        "capteur": capteur.id,
        "capteur_name": capteur.name,
        "capteur_city": "Orthez",
        "latitude": "43.488000",
        "longitude": "-0.771000",
        "kind": "follow_up",
        "status": "planned",
        "planned_on": visit.planned_on.isoformat(),
        "done_on": None,
        "auto_planned": False,
        "facilitator": facilitator.id,
        "facilitator_name": facilitator.get_full_name(),
        "note": "",
        "next_step": "",
    }


@pytest.mark.parametrize("count", [3, 60])
def test_listing_visits_costs_a_constant_number_of_queries(
    facilitator_api, territory, django_assert_num_queries, count
):
    VisitFactory.create_batch(count, capteur__territory=territory)

    # membership check + visits page (capteur and facilitator joined)
    with django_assert_num_queries(2):
        response = facilitator_api.get("/api/v1/visits/")

    assert len(response.json()["results"]) == min(count, 50)


def test_the_detail_has_the_outcome_and_the_history(facilitator_api, capteur, facilitator):
    visit = VisitFactory(capteur=capteur, facilitator=facilitator, planned_on=TODAY())
    action(facilitator_api, visit, "done", {"outcome": "Affiche recollée.", "next_step": "RAS"})

    body = facilitator_api.get(f"/api/v1/visits/{visit.id}/").json()

    assert body["outcome"] == "Affiche recollée."
    assert body["capteur_address"] == capteur.address
    assert body["capteur_phone"] == str(capteur.phone)
    assert [(e["kind"], e["actor"]) for e in body["events"]] == [("done", facilitator.id)]


# --- plan --------------------------------------------------------------------------------


def test_a_facilitator_plans_a_visit_for_themselves_by_default(
    facilitator_api, capteur, facilitator
):
    planned_on = TODAY() + 2 * DAY

    response = facilitator_api.post(
        "/api/v1/visits/",
        {"capteur": capteur.id, "kind": "restock", "planned_on": planned_on.isoformat()},
    )

    assert response.status_code == 201, response.json()
    visit = Visit.objects.get(pk=response.json()["id"])
    assert (visit.facilitator, visit.kind, visit.planned_on) == (facilitator, "restock", planned_on)
    assert (visit.territory, visit.status, visit.auto_planned) == (
        capteur.territory,
        "planned",
        False,
    )
    event = VisitEvent.objects.get(visit=visit)
    assert (event.kind, event.actor, event.payload["planned_on"]) == (
        "planned",
        facilitator,
        planned_on.isoformat(),
    )


def test_a_planned_visit_keeps_its_note_for_the_round_but_not_in_its_history(
    facilitator_api, capteur
):
    response = facilitator_api.post(
        "/api/v1/visits/",
        {
            "capteur": capteur.id,
            "kind": "restock",
            "planned_on": TODAY().isoformat(),
            "note": "Apporter des affiches A3.",
        },
    )

    assert response.status_code == 201, response.json()
    assert response.json()["note"] == "Apporter des affiches A3."
    stops = facilitator_api.get("/api/v1/visits/round/").json()["stops"]
    assert [stop["note"] for stop in stops] == ["Apporter des affiches A3."]
    event = VisitEvent.objects.get(visit_id=response.json()["id"])
    assert "Apporter" not in str(event.payload)


def test_a_coordinator_plans_a_visit_for_a_facilitator(coordinator_api, capteur, facilitator):
    data = {"capteur": capteur.id, "kind": "follow_up", "planned_on": TODAY().isoformat()}

    alone = coordinator_api.post("/api/v1/visits/", data)
    named = coordinator_api.post("/api/v1/visits/", {**data, "facilitator": facilitator.id})

    assert alone.status_code == 400
    assert "facilitator" in problem_errors(alone)
    assert named.status_code == 201
    assert named.json()["facilitator"] == facilitator.id


def test_the_facilitator_must_be_one_of_the_capteurs_territory(
    facilitator_api, capteur, facilitator, other_territory, territory
):
    # given a user who facilitates elsewhere and coordinates here
    elsewhere = MembershipFactory(territory=other_territory, facilitator=True).user
    MembershipFactory(territory=other_territory, user=facilitator)
    MembershipFactory(territory=territory, user=elsewhere, coordinator=True)

    response = facilitator_api.post(
        "/api/v1/visits/",
        {
            "capteur": capteur.id,
            "kind": "follow_up",
            "planned_on": TODAY().isoformat(),
            "facilitator": elsewhere.id,
        },
    )

    assert response.status_code == 400
    assert problem_errors(response)["facilitator"] == [
        "Choisissez un facilitateur actif du territoire du capteur."
    ]
    assert not Visit.objects.exists()


def test_planning_checks_the_capteur_the_date_and_the_kind(
    facilitator_api, capteur, other_territory
):
    theirs = CapteurFactory(territory=other_territory, partner=True)
    good = {"capteur": capteur.id, "kind": "follow_up", "planned_on": TODAY().isoformat()}

    cases = {
        "capteur": {**good, "capteur": theirs.id},
        "planned_on": {**good, "planned_on": (TODAY() - DAY).isoformat()},
        "kind": {**good, "kind": "apero"},
    }

    for field, data in cases.items():
        response = facilitator_api.post("/api/v1/visits/", data)
        assert response.status_code == 400, field
        assert field in problem_errors(response), field
    assert not Visit.objects.exists()


def test_no_visit_is_planned_to_a_withdrawn_capteur(facilitator_api, territory):
    withdrawn = CapteurFactory(territory=territory, withdrawn=True)

    response = facilitator_api.post(
        "/api/v1/visits/",
        {"capteur": withdrawn.id, "kind": "follow_up", "planned_on": TODAY().isoformat()},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "capteur_withdrawn"


# --- reschedule --------------------------------------------------------------------------


def test_rescheduling_moves_the_day_and_writes_an_event(facilitator_api, visit, facilitator):
    new_day = visit.planned_on + 7 * DAY

    response = action(facilitator_api, visit, "reschedule", {"planned_on": new_day.isoformat()})

    assert response.status_code == 200
    assert response.json()["planned_on"] == new_day.isoformat()
    event = VisitEvent.objects.get(visit=visit)
    assert (event.kind, event.actor) == ("rescheduled", facilitator)
    assert event.payload == {"from": visit.planned_on.isoformat(), "to": new_day.isoformat()}


def test_a_visit_is_not_rescheduled_to_the_past_nor_once_done(facilitator_api, capteur):
    planned = VisitFactory(capteur=capteur)
    done = VisitFactory(capteur=capteur, done=True)

    past = action(facilitator_api, planned, "reschedule", {"planned_on": "2020-01-02"})
    late = action(facilitator_api, done, "reschedule", {"planned_on": TODAY().isoformat()})

    assert past.status_code == 400
    assert "planned_on" in problem_errors(past)
    assert late.status_code == 409
    assert late.json()["detail"] == (
        "Seule une visite prévue peut être reportée ; celle-ci est « Faite »."
    )
    assert not VisitEvent.objects.exists()


# --- done --------------------------------------------------------------------------------


def test_recording_a_visit_done_keeps_the_capteurs_last_visit(
    facilitator_api, visit, capteur, facilitator
):
    response = action(
        facilitator_api,
        visit,
        "done",
        {"outcome": "Le gérant a changé.", "next_step": "Rapporter une affiche."},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["done_on"]) == ("done", TODAY().isoformat())
    assert body["next_step"] == "Rapporter une affiche."
    capteur.refresh_from_db()
    assert capteur.last_visit_on == TODAY()
    event = VisitEvent.objects.get(visit=visit)
    assert (event.kind, event.actor, event.payload["done_on"]) == (
        "done",
        facilitator,
        TODAY().isoformat(),
    )
    assert "Le gérant" not in str(event.payload)  # the outcome stays out of event payloads


def test_an_older_visit_recorded_late_does_not_move_last_visit_back(
    facilitator_api, capteur, facilitator
):
    capteur.last_visit_on = TODAY() - DAY
    capteur.save()
    visit = VisitFactory(capteur=capteur, facilitator=facilitator, planned_on=TODAY() - 9 * DAY)

    response = action(facilitator_api, visit, "done", {"done_on": (TODAY() - 9 * DAY).isoformat()})

    assert response.status_code == 200
    capteur.refresh_from_db()
    assert capteur.last_visit_on == TODAY() - DAY


def test_a_visit_is_not_done_in_the_future(facilitator_api, visit):
    response = action(facilitator_api, visit, "done", {"done_on": (TODAY() + DAY).isoformat()})

    assert response.status_code == 400
    assert "done_on" in problem_errors(response)


def test_a_visit_may_sign_the_capteur_up(facilitator_api, territory, facilitator):
    # given a prospect visited
    prospect = CapteurFactory(territory=territory)
    visit = VisitFactory(capteur=prospect, facilitator=facilitator, kind="prospection")

    # when the visit is recorded with the capteur signed
    response = action(facilitator_api, visit, "done", {"capteur_stage": "partner"})

    # then the capteur moved through its pipeline, with its history
    assert response.status_code == 200
    prospect.refresh_from_db()
    assert (prospect.stage, prospect.signed_on) == ("partner", TODAY())
    change = StageChange.objects.get(capteur=prospect)
    assert (change.from_stage, change.to_stage, change.actor) == (
        "prospect",
        "partner",
        facilitator,
    )
    assert VisitEvent.objects.get(visit=visit).payload["capteur_stage"] == "partner"


def test_an_illegal_stage_move_records_nothing(facilitator_api, territory, facilitator):
    prospect = CapteurFactory(territory=territory)
    visit = VisitFactory(capteur=prospect, facilitator=facilitator)

    response = action(facilitator_api, visit, "done", {"capteur_stage": "paused"})

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_stage_transition"
    visit.refresh_from_db()
    prospect.refresh_from_db()
    assert (visit.status, prospect.stage, prospect.last_visit_on) == ("planned", "prospect", None)
    assert not VisitEvent.objects.exists()


def test_the_same_stage_is_no_move(facilitator_api, visit, capteur):
    response = action(facilitator_api, visit, "done", {"capteur_stage": "partner"})

    assert response.status_code == 200
    assert not StageChange.objects.filter(capteur=capteur).exists()


def test_a_visit_is_recorded_done_once(facilitator_api, capteur):
    done = VisitFactory(capteur=capteur, done=True)

    response = action(facilitator_api, done, "done")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_visit_transition"
    assert response.json()["detail"] == "Cette visite est « Faite » : elle ne peut plus changer."


# --- cancel ------------------------------------------------------------------------------


def test_cancelling_a_visit_keeps_the_reason_in_its_history(facilitator_api, visit, facilitator):
    response = action(facilitator_api, visit, "cancel", {"reason": "Fermé pour congés"})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    event = VisitEvent.objects.get(visit=visit)
    assert (event.kind, event.actor, event.payload["reason"]) == (
        "cancelled",
        facilitator,
        "Fermé pour congés",
    )


def test_a_cancelled_visit_cannot_be_done_nor_cancelled_again(facilitator_api, capteur):
    cancelled = VisitFactory(capteur=capteur, cancelled=True)

    for name in ("done", "cancel"):
        response = action(facilitator_api, cancelled, name)
        assert response.status_code == 409, name
        assert response["Content-Type"] == "application/problem+json"
        assert "Annulée" in response.json()["detail"]


# --- admin -------------------------------------------------------------------------------


def test_the_admin_lists_visits_and_shows_their_history(client, facilitator_api, visit):
    action(facilitator_api, visit, "reschedule", {"planned_on": (TODAY() + 5 * DAY).isoformat()})
    log_in_verified(client, UserFactory(is_staff=True, is_superuser=True))

    listing = client.get("/admin/visits/visit/?status__exact=planned")
    page = client.get(f"/admin/visits/visit/{visit.id}/change/")

    assert listing.status_code == 200
    assert visit.capteur.name in listing.content.decode()
    assert page.status_code == 200
    assert "Reportée" in page.content.decode()
