import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from backend.structures.enums import Need
from backend.structures.importers import UnreadableFile, needs_from_thematiques, parse_csv
from backend.structures.models import Structure, StructureContact
from backend.structures.services import structure_import_file
from tests.accounts.factories import MembershipFactory
from tests.conftest import problem_errors
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "nom;type;besoins;adresse;code_postal;commune;telephone;courriel;site_web;horaires;"
    "identifiant;contact;contact_telephone"
)
GOOD_ROWS = [
    "CCAS de Mourenx;ccas;logement | budget;2 avenue Charles-Moureu;64150;Mourenx;"
    "05 36 49 10 05;ccas@example.org;;Lun.-ven. 9 h-12 h;ccas-mourenx;Nathalie Casaubon;"
    "05 36 49 10 15",
    "Mission locale d'Orthez;Mission locale;Emploi, Formation;12 rue Gambetta;64300;Orthez;"
    ";;https://example.org/ml;;ml-orthez;;",
]


def csv_bytes(*rows, header=HEADER, bom=False, delimiter=";"):
    text = "\r\n".join([header, *rows]) + "\r\n"
    if delimiter != ";":
        text = text.replace(";", delimiter)
    return ("\ufeff" if bom else "").encode() + text.encode()


def import_csv(territory, content):
    return structure_import_file(territory=territory, file=content, file_format="csv")


# --- CSV ----------------------------------------------------------------------------------


def test_a_csv_import_creates_good_rows_and_reports_bad_ones(territory):
    # given two good rows and three bad ones
    content = csv_bytes(
        *GOOD_ROWS,
        ";ccas;;;;Orthez;;;;;sans-nom;;",
        "CMP d'Oloron;cmp;santé | jardinage;;;;12 34;;;;cmp;;",
        "Épicerie solidaire;association;budget;;;Monein;;;;;epicerie;Marie Laborde;00",
    )

    # when
    report = import_csv(territory, content)

    # then
    assert (report.created, report.updated) == (2, 0)
    assert report.rejected == [
        (4, ["Nom : Ce champ ne peut pas être vide."]),
        (
            5,
            [
                "Besoins : « jardinage » n'est pas un besoin connu (emploi, formation, "
                "logement, sante, isolement, mobilite, handicap, demarches, budget, autre).",
                "Téléphone : Le numéro saisi n'est pas valide.",
            ],
        ),
        (6, ["Contact — Téléphone : Le numéro saisi n'est pas valide."]),
    ]
    assert sorted(Structure.objects.values_list("name", flat=True)) == [
        "CCAS de Mourenx",
        "Mission locale d'Orthez",
    ]
    assert list(StructureContact.objects.values_list("name", flat=True)) == ["Nathalie Casaubon"]


def test_a_csv_row_becomes_a_structure_with_its_contact(territory):
    import_csv(territory, csv_bytes(*GOOD_ROWS))

    ccas = Structure.objects.get(external_id="ccas-mourenx")
    assert (ccas.territory, ccas.kind, ccas.needs) == (territory, "ccas", ["logement", "budget"])
    assert (ccas.phone, ccas.email, ccas.city) == ("+33536491005", "ccas@example.org", "Mourenx")
    assert ccas.external_source == "csv"
    assert ccas.opening_hours == "Lun.-ven. 9 h-12 h"
    contact = ccas.contacts.get()
    assert (contact.name, contact.phone) == ("Nathalie Casaubon", "+33536491015")
    ml = Structure.objects.get(external_id="ml-orthez")
    assert (ml.kind, ml.needs, ml.website) == (
        "mission_locale",
        ["emploi", "formation"],
        "https://example.org/ml",
    )


def test_importing_the_same_csv_again_updates_instead_of_duplicating(territory):
    # given a first import, then a change in the file
    import_csv(territory, csv_bytes(*GOOD_ROWS))
    changed = GOOD_ROWS[0].replace("2 avenue Charles-Moureu", "6 place François-Mitterrand")

    # when
    report = import_csv(territory, csv_bytes(changed, GOOD_ROWS[1]))

    # then
    assert (report.created, report.updated, report.rejected) == (0, 2, [])
    assert Structure.objects.count() == 2
    assert Structure.objects.get(external_id="ccas-mourenx").address == (
        "6 place François-Mitterrand"
    )
    assert StructureContact.objects.count() == 1  # the same contact, updated


