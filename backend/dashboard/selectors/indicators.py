"""The funder indicators, per month and per territory: what the exports carry.

Every indicator is defined in docs/indicators.md; the code follows it line by line. Ten
queries whatever the number of months, territories or rows (eleven once the daily roll-up
covers the months: its rows give the people counts and delays of the days it covers): grouped
counts for the people and the visits, and for the network at each month's end one read of the
capteurs, of their stage moves and of their referral dates (per month), replayed in Python.
"""

import datetime
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Territory
from backend.capteurs.enums import Stage
from backend.capteurs.models import Capteur, StageChange
from backend.dashboard.selectors import daily
from backend.dashboard.selectors.referrals import MICROSECOND, NOT_DUPLICATE, scoped_referrals
from backend.dashboard.selectors.scope import (
    Period,
    Scope,
    add_months,
    as_local_date,
    local_midnight,
    months_of,
)
from backend.dashboard.stats import median_durations, median_microseconds
from backend.referrals.models import Referral
from backend.visits.enums import VisitStatus
from backend.visits.models import Visit


class Indicator(NamedTuple):
    """One column of the exports: its key in MonthIndicators, its French header, and its short
    definition (the XLSX carries it; docs/indicators.md has the full one, under the header)."""

    key: str
    header: Promise
    definition: Promise


# The columns of the exports, in order.
INDICATORS = [
    Indicator(
        "spotted",
        _("Personnes repérées"),
        _("Orientations reçues dans le mois (date de réception), hors doublons."),
    ),
    Indicator(
        "contacted",
        _("Personnes contactées"),
        _("Personnes jointes pour la première fois dans le mois, hors doublons."),
    ),
    Indicator(
        "met",
        _("Personnes rencontrées"),
        _("Orientations passées au statut « rencontrée » dans le mois, hors doublons."),
    ),
    Indicator(
        "oriented",
        _("Personnes orientées"),
        _(
            "Orientations passées au statut « orientée » (vers une structure) dans le mois, "
            "hors doublons."
        ),
    ),
    Indicator(
        "network",
        _("Capteurs partenaires en fin de mois"),
        _(
            "Capteurs à l'étape « partenaire » le dernier jour du mois (aujourd'hui pour le "
            "mois en cours)."
        ),
    ),
    Indicator(
        "active",
        _("Capteurs actifs"),
        _(
            "Partenaires ayant orienté au moins une personne dans la fenêtre d'activité du "
            "territoire (90 jours par défaut) avant la fin du mois."
        ),
    ),
    Indicator(
        "new",
        _("Capteurs nouveaux"),
        _(
            "Partenaires signés depuis moins de 30 jours (réglage du territoire) à la fin du "
            "mois, sans orientation encore."
        ),
    ),
    Indicator(
        "dormant",
        _("Capteurs dormants"),
        _("Les autres partenaires : ni actifs, ni nouveaux à la fin du mois."),
    ),
    Indicator(
        "visits_done",
        _("Visites faites"),
        _("Visites de capteurs faites dans le mois (date de la visite)."),
    ),
    Indicator(
        "median_first_contact_days",
        _("Délai médian de premier contact (jours)"),
        _(
            "Médiane du temps entre la réception et le premier contact, pour les personnes "
            "contactées pour la première fois dans le mois, en jours (vide sans contact)."
        ),
    ),
]


@dataclass
class MonthIndicators:
    territory: Territory
    month: datetime.date  # its first day
    spotted: int = 0
    contacted: int = 0
    met: int = 0
    oriented: int = 0
    network: int = 0
    active: int = 0
    new: int = 0
    dormant: int = 0
    visits_done: int = 0
    median_first_contact: datetime.timedelta | None = None

    @property
    def median_first_contact_days(self) -> float | None:
        if self.median_first_contact is None:
            return None
        return round(self.median_first_contact.total_seconds() / 86400, 1)


