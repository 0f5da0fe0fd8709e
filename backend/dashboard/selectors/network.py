"""The capteurs network on the dashboard: activity and stages, capteur kinds, silent partners,
the map, visits, and one capteur's history. Aggregates only, a constant number of queries."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncMonth

from backend.accounts.models import User
from backend.capteurs.enums import Activity, CapteurKind, Stage
from backend.capteurs.models import Capteur, CodeScanDay
from backend.capteurs.selectors import activity_expression
from backend.dashboard.selectors.referrals import (
    NOT_DUPLICATE,
    reached,
    referrals_by_capteur_kind,
    scoped_referrals,
)
from backend.dashboard.selectors.scope import Period, Scope, add_months, as_local_date
from backend.referrals.enums import Status
from backend.referrals.models import Referral
from backend.visits.enums import VisitStatus
from backend.visits.models import Visit

# What the map reads of each capteur (`activity` is scoped_capteurs' annotation).
MAP_COLUMNS = ("id", "name", "kind", "stage", "activity", "city")
# A capteur's history covers the current month and the 11 before it.
HISTORY_MONTHS = 12


def scoped_capteurs(scope: Scope) -> QuerySet[Capteur]:
    """The scope's capteurs, annotated with their live `activity` (as the capteurs list)."""
    return (
        Capteur.objects.for_user(scope.user)
        .filter(territory_id__in=scope.territory_ids)
        .annotate(activity=activity_expression(scope.territories, now=scope.now))
    )


def capteur_counts(scope: Scope) -> dict[str, list[dict[str, Any]]]:
    """Capteurs now, by activity (new, active, dormant) and by stage. One query."""
    counts = scoped_capteurs(scope).aggregate(
        **{
            f"activity_{activity.value}": Count("pk", filter=Q(activity=activity))
            for activity in Activity
        },
        **{f"stage_{stage.value}": Count("pk", filter=Q(stage=stage)) for stage in Stage},
    )
    return {
        "by_activity": [
            {
                "activity": activity.value,
                "label": activity.label,
                "count": counts[f"activity_{activity.value}"],
            }
            for activity in Activity
        ],
        "by_stage": [
            {"stage": stage.value, "label": stage.label, "count": counts[f"stage_{stage.value}"]}
            for stage in Stage
        ],
    }


def visit_counts(scope: Scope) -> dict[str, int]:
    """Visits planned for a day of the period (not cancelled), done in the period, cancelled,
    and still planned for a day already past. One query."""
    period = scope.period
    planned_in_period = period.days("planned_on")
    return (
        Visit.objects.for_user(scope.user)
        .filter(territory_id__in=scope.territory_ids)
        .filter(planned_in_period | period.days("done_on"))
        .aggregate(
            planned=Count("pk", filter=planned_in_period & ~Q(status=VisitStatus.CANCELLED)),
            done=Count("pk", filter=period.days("done_on") & Q(status=VisitStatus.DONE)),
            cancelled=Count("pk", filter=planned_in_period & Q(status=VisitStatus.CANCELLED)),
            overdue=Count(
                "pk",
                filter=planned_in_period
                & Q(status=VisitStatus.PLANNED, planned_on__lt=scope.today),
            ),
        )
    )


def capteur_kinds(scope: Scope) -> dict[str, Any]:
    """Per kind of capteur: partners and active capteurs now, referrals received in the period
    and how many of them were oriented (so far); and the referrals that came through no
    capteur (phone, manual entry). Two queries."""
    capteurs = {
        row["kind"]: row
        for row in scoped_capteurs(scope)
        .values("kind")
        .annotate(
            partners=Count("pk", filter=Q(stage=Stage.PARTNER)),
            active=Count("pk", filter=Q(activity=Activity.ACTIVE)),
        )
        .order_by()
    }
    referrals = referrals_by_capteur_kind(scope)
    nothing = {"partners": 0, "active": 0, "referrals": 0, "oriented": 0}
    return {
        "kinds": [
            {
                "kind": kind.value,
                "label": kind.label,
                "partners": capteurs.get(kind.value, nothing)["partners"],
                "active": capteurs.get(kind.value, nothing)["active"],
                "referrals": referrals.get(kind.value, nothing)["referrals"],
                "oriented": referrals.get(kind.value, nothing)["oriented"],
            }
            for kind in CapteurKind
        ],
        "without_capteur": {
            "referrals": referrals.get(None, nothing)["referrals"],
            "oriented": referrals.get(None, nothing)["oriented"],
        },
    }


