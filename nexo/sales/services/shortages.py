"""Buying a sales order's shortages: each line short of stock is bought from the supplier, and at the price,
its frozen cost came from (docs/modules/sales.md, "Shortages")."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.formatting import number
from nexo.core.models import Company, User
from nexo.core.validation import locked
from nexo.purchasing import services as purchasing
from nexo.purchasing.costing import SUPPLIER_PRICE
from nexo.purchasing.models import ItemPurchasing, PurchaseOrder
from nexo.purchasing.queries import BestPrice, SupplierPriceTable
from nexo.sales import queries
from nexo.sales.models import SalesOrder, SalesOrderLine


@dataclass(frozen=True)
class Bought:
    """One line's shortage as bought: how many, from whom, at what price, and whether that is the supplier
    price its cost was frozen from (`from_frozen_cost`) or the preferred supplier's current price."""

    line: SalesOrderLine
    quantity: Decimal
    purchase_order: PurchaseOrder
    unit_price: Decimal
    currency: str
    from_frozen_cost: bool


def _frozen_supplier_price(
    line: SalesOrderLine, table: SupplierPriceTable, quantity: Decimal
) -> tuple[BestPrice, Decimal] | None:
    """The supplier price a line's frozen cost came from, with the unit cost it was frozen at: the part
    costed at a supplier price names the supplier (and its code); the same unit cost is preferred, else that
    supplier's best price today."""
    quotation_line = line.quotation_line
    parts = quotation_line.cost_parts if quotation_line is not None else []
    part = next((part for part in parts or [] if part.get("source") == SUPPLIER_PRICE), None)
    if part is None:
        return None
    named = [
        best
        for best in table.prices.get(line.item_id, ())
        if best.supplier.name + (f" · {best.price.supplier_code}" if best.price.supplier_code else "")
        == part.get("reference")
    ]
    same_cost = [best for best in named if str(best.unit_cost) == str(Decimal(part.get("unit_cost") or 0))]
    for candidates in (same_cost, named):
        reached = [best for best in candidates if best.price.min_quantity <= quantity] or candidates
        if reached:
            return min(reached, key=lambda best: (best.unit_cost, best.price.pk)), Decimal(part["unit_cost"])
    return None


def _current_price(
    line: SalesOrderLine, table: SupplierPriceTable, preferred: dict[int, int], quantity: Decimal
):
    """The preferred supplier's price today for the quantity, else the best supplier price."""
    supplier_id = preferred.get(line.item_id)
    if supplier_id is not None:
        found = table.best(line.item_id, quantity, supplier_id=supplier_id)
        if found is None:  # under every price break: its smallest one
            found = min(
                (
                    best
                    for best in table.prices.get(line.item_id, ())
                    if best.price.supplier_id == supplier_id
                ),
                key=lambda best: (best.price.min_quantity, best.unit_cost, best.price.pk),
                default=None,
            )
        if found is not None:
            return found
    return table.best(line.item_id, quantity)


def sales_order_buy_shortages(
    *, company: Company, by: User, order_id: int, line_ids: list[int] | None = None
) -> list[Bought]:
    """Draft purchase order lines for what the order's lines (or the chosen ones) are short of: from the
    supplier and at the price their frozen cost came from (a supplier price names its supplier; a cost from
    stock — FIFO, average, last purchase, standard — buys from the item's preferred supplier at its current
    price), one draft per supplier, warehouse and currency (an existing draft gets the lines), each line
    naming the sales order line and the unit cost it was costed at. The order's row lock makes a second
    click find the shortage already being bought."""
    with transaction.atomic():
        order = locked(SalesOrder, company=company, pk=order_id, missing=_("No such sales order."))
        if order.state == SalesOrder.State.DONE:  # fully invoiced: locked
            raise Conflict(
                _("Sales order %(order)s is fully invoiced and locked: nothing more is bought for it.")
                % {"order": order.number}
            )
        if order.state != SalesOrder.State.CONFIRMED:
            raise Conflict(_("The sales order is %(state)s: nothing is bought for it.") % {
                "state": order.get_state_display()
            })  # fmt: skip
        lines = list(order.lines.select_related("item", "quotation_line").order_by("position", "pk"))
        if line_ids is not None:
            known = {line.pk for line in lines}
            unknown = [line_id for line_id in line_ids if line_id not in known]
            if unknown:
                raise ValidationFailed.on("line_ids", _("The order has no line %(id)s.") % {"id": unknown[0]})
            lines = [line for line in lines if line.pk in set(line_ids)]
        queries.with_supply(company, order, lines)
        short = [line for line in lines if line.to_buy > 0]
        if not short:
            raise Conflict(_("Nothing on this order is short of stock: there is nothing to buy."))
        item_ids = {line.item_id for line in short}
        table = SupplierPriceTable(company, item_ids)
        preferred = dict(
            ItemPurchasing.objects.filter(company=company, item_id__in=item_ids, preferred_supplier__isnull=False)
            .values_list("item_id", "preferred_supplier_id")
        )  # fmt: skip
        chosen: dict[tuple[int, str], list[tuple[SalesOrderLine, BestPrice, bool, Decimal | None]]] = {}
        for line in short:
            # What the margin assumed for the units bought: the supplier part's cost, else the line's.
            frozen = _frozen_supplier_price(line, table, line.to_buy)
            from_frozen = frozen is not None
            best, costed = frozen or (_current_price(line, table, preferred, line.to_buy), line.unit_cost)
            if best is None:
                raise ValidationFailed.on(
                    "line_ids",
                    _("%(sku)s has no supplier price: add one before buying its shortage.")
                    % {"sku": line.item.sku},
                )
            key = (best.price.supplier_id, best.price.currency)
            chosen.setdefault(key, []).append((line, best, from_frozen, costed))
        bought: list[Bought] = []
        for (supplier_id, currency), group in sorted(chosen.items()):
            purchase_order = purchasing.purchase_lines_for_origins(
                company=company, by=by, supplier_id=supplier_id, warehouse_id=order.warehouse_id,
                currency=currency,
                lines=[
                    purchasing.OriginLine(
                        item_id=line.item_id, quantity=line.to_buy, unit_price=best.price.unit_price,
                        supplier_price_id=best.price.pk, origin_type=queries.ORDER_LINE_ORIGIN,
                        origin_id=line.pk, origin_label=order.number, origin_unit_cost=costed,
                    )
                    for line, best, _frozen, costed in group
                ],
            )  # fmt: skip
            bought.extend(
                Bought(line, line.to_buy, purchase_order, best.price.unit_price, currency, frozen)
                for line, best, frozen, _costed in group
            )
        return bought


def bought_text(bought: Bought) -> str:
    """One line's purchase in words, for the page's message."""
    values = {
        "quantity": number(bought.quantity), "sku": bought.line.item.sku,
        "supplier": bought.purchase_order.supplier.name, "price": number(bought.unit_price, 2),
        "currency": bought.currency,
    }  # fmt: skip
    if bought.from_frozen_cost:
        return (
            _(
                "%(quantity)s of %(sku)s from %(supplier)s at %(price)s %(currency)s, the price it was costed with"
            )
            % values
        )
    return (
        _(
            "%(quantity)s of %(sku)s from %(supplier)s at %(price)s %(currency)s, the preferred supplier's current "
            "price (its cost came from stock)"
        )
        % values
    )
