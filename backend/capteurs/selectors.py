"""Reads of capteurs and codes, scoped to the user's territories, with their joins."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    CharField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from backend.accounts.models import Territory, User
from backend.accounts.scoping import territories_for
from backend.capteurs.enums import Activity, Stage
from backend.capteurs.models import Capteur, CodeScanDay, ReferralCode, StageChange


def activity_expression(
    territories: Iterable[Territory], *, now: datetime | None = None
) -> Case | Value:
    """SQL expression of a capteur's activity, with each territory's own thresholds.

    - active: at least one referral in the territory's activity window (default 90 days);
    - new: a partner signed within the "new" window (default 30 days) with no referral yet;
    - dormant: any other partner;
    - NULL for prospects, paused and withdrawn capteurs with no recent referral.
    Built from `last_referral_at`, so listing capteurs never reads the referrals table.
    """
    territories = list(territories)
    if not territories:
        return Value(None, output_field=CharField(null=True))
    now = now or timezone.now()
    today = timezone.localdate(now)
    recent_referral = Q()
    recently_signed = Q()
    for territory in territories:
        recent_referral |= Q(
            territory_id=territory.id,
            last_referral_at__gte=now - timedelta(days=territory.activity_active_days),
        )
        recently_signed |= Q(
            territory_id=territory.id,
            signed_on__gt=today - timedelta(days=territory.activity_new_days),
        )
    return Case(
        When(recent_referral, then=Value(Activity.ACTIVE)),
        When(
            Q(stage=Stage.PARTNER, last_referral_at__isnull=True) & recently_signed,
            then=Value(Activity.NEW),
        ),
        When(stage=Stage.PARTNER, then=Value(Activity.DORMANT)),
        default=Value(None),
        output_field=CharField(null=True),
    )


SCANS_WINDOW_DAYS = 30


def scans_since_expression(since: date) -> Coalesce:
    """SQL expression of a capteur's scans (all its codes, every source) since `since`: a
    subquery on the day counts, so a list sorted by it stays one query."""
    scans = (
        CodeScanDay.objects.filter(code__capteur=OuterRef("pk"), day__gte=since)
        .order_by()
        .values("code__capteur")
        .annotate(total=Sum("count"))
        .values("total")
    )
    return Coalesce(Subquery(scans, output_field=IntegerField()), 0)


def capteur_queryset(*, user: User, now: datetime | None = None) -> QuerySet[Capteur]:
    """Capteurs `user` may see, joined to what lists show and annotated with `activity` and
    `scans_30d` (the landing page's visits over the last 30 days), so the list filters and
    sorts on both in one query."""
    territories = territories_for(user).only("id", "activity_new_days", "activity_active_days")
    today = timezone.localdate(now)
    return (
        Capteur.objects.for_user(user)
        .select_related("territory", "referent")
        .annotate(
            activity=activity_expression(territories, now=now),
            scans_30d=scans_since_expression(today - timedelta(days=SCANS_WINDOW_DAYS - 1)),
        )
    )


def capteur_get(*, user: User, pk: int) -> Capteur:
    """The capteur `pk` if `user` may see it; 404 otherwise (whether it exists or not)."""
    return get_object_or_404(capteur_queryset(user=user), pk=pk)


def stage_change_list(*, capteur: Capteur) -> QuerySet[StageChange]:
    return StageChange.objects.filter(capteur=capteur).select_related("actor")


def referral_code_queryset(*, user: User) -> QuerySet[ReferralCode]:
    return ReferralCode.objects.for_user(user).select_related("capteur__territory")


def referral_code_get(*, user: User, pk: int) -> ReferralCode:
    return get_object_or_404(referral_code_queryset(user=user), pk=pk)


def referral_code_list(*, capteur: Capteur) -> QuerySet[ReferralCode]:
    return ReferralCode.objects.filter(capteur=capteur).order_by("-created_at", "-id")


def normalize_short_code(text: str) -> str:
    """A short code as people type it ("k7q2 ", "K 7Q2") in its stored form ("K7Q2")."""
    return "".join(text.split()).upper()


def referral_code_by_short_code(*, short_code: str) -> ReferralCode | None:
    """Lookup of an active code by its short code, whatever the case and spacing typed."""
    return (
        ReferralCode.objects.select_related("capteur__territory")
        .filter(short_code=normalize_short_code(short_code), revoked_at__isnull=True)
        .first()
    )


def referral_code_by_typed_short_code(*, short_code: str) -> ReferralCode | None:
    """Public lookup of a code by the short link a person typed (revoked codes included: their
    landing page says so). Only the token is loaded: the short link redirects to it."""
    return (
        ReferralCode.objects.filter(short_code=normalize_short_code(short_code))
        .only("id", "token")
        .first()
    )


def referral_code_by_token(*, token: str) -> ReferralCode | None:
    """Public lookup of a code by its link token (revoked codes included)."""
    return ReferralCode.objects.select_related("capteur__territory").filter(token=token).first()
