"""What every part of the demo's year shares: its seed and length, the currencies, and calendar and pack
arithmetic."""

import math
from datetime import date, timedelta

SEED = 2026
DAYS = 364  # the history starts this many days before today and ends yesterday
EUR, USD, GBP = "EUR", "USD", "GBP"
REVIEW_WEEKS = 2  # purchasing reviews each supplier every other week


def business_day(day: date, step: int = 1) -> date:
    """The day itself on a weekday, else the next one (the previous one with step=-1)."""
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


def months_between(start: date, day: date) -> int:
    """Calendar months from `start`'s month to `day`'s (0 in the same month)."""
    return (day.year - start.year) * 12 + day.month - start.month


def round_up(quantity: float, pack: int) -> int:
    """The quantity in whole packs, at least one."""
    return max(pack, math.ceil(quantity / pack - 1e-9) * pack)
