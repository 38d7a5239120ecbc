"""The price engine, pure: the order of docs/modules/catalog.md, the methods, rounding, floors, loops; Hypothesis properties."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexo.catalog.pricing import (
    ItemFacts,
    Method,
    PriceList,
    PriceListLoop,
    Rule,
    Scope,
    loop_through,
    margin_floor,
    resolve,
    round_to,
)  # fmt: skip

D = Decimal
DAY = date(2026, 11, 29)
TAP = ItemFacts(id=1, base_price=D("100.00"), categories=(12, 10), cost=D("60.00"), min_margin=D("25"))


def rule(rule_id, scope=Scope.ALL, method=Method.DISCOUNT_BASE, value="10", **fields):
    return Rule(id=rule_id, scope=scope, method=method, value=D(value), **fields)


def price(rules, item=TAP, quantity="1", day=DAY, list_id=1, others=()):
    lists = {list_id: PriceList(list_id, rules), **{pl.id: pl for pl in others}}
    return resolve(item, D(quantity), day, list_id, lists)


def test_no_rule_gives_the_base_price():
    result = price([])
    assert result.unit_price == D("100.000000") and result.rule is None


def test_item_beats_category_beats_all_and_the_nearest_category_wins():
    rules = [
        rule(1, Scope.ALL, value="5"),
        rule(2, Scope.CATEGORY, value="10", category_id=10),
        rule(3, Scope.CATEGORY, value="12", category_id=12),
        rule(4, Scope.ITEM, method=Method.FIXED, value="80", item_id=1),
    ]
    result = price(rules)
    assert result.rule.id == 4 and result.unit_price == D("80")
    assert [loser.id for loser in result.losers] == [3, 2, 1]
    assert price(rules[:3]).rule.id == 3 and price(rules[:3]).unit_price == D("88.000000")


def test_the_highest_minimum_quantity_reached_then_the_latest_start():
    rules = [
        rule(1, value="15"),
        rule(2, value="20", min_quantity=D(50)),
        rule(3, value="17", date_from=date(2026, 1, 1)),
        rule(4, value="30", date_from=date(2027, 1, 1)),  # not started yet
    ]
    assert price(rules, quantity="10").rule.id == 3
    assert price(rules, quantity="50").rule.id == 2
    assert price(rules, quantity="49.9").rule.id == 3


def test_rules_and_lists_outside_their_dates_do_not_apply():
    expired = rule(1, value="50", date_to=date(2026, 6, 30))
    assert price([expired]).rule is None
    lists = {1: PriceList(1, [rule(2, value="50")], valid_to=date(2026, 1, 1))}
    assert resolve(TAP, D(1), DAY, 1, lists).rule is None


def test_discount_on_another_list_and_markup_on_cost():
    distributors = PriceList(2, [rule(20, value="15"), rule(21, value="20", min_quantity=D(50))])
    preferred = [rule(1, method=Method.DISCOUNT_LIST, value="5", base_list_id=2)]
    assert price(preferred, quantity="10", others=[distributors]).unit_price == D(
        "80.750000"
    )  # 100 * 0.85 * 0.95
    assert price(preferred, quantity="60", others=[distributors]).unit_price == D("76.000000")
    assert price([rule(1, method=Method.MARKUP_COST, value="40")]).unit_price == D("84.000000")


def test_markup_without_cost_falls_to_the_next_rule():
    no_cost = ItemFacts(id=1, base_price=D("100"), cost=None)
    rules = [rule(1, Scope.ITEM, Method.MARKUP_COST, "40", item_id=1), rule(2, value="10")]
    assert price(rules, item=no_cost).rule.id == 2


def test_rounding_and_margin_floor():
    assert round_to(D("8.12"), D("0.05")) == D("8.10") and round_to(D("8.125"), D("0.05")) == D("8.15")
    assert price([rule(1, value="18.77", rounding=D("0.05"))]).unit_price == D("81.250000")
    # 60 cost at 25 % minimum margin: never below 80.
    floored = price([rule(1, value="30", margin_floor=True)])
    assert floored.unit_price == D("80.000000") and floored.floored
    assert margin_floor(D(60), D(25)) == D(80)


def test_a_list_based_on_itself_is_found():
    assert loop_through(1, {1: {2}, 2: {3}, 3: {1}}) == [1, 2, 3, 1]
    assert loop_through(1, {1: {2}, 2: {3}}) is None
    assert loop_through(1, {1: {1}}) == [1, 1]
    looping = PriceList(1, [rule(1, method=Method.DISCOUNT_LIST, value="5", base_list_id=1)])
    with pytest.raises(PriceListLoop):
        resolve(TAP, D(1), DAY, 1, {1: looping})


quantities = st.decimals(min_value=D("0.0001"), max_value=D(10_000), places=4)
rule_specs = st.lists(
    st.tuples(
        st.sampled_from([Scope.ITEM, Scope.CATEGORY, Scope.ALL]),
        st.sampled_from([D(1), D(5), D(10), D(50), D(100)]),
        st.decimals(min_value=D(0), max_value=D(100), places=2),
    ),
    min_size=1,
    max_size=12,
)


def _rules(specs):
    rules = []
    for index, (scope, min_quantity, value) in enumerate(specs, start=1):
        extra = (
            {"item_id": 1} if scope is Scope.ITEM else {"category_id": 10} if scope is Scope.CATEGORY else {}
        )
        rules.append(Rule(index, scope, Method.DISCOUNT_BASE, value, min_quantity=min_quantity, **extra))
    return rules


@given(rule_specs, quantities)
def test_resolution_is_deterministic_whatever_the_order_of_the_rules(specs, quantity):
    rules = _rules(specs)
    first = price(rules, quantity=quantity)
    again = price(list(reversed(rules)), quantity=quantity)
    assert (first.unit_price, first.rule) == (again.unit_price, again.rule)


@given(rule_specs, quantities)
def test_an_item_rule_that_applies_always_wins(specs, quantity):
    rules = _rules(specs)
    result = price(rules, quantity=quantity)
    applicable_item_rules = [r for r in rules if r.scope is Scope.ITEM and r.min_quantity <= quantity]
    if applicable_item_rules:
        assert result.rule.scope is Scope.ITEM


@given(rule_specs, quantities, quantities)
def test_more_quantity_never_picks_a_lower_break_of_the_same_scope(specs, low, high):
    low, high = min(low, high), max(low, high)
    rules = _rules(specs)
    before, after = price(rules, quantity=low), price(rules, quantity=high)
    if before.rule and after.rule and before.rule.scope is after.rule.scope:
        assert after.rule.min_quantity >= before.rule.min_quantity
