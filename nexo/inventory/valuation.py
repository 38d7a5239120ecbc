"""Stock valuation, pure: the balance of one item in one warehouse, moved one entry at a time. No Django.

docs/modules/inventory.md ("Valuation"). Every balance tracks what all four methods need, so any item can be costed under any
method (the quotation's comparison panel), while its inventory value follows its own method. Each
method is a strategy below (how a receipt and an issue change the value, the unit cost of what is on
hand, what it keeps), found by its name in one registry, `STRATEGIES`; the names are declared in
catalog.valuation_methods.

- FIFO is kept as cumulative quantities: each receipt is a layer covering the units
  `start … start + quantity` of everything ever received; everything ever issued is `issued`. The
  layers still open are those ending after `issued`, so a balance holds only those, never the history.
  The value of the first `x` units of a layer is `round_money(x * unit_cost)`; a part consumed costs
  the difference of two such values, so issue costs and remaining layers always add up exactly.
- average: avg = (q·avg + q_in·c_in) / (q + q_in) on receipt, issues at avg; kept as a value and
  derived as value / quantity so the average times what is on hand stays within a cent of the value.
- last purchase: the unit cost of the latest purchase receipt values everything on hand.
- standard: the item's standard cost values everything on hand.

Applying an entry costs the same whatever the length of the history: it reads the balance only.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from nexo.catalog import valuation_methods
from nexo.core.rules import round_money, round_unit

ZERO = Decimal(0)

# The method names as an enum (Method.FIFO == "fifo"), one member per declared name.
Method = StrEnum("Method", {name.upper(): name for name in valuation_methods.NAMES})


class NegativeQuantity(ValueError):
    """Entries move a positive quantity; the direction says in or out."""


@dataclass(frozen=True, slots=True)
class Layer:
    """A receipt's units in FIFO order: `start` is the quantity received before it, ever."""

    start: Decimal
    quantity: Decimal
    unit_cost: Decimal
    source: int | None = None  # the entry (stock move) that opened it, for provenance

    @property
    def end(self) -> Decimal:
        return self.start + self.quantity

    @property
    def value(self) -> Decimal:
        return round_money(self.quantity * self.unit_cost)

    def value_of_first(self, units: Decimal) -> Decimal:
        """The value of this layer's first `units` units."""
        return round_money(min(max(units, ZERO), self.quantity) * self.unit_cost)

    def left_after(self, issued: Decimal) -> Decimal:
        return min(max(self.end - issued, ZERO), self.quantity)

    def value_left_after(self, issued: Decimal) -> Decimal:
        return self.value - self.value_of_first(issued - self.start)


@dataclass(frozen=True, slots=True)
class Balance:
    """One item in one warehouse after some entries."""

    received: Decimal = ZERO  # every unit ever received
    issued: Decimal = ZERO  # every unit ever issued
    value: Decimal = ZERO  # by the item's method
    average_value: Decimal = ZERO  # by the average method, whatever the item's method
    average: Decimal = ZERO  # average_value / quantity, 6 decimals
    last_cost: Decimal | None = None  # the latest purchase receipt's unit cost
    # FIFO layers with units left (end > issued), oldest first. A caller may pass only the first few:
    # enough to cover what it is about to issue.
    layers: tuple[Layer, ...] = ()

    @property
    def quantity(self) -> Decimal:
        return self.received - self.issued

    def layers_value(self) -> Decimal:
        """The value of the units left in the layers held (all of them: the FIFO value)."""
        return sum((layer.value_left_after(self.issued) for layer in self.layers), ZERO)


@dataclass(frozen=True, slots=True)
class Step:
    """What one entry did: the balance after it, its value (signed) and its unit cost."""

    balance: Balance
    value: Decimal
    unit_cost: Decimal


@dataclass(frozen=True, slots=True)
class Portion:
    """Part of an issue and where its cost comes from: a FIFO layer (source = its entry) or beyond stock."""

    quantity: Decimal
    unit_cost: Decimal
    value: Decimal
    source: int | None


def _positive(quantity: Decimal) -> Decimal:
    if quantity <= 0:
        raise NegativeQuantity(f"quantity must be positive, got {quantity}")
    return quantity


