from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from nexo.inventory import services


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the Spanish catalogue has its own test."""
    with translation.override("en"):
        yield


@pytest.fixture
def stock(company):
    """The company's inventory set-up: virtual locations and the default warehouse."""
    return services.inventory_setup(company=company)


@pytest.fixture
def warehouse(stock):
    return stock.default_warehouse


@pytest.fixture
def receive(company, warehouse_user, stock, warehouse):
    """Goods in from a supplier at a unit cost, done."""

    def move(item, quantity, unit_cost, day=date(2026, 1, 10), into=None):
        return services.stock_move_create(
            company=company, by=warehouse_user, item_id=item.pk, quantity=quantity,
            from_location_id=stock.supplier_location_id,
            to_location_id=(into or warehouse).stock_location_id,
            unit_cost=Decimal(unit_cost), date=day, done=True,
        )  # fmt: skip

    return move


@pytest.fixture
def deliver(company, warehouse_user, stock, warehouse):
    """Goods out to a customer, done."""

    def move(item, quantity, day=date(2026, 1, 20), out_of=None):
        return services.stock_move_create(
            company=company, by=warehouse_user, item_id=item.pk, quantity=quantity,
            from_location_id=(out_of or warehouse).stock_location_id,
            to_location_id=stock.customer_location_id, date=day, done=True,
        )  # fmt: skip

    return move
