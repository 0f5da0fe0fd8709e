from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Territory
from backend.accounts.scoping import TerritoryScopedQuerySet
from backend.core.models import TimeStampedModel
from backend.notifications.enums import Channel, NotificationStatus, Sender, Template


class Notification(TimeStampedModel):
    """One SMS or email, written in the same transaction as the event that causes it.

    Delivered by a Celery task (backend.notifications.tasks); a periodic sweep re-enqueues what
    stayed pending, so nothing is lost when the broker or the provider is down.
    """

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    template = models.CharField(_("message"), max_length=40, choices=Template.choices)
    recipient = models.CharField(_("destinataire"), max_length=254)
    sender = models.CharField(
        max_length=20, choices=Sender.choices, default=Sender.ALPHANUMERIC, blank=True
    )
    sender_number = models.CharField(max_length=20, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(_("texte"))
    status = models.CharField(
        _("statut"),
        max_length=20,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
        db_index=True,
    )
    # Not before this time (SMS to people wait for the morning); null: as soon as possible.
    not_before = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    provider_status = models.CharField(max_length=20, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = TerritoryScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "not_before"]),
            models.Index(fields=["recipient", "created_at"]),
        ]

    def __str__(self):
        return f"{self.get_template_display()} #{self.pk} ({self.status})"


class SmsOptOut(models.Model):
    """A number that texted STOP (or ARRET): no SMS goes to it any more, from any sender."""

    phone = models.CharField(max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opposition aux SMS")
        verbose_name_plural = _("oppositions aux SMS")

    def __str__(self):
        return self.phone
