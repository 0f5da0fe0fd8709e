from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.notifications.templates import register_templates


class CallMoment(models.TextChoices):
    MORNING = "morning", _("Le matin")
    MIDDAY = "midday", _("Le midi")
    AFTERNOON = "afternoon", _("L'après-midi")
    EVENING = "evening", _("En fin de journée")


class FilledBy(models.TextChoices):
    PERSON = "person", _("La personne elle-même")
    CAPTEUR = "capteur", _("Le capteur, avec la personne")
    STAFF = "staff", _("Un membre de l'équipe")


class Channel(models.TextChoices):
    QR = "qr", _("QR code")
    LINK = "link", _("Lien")
    CAPTEUR_SPACE = "capteur_space", _("Espace capteur")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Téléphone")
    MANUAL = "manual", _("Saisie manuelle")


class Status(models.TextChoices):
    NEW = "new", _("Nouvelle")
    CONTACTED = "contacted", _("Contactée")
    MET = "met", _("Rencontrée")
    ORIENTED = "oriented", _("Orientée")
    CLOSED = "closed", _("Clôturée")


class ClosingReason(models.TextChoices):
    ACCOMPANIED = "accompanied", _("Accompagnée")
    DECLINED = "declined", _("A décliné")
    UNREACHABLE = "unreachable", _("Injoignable")
    DUPLICATE = "duplicate", _("Doublon")
    OUT_OF_SCOPE = "out_of_scope", _("Hors champ")


# The referral lifecycle, declared once: from a status, the statuses it may move to.
STATUS_TRANSITIONS = {
    Status.NEW: {Status.CONTACTED, Status.CLOSED},
    Status.CONTACTED: {Status.MET, Status.ORIENTED, Status.CLOSED},
    Status.MET: {Status.ORIENTED, Status.CLOSED},
    Status.ORIENTED: {Status.CLOSED},
    Status.CLOSED: set(),
}
OPEN_STATUSES = [Status.NEW, Status.CONTACTED, Status.MET, Status.ORIENTED]


class AttemptKind(models.TextChoices):
    CALL = "call", _("Appel")
    SMS = "sms", _("SMS")
    VISIT = "visit", _("Visite")


class AttemptOutcome(models.TextChoices):
    REACHED = "reached", _("Jointe")
    NO_ANSWER = "no_answer", _("Pas de réponse")
    WRONG_NUMBER = "wrong_number", _("Mauvais numéro")
    MESSAGE_LEFT = "message_left", _("Message laissé")


# After this many attempts in a row without reaching the person, the API suggests closing the
# referral as unreachable (a suggestion only: the facilitator decides).
UNREACHABLE_SUGGESTION_ATTEMPTS = 3


class OrientationOutcome(models.TextChoices):
    PROPOSED = "proposed", _("Proposée")
    ACCEPTED = "accepted", _("Acceptée")
    STARTED = "started", _("Commencée")
    REFUSED = "refused", _("Refusée")


class EventKind(models.TextChoices):
    CREATED = "created", _("Orientation reçue")
    ASSIGNED = "assigned", _("Attribuée")
    UNASSIGNED = "unassigned", _("Aucun facilitateur disponible")
    REASSIGNED = "reassigned", _("Réattribuée")
    STATUS_CHANGED = "status_changed", _("Statut modifié")
    CONTACT_ATTEMPT = "contact_attempt", _("Tentative de contact")
    NOTE = "note", _("Note")
    ORIENTED = "oriented", _("Orientée vers une structure")
    ORIENTATION_UPDATED = "orientation_updated", _("Suite de l'orientation")
    DUPLICATE_FLAGGED = "duplicate_flagged", _("Doublon possible")
    CONTACT_CORRECTED = "contact_corrected", _("Coordonnées corrigées")
    ACKNOWLEDGMENT_RESENT = "acknowledgment_resent", _("Accusé de réception renvoyé")
    ANONYMISED = "anonymised", _("Données personnelles effacées")


class AnonymisationReason(models.TextChoices):
    """Why a referral's personal data was cleared (the `anonymised` event's payload)."""

    RETENTION = "retention", _("Durée de conservation écoulée")
    ERASURE = "erasure", _("Demande d'effacement de la personne")
    ADMIN = "admin", _("Action d'administration")


@register_templates
class ReferralTemplate(models.TextChoices):
    """The messages referrals send (written in backend.referrals.notifications)."""

    FACILITATOR_NEW_REFERRAL = "facilitator_new_referral", _("Nouvelle orientation (facilitateur)")
    PERSON_ACKNOWLEDGMENT = "person_acknowledgment", _("Accusé de réception (personne)")
    COORDINATOR_UNASSIGNED = "coordinator_unassigned", _("Orientation sans facilitateur")
    COORDINATOR_DIGEST = "coordinator_digest", _("Récapitulatif quotidien (coordinateur)")
    INBOUND_REPLY = "inbound_reply", _("Réponse à un SMS reçu")
    CAPTEUR_SUMMARY = "capteur_summary", _("Récapitulatif mensuel (capteur)")
    CAPTEUR_REMINDER = "capteur_reminder", _("Petit rappel (capteur dormant)")


# The messages that go to the referred person themselves (not to staff or capteurs): what a
# person's data export lists as "messages sent to you".
PERSON_TEMPLATES = [ReferralTemplate.PERSON_ACKNOWLEDGMENT, ReferralTemplate.INBOUND_REPLY]
