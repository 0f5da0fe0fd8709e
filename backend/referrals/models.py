"""Referrals ("orientations"): a person sent by a capteur, routed to a facilitator.

The person's personal data (first name, phone, email, note) lives on Referral only; events,
orientations and access logs point to it, so anonymising a referral is one row's update.
"""

import datetime
from typing import TypeVar

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from backend.accounts.models import Territory
from backend.accounts.scoping import TerritoryScopedQuerySet
from backend.capteurs.models import Capteur, CapteurRowQuerySet, ReferralCode
from backend.core.models import TimeStampedModel
from backend.referrals.enums import (
    AttemptKind,
    AttemptOutcome,
    Channel,
    ClosingReason,
    EventKind,
    FilledBy,
    OrientationOutcome,
    Status,
)

# Bounds of what a person may type (every door and the intake service check them).
FIRST_NAME_MAX_LENGTH = 80
EMAIL_MAX_LENGTH = 254
NOTE_MAX_LENGTH = 500

_M = TypeVar("_M", bound=models.Model)


class ReferralRowQuerySet(TerritoryScopedQuerySet[_M]):
    """Rows that belong to a territory through their referral (events, orientations)."""

    territory_path = "referral__territory"


class Referral(TimeStampedModel):
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="referrals")
    capteur = models.ForeignKey(
        Capteur, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    code = models.ForeignKey(
        ReferralCode, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    # --- the person (personal data: minimum, audited, anonymised after retention) ---
    first_name = models.CharField(_("prénom ou surnom"), max_length=FIRST_NAME_MAX_LENGTH)
    phone = PhoneNumberField(_("téléphone"), blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), max_length=EMAIL_MAX_LENGTH, blank=True)
    call_moments = models.JSONField(_("moments pour appeler"), default=list, blank=True)
    needs = models.JSONField(_("besoins"), default=list, blank=True)
    note = models.TextField(
        _("message"), blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)]
    )
    consent_at = models.DateTimeField(_("consentement donné le"))
    consent_version = models.CharField(_("version de la notice"), max_length=20)
    filled_by = models.CharField(_("rempli par"), max_length=20, choices=FilledBy.choices)
    channel = models.CharField(_("canal"), max_length=20, choices=Channel.choices)
    # --- the work ---
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    idempotency_fingerprint = models.CharField(max_length=64, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitateur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_referrals",
    )
    first_contact_due_on = models.DateField(_("premier contact avant le"), null=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    closing_reason = models.CharField(
        _("motif de clôture"), max_length=20, choices=ClosingReason.choices, blank=True
    )
    first_contacted_at = models.DateTimeField(_("premier contact le"), null=True, blank=True)
    # When the person was first met and first oriented: set by the status move (the lifecycle
    # only goes forward, so each happens once) and kept through anonymisation, so the funder
    # indicators read them from the row instead of searching the timeline (README, Benchmarks).
    met_at = models.DateTimeField(_("rencontrée le"), null=True, blank=True)
    oriented_at = models.DateTimeField(_("orientée le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    # Attempts in a row that did not reach the person (reset when one does).
    unanswered_attempts = models.PositiveSmallIntegerField(default=0)
    possible_duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("doublon possible de"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="possible_duplicates",
    )
    # Set once the person's data is cleared (retention or erasure: services.privacy).
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True)

    objects = TerritoryScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        indexes = [
            models.Index(fields=["territory", "status", "first_contact_due_on"]),
            models.Index(fields=["assigned_to", "status", "created_at"]),
            # Routing counts each facilitator's open referrals (routing.pick_facilitator): with
            # every column it reads in the index, PostgreSQL answers from the index alone
            # instead of visiting each referral the facilitator ever had (make bench, README).
            models.Index(fields=["assigned_to", "status", "territory", "id"]),
            models.Index(fields=["territory", "phone", "created_at"]),
            models.Index(fields=["capteur", "created_at"]),
            # The dashboard summary's counts, each read from the index of its date (people
            # contacted, met, oriented, closed, first contacts due in the period), and the
            # median delay to first contact (README, Benchmarks).
            models.Index(fields=["first_contacted_at"], name="referral_contacted_idx"),
            models.Index(fields=["met_at"], name="referral_met_idx"),
            models.Index(fields=["oriented_at"], name="referral_oriented_idx"),
            models.Index(fields=["closed_at"], name="referral_closed_idx"),
            models.Index(fields=["first_contact_due_on"], name="referral_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(phone="", email="") | models.Q(anonymised_at__isnull=False),
                name="referral_phone_or_email",
            ),
            models.CheckConstraint(
                condition=models.Q(status=Status.CLOSED, closed_at__isnull=False)
                | (~models.Q(status=Status.CLOSED) & models.Q(closing_reason="")),
                name="referral_closed_consistency",
            ),
        ]

    def __str__(self):
        return self.pseudonym

    @property
    def pseudonym(self):
        """A stable reference without personal data, e.g. "R-2026-000123"."""
        return referral_pseudonym(self.pk, self.created_at)


def referral_pseudonym(pk: int | None, created_at: datetime.datetime | None) -> str:
    """Referral.pseudonym from a referral's id and creation time (exports read rows, not
    models)."""
    year = timezone.localtime(created_at or timezone.now()).year
    return f"R-{year}-{pk or 0:06d}"


class ReferralEvent(models.Model):
    """One thing that happened to a referral: who, when, what (the timeline)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Ids and codes only: never the person's personal data.
    payload = models.JSONField(default=dict, blank=True)

    objects = ReferralRowQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.referral_id}: {self.kind}"


class ContactAttempt(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attempts")
    kind = models.CharField(max_length=10, choices=AttemptKind.choices)
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.referral_id}: {self.kind} {self.outcome}"


class Orientation(TimeStampedModel):
    """The referral oriented to a partner support structure, and what came of it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="orientations")
    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.PROTECT, related_name="orientations"
    )
    outcome = models.CharField(
        max_length=20, choices=OrientationOutcome.choices, default=OrientationOutcome.PROPOSED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ReferralRowQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.referral_id} → {self.structure_id}"


