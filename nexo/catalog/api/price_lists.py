"""Price lists with their rules, the company default, and the list a party buys with."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.catalog import queries, services
from nexo.catalog.api.schemas import QuantityIn
from nexo.catalog.models import PartyPricing, PriceList, PriceRule
from nexo.core.api import (
    Endpoints,
    Id,
    Limit,
    Offset,
    PriceOut,
    QuantityOut,
    RecordId,
    StrictSchema,
    decimal_in,
    page_of,
    positive_pattern,
)
from nexo.core.errors import NotFound
from nexo.parties.models import Party

endpoints = Endpoints()

RuleValueIn = decimal_in(
    max_digits=16, places=6, ge=0, pattern=r"^\d{1,10}(\.\d{1,6})?$", example="15",
    about="fixed: the unit price; discount_base / discount_list: the % off (0 to 100); "
    "markup_cost: the % on top of cost. A decimal string ≥ 0.",
)  # fmt: skip
RoundingIn = decimal_in(
    max_digits=10, places=6, gt=0, pattern=positive_pattern(4, 6), example="0.05",
    about="Round the price to a multiple of this step (half-up), e.g. 0.05.",
)  # fmt: skip
ListName = Annotated[str, Field(min_length=1, max_length=100)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")]
Scope = Literal["item", "category", "all"]
Method = Literal["fixed", "discount_base", "discount_list", "markup_cost"]


class PriceRuleIn(StrictSchema):
    scope: Scope = Field(description="item: one item (item_id); category: a category and its subtree; all")
    item_id: Id | None = None
    category_id: Id | None = None
    min_quantity: QuantityIn = Field(Decimal(1), description="Applies from this quantity on")
    date_from: date | None = None
    date_to: date | None = None
    method: Method
    value: RuleValueIn
    base_list_id: Id | None = Field(None, description="The list a discount_list rule discounts")
    rounding: RoundingIn | None = None
    margin_floor: bool = Field(False, description="Never below the item's minimum margin on its cost")


class PriceRulePatch(StrictSchema):
    # Fields left out keep their value; item, category, dates, base list and rounding may be set to null.
    scope: Scope = None
    item_id: Id | None = None
    category_id: Id | None = None
    min_quantity: QuantityIn = None
    date_from: date | None = None
    date_to: date | None = None
    method: Method = None
    value: RuleValueIn = None
    base_list_id: Id | None = None
    rounding: RoundingIn | None = None
    margin_floor: bool = None


class PriceRuleOut(Schema):
    id: int
    price_list_id: int
    scope: str
    item_id: int | None
    category_id: int | None
    min_quantity: QuantityOut
    date_from: date | None
    date_to: date | None
    method: str
    value: PriceOut
    base_list_id: int | None
    rounding: PriceOut | None
    margin_floor: bool


class PriceListIn(StrictSchema):
    name: ListName
    currency: Currency | None = Field(None, description="Defaults to the company's")
    valid_from: date | None = None
    valid_to: date | None = None
    tax_included: bool = False
    is_active: bool = True
    is_default: bool = Field(False, description="Make it the company default (customers without their own)")


class PriceListPatch(StrictSchema):
    # Fields left out keep their value; only the validity dates may be set to null.
    name: ListName = None
    currency: Currency = None
    valid_from: date | None = None
    valid_to: date | None = None
    tax_included: bool = None
    is_active: bool = None
    is_default: bool = Field(None, description="true: the company default; false: no default any more")


class PriceListOut(Schema):
    id: int
    name: str
    currency: str
    valid_from: date | None
    valid_to: date | None
    tax_included: bool
    is_active: bool
    is_default: bool
    rule_count: int


class PriceListDetail(PriceListOut):
    rules: list[PriceRuleOut]


class PriceListList(Schema):
    count: int
    items: list[PriceListOut]


def _price_lists(request: HttpRequest):
    """The company's price lists with what PriceListOut shows: whether each is the default, its rules."""
    default_id = services.settings_of(request.company).default_price_list_id
    return PriceList.objects.filter(company=request.company).annotate(
        is_default=ExpressionWrapper(Q(pk=default_id or 0), output_field=BooleanField()),
        rule_count=Count("rules"),
    )


def _price_list(request: HttpRequest, price_list_id: int) -> PriceList:
    price_list = (
        _price_lists(request)
        .prefetch_related(Prefetch("rules", queryset=PriceRule.objects.order_by("id")))
        .filter(pk=price_list_id)
        .first()
    )
    if price_list is None:
        raise NotFound(_("No such price list."))
    return price_list


def _set_default(request: HttpRequest, price_list_id: int, is_default: bool | None) -> None:
    """true: the list becomes the company default; false: if it was, the company has no default any more."""
    if is_default:
        services.price_list_set_default(company=request.company, price_list_id=price_list_id)
    elif is_default is False and services.settings_of(request.company).default_price_list_id == price_list_id:
        services.price_list_set_default(company=request.company, price_list_id=None)


