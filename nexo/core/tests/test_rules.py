from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexo.core.rules import InvalidTransition, is_zero, round_money, round_unit, transition

amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("-0.005", "-0.01"), ("2.675", "2.68"), ("1234.565", "1234.57")],
)
def test_round_money_is_half_up(amount, expected):
    assert round_money(Decimal(amount)) == Decimal(expected)


def test_round_unit_keeps_six_decimals():
    assert round_unit(Decimal("5.3333333333")) == Decimal("5.333333")
    assert round_unit(Decimal("0.0000005")) == Decimal("0.000001")


def test_round_money_refuses_float():
    with pytest.raises(TypeError):
        round_money(0.1)


@given(amounts)
def test_rounding_is_idempotent_and_within_half_a_cent(amount):
    rounded = round_money(amount)
    assert round_money(rounded) == rounded
    assert abs(rounded - amount) <= Decimal("0.005")


@given(amounts)
def test_is_zero_matches_rounding(amount):
    assert is_zero(amount) == (abs(amount) < Decimal("0.005"))


TABLE = {
    "draft": {"sent", "cancelled"},
    "sent": {"accepted", "cancelled"},
    "accepted": set(),
    "cancelled": set(),
}


def test_every_transition_of_a_table_is_allowed_or_refused():
    for current, targets in TABLE.items():
        for target in TABLE:
            if target in targets:
                assert transition(TABLE, current, target) == target
            else:
                with pytest.raises(InvalidTransition):
                    transition(TABLE, current, target)
