"""Purchasing answers the catalog's `item_costs` hook as it costs a quotation line: the price check names
every source of a cost made of stock and a supplier price, and costs the stock of the warehouse chosen."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nexo.catalog.costs import item_costs
from nexo.inventory import services as inventory
from nexo.parties.services import party_create
from nexo.purchasing import services

D = Decimal
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def item(company, sales_user, make_item, receive):
    """FIFO, 10 units at 5.00 in the default warehouse; the supplier sells it at 7.00."""
    item = make_item("MIX-1", base_price="9.00", valuation_method="fifo", min_margin=D(20))
    receive(item, 10, "5.00", date(2026, 1, 1))
    supplier = party_create(company=company, by=sales_user, name="Proveedor Uno", is_supplier=True)
    services.supplier_price_create(
        company=company, by=sales_user, item_id=item.pk, supplier_id=supplier.pk, unit_price=D("7.00")
    )
    return item


@pytest.fixture
def client(sales_user):
    client = Client()
    client.force_login(sales_user)
    return client


def test_a_cost_partly_from_stock_partly_from_a_supplier_names_both(company, warehouse, item, client):
    (cost,) = item_costs(company, [(item.pk, D(15))])
    # 10 x 5.00 from the FIFO layer + 5 x 7.00 from the supplier = 85.00 / 15.
    assert (cost.unit_cost, cost.sources, cost.method, cost.warehouse) == (
        D("5.666667"), ("fifo", "supplier_price"), "fifo", warehouse.name,
    )  # fmt: skip
    response = client.get(reverse("catalog:price_check"), {"item": item.pk, "quantity": "15"}, **EN)
    page = response.content.decode()
    assert "FIFO + Supplier price" in page and "5.6667" in page and warehouse.name in page


def test_the_price_check_costs_the_warehouse_chosen(company, warehouse_user, item, receive, client):
    other = inventory.warehouse_create(company=company, by=warehouse_user, code="VLC", name="Valencia")
    receive(item, 20, "8.00", date(2026, 1, 3), into=other)
    params = {"item": item.pk, "quantity": "15", "warehouse": other.pk}
    response = client.get(reverse("catalog:price_check"), params, **EN)
    check = response.context["check"]
    assert (check.cost.unit_cost, check.cost.sources, check.cost.warehouse) == (D("8"), ("fifo",), "Valencia")
    assert check.margin.below_minimum  # 9.00 on a cost of 8.00: 11.11 %
    page = response.content.decode()
    assert f'<option value="{other.pk}" selected>Valencia</option>' in page

    unknown = client.get(reverse("catalog:price_check"), params | {"warehouse": "999999"}, **EN)
    assert unknown.status_code == 422 and "warehouse" in unknown.context["form"].errors
