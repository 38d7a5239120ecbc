"""Sales orders: made by accepting a quotation (its lines and figures copied), their stocked lines
reserving stock in the quotation's warehouse as planned deliveries."""

from collections.abc import Sequence

from django.utils import timezone

from nexo.catalog.models import Item
from nexo.core.models import User
from nexo.core.services import sequence_next
from nexo.inventory import services as inventory
from nexo.inventory.services import settings_of as inventory_settings
from nexo.sales.models import Quotation, QuotationLine, SalesOrder, SalesOrderLine

# The origin of the draft moves that reserve an order's stock (inventory shows them as "Sales order").
RESERVATION_ORIGIN = "sales_order"


def sales_order_from(quotation: Quotation, by: User) -> SalesOrder:
    """The confirmed sales order of an accepted quotation, numbered from the PV series, dated today, with
    the quotation's lines, figures and quoted costs; its stock reserved. Runs in the acceptance's
    transaction."""
    company, day = quotation.company, timezone.localdate()
    number = f"PV-{day.year}-{sequence_next(company_id=company.pk, series='PV', year=day.year):05d}"
    lines = list(quotation.lines.select_related("item"))
    order = SalesOrder.objects.create(
        company=company, number=number, quotation=quotation, party=quotation.party,
        opportunity_id=quotation.opportunity_id, salesperson_id=quotation.salesperson_id,
        warehouse=quotation.warehouse,
        date=day, currency=quotation.currency, payment_terms=quotation.payment_terms, net=quotation.net,
        tax=quotation.tax, total=quotation.total, cost=quotation.cost, margin=quotation.margin,
        taxes=quotation.taxes, created_by=by, updated_by=by,
    )  # fmt: skip
    SalesOrderLine.objects.bulk_create([
        SalesOrderLine(
            order=order, quotation_line=line, position=line.position, item_id=line.item_id,
            description=line.description, quantity=line.quantity, unit_price=line.unit_price,
            discount=line.discount, tax_category_id=line.tax_category_id, tax_rate=line.tax_rate, net=line.net,
            unit_cost=line.unit_cost,
            cost_source=line.cost_source, margin=line.margin,
        )
        for line in lines
    ])  # fmt: skip
    _reserve(order, lines, by)
    return order


def _reserve(order: SalesOrder, lines: Sequence[QuotationLine], by: User) -> None:
    """The order's stocked lines reserve their quantity in its warehouse: each becomes a planned delivery
    (a draft move from the stock location to the customers) that the delivery will post. Stock levels count
    it as reserved, and purchase suggestions as demand."""
    stocked = [line for line in lines if line.item_id and line.item.kind == Item.Kind.STOCKED]
    if not stocked:
        return
    customers = inventory_settings(order.company).customer_location_id
    source = order.warehouse.stock_location_id
    inventory.moves_create(
        company=order.company, by=by, date=order.date,
        lines=[inventory.MoveLine(line.item_id, line.quantity, source, customers) for line in stocked],
        origin=inventory.Origin(RESERVATION_ORIGIN, order.pk, order.number),
    )  # fmt: skip
