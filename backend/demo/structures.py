"""The support structures of the demo territory "Ouest Béarn" (called by backend.demo.seed).

Communes are real; structure names are generic or invented and every contact is fake:
phones in 05 36 49 xx xx, the range the regulator (ARCEP) reserves for fiction in the
south-west (valid, rings nobody), e-mails at example.org, invented people.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from backend.demo.data import PLACES
from backend.structures.enums import Need as N
from backend.structures.enums import StructureKind as K
from backend.structures.models import Structure
from backend.structures.services import structure_create

DEMO_SOURCE = "demo"
WEEKDAYS = "Du lundi au vendredi, 9 h – 12 h et 13 h 30 – 17 h"


@dataclass(frozen=True)
class StructureSeed:
    key: str  # its external id: what makes seeding idempotent
    name: str
    kind: str
    city: str
    address: str
    needs: tuple[str, ...]
    description: str
    phone_suffix: str  # the last four digits after 05 36 49
    opening_hours: str = WEEKDAYS
    contacts: tuple[tuple[str, str], ...] = field(default=())  # (name, role)


STRUCTURES = (
    StructureSeed(
        "ml-mourenx",
        "Mission locale — antenne de Mourenx",
        K.MISSION_LOCALE,
        "Mourenx",
        "4 place François-Mitterrand",
        (N.EMPLOI, N.FORMATION, N.LOGEMENT, N.MOBILITE, N.SANTE),
        "Accompagnement des 16-25 ans : emploi, formation, Contrat d'engagement jeune, "
        "aides au logement et à la mobilité.",
        "1001",
        contacts=(("Julie Lacaze", "Conseillère en insertion"), ("Accueil", "Secrétariat")),
    ),
    StructureSeed(
        "ml-orthez",
        "Mission locale — antenne d'Orthez",
        K.MISSION_LOCALE,
        "Orthez",
        "12 rue Gambetta",
        (N.EMPLOI, N.FORMATION, N.LOGEMENT, N.MOBILITE),
        "Accueil des jeunes de 16 à 25 ans sortis de l'école : orientation, emploi, formation.",
        "1002",
        contacts=(("Romain Barrère", "Conseiller en insertion"),),
    ),
    StructureSeed(
        "ft-orthez",
        "France Travail — agence d'Orthez",
        K.FRANCE_TRAVAIL,
        "Orthez",
        "3 avenue Francis-Jammes",
        (N.EMPLOI, N.FORMATION),
        "Inscription, indemnisation, offres d'emploi et formations. Accueil sur rendez-vous "
        "l'après-midi.",
        "1003",
        opening_hours="Du lundi au vendredi, 8 h 30 – 12 h 30 ; après-midi sur rendez-vous",
        contacts=(("Accueil", "Standard"),),
    ),
    StructureSeed(
        "plie-ouest-bearn",
        "PLIE Ouest Béarn",
        K.PLIE,
        "Mourenx",
        "8 rue Pierre-Mendès-France",
        (N.EMPLOI, N.FORMATION, N.MOBILITE),
        "Parcours renforcé vers l'emploi pour les adultes qui en sont éloignés : un référent "
        "unique, des étapes de formation et de mise en situation.",
        "1004",
        contacts=(("Sandrine Pédelucq", "Référente de parcours"),),
    ),
    StructureSeed(
        "ccas-mourenx",
        "CCAS de Mourenx",
        K.CCAS,
        "Mourenx",
        "2 avenue Charles-Moureu",
        (N.LOGEMENT, N.ISOLEMENT, N.DEMARCHES, N.BUDGET),
        "Aides d'urgence, domiciliation, accompagnement des démarches, lutte contre "
        "l'isolement des personnes âgées.",
        "1005",
        contacts=(("Nathalie Casaubon", "Travailleuse sociale"),),
    ),
    StructureSeed(
        "ccas-orthez",
        "CCAS d'Orthez",
        K.CCAS,
        "Orthez",
        "1 place d'Armes",
        (N.LOGEMENT, N.DEMARCHES, N.BUDGET),
        "Aides facultatives, domiciliation, instruction des demandes d'aide sociale.",
        "1006",
        contacts=(("Accueil", "Secrétariat"),),
    ),
    StructureSeed(
        "cmp-oloron",
        "CMP adultes d'Oloron",
        K.CMP,
        "Oloron-Sainte-Marie",
        "10 avenue Sadi-Carnot",
        (N.SANTE,),
        "Consultations de psychiatrie et de psychologie pour adultes, sans avance de frais. "
        "Premier rendez-vous par téléphone.",
        "1007",
        contacts=(("Secrétariat médical", "Prise de rendez-vous"),),
    ),
    StructureSeed(
        "epicerie-monein",
        "Épicerie solidaire Lo Panièr",
        K.ASSOCIATION,
        "Monein",
        "6 rue du Commerce",
        (N.BUDGET, N.ISOLEMENT),
        "Produits alimentaires et d'hygiène à petit prix, sur orientation d'un travailleur "
        "social ; café et ateliers cuisine le jeudi.",
        "1008",
        opening_hours="Mardi et jeudi, 14 h – 18 h",
        contacts=(("Marie Laborde", "Bénévole coordinatrice"),),
    ),
    StructureSeed(
        "mobilite-artix",
        "Point mobilité Roue Libre",
        K.ASSOCIATION,
        "Artix",
        "1 avenue de la Gare",
        (N.MOBILITE, N.EMPLOI),
        "Location de scooters et de voitures à petit prix, aide au permis, transport "
        "solidaire vers un emploi ou une formation.",
        "1009",
        contacts=(("Thomas Lapeyre", "Conseiller mobilité"),),
    ),
    StructureSeed(
        "info-logement-mourenx",
        "Info Logement 64 — permanence de Mourenx",
        K.ASSOCIATION,
        "Mourenx",
        "4 place François-Mitterrand",
        (N.LOGEMENT, N.BUDGET),
        "Conseils gratuits sur le logement : droits du locataire, impayés de loyer, "
        "demande de logement social, aides à la rénovation.",
        "1010",
        opening_hours="Le 2e et le 4e mardi du mois, 9 h – 12 h",
        contacts=(("Pierre Etchegaray", "Juriste logement"),),
    ),
    StructureSeed(
        "caf-orthez",
        "CAF — permanence d'Orthez",
        K.CAF,
        "Orthez",
        "5 rue Saint-Pierre",
        (N.DEMARCHES, N.BUDGET, N.LOGEMENT),
        "Prestations familiales, RSA, prime d'activité, aides au logement : accueil sur "
        "rendez-vous.",
        "1011",
        opening_hours="Mercredi, 9 h – 12 h sur rendez-vous",
    ),
    StructureSeed(
        "numerique-navarrenx",
        "Clic et Démarches",
        K.ASSOCIATION,
        "Navarrenx",
        "2 place des Casernes",
        (N.DEMARCHES,),
        "Aide aux démarches en ligne (CAF, impôts, santé, France Travail) et ateliers pour "
        "apprendre à se servir d'un téléphone ou d'un ordinateur.",
        "1012",
        opening_hours="Lundi et vendredi, 9 h – 12 h",
        contacts=(("Léa Pouey", "Conseillère numérique"),),
    ),
    StructureSeed(
        "tables-salies",
        "Les Tables du Gave",
        K.ASSOCIATION,
        "Salies-de-Béarn",
        "3 rue du Pont-Mayou",
        (N.BUDGET, N.ISOLEMENT),
        "Distribution alimentaire, vestiaire et repas partagés. Accueil sans rendez-vous.",
        "1013",
        opening_hours="Mercredi et samedi, 9 h – 12 h",
        contacts=(("Jean-Marc Darrigrand", "Président"),),
    ),
)


def structure_fields(seed: StructureSeed) -> dict:
    place = PLACES[seed.city]
    # Spread the structures of one commune a little around its centre (~100 m apart).
    offset = Decimal(int(seed.phone_suffix) % 7) * Decimal("0.0009")
    return {
        "name": seed.name,
        "kind": seed.kind,
        "description": seed.description,
        "needs": list(seed.needs),
        "address": seed.address,
        "postal_code": place.postal_code,
        "city": place.city,
        "latitude": (Decimal(str(place.latitude)) + offset).quantize(Decimal("0.000001")),
        "longitude": (Decimal(str(place.longitude)) - offset).quantize(Decimal("0.000001")),
        "phone": f"+3353649{seed.phone_suffix}",
        "email": f"{seed.key}@example.org",
        "opening_hours": seed.opening_hours,
    }


def seed_structures(territory) -> tuple[int, int]:
    """Creates the demo structures of `territory` that are not there yet (keyed by their demo
    identifier), through the structures services. Returns (created, already there)."""
    existing = set(
        Structure.objects.for_territory(territory)
        .filter(external_source=DEMO_SOURCE)
        .values_list("external_id", flat=True)
    )
    created = 0
    for seed in STRUCTURES:
        if seed.key in existing:
            continue
        structure_create(
            territory=territory,
            actor=None,
            external_source=DEMO_SOURCE,
            external_id=seed.key,
            contacts=[{"name": name, "role": role} for name, role in seed.contacts],
            **structure_fields(seed),
        )
        created += 1
    return created, len(STRUCTURES) - created
