"""The audit trail of people's privacy requests: who searched, exported or erased what, when.

A request row never holds the person's phone or e-mail in clear: a keyed hash of each
(`contact_digest`) tells that two requests were about the same contact, and nothing more to
whoever reads the table without the server's secret key.
"""

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Territory
from backend.accounts.scoping import TerritoryScopedQuerySet

_DIGEST_SALT = "backend.privacy.contact"


def contact_digest(contact: str) -> str:
    """A keyed hash (HMAC-SHA256 with SECRET_KEY) of a phone in E.164 or an e-mail (case
    ignored), "" for none. Keyed, because phone numbers are too few for a plain hash: anyone
    could hash them all and read the table back."""
    if not contact:
        return ""
    return salted_hmac(_DIGEST_SALT, contact.strip().lower(), algorithm="sha256").hexdigest()


class PrivacyRequest(models.Model):
    """One step of a person's request, handled by a member of the territory: a search (what
    Relais holds on a phone or e-mail), an export of what a search found, or its erasure."""

    class Kind(models.TextChoices):
        SEARCH = "search", _("Recherche")
        EXPORT = "export", _("Export")
        ERASURE = "erasure", _("Effacement")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="+", verbose_name=_("territoire")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("par"),
    )
    # The search an export or an erasure acted on.
    search = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="steps",
        verbose_name=_("recherche"),
    )
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True)
    email_digest = models.CharField(max_length=64, blank=True, db_index=True)
    # Ids, not foreign keys: the record of what was found stays as it was.
    referral_ids = models.JSONField(_("orientations"), default=list, blank=True)
    # Messages to the contact linked to no referral (e.g. the reply to an SMS with no code).
    notification_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    objects = TerritoryScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande d'une personne")
        verbose_name_plural = _("demandes des personnes")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"
