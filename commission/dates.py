"""Date arithmetic in one place."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the month's last day (31 Aug + 6 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_end(start: datetime.date, months: int) -> datetime.date:
    """Last day of a term of `months` months starting on `start` (inclusive)."""
    return add_months(start, months) - datetime.timedelta(days=1)


def months_between(start: datetime.date, end_inclusive: datetime.date) -> int:
    """Whole months covered by a term from `start` to `end_inclusive`."""
    following = end_inclusive + datetime.timedelta(days=1)
    months = (following.year - start.year) * 12 + following.month - start.month
    if add_months(start, months) > following:
        months -= 1
    return months
