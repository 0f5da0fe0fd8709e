"""Automatic planning of visits: the daily job that keeps every partner capteur in touch.

Per territory, with its own settings:
- onboarding: a partner whose signature is `onboarding_after_days` old (or will be within
  ONBOARDING_HORIZON_DAYS) gets an onboarding visit on that day at the earliest, unless it has
  one already (planned, done, or cancelled: a cancelled one was the facilitator's decision).
  A partner signed more than `follow_up_after_days` ago is no new partner: the follow-up rule
  covers it when it goes dormant;
- follow-up: a dormant partner (backend.capteurs.selectors.activity_expression, the
  territory's thresholds) gets a follow-up visit unless a visit was done, or cancelled, within
  the last `follow_up_after_days` days;
- a capteur with a visit already planned gets nothing more (never a duplicate).

Who: the capteur's référent if an active facilitator of the territory, else the territory's
facilitator with the fewest planned visits (ties: the longest-standing member). When: the first
working day (weekends and French public holidays excluded, backend.core.calendar) from today, or
from the onboarding due date, on which that facilitator is not away (`unavailable_until`) and
has fewer than the territory's `visits_per_day` planned visits (all territories counted: a day
is a day), so a batch spreads over the following days.

Idempotent: run twice the same day, the second run finds every capteur covered and plans
nothing. One territory at a time, each in a transaction holding its row lock, so two runs at
once (a redelivered task) cannot both plan the same capteur.
"""

import datetime
import logging
from collections import Counter

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import Role
from backend.accounts.models import Membership, Territory, User
from backend.capteurs.enums import Activity, Stage
from backend.capteurs.models import Capteur
from backend.capteurs.selectors import activity_expression
from backend.core.calendar import is_working_day
from backend.visits.enums import VisitKind, VisitStatus
from backend.visits.models import Visit
from backend.visits.services import visit_cancel, visit_plan

logger = logging.getLogger(__name__)

# Onboarding visits due within this many days are planned now (on their due day at the
# earliest), so they show in the facilitator's week ahead.
ONBOARDING_HORIZON_DAYS = 7
# How far a free day is looked for; past it, the capteur waits for a later run.
SLOT_SEARCH_DAYS = 120


def visits_plan_automatic(*, today: datetime.date) -> int:
    """Plans the onboarding and follow-up visits due as of `today` in every territory.

    Returns the number of visits planned. Each is `auto_planned`, with a "planned" event whose
    actor is None. Called by the daily task `visits.plan_automatic`; safe to run again.
    """
    return sum(
        visits_plan_territory(territory=territory, today=today)
        for territory in Territory.objects.order_by("id")
    )


class _Agenda:
    """The territory's facilitators and their planned visits, kept current while planning."""

    def __init__(self, territory: Territory, *, today: datetime.date):
        self.territory = territory
        self.today = today
        self.memberships = list(
            Membership.objects.filter(
                territory=territory, role=Role.FACILITATOR, user__is_active=True
            )
            .select_related("user")
            .order_by("created_at", "id")
        )
        user_ids = [m.user_id for m in self.memberships]
        planned = Visit.objects.filter(facilitator_id__in=user_ids, status=VisitStatus.PLANNED)
        # Visits per facilitator (their load) and per facilitator and day (their days).
        self.load = Counter(
            dict(
                planned.values_list("facilitator_id")
                .annotate(n=Count("id"))
                .values_list("facilitator_id", "n")
            )
        )
        self.per_day = Counter(
            {
                (user_id, day): n
                for user_id, day, n in planned.filter(planned_on__gte=today)
                .values_list("facilitator_id", "planned_on")
                .annotate(n=Count("id"))
                .values_list("facilitator_id", "planned_on", "n")
            }
        )

    def candidates(self, capteur: Capteur) -> list[Membership]:
        """Who may take the visit, in order: the référent, then the least loaded."""
        others = sorted(
            (m for m in self.memberships if m.user_id != capteur.referent_id),
            key=lambda m: self.load[m.user_id],  # stable: ties keep seniority order
        )
        referent = [m for m in self.memberships if m.user_id == capteur.referent_id]
        return referent + others

    def first_free_day(
        self, membership: Membership, *, earliest: datetime.date
    ) -> datetime.date | None:
        cap = self.territory.visits_per_day
        for offset in range(SLOT_SEARCH_DAYS):
            day = earliest + datetime.timedelta(days=offset)
            if (
                is_working_day(day)
                and membership.is_available(day)
                and self.per_day[(membership.user_id, day)] < cap
            ):
                return day
        return None

    def book(
        self, capteur: Capteur, *, earliest: datetime.date
    ) -> tuple[User, datetime.date] | None:
        """(facilitator, day) for a visit to `capteur`, counted in; None when nobody is free."""
        for membership in self.candidates(capteur):
            day = self.first_free_day(membership, earliest=earliest)
            if day is not None:
                self.load[membership.user_id] += 1
                self.per_day[(membership.user_id, day)] += 1
                return membership.user, day
        return None


