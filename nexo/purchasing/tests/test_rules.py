from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexo.purchasing.rules import (
    CANCELLED,
    CONFIRMED,
    DRAFT,
    ORDER_LIFECYCLE,
    PARTIALLY_RECEIVED,
    RECEIVABLE,
    RECEIVED,
    TaxLine,
    receipt_state,
    taxes_by_rate,
)

D = Decimal
DECISIONS = {(DRAFT, CONFIRMED), (DRAFT, CANCELLED), (CONFIRMED, CANCELLED)}
STATES = (DRAFT, CONFIRMED, PARTIALLY_RECEIVED, RECEIVED, CANCELLED)


@pytest.mark.parametrize("current", STATES)
@pytest.mark.parametrize("target", STATES)
def test_a_person_only_confirms_a_draft_or_cancels_before_anything_came_in(current, target):
    assert ORDER_LIFECYCLE.allows(current, target) == ((current, target) in DECISIONS)


def test_every_state_of_the_column_has_a_row():
    assert set(ORDER_LIFECYCLE.states) == set(STATES)


def test_goods_come_in_for_confirmed_and_partially_received_orders_only():
    assert set(RECEIVABLE) == {CONFIRMED, PARTIALLY_RECEIVED}


@pytest.mark.parametrize(
    ("ordered", "received", "state"),
    [
        ([D(10), D(5)], [D(0), D(0)], CONFIRMED),
        ([D(10), D(5)], [D(4), D(0)], PARTIALLY_RECEIVED),
        ([D(10), D(5)], [D(10), D("4.9999")], PARTIALLY_RECEIVED),
        ([D(10), D(5)], [D(10), D(5)], RECEIVED),
        ([D(10), D(5)], [D(12), D(5)], RECEIVED),  # an over-receipt
        ([D(10), D(5)], [D(30), D(0)], PARTIALLY_RECEIVED),  # more of one line does not make up for another
    ],
)
def test_the_receipt_state_follows_from_each_lines_quantities(ordered, received, state):
    assert receipt_state(ordered, received) == state


def test_the_tax_of_a_rate_is_computed_on_the_sum_of_its_bases_the_highest_rate_first():
    """Three lines of 0.15 at 10 % owe 0.05 together, not 3 times 0.02."""
    bases = [(D(10), D("0.15"))] * 3 + [(D(21), D("80.45"))]
    assert taxes_by_rate(bases) == (
        TaxLine(D(21), D("80.45"), D("16.89")),
        TaxLine(D(10), D("0.45"), D("0.05")),
    )
    assert taxes_by_rate([]) == ()


amounts = st.decimals(min_value=0, max_value=10**9, places=2)
rates = st.sampled_from([D(0), D(4), D(10), D(21)])


@given(st.lists(st.tuples(rates, amounts), max_size=30))
def test_taxes_by_rate_keep_every_base_and_round_each_rate_once(bases):
    taxes = taxes_by_rate(bases)
    assert sum((line.base for line in taxes), D(0)) == sum((base for _rate, base in bases), D(0))
    assert len({line.rate for line in taxes}) == len(taxes)
    for line in taxes:
        assert abs(line.tax - line.base * line.rate / 100) <= D("0.005")