def monthly_indicators(scope: Scope) -> list[MonthIndicators]:
    """The indicators of every territory of `scope` for every month of its period (whole
    months), ordered by territory name, then month. The current month is counted as of
    `scope.now`."""
    months = months_of(scope.period)
    table = {
        (territory.id, month): MonthIndicators(territory, month)
        for territory in scope.territories
        for month in months
    }

    def add(rows: Iterable[Mapping[str, Any]], **columns: str) -> None:
        for row in rows:
            indicators = table.get((row["territory_key"], as_local_date(row["month"])))
            if indicators is not None:
                for attribute, column in columns.items():
                    setattr(indicators, attribute, getattr(indicators, attribute) + row[column])

    # The days the daily roll-up covers are read from it; the others (today, or every day
    # before the first roll-up) counted from the referrals (selectors.daily).
    rolled, period = daily.split(scope)
    referrals = scoped_referrals(scope).filter(NOT_DUPLICATE)
    by_month = {"territory_key": F("territory_id")}
    add(
        referrals.filter(period.instants("created_at"))
        .values(**by_month, month=TruncMonth("created_at"))
        .annotate(count=Count("pk"))
        .order_by(),
        spotted="count",
    )
    add(
        referrals.filter(period.instants("first_contacted_at"))
        .values(**by_month, month=TruncMonth("first_contacted_at"))
        .annotate(count=Count("pk"))
        .order_by(),
        contacted="count",
    )
    for stage in ("met", "oriented"):
        add(
            referrals.filter(period.instants(f"{stage}_at"))
            .values(**by_month, month=TruncMonth(f"{stage}_at"))
            .annotate(count=Count("pk"))
            .order_by(),
            **{stage: "count"},
        )
    add(
        Visit.objects.for_user(scope.user)
        .filter(scope.period.days("done_on"), territory_id__in=scope.territory_ids)
        .filter(status=VisitStatus.DONE)
        .values(**by_month, month=TruncMonth("done_on"))
        .annotate(count=Count("pk"))
        .order_by(),
        visits_done="count",
    )
    contacted = referrals.filter(period.instants("first_contacted_at"))
    if rolled is None:
        medians = median_durations(
            contacted,
            start="created_at",
            end="first_contacted_at",
            group_by={
                "territory_key": F("territory_id"),
                "month": TruncMonth("first_contacted_at"),
            },
        )
    else:
        medians = _rolled_up(scope, rolled, contacted, table)
    for key, median in medians.items():
        territory_id, month = cast(tuple[int, datetime.datetime], key)
        indicators = table.get((territory_id, as_local_date(month)))
        if indicators is not None:
            indicators.median_first_contact = median
    _count_network(scope, months, table)
    return sorted(table.values(), key=lambda row: (row.territory.name, row.territory.id, row.month))


