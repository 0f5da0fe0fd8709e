"""Reads of the public pages. No user here: a code token or a capteur space secret is the key.

Nothing read here carries a referred person's personal data to a page: the capteur space sees
counts only, and a confirmation page sees the referral's routing (who calls, by when), never
who was referred.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from backend.accounts.models import Territory
from backend.capteurs.models import Capteur, ReferralCode
from backend.referrals.enums import ClosingReason, Status
from backend.referrals.models import Orientation, Referral


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
    """What became of the people `capteur` sent, as counts only, in ONE query.

    - `month`, `year`: referrals created this calendar month / year (local time), whatever the
      channel. Referrals closed as duplicates are left out: they are not one more person.
    - `contacted`: of this year's, those the team reached (first contact recorded, a status
      past "new", or closed after being reached: accompanied or declined).
    - `oriented`: of this year's, those oriented to a support structure (status oriented, an
      orientation recorded, or closed as accompanied).
    """
    today = today or timezone.localdate()
    year_start = timezone.make_aware(datetime.datetime(today.year, 1, 1))  # noqa: DTZ001
    month_start = timezone.make_aware(datetime.datetime(today.year, today.month, 1))  # noqa: DTZ001
    oriented = (
        Q(status=Status.ORIENTED)
        | Q(status=Status.CLOSED, closing_reason=ClosingReason.ACCOMPANIED)
        | Q(Exists(Orientation.objects.filter(referral=OuterRef("pk"))))
    )
    contacted = (
        Q(first_contacted_at__isnull=False)
        | Q(status__in=[Status.CONTACTED, Status.MET, Status.ORIENTED])
        | Q(
            status=Status.CLOSED,
            closing_reason__in=[ClosingReason.ACCOMPANIED, ClosingReason.DECLINED],
        )
        | oriented
    )
    return (
        Referral.objects.filter(capteur=capteur, created_at__gte=year_start)
        .exclude(closing_reason=ClosingReason.DUPLICATE)
        .aggregate(
            month=Count("pk", filter=Q(created_at__gte=month_start)),
            year=Count("pk"),
            contacted=Count("pk", filter=contacted),
            oriented=Count("pk", filter=oriented),
        )
    )


def confirmed_referral(
    *, referral_id: int, code_token: str | None = None, capteur: Capteur | None = None
) -> Referral | None:
    """The referral a confirmation page speaks of, if it came through `code_token` (landing)
    or from `capteur` (capteur space); None otherwise.

    Loads only what the page shows, who calls and by when: never the person's fields.
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
