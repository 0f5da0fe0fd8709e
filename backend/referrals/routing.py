"""Who gets a new referral, and by when they must first call.

Routing: the capteur's référent facilitator when set and available, else the territory's
available facilitator with the fewest open referrals (ties: the longest-standing member).
Due date: N working days after the referral (territory setting), weekends and French public
holidays excluded.
"""

import datetime
import functools

import holidays
from django.db.models import Count, Q

from backend.accounts.enums import Role
from backend.accounts.models import Membership
from backend.referrals.enums import OPEN_STATUSES


@functools.lru_cache(maxsize=16)
def french_holidays(year):
    """French public holidays of `year` (the `holidays` library, kept current upstream)."""
    return holidays.France(years=year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in french_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (`start` itself never counts)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def pick_facilitator(*, territory, capteur=None, today: datetime.date):
    """The facilitator a new referral of `territory` (from `capteur`) goes to, or None.

    One query: the territory's available facilitators with their open referral counts.
    """
    candidates = list(
        Membership.objects.filter(territory=territory, role=Role.FACILITATOR, user__is_active=True)
        .filter(Q(unavailable_until__isnull=True) | Q(unavailable_until__lt=today))
        .annotate(
            open_referrals=Count(
                "user__assigned_referrals",
                filter=Q(
                    user__assigned_referrals__territory=territory,
                    user__assigned_referrals__status__in=OPEN_STATUSES,
                ),
            )
        )
        .select_related("user")
        .order_by("open_referrals", "created_at", "id")
    )
    if not candidates:
        return None
    referent_id = capteur.referent_id if capteur is not None else None
    for membership in candidates:
        if membership.user_id == referent_id:
            return membership.user
    return candidates[0].user
