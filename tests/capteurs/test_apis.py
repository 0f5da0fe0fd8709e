import datetime

import pytest
from django.utils import timezone

from backend.capteurs.enums import Stage
from backend.capteurs.models import Capteur, StageChange
from tests.accounts.factories import MembershipFactory
from tests.capteurs.factories import CapteurFactory
from tests.conftest import problem_errors

pytestmark = pytest.mark.django_db


def capteur_payload(territory, **overrides):
    return {
        "territory": territory.id,
        "name": "Bar-tabac Le Balto",
        "kind": "bar_tabac",
        "address": "3 rue Jean Jaurès",
        "postal_code": "64150",
        "city": "Mourenx",
        "latitude": "43.381200",
        "longitude": "-0.626100",
        "contact_name": "Martine Lacoste",
        "phone": "05 59 60 11 22",
        "email": "balto@example.org",
        **overrides,
    }


# --- create ------------------------------------------------------------------------------


def test_facilitator_signs_up_a_capteur_as_a_prospect(facilitator_api, territory, facilitator):
    response = facilitator_api.post(
        "/api/v1/capteurs/", capteur_payload(territory, referent=facilitator.id)
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stage"] == "prospect"
    assert body["phone"] == "+33559601122"
    assert body["referent_name"] == str(facilitator)
    assert body["first_contact_on"] == timezone.localdate().isoformat()
    assert body["activity"] is None
    assert Capteur.objects.get().phone == "+33559601122"


def test_coordinator_may_register_a_capteur_too(api, coordinator, territory):
    api.force_authenticate(coordinator)

    response = api.post("/api/v1/capteurs/", capteur_payload(territory))

    assert response.status_code == 201


def test_a_bad_phone_number_is_refused_in_french_and_nothing_is_saved(facilitator_api, territory):
    response = facilitator_api.post("/api/v1/capteurs/", capteur_payload(territory, phone="12 34"))

    assert response.status_code == 400
    assert problem_errors(response) == {"phone": ["Saisissez un numéro de téléphone valide."]}
    assert not Capteur.objects.exists()


def test_a_foreign_number_in_international_format_is_accepted(facilitator_api, territory):
    response = facilitator_api.post(
        "/api/v1/capteurs/", capteur_payload(territory, phone="+32 470 12 34 56")
    )

    assert response.status_code == 201
    assert response.json()["phone"] == "+32470123456"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Ce champ ne peut être vide."),
        ({"kind": "boulangerie"}, "kind", "«\u00a0boulangerie\u00a0» n'est pas un choix valide."),
        ({"email": "pas-un-email"}, "email", "Saisissez une adresse e-mail valide."),
        (
            {"latitude": "95.000000"},
            "latitude",
            "Assurez-vous que cette valeur est inférieure ou égale à 90.",
        ),
        (
            {"longitude": "1234.5"},
            "longitude",
            "Assurez-vous qu'il n'y a pas plus de 3 chiffres avant la virgule.",
        ),
    ],
)
def test_invalid_fields_are_refused_with_a_french_message(
    facilitator_api, territory, overrides, field, message
):
    response = facilitator_api.post("/api/v1/capteurs/", capteur_payload(territory, **overrides))

    assert response.status_code == 400
    assert problem_errors(response)[field] == [message]
    assert not Capteur.objects.exists()


def test_the_referent_must_be_a_facilitator_of_the_territory(api, territory, other_territory):
    # given a user working in two territories
    user = MembershipFactory(territory=territory).user
    MembershipFactory(user=user, territory=other_territory)
    colleague_elsewhere = MembershipFactory(territory=other_territory).user
    api.force_authenticate(user)

    # when a capteur of the first territory gets the second's facilitator as référent
    response = api.post(
        "/api/v1/capteurs/", capteur_payload(territory, referent=colleague_elsewhere.id)
    )

    # then
    assert response.status_code == 400
    assert problem_errors(response) == {
        "referent": ["Le référent doit être un facilitateur de ce territoire."]
    }
    assert not Capteur.objects.exists()


def test_a_referent_the_user_does_not_work_with_does_not_exist_for_them(
    facilitator_api, territory, coordinator, other_territory
):
    outsider = MembershipFactory(territory=other_territory).user

    for user_id in (coordinator.id, outsider.id, 999999):
        response = facilitator_api.post(
            "/api/v1/capteurs/", capteur_payload(territory, referent=user_id)
        )

        assert response.status_code == 400
        assert problem_errors(response) == {
            "referent": [f"Clé primaire «\u00a0{user_id}\u00a0» non valide - l'objet n'existe pas."]
        }
    assert not Capteur.objects.exists()


