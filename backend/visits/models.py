"""Visits: a facilitator going to a capteur (prospection, onboarding, follow-up, restock).

Planned by hand or by the daily planning job (dormant partners, new partners), rescheduled,
recorded as done with an outcome and a next step, or cancelled; every move is an event row.
"""

from typing import TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Territory
from backend.accounts.scoping import TerritoryScopedQuerySet
from backend.capteurs.models import Capteur
from backend.core.models import TimeStampedModel
from backend.visits.enums import VisitEventKind, VisitKind, VisitStatus

OUTCOME_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 500

_M = TypeVar("_M", bound=models.Model)


class VisitRowQuerySet(TerritoryScopedQuerySet[_M]):
    """Rows that belong to a territory through their visit (events)."""

    territory_path = "visit__territory"


class Visit(TimeStampedModel):
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="visits")
    capteur = models.ForeignKey(Capteur, on_delete=models.PROTECT, related_name="visits")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitateur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
    )
    kind = models.CharField(_("type"), max_length=20, choices=VisitKind.choices)
    status = models.CharField(
        _("statut"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    planned_on = models.DateField(_("prévue le"))
    done_on = models.DateField(_("faite le"), null=True, blank=True)
    # Why one goes there, written when planning ("apporter des affiches"): shown on the round.
    note = models.CharField(_("objet de la visite"), max_length=NOTE_MAX_LENGTH, blank=True)
    outcome = models.TextField(_("compte rendu"), blank=True, max_length=OUTCOME_MAX_LENGTH)
    next_step = models.CharField(_("suite à donner"), max_length=500, blank=True)
    # Planned by the daily job (backend.visits.planning), not by a person.
    auto_planned = models.BooleanField(_("planifiée automatiquement"), default=False)

    objects = TerritoryScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visite")
        verbose_name_plural = _("visites")
        ordering = ["planned_on", "id"]
        indexes = [
            models.Index(fields=["facilitator", "status", "planned_on"]),
            models.Index(fields=["capteur", "status", "planned_on"]),
            models.Index(fields=["territory", "status", "planned_on"]),
            models.Index(fields=["territory", "done_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=VisitStatus.DONE, done_on__isnull=False)
                | (~models.Q(status=VisitStatus.DONE) & models.Q(done_on__isnull=True)),
                name="visit_done_has_a_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.capteur_id} · {self.planned_on}"


class VisitEvent(models.Model):
    """One move of a visit: planned, rescheduled, done, cancelled; who, when, what."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=VisitEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict, blank=True)

    objects = VisitRowQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.visit_id}: {self.kind}"


class CalendarFeed(models.Model):
    """A facilitator's calendar feed (ICS) of their planned visits, behind a secret URL that
    the phone's calendar app subscribes to. Revoking it (a lost phone) makes a new secret."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    secret = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"feed of {self.user_id}"
