"""The dashboard's reads of the daily roll-up (backend.referrals.models.ReferralDay): the days
of a period it covers, and their figures summed."""

import datetime
from typing import Any

from django.db.models import Count, Min

from backend.dashboard.selectors.scope import Period, Scope
from backend.referrals.enums import ClosingReason
from backend.referrals.models import ReferralDay, ReferralDaysCovered


def split(scope: Scope) -> tuple[Period | None, Period]:
    """The scope's period as the days every territory of the scope has rolled up (None when
    there are none) and the days after them, to count from the rows themselves (today, at
    least; the whole period before the first roll-up). One query."""
    period = scope.period
    covered = (
        ReferralDaysCovered.objects.for_user(scope.user)
        .filter(territory_id__in=scope.territory_ids)
        .aggregate(through=Min("through"), territories=Count("pk"))
    )
    through = covered["through"]
    if (
        covered["territories"] < len(scope.territory_ids)
        or through is None
        or (through < period.start)
    ):
        return None, period
    rolled = Period(period.start, min(through, period.end))
    # Empty (start after end) when the roll-up covers the whole period.
    return rolled, Period(rolled.end + datetime.timedelta(days=1), period.end)


def rolled_up_figures(scope: Scope, rolled: Period) -> dict[str, Any]:
    """The roll-up's figures of the scope over `rolled`: the sums of ReferralDay.COUNTS,
    `closed_<reason>` for every closing reason, and `first_contact_delays` (microseconds, every
    referral's). One query."""
    figures: dict[str, Any] = dict.fromkeys(
        [*ReferralDay.COUNTS, *(f"closed_{reason}" for reason in ClosingReason.values)], 0
    )
    delays: list[int] = []
    for _territory, _day, *values, closed, day_delays in rolled_up_days(
        scope, rolled, *ReferralDay.COUNTS, "closed", "first_contact_delays"
    ):
        for name, value in zip(ReferralDay.COUNTS, values, strict=True):
            figures[name] += value
        for reason, count in closed.items():
            figures[f"closed_{reason}"] += count
        delays.extend(day_delays)
    figures["first_contact_delays"] = delays
    return figures


def rolled_up_days(scope: Scope, rolled: Period, *fields: str) -> list[tuple[Any, ...]]:
    """(territory id, day, *fields) of every roll-up row of the scope over `rolled`. One
    query."""
    return list(
        ReferralDay.objects.for_user(scope.user)
        .filter(territory_id__in=scope.territory_ids, day__gte=rolled.start, day__lte=rolled.end)
        .values_list("territory_id", "day", *fields)
    )
