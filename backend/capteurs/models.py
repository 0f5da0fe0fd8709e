"""Capteurs and their referral codes.

A capteur ("spotter") is a local business or association (bar-tabac, temp agency, charity...)
whose staff meet people in difficulty and hand them Relais' number: a poster with a QR code,
a short link and a short code, each carried by a ReferralCode.
"""

from typing import TypeVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from backend.accounts.models import Territory
from backend.accounts.scoping import TerritoryScopedQuerySet
from backend.capteurs.enums import CapteurKind, ScanSource, Stage, SummaryChannel
from backend.core.models import Place, TimeStampedModel

_M = TypeVar("_M", bound=models.Model)


class CapteurRowQuerySet(TerritoryScopedQuerySet[_M]):
    """Rows that belong to a territory through their capteur (stage changes, codes)."""

    territory_path = "capteur__territory"


class CodeRowQuerySet(TerritoryScopedQuerySet[_M]):
    """Rows that belong to a territory through their code's capteur (scan days)."""

    territory_path = "code__capteur__territory"


class Capteur(TimeStampedModel, Place):
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="capteurs")
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=40, choices=CapteurKind.choices)
    contact_name = models.CharField(_("personne de contact"), max_length=150, blank=True)
    phone = PhoneNumberField(_("téléphone"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitateur référent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referent_capteurs",
    )
    stage = models.CharField(
        _("étape"), max_length=20, choices=Stage.choices, default=Stage.PROSPECT
    )
    first_contact_on = models.DateField(_("premier contact le"), null=True, blank=True)
    signed_on = models.DateField(_("partenariat signé le"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Kept current by the referral intake (the referrals app): activity reads it, so listing
    # capteurs with their activity never touches the referrals table.
    last_referral_at = models.DateTimeField(_("dernière orientation"), null=True, blank=True)
    # Kept current by the visits app when a visit is recorded as done.
    last_visit_on = models.DateField(_("dernière visite"), null=True, blank=True)
    # The monthly summary (people sent, reached, oriented: counts only), if the capteur wants it.
    summary_channel = models.CharField(
        _("récapitulatif mensuel"),
        max_length=10,
        choices=SummaryChannel.choices,
        default=SummaryChannel.NONE,
        blank=True,
    )
    # The capteur space /c/<secret>: a revocable secret link, no password (192 random bits).
    space_secret = models.CharField(max_length=64, unique=True, null=True, blank=True)
    space_secret_issued_at = models.DateTimeField(null=True, blank=True)

    objects = TerritoryScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("capteur")
        verbose_name_plural = _("capteurs")
        indexes = [
            models.Index(fields=["territory", "stage"]),
            models.Index(fields=["territory", "last_referral_at"]),
            models.Index(fields=["territory", "last_visit_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                | models.Q(latitude__isnull=True),
                name="capteur_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180)
                | models.Q(longitude__isnull=True),
                name="capteur_longitude_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def space_url(self):
        if not self.space_secret:
            return None
        return f"{settings.PUBLIC_BASE_URL}/c/{self.space_secret}"


class StageChange(models.Model):
    """One move of a capteur along the pipeline: who, when, from, to, why."""

    capteur = models.ForeignKey(Capteur, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = CapteurRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("changement d'étape")
        verbose_name_plural = _("changements d'étape")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.capteur_id}: {self.from_stage} → {self.to_stage}"


class ReferralCode(TimeStampedModel):
    """What a capteur hands over: a link/QR token and a short code for SMS and phone.

    `token` is unguessable (192 random bits) and carries the public link `/r/<token>`;
    `short_code` is for humans (e.g. "K7Q2"), stored upper-case, unique in the instance.
    Revoking keeps the row (its landing page then says the code is no longer valid).
    """

    capteur = models.ForeignKey(Capteur, on_delete=models.CASCADE, related_name="codes")
    token = models.CharField(max_length=64, unique=True, editable=False)
    short_code = models.CharField(_("code court"), max_length=6, unique=True, editable=False)
    label = models.CharField(_("libellé"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Landing page visits: a leading indicator. No IP, no user agent, nothing personal.
    scan_count = models.PositiveIntegerField(_("visites"), default=0)
    last_scan_at = models.DateTimeField(_("dernière visite"), null=True, blank=True)

    objects = CapteurRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("code d'orientation")
        verbose_name_plural = _("codes d'orientation")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(short_code=Upper("short_code")),
                name="referral_code_short_code_upper",
            )
        ]

    def __str__(self):
        return self.short_code

    @property
    def is_active(self):
        return self.revoked_at is None

    @property
    def public_path(self):
        return f"/r/{self.token}"

    @property
    def public_url(self):
        return f"{settings.PUBLIC_BASE_URL}{self.public_path}"

    @property
    def short_url(self):
        """The link printed for a person to type: the short code at the root of the site
        (backend.public.views.short_link redirects it to the landing page)."""
        return f"{settings.PUBLIC_BASE_URL}/{self.short_code}"

    @property
    def qr_url(self):
        """The link the QR code carries: the public link marked so scans count as channel qr."""
        return f"{self.public_url}?via=qr"


class CodeScanDay(models.Model):
    """How many times a code's landing page was opened on one day, by source: one row per
    code, day and source, incremented by an upsert (never a row per scan, and nothing about
    the visitor). Tells a poster scanned but never converting from a poster nobody scans."""

    code = models.ForeignKey(ReferralCode, on_delete=models.CASCADE, related_name="scan_days")
    day = models.DateField()
    source = models.CharField(max_length=10, choices=ScanSource.choices)
    count = models.PositiveIntegerField(default=0)

    objects = CodeRowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "day", "source"], name="code_scan_day_unique")
        ]
        indexes = [models.Index(fields=["day", "code"])]

    def __str__(self):
        return f"{self.code_id} {self.day} {self.source}: {self.count}"