def test_rows_without_identifier_are_matched_by_name_and_commune(territory):
    header = "Nom,Commune,Téléphone"
    content = csv_bytes("Secours du Gave,Orthez,05 36 49 10 20", header=header, delimiter=",")
    import_csv(territory, content)

    report = import_csv(
        territory,
        csv_bytes("SECOURS DU GAVE,orthez,05 36 49 10 21", header=header, delimiter=","),
    )

    assert (report.created, report.updated) == (0, 1)
    assert Structure.objects.get().phone == "+33536491021"


def test_an_identified_row_adopts_the_structure_entered_by_hand(territory):
    by_hand = StructureFactory(territory=territory, name="CCAS de Mourenx", city="Mourenx")

    report = import_csv(territory, csv_bytes(GOOD_ROWS[0]))

    assert (report.created, report.updated) == (0, 1)
    by_hand.refresh_from_db()
    assert (by_hand.external_source, by_hand.external_id) == ("csv", "ccas-mourenx")


def test_an_import_does_not_reactivate_a_deactivated_structure(territory):
    structure = StructureFactory(
        territory=territory, deactivated=True, external_source="csv", external_id="ccas-mourenx"
    )

    report = import_csv(territory, csv_bytes(GOOD_ROWS[0]))

    assert report.updated == 1
    structure.refresh_from_db()
    assert (structure.is_active, structure.name) == (False, "CCAS de Mourenx")


def test_the_same_identifier_twice_in_a_file_rejects_the_second_row(territory):
    report = import_csv(territory, csv_bytes(GOOD_ROWS[0], GOOD_ROWS[0].replace("CCAS", "CIAS")))

    assert report.created == 1
    assert report.rejected == [
        (3, ["L'identifiant « ccas-mourenx » figure déjà ligne 2 du fichier."])
    ]
    assert Structure.objects.get().name == "CCAS de Mourenx"


def test_homonyms_without_identifier_are_not_guessed(territory):
    StructureFactory.create_batch(2, territory=territory, name="Secours du Gave", city="Orthez")

    report = import_csv(territory, csv_bytes("Secours du Gave;Orthez", header="nom;commune"))

    assert report.created == report.updated == 0
    assert "Plusieurs structures" in report.rejected[0][1][0]


def test_an_import_only_touches_its_territory(territory, other_territory):
    theirs = StructureFactory(
        territory=other_territory, external_source="csv", external_id="ccas-mourenx"
    )

    report = import_csv(territory, csv_bytes(GOOD_ROWS[0]))

    assert report.created == 1
    theirs.refresh_from_db()
    assert theirs.name != "CCAS de Mourenx"


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_with_or_without_bom_and_either_delimiter(territory, bom, delimiter):
    header = "Nom;Type;Besoins;Code postal;Ville;Téléphone"
    row = 'Les Tables du Gave;Association;"Budget, dettes / isolement";64270;Salies-de-Béarn;'
    content = csv_bytes(row + "05 36 49 10 13", header=header, bom=bom, delimiter=delimiter)

    report = import_csv(territory, content)

    assert (report.created, report.rejected) == (1, [])
    structure = Structure.objects.get()
    assert (structure.name, structure.kind) == ("Les Tables du Gave", "association")
    assert structure.needs == ["isolement", "budget"]
    assert (structure.postal_code, structure.city) == ("64270", "Salies-de-Béarn")


def test_french_decimal_commas_in_coordinates_are_read(territory):
    content = csv_bytes('CMP;"43,194200";"-0,606700";', header="nom;latitude;longitude;x")

    import_csv(territory, content)

    structure = Structure.objects.get()
    assert (str(structure.latitude), str(structure.longitude)) == ("43.194200", "-0.606700")


def test_blank_lines_are_skipped_and_rows_keep_their_spreadsheet_number(territory):
    report = import_csv(territory, csv_bytes("Un;autre", ";", "", "Deux;mairie", header="nom;type"))

    assert report.created == 1
    assert report.rejected == [(5, ["Type : « mairie » n'est pas un type de structure connu."])]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("nom;commune\nCCAS;Orthez".encode("cp1252") + "é".encode("cp1252"), "UTF-8"),
        (b"", "vide"),
        (b"name;city\nCCAS;Orthez\n", "colonne « nom » est introuvable"),
    ],
)
def test_an_unreadable_csv_imports_nothing(territory, content, message):
    with pytest.raises(UnreadableFile) as error:
        import_csv(territory, content)

    assert message in str(error.value.message)
    assert not Structure.objects.exists()