def _open(layers: Iterable[Layer], issued: Decimal) -> tuple[Layer, ...]:
    return tuple(layer for layer in layers if layer.end > issued)


def fallback_cost(balance: Balance, standard_cost: Decimal | None) -> Decimal:
    """Cost for units beyond what is on hand: the average, else the last purchase, else standard."""
    for cost in (balance.average or None, balance.last_cost, standard_cost):
        if cost is not None:
            return cost
    return ZERO


def fifo_portions(balance: Balance, quantity: Decimal, beyond_cost: Decimal) -> list[Portion]:
    """The layers the next `quantity` units out would consume, oldest first, then what stock lacks."""
    portions = []
    start, end = balance.issued, balance.issued + quantity
    for layer in balance.layers:
        taken_from = max(start, layer.start)
        taken_to = min(end, layer.end)
        if taken_to <= taken_from:
            continue
        value = layer.value_of_first(taken_to - layer.start) - layer.value_of_first(taken_from - layer.start)
        portions.append(Portion(taken_to - taken_from, layer.unit_cost, value, layer.source))
    covered = sum((portion.quantity for portion in portions), ZERO)
    if covered < quantity:
        missing = quantity - covered
        portions.append(Portion(missing, beyond_cost, round_money(missing * beyond_cost), None))
    return portions


def _average_after_receipt(balance: Balance, quantity: Decimal, unit_cost: Decimal) -> Decimal:
    received_value = round_money(quantity * unit_cost)
    if balance.quantity >= 0:
        return balance.average_value + received_value
    # Units were owed: what arrives settles them at its own cost.
    return round_money((balance.quantity + quantity) * unit_cost)


def _average_of(value: Decimal, quantity: Decimal, previous: Decimal) -> Decimal:
    return round_unit(value / quantity) if quantity > 0 else previous


# The methods: one strategy each


class Strategy:
    """How one valuation method values what is on hand.

    `receipt_value` and `issue_value` give the value after an entry: `after` is the balance with every
    tracked figure moved (quantities, average, last cost, layers) but the value, still the one before.
    By default everything on hand is valued at the method's `unit_cost`."""

    name: str
    # What the method keeps beyond the balance row: FIFO its open layers, which the ledger reads before
    # an issue; the last-purchase method the latest purchase cost, which purchasing records per item.
    keeps_layers = False
    keeps_last_purchase = False

    def unit_cost(self, balance: Balance, standard_cost: Decimal | None) -> Decimal | None:
        """What each unit on hand is held at; None when there is no such cost (or, FIFO, one per layer)."""
        raise NotImplementedError

    def value(self, balance: Balance, standard_cost: Decimal | None) -> Decimal:
        per_unit = self.unit_cost(balance, standard_cost)
        return round_money(balance.quantity * (per_unit if per_unit is not None else ZERO))

    def receipt_value(
        self, before: Balance, after: Balance, layer: Layer, standard_cost: Decimal | None
    ) -> Decimal:
        return self.value(after, standard_cost)

    def issue_value(
        self, before: Balance, after: Balance, quantity: Decimal, standard_cost: Decimal | None
    ) -> Decimal:
        return self.value(after, standard_cost)

    def cost_on_hand(
        self, balance: Balance, quantity: Decimal, standard_cost: Decimal | None
    ) -> list[Portion]:
        """Where the cost of the next `quantity` units out comes from (all of them on hand)."""
        per_unit = self.unit_cost(balance, standard_cost)
        if per_unit is None:
            return []
        return [Portion(quantity, per_unit, round_money(quantity * per_unit), None)]


class AverageCost(Strategy):
    """Weighted average: kept as a value, so the average times what is on hand stays within a cent of it."""

    name = valuation_methods.AVERAGE

    def unit_cost(self, balance, standard_cost):
        return balance.average

    def value(self, balance, standard_cost):
        return balance.average_value


