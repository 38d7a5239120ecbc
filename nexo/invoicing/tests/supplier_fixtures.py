"""What the supplier invoice tests share: an accountant and a buyer, two suppliers, items at 21 % and 10 %
VAT, and purchase orders received in part."""

from datetime import date
from decimal import Decimal

import pytest

from nexo.catalog.models import TaxCategory
from nexo.invoicing import services
from nexo.parties.services import party_create
from nexo.purchasing import services as purchasing

D = Decimal


@pytest.fixture(autouse=True)
def _english(english):
    """Messages are asserted in English; the Spanish catalogue has its own test."""


@pytest.fixture
def accountant(make_user):
    return make_user("contable", "accounting")


@pytest.fixture
def buyer(make_user):
    return make_user("compras", "purchasing")


@pytest.fixture
def supplier(company, sales_user):
    return party_create(company=company, by=sales_user, name="Ferretería Mayorista, S.A.", is_supplier=True)


@pytest.fixture
def other_supplier(company, sales_user):
    return party_create(company=company, by=sales_user, name="Tornillos del Sur, S.L.", is_supplier=True)


@pytest.fixture
def items(company, make_item):
    """A hammer at 21 % VAT and a book of plans at 10 %."""
    reduced = TaxCategory.objects.get(company=company, code="reducido")
    return make_item("MART-01"), make_item("PLAN-01", purchase_tax_id=reduced.pk)


@pytest.fixture
def received_order(company, buyer, supplier, items, stock):
    """Ordered 10 hammers at 12.50 and 4 books at 7.25 on 5 January; 8 hammers and the 4 books received."""

    def make(day=date(2026, 1, 5), hammers=8, extra_lines=0, party=None):
        hammer, book = items
        lines = [
            {"item_id": hammer.pk, "quantity": D("10"), "unit_price": D("12.50")},
            {"item_id": book.pk, "quantity": D("4"), "unit_price": D("7.25")},
        ]
        lines += [
            {"item_id": book.pk, "quantity": D("1"), "unit_price": D("1.00")} for _ in range(extra_lines)
        ]
        order = purchasing.purchase_order_create(
            company=company, by=buyer, supplier_id=(party or supplier).pk, date=day, lines=lines
        )
        purchasing.purchase_order_confirm(company=company, by=buyer, order_id=order.pk)
        order_lines = list(order.lines.order_by("position"))
        quantities = {order_lines[0].pk: D(hammers), **{line.pk: line.quantity for line in order_lines[1:]}}
        purchasing.purchase_order_receive(
            company=company, by=buyer, order_id=order.pk, quantities=quantities, date=day
        )
        return order

    return make


def from_orders(company, accountant, *orders, number="A-101", day=date(2026, 1, 20)):
    return services.supplier_invoice_from_orders(
        company=company,
        by=accountant,
        order_ids=[order.pk for order in orders],
        supplier_number=number,
        date=day,
    )
