"""Scans of the codes' landing pages, and what they turn into: a leading indicator (a poster
scanned but never converting is not a poster nobody scans)."""

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from backend.capteurs.enums import ScanSource
from backend.capteurs.models import CodeScanDay, ReferralCode
from backend.dashboard.selectors.referrals import (
    LANDING_CHANNELS,
    NOT_DUPLICATE,
    scoped_referrals,
)
from backend.dashboard.selectors.scope import Period, Scope


def scoped_scan_days(scope: Scope) -> QuerySet[CodeScanDay]:
    return CodeScanDay.objects.for_user(scope.user).filter(
        code__capteur__territory_id__in=scope.territory_ids
    )


def conversion(referrals: int, scans: int) -> float | None:
    """Referrals left on a landing page per scan of it; None without scans."""
    return round(referrals / scans, 4) if scans else None


def scan_counts(scope: Scope, period: Period) -> dict[str, int]:
    """Landing page openings in `period` (the scope's, or the part of it the daily roll-up
    does not cover): all, by QR code, by link. One query."""
    counts = (
        scoped_scan_days(scope)
        .filter(period.days("day"))
        .aggregate(
            scans=Coalesce(Sum("count"), 0),
            qr=Coalesce(Sum("count", filter=Q(source=ScanSource.QR)), 0),
            link=Coalesce(Sum("count", filter=Q(source=ScanSource.LINK)), 0),
        )
    )
    return counts


def code_conversions(scope: Scope, *, limit: int) -> list[dict[str, Any]]:
    """The `limit` codes scanned the most in the period (then those that brought the most
    referrals), each with its scans, its referrals (all channels), those left on its landing
    page, and the conversion of its scans. Codes with neither scans nor referrals in the period
    are left out. Three queries: scans per code and referrals per code (each one grouped pass
    over the period's rows, not one subquery per code), then the chosen codes' names. A code's
    referrals are in its capteur's territory (intake files them there)."""
    period = scope.period
    scans = dict(
        scoped_scan_days(scope)
        .filter(period.days("day"))
        .values("code_id")
        .annotate(total=Sum("count"))
        .values_list("code_id", "total")
        .order_by()
    )
    referrals = {
        code_id: (total, from_landing)
        for code_id, total, from_landing in scoped_referrals(scope)
        .filter(period.instants("created_at"), NOT_DUPLICATE, code__isnull=False)
        .values("code_id")
        .annotate(
            total=Count("pk"), from_landing=Count("pk", filter=Q(channel__in=LANDING_CHANNELS))
        )
        .values_list("code_id", "total", "from_landing")
        .order_by()
    }
    counted = {code_id for code_id, total in scans.items() if total} | {
        code_id for code_id, (total, _) in referrals.items() if total
    }
    chosen = sorted(counted, key=lambda pk: (-scans.get(pk, 0), -referrals.get(pk, (0, 0))[0], pk))[
        :limit
    ]
    codes = {
        row["id"]: row
        for row in ReferralCode.objects.for_user(scope.user)
        .filter(capteur__territory_id__in=scope.territory_ids, pk__in=chosen)
        .values("id", "short_code", "label", "revoked_at", "capteur_id", "capteur__name")
    }
    answer = []
    for pk in chosen:
        row = codes.get(pk)
        if row is None:  # not readable by the user (the counts above are scoped too)
            continue
        period_scans = scans.get(pk, 0)
        period_referrals, from_landing = referrals.get(pk, (0, 0))
        answer.append(
            {
                "id": row["id"],
                "short_code": row["short_code"],
                "label": row["label"],
                "active": row["revoked_at"] is None,
                "capteur_id": row["capteur_id"],
                "capteur_name": row["capteur__name"],
                "scans": period_scans,
                "referrals": period_referrals,
                "referrals_from_page": from_landing,
                "conversion": conversion(from_landing, period_scans),
            }
        )
    return answer