def test_a_capteur_cannot_be_created_in_another_territory(
    facilitator_api, territory, other_territory
):
    response = facilitator_api.post("/api/v1/capteurs/", capteur_payload(other_territory))

    assert response.status_code == 400
    assert list(problem_errors(response)) == ["territory"]
    assert not Capteur.objects.exists()


# --- read and update ---------------------------------------------------------------------


def test_capteur_detail_shows_its_fields(facilitator_api, territory):
    capteur = CapteurFactory(territory=territory, name="Pharmacie du Gave", kind="pharmacie")

    response = facilitator_api.get(f"/api/v1/capteurs/{capteur.id}/")

    assert response.status_code == 200
    assert response.json()["name"] == "Pharmacie du Gave"
    assert response.json()["territory_name"] == "Ouest Béarn"


def test_facilitator_updates_a_capteur(facilitator_api, territory, facilitator):
    capteur = CapteurFactory(territory=territory)

    response = facilitator_api.patch(
        f"/api/v1/capteurs/{capteur.id}/",
        {"contact_name": "Jean Etcheverry", "referent": facilitator.id, "phone": "06 12 34 56 78"},
    )

    assert response.status_code == 200, response.json()
    capteur.refresh_from_db()
    assert capteur.contact_name == "Jean Etcheverry"
    assert capteur.referent == facilitator
    assert capteur.phone == "+33612345678"


def test_an_update_cannot_move_the_stage_or_the_territory(
    facilitator_api, territory, other_territory
):
    capteur = CapteurFactory(territory=territory)

    response = facilitator_api.patch(
        f"/api/v1/capteurs/{capteur.id}/",
        {"stage": "partner", "territory": other_territory.id, "city": "Orthez"},
    )

    assert response.status_code == 200
    capteur.refresh_from_db()
    assert (capteur.stage, capteur.territory) == (Stage.PROSPECT, territory)


def test_an_invalid_update_changes_nothing(facilitator_api, territory):
    capteur = CapteurFactory(territory=territory, city="Orthez")

    response = facilitator_api.patch(
        f"/api/v1/capteurs/{capteur.id}/", {"city": "Monein", "phone": "00"}
    )

    assert response.status_code == 400
    assert problem_errors(response) == {"phone": ["Saisissez un numéro de téléphone valide."]}
    capteur.refresh_from_db()
    assert capteur.city == "Orthez"


# --- list, filters, ordering -------------------------------------------------------------


def names(response):
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


def test_list_filters_by_kind_stage_referent_and_text(facilitator_api, territory, facilitator):
    CapteurFactory(territory=territory, name="Balto", kind="bar_tabac", city="Mourenx")
    CapteurFactory(
        territory=territory,
        name="Club de rugby",
        kind="club_sportif",
        partner=True,
        referent=facilitator,
    )
    CapteurFactory(
        territory=territory,
        name="Adecco",
        kind="agence_interim",
        address="2 avenue du Gave",
        city="Orthez",
    )

    assert names(facilitator_api.get("/api/v1/capteurs/?kind=bar_tabac")) == ["Balto"]
    assert names(facilitator_api.get("/api/v1/capteurs/?stage=partner")) == ["Club de rugby"]
    assert names(facilitator_api.get(f"/api/v1/capteurs/?referent={facilitator.id}")) == [
        "Club de rugby"
    ]
    assert names(facilitator_api.get("/api/v1/capteurs/?q=gave")) == ["Adecco"]
    assert names(facilitator_api.get("/api/v1/capteurs/?q=MOURENX")) == ["Balto"]
    assert sorted(
        names(facilitator_api.get("/api/v1/capteurs/?kind=bar_tabac&kind=agence_interim"))
    ) == ["Adecco", "Balto"]


def test_list_filters_by_territory_among_the_users_territories(api, territory, other_territory):
    user = MembershipFactory(territory=territory).user
    MembershipFactory(user=user, territory=other_territory)
    CapteurFactory(territory=territory, name="Ici")
    CapteurFactory(territory=other_territory, name="Là-bas")
    api.force_authenticate(user)

    assert sorted(names(api.get("/api/v1/capteurs/"))) == ["Ici", "Là-bas"]
    assert names(api.get(f"/api/v1/capteurs/?territory={other_territory.id}")) == ["Là-bas"]