class AccessLog(models.Model):
    """A staff read of a referral's personal data: who, when, which referral, how."""

    class Action(models.TextChoices):
        LIST = "list", _("Liste")
        VIEW = "view", _("Fiche")
        EXPORT = "export", _("Export")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="access_logs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user_id} {self.action} {self.referral_id}"


class CapteurSummary(models.Model):
    """What a partner capteur was told about one month: how many people it sent, how many the
    team reached and oriented (counts only, never a name), or a gentle reminder when it sent
    nobody while dormant. One row per capteur and month: the monthly job is idempotent, and
    the facilitator sees on the capteur what was sent."""

    class Kind(models.TextChoices):
        SUMMARY = "summary", _("Récapitulatif")
        REMINDER = "reminder", _("Petit rappel")

    capteur = models.ForeignKey(Capteur, on_delete=models.CASCADE, related_name="summaries")
    month = models.DateField(_("mois"), help_text=_("Le premier jour du mois résumé."))
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(_("canal"), max_length=10)
    sent = models.PositiveIntegerField(_("personnes envoyées"), default=0)
    reached = models.PositiveIntegerField(_("personnes jointes"), default=0)
    oriented = models.PositiveIntegerField(_("personnes orientées"), default=0)
    notification = models.ForeignKey(
        "notifications.Notification", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CapteurRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("récapitulatif mensuel")
        verbose_name_plural = _("récapitulatifs mensuels")
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["capteur", "month"], name="capteur_summary_unique")
        ]

    def __str__(self):
        return f"{self.capteur_id} {self.month:%Y-%m} {self.kind}"


class ReferralDay(models.Model):
    """One territory's referral figures for one local day that is over: the daily roll-up the
    dashboard's summary reads instead of the period's referrals (README, "The dashboard at
    1 000 000 referrals"). Each figure counts the referrals (duplicates left out, as on the
    dashboard) whose date of that kind falls on `day`: received, contacted first, met,
    oriented; first contacts due that day and how many were on time; closings per reason
    (duplicates included). `first_contact_delays`: the microseconds from receipt to first
    contact of each referral first contacted that day (sorted), for an exact median over any
    period. And the openings of the territory's codes' landing pages that day
    (capteurs.CodeScanDay), all of them and by QR code and by link: what their referrals are
    compared with.

    Written by services.daily only: every night for the days just over, and again for the days
    of a referral closed as a duplicate (the only change that reaches back to a past day: the
    other dates are set once, at the moment they happen). A day without any figure has no row.
    """

    # Its figures that are counts (they add up over days; closings and delays aside).
    COUNTS = (
        "received",
        "from_landing",
        "contacted",
        "met",
        "oriented",
        "first_contact_due",
        "first_contact_on_time",
        "scans",
        "scans_qr",
        "scans_link",
    )

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    received = models.PositiveIntegerField(default=0)
    from_landing = models.PositiveIntegerField(default=0)
    contacted = models.PositiveIntegerField(default=0)
    met = models.PositiveIntegerField(default=0)
    oriented = models.PositiveIntegerField(default=0)
    first_contact_due = models.PositiveIntegerField(default=0)
    first_contact_on_time = models.PositiveIntegerField(default=0)
    scans = models.PositiveIntegerField(default=0)  # every source
    scans_qr = models.PositiveIntegerField(default=0)
    scans_link = models.PositiveIntegerField(default=0)
    closed = models.JSONField(default=dict)  # closing reason → count
    first_contact_delays = models.JSONField(default=list)

    objects = TerritoryScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["territory", "day"], name="referral_day_unique")
        ]

    def __str__(self):
        return f"{self.territory_id} {self.day}"


class ReferralDaysCovered(models.Model):
    """Up to which day (`through`, included) a territory's ReferralDay rows are complete (from
    its first referral or scan on). No row: nothing rolled up yet, the dashboard counts from
    the referrals."""

    territory = models.OneToOneField(
        Territory, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    through = models.DateField()

    objects = TerritoryScopedQuerySet.as_manager()

    def __str__(self):
        return f"{self.territory_id} ≤ {self.through}"