@transaction.atomic
def visits_plan_territory(*, territory: Territory, today: datetime.date) -> int:
    """visits_plan_automatic for one territory (the demo seed plans its own this way)."""
    # The row lock makes concurrent runs for one territory take turns (fresh settings too).
    territory = Territory.objects.select_for_update().get(pk=territory.pk)
    _cancel_visits_to_withdrawn(territory)
    agenda = _Agenda(territory, today=today)
    if not agenda.memberships:
        return 0
    planned = 0
    # Onboarding first: a capteur due for both gets the onboarding visit, and the follow-up
    # query, run after, sees it planned.
    for capteur, earliest in _onboarding_due(territory, today=today):
        planned += _book_and_plan(agenda, capteur, VisitKind.ONBOARDING, earliest=earliest)
    for capteur in _follow_up_due(territory, today=today):
        planned += _book_and_plan(agenda, capteur, VisitKind.FOLLOW_UP, earliest=today)
    return planned


def _cancel_visits_to_withdrawn(territory: Territory) -> None:
    """A capteur that left the network is not visited any more: its planned visits are
    cancelled (the capteurs app, below visits, cannot do it when the capteur withdraws)."""
    for visit in Visit.objects.filter(
        territory=territory, status=VisitStatus.PLANNED, capteur__stage=Stage.WITHDRAWN
    ):
        visit_cancel(visit=visit, actor=None, reason=_("Capteur retiré du réseau"))


def _book_and_plan(agenda: _Agenda, capteur: Capteur, kind: str, *, earliest: datetime.date) -> int:
    booking = agenda.book(capteur, earliest=earliest)
    if booking is None:
        logger.warning("No free day for a %s visit to capteur %s", kind, capteur.pk)
        return 0
    facilitator, day = booking
    visit_plan(
        capteur=capteur,
        facilitator=facilitator,
        kind=kind,
        planned_on=day,
        actor=None,
        auto_planned=True,
    )
    return 1


def _partners_without_planned_visit(territory: Territory) -> QuerySet[Capteur]:
    return Capteur.objects.filter(territory=territory, stage=Stage.PARTNER).exclude(
        Exists(Visit.objects.filter(capteur=OuterRef("pk"), status=VisitStatus.PLANNED))
    )


def _onboarding_due(
    territory: Territory, *, today: datetime.date
) -> list[tuple[Capteur, datetime.date]]:
    """[(capteur, earliest day)] of the partners due for their onboarding visit."""
    delay = datetime.timedelta(days=territory.onboarding_after_days)
    horizon = datetime.timedelta(days=ONBOARDING_HORIZON_DAYS)
    capteurs = (
        _partners_without_planned_visit(territory)
        .filter(
            signed_on__lte=today + horizon - delay,
            signed_on__gte=today - datetime.timedelta(days=territory.follow_up_after_days),
        )
        .exclude(Exists(Visit.objects.filter(capteur=OuterRef("pk"), kind=VisitKind.ONBOARDING)))
        .order_by("signed_on", "id")
    )
    # signed_on is set on every partner (capteur_move_stage); the filter above excludes nulls.
    return [
        (capteur, max(today, capteur.signed_on + delay))
        for capteur in capteurs
        if capteur.signed_on is not None
    ]


def _follow_up_due(territory: Territory, *, today: datetime.date) -> list[Capteur]:
    """The dormant partners not visited for too long, the longest unvisited first."""
    cutoff = today - datetime.timedelta(days=territory.follow_up_after_days)
    recently_visited = Visit.objects.filter(capteur=OuterRef("pk")).filter(
        Q(status=VisitStatus.DONE, done_on__gte=cutoff)
        | Q(status=VisitStatus.CANCELLED, planned_on__gte=cutoff)
    )
    # Activity as of the start of `today` (the job may run for another day than the clock's).
    now = datetime.datetime.combine(
        today, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    return list(
        _partners_without_planned_visit(territory)
        .annotate(activity=activity_expression([territory], now=now))
        .filter(activity=Activity.DORMANT)
        .exclude(Exists(recently_visited))
        .order_by(F("last_visit_on").asc(nulls_first=True), "signed_on", "id")
    )
