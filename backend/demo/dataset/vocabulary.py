"""The words a generated dataset is made of: Béarn towns, names, and how often each value
occurs (weights). Towns and postal codes are real, with approximate town-centre coordinates;
every name of a person or a business is invented or drawn from common French names.
"""

from dataclasses import dataclass

from backend.capteurs.enums import CapteurKind as K
from backend.referrals.enums import CallMoment, Channel, ClosingReason, FilledBy
from backend.structures.enums import Need as N
from backend.structures.enums import StructureKind as S


@dataclass(frozen=True)
class Town:
    city: str
    postal_code: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class TerritorySeed:
    name: str
    slug: str
    towns: tuple[Town, ...]


TERRITORIES = (
    TerritorySeed(
        "Ouest Béarn",
        "ouest-bearn",
        (
            Town("Mourenx", "64150", 43.3814, -0.6264),
            Town("Orthez", "64300", 43.4883, -0.7714),
            Town("Navarrenx", "64190", 43.3204, -0.7594),
            Town("Salies-de-Béarn", "64270", 43.4744, -0.9247),
            Town("Monein", "64360", 43.3240, -0.5750),
            Town("Artix", "64170", 43.3972, -0.5717),
            Town("Lacq", "64170", 43.4111, -0.6261),
        ),
    ),
    TerritorySeed(
        "Pau Agglomération",
        "pau-agglomeration",
        (
            Town("Pau", "64000", 43.2951, -0.3708),
            Town("Lescar", "64230", 43.3333, -0.4347),
            Town("Billère", "64140", 43.3034, -0.3966),
            Town("Lons", "64140", 43.3153, -0.4094),
            Town("Jurançon", "64110", 43.2883, -0.3861),
            Town("Gan", "64290", 43.2322, -0.3878),
            Town("Morlaàs", "64160", 43.3500, -0.2644),
        ),
    ),
    TerritorySeed(
        "Nord-Est Béarn",
        "nord-est-bearn",
        (
            Town("Lembeye", "64350", 43.4500, -0.1036),
            Town("Garlin", "64330", 43.5597, -0.2839),
            Town("Thèze", "64450", 43.4786, -0.3472),
            Town("Arzacq-Arraziguet", "64410", 43.5353, -0.4108),
            Town("Nay", "64800", 43.1803, -0.2619),
            Town("Pontacq", "64530", 43.1833, -0.1111),
            Town("Soumoulou", "64420", 43.2667, -0.1861),
        ),
    ),
    TerritorySeed(
        "Haut Béarn",
        "haut-bearn",
        (
            Town("Oloron-Sainte-Marie", "64400", 43.1942, -0.6067),
            Town("Arudy", "64260", 43.1061, -0.4264),
            Town("Laruns", "64440", 42.9883, -0.4250),
            Town("Bedous", "64490", 42.9967, -0.5969),
            Town("Aramits", "64570", 43.1214, -0.7303),
            Town("Lasseube", "64290", 43.2239, -0.4808),
        ),
    ),
)

STREETS = (
    "rue de la République",
    "place du Marché",
    "avenue de la Gare",
    "rue du Bourg",
    "route de Pau",
    "rue des Écoles",
    "place de la Mairie",
    "rue Gambetta",
    "avenue Jean-Jaurès",
    "rue du Stade",
    "boulevard des Pyrénées",
    "rue Saint-Pierre",
)

# Capteur kinds by how often they sign up, and the words their names start with.
CAPTEUR_KINDS = {
    K.BAR_TABAC: (15, ("Bar-tabac", "Café", "Bar PMU")),
    K.COMMERCE: (25, ("Épicerie", "Boulangerie", "Supérette", "Boucherie", "Primeur")),
    K.AGENCE_INTERIM: (6, ("Intérim", "Agence emploi")),
    K.AGENCE_IMMOBILIERE: (6, ("Immobilier", "Agence immobilière")),
    K.ASSOCIATION_CARITATIVE: (12, ("Épicerie solidaire", "Vestiaire solidaire", "Entraide")),
    K.CLUB_SPORTIF: (10, ("Rugby club", "Football club", "Pelote basque", "Judo club")),
    K.PHARMACIE: (10, ("Pharmacie",)),
    K.SERVICE_PUBLIC: (8, ("Mairie", "France services", "Médiathèque")),
    K.BAILLEUR_SOCIAL: (3, ("Résidence", "Office HLM")),
    K.AUTRE: (5, ("Laverie", "Garage", "Salon de coiffure", "Auto-école")),
}
CAPTEUR_NAME_WORDS = (
    "du Centre",
    "des Halles",
    "Le Balto",
    "Saint-Jacques",
    "du Gave",
    "des Pyrénées",
    "de la Place",
    "Le Central",
    "du Marché",
    "de la Gare",
    "L'Escale",
    "du Pont",
    "Les Arcades",
    "du Vieux Bourg",
    "La Fontaine",
    "Le Béarnais",
)

