"""What an item costs, for the catalog's own pages (the price check, a price list's rules under cost).

The catalog sits below inventory and purchasing, so it never reads stock or supplier prices: it asks the
module that costs them through the `item_costs` hook (`core.modules.NexoModule`), which answers as a
quotation line would be costed (docs/modules/purchasing.md, "Costing"). The margin at a price is worked out
here, on plain values, the way a quotation line's is (sales.rules).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from nexo.core.models import Company
from nexo.core.modules import contributions
from nexo.core.rules import round_money, round_unit

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ItemCost:
    """An item's unit cost for a quantity, and where it came from."""

    item_id: int
    quantity: Decimal
    # 6 decimals; None: nothing to cost it with (no stock, no supplier price, no standard cost).
    unit_cost: Decimal | None
    method: str  # the item's valuation method (catalog.valuation_methods)
    sources: tuple[str, ...]  # each part's source in order: ("fifo", "supplier_price"), ("standard",)…
    warehouse: str = ""  # the warehouse whose stock was costed


@dataclass(frozen=True)
class Margin:
    """The margin of `quantity` units sold at a unit price, as a quotation line without discount has it."""

    unit_margin: Decimal  # unit price - unit cost, 6 decimals
    net: Decimal
    cost: Decimal
    margin: Decimal
    percent: Decimal | None  # on the net, 2 decimals; None without a net
    below_minimum: bool


def item_costs(
    company: Company, lines: Sequence[tuple[int, Decimal]], *, warehouse_id: int | None = None,
    day: date | None = None,
) -> list[ItemCost | None]:  # fmt: skip
    """Each (item id, quantity) costed by the module that costs stock; None each when none does."""
    for answer in contributions("item_costs", company, list(lines), warehouse_id=warehouse_id, day=day):
        return list(answer)
    return [None] * len(lines)


def margin_at(quantity: Decimal, unit_price: Decimal, unit_cost: Decimal, min_margin: Decimal) -> Margin:
    """Net and cost rounded once each (half-up, to cents), margin = net - cost, margin % = margin / net; under
    the minimum when the % is below the item's minimum margin (or there is no net to earn it on)."""
    net = round_money(quantity * unit_price)
    cost = round_money(quantity * unit_cost)
    margin = net - cost
    percent = round_money(margin * HUNDRED / net) if net else None
    below = percent is None or percent < min_margin
    return Margin(round_unit(unit_price - unit_cost), net, cost, margin, percent, below)
