import pytest

from backend.structures.models import Structure, StructureContact
from tests.accounts.factories import MembershipFactory
from tests.conftest import problem_errors
from tests.structures.factories import StructureContactFactory, StructureFactory

pytestmark = pytest.mark.django_db


def structure_payload(territory, **overrides):
    return {
        "territory": territory.id,
        "name": "Mission locale — antenne de Mourenx",
        "kind": "mission_locale",
        "description": "Accompagnement des 16-25 ans.",
        "needs": ["mobilite", "emploi", "formation"],
        "address": "4 place François-Mitterrand",
        "postal_code": "64150",
        "city": "Mourenx",
        "latitude": "43.381400",
        "longitude": "-0.626400",
        "phone": "05 36 49 10 01",
        "email": "ml-mourenx@example.org",
        "website": "https://example.org/ml-mourenx",
        "opening_hours": "Du lundi au vendredi, 9 h – 17 h",
        "contacts": [
            {"name": "Julie Lacaze", "role": "Conseillère", "phone": "05 36 49 10 02"},
            {"name": "Accueil", "email": "accueil@example.org"},
        ],
        **overrides,
    }


def names(response):
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


# --- create ------------------------------------------------------------------------------


def test_facilitator_adds_a_structure_with_its_needs_and_contacts(facilitator_api, territory):
    response = facilitator_api.post("/api/v1/structures/", structure_payload(territory))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["needs"] == ["emploi", "formation", "mobilite"]  # in the order of Need
    assert body["phone"] == "+33536491001"
    assert body["is_active"] is True
    assert body["territory_name"] == "Ouest Béarn"
    assert [(c["name"], c["phone"]) for c in body["contacts"]] == [
        ("Julie Lacaze", "+33536491002"),
        ("Accueil", ""),
    ]
    assert Structure.objects.get().contacts.count() == 2


def test_coordinator_may_add_a_structure_too(api, coordinator, territory):
    api.force_authenticate(coordinator)

    response = api.post("/api/v1/structures/", structure_payload(territory, contacts=[]))

    assert response.status_code == 201


def test_a_structure_needs_only_a_name(facilitator_api, territory):
    response = facilitator_api.post(
        "/api/v1/structures/", {"territory": territory.id, "name": "Secours du Gave"}
    )

    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "autre"
    assert response.json()["needs"] == []
    assert response.json()["contacts"] == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "12 34"}, "phone", "Saisissez un numéro de téléphone valide."),
        (
            {"needs": ["emploi", "bricolage"]},
            "needs",
            "«\u00a0bricolage\u00a0» n'est pas un choix valide.",
        ),
        ({"kind": "mairie"}, "kind", "«\u00a0mairie\u00a0» n'est pas un choix valide."),
        ({"email": "pas-un-email"}, "email", "Saisissez une adresse e-mail valide."),
        ({"website": "pas un site"}, "website", "Saisissez une URL valide."),
        ({"name": ""}, "name", "Ce champ ne peut être vide."),
    ],
)
def test_invalid_fields_are_refused_in_french_and_nothing_is_saved(
    facilitator_api, territory, overrides, field, message
):
    response = facilitator_api.post(
        "/api/v1/structures/", structure_payload(territory, **overrides)
    )

    assert response.status_code == 400
    assert problem_errors(response) == {field: [message]}
    assert not Structure.objects.exists()
    assert not StructureContact.objects.exists()


def test_a_missing_name_is_refused(facilitator_api, territory):
    payload = structure_payload(territory)
    del payload["name"]

    response = facilitator_api.post("/api/v1/structures/", payload)

    assert response.status_code == 400
    assert problem_errors(response) == {"name": ["Ce champ est obligatoire."]}
    assert not Structure.objects.exists()


def test_a_bad_contact_phone_saves_neither_the_structure_nor_its_contacts(
    facilitator_api, territory
):
    payload = structure_payload(territory, contacts=[{"name": "Julie", "phone": "00"}])

    response = facilitator_api.post("/api/v1/structures/", payload)

    assert response.status_code == 400
    assert problem_errors(response) == {
        "contacts": {"0": {"phone": ["Saisissez un numéro de téléphone valide."]}}
    }
    assert not Structure.objects.exists()


