"""What goods cost to sell: `unit_cost_for` and `unit_costs_for`, for the margin of a quotation line.

docs/modules/purchasing.md ("Costing"): the cost follows the item's valuation method for the quantity quoted — FIFO: the layers those
units would consume; average: the current average; last purchase: the latest receipt; standard: the
standard cost — and units beyond what the warehouse holds cost the best supplier price for that quantity.
Each answer carries its working (parts with their source document and date) so a line can freeze it.
It lives in purchasing because it reads both the stock (inventory, below) and the supplier prices.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.catalog import valuation_methods
from nexo.catalog.models import Item
from nexo.core import plainsql
from nexo.core.models import Company
from nexo.core.rules import round_money, round_unit
from nexo.inventory import ledger, valuation
from nexo.inventory.models import StockMove
from nexo.inventory.services import settings_of
from nexo.purchasing.models import ItemPurchasing
from nexo.purchasing.queries import BestPrice, SupplierPriceTable

ZERO = Decimal(0)
SUPPLIER_PRICE = "supplier_price"
NO_COST = "none"
# The bases a quotation compares side by side.
COMPARISON_BASES = (
    valuation_methods.AVERAGE,
    valuation_methods.FIFO,
    valuation_methods.LAST_PURCHASE,
    SUPPLIER_PRICE,
)


@dataclass(frozen=True)
class CostPart:
    quantity: Decimal
    unit_cost: Decimal
    value: Decimal
    source: str  # fifo, average, last_purchase, standard, supplier_price, none
    reference: str = ""  # the receipt, the supplier price, the warehouse…
    date: Date | None = None


@dataclass(frozen=True)
class Cost:
    item_id: int
    quantity: Decimal
    basis: str  # the method (or supplier_price) asked for
    unit_cost: Decimal  # 6 decimals
    source: str  # where the cost came from: the basis when stock covered any of it, else supplier_price…
    parts: tuple[CostPart, ...]

    @property
    def value(self) -> Decimal:
        return sum((part.value for part in self.parts), ZERO)


def _cost_of_parts(item_id: int, quantity: Decimal, basis: str, parts: list[CostPart]) -> Cost:
    """The answer for a line whose parts are known: their total over the quantity, and where they came from."""
    total = sum((part.value for part in parts), ZERO)
    source = parts[0].source if parts else NO_COST
    return Cost(item_id, quantity, basis, round_unit(total / quantity), source, tuple(parts))


def _supplier_part(quantity: Decimal, best: BestPrice | None) -> CostPart | None:
    if best is None:
        return None
    price = best.price
    reference = price.supplier.name + (f" · {price.supplier_code}" if price.supplier_code else "")
    return CostPart(
        quantity,
        best.unit_cost,
        round_money(quantity * best.unit_cost),
        SUPPLIER_PRICE,
        reference,
        price.valid_from,
    )


class _Costing:
    """Everything needed to cost many lines, read in a fixed number of queries."""

    def __init__(
        self, company: Company, lines: Sequence[tuple[int, Decimal]], warehouse_id: int | None, day: Date
    ):
        self.warehouse_id = warehouse_id or settings_of(company).default_warehouse_id
        largest: dict[int, Decimal] = {}
        for item_id, quantity in lines:
            largest[item_id] = max(largest.get(item_id, ZERO), quantity)
        # Plain SQL reads (core.plainsql): a quotation is costed on every write, and building these
        # queries through the ORM cost more than running them.
        self.items = {item.pk: item for item in plainsql.select(Item, plainsql.among("id", largest), order_by=())}
        self.balances = ledger.balances_for(self.warehouse_id, largest)
        purchased = plainsql.both(plainsql.among("item_id", largest), ("last_purchase_cost IS NOT NULL", []))
        self.last_purchases = {
            record.item_id: record for record in plainsql.select(ItemPurchasing, purchased, order_by=())
        }
        sources = {layer.source for balance in self.balances.values() for layer in balance.layers}
        self.layer_moves = {
            move.pk: move
            for move in plainsql.select(StockMove, plainsql.among("id", [s for s in sources if s]), order_by=())
        }
        self.supplier_prices = SupplierPriceTable(company, largest, day)
        self._costs: dict[tuple[int, Decimal, str], Cost] = {}

    def best(self, item_id: int, quantity: Decimal) -> BestPrice | None:
        return self.supplier_prices.best(item_id, quantity)

    def stock_parts(self, item: Item, quantity: Decimal, method: str) -> list[CostPart]:
        """What stock covers of `quantity` under `method`, each part with the document it comes from."""
        balance = self.balances.get(item.pk, valuation.Balance())
        # The latest purchase as purchasing records it (any warehouse) answers before the warehouse's own.
        last_purchase = None
        if valuation.strategy_of(method).keeps_last_purchase:
            last_purchase = self.last_purchases.get(item.pk)
        if last_purchase is not None:
            balance = valuation.Balance(
                received=balance.received, issued=balance.issued, last_cost=last_purchase.last_purchase_cost
            )
        portions = valuation.cost_on_hand(
            balance, method=method, quantity=quantity, standard_cost=item.standard_cost
        )
        parts = []
        for portion in portions:
            reference, day = "", None
            if portion.source in self.layer_moves:  # a FIFO layer: the receipt that opened it
                move = self.layer_moves[portion.source]
                reference = move.origin_label or _("stock move %(id)s") % {"id": move.pk}
                day = move.date
            elif last_purchase is not None:
                reference, day = last_purchase.last_purchase_reference, last_purchase.last_purchase_date
            parts.append(CostPart(portion.quantity, portion.unit_cost, portion.value, method, reference, day))
        return parts

    def cost(self, item_id: int, quantity: Decimal, basis: str | None) -> Cost:
        basis = basis or self.items[item_id].valuation_method
        key = (item_id, quantity, basis)  # the item's own method is also one of the compared bases
        if key not in self._costs:
            self._costs[key] = self._cost_worked_out(item_id, quantity, basis)
        return self._costs[key]

    def _cost_worked_out(self, item_id: int, quantity: Decimal, basis: str) -> Cost:
        """The cost of one line, read from what was loaded (`cost` keeps each answer)."""
        item = self.items[item_id]
        if basis == SUPPLIER_PRICE:
            part = _supplier_part(quantity, self.best(item_id, quantity))
            return _cost_of_parts(item_id, quantity, basis, [part] if part else [])
        parts = self.stock_parts(item, quantity, basis) if item.kind == Item.Kind.STOCKED else []
        missing = quantity - sum((part.quantity for part in parts), ZERO)
        if missing > 0:
            part = _supplier_part(missing, self.best(item_id, missing))
            if part is None and item.standard_cost is not None:
                part = CostPart(
                    missing, item.standard_cost, round_money(missing * item.standard_cost),
                    valuation_methods.STANDARD,
                )  # fmt: skip
            if part is None:
                part = CostPart(missing, ZERO, ZERO, NO_COST)
            parts.append(part)
        return _cost_of_parts(item_id, quantity, basis, parts)


def unit_costs_for(
    company: Company,
    lines: Sequence[tuple[int, Decimal]],
    *,
    warehouse_id: int | None = None,
    bases: Iterable[str | None] = (None,),
    day: Date | None = None,
) -> list[dict[str | None, Cost]]:
    """Each (item, quantity) costed under each basis (None = the item's own method), in the lines' order.

    A fixed number of queries for the usual case, whatever the number of lines.
    """
    costing = _Costing(company, lines, warehouse_id, day or timezone.localdate())
    bases = tuple(bases)
    return [{basis: costing.cost(item_id, quantity, basis) for basis in bases} for item_id, quantity in lines]


def unit_cost_for(
    company: Company,
    item_id: int,
    quantity: Decimal,
    warehouse_id: int | None = None,
    method: str | None = None,
) -> Cost:
    """One item's unit cost for a quantity and its provenance; `method` None follows the item's method."""
    return unit_costs_for(company, [(item_id, quantity)], warehouse_id=warehouse_id, bases=(method,))[0][
        method
    ]
