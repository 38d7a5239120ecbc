"""Payment terms as pure rules: the due dates of an invoice and the split of its total into installments
whose parts always add up to the total to the cent, none of them of the other sign (30-60-90 on 100.00:
33.33, 33.33, 33.34; on 0.02: 0.01, 0.01, 0.00). No Django here."""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal

from nexo.core.rules import round_money

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
MAX_INSTALLMENTS = 24
MAX_DAYS = 730


class TermError(ValueError):
    """A term that cannot split a total (percentages over 100, a payment day of 32…): the message says why."""


@dataclass(frozen=True)
class Installment:
    """Due `days` after the invoice date; `percent` of the total, or None: an equal part of what is left."""

    days: int
    percent: Decimal | None = None


@dataclass(frozen=True)
class TermSpec:
    installments: tuple[Installment, ...] = (Installment(0),)
    end_of_month: bool = False
    payment_days: tuple[int, ...] = field(default_factory=tuple)


def parse_payment_days(text: str) -> tuple[int, ...]:
    """ "5, 20" → (5, 20); refused (TermError) unless each is a day 1-31, sorted, without repeats."""
    parts = [part.strip() for part in (text or "").replace(";", ",").replace(" ", ",").split(",")]
    days = []
    for part in parts:
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 31:
            raise TermError(f"{part!r} is not a day of the month (1-31)")
        days.append(int(part))
    return tuple(sorted(set(days)))


def check(spec: TermSpec) -> None:
    """Raise TermError when the term cannot split a total."""
    if not spec.installments:
        raise TermError("a payment term needs at least one installment")
    if len(spec.installments) > MAX_INSTALLMENTS:
        raise TermError(f"at most {MAX_INSTALLMENTS} installments")
    fixed = ZERO
    for installment in spec.installments:
        if not 0 <= installment.days <= MAX_DAYS:
            raise TermError(f"days must be between 0 and {MAX_DAYS}")
        if installment.percent is not None:
            if installment.percent <= 0:
                raise TermError("each percentage must be over 0")
            fixed += installment.percent
    equal = sum(1 for installment in spec.installments if installment.percent is None)
    if fixed > HUNDRED or (not equal and fixed != HUNDRED):
        raise TermError("the percentages must add up to 100 (or leave a part for the equal installments)")
    for day in spec.payment_days:
        if not 1 <= day <= 31:
            raise TermError(f"{day} is not a day of the month (1-31)")


def _month_end(day: Date) -> Date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month_start(day: Date) -> Date:
    return _month_end(day) + timedelta(days=1)


def _on_payment_day(day: Date, payment_days: Sequence[int]) -> Date:
    """The first of the payer's payment days on or after `day` (a 30 or 31 in a shorter month: its last day)."""
    month = day
    for _ in range(3):
        last = calendar.monthrange(month.year, month.month)[1]
        for wanted in payment_days:
            candidate = month.replace(day=min(wanted, last))
            if candidate >= day:
                return candidate
        month = _next_month_start(month)
    return day  # unreachable with at least one payment day


def due_date(start: Date, days: int, spec: TermSpec, holiday_month: int | None = None) -> Date:
    """`start` plus `days`, moved to the month's end (if the term says so), then to the next payment day,
    then out of the party's holiday month (to the first payment day after it)."""
    day = start + timedelta(days=days)
    if spec.end_of_month:
        day = _month_end(day)
    if spec.payment_days:
        day = _on_payment_day(day, spec.payment_days)
    if holiday_month and day.month == holiday_month:
        day = _next_month_start(day)
        if spec.payment_days:
            day = _on_payment_day(day, spec.payment_days)
    return day


def amounts(total: Decimal, spec: TermSpec) -> list[Decimal]:
    """The total split by the installments: percentages first, equal parts of what they leave, the last
    installment taking the rest; every part of the total's sign (or zero), and they add up to the total."""
    check(spec)
    sign = -1 if total < 0 else 1
    whole = abs(total)
    equal_count = sum(1 for installment in spec.installments if installment.percent is None)
    fixed = {
        position: round_money(whole * installment.percent / HUNDRED)
        for position, installment in enumerate(spec.installments)
        if installment.percent is not None
    }
    left_for_equal = max(whole - sum(fixed.values(), ZERO), ZERO)
    equal_part = round_money(left_for_equal / equal_count) if equal_count else ZERO
    parts: list[Decimal] = []
    remaining = whole
    last = len(spec.installments) - 1
    for position in range(len(spec.installments)):
        part = remaining if position == last else min(fixed.get(position, equal_part), remaining)
        parts.append(part)
        remaining -= part
    return [round_money(sign * part) for part in parts]


def split(
    total: Decimal, start: Date, spec: TermSpec, holiday_month: int | None = None
) -> list[tuple[Date, Decimal]]:
    """(due date, amount) per installment, in installment order; the amounts add up to `total`."""
    parts = amounts(total, spec)
    return [
        (due_date(start, installment.days, spec, holiday_month), part)
        for installment, part in zip(spec.installments, parts, strict=True)
    ]


__all__ = [
    "Installment",
    "TermError",
    "TermSpec",
    "amounts",
    "check",
    "due_date",
    "parse_payment_days",
    "split",
]
