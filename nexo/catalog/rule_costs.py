"""Price-list rules that sell under cost, for the list's page: each rule's price worked out for the items
it covers (the item of an item rule; every active item of a category rule's category and its
sub-categories; every active item for a rule on all items), at the rule's minimum quantity, today, and
compared with what those units cost (`catalog.costs`, as a quotation line is costed).

A rule is checked on its own, whatever rules win over it for some items: the question is what the rule
would charge where it applies. Its rounding and its margin floor count; its dates do not (a rule that
starts next month is checked too). A fixed number of queries whatever the rules and the items.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from nexo.catalog import costs, pricing, queries
from nexo.catalog.models import Item, PriceList, PriceRule
from nexo.catalog.rule_text import price_text
from nexo.core.formatting import number

COST_PLACES = 4  # unit costs are shown with 4 decimals
SHOWN_EXAMPLES = 3  # items named for a rule that covers many


@dataclass(frozen=True)
class Priced:
    """One item under a rule: the price the rule gives and what the units cost."""

    sku: str
    price: Decimal
    unit_cost: Decimal

    @property
    def under(self) -> bool:
        return self.price < self.unit_cost

    @property
    def price_text(self) -> str:
        return price_text(self.price)

    @property
    def cost_text(self) -> str:
        return number(self.unit_cost, COST_PLACES)


@dataclass
class RuleAgainstCost:
    """How a rule's prices compare with the costs of the items it covers."""

    covered: int = 0  # items the rule applies to
    priced: list[Priced] = field(default_factory=list)  # those whose price and cost are both known

    @property
    def under(self) -> list[Priced]:
        return [item for item in self.priced if item.under]

    @property
    def unknown(self) -> int:
        """Items whose price or cost could not be worked out (no cost to compare with, or to mark up)."""
        return self.covered - len(self.priced)

    @property
    def examples(self) -> list[Priced]:
        return self.under[:SHOWN_EXAMPLES]

    @property
    def more(self) -> int:
        """Items under cost beyond the examples named."""
        return max(0, len(self.under) - SHOWN_EXAMPLES)


def _covered_items(company, rules: Sequence[PriceRule]) -> list[Item]:
    """Every item a rule covers, in one query."""
    items = queries.items_of(company)
    if any(rule.scope == PriceRule.Scope.ALL for rule in rules):
        return list(items.filter(is_active=True))
    wanted = Q(pk__in=[rule.item_id for rule in rules if rule.scope == PriceRule.Scope.ITEM and rule.item_id])
    for rule in rules:
        if rule.scope == PriceRule.Scope.CATEGORY and rule.category_id:
            wanted |= Q(is_active=True, category__path__startswith=rule.category.path)
    return list(items.filter(wanted))


def _applies_to(rule: PriceRule, item: Item) -> bool:
    if rule.scope == PriceRule.Scope.ITEM:
        return rule.item_id == item.pk
    if rule.scope == PriceRule.Scope.CATEGORY:
        return (
            item.is_active
            and item.category_id is not None
            and rule.category_id in item.category.ancestor_ids()
        )
    return item.is_active


def rules_against_cost(
    company, price_list: PriceList, rules: Sequence[PriceRule], day: date
) -> dict[int, RuleAgainstCost]:
    """Each rule's prices against its items' costs, by rule id; empty when the list's currency is not the
    company's (prices and costs would not compare)."""
    if not rules or price_list.currency != company.currency:
        return {}
    items = _covered_items(company, rules)
    pairs = [(rule, item) for rule in rules for item in items if _applies_to(rule, item)]
    wanted = list(dict.fromkeys((item.pk, rule.min_quantity) for rule, item in pairs))
    unit_costs = {
        line: cost.unit_cost if cost is not None else None
        for line, cost in zip(wanted, costs.item_costs(company, wanted, day=day), strict=True)
    }
    base_ids = {rule.base_list_id for rule in rules if rule.base_list_id}
    lists = queries.pricing_lists(company, base_ids, item_ids=[item.pk for item in items]) if base_ids else {}
    answers = {rule.pk: RuleAgainstCost() for rule in rules}
    for rule, item in pairs:
        answer = answers[rule.pk]
        answer.covered += 1
        unit_cost = unit_costs[(item.pk, rule.min_quantity)]
        if unit_cost is None:
            continue
        price = _rule_price(rule, item, unit_cost, day, lists)
        if price is not None:
            answer.priced.append(Priced(item.sku, price, unit_cost))
    return answers


def _rule_price(rule: PriceRule, item: Item, unit_cost: Decimal, day: date, lists: dict) -> Decimal | None:
    """The price the rule alone gives the item at its minimum quantity (None: it gives none, e.g. a
    discount on a list that is inactive)."""
    alone = pricing.Rule(  # without its dates: checked whenever it applies
        id=rule.pk, scope=pricing.Scope(rule.scope), method=pricing.Method(rule.method), value=rule.value,
        min_quantity=rule.min_quantity, item_id=rule.item_id, category_id=rule.category_id,
        base_list_id=rule.base_list_id, rounding=rule.rounding, margin_floor=rule.margin_floor,
    )  # fmt: skip
    own_id = -rule.pk  # not a list id: the rule's list may be the base of its own base lists' rules
    facts = queries.item_facts([item], {item.pk: unit_cost})[item.pk]
    try:
        resolution = pricing.resolve(
            facts, rule.min_quantity, day, own_id, {**lists, own_id: pricing.PriceList(own_id, [alone])}
        )
    except pricing.PriceListLoop:
        return None
    return resolution.unit_price if resolution.rule is not None else None
