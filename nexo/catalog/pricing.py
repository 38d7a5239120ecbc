"""Price resolution, pure: which rule of a price list prices an item for a quantity on a date, and why.

docs/modules/catalog.md ("Price resolution"): the most specific scope wins (item > category, the nearest category first > all items);
among those, the highest minimum quantity reached; then the latest start date. No rule: the base price.
A price list is indexed once (`PriceList`), so resolving a line is a few dictionary look-ups.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from nexo.core.rules import round_unit

HUNDRED = Decimal(100)


class Scope(StrEnum):
    ITEM = "item"
    CATEGORY = "category"
    ALL = "all"


class Method(StrEnum):
    FIXED = "fixed"  # value is the unit price
    DISCOUNT_BASE = "discount_base"  # value % off the item's base sale price
    DISCOUNT_LIST = "discount_list"  # value % off the price another list gives
    MARKUP_COST = "markup_cost"  # value % on top of the item's cost


class PriceListLoop(ValueError):
    """A price list based, directly or through others, on itself."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    scope: Scope
    method: Method
    value: Decimal
    min_quantity: Decimal = Decimal(1)
    item_id: int | None = None
    category_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    base_list_id: int | None = None
    rounding: Decimal | None = None
    margin_floor: bool = False

    def applies_on(self, day: date) -> bool:
        return (self.date_from is None or self.date_from <= day) and (
            self.date_to is None or day <= self.date_to
        )


@dataclass(frozen=True, slots=True)
class ItemFacts:
    id: int
    base_price: Decimal
    categories: tuple[int, ...] = ()  # its category, then the ancestors: nearest first
    cost: Decimal | None = None
    min_margin: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Resolution:
    unit_price: Decimal
    rule: Rule | None  # None: the item's base price
    price_list_id: int | None
    losers: tuple[Rule, ...] = ()  # rules that also applied, in the order they lost
    floored: bool = False  # raised to the item's minimum margin


def _precedence(rule: Rule) -> tuple:
    # Highest minimum quantity first, then the latest start (no start is the oldest), then the lowest id.
    return (-rule.min_quantity, -(rule.date_from.toordinal() if rule.date_from else 0), rule.id)


@dataclass
class PriceList:
    """One price list's rules, indexed by scope and sorted by precedence."""

    id: int
    rules: Iterable[Rule]
    valid_from: date | None = None
    valid_to: date | None = None
    by_item: dict[int, list[Rule]] = field(init=False, default_factory=dict)
    by_category: dict[int, list[Rule]] = field(init=False, default_factory=dict)
    for_all: list[Rule] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        for rule in self.rules:
            if rule.scope is Scope.ITEM:
                self.by_item.setdefault(rule.item_id, []).append(rule)
            elif rule.scope is Scope.CATEGORY:
                self.by_category.setdefault(rule.category_id, []).append(rule)
            else:
                self.for_all.append(rule)
        for group in (*self.by_item.values(), *self.by_category.values(), self.for_all):
            group.sort(key=_precedence)

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def candidates(self, item: ItemFacts, quantity: Decimal, day: date) -> list[Rule]:
        """The rules that apply, best first: item rules, then each category from the nearest, then all."""
        groups = [
            self.by_item.get(item.id, ()),
            *(self.by_category.get(c, ()) for c in item.categories),
            self.for_all,
        ]
        return [r for group in groups for r in group if r.min_quantity <= quantity and r.applies_on(day)]


def round_to(price: Decimal, step: Decimal) -> Decimal:
    """To the nearest multiple of step (e.g. 0.05), half-up."""
    return (price / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def margin_floor(cost: Decimal, min_margin: Decimal) -> Decimal:
    """The lowest price whose margin on price (price - cost) / price reaches min_margin %."""
    return cost / (1 - min_margin / HUNDRED)


def resolve(
    item: ItemFacts,
    quantity: Decimal,
    day: date,
    price_list_id: int | None,
    lists: Mapping[int, PriceList],
    _seen: tuple[int, ...] = (),
) -> Resolution:
    """The unit price of `quantity` of `item` on `day` under a price list, and the rule that gave it."""
    if price_list_id in _seen:
        raise PriceListLoop(f"price list {price_list_id} is based on itself")
    price_list = lists.get(price_list_id) if price_list_id is not None else None
    if price_list is None or not price_list.valid_on(day):
        return Resolution(round_unit(item.base_price), None, price_list_id)
    candidates = price_list.candidates(item, quantity, day)
    for position, rule in enumerate(candidates):
        price = _price(rule, item, quantity, day, lists, (*_seen, price_list_id))
        if price is None:
            continue  # e.g. a markup on cost for an item without cost: the next rule decides
        floored = False
        if rule.rounding:
            price = round_to(price, rule.rounding)
        if rule.margin_floor and item.cost is not None and item.min_margin > 0 and item.min_margin < HUNDRED:
            floor = margin_floor(item.cost, item.min_margin)
            if price < floor:
                price, floored = floor, True
        return Resolution(round_unit(price), rule, price_list_id, tuple(candidates[position + 1 :]), floored)
    return Resolution(round_unit(item.base_price), None, price_list_id, tuple(candidates))


def _price(rule, item, quantity, day, lists, seen) -> Decimal | None:
    if rule.method is Method.FIXED:
        return rule.value
    if rule.method is Method.DISCOUNT_BASE:
        return item.base_price * (1 - rule.value / HUNDRED)
    if rule.method is Method.MARKUP_COST:
        return None if item.cost is None else item.cost * (1 + rule.value / HUNDRED)
    base = resolve(item, quantity, day, rule.base_list_id, lists, seen)
    return base.unit_price * (1 - rule.value / HUNDRED)


def loop_through(list_id: int, based_on: Mapping[int, Iterable[int]]) -> list[int] | None:
    """The chain of lists that leads back to list_id through "discount on another list" rules, or None."""
    stack = [(base, [list_id, base]) for base in based_on.get(list_id, ())]
    visited = set()
    while stack:
        current, path = stack.pop()
        if current == list_id:
            return path
        if current in visited:
            continue
        visited.add(current)
        stack.extend((base, [*path, base]) for base in based_on.get(current, ()))
    return None
