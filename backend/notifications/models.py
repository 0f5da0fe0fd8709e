from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Territory
from backend.accounts.scoping import TerritoryScopedQuerySet
from backend.core.models import TimeStampedModel
from backend.notifications.enums import Channel, NotificationStatus, Sender
from backend.notifications.templates import template_label


class Notification(TimeStampedModel):
    """One SMS or email, written in the same transaction as the event that causes it.

    Delivered by a Celery task (backend.notifications.tasks); a periodic sweep re-enqueues what
    stayed pending, so nothing is lost when the broker or the provider is down.

    The row carries its own delivery policy (`quiet_hours`, `daily_capped`), set by the domain
    app that wrote it: the outbox applies policies, it does not know what messages mean.
    `referral` is the one link to a domain row (a string reference, no import): the
    acknowledgment's outcome is shown on the referral, and erasing a person's data must reach
    the messages sent to them.
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
    # Which message this is, named by the domain app that sends it (see templates.py).
    template = models.CharField(_("message"), max_length=40)
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
    # SMS to a person of the public: never at night, on Sundays or public holidays.
    quiet_hours = models.BooleanField(_("heures calmes"), default=False)
    # To a number typed by the public: counts towards SMS_DAILY_CAP_PER_NUMBER (SMS pumping).
    daily_capped = models.BooleanField(_("plafond quotidien"), default=False)
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
        return f"{template_label(self.template)} #{self.pk} ({self.status})"


class SmsOptOut(models.Model):
    """A number that texted STOP (or ARRET): no SMS goes to it any more, from any sender."""

    phone = models.CharField(max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opposition aux SMS")
        verbose_name_plural = _("oppositions aux SMS")

    def __str__(self):
        return self.phone
