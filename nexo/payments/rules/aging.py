"""Aging buckets and reminder levels, on plain dates and numbers (no Django: import-linter checks it).

A due amount is *not due* up to and including its due date; the day after, it is 1 day overdue. The buckets
are the Spanish practice's (and DOMAIN §9's): not due, 1-30, 31-60, 61-90 and over 90 days overdue.

Reminders climb one level at a time: a first reminder, a second, then a final notice; nothing after it."""

from datetime import date as Date
from datetime import timedelta

NOT_DUE, DAYS_1_30, DAYS_31_60, DAYS_61_90, OVER_90 = range(5)
BUCKETS = (NOT_DUE, DAYS_1_30, DAYS_31_60, DAYS_61_90, OVER_90)
#: The last day overdue of each bucket but the last (which has no end).
BUCKET_ENDS = (0, 30, 60, 90)

FIRST, SECOND, FINAL = 1, 2, 3
LEVELS = (FIRST, SECOND, FINAL)


def days_overdue(due_date: Date, at: Date) -> int:
    """Days between the due date and `at` (0 or less: not due yet)."""
    return (at - due_date).days


def bucket_of(due_date: Date, at: Date) -> int:
    """The bucket of a due amount at a date: NOT_DUE (0) … OVER_90 (4)."""
    late = days_overdue(due_date, at)
    for bucket, last_day in enumerate(BUCKET_ENDS):
        if late <= last_day:
            return bucket
    return OVER_90


def bucket_starts(at: Date) -> tuple[Date, Date, Date, Date]:
    """The earliest due date still in each of the first four buckets at `at`: a due amount whose due date
    is on or after `starts[k]` (and before `starts[k - 1]`) is in bucket k; before `starts[3]`: over 90.
    Databases compare due dates with these, so the buckets are the same in SQL as in `bucket_of`."""
    return tuple(at - timedelta(days=last_day) for last_day in BUCKET_ENDS)  # type: ignore[return-value]


class ReminderRefused(ValueError):
    """Why a due amount takes no further reminder."""


def next_level(current: int) -> int:
    """The level of the next reminder after `current` (0: none sent yet); refused past the final notice."""
    if current >= FINAL:
        raise ReminderRefused("final")
    return max(current, 0) + 1


def letter_level(levels) -> int:
    """A letter listing several due amounts speaks at the highest of their levels."""
    return max(levels)


__all__ = [
    "BUCKETS",
    "BUCKET_ENDS",
    "DAYS_1_30",
    "DAYS_31_60",
    "DAYS_61_90",
    "FINAL",
    "FIRST",
    "LEVELS",
    "NOT_DUE",
    "OVER_90",
    "SECOND",
    "ReminderRefused",
    "bucket_of",
    "bucket_starts",
    "days_overdue",
    "letter_level",
    "next_level",
]
