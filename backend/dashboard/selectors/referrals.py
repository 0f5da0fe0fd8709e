"""Referral counts of the dashboard: aggregates of the user's territories, never a person's data.

Definitions (docs/indicators.md): a referral closed as a duplicate is the same person counted
twice, so it is left out of every count of people; a referral is contacted from its first
contact (`first_contacted_at`), met and oriented from its first move there (`met_at`,
`oriented_at`: the lifecycle only goes forward, so each happens once).
"""

import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate, TruncWeek

from backend.dashboard.selectors.scope import Period, Scope, as_local_date
from backend.dashboard.stats import median_durations
from backend.referrals.enums import ClosingReason, Status
from backend.referrals.models import Referral
from backend.referrals.selectors import LANDING_CHANNELS, NOT_DUPLICATE

# The funnel's stages in order; a referral "reaches" a stage when it got there or further.
FUNNEL_STAGES = [Status.NEW, Status.CONTACTED, Status.MET, Status.ORIENTED]
# Closing reasons that are an outcome for a person (a duplicate is no person).
PERSON_CLOSING_REASONS = [r for r in ClosingReason if r != ClosingReason.DUPLICATE]


def scoped_referrals(scope: Scope) -> QuerySet[Referral]:
    return Referral.objects.for_user(scope.user).filter(territory_id__in=scope.territory_ids)


def reached(stage: Status) -> Q:
    """The referral reached `stage` of new → contacted → met → oriented, or a later one (a
    person oriented on the phone, without a meeting, has reached « met » too)."""
    if stage == Status.NEW:
        return Q()
    later = FUNNEL_STAGES[FUNNEL_STAGES.index(stage) :]
    condition = Q()
    if Status.CONTACTED in later:
        condition |= Q(first_contacted_at__isnull=False)
    if Status.MET in later:
        condition |= Q(met_at__isnull=False)
    if Status.ORIENTED in later:
        condition |= Q(oriented_at__isnull=False)
    return condition


def referral_counts(scope: Scope, period: Period) -> dict[str, int]:
    """Referrals received, contacted, met, oriented and closed (per reason) in `period` (the
    scope's, or the part of it the daily roll-up does not cover: selectors.summary); the first
    contacts due in it, and how many of them were on time. Four queries, each reading the
    period's rows from the index of its own date (one query filtering on any of six dates read
    the whole table: README, Benchmarks)."""
    referrals = scoped_referrals(scope)
    people = referrals.filter(NOT_DUPLICATE)
    counts = people.filter(period.instants("created_at")).aggregate(
        received=Count("pk"),
        from_landing=Count("pk", filter=Q(channel__in=LANDING_CHANNELS)),
    )
    counts |= people.filter(
        period.instants("first_contacted_at")
        | period.instants("met_at")
        | period.instants("oriented_at")
    ).aggregate(
        contacted=Count("pk", filter=period.instants("first_contacted_at")),
        met=Count("pk", filter=period.instants("met_at")),
        oriented=Count("pk", filter=period.instants("oriented_at")),
    )
    counts |= (
        people.filter(
            period.days("first_contact_due_on"),
            Q(first_contacted_at__isnull=False) | Q(first_contact_due_on__lt=scope.today),
        )
        .annotate(first_contact_day=TruncDate("first_contacted_at"))
        .aggregate(
            first_contact_due=Count("pk"),
            first_contact_on_time=Count(
                "pk", filter=Q(first_contact_day__lte=F("first_contact_due_on"))
            ),
        )
    )
    counts |= referrals.filter(period.instants("closed_at"), status=Status.CLOSED).aggregate(
        **{
            f"closed_{reason}": Count("pk", filter=Q(closing_reason=reason))
            for reason in ClosingReason.values
        }
    )
    return counts


def first_contact_median(scope: Scope) -> datetime.timedelta | None:
    """The median time from receipt to first contact of the referrals first contacted in the
    period. One query (see backend.dashboard.stats)."""
    contacted = scoped_referrals(scope).filter(
        scope.period.instants("first_contacted_at"), NOT_DUPLICATE
    )
    return median_durations(contacted, start="created_at", end="first_contacted_at").get(())


def first_contact_delays(scope: Scope, period: Period) -> list[int]:
    """The microseconds from receipt to first contact of each referral first contacted in
    `period` (to merge with the daily roll-up's). One query."""
    return [
        (contacted - created) // MICROSECOND
        for created, contacted in scoped_referrals(scope)
        .filter(period.instants("first_contacted_at"), NOT_DUPLICATE)
        .values_list("created_at", "first_contacted_at")
        .order_by()
        if contacted is not None  # always, in that period
    ]


MICROSECOND = datetime.timedelta(microseconds=1)


