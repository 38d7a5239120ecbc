from datetime import date
from decimal import Decimal

import pytest

from nexo.purchasing.costing import COMPARISON_BASES, unit_cost_for, unit_costs_for


@pytest.fixture
def stocked(make_item, receive, make_supplier_price):
    """Receipts 10 @ 5.00 and 10 @ 6.00 of an item per method, and a supplier price of 7.00."""

    def make(sku, method):
        item = make_item(sku, valuation_method=method, standard_cost=Decimal("5.20"))
        receive(item, 10, "5.00", date(2026, 1, 1))
        receive(item, 10, "6.00", date(2026, 1, 2))
        make_supplier_price(item, "7.00")
        return item

    return make


def test_fifo_costs_the_layers_the_quantity_would_consume(company, stocked):
    cost = unit_cost_for(company, stocked("CF-1", "fifo").pk, Decimal(15))
    assert (cost.unit_cost, cost.source, cost.value) == (Decimal("5.333333"), "fifo", Decimal("80.00"))
    assert [(part.quantity, part.unit_cost) for part in cost.parts] == [(10, 5), (5, 6)]
    assert all(part.reference and part.date for part in cost.parts)


def test_each_method_and_the_supplier_price_beyond_stock(company, stocked):
    item = stocked("CM-1", "average")
    (costs,) = unit_costs_for(company, [(item.pk, Decimal(15))], bases=(None, *COMPARISON_BASES, "standard"))
    assert costs[None].unit_cost == costs["average"].unit_cost == Decimal("5.5")
    assert costs["fifo"].unit_cost == Decimal("5.333333")
    assert costs["last_purchase"].unit_cost == Decimal("6")
    assert (costs["supplier_price"].unit_cost, costs["supplier_price"].source) == (
        Decimal("7"),
        "supplier_price",
    )
    assert costs["standard"].unit_cost == Decimal("5.2")
    beyond = unit_cost_for(company, item.pk, Decimal(25))  # 20 in stock at 5.50, 5 at the supplier's 7.00
    assert beyond.value == Decimal("145.00")
    assert [part.source for part in beyond.parts] == ["average", "supplier_price"]


def test_nothing_in_stock_and_no_supplier_price(company, make_item):
    cost = unit_cost_for(company, make_item("NC-1").pk, Decimal(3))
    assert (cost.unit_cost, cost.source) == (Decimal(0), "none")


def test_costing_many_lines_takes_a_fixed_number_of_queries(company, stocked, django_assert_max_num_queries):
    items = [
        stocked(f"CQ-{number}", method)
        for number, method in enumerate(["fifo", "average", "last_purchase"] * 3)
    ]
    lines = [(item.pk, Decimal(12)) for item in items]
    with django_assert_max_num_queries(9):
        results = unit_costs_for(company, lines, bases=(None, *COMPARISON_BASES))
    assert len(results) == 9
