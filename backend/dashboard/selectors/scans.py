"""Scans of the codes' landing pages, and what they turn into: a leading indicator (a poster
scanned but never converting is not a poster nobody scans)."""

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from backend.capteurs.enums import ScanSource
from backend.capteurs.models import CodeScanDay, ReferralCode
from backend.dashboard.selectors.referrals import LANDING_CHANNELS, NOT_DUPLICATE
from backend.dashboard.selectors.scope import Scope
from backend.referrals.models import Referral


def scoped_scan_days(scope: Scope) -> QuerySet[CodeScanDay]:
    return CodeScanDay.objects.for_user(scope.user).filter(
        code__capteur__territory_id__in=scope.territory_ids
    )


def conversion(referrals: int, scans: int) -> float | None:
    """Referrals left on a landing page per scan of it; None without scans."""
    return round(referrals / scans, 4) if scans else None


def scan_counts(scope: Scope) -> dict[str, int]:
    """Landing page openings in the period: all, by QR code, by link. One query."""
    counts = (
        scoped_scan_days(scope)
        .filter(scope.period.days("day"))
        .aggregate(
            scans=Coalesce(Sum("count"), 0),
            qr=Coalesce(Sum("count", filter=Q(source=ScanSource.QR)), 0),
            link=Coalesce(Sum("count", filter=Q(source=ScanSource.LINK)), 0),
        )
    )
    return counts


def _per_code(queryset: QuerySet, aggregate) -> Subquery:
    return Subquery(
        queryset.filter(code=OuterRef("pk"))
        .values("code")
        .annotate(total=aggregate)
        .values("total"),
        output_field=IntegerField(),
    )


def code_conversions(scope: Scope, *, limit: int) -> list[dict[str, Any]]:
    """The `limit` codes scanned the most in the period (then those that brought the most
    referrals), each with its scans, its referrals (all channels), those left on its landing
    page, and the conversion of its scans. Codes with neither scans nor referrals in the period
    are left out. One query."""
    period = scope.period
    scans = _per_code(CodeScanDay.objects.filter(period.days("day")), Sum("count"))
    received = Referral.objects.filter(period.instants("created_at"), NOT_DUPLICATE)
    rows = (
        ReferralCode.objects.for_user(scope.user)
        .filter(capteur__territory_id__in=scope.territory_ids)
        .annotate(
            period_scans=Coalesce(scans, 0),
            period_referrals=Coalesce(_per_code(received, Count("pk")), 0),
            period_from_landing=Coalesce(
                _per_code(received.filter(channel__in=LANDING_CHANNELS), Count("pk")), 0
            ),
        )
        .filter(Q(period_scans__gt=0) | Q(period_referrals__gt=0))
        .values(
            "id",
            "short_code",
            "label",
            "revoked_at",
            "capteur_id",
            "capteur__name",
            "period_scans",
            "period_referrals",
            "period_from_landing",
        )
        .order_by("-period_scans", "-period_referrals", "id")[:limit]
    )
    return [
        {
            "id": row["id"],
            "short_code": row["short_code"],
            "label": row["label"],
            "active": row["revoked_at"] is None,
            "capteur_id": row["capteur_id"],
            "capteur_name": row["capteur__name"],
            "scans": row["period_scans"],
            "referrals": row["period_referrals"],
            "referrals_from_page": row["period_from_landing"],
            "conversion": conversion(row["period_from_landing"], row["period_scans"]),
        }
        for row in rows
    ]
