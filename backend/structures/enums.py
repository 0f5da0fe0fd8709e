from django.db import models
from django.utils.translation import gettext_lazy as _


class Need(models.TextChoices):
    """What a referred person needs help with, and what a support structure covers.

    Declared here, below referrals in the layers: structures are described by the needs they
    cover, and a referral's needs are matched against them when orienting.
    """

    EMPLOI = "emploi", _("Emploi")
    FORMATION = "formation", _("Formation")
    LOGEMENT = "logement", _("Logement")
    SANTE = "sante", _("Santé")
    ISOLEMENT = "isolement", _("Isolement")
    MOBILITE = "mobilite", _("Mobilité")
    HANDICAP = "handicap", _("Handicap")
    DEMARCHES = "demarches", _("Démarches administratives")
    BUDGET = "budget", _("Budget, dettes")
    AUTRE = "autre", _("Autre")


class StructureKind(models.TextChoices):
    """The kinds of support structures a facilitator orients people to."""

    MISSION_LOCALE = "mission_locale", _("Mission locale")
    FRANCE_TRAVAIL = "france_travail", _("France Travail")
    CAP_EMPLOI = "cap_emploi", _("Cap emploi")
    PLIE = "plie", _("PLIE")
    CCAS = "ccas", _("CCAS / CIAS")
    CMP = "cmp", _("Centre médico-psychologique (CMP)")
    CAF = "caf", _("CAF")
    CPAM = "cpam", _("CPAM")
    DEPARTEMENT = "departement", _("Services sociaux du Département")
    FRANCE_SERVICES = "france_services", _("France services")
    ASSOCIATION = "association", _("Association")
    AUTRE = "autre", _("Autre")


class ImportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    DATA_INCLUSION = "data_inclusion", _("data·inclusion (JSON des services)")