def test_a_structure_cannot_be_created_in_another_territory(
    facilitator_api, territory, other_territory
):
    response = facilitator_api.post("/api/v1/structures/", structure_payload(other_territory))

    assert response.status_code == 400
    assert list(problem_errors(response)) == ["territory"]
    assert not Structure.objects.exists()


def test_logged_out_cannot_list_or_add_structures(api, territory):
    assert api.get("/api/v1/structures/").status_code == 401
    assert api.post("/api/v1/structures/", structure_payload(territory)).status_code == 401
    assert not Structure.objects.exists()


# --- read, update, deactivate ------------------------------------------------------------


def test_structure_detail_shows_its_fields_and_contacts(facilitator_api, territory):
    structure = StructureFactory(territory=territory, cmp=True, name="CMP adultes d'Oloron")
    StructureContactFactory(structure=structure, name="Secrétariat médical")

    response = facilitator_api.get(f"/api/v1/structures/{structure.id}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["kind"], body["needs"]) == ("CMP adultes d'Oloron", "cmp", ["sante"])
    assert [c["name"] for c in body["contacts"]] == ["Secrétariat médical"]


def test_another_territorys_structure_is_404(facilitator_api, other_territory):
    structure = StructureFactory(territory=other_territory)

    response = facilitator_api.get(f"/api/v1/structures/{structure.id}/")

    assert response.status_code == 404


def test_an_update_replaces_the_contacts_list(facilitator_api, territory):
    # given a structure with two contacts
    structure = StructureFactory(territory=territory)
    kept = StructureContactFactory(structure=structure, name="Julie Lacaze")
    removed = StructureContactFactory(structure=structure, name="Romain Barrère")

    # when the contacts list keeps one (renamed role), drops one and adds one
    response = facilitator_api.patch(
        f"/api/v1/structures/{structure.id}/",
        {
            "needs": ["budget", "logement"],
            "contacts": [
                {"id": kept.id, "name": "Julie Lacaze", "role": "Directrice"},
                {"name": "Accueil", "phone": "05 36 49 10 09"},
            ],
        },
    )

    # then
    assert response.status_code == 200, response.json()
    assert response.json()["needs"] == ["logement", "budget"]
    contacts = list(structure.contacts.order_by("id"))
    assert [(c.id, c.name, c.role) for c in contacts][:1] == [
        (kept.id, "Julie Lacaze", "Directrice")
    ]
    assert [c.name for c in contacts] == ["Julie Lacaze", "Accueil"]
    assert not StructureContact.objects.filter(id=removed.id).exists()


def test_an_update_without_contacts_leaves_them_alone(facilitator_api, territory):
    structure = StructureFactory(territory=territory)
    StructureContactFactory(structure=structure)

    response = facilitator_api.patch(f"/api/v1/structures/{structure.id}/", {"city": "Monein"})

    assert response.status_code == 200
    assert structure.contacts.count() == 1


def test_a_contact_of_another_structure_cannot_be_taken_over(facilitator_api, territory):
    structure = StructureFactory(territory=territory)
    theirs = StructureContactFactory(name="Julie Lacaze")

    response = facilitator_api.patch(
        f"/api/v1/structures/{structure.id}/",
        {"city": "Monein", "contacts": [{"id": theirs.id, "name": "Pris"}]},
    )

    assert response.status_code == 400
    assert list(problem_errors(response)) == ["contacts"]
    structure.refresh_from_db()
    theirs.refresh_from_db()
    assert (structure.city, theirs.name, theirs.structure_id) == (
        "Orthez",
        "Julie Lacaze",
        theirs.structure_id,
    )


def test_an_update_cannot_move_the_structure_to_another_territory(
    facilitator_api, territory, other_territory
):
    structure = StructureFactory(territory=territory)

    response = facilitator_api.patch(
        f"/api/v1/structures/{structure.id}/", {"territory": other_territory.id, "city": "Lacq"}
    )

    assert response.status_code == 200
    structure.refresh_from_db()
    assert (structure.territory, structure.city) == (territory, "Lacq")


def test_an_invalid_update_changes_nothing(facilitator_api, territory):
    structure = StructureFactory(territory=territory, city="Orthez", needs=["sante"])

    response = facilitator_api.patch(
        f"/api/v1/structures/{structure.id}/", {"city": "Monein", "needs": ["sante", "jardinage"]}
    )

    assert response.status_code == 400
    assert list(problem_errors(response)) == ["needs"]
    structure.refresh_from_db()
    assert (structure.city, structure.needs) == ("Orthez", ["sante"])


def test_delete_deactivates_the_structure_without_removing_it(facilitator_api, territory):
    # given
    structure = StructureFactory(territory=territory, name="Épicerie solidaire")
    StructureContactFactory(structure=structure)

    # when
    response = facilitator_api.delete(f"/api/v1/structures/{structure.id}/")

    # then it leaves the directory but stays readable
    assert response.status_code == 204
    structure.refresh_from_db()
    assert structure.is_active is False
    assert structure.contacts.count() == 1
    assert names(facilitator_api.get("/api/v1/structures/")) == []
    assert names(facilitator_api.get("/api/v1/structures/?is_active=false")) == [
        "Épicerie solidaire"
    ]
    assert facilitator_api.get(f"/api/v1/structures/{structure.id}/").json()["is_active"] is False


def test_a_deactivated_structure_can_be_reactivated(facilitator_api, territory):
    structure = StructureFactory(territory=territory, deactivated=True)

    response = facilitator_api.patch(f"/api/v1/structures/{structure.id}/", {"is_active": True})

    assert response.status_code == 200
    assert response.json()["is_active"] is True


# --- list, filters -----------------------------------------------------------------------


def test_list_filters_by_need(facilitator_api, territory):
    StructureFactory(territory=territory, name="Mission locale", mission_locale=True)
    StructureFactory(territory=territory, name="CCAS", ccas=True)
    StructureFactory(territory=territory, name="CMP", cmp=True)

    assert names(facilitator_api.get("/api/v1/structures/?need=sante")) == ["CMP"]
    assert names(facilitator_api.get("/api/v1/structures/?need=logement")) == ["CCAS"]
    assert names(facilitator_api.get("/api/v1/structures/?need=sante&need=emploi")) == [
        "CMP",
        "Mission locale",
    ]
    assert names(facilitator_api.get("/api/v1/structures/?need=handicap")) == []


def test_list_filters_by_kind_text_and_territory(api, territory, other_territory):
    user = MembershipFactory(territory=territory).user
    MembershipFactory(user=user, territory=other_territory)
    StructureFactory(territory=territory, name="CCAS de Mourenx", ccas=True, city="Mourenx")
    StructureFactory(
        territory=territory, name="Les Tables du Gave", description="Distribution alimentaire"
    )
    StructureFactory(territory=other_territory, name="CCAS d'Oloron", ccas=True)
    api.force_authenticate(user)

    assert names(api.get("/api/v1/structures/?kind=ccas")) == ["CCAS d'Oloron", "CCAS de Mourenx"]
    assert names(api.get("/api/v1/structures/?q=ALIMENTAIRE")) == ["Les Tables du Gave"]
    assert names(api.get("/api/v1/structures/?q=mourenx")) == ["CCAS de Mourenx"]
    assert names(api.get(f"/api/v1/structures/?territory={other_territory.id}")) == [
        "CCAS d'Oloron"
    ]


def test_list_shows_only_the_users_territories(facilitator_api, territory, other_territory):
    StructureFactory(territory=territory, name="Ici")
    StructureFactory(territory=other_territory, name="Là-bas")

    assert names(facilitator_api.get("/api/v1/structures/")) == ["Ici"]


def test_an_unknown_need_filter_is_a_french_400(facilitator_api):
    response = facilitator_api.get("/api/v1/structures/?need=jardinage")

    assert response.status_code == 400
    assert "need" in problem_errors(response)


def test_list_is_paginated_with_a_cursor(facilitator_api, territory):
    StructureFactory.create_batch(3, territory=territory)

    first = facilitator_api.get("/api/v1/structures/?page_size=2").json()
    second = facilitator_api.get(first["next"]).json()

    assert len(first["results"]) == 2
    assert len(second["results"]) == 1
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])


@pytest.mark.parametrize("count", [5, 100])
def test_listing_structures_costs_a_constant_number_of_queries(
    facilitator_api, territory, django_assert_num_queries, count
):
    for structure in StructureFactory.create_batch(count, territory=territory):
        StructureContactFactory.create_batch(2, structure=structure)

    # membership check + structures page + their contacts
    with django_assert_num_queries(3):
        response = facilitator_api.get("/api/v1/structures/")

    assert len(response.json()["results"]) == min(count, 50)
    assert all(len(row["contacts"]) == 2 for row in response.json()["results"])
