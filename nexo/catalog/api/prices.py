"""Batch price resolution: the unit price of each line of a document, and the rule that gave it."""

import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.catalog import pricing, queries
from nexo.catalog.api.schemas import QuantityIn
from nexo.catalog.models import PriceList
from nexo.core.api import Endpoints, Id, PriceOut, QuantityOut, StrictSchema
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
    "names the winning rule (`price_rule`, null for the item's base price) and the rules that lost. "
    "The number of queries does not grow with the lines.",
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
    priced = queries.price_lines(
        company, [(line.item_id, line.quantity) for line in payload.lines], day=day, price_list_id=list_id
    )
    found = {line.item.pk for line in priced}
    missing = {
        f"lines.{index}.item_id": [unknown % {"what": "item"}]
        for index, line in enumerate(payload.lines)
        if line.item_id not in found
    }
    if missing:
        raise ValidationFailed.from_fields(missing)
    return {
        "date": day,
        "price_list_id": list_id,
        "lines": [
            {
                "item_id": line.item.pk,
                "sku": line.item.sku,
                "quantity": line.quantity,
                "base_price": line.item.base_price,
                "unit_price": line.resolution.unit_price,
                "price_list_id": line.resolution.price_list_id,
                "price_rule": _rule_brief(line.resolution.rule),
                "floored": line.resolution.floored,
                "losers": [rule.id for rule in line.resolution.losers],
            }
            for line in priced
        ],
    }
