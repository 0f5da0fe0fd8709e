"""Reads of the public pages. No user here: a code token or a capteur space secret is the key.

Nothing read here carries a referred person's personal data to a page: the capteur space sees
counts only, and a confirmation page sees the referral's routing (who calls, by when), never
who was referred.
"""

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from backend.accounts.models import Territory
from backend.capteurs.models import Capteur, ReferralCode
from backend.referrals.models import Referral
from backend.referrals.selectors import counted_referrals, oriented_q, reached_q


def capteur_by_space_secret(*, secret: str) -> Capteur | None:
    """The capteur whose space link carries `secret`; None when unknown or revoked."""
    if not secret:
        return None
    return Capteur.objects.select_related("territory").filter(space_secret=secret).first()


def capteur_space_codes(*, capteur: Capteur) -> QuerySet[ReferralCode]:
    """The capteur's active codes, the most recent first: what it may print and refer with."""
    return ReferralCode.objects.filter(capteur=capteur, revoked_at__isnull=True).order_by(
        "-created_at", "-id"
    )


def capteur_space_referral_code(*, secret: str) -> ReferralCode | None:
    """The code a referral from the capteur space goes through: the capteur's most recent active
    one, with `capteur__territory` loaded (one query). None when the secret is unknown or
    revoked, or when the capteur has no active code."""
    if not secret:
        return None
    return (
        ReferralCode.objects.select_related("capteur__territory")
        .filter(capteur__space_secret=secret, revoked_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )


def capteur_space_printable_code(*, secret: str, code_id: int) -> ReferralCode | None:
    """Code `code_id` if it is an active code of the capteur whose space link carries `secret`.

    A code of another capteur, or a revoked one, is None: the caller answers 404 either way.
    """
    if not secret:
        return None
    return (
        ReferralCode.objects.select_related("capteur__territory")
        .filter(pk=code_id, capteur__space_secret=secret, revoked_at__isnull=True)
        .first()
    )


def capteur_space_counts(*, capteur: Capteur, today: datetime.date | None = None) -> dict[str, int]:
    """What became of the people `capteur` sent, as counts only, in ONE query, with the
    definitions of the monthly summary (backend.referrals.selectors: reached_q, oriented_q;
    referrals closed as duplicates are not one more person):

    - `month`, `year`: referrals created this calendar month / year (local time);
    - `contacted`, `oriented`: of this year's, those the team reached / oriented;
    - `last_month`, `last_month_contacted`, `last_month_oriented`: the figures of the
      previous calendar month, the ones its monthly summary gave.
    """
    today = today or timezone.localdate()
    year_start = timezone.make_aware(datetime.datetime(today.year, 1, 1))  # noqa: DTZ001
    month_start = timezone.make_aware(datetime.datetime(today.year, today.month, 1))  # noqa: DTZ001
    previous = (month_start - datetime.timedelta(days=1)).date()
    last_month_start = timezone.make_aware(
        datetime.datetime(previous.year, previous.month, 1)  # noqa: DTZ001
    )
    last_month = Q(created_at__gte=last_month_start, created_at__lt=month_start)
    reached, oriented = reached_q(), oriented_q()
    return (
        counted_referrals()
        .filter(capteur=capteur, created_at__gte=min(year_start, last_month_start))
        .aggregate(
            month=Count("pk", filter=Q(created_at__gte=month_start)),
            year=Count("pk", filter=Q(created_at__gte=year_start)),
            contacted=Count("pk", filter=Q(created_at__gte=year_start) & reached),
            oriented=Count("pk", filter=Q(created_at__gte=year_start) & oriented),
            last_month=Count("pk", filter=last_month),
            last_month_contacted=Count("pk", filter=last_month & reached),
            last_month_oriented=Count("pk", filter=last_month & oriented),
        )
    )


def confirmed_referral(
    *, referral_id: int, code_token: str | None = None, capteur: Capteur | None = None
) -> Referral | None:
    """The referral a confirmation page speaks of, if it came through `code_token` (landing)
    or from `capteur` (capteur space); None otherwise.

    Loads only what the page shows, who calls and by when, and the phone only to tell
    whether it can take an SMS (the number itself is never shown).
    """
    referrals = Referral.objects.filter(pk=referral_id)
    if code_token is not None:
        referrals = referrals.filter(code__token=code_token)
    if capteur is not None:
        referrals = referrals.filter(capteur=capteur)
    return (
        referrals.select_related("assigned_to", "territory")
        .only(
            "id",
            "first_contact_due_on",
            "phone",
            "assigned_to__id",
            "assigned_to__first_name",
            "territory__id",
            "territory__name",
            "territory__contact_phone",
            "territory__contact_email",
            "territory__first_contact_working_days",
        )
        .first()
    )


def territory_for_notice(*, slug: str) -> Territory | None:
    """The territory a privacy notice link names (`?t=<slug>`), if any."""
    if not slug:
        return None
    return Territory.objects.filter(slug=slug).first()