FIRST_NAMES = (
    "Léa",
    "Manon",
    "Camille",
    "Chloé",
    "Sarah",
    "Inès",
    "Julie",
    "Laura",
    "Marie",
    "Emma",
    "Nadia",
    "Sophie",
    "Aurélie",
    "Céline",
    "Fatima",
    "Sandrine",
    "Nathalie",
    "Isabelle",
    "Lucas",
    "Hugo",
    "Thomas",
    "Nicolas",
    "Julien",
    "Kevin",
    "Maxime",
    "Romain",
    "Mehdi",
    "Karim",
    "Jérôme",
    "Sébastien",
    "Christophe",
    "Pascal",
    "Didier",
    "Thierry",
    "Patrick",
    "Alain",
    "Bernard",
    "Jean",
    "Michel",
    "Yannick",
    "Dylan",
    "Enzo",
    "Mathis",
    "Théo",
    "Jo",
    "Titi",
    "Mimi",
    "Doudou",
)
LAST_NAMES = (
    "Lacoste",
    "Barrère",
    "Casenave",
    "Lalanne",
    "Labat",
    "Laborde",
    "Cazenave",
    "Dufau",
    "Lartigue",
    "Haurat",
    "Pucheu",
    "Lasserre",
    "Camy",
    "Bordenave",
    "Pedeboscq",
    "Lafitte",
)

# A referral: who filled it, through which channel (weights).
CHANNELS = {
    (FilledBy.PERSON, Channel.QR): 50,
    (FilledBy.PERSON, Channel.LINK): 15,
    (FilledBy.CAPTEUR, Channel.CAPTEUR_SPACE): 15,
    (FilledBy.PERSON, Channel.SMS): 12,
    (FilledBy.STAFF, Channel.PHONE): 5,
    (FilledBy.STAFF, Channel.MANUAL): 3,
}
NEEDS = {
    N.EMPLOI: 30,
    N.LOGEMENT: 14,
    N.DEMARCHES: 14,
    N.BUDGET: 10,
    N.ISOLEMENT: 9,
    N.MOBILITE: 9,
    N.SANTE: 5,
    N.FORMATION: 5,
    N.HANDICAP: 2,
    N.AUTRE: 2,
}
CALL_MOMENTS = tuple(CallMoment.values)
NOTES = (
    "Je préfère être appelé après 17 h.",
    "Je n'ai plus de voiture depuis cet été.",
    "C'est le patron du bar qui m'a dit de remplir.",
    "J'ai reçu une lettre que je ne comprends pas.",
    "Je cherche du travail dans le coin.",
    "Rappelez-moi plutôt le matin.",
)
CLOSING_REASONS = {
    ClosingReason.ACCOMPANIED: 48,
    ClosingReason.UNREACHABLE: 20,
    ClosingReason.DECLINED: 12,
    ClosingReason.OUT_OF_SCOPE: 12,
    ClosingReason.DUPLICATE: 8,
}

# Support structures of each territory: (kind, name, needs covered).
STRUCTURES = (
    (S.MISSION_LOCALE, "Mission locale", (N.EMPLOI, N.FORMATION, N.LOGEMENT, N.MOBILITE)),
    (S.FRANCE_TRAVAIL, "France Travail", (N.EMPLOI, N.FORMATION)),
    (S.PLIE, "PLIE", (N.EMPLOI, N.FORMATION, N.MOBILITE)),
    (S.CCAS, "CCAS", (N.LOGEMENT, N.BUDGET, N.ISOLEMENT, N.DEMARCHES)),
    (S.CMP, "Centre médico-psychologique", (N.SANTE, N.ISOLEMENT)),
    (S.CAF, "CAF — point d'accueil", (N.BUDGET, N.DEMARCHES, N.LOGEMENT)),
    (S.FRANCE_SERVICES, "France services", (N.DEMARCHES, N.AUTRE)),
    (S.CAP_EMPLOI, "Cap emploi", (N.HANDICAP, N.EMPLOI)),
    (S.ASSOCIATION, "Secours populaire", (N.BUDGET, N.ISOLEMENT, N.AUTRE)),
    (S.ASSOCIATION, "Auto-école sociale", (N.MOBILITE,)),
)

# Outbox texts: the generated rows need a body, not the real wording (backend.referrals.messages).
FACILITATOR_ALERT_BODY = "Relais : nouvelle orientation à rappeler. Détails dans l'application."
ACKNOWLEDGMENT_BODY = "Relais : votre demande est bien reçue. Un facilitateur vous appelle bientôt."
