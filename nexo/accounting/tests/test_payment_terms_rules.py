"""The pure split of a total into due amounts: the parts add up to the total to the cent, none of the other
sign, whatever the total and the installments; due dates moved to the month's end, to the payer's payment
days and out of its holiday month."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexo.accounting.rules.payment_terms import (
    MAX_DAYS,
    MAX_INSTALLMENTS,
    Installment,
    TermError,
    TermSpec,
    amounts,
    check,
    due_date,
    parse_payment_days,
    split,
)

D = Decimal
THIRTY_SIXTY_NINETY = TermSpec((Installment(30), Installment(60), Installment(90)))
PAID_ON_5_AND_20 = TermSpec((Installment(30),), payment_days=(5, 20))


def test_thirty_sixty_ninety_on_100_leaves_the_odd_cent_to_the_last():
    assert amounts(D("100.00"), THIRTY_SIXTY_NINETY) == [D("33.33"), D("33.33"), D("33.34")]


def test_thirty_sixty_ninety_on_two_cents_gives_no_negative_part():
    assert amounts(D("0.02"), THIRTY_SIXTY_NINETY) == [D("0.01"), D("0.01"), D("0.00")]


def test_a_credit_note_splits_into_negative_parts():
    assert amounts(D("-100.00"), THIRTY_SIXTY_NINETY) == [D("-33.33"), D("-33.33"), D("-33.34")]


def test_percentages_first_then_equal_parts_of_what_they_leave():
    spec = TermSpec((Installment(0, D(40)), Installment(30), Installment(60)))
    assert amounts(D("1000.00"), spec) == [D("400.00"), D("300.00"), D("300.00")]
    halves = TermSpec((Installment(30, D(50)), Installment(60, D(50))))
    assert amounts(D("100.01"), halves) == [D("50.01"), D("50.00")]


def test_split_dates_each_installment_from_the_invoice_date():
    assert split(D("100.00"), date(2026, 1, 10), THIRTY_SIXTY_NINETY) == [
        (date(2026, 2, 9), D("33.33")),
        (date(2026, 3, 11), D("33.33")),
        (date(2026, 4, 10), D("33.34")),
    ]


def test_end_of_month_moves_the_due_date_to_the_months_last_day():
    spec = TermSpec((Installment(30),), end_of_month=True)
    assert due_date(date(2026, 1, 15), 30, spec) == date(2026, 2, 28)
    assert due_date(date(2028, 1, 15), 30, spec) == date(2028, 2, 29)  # a leap year
    assert due_date(date(2026, 3, 1), 30, spec) == date(2026, 3, 31)


def test_payment_days_5_and_20_take_the_next_one_on_or_after_the_due_date():
    assert due_date(date(2026, 1, 10), 30, PAID_ON_5_AND_20) == date(2026, 2, 20)  # 9 Feb → 20 Feb
    assert due_date(date(2026, 1, 21), 30, PAID_ON_5_AND_20) == date(2026, 2, 20)  # 20 Feb: a payment day
    assert due_date(date(2026, 1, 22), 30, PAID_ON_5_AND_20) == date(2026, 3, 5)  # 21 Feb → 5 Mar
    assert due_date(date(2026, 12, 1), 30, PAID_ON_5_AND_20) == date(2027, 1, 5)  # 31 Dec → 5 Jan


def test_a_payment_day_31_falls_on_the_last_day_of_february():
    spec = TermSpec((Installment(30),), payment_days=(5, 20, 31))
    assert due_date(date(2026, 1, 22), 30, spec) == date(2026, 2, 28)  # 21 Feb → the "31st" of February
    assert due_date(date(2028, 1, 22), 30, spec) == date(2028, 2, 29)
    assert due_date(date(2026, 2, 27), 30, spec) == date(2026, 3, 31)  # 29 Mar → 31 Mar


def test_nothing_falls_due_in_the_holiday_month():
    spec = TermSpec((Installment(45),))
    assert due_date(date(2026, 7, 1), 45, spec, holiday_month=8) == date(2026, 9, 1)
    assert due_date(date(2026, 7, 1), 45, PAID_ON_5_AND_20, holiday_month=8) == date(2026, 9, 5)
    assert due_date(date(2026, 6, 1), 30, spec, holiday_month=8) == date(2026, 7, 1)  # July: untouched
    august_end = TermSpec((Installment(30),), end_of_month=True)
    assert due_date(date(2026, 7, 10), 30, august_end, holiday_month=8) == date(2026, 9, 1)


def test_parse_payment_days_sorts_and_refuses_what_is_not_a_day():
    assert parse_payment_days("20, 5;5 ") == (5, 20)
    assert parse_payment_days("") == ()
    for text in ("32", "0", "5,x", "-1"):
        with pytest.raises(TermError):
            parse_payment_days(text)


@pytest.mark.parametrize(
    "spec",
    [
        TermSpec(()),
        TermSpec((Installment(30, D(60)), Installment(60, D(60)))),  # 120 %
        TermSpec((Installment(30, D(50)),)),  # 50 % and nothing for the rest
        TermSpec((Installment(MAX_DAYS + 1),)),
        TermSpec((Installment(30, D(0)), Installment(60))),
        TermSpec((Installment(30),), payment_days=(32,)),
        TermSpec(tuple(Installment(day) for day in range(MAX_INSTALLMENTS + 1))),
    ],
)
def test_a_term_that_cannot_split_is_refused(spec):
    with pytest.raises(TermError):
        check(spec)


@st.composite
def specs(draw) -> TermSpec:
    """Any valid term: 1 to 24 installments, some with a percentage (adding up to 100 when all have one,
    to less otherwise), month's end or not, payment days or not."""
    count = draw(st.integers(1, MAX_INSTALLMENTS))
    with_percent = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    days = draw(st.lists(st.integers(0, MAX_DAYS), min_size=count, max_size=count))
    fixed = [index for index, has in enumerate(with_percent) if has]
    equal = count - len(fixed)
    # Cents of 100 % shared among the fixed installments; leave some over when there are equal ones.
    budget = 10000 - (draw(st.integers(1, 9999)) if equal and fixed else 0)
    cents = {}
    left = budget
    for position, index in enumerate(fixed):
        remaining_slots = len(fixed) - position - 1
        if remaining_slots == 0 and not equal:
            share = left
        else:
            share = draw(st.integers(1, max(1, left - remaining_slots)))
        cents[index] = share
        left -= share
    installments = tuple(
        Installment(days[index], D(cents[index]) / 100 if index in cents else None) for index in range(count)
    )
    payment_days = tuple(sorted(draw(st.sets(st.integers(1, 31), max_size=4))))
    return TermSpec(installments, end_of_month=draw(st.booleans()), payment_days=payment_days)


