"""Stock valuation, pure: the balance of one item in one warehouse, moved one entry at a time. No Django.

DOMAIN §5. Every balance tracks what all four methods need, so any item can be costed under any
method (the quotation's comparison panel), while its inventory value follows its own method:

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

from nexo.core.rules import round_money, round_unit

ZERO = Decimal(0)


class Method(StrEnum):
    AVERAGE = "average"
    FIFO = "fifo"
    LAST_PURCHASE = "last_purchase"
    STANDARD = "standard"


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


def _value_by_method(
    method: Method, after: Balance, fifo_value: Decimal, standard_cost: Decimal | None
) -> Decimal:
    if method is Method.AVERAGE:
        return after.average_value
    if method is Method.FIFO:
        return fifo_value
    per_unit = after.last_cost if method is Method.LAST_PURCHASE else standard_cost
    return round_money(after.quantity * (per_unit if per_unit is not None else ZERO))


def receive(
    balance: Balance,
    *,
    method: Method,
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
    if balance.quantity >= 0:
        fifo_value = balance.value + round_money(quantity * unit_cost)
    elif after.quantity >= 0:  # units were owed: only this layer has units left
        fifo_value = layer.value_left_after(after.issued)
    else:
        fifo_value = round_money(after.quantity * unit_cost)
    value = _value_by_method(method, after, fifo_value, standard_cost)
    after = replace(after, value=value)
    return Step(after, value - balance.value, unit_cost)


def issue(
    balance: Balance, *, method: Method, quantity: Decimal, standard_cost: Decimal | None = None
) -> Step:
    """Units go out at the method's cost; the step's value is minus the cost of what went out."""
    quantity = _positive(quantity)
    beyond = fallback_cost(balance, standard_cost)
    fifo_cost = ZERO
    if method is Method.FIFO:
        fifo_cost = sum((portion.value for portion in fifo_portions(balance, quantity, beyond)), ZERO)
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
    value = _value_by_method(method, after, balance.value - fifo_cost, standard_cost)
    after = replace(after, value=value)
    cost = balance.value - value
    return Step(after, -cost, round_unit(cost / quantity))


def cost_on_hand(
    balance: Balance, *, method: Method, quantity: Decimal, standard_cost: Decimal | None = None
) -> list[Portion]:
    """Where the cost of the next `quantity` units out would come from, as far as stock covers them.

    FIFO answers with the layers those units would consume (not only the oldest); the other methods with
    one portion at their unit cost. Units beyond what is on hand are the caller's (a supplier price).
    """
    covered = min(_positive(quantity), max(balance.quantity, ZERO))
    if covered <= 0:
        return []
    if method is Method.FIFO:
        return fifo_portions(balance, covered, ZERO)
    per_unit = {
        Method.AVERAGE: balance.average,
        Method.LAST_PURCHASE: balance.last_cost,
        Method.STANDARD: standard_cost,
    }[method]
    if per_unit is None:
        return []
    return [Portion(covered, per_unit, round_money(covered * per_unit), None)]