def test_parse_csv_reads_a_binary_file_object():
    rows = parse_csv(io.BytesIO(csv_bytes("CCAS de Mourenx;ccas", header="nom;type")))

    assert rows == [(2, {"name": "CCAS de Mourenx", "kind": "ccas"})]


# --- data·inclusion -----------------------------------------------------------------------


def di_service(**overrides):
    return {
        "id": "svc-0001",
        "structure_id": "str-0001",
        "source": "dora",
        "nom": "Accompagnement vers le logement",
        "presentation_resume": "Aide à la recherche d'un logement.",
        "presentation_detail": "Sur rendez-vous, avec un conseiller.",
        "thematiques": [
            "logement-hebergement--etre-accompagne-pour-se-loger",
            "gestion-financiere--apprendre-a-gerer-son-budget",
            "numerique--devenir-autonome-dans-les-demarches-administratives",
        ],
        "adresse": "6 place François-Mitterrand",
        "complement_adresse": "1er étage",
        "code_postal": "64150",
        "commune": "Mourenx",
        "latitude": 43.38140123,
        "longitude": -0.6264,
        "telephone": "0536491010",
        "courriel": "logement@example.org",
        "contact_nom_prenom": "Pierre Etchegaray",
        "lien_source": "https://dora.example.org/services/svc-0001",
        "horaires_accueil": "Tu 09:00-12:00",
        **overrides,
    }


def import_di(territory, payload):
    content = json.dumps(payload).encode()
    return structure_import_file(territory=territory, file=content, file_format="data_inclusion")


def test_a_data_inclusion_service_becomes_a_structure(territory):
    report = import_di(territory, [di_service()])

    assert (report.created, report.rejected) == (1, [])
    structure = Structure.objects.get()
    assert structure.name == "Accompagnement vers le logement"
    assert structure.needs == ["logement", "demarches", "budget"]
    assert structure.description == (
        "Aide à la recherche d'un logement.\n\nSur rendez-vous, avec un conseiller."
    )
    assert structure.address == "6 place François-Mitterrand, 1er étage"
    assert (str(structure.latitude), structure.phone) == ("43.381401", "+33536491010")
    assert structure.website == "https://dora.example.org/services/svc-0001"
    assert structure.opening_hours == "Tu 09:00-12:00"
    assert (structure.external_source, structure.external_id) == (
        "data_inclusion:dora",
        "svc-0001",
    )
    assert structure.contacts.get().name == "Pierre Etchegaray"


@pytest.mark.parametrize(
    ("thematiques", "needs"),
    [
        (["trouver-un-emploi--repondre-a-des-offres-demploi"], [Need.EMPLOI]),
        (["accompagnement-social-et-professionnel-personnalise"], [Need.EMPLOI]),
        (["choisir-un-metier", "creation-activite--financer-son-projet"], [Need.EMPLOI]),
        (["apprendre-francais--suivre-formation", "se-former"], [Need.FORMATION]),
        (["sante--acces-aux-soins", "sante--bien-etre-psychologique"], [Need.SANTE]),
        (["remobilisation--lien-social"], [Need.ISOLEMENT]),
        (["mobilite--louer-un-vehicule"], [Need.MOBILITE]),
        (["handicap--faire-reconnaitre-un-handicap"], [Need.HANDICAP]),
        (["acces-aux-droits-et-citoyennete", "numerique"], [Need.DEMARCHES]),
        (["gestion-financiere--prevention-et-gestion-du-surendettement"], [Need.BUDGET]),
        (["famille--garde-denfants", "une-thematique-inconnue"], [Need.AUTRE]),
        (["mobilite", "trouver-un-emploi"], [Need.EMPLOI, Need.MOBILITE]),
        ([], []),
    ],
)
def test_thematiques_map_to_needs(thematiques, needs):
    assert needs_from_thematiques(thematiques) == needs


def test_an_api_page_of_services_with_their_structure_is_read(territory):
    page = {
        "items": [
            {
                "service": di_service(
                    structure={"nom": "Mission locale", "typologie": "ML"}, nom="Garantie jeunes"
                ),
                "distance": 3,
            }
        ]
    }

    import_di(territory, page)

    structure = Structure.objects.get()
    assert (structure.name, structure.kind) == (
        "Mission locale — Garantie jeunes",
        "mission_locale",
    )