class Fifo(Strategy):
    """First in, first out: issues consume the oldest layers; what is left is valued layer by layer."""

    name = valuation_methods.FIFO
    keeps_layers = True

    def unit_cost(self, balance, standard_cost):
        return None  # each layer has its own

    def receipt_value(self, before, after, layer, standard_cost):
        if before.quantity >= 0:
            return before.value + layer.value
        if after.quantity >= 0:  # units were owed: only this layer has units left
            return layer.value_left_after(after.issued)
        return round_money(after.quantity * layer.unit_cost)

    def issue_value(self, before, after, quantity, standard_cost):
        beyond = fallback_cost(before, standard_cost)
        return before.value - sum(
            (portion.value for portion in fifo_portions(before, quantity, beyond)), ZERO
        )

    def cost_on_hand(self, balance, quantity, standard_cost):
        return fifo_portions(balance, quantity, ZERO)


class LastPurchase(Strategy):
    """The unit cost of the latest purchase receipt values everything on hand."""

    name = valuation_methods.LAST_PURCHASE
    keeps_last_purchase = True

    def unit_cost(self, balance, standard_cost):
        return balance.last_cost


class StandardCost(Strategy):
    """The item's standard cost values everything on hand."""

    name = valuation_methods.STANDARD

    def unit_cost(self, balance, standard_cost):
        return standard_cost


STRATEGIES: dict[str, Strategy] = {
    strategy.name: strategy for strategy in (AverageCost(), Fifo(), LastPurchase(), StandardCost())
}
if set(STRATEGIES) != set(valuation_methods.NAMES):
    raise RuntimeError("Every valuation method needs a strategy here, and only those methods.")


def strategy_of(method: str) -> Strategy:
    """The strategy of a method named in catalog.valuation_methods (an item's `valuation_method`)."""
    try:
        return STRATEGIES[method]
    except KeyError:
        raise ValueError(f"unknown valuation method {method!r}") from None


# Moving a balance


def receive(
    balance: Balance,
    *,
    method: str,
    quantity: Decimal,
    unit_cost: Decimal,
    is_purchase: bool = False,
    standard_cost: Decimal | None = None,
    source: int | None = None,
) -> Step:
    """Units come in at `unit_cost`: a FIFO layer opens, the average moves, a purchase sets the last cost."""
    quantity = _positive(quantity)
    unit_cost = round_unit(unit_cost)
    layer = Layer(balance.received, quantity, unit_cost, source)
    received = balance.received + quantity
    average_value = _average_after_receipt(balance, quantity, unit_cost)
    after = replace(
        balance,
        received=received,
        average_value=average_value,
        average=_average_of(average_value, received - balance.issued, unit_cost),
        last_cost=unit_cost if is_purchase or balance.last_cost is None else balance.last_cost,
        layers=_open((*balance.layers, layer), balance.issued),
    )
    value = strategy_of(method).receipt_value(balance, after, layer, standard_cost)
    after = replace(after, value=value)
    return Step(after, value - balance.value, unit_cost)


def issue(balance: Balance, *, method: str, quantity: Decimal, standard_cost: Decimal | None = None) -> Step:
    """Units go out at the method's cost; the step's value is minus the cost of what went out."""
    quantity = _positive(quantity)
    if quantity >= balance.quantity > 0:
        average_cost = balance.average_value + round_money((quantity - balance.quantity) * balance.average)
    else:
        average_cost = round_money(quantity * balance.average)
    issued = balance.issued + quantity
    average_value = balance.average_value - average_cost
    after = replace(
        balance,
        issued=issued,
        average_value=average_value,
        average=_average_of(average_value, balance.received - issued, balance.average),
        layers=_open(balance.layers, issued),
    )
    value = strategy_of(method).issue_value(balance, after, quantity, standard_cost)
    after = replace(after, value=value)
    cost = balance.value - value
    return Step(after, -cost, round_unit(cost / quantity))


def cost_on_hand(
    balance: Balance, *, method: str, quantity: Decimal, standard_cost: Decimal | None = None
) -> list[Portion]:
    """Where the cost of the next `quantity` units out would come from, as far as stock covers them.

    FIFO answers with the layers those units would consume (not only the oldest); the other methods with
    one portion at their unit cost. Units beyond what is on hand are the caller's (a supplier price).
    """
    covered = min(_positive(quantity), max(balance.quantity, ZERO))
    if covered <= 0:
        return []
    return strategy_of(method).cost_on_hand(balance, covered, standard_cost)
