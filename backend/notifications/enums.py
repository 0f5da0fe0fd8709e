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


class Sender(models.TextChoices):
    """Who an SMS comes from: French operators block application SMS from ordinary 06/07
    numbers, so outbound messages use the alphanumeric sender ID (one-way); replies to a
    person who texted us use the territory's two-way number."""

    ALPHANUMERIC = "alphanumeric", _("Identifiant alphanumérique")
    TWO_WAY = "two_way", _("Numéro du territoire")