@endpoints.get("/price-lists", PriceListList, perm="catalog.view_pricelist", summary="List the price lists")
def price_list_list(
    request: HttpRequest, is_active: bool | None = None, limit: Limit = 50, offset: Offset = 0
):
    queryset = _price_lists(request)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    count, items = page_of(queryset.order_by("name", "pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


@endpoints.post(
    "/price-lists", PriceListDetail, perm="catalog.add_pricelist", idempotent=True, read=_price_list,
    summary="Create a price list (add its rules at /price-lists/{id}/rules)",
)  # fmt: skip
def price_list_create(request: HttpRequest, payload: PriceListIn):
    fields = payload.model_dump(exclude={"is_default"}, exclude_none=True)
    price_list = services.price_list_create(company=request.company, by=request.user, **fields)
    _set_default(request, price_list.pk, payload.is_default)
    return price_list.pk


@endpoints.get(
    "/price-lists/{price_list_id}", PriceListDetail, summary="Read a price list with its rules",
    perm=("catalog.view_pricelist", "catalog.view_pricerule"),
)  # fmt: skip
def price_list_read(request: HttpRequest, price_list_id: RecordId):
    return _price_list(request, price_list_id)


@endpoints.patch(
    "/price-lists/{price_list_id}", PriceListDetail, perm="catalog.change_pricelist", read=_price_list,
    summary="Change a price list",
)  # fmt: skip
def price_list_update(request: HttpRequest, price_list_id: RecordId, payload: PriceListPatch):
    fields = payload.model_dump(exclude_unset=True)
    is_default = fields.pop("is_default", None)
    services.price_list_update(
        company=request.company, price_list_id=price_list_id, by=request.user, **fields
    )
    _set_default(request, price_list_id, is_default)
    return price_list_id


# Rules: the services answer with the rule as saved, which is all PriceRuleOut shows.


@endpoints.post(
    "/price-lists/{price_list_id}/rules", PriceRuleOut, perm="catalog.add_pricerule", idempotent=True,
    summary="Add a rule to a price list",
    description="422 for a discount over 100 %, a minimum quantity ≤ 0, a rule without the item or "
    "category its scope needs, or a list based (directly or through others) on itself.",
)  # fmt: skip
def price_rule_create(request: HttpRequest, price_list_id: RecordId, payload: PriceRuleIn):
    return services.price_rule_create(
        company=request.company, price_list_id=price_list_id, by=request.user, **payload.model_dump()
    )


@endpoints.patch(
    "/price-rules/{rule_id}", PriceRuleOut, perm="catalog.change_pricerule", summary="Change a price rule"
)
def price_rule_update(request: HttpRequest, rule_id: RecordId, payload: PriceRulePatch):
    return services.price_rule_update(
        company=request.company, rule_id=rule_id, by=request.user, **payload.model_dump(exclude_unset=True)
    )


@endpoints.delete(
    "/price-rules/{rule_id}", None, perm="catalog.delete_pricerule", summary="Delete a price rule"
)
def price_rule_delete(request: HttpRequest, rule_id: RecordId):
    services.price_rule_delete(company=request.company, rule_id=rule_id)


# A party's own price list


class PartyPriceListIn(StrictSchema):
    price_list_id: Id | None = Field(description="null: the company default again")


class PartyPriceListOut(Schema):
    party_id: int
    price_list_id: int | None = Field(description="The party's own price list, or null")
    effective_price_list_id: int | None = Field(
        description="The list its prices come from: its own or the default"
    )


def _party_price_list(request: HttpRequest, party_id: int) -> dict:
    if not Party.objects.filter(company=request.company, pk=party_id).exists():
        raise NotFound(_("No such party."))
    own = PartyPricing.objects.filter(party_id=party_id).values_list("price_list_id", flat=True).first()
    return {
        "party_id": party_id,
        "price_list_id": own,
        "effective_price_list_id": queries.price_list_of(request.company, party_id),
    }


@endpoints.get(
    "/parties/{party_id}/price-list", PartyPriceListOut, summary="A party's price list",
    perm=("catalog.view_pricelist", "parties.view_party"),
)  # fmt: skip
def party_price_list_read(request: HttpRequest, party_id: RecordId):
    return _party_price_list(request, party_id)


@endpoints.put(
    "/parties/{party_id}/price-list", PartyPriceListOut, read=_party_price_list,
    perm=("catalog.change_pricelist", "parties.view_party"),
    summary="Give a party its own price list (null: the company default)",
)  # fmt: skip
def party_price_list_set(request: HttpRequest, party_id: RecordId, payload: PartyPriceListIn):
    services.party_price_list_set(
        company=request.company, party_id=party_id, price_list_id=payload.price_list_id
    )
    return party_id
