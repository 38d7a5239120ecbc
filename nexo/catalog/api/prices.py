"""Batch price resolution: the unit price of each line of a document, the rule that gave it, and the line's
cost and margin at that price (costed as a quotation line is, `catalog.costs`)."""

import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.catalog import costs, pricing, queries
from nexo.catalog.api.schemas import QuantityIn
from nexo.catalog.models import PriceList
from nexo.core.api import Endpoints, Id, MoneyOut, PercentOut, PriceOut, QuantityOut, StrictSchema
from nexo.core.errors import ValidationFailed
from nexo.parties.models import Party

endpoints = Endpoints()


class PriceLineIn(StrictSchema):
    item_id: Id
    quantity: QuantityIn


class PricesIn(StrictSchema):
    party_id: Id | None = Field(None, description="Its own price list, else the company default")
    price_list_id: Id | None = Field(None, description="This list instead of the party's")
    date: datetime.date | None = Field(None, description="The day prices are for; defaults to today")
    lines: list[PriceLineIn] = Field(min_length=1, max_length=1000)


class PriceRuleBrief(Schema):
    id: int
    scope: str
    method: str
    value: PriceOut
    min_quantity: QuantityOut


class PricedLineOut(Schema):
    item_id: int
    sku: str
    quantity: QuantityOut
    base_price: PriceOut = Field(description="The item's base sale price")
    unit_price: PriceOut
    price_list_id: int | None = Field(description="The list that was applied")
    price_rule: PriceRuleBrief | None = Field(
        description="The rule that gave the price; null: the base price"
    )
    floored: bool = Field(description="Raised to the item's minimum margin on its cost")
    losers: list[int] = Field(description="Ids of the rules that also applied and lost, in order")
    unit_cost: PriceOut | None = Field(
        description="The unit cost for the quantity, as a quotation line is costed (the item's valuation "
        "method in the company's default warehouse, units not in stock at the best supplier price, else the "
        "standard cost); null: nothing to cost it with"
    )
    cost_sources: list[str] = Field(
        description="Where the cost came from, each part's source in order: fifo, average, last_purchase, "
        "standard, supplier_price; ['none'] without a cost"
    )
    valuation_method: str = Field(description="The item's valuation method")
    margin: MoneyOut | None = Field(
        description="quantity * unit_price - quantity * unit_cost, each rounded to cents; null without a cost "
        "or when the list's currency is not the company's"
    )
    margin_percent: PercentOut | None = Field(
        description="margin / (quantity * unit_price); null without one"
    )
    min_margin: PercentOut = Field(description="The item's minimum margin %")
    below_min_margin: bool = Field(description="The margin % is under the item's minimum margin")


class PricesOut(Schema):
    date: datetime.date
    price_list_id: int | None
    lines: list[PricedLineOut]


def _rule_brief(rule: pricing.Rule | None) -> dict | None:
    if rule is None:
        return None
    return {
        "id": rule.id, "scope": str(rule.scope), "method": str(rule.method), "value": rule.value,
        "min_quantity": rule.min_quantity,
    }  # fmt: skip


@endpoints.post(
    "/prices", PricesOut, perm=("catalog.view_item", "catalog.view_pricelist"),
    summary="Price a batch of lines: the unit price of each, and the rule that gave it",
    description="The list is `price_list_id`, else the party's own, else the company default. Each line "
    "names the winning rule (`price_rule`, null for the item's base price) and the rules that lost, "
    "and its cost and margin at that price: costed as a quotation line is (a markup on cost and the "
    "margin floor use that cost). The number of queries does not grow with the lines.",
)  # fmt: skip
def prices(request: HttpRequest, payload: PricesIn):
    company, unknown = request.company, _("Unknown %(what)s.")
    if (
        payload.party_id is not None
        and not Party.objects.filter(company=company, pk=payload.party_id).exists()
    ):
        raise ValidationFailed.on("party_id", unknown % {"what": "party"})
    if (
        payload.price_list_id is not None
        and not PriceList.objects.filter(company=company, pk=payload.price_list_id).exists()
    ):
        raise ValidationFailed.on("price_list_id", unknown % {"what": "price list"})
    day = payload.date or timezone.localdate()
    list_id = (
        payload.price_list_id
        if payload.price_list_id is not None
        else queries.price_list_of(company, payload.party_id)
    )
    wanted = [(line.item_id, line.quantity) for line in payload.lines]
    items = {item.pk: item for item in queries.items_of(company).filter(pk__in={pk for pk, _q in wanted})}
    missing = {
        f"lines.{index}.item_id": [unknown % {"what": "item"}]
        for index, (item_id, _quantity) in enumerate(wanted)
        if item_id not in items
    }
    if missing:
        raise ValidationFailed.from_fields(missing)
    lists = queries.pricing_lists(company, [list_id], item_ids=items)
    other_currency = list_id is not None and (
        PriceList.objects.filter(pk=list_id).values_list("currency", flat=True).first() != company.currency
    )
    lines = []
    # Each line priced with its own cost: one item quoted at two quantities may cost differently (FIFO).
    for (item_id, quantity), cost in zip(wanted, costs.item_costs(company, wanted, day=day), strict=True):
        item = items[item_id]
        unit_cost = cost.unit_cost if cost is not None else None
        facts = queries.item_facts([item], {item_id: unit_cost} if unit_cost is not None else None)[item_id]
        resolution = pricing.resolve(facts, quantity, day, list_id, lists)
        margin = None
        if unit_cost is not None and not other_currency:
            margin = costs.margin_at(quantity, resolution.unit_price, unit_cost, item.min_margin)
        lines.append(
            {
                "item_id": item_id,
                "sku": item.sku,
                "quantity": quantity,
                "base_price": item.base_price,
                "unit_price": resolution.unit_price,
                "price_list_id": resolution.price_list_id,
                "price_rule": _rule_brief(resolution.rule),
                "floored": resolution.floored,
                "losers": [rule.id for rule in resolution.losers],
                "unit_cost": unit_cost,
                "cost_sources": list(cost.sources) if cost is not None else ["none"],
                "valuation_method": item.valuation_method,
                "margin": margin.margin if margin else None,
                "margin_percent": margin.percent if margin else None,
                "min_margin": item.min_margin,
                "below_min_margin": bool(margin and margin.below_minimum),
            }
        )
    return {"date": day, "price_list_id": list_id, "lines": lines}
