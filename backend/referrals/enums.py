from django.db import models
from django.utils.translation import gettext_lazy as _


class Need(models.TextChoices):
    """What a referred person needs help with; also what a support structure covers."""

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
