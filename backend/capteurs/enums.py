from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.notifications.templates import register_templates


class CapteurKind(models.TextChoices):
    BAR_TABAC = "bar_tabac", _("Bar-tabac / PMU")
    COMMERCE = "commerce", _("Commerce de proximité")
    AGENCE_INTERIM = "agence_interim", _("Agence d'intérim")
    AGENCE_IMMOBILIERE = "agence_immobiliere", _("Agence immobilière")
    ASSOCIATION_CARITATIVE = "association_caritative", _("Association caritative")
    CLUB_SPORTIF = "club_sportif", _("Club sportif")
    PHARMACIE = "pharmacie", _("Pharmacie")
    SERVICE_PUBLIC = "service_public", _("Service public")
    BAILLEUR_SOCIAL = "bailleur_social", _("Bailleur social")
    AUTRE = "autre", _("Autre")


class Stage(models.TextChoices):
    """Where a capteur stands in the facilitator's prospection pipeline."""

    PROSPECT = "prospect", _("Prospect")
    PARTNER = "partner", _("Partenaire")
    PAUSED = "paused", _("En pause")
    WITHDRAWN = "withdrawn", _("Retiré")


class Activity(models.TextChoices):
    """Computed from referral dates, never typed (see capteurs.selectors.activity_expression)."""

    NEW = "new", _("Nouveau")
    ACTIVE = "active", _("Actif")
    DORMANT = "dormant", _("Dormant")


class ScanSource(models.TextChoices):
    """How a person reached a code's landing page."""

    QR = "qr", _("QR code")
    LINK = "link", _("Lien")
    SHORT_LINK = "short", _("Lien court (tapé)")


class SummaryChannel(models.TextChoices):
    """How a partner capteur gets its monthly summary (opt-in: none by default)."""

    NONE = "", _("Pas de récapitulatif")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


# The pipeline, declared once: from a stage, the stages a capteur may move to.
STAGE_TRANSITIONS = {
    Stage.PROSPECT: {Stage.PARTNER, Stage.WITHDRAWN},
    Stage.PARTNER: {Stage.PAUSED, Stage.WITHDRAWN},
    Stage.PAUSED: {Stage.PARTNER, Stage.WITHDRAWN},
    Stage.WITHDRAWN: {Stage.PROSPECT},
}


@register_templates
class CapteurTemplate(models.TextChoices):
    """The messages sent to capteurs (written in backend.capteurs.notifications)."""

    CAPTEUR_SPACE_LINK = "capteur_space_link", _("Lien de l'espace capteur")