def test_data_inclusion_reimport_updates_and_bad_services_are_reported(territory):
    # given a first import of one service
    import_di(territory, [di_service()])

    # when the same service comes back changed, with a bad one and a non-service
    report = import_di(
        territory,
        [di_service(telephone="0536491099"), di_service(id="svc-0002", courriel="nope"), 42],
    )

    # then
    assert (report.created, report.updated) == (0, 1)
    assert report.rejected == [
        (2, ["E-mail : Saisissez une adresse e-mail valide."]),
        (3, ["Cet élément n'est pas un service."]),
    ]
    assert Structure.objects.get().phone == "+33536491099"


@pytest.mark.parametrize("content", [b"{not json", b'{"services": 3}', b"\xff\xfe"])
def test_an_unreadable_data_inclusion_file_imports_nothing(territory, content):
    with pytest.raises(UnreadableFile):
        structure_import_file(territory=territory, file=content, file_format="data_inclusion")


# --- API upload ---------------------------------------------------------------------------


def upload(api, territory, content, file_format="csv", name="structures.csv"):
    return api.post(
        "/api/v1/structures/import/",
        {
            "file": SimpleUploadedFile(name, content),
            "format": file_format,
            "territory": territory.id,
        },
        format="multipart",
    )


def test_uploading_a_csv_returns_the_report(coordinator_api, territory):
    response = upload(coordinator_api, territory, csv_bytes(*GOOD_ROWS, "CMP;mairie"))

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "created": 2,
        "updated": 0,
        "rejected": [
            {"row": 4, "reasons": ["Type : « mairie » n'est pas un type de structure connu."]}
        ],
    }
    assert Structure.objects.filter(territory=territory).count() == 2


def test_uploading_data_inclusion_services(coordinator_api, territory):
    content = json.dumps([di_service()]).encode()

    response = upload(coordinator_api, territory, content, "data_inclusion", "services.json")

    assert response.status_code == 200
    assert response.json()["created"] == 1


def test_an_unreadable_upload_is_a_400_problem(coordinator_api, territory):
    response = upload(coordinator_api, territory, b"\x89PNG\r\n\x1a\n\x00\x00\xff")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "unreadable_file"
    assert "UTF-8" in response.json()["detail"]
    assert not Structure.objects.exists()


def test_an_upload_into_another_territory_is_refused(coordinator_api, other_territory):
    response = upload(coordinator_api, other_territory, csv_bytes(*GOOD_ROWS))

    assert response.status_code == 400
    assert list(problem_errors(response)) == ["territory"]
    assert not Structure.objects.exists()


def test_an_upload_needs_a_file_a_format_and_a_territory(api, territory):
    api.force_authenticate(MembershipFactory(territory=territory).user)

    response = api.post("/api/v1/structures/import/", {}, format="multipart")

    assert response.status_code == 400
    assert problem_errors(response) == {
        "file": ["Aucun fichier n'a été soumis."],
        "format": ["Ce champ est obligatoire."],
        "territory": ["Ce champ est obligatoire."],
    }


# --- management command -------------------------------------------------------------------


def test_the_command_imports_a_file_and_prints_the_report(territory, tmp_path):
    path = tmp_path / "structures.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS, "CMP;mairie"))
    out = io.StringIO()

    call_command("import_structures", str(path), territory="ouest-bearn", stdout=out)

    assert "2 structure(s) créée(s), 0 mise(s) à jour, 1 ligne(s) rejetée(s)" in out.getvalue()
    assert "ligne 4 : Type : « mairie » n'est pas un type de structure connu." in (out.getvalue())
    assert Structure.objects.count() == 2


def test_the_command_reads_data_inclusion(territory, tmp_path):
    path = tmp_path / "services.json"
    path.write_text(json.dumps([di_service()]))

    call_command(
        "import_structures",
        str(path),
        territory="ouest-bearn",
        file_format="data_inclusion",
        stdout=io.StringIO(),
    )

    assert Structure.objects.get().external_id == "svc-0001"


def test_the_command_fails_only_on_an_unreadable_file(territory, tmp_path):
    path = tmp_path / "services.json"
    path.write_text("{not json")

    with pytest.raises(CommandError, match="JSON valide"):
        call_command(
            "import_structures", str(path), territory="ouest-bearn", file_format="data_inclusion"
        )
    with pytest.raises(CommandError, match="Impossible de lire"):
        call_command("import_structures", str(tmp_path / "absent.csv"), territory="ouest-bearn")
    with pytest.raises(CommandError, match="Aucun territoire"):
        call_command("import_structures", str(path), territory="nulle-part")
