"""Working days and French public holidays: the calendar every deadline and round is set on.

Used for referrals' first-contact due dates, quiet hours of SMS to people and the
planning of visits, so it sits at the bottom of the layers.
"""

import datetime
import functools

import holidays


@functools.lru_cache(maxsize=16)
def french_holidays(year: int) -> holidays.HolidayBase:
    """French public holidays of `year` (the `holidays` library, kept current upstream)."""
    # The typed entry point: holidays.France's own __init__ is untyped (*args, **kwargs).
    return holidays.country_holidays("FR", years=year)


def is_public_holiday(day: datetime.date) -> bool:
    return day in french_holidays(day.year)


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, except French public holidays."""
    return day.weekday() < 5 and not is_public_holiday(day)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (`start` itself never counts)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
