"""Sales orders: made by accepting a quotation (its lines and figures copied), their stocked lines
reserving stock in the quotation's warehouse on a draft delivery note."""

from collections.abc import Sequence

from django.utils import timezone

from nexo.catalog.models import Item
from nexo.core.models import User
from nexo.core.services import sequence_next
from nexo.inventory import services as inventory
from nexo.inventory.services import settings_of as inventory_settings
from nexo.sales import rules
from nexo.sales.models import Delivery, DeliveryLine, Quotation, SalesOrder, SalesOrderLine

# The origin of a delivery note's stock moves (inventory shows them as "Delivery note"): its draft moves are
# the order's reservation, posted when the delivery is validated.
DELIVERY_ORIGIN = "delivery"


def sales_order_from(quotation: Quotation, by: User) -> SalesOrder:
    """The confirmed sales order of an accepted quotation, numbered from the PV series, dated today, with
    the quotation's lines, figures and quoted costs; its stock reserved. Runs in the acceptance's
    transaction."""
    company, day = quotation.company, timezone.localdate()
    number = f"PV-{day.year}-{sequence_next(company_id=company.pk, series='PV', year=day.year):05d}"
    lines = list(quotation.lines.select_related("item"))
    # Its delivery and invoice states, from the lines as they start (nothing delivered or invoiced yet).
    figures = [
        rules.LineFulfilment(
            stocked=bool(line.item_id) and line.item.kind == Item.Kind.STOCKED, ordered=line.quantity
        )
        for line in lines
    ]
    order = SalesOrder.objects.create(
        delivery_state=rules.delivery_state(figures), invoice_state=rules.invoice_state(figures),
        company=company, number=number, quotation=quotation, party=quotation.party,
        opportunity_id=quotation.opportunity_id, salesperson_id=quotation.salesperson_id,
        warehouse=quotation.warehouse,
        date=day, currency=quotation.currency, payment_term_id=quotation.payment_term_id, net=quotation.net,
        tax=quotation.tax, total=quotation.total, cost=quotation.cost, margin=quotation.margin,
        taxes=quotation.taxes, created_by=by, updated_by=by,
    )  # fmt: skip
    order_lines = SalesOrderLine.objects.bulk_create([
        SalesOrderLine(
            order=order, quotation_line=line, position=line.position, item=line.item,
            description=line.description, quantity=line.quantity, unit_price=line.unit_price,
            discount=line.discount, tax_category_id=line.tax_category_id, tax_rate=line.tax_rate, net=line.net,
            unit_cost=line.unit_cost,
            cost_source=line.cost_source, margin=line.margin,
        )
        for line in lines
    ])  # fmt: skip
    _reserve(order, order_lines, by)
    return order


def delivery_number(company_id: int, day) -> str:
    """The next delivery note number of the AL series: AL-2026-00001 (gapless, inside the caller's transaction)."""
    return f"AL-{day.year}-{sequence_next(company_id=company_id, series='AL', year=day.year):05d}"


def delivery_origin(delivery: Delivery, order: SalesOrder) -> inventory.Origin:
    """What a delivery's moves name as their origin: the delivery, read with its order's number
    ("AL-2026-00001 (PV-2026-00012)"), so purchasing's suggestions and the moves list name the order."""
    return inventory.Origin(DELIVERY_ORIGIN, delivery.pk, f"{delivery.number} ({order.number})")


def stocked_lines(lines: Sequence[SalesOrderLine]) -> list[SalesOrderLine]:
    """The lines of goods kept in stock (services and free text are not delivered); one query at most, for
    lines whose item is not at hand."""
    unknown = {line.item_id for line in lines if line.item_id and "item" not in line._state.fields_cache}
    kinds = dict(Item.objects.filter(pk__in=unknown).values_list("pk", "kind")) if unknown else {}

    def kind(line: SalesOrderLine) -> str:
        if line.item_id in kinds:
            return kinds[line.item_id]
        return line.item.kind  # at hand: no query

    return [line for line in lines if line.item_id and kind(line) == Item.Kind.STOCKED]


def _reserve(order: SalesOrder, lines: Sequence[SalesOrderLine], by: User) -> Delivery | None:
    """The order's stocked lines reserve their quantity in its warehouse on a draft delivery note (AL
    series): one delivery line per stocked order line, each holding its draft move from the warehouse's stock
    location to the customers. Stock levels count those moves as reserved, purchase suggestions as demand;
    validating the delivery posts them. Services and free-text lines get no delivery line. Runs in the
    caller's transaction (the order is new, or locked by it)."""
    stocked = stocked_lines(lines)
    if not stocked:
        return None
    company = order.company
    delivery = Delivery.objects.create(
        company=company, number=delivery_number(company.pk, order.date), order=order, party_id=order.party_id,
        warehouse_id=order.warehouse_id, date=order.date, created_by=by, updated_by=by,
    )  # fmt: skip
    customers = inventory_settings(company).customer_location_id
    source = order.warehouse.stock_location_id
    moves = inventory.moves_create(
        company=company, by=by, date=order.date,
        lines=[inventory.MoveLine(line.item_id, line.quantity, source, customers) for line in stocked],
        origin=delivery_origin(delivery, order),
    )  # fmt: skip
    DeliveryLine.objects.bulk_create([
        DeliveryLine(
            delivery=delivery, order_line=line, position=index, item_id=line.item_id, quantity=line.quantity,
            move=move,
        )
        for index, (line, move) in enumerate(zip(stocked, moves, strict=True), start=1)
    ])  # fmt: skip
    return delivery
