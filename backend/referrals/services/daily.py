"""The daily roll-up of referral figures (models.ReferralDay) the dashboard's summary reads.

Every night, `referral_days_roll_up` counts, per territory, the days that ended since its last
run, from the referrals themselves (and the codes' scans, only ever added to today's row);
`referral_days_refresh` counts again the past days of a referral closed as a duplicate, in the
transaction that closes it. Nothing else changes a day
once it is over: a referral's dates (received, first contact, met, oriented, closed) are set
once, at the moment they happen, and its first contact is due on a later day than it came in.
So the rows stay exact, and a period of months is read in a few hundred rows instead of the
hundreds of thousands of referrals it holds.

Days are local (Europe/Paris), as the dashboard's periods. Idempotent: a day is counted again
rather than added to.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from backend.accounts.models import Territory
from backend.capteurs.enums import ScanSource
from backend.capteurs.models import CodeScanDay
from backend.referrals.enums import Status
from backend.referrals.models import Referral, ReferralDay, ReferralDaysCovered
from backend.referrals.selectors import LANDING_CHANNELS, NOT_DUPLICATE

logger = logging.getLogger(__name__)

DAY = datetime.timedelta(days=1)


def referral_days_roll_up(
    *,
    today: datetime.date | None = None,
    territory_ids: Iterable[int] | None = None,
    again: bool = False,
) -> int:
    """Counts every territory's days up to yesterday that are not counted yet (all of them the
    first time, or with `again`: after rows were written in the past, as the demo seed and the
    dataset generator do). `territory_ids`: only those. Returns how many days were counted.

    A month at a time, each in its own short transaction that moves the territory's coverage
    on: a first run over years of history never holds the territory's lock for long, and an
    interrupted run resumes where it stopped. A territory that fails is logged and left for
    the next night; the others go on."""
    today = today or timezone.localdate()
    territories = Territory.objects.order_by("id")
    if territory_ids is not None:
        territories = territories.filter(pk__in=list(territory_ids))
    counted = 0
    for territory_id in territories.values_list("id", flat=True):
        try:
            counted += _roll_up_territory(territory_id, through=today - DAY, again=again)
        except Exception:
            logger.exception("daily roll-up of territory %s failed", territory_id)
    return counted


def _roll_up_territory(territory_id: int, *, through: datetime.date, again: bool) -> int:
    if again:
        with transaction.atomic():
            _lock(territory_id)
            ReferralDay.objects.filter(territory_id=territory_id).delete()
            ReferralDaysCovered.objects.filter(pk=territory_id).delete()
    counted = 0
    while True:
        with transaction.atomic():
            _lock(territory_id)
            covered = (
                ReferralDaysCovered.objects.filter(pk=territory_id)
                .values_list("through", flat=True)
                .first()
            )
            first = covered + DAY if covered is not None else _first_day(territory_id)
            if first is None or first > through:
                # Nothing (more) to count: the coverage still moves on to `through`.
                ReferralDaysCovered.objects.update_or_create(
                    territory_id=territory_id, defaults={"through": through}
                )
                return counted
            last = min(through, first + CHUNK - DAY)
            days = _days_between(first, last)
            _write_days(territory_id, days)
            ReferralDaysCovered.objects.update_or_create(
                territory_id=territory_id, defaults={"through": last}
            )
            counted += len(days)
            if last == through:
                return counted


# Days counted in one transaction of the roll-up.
CHUNK = datetime.timedelta(days=31)


def _lock(territory_id: int) -> None:
    """The territory's row, locked until the transaction ends: the roll-up and a duplicate's
    recount of one territory take turns (a duplicate closed while its days are counted would
    otherwise stay in them), even before its first roll-up."""
    list(Territory.objects.select_for_update().filter(pk=territory_id).values_list("id"))


def referral_days_refresh(*, referral: Referral) -> None:
    """Counts again, from the referrals, the days of `referral` (received, first contacted,
    met, oriented, due) its territory's roll-up already covers. Call it inside the transaction
    that changed the referral, once saved: the counting then sees the change."""
    _lock(referral.territory_id)
    covered = (
        ReferralDaysCovered.objects.filter(pk=referral.territory_id)
        .values_list("through", flat=True)
        .first()
    )
    if covered is None:
        return
    dates = [
        local_day(moment)
        for moment in (
            referral.created_at,
            referral.first_contacted_at,
            referral.met_at,
            referral.oriented_at,
        )
        if moment is not None
    ]
    if referral.first_contact_due_on is not None:
        dates.append(referral.first_contact_due_on)
    days = sorted({day for day in dates if day <= covered})
    if days:
        _write_days(referral.territory_id, days)


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _first_day(territory_id: int) -> datetime.date | None:
    """The territory's first day with anything to count: its first referral or its codes'
    first scan (a poster may be scanned for weeks before anyone leaves their number)."""
    referral = (
        Referral.objects.filter(territory_id=territory_id)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    scan = (
        CodeScanDay.objects.filter(code__capteur__territory_id=territory_id)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )
    days = [day for day in (local_day(referral) if referral else None, scan) if day is not None]
    return min(days, default=None)


def _days_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + DAY * offset for offset in range((last - first).days + 1)]


def _spans(days: list[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """Sorted days as runs of consecutive days, (first, last) each."""
    spans: list[tuple[datetime.date, datetime.date]] = []
    for day in days:
        if spans and spans[-1][1] + DAY == day:
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


def _on_days(
    field_name: str, spans: list[tuple[datetime.date, datetime.date]], *, date: bool = False
) -> Q:
    """`field_name` falls on one of the spans' days: a datetime between local midnights, or a
    date (`date`)."""
    condition = Q()
    for first, last in spans:
        if date:
            condition |= Q(**{f"{field_name}__gte": first, f"{field_name}__lte": last})
        else:
            condition |= Q(
                **{
                    f"{field_name}__gte": _midnight(first),
                    f"{field_name}__lt": _midnight(last + DAY),
                }
            )
    return condition


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _write_days(territory_id: int, days: list[datetime.date]) -> None:
    """Replaces the rows of `days` with their figures counted from the referrals (day_figures)
    and the territory's codes' scans."""
    figures = day_figures(Referral.objects.filter(territory_id=territory_id), days)
    spans = _spans(days)
    for day, source, count in (
        CodeScanDay.objects.filter(_on_days("day", spans, date=True))
        .filter(code__capteur__territory_id=territory_id)
        .values("day", "source")
        .annotate(total=Sum("count"))
        .values_list("day", "source", "total")
        .order_by()
    ):
        # Every source in the total (short links too), QR codes and links on their own, as
        # the dashboard's scan counts (dashboard.selectors.scans).
        counts = figures.setdefault(day, _empty())
        counts["scans"] += count
        if source in (ScanSource.QR, ScanSource.LINK):
            counts[f"scans_{source}"] += count
    ReferralDay.objects.filter(territory_id=territory_id, day__in=days).delete()
    ReferralDay.objects.bulk_create(
        [
            ReferralDay(territory_id=territory_id, day=day, **values)
            for day, values in sorted(figures.items())
        ],
        batch_size=500,
    )


def day_figures(
    referrals: QuerySet[Referral], days: Iterable[datetime.date]
) -> dict[datetime.date, dict[str, Any]]:
    """The figures of ReferralDay for each of `days` (only those with one), counted from
    `referrals`. Six queries, each reading the days' rows from the index of its date."""
    spans = _spans(sorted(set(days)))
    figures: dict[datetime.date, dict[str, Any]] = defaultdict(_empty)
    if not spans:
        return {}
    people = referrals.filter(NOT_DUPLICATE)
    for day, received, from_landing in (
        people.filter(_on_days("created_at", spans))
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            received=Count("pk"),
            from_landing=Count("pk", filter=Q(channel__in=LANDING_CHANNELS)),
        )
        .values_list("day", "received", "from_landing")
        .order_by()
    ):
        figures[day].update(received=received, from_landing=from_landing)
    for created_at, first_contacted_at in (
        people.filter(_on_days("first_contacted_at", spans))
        .values_list("created_at", "first_contacted_at")
        .order_by("first_contacted_at")
    ):
        if first_contacted_at is None:  # never: filtered on it
            continue
        counts = figures[local_day(first_contacted_at)]
        counts["contacted"] += 1
        counts["first_contact_delays"].append(_microseconds(first_contacted_at - created_at))
    for moment in ("met_at", "oriented_at"):
        for day, count in (
            people.filter(_on_days(moment, spans))
            .annotate(day=TruncDate(moment))
            .values("day")
            .annotate(count=Count("pk"))
            .values_list("day", "count")
            .order_by()
        ):
            figures[day][moment.removesuffix("_at")] = count
    for due_on, due, on_time in (
        people.filter(_on_days("first_contact_due_on", spans, date=True))
        .annotate(first_contact_day=TruncDate("first_contacted_at"))
        .values("first_contact_due_on")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(first_contact_day__lte=F("first_contact_due_on"))),
        )
        .values_list("first_contact_due_on", "due", "on_time")
        .order_by()
    ):
        if due_on is not None:  # always: filtered on it
            figures[due_on].update(first_contact_due=due, first_contact_on_time=on_time)
    for day, reason, count in (
        referrals.filter(_on_days("closed_at", spans), status=Status.CLOSED)
        .annotate(day=TruncDate("closed_at"))
        .values("day", "closing_reason")
        .annotate(count=Count("pk"))
        .values_list("day", "closing_reason", "count")
        .order_by()
    ):
        figures[day]["closed"][reason] = count
    for values in figures.values():
        # Sorted: the dashboard merges the days' lists and sorts them for the median, and
        # sorting sorted runs is near linear.
        values["first_contact_delays"].sort()
    wanted = {day for first, last in spans for day in _days_between(first, last)}
    return {day: values for day, values in figures.items() if day in wanted}


def _empty() -> dict[str, Any]:
    return {**dict.fromkeys(ReferralDay.COUNTS, 0), "closed": {}, "first_contact_delays": []}


def _microseconds(delay: datetime.timedelta) -> int:
    return delay // datetime.timedelta(microseconds=1)