def test_list_orders_by_name(facilitator_api, territory):
    for name in ("Caritas", "Aïkido club", "Boulangerie"):
        CapteurFactory(territory=territory, name=name)

    assert names(facilitator_api.get("/api/v1/capteurs/?ordering=name")) == [
        "Aïkido club",
        "Boulangerie",
        "Caritas",
    ]
    assert names(facilitator_api.get("/api/v1/capteurs/?ordering=-name"))[0] == "Caritas"


def test_an_unknown_filter_value_is_a_french_400(facilitator_api):
    response = facilitator_api.get("/api/v1/capteurs/?stage=perdu")

    assert response.status_code == 400
    assert "stage" in problem_errors(response)


def test_list_is_paginated_with_a_cursor(facilitator_api, territory):
    CapteurFactory.create_batch(3, territory=territory)

    first = facilitator_api.get("/api/v1/capteurs/?page_size=2").json()
    second = facilitator_api.get(first["next"]).json()

    assert len(first["results"]) == 2
    assert len(second["results"]) == 1
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])


@pytest.mark.parametrize("count", [5, 200])
def test_listing_capteurs_costs_a_constant_number_of_queries(
    facilitator_api, territory, facilitator, django_assert_num_queries, count
):
    CapteurFactory.create_batch(count, territory=territory, referent=facilitator, partner=True)

    # session user + membership check + territories + capteurs page
    with django_assert_num_queries(3):
        response = facilitator_api.get("/api/v1/capteurs/")

    assert len(response.json()["results"]) == min(count, 50)


# --- activity ----------------------------------------------------------------------------


def activity_of(api, capteur):
    return api.get(f"/api/v1/capteurs/{capteur.id}/").json()["activity"]


def test_activity_is_computed_from_referral_dates(facilitator_api, territory):
    now = timezone.now()
    sending = CapteurFactory(territory=territory, sending=True)
    newly_signed = CapteurFactory(territory=territory, newly_signed=True)
    silent_partner = CapteurFactory(territory=territory, partner=True)
    old_sender = CapteurFactory(
        territory=territory, partner=True, last_referral_at=now - datetime.timedelta(days=91)
    )
    prospect = CapteurFactory(territory=territory)
    paused_but_sending = CapteurFactory(
        territory=territory, paused=True, last_referral_at=now - datetime.timedelta(days=3)
    )

    assert activity_of(facilitator_api, sending) == "active"
    assert activity_of(facilitator_api, newly_signed) == "new"
    assert activity_of(facilitator_api, silent_partner) == "dormant"
    assert activity_of(facilitator_api, old_sender) == "dormant"
    assert activity_of(facilitator_api, prospect) is None
    assert activity_of(facilitator_api, paused_but_sending) == "active"


def test_a_new_partner_that_already_sent_someone_is_active(facilitator_api, territory):
    capteur = CapteurFactory(
        territory=territory, newly_signed=True, last_referral_at=timezone.now()
    )

    assert activity_of(facilitator_api, capteur) == "active"


def test_activity_follows_the_territory_thresholds(facilitator_api, territory):
    # given a territory that counts a capteur active over 30 days and new over 10
    territory.activity_active_days = 30
    territory.activity_new_days = 10
    territory.save()
    forty_days_ago = timezone.now() - datetime.timedelta(days=40)
    capteur = CapteurFactory(territory=territory, partner=True, last_referral_at=forty_days_ago)
    signed_last_week_and_a_half = CapteurFactory(
        territory=territory,
        stage=Stage.PARTNER,
        signed_on=timezone.localdate() - datetime.timedelta(days=11),
    )

    assert activity_of(facilitator_api, capteur) == "dormant"
    assert activity_of(facilitator_api, signed_last_week_and_a_half) == "dormant"


def test_list_filters_by_activity(facilitator_api, territory):
    CapteurFactory(territory=territory, name="Actif", sending=True)
    CapteurFactory(territory=territory, name="Nouveau", newly_signed=True)
    CapteurFactory(territory=territory, name="Dormant", partner=True)
    CapteurFactory(territory=territory, name="Prospect")

    assert names(facilitator_api.get("/api/v1/capteurs/?activity=dormant")) == ["Dormant"]
    assert names(facilitator_api.get("/api/v1/capteurs/?activity=new")) == ["Nouveau"]
    assert sorted(names(facilitator_api.get("/api/v1/capteurs/?activity=active&activity=new"))) == [
        "Actif",
        "Nouveau",
    ]


# --- pipeline ----------------------------------------------------------------------------


