from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitKind(models.TextChoices):
    """Why a facilitator goes to a capteur."""

    PROSPECTION = "prospection", _("Prospection")
    ONBOARDING = "onboarding", _("Accueil d'un nouveau partenaire")
    FOLLOW_UP = "follow_up", _("Suivi")
    RESTOCK = "restock", _("Réassort (affiches, cartes)")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    DONE = "done", _("Faite")
    CANCELLED = "cancelled", _("Annulée")


# The visit lifecycle, declared once: from a status, the statuses it may move to. A planned
# visit may also be rescheduled (its date changes, its status stays).
VISIT_TRANSITIONS = {
    VisitStatus.PLANNED: {VisitStatus.DONE, VisitStatus.CANCELLED},
    VisitStatus.DONE: set(),
    VisitStatus.CANCELLED: set(),
}


class VisitEventKind(models.TextChoices):
    PLANNED = "planned", _("Planifiée")
    RESCHEDULED = "rescheduled", _("Reportée")
    DONE = "done", _("Faite")
    CANCELLED = "cancelled", _("Annulée")


class RoundStart(models.TextChoices):
    """Where a facilitator's day round starts from."""

    MEMBERSHIP = "membership", _("Le départ du facilitateur")
    TERRITORY = "territory", _("Le départ du territoire")
    FIRST_STOP = "first_stop", _("Aucun départ : la tournée part d'une étape")
