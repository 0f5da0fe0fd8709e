from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class NotificationStatus(models.TextChoices):
    """pending → sending → sent → delivered | failed. `sending` is a delivery's claim."""

    PENDING = "pending", _("En attente")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    DELIVERED = "delivered", _("Remis")
    FAILED = "failed", _("Échec")


class Template(models.TextChoices):
    """Every message Relais sends; bodies are written in backend.notifications.messages."""

    FACILITATOR_NEW_REFERRAL = "facilitator_new_referral", _("Nouvelle orientation (facilitateur)")
    PERSON_ACKNOWLEDGMENT = "person_acknowledgment", _("Accusé de réception (personne)")
    COORDINATOR_UNASSIGNED = "coordinator_unassigned", _("Orientation sans facilitateur")
    COORDINATOR_DIGEST = "coordinator_digest", _("Récapitulatif quotidien (coordinateur)")
    CAPTEUR_SPACE_LINK = "capteur_space_link", _("Lien de l'espace capteur")
    INBOUND_REPLY = "inbound_reply", _("Réponse à un SMS reçu")


class Sender(models.TextChoices):
    """Who an SMS comes from: French operators block application SMS from ordinary 06/07
    numbers, so outbound messages use the alphanumeric sender ID (one-way); replies to a
    person who texted us use the territory's two-way number."""

    ALPHANUMERIC = "alphanumeric", _("Identifiant alphanumérique")
    TWO_WAY = "two_way", _("Numéro du territoire")
