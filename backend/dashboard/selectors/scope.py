"""What a dashboard request covers: the user's territories (all, or one) and a period."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from backend.accounts.models import Territory, User
from backend.accounts.scoping import territories_for

# The default period of the dashboard: the current ISO week and the 11 before it.
DEFAULT_WEEKS = 12
# The longest period a dashboard request may ask for (a bound on the weekly chart's length).
MAX_PERIOD_DAYS = 3 * 366
# The default and longest ranges of months of the exports.
DEFAULT_MONTHS = 12
MAX_MONTHS = 60


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The instant `day` starts in the local time zone (Europe/Paris)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def as_local_date(value: datetime.date | datetime.datetime) -> datetime.date:
    """A truncated date as a date: Trunc* of a datetime gives an aware local midnight."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end`, both included, in local time."""

    start: datetime.date
    end: datetime.date

    @property
    def start_at(self) -> datetime.datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> datetime.datetime:
        """The first instant after the period (exclusive bound)."""
        return local_midnight(self.end + datetime.timedelta(days=1))

    def instants(self, field_name: str) -> Q:
        """`field_name` (a datetime) falls in the period."""
        return Q(**{f"{field_name}__gte": self.start_at, f"{field_name}__lt": self.end_at})

    def days(self, field_name: str) -> Q:
        """`field_name` (a date) falls in the period."""
        return Q(**{f"{field_name}__gte": self.start, f"{field_name}__lte": self.end})


def default_period(today: datetime.date) -> Period:
    """The current ISO week and the DEFAULT_WEEKS - 1 before it, up to `today`: whole weeks
    but the last, so the weekly chart starts on a Monday."""
    monday = today - datetime.timedelta(days=today.weekday())
    return Period(monday - datetime.timedelta(weeks=DEFAULT_WEEKS - 1), today)


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months after `month`'s (before, when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_period(first: datetime.date, last: datetime.date) -> Period:
    """The days from the first day of `first`'s month to the last day of `last`'s month."""
    return Period(first.replace(day=1), add_months(last, 1) - datetime.timedelta(days=1))


def default_months(today: datetime.date) -> Period:
    """The current month and the DEFAULT_MONTHS - 1 before it, as whole months."""
    this_month = today.replace(day=1)
    return month_period(add_months(this_month, -(DEFAULT_MONTHS - 1)), this_month)


def months_of(period: Period) -> list[datetime.date]:
    """The first day of every month that `period` touches, in order."""
    months = []
    month = period.start.replace(day=1)
    while month <= period.end:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass(frozen=True)
class Scope:
    """The territories a request covers (each with its settings loaded), over `period`, as of
    `now`. Every selector starts from `Model.objects.for_user(user)` and narrows it to these."""

    user: User
    territories: tuple[Territory, ...]
    period: Period
    now: datetime.datetime = field(default_factory=timezone.now)

    @property
    def territory_ids(self) -> list[int]:
        return [territory.id for territory in self.territories]

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)


def user_territories(*, user: User, territory_id: int | None = None) -> list[Territory]:
    """The territories `user` is a member of, or just `territory_id` among them (one query).

    Raises Http404 when `territory_id` is not one of them, whether it exists or not: another
    territory is simply not found, as its objects are.
    """
    territories = territories_for(user).order_by("name", "id")
    if territory_id is not None:
        territories = territories.filter(pk=territory_id)
    found = list(territories)
    if territory_id is not None and not found:
        raise Http404
    return found