def silent_capteurs(scope: Scope, *, limit: int) -> list[dict[str, Any]]:
    """The `limit` dormant partners silent the longest: never sent anyone first (the earliest
    signed first), then the oldest last referral. With their last visit. One query."""
    rows = (
        scoped_capteurs(scope)
        .filter(Q(activity=Activity.DORMANT))
        .values(
            "id",
            "name",
            "kind",
            "city",
            "signed_on",
            "last_referral_at",
            "last_visit_on",
            "referent_id",
            "referent__first_name",
            "referent__last_name",
        )
        .order_by(
            F("last_referral_at").asc(nulls_first=True),
            F("signed_on").asc(nulls_last=True),
            "id",
        )[:limit]
    )
    return [_silent_capteur(row, today=scope.today) for row in rows]


def _silent_capteur(row: Mapping[str, Any], *, today: datetime.date) -> dict[str, Any]:
    last_referral_on = as_local_date(row["last_referral_at"]) if row["last_referral_at"] else None
    silent_since = last_referral_on or row["signed_on"]
    referent_name = f"{row['referent__first_name']} {row['referent__last_name']}".strip()
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": row["kind"],
        "city": row["city"],
        "signed_on": row["signed_on"],
        "last_referral_on": last_referral_on,
        # Days since its last referral, or since it signed when it never sent anyone.
        "silent_days": (today - silent_since).days if silent_since else None,
        "last_visit_on": row["last_visit_on"],
        "referent_name": (referent_name or None) if row["referent_id"] else None,
    }


def capteur_map(scope: Scope) -> dict[str, Any]:
    """The scope's capteurs (but the withdrawn) as a GeoJSON FeatureCollection of points, with
    their kind, stage, activity and referrals received in the period; those without
    coordinates are only counted (`without_coordinates`). Two queries: the period's referrals
    per capteur (one grouped pass, not one subquery per capteur), then the capteurs.

    Plain dicts, not serializers: the map may carry thousands of points."""
    features = []
    without_coordinates = 0
    referrals_per_capteur = dict(
        scoped_referrals(scope)
        .filter(scope.period.instants("created_at"), NOT_DUPLICATE, capteur__isnull=False)
        .values("capteur_id")
        .annotate(count=Count("pk"))
        .values_list("capteur_id", "count")
        .order_by()
    )
    rows = (
        scoped_capteurs(scope)
        .exclude(stage=Stage.WITHDRAWN)
        # Floats from the database: no Decimal parsed and converted per point.
        .annotate(lat=Cast("latitude", FloatField()), lng=Cast("longitude", FloatField()))
        .values_list(*MAP_COLUMNS, "lat", "lng")
        .order_by("id")
    )
    for pk, name, kind, stage, activity, city, latitude, longitude in rows:
        referrals = referrals_per_capteur.get(pk, 0)
        if latitude is None or longitude is None:
            without_coordinates += 1
            continue
        features.append(
            {
                "type": "Feature",
                "id": pk,
                "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
                "properties": {
                    "id": pk,
                    "name": name,
                    "kind": kind,
                    "stage": stage,
                    "activity": activity,
                    "city": city,
                    "referrals": referrals,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "without_coordinates": without_coordinates,
    }


def capteur_history(*, user: User, capteur: Capteur, today: datetime.date) -> dict[str, Any]:
    """`capteur`'s month by month over the current month and the HISTORY_MONTHS - 1 before:
    referrals received (duplicates left out), how many of them were oriented (so far), scans of
    its codes, visits done; and its last visit done. Four queries.

    Precondition: the caller fetched `capteur` through the user's scope (capteur_get)."""
    first_month = add_months(today.replace(day=1), -(HISTORY_MONTHS - 1))
    period = Period(first_month, today)
    months = [add_months(first_month, index) for index in range(HISTORY_MONTHS)]
    referrals = {
        as_local_date(row["month"]): row
        for row in Referral.objects.for_user(user)
        .filter(period.instants("created_at"), NOT_DUPLICATE, capteur=capteur)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(referrals=Count("pk"), oriented=Count("pk", filter=reached(Status.ORIENTED)))
        .order_by()
    }
    scans = {
        as_local_date(row["month"]): row["scans"]
        for row in CodeScanDay.objects.for_user(user)
        .filter(period.days("day"), code__capteur=capteur)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(scans=Sum("count"))
        .order_by()
    }
    visits = Visit.objects.for_user(user).filter(capteur=capteur, status=VisitStatus.DONE)
    visits_done = {
        as_local_date(row["month"]): row["done"]
        for row in visits.filter(period.days("done_on"))
        .annotate(month=TruncMonth("done_on"))
        .values("month")
        .annotate(done=Count("pk"))
        .order_by()
    }
    last_visit = visits.order_by("-done_on", "-id").values("done_on", "kind").first()
    return {
        "months": [
            {
                "month": month.strftime("%Y-%m"),
                "referrals": referrals[month]["referrals"] if month in referrals else 0,
                "oriented": referrals[month]["oriented"] if month in referrals else 0,
                "scans": scans.get(month, 0),
                "visits_done": visits_done.get(month, 0),
            }
            for month in months
        ],
        "last_visit": last_visit,
    }
