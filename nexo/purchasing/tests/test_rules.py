from decimal import Decimal

import pytest

from nexo.purchasing.rules import (
    CANCELLED,
    CONFIRMED,
    DRAFT,
    ORDER_LIFECYCLE,
    PARTIALLY_RECEIVED,
    RECEIVABLE,
    RECEIVED,
    receipt_state,
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