def referral_funnel(scope: Scope) -> dict[str, Any]:
    """The referrals received in the period: how far each went (stages reached), where each
    is now, how the closed ones ended. One query."""
    counts = (
        scoped_referrals(scope)
        .filter(scope.period.instants("created_at"))
        .aggregate(
            duplicates=Count("pk", filter=~NOT_DUPLICATE),
            **{
                f"reached_{stage.value}": Count("pk", filter=NOT_DUPLICATE & reached(stage))
                for stage in FUNNEL_STAGES
            },
            **{
                f"now_{status.value}": Count("pk", filter=NOT_DUPLICATE & Q(status=status))
                for status in Status
            },
            **{
                f"closed_{reason.value}": Count(
                    "pk", filter=Q(status=Status.CLOSED, closing_reason=reason)
                )
                for reason in PERSON_CLOSING_REASONS
            },
        )
    )
    stages = [
        {"stage": stage.value, "label": stage.label, "count": counts[f"reached_{stage.value}"]}
        for stage in FUNNEL_STAGES
    ]
    stages.append(
        {
            "stage": Status.CLOSED.value,
            "label": Status.CLOSED.label,
            "count": counts[f"now_{Status.CLOSED.value}"],
        }
    )
    return {
        "received": counts[f"reached_{Status.NEW.value}"],
        "duplicates": counts["duplicates"],
        "stages": stages,
        "current_status": [
            {"status": status.value, "label": status.label, "count": counts[f"now_{status.value}"]}
            for status in Status
        ],
        "closing_reasons": [
            {
                "reason": reason.value,
                "label": reason.label,
                "count": counts[f"closed_{reason.value}"],
            }
            for reason in PERSON_CLOSING_REASONS
        ],
    }


def referrals_per_week(scope: Scope) -> list[dict[str, Any]]:
    """Referrals received per ISO week of the period, weeks without any included (0). The
    first and last weeks are `partial` when the period cuts them. One query."""
    period = scope.period
    counts = {
        as_local_date(row["week"]): row["referrals"]
        for row in scoped_referrals(scope)
        .filter(period.instants("created_at"), NOT_DUPLICATE)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(referrals=Count("pk"))
        .order_by()
    }
    weeks = []
    monday = period.start - datetime.timedelta(days=period.start.weekday())
    while monday <= period.end:
        year, week, _ = monday.isocalendar()
        sunday = monday + datetime.timedelta(days=6)
        weeks.append(
            {
                "week": f"{year}-W{week:02d}",
                "start": monday,
                "referrals": counts.get(monday, 0),
                "partial": monday < period.start or sunday > period.end,
            }
        )
        monday += datetime.timedelta(weeks=1)
    return weeks


def top_capteurs(scope: Scope, *, limit: int) -> list[dict[str, Any]]:
    """The `limit` capteurs that sent the most referrals in the period, with how many of those
    were oriented (so far). Two queries: referrals per capteur (one grouped pass over the
    period, from an index), then the timelines of the candidates only (the `limit` first
    and every capteur tied with the last of them), ordered as before."""
    received = scoped_referrals(scope).filter(
        scope.period.instants("created_at"), NOT_DUPLICATE, capteur__isnull=False
    )
    counts = dict(
        received.values("capteur_id")
        .annotate(referrals=Count("pk"))
        .values_list("capteur_id", "referrals")
        .order_by()
    )
    if not counts or limit < 1:
        return []
    threshold = sorted(counts.values(), reverse=True)[: max(limit, 1)][-1]
    candidates = [pk for pk, referrals in counts.items() if referrals >= threshold]
    rows = (
        received.filter(capteur_id__in=candidates)
        .values("capteur_id", "capteur__name", "capteur__kind")
        .annotate(referrals=Count("pk"), oriented=Count("pk", filter=reached(Status.ORIENTED)))
        .order_by("-referrals", "-oriented", "capteur__name", "capteur_id")[:limit]
    )
    return [
        {
            "id": row["capteur_id"],
            "name": row["capteur__name"],
            "kind": row["capteur__kind"],
            "referrals": row["referrals"],
            "oriented": row["oriented"],
        }
        for row in rows
    ]


def referrals_by_capteur_kind(scope: Scope) -> dict[str | None, dict[str, int]]:
    """Referrals received in the period per kind of capteur (None: no capteur), and how many
    of them were oriented (so far). One query."""
    rows = (
        scoped_referrals(scope)
        .filter(scope.period.instants("created_at"), NOT_DUPLICATE)
        .values("capteur__kind")
        .annotate(referrals=Count("pk"), oriented=Count("pk", filter=reached(Status.ORIENTED)))
        .order_by()
    )
    return {
        row["capteur__kind"]: {"referrals": row["referrals"], "oriented": row["oriented"]}
        for row in rows
    }