def test_signing_a_prospect_makes_it_a_partner_and_records_the_move(
    facilitator_api, territory, facilitator
):
    capteur = CapteurFactory(territory=territory)

    response = facilitator_api.post(
        f"/api/v1/capteurs/{capteur.id}/stage/",
        {"stage": "partner", "note": "Affiche posée près de la caisse"},
    )

    assert response.status_code == 200
    assert response.json()["stage"] == "partner"
    assert response.json()["signed_on"] == timezone.localdate().isoformat()
    assert response.json()["activity"] == "new"
    change = StageChange.objects.get()
    assert (change.from_stage, change.to_stage, change.actor) == (
        "prospect",
        "partner",
        facilitator,
    )
    history = facilitator_api.get(f"/api/v1/capteurs/{capteur.id}/stage-changes/").json()
    assert history[0]["note"] == "Affiche posée près de la caisse"
    assert history[0]["actor_name"] == str(facilitator)


LEGAL_MOVES = [
    ("prospect", "partner"),
    ("prospect", "withdrawn"),
    ("partner", "paused"),
    ("partner", "withdrawn"),
    ("paused", "partner"),
    ("paused", "withdrawn"),
    ("withdrawn", "prospect"),
]
ALL_STAGES = ["prospect", "partner", "paused", "withdrawn"]


@pytest.mark.parametrize(("from_stage", "to_stage"), LEGAL_MOVES)
def test_legal_stage_moves(facilitator_api, territory, facilitator, from_stage, to_stage):
    # Its référent: the one facilitator who may also withdraw it (see test_perms.py).
    capteur = CapteurFactory(territory=territory, stage=from_stage, referent=facilitator)

    response = facilitator_api.post(f"/api/v1/capteurs/{capteur.id}/stage/", {"stage": to_stage})

    assert response.status_code == 200
    assert StageChange.objects.filter(capteur=capteur, to_stage=to_stage).count() == 1


@pytest.mark.parametrize(
    ("from_stage", "to_stage"),
    [(a, b) for a in ALL_STAGES for b in ALL_STAGES if (a, b) not in LEGAL_MOVES],
)
def test_illegal_stage_moves_are_409_with_a_french_explanation(
    facilitator_api, territory, facilitator, from_stage, to_stage
):
    capteur = CapteurFactory(territory=territory, stage=from_stage, referent=facilitator)

    response = facilitator_api.post(f"/api/v1/capteurs/{capteur.id}/stage/", {"stage": to_stage})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "illegal_stage_transition"
    assert "ne peut pas passer" in response.json()["detail"]
    capteur.refresh_from_db()
    assert capteur.stage == from_stage
    assert not StageChange.objects.exists()


def test_a_partner_signed_again_keeps_its_first_signature_date(facilitator_api, territory):
    capteur = CapteurFactory(territory=territory, paused=True, signed_on="2025-03-01")

    facilitator_api.post(f"/api/v1/capteurs/{capteur.id}/stage/", {"stage": "partner"})

    capteur.refresh_from_db()
    assert capteur.signed_on == datetime.date(2025, 3, 1)


def test_an_unknown_stage_is_400(facilitator_api, territory):
    capteur = CapteurFactory(territory=territory)

    response = facilitator_api.post(f"/api/v1/capteurs/{capteur.id}/stage/", {"stage": "signé"})

    assert response.status_code == 400
    assert problem_errors(response) == {"stage": ["«\u00a0signé\u00a0» n'est pas un choix valide."]}


# --- capteur space link ------------------------------------------------------------------


def test_facilitator_opens_reissues_and_closes_a_capteur_space(facilitator_api, territory):
    capteur = CapteurFactory(territory=territory, partner=True)

    opened = facilitator_api.post(f"/api/v1/capteurs/{capteur.id}/space/").json()["space_url"]
    reissued = facilitator_api.post(f"/api/v1/capteurs/{capteur.id}/space/").json()["space_url"]
    closed = facilitator_api.delete(f"/api/v1/capteurs/{capteur.id}/space/").json()["space_url"]

    assert opened.startswith("http://127.0.0.1:8000/c/")
    assert len(opened.rsplit("/", 1)[1]) >= 22  # ≥ 128 bits in URL-safe base64
    assert reissued != opened
    assert closed is None


def test_a_withdrawn_capteur_gets_no_space(facilitator_api, territory):
    capteur = CapteurFactory(territory=territory, withdrawn=True)

    response = facilitator_api.post(f"/api/v1/capteurs/{capteur.id}/space/")

    assert response.status_code == 409
    assert response.json()["code"] == "capteur_withdrawn"