# Generation is cheap, but a loaded machine stalls it now and then: that is not the rule's failure.
patient = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
totals = st.decimals(min_value=D("-99999999.99"), max_value=D("99999999.99"), places=2)


def _valid(spec: TermSpec) -> bool:
    try:
        check(spec)
    except TermError:
        return False
    return True


@patient
@given(total=totals, spec=specs())
def test_the_parts_add_up_to_the_total_to_the_cent_and_none_has_the_other_sign(total, spec):
    if not _valid(spec):  # a draw whose shares ran out (all cents given before the last fixed one)
        return
    parts = amounts(total, spec)
    assert len(parts) == len(spec.installments)
    assert sum(parts, D(0)) == total
    assert all(part == part.quantize(D("0.01")) for part in parts)
    assert all(part >= 0 for part in parts) if total >= 0 else all(part <= 0 for part in parts)


@patient
@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    spec=specs(),
    holiday=st.integers(1, 12),
)
def test_no_due_date_in_the_holiday_month_nor_before_its_days(start, spec, holiday):
    if not _valid(spec):
        return
    for installment in spec.installments:
        due = due_date(start, installment.days, spec, holiday)
        assert due.month != holiday
        assert due >= start + timedelta(days=installment.days)
        if spec.payment_days:
            # On one of the payer's days, or on a short month's last day for a 29, 30 or 31.
            last = (due.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            assert due.day in spec.payment_days or (due == last and max(spec.payment_days) > due.day)
