"""The calendar months of a dashboard's period: the rows of its "by month" tables, each named in the reader's
language ("Mar 2026", "mar 2026"). The first and last months may be partial: a month's days are those of the
period."""

from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime, timedelta

from django.utils.formats import date_format


@dataclass(frozen=True)
class Month:
    first: Date  # the first day of the calendar month, as TruncMonth gives it
    start: Date  # the first day of it in the period
    end: Date  # the last day of it in the period

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        return date_format(self.first, "M Y")


def _next_first(day: Date) -> Date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def months_of(date_from: Date, date_to: Date) -> list[Month]:
    """The months from `date_from`'s to `date_to`'s, cut to the period (none when it is empty)."""
    months = []
    first = date_from.replace(day=1)
    while first <= date_to:
        following = _next_first(first)
        months.append(Month(first, max(first, date_from), min(following - timedelta(days=1), date_to)))
        first = following
    return months


def month_key(value) -> Date | None:
    """A TruncMonth value as a date (a datetime on some database backends, a date on others)."""
    return value.date() if isinstance(value, datetime) else value
