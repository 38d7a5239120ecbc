"""Fixtures of the customer invoice tests: an accountant, customers with their tax position, items taxed at
21 % and 10 %, a professional service withheld at 15 %, and confirmed sales orders whose delivered
quantities (and the cost of the goods delivered) are set as the delivery notes would leave them."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from nexo.catalog.models import Item, TaxCategory
from nexo.invoicing import services
from nexo.invoicing.services import InvoiceLineInput
from nexo.parties.models import Party
from nexo.parties.services import party_create
from nexo.sales.models import Delivery, DeliveryLine, SalesOrder, SalesOrderLine

D = Decimal
__all__ = [
    "_english", "accountant", "customer", "hand_invoice", "items", "make_customer", "make_order", "post",
]  # fmt: skip
DAY = date(2026, 3, 2)
ADDRESS = {"street": "Calle Colón 12", "postal_code": "46004", "city": "Valencia", "kind": "billing"}


@pytest.fixture(autouse=True)
def _english(english):
    """Messages are asserted in English; the Spanish catalogue has its own test."""


@pytest.fixture
def accountant(make_user, company):
    services.settings_of(company)  # made by the company's set-up (invoicing's setup_company)
    return make_user("contable", "accounting")


@pytest.fixture
def make_customer(company, sales_user):
    def make(name="Reformas Turia, S.L.", tax_id="B46000014", addresses=(ADDRESS,), country="ES", **position):
        party = party_create(
            company=company, by=sales_user, name=name, tax_id=tax_id, addresses=list(addresses),
            status="customer", country=country,
        )  # fmt: skip
        if position:  # the party form does not offer the tax position yet
            Party.objects.filter(pk=party.pk).update(**position)
            party.refresh_from_db()
        return party

    return make


@pytest.fixture
def customer(make_customer):
    return make_customer()


@pytest.fixture
def items(company, make_item):
    """A tile at 21 % (stocked), a book at 10 % (stocked), a consultancy hour at 21 % withheld at 15 %."""
    reduced = TaxCategory.objects.get(company=company, code="reducido")
    hour = make_item("HOUR-01", base_price="50.00", kind="service")
    Item.objects.filter(pk=hour.pk).update(irpf_rate=D("15"))  # the item form does not offer it yet
    hour.refresh_from_db()
    return {
        "tile": make_item("TILE-01", base_price="10.00"),
        "book": make_item("BOOK-01", base_price="20.00", sale_tax_id=reduced.pk),
        "hour": hour,
    }


@pytest.fixture
def make_order(company, sales_user, warehouse):
    """A confirmed order of (item, quantity, unit price, VAT %[, net]) lines; `delivered` per line (stocked
    lines), each delivery costing `unit_cost` a unit, written as a validated delivery note would."""
    counter = iter(range(1, 1000))

    def make(party, lines, *, delivered=None, unit_cost=D("4.00"), day=DAY):
        number = next(counter)
        net = sum((D(line[4]) if len(line) > 4 else D(line[1]) * D(line[2]) for line in lines), D(0))
        order = SalesOrder.objects.create(
            company=company, number=f"PV-2026-{number:05d}", party=party, salesperson=sales_user,
            warehouse=warehouse, date=day, currency="EUR", net=net, created_by=sales_user, updated_by=sales_user,
        )  # fmt: skip
        made = []
        for position, line in enumerate(lines, start=1):
            item, quantity, price, rate = line[:4]
            made.append(
                SalesOrderLine.objects.create(
                    order=order, position=position, item=item, description=item.name, quantity=D(quantity),
                    unit_price=D(price), tax_rate=D(rate),
                    net=D(line[4]) if len(line) > 4 else D(quantity) * D(price), unit_cost=unit_cost,
                )
            )  # fmt: skip
        if delivered:
            deliver_lines(order, made, delivered, unit_cost)
        return order

    def deliver_lines(order, lines, delivered, unit_cost):
        delivery = Delivery.objects.create(
            company=company, number=f"AL-{order.number}-{Delivery.objects.count() + 1}", order=order,
            party_id=order.party_id, warehouse=warehouse, date=order.date, state=Delivery.State.DONE,
            done_at=timezone.now(),
        )  # fmt: skip
        for line, quantity in zip(lines, delivered, strict=False):
            if not quantity:
                continue
            DeliveryLine.objects.create(
                delivery=delivery, order_line=line, item_id=line.item_id, quantity=D(quantity),
                unit_cost=unit_cost, cost=D(quantity) * unit_cost,
            )  # fmt: skip
            SalesOrderLine.objects.filter(pk=line.pk).update(
                delivered=D(quantity), delivered_cost=D(quantity) * unit_cost
            )

    make.deliver = deliver_lines
    return make


@pytest.fixture
def hand_invoice(company, accountant, customer):
    """A draft typed by hand: (quantity, unit price, VAT %) lines without item."""

    def make(lines, *, party=None, day=DAY, **options):
        return services.invoice_create(
            company=company, by=accountant, party_id=(party or customer).pk, date=day,
            lines=[InvoiceLineInput(None, f"Line {n}", D(q), D(p), vat_rate=D(r)) for n, (q, p, r) in enumerate(lines)],
            **options,
        )  # fmt: skip

    return make


@pytest.fixture
def post(company, accountant):
    def run(invoice):
        return services.invoice_post(company=company, by=accountant, invoice_id=invoice.pk)

    return run