def _rolled_up(
    scope: Scope,
    rolled: Period,
    contacted: QuerySet[Referral],
    table: dict[tuple[int, datetime.date], MonthIndicators],
) -> dict[tuple[Hashable, ...], datetime.timedelta]:
    """Adds the roll-up's days to `table`; returns the median delay to first contact per
    territory and month, from the roll-up's delays and those of `contacted` (the days after
    it). Two queries."""
    delays: dict[tuple[int, datetime.date], list[int]] = defaultdict(list)
    for territory_id, day, *counts, day_delays in daily.rolled_up_days(
        scope, rolled, "received", "contacted", "met", "oriented", "first_contact_delays"
    ):
        indicators = table.get((territory_id, day.replace(day=1)))
        if indicators is None:
            continue
        for attribute, count in zip(
            ("spotted", "contacted", "met", "oriented"), counts, strict=True
        ):
            setattr(indicators, attribute, getattr(indicators, attribute) + count)
        delays[territory_id, indicators.month].extend(day_delays)
    for territory_id, created, first_contact in contacted.values_list(
        "territory_id", "created_at", "first_contacted_at"
    ).order_by():
        if first_contact is not None:  # always: filtered on it
            month = timezone.localdate(first_contact).replace(day=1)
            delays[territory_id, month].append((first_contact - created) // MICROSECOND)
    return {
        key: median
        for key, values in delays.items()
        if (median := median_microseconds(values)) is not None
    }


# --- the network at each month's end --------------------------------------------------------


@dataclass
class _Capteur:
    territory_id: int
    stage: str
    signed_on: datetime.date | None
    created_at: datetime.datetime
    moves: list[tuple[datetime.datetime, str, str]]  # (at, from, to), in order
    first_referral: datetime.datetime | None = None
    # The latest referral before the first month, then the latest of each month.
    last_before: datetime.datetime | None = None
    last_by_month: dict[datetime.date, datetime.datetime] = field(default_factory=dict)

    def stage_at(self, instant: datetime.datetime, day: datetime.date) -> str | None:
        """Its stage just before `instant` (None when not registered yet). Its moves tell;
        without any, its stage has always been today's, partner from `signed_on` on."""
        if self.created_at >= instant:
            return None
        before = [to_stage for at, _, to_stage in self.moves if at < instant]
        if before:
            return before[-1]
        if self.moves:
            return self.moves[0][1]
        if self.stage == Stage.PARTNER and self.signed_on and self.signed_on > day:
            return Stage.PROSPECT
        return self.stage

    def last_referral_before(
        self, instant: datetime.datetime, months: list[datetime.date]
    ) -> datetime.datetime | None:
        latest = [self.last_before] + [self.last_by_month.get(month) for month in months]
        return max((at for at in latest if at is not None and at < instant), default=None)


def _count_network(
    scope: Scope,
    months: list[datetime.date],
    table: dict[tuple[int, datetime.date], MonthIndicators],
) -> None:
    """Partners at each month's end (or now, for the current month), and among them the
    active, new and dormant ones as of then, with each territory's thresholds. Four queries."""
    capteurs = {
        pk: _Capteur(territory_id, stage, signed_on, created_at, [])
        for pk, territory_id, stage, signed_on, created_at in Capteur.objects.for_user(scope.user)
        .filter(territory_id__in=scope.territory_ids)
        .values_list("id", "territory_id", "stage", "signed_on", "created_at")
    }
    for capteur_id, at, from_stage, to_stage in (
        StageChange.objects.for_user(scope.user)
        .filter(capteur__territory_id__in=scope.territory_ids)
        .values_list("capteur_id", "at", "from_stage", "to_stage")
        .order_by("capteur_id", "at", "id")
    ):
        if capteur_id in capteurs:
            capteurs[capteur_id].moves.append((at, from_stage, to_stage))
    first_month_at = local_midnight(months[0])
    history = scoped_referrals(scope).filter(capteur__isnull=False)
    for capteur_id, first, last_before in (
        history.values("capteur_id")
        .annotate(
            first=Min("created_at"),
            last_before=Max("created_at", filter=Q(created_at__lt=first_month_at)),
        )
        .values_list("capteur_id", "first", "last_before")
        .order_by()
    ):
        if capteur_id in capteurs:
            capteurs[capteur_id].first_referral = first
            capteurs[capteur_id].last_before = last_before
    for capteur_id, month, last in (
        history.filter(created_at__gte=first_month_at)
        .values("capteur_id", month=TruncMonth("created_at"))
        .annotate(last=Max("created_at"))
        .values_list("capteur_id", "month", "last")
        .order_by()
    ):
        if capteur_id in capteurs:
            capteurs[capteur_id].last_by_month[as_local_date(month)] = last

    territories = {territory.id: territory for territory in scope.territories}
    for index, month in enumerate(months):
        end = min(local_midnight(add_months(month, 1)), scope.now)
        last_day = timezone.localdate(end - datetime.timedelta(microseconds=1))
        so_far = months[: index + 1]
        for capteur in capteurs.values():
            if capteur.stage_at(end, last_day) != Stage.PARTNER:
                continue
            territory = territories[capteur.territory_id]
            indicators = table[(territory.id, month)]
            indicators.network += 1
            last = capteur.last_referral_before(end, so_far)
            if last is not None and last >= end - datetime.timedelta(
                days=territory.activity_active_days
            ):
                indicators.active += 1
            elif (
                (capteur.first_referral is None or capteur.first_referral >= end)
                and capteur.signed_on is not None
                and capteur.signed_on
                > last_day - datetime.timedelta(days=territory.activity_new_days)
            ):
                indicators.new += 1
            else:
                indicators.dormant += 1
