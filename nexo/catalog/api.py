"""Catalog API: /items, /categories, /units, /tax-categories, /price-lists with their rules, a party's
price list and /prices, the batch price resolution that shows its working (API.md, DOMAIN.md §3)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Prefetch, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from nexo.catalog import pricing, queries, services
from nexo.catalog.models import Category, Item, PartyPricing, PriceList, PriceRule, TaxCategory, TaxRate, Unit
from nexo.core.api import (
    ERROR_RESPONSES,
    Id,
    Limit,
    Offset,
    QueryId,
    RecordId,
    SafeText,
    StrictSchema,
    decimal_in,
    decimal_out,
    fields_renamed,
    idempotent,
    page_of,
    require_perm,
)
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.rules import fold
from nexo.core.validation import MAX_ID
from nexo.parties.models import Party

router = Router(tags=["catalog"])

Day = date  # a field named `date` below would shadow the type

MAX_LINES = 1000

PriceIn = decimal_in(
    max_digits=16, places=6, ge=0, pattern=r"^\d{1,10}(\.\d{1,6})?$", example="12.50",
    about="A price or cost ≥ 0, a decimal string with up to 6 decimals.",
)  # fmt: skip
PercentIn = decimal_in(
    max_digits=5, places=2, ge=0, le=100, pattern=r"^\d{1,3}(\.\d{1,2})?$", example="15.00",
    about="Percentage 0 to 100, a decimal string with up to 2 decimals.",
)  # fmt: skip
QuantityIn = decimal_in(
    max_digits=14, places=4, gt=0, pattern=r"^\d{1,10}(\.\d{1,4})?$", example="10",
    about="A quantity above zero, a decimal string with up to 4 decimals.",
)  # fmt: skip
RuleValueIn = decimal_in(
    max_digits=16, places=6, ge=0, pattern=r"^\d{1,10}(\.\d{1,6})?$", example="15",
    about="fixed: the unit price; discount_base / discount_list: the % off (0 to 100); "
    "markup_cost: the % on top of cost. A decimal string ≥ 0.",
)  # fmt: skip
RoundingIn = decimal_in(
    max_digits=10, places=6, gt=0, pattern=r"^\d{1,4}(\.\d{1,6})?$", example="0.05",
    about="Round the price to a multiple of this step (half-up), e.g. 0.05.",
)  # fmt: skip
PriceOut = decimal_out(
    6, example="12.500000", about="A unit price or cost, a decimal string with 6 decimals."
)
PercentOut = decimal_out(2, example="15.00", about="Percentage, a decimal string with 2 decimals.")
QuantityOut = decimal_out(4, example="10.0000", about="A quantity, a decimal string with 4 decimals.")

Sku = Annotated[str, Field(min_length=1, max_length=40)]
ItemName = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=5000)]
Barcode = Annotated[str, Field(max_length=14, description="EAN-8 or EAN-13, check digit verified")]
CategoryName = Annotated[str, Field(min_length=1, max_length=100)]
ListName = Annotated[str, Field(min_length=1, max_length=100)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")]
ItemKind = Literal["stocked", "service"]
Valuation = Literal[tuple(services.VALUATION_METHODS)]  # type: ignore[valid-type]
Scope = Literal["item", "category", "all"]
Method = Literal["fixed", "discount_base", "discount_list", "markup_cost"]

# The services name the records they resolve ("unit"); the API's fields are the ids ("unit_id").
ID_FIELDS = {
    "unit": "unit_id", "category": "category_id", "sale_tax": "sale_tax_id", "purchase_tax": "purchase_tax_id",
    "item": "item_id", "base_list": "base_list_id", "parent": "parent_id", "price_list": "price_list_id",
}  # fmt: skip


def _fields_named():
    return fields_renamed(ID_FIELDS)


# Units and taxes


class UnitOut(Schema):
    id: int
    code: str
    name: str


class UnitList(Schema):
    count: int
    items: list[UnitOut]


class TaxRateOut(Schema):
    valid_from: date
    rate: PercentOut
    surcharge: PercentOut = Field(description="Equivalence surcharge (recargo de equivalencia) %")


class TaxCategoryOut(Schema):
    id: int
    code: str
    name: str
    rates: list[TaxRateOut] = Field(description="Its rates, the latest first; each applies from its date")


class TaxCategoryList(Schema):
    count: int
    items: list[TaxCategoryOut]


@router.get("/units", response={200: UnitList, **ERROR_RESPONSES}, summary="List the units of measure")
def unit_list(request: HttpRequest, limit: Limit = 100, offset: Offset = 0):
    require_perm(request, "catalog.view_unit")
    count, items = page_of(
        Unit.objects.filter(company=request.company).order_by("code", "pk"), limit=limit, offset=offset
    )
    return {"count": count, "items": items}


@router.get(
    "/tax-categories",
    response={200: TaxCategoryList, **ERROR_RESPONSES},
    summary="List the tax categories with their dated rates",
)
def tax_category_list(request: HttpRequest, limit: Limit = 100, offset: Offset = 0):
    require_perm(request, "catalog.view_taxcategory")
    queryset = (
        TaxCategory.objects.filter(company=request.company)
        .prefetch_related(Prefetch("rates", queryset=TaxRate.objects.order_by("-valid_from")))
        .order_by("code", "pk")
    )
    count, items = page_of(queryset, limit=limit, offset=offset)
    return {"count": count, "items": items}


# Categories


class CategoryIn(StrictSchema):
    name: CategoryName
    parent_id: Id | None = Field(None, description="null: a top-level category")


class CategoryPatch(StrictSchema):
    # Fields left out keep their value; parent_id null moves it to the top level.
    name: CategoryName = None
    parent_id: Id | None = None


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None
    full_name: str = Field(description='The path of names, e.g. "Electricidad / Cables"')
    path: str = Field(description='The ids from the root down, e.g. "/3/17/"')


class CategoryList(Schema):
    count: int
    items: list[CategoryOut]


def _category_out(request: HttpRequest, category_id: int) -> Category:
    category = Category.objects.filter(company=request.company, pk=category_id).first()
    if category is None:
        raise NotFound(_("No such category."))
    return category


def _check_full_name_fits(request: HttpRequest, name: str | None, parent_id: int | None) -> None:
    """The full name of a category is stored in 500 characters: a too deep tree is bad input, not a crash."""
    parent = Category.objects.filter(company=request.company, pk=parent_id).first() if parent_id else None
    if parent is not None and name is not None and len(parent.full_name) + 3 + len(name) > 500:
        raise ValidationFailed.on("name", _("The category's full name would be too long: shorten the names."))


@router.get("/categories", response={200: CategoryList, **ERROR_RESPONSES}, summary="List the category tree")
def category_list(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    parent_id: QueryId = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    require_perm(request, "catalog.view_category")
    queryset = Category.objects.filter(company=request.company)
    if q:
        queryset = queryset.filter(full_name__icontains=q)
    if parent_id is not None:
        queryset = queryset.filter(parent_id=parent_id)
    count, items = page_of(queryset.order_by("full_name", "pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


@router.post(
    "/categories",
    response={201: CategoryOut, **ERROR_RESPONSES},
    summary="Add a category",
    description="Accepts an `Idempotency-Key` header.",
)
def category_create(request: HttpRequest, payload: CategoryIn):
    require_perm(request, "catalog.add_category")

    def create() -> dict:
        _check_full_name_fits(request, payload.name, payload.parent_id)
        with _fields_named():
            category = services.category_create(
                company=request.company, by=request.user, name=payload.name, parent_id=payload.parent_id
            )
        return CategoryOut.from_orm(_category_out(request, category.pk)).model_dump(mode="json")

    return idempotent(request, create)


@router.patch(
    "/categories/{category_id}",
    response={200: CategoryOut, **ERROR_RESPONSES},
    summary="Rename or move a category (its subtree moves with it)",
)
def category_update(request: HttpRequest, category_id: RecordId, payload: CategoryPatch):
    require_perm(request, "catalog.change_category")
    current = _category_out(request, category_id)
    fields = payload.model_dump(exclude_unset=True)
    _check_full_name_fits(
        request, fields.get("name", current.name), fields.get("parent_id", current.parent_id)
    )
    with _fields_named():
        services.category_update(company=request.company, category_id=category_id, by=request.user, **fields)
    return _category_out(request, category_id)


# Items


class ItemFields(StrictSchema):
    sku: Sku
    name: ItemName
    description: Description = ""
    unit_id: Id
    category_id: Id | None = None
    kind: ItemKind = "stocked"
    sale_tax_id: Id | None = Field(None, description='Defaults to the "general" VAT category')
    purchase_tax_id: Id | None = Field(None, description='Defaults to the "general" VAT category')
    base_price: PriceIn = Field(Decimal(0), description="The base sale price (PVP), before tax")
    standard_cost: PriceIn | None = None
    valuation_method: Valuation | None = Field(None, description="Defaults to the company's")
    min_margin: PercentIn | None = Field(None, description="Minimum margin % on price; the company's default")
    barcode: Barcode = ""
    is_active: bool = True


class ItemPatch(StrictSchema):
    # Fields left out keep their value; only category_id and standard_cost may be set to null.
    sku: Sku = None
    name: ItemName = None
    description: Description = None
    unit_id: Id = None
    category_id: Id | None = None
    kind: ItemKind = None
    sale_tax_id: Id = None
    purchase_tax_id: Id = None
    base_price: PriceIn = None
    standard_cost: PriceIn | None = None
    valuation_method: Valuation = None
    min_margin: PercentIn = None
    barcode: Barcode = None
    is_active: bool = None


class ItemOut(Schema):
    id: int
    sku: str
    name: str
    description: str
    unit_id: int
    unit_code: str
    category_id: int | None
    category_name: str | None = Field(description="The category's full name")
    kind: str
    sale_tax_id: int
    purchase_tax_id: int
    base_price: PriceOut
    standard_cost: PriceOut | None
    valuation_method: str
    min_margin: PercentOut
    barcode: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class ItemList(Schema):
    count: int
    items: list[ItemOut]


ITEM_ORDERINGS = ("sku", "-sku", "name", "-name", "base_price", "-base_price")


def _readable_items(request: HttpRequest):
    return Item.objects.filter(company=request.company).annotate(
        unit_code=F("unit__code"), category_name=F("category__full_name")
    )


def _item(request: HttpRequest, item_id: int) -> Item:
    item = _readable_items(request).filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("No such item."))
    return item


def _general_tax(request: HttpRequest) -> int | None:
    return (
        TaxCategory.objects.filter(company=request.company, code="general")
        .values_list("pk", flat=True)
        .first()
    )


@router.get("/items", response={200: ItemList, **ERROR_RESPONSES}, summary="List and search items")
def item_list(
    request: HttpRequest,
    q: Annotated[
        str, Field(max_length=100, description="Words found in the SKU, name or barcode"), SafeText
    ] = "",
    category_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="This category and its subtree")
    ] = None,
    kind: ItemKind | None = None,
    is_active: bool | None = None,
    barcode: Annotated[str, Field(max_length=14), SafeText] = "",
    ordering: Literal[ITEM_ORDERINGS] = "sku",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    require_perm(request, "catalog.view_item")
    queryset = _readable_items(request)
    for word in q.split():
        queryset = queryset.filter(search_text__contains=fold(word))
    if category_id is not None:
        path = Category.objects.filter(company=request.company, pk=category_id).values_list("path", flat=True)
        path = path.first()
        queryset = queryset.filter(category__path__startswith=path) if path else queryset.none()
    if kind:
        queryset = queryset.filter(kind=kind)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    if barcode:
        queryset = queryset.filter(barcode=barcode)
    count, items = page_of(queryset.order_by(ordering, "pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


@router.post(
    "/items",
    response={201: ItemOut, **ERROR_RESPONSES},
    summary="Create an item",
    description="422 for a duplicate SKU, an unknown unit, category or tax, an invalid EAN or a negative "
    "price. Accepts an `Idempotency-Key` header.",
)
def item_create(request: HttpRequest, payload: ItemFields):
    require_perm(request, "catalog.add_item")

    def create() -> dict:
        fields = payload.model_dump()
        for tax in ("sale_tax_id", "purchase_tax_id"):
            if fields[tax] is None:
                fields[tax] = _general_tax(request)
        with _fields_named():
            item = services.item_create(company=request.company, by=request.user, **fields)
        return ItemOut.from_orm(_item(request, item.pk)).model_dump(mode="json")

    return idempotent(request, create)


@router.get("/items/{item_id}", response={200: ItemOut, **ERROR_RESPONSES}, summary="Read an item")
def item_read(request: HttpRequest, item_id: RecordId):
    require_perm(request, "catalog.view_item")
    return _item(request, item_id)


@router.patch("/items/{item_id}", response={200: ItemOut, **ERROR_RESPONSES}, summary="Change an item")
def item_update(request: HttpRequest, item_id: RecordId, payload: ItemPatch):
    require_perm(request, "catalog.change_item")
    with _fields_named():
        services.item_update(
            company=request.company,
            item_id=item_id,
            by=request.user,
            **payload.model_dump(exclude_unset=True),
        )
    return _item(request, item_id)


# Price lists and rules


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


def _readable_lists(request: HttpRequest):
    default_id = services.settings_of(request.company).default_price_list_id
    return PriceList.objects.filter(company=request.company).annotate(
        is_default=ExpressionWrapper(Q(pk=default_id or 0), output_field=BooleanField()),
        rule_count=Count("rules"),
    )


def _price_list(request: HttpRequest, price_list_id: int) -> PriceList:
    price_list = (
        _readable_lists(request)
        .prefetch_related(Prefetch("rules", queryset=PriceRule.objects.order_by("id")))
        .filter(pk=price_list_id)
        .first()
    )
    if price_list is None:
        raise NotFound(_("No such price list."))
    return price_list


def _set_default(request: HttpRequest, price_list_id: int, is_default: bool | None) -> None:
    if is_default:
        services.price_list_set_default(company=request.company, price_list_id=price_list_id)
    elif is_default is False and services.settings_of(request.company).default_price_list_id == price_list_id:
        services.price_list_set_default(company=request.company, price_list_id=None)


@router.get("/price-lists", response={200: PriceListList, **ERROR_RESPONSES}, summary="List the price lists")
def price_list_list(
    request: HttpRequest, is_active: bool | None = None, limit: Limit = 50, offset: Offset = 0
):
    require_perm(request, "catalog.view_pricelist")
    queryset = _readable_lists(request)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    count, items = page_of(queryset.order_by("name", "pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


@router.post(
    "/price-lists",
    response={201: PriceListDetail, **ERROR_RESPONSES},
    summary="Create a price list (add its rules at /price-lists/{id}/rules)",
    description="Accepts an `Idempotency-Key` header.",
)
def price_list_create(request: HttpRequest, payload: PriceListIn):
    require_perm(request, "catalog.add_pricelist")

    def create() -> dict:
        fields = payload.model_dump(exclude={"is_default"}, exclude_none=True)
        price_list = services.price_list_create(company=request.company, by=request.user, **fields)
        _set_default(request, price_list.pk, payload.is_default)
        return PriceListDetail.from_orm(_price_list(request, price_list.pk)).model_dump(mode="json")

    return idempotent(request, create)


@router.get(
    "/price-lists/{price_list_id}",
    response={200: PriceListDetail, **ERROR_RESPONSES},
    summary="Read a price list with its rules",
)
def price_list_read(request: HttpRequest, price_list_id: RecordId):
    require_perm(request, "catalog.view_pricelist", "catalog.view_pricerule")
    return _price_list(request, price_list_id)


@router.patch(
    "/price-lists/{price_list_id}",
    response={200: PriceListDetail, **ERROR_RESPONSES},
    summary="Change a price list",
)
def price_list_update(request: HttpRequest, price_list_id: RecordId, payload: PriceListPatch):
    require_perm(request, "catalog.change_pricelist")
    fields = payload.model_dump(exclude_unset=True)
    is_default = fields.pop("is_default", None)
    services.price_list_update(
        company=request.company, price_list_id=price_list_id, by=request.user, **fields
    )
    _set_default(request, price_list_id, is_default)
    return _price_list(request, price_list_id)


@router.post(
    "/price-lists/{price_list_id}/rules",
    response={201: PriceRuleOut, **ERROR_RESPONSES},
    summary="Add a rule to a price list",
    description="422 for a discount over 100 %, a minimum quantity ≤ 0, a rule without the item or "
    "category its scope needs, or a list based (directly or through others) on itself. "
    "Accepts an `Idempotency-Key` header.",
)
def price_rule_create(request: HttpRequest, price_list_id: RecordId, payload: PriceRuleIn):
    require_perm(request, "catalog.add_pricerule")

    def create() -> dict:
        with _fields_named():
            rule = services.price_rule_create(
                company=request.company, price_list_id=price_list_id, by=request.user, **payload.model_dump()
            )
        return PriceRuleOut.from_orm(rule).model_dump(mode="json")

    return idempotent(request, create)


@router.patch(
    "/price-rules/{rule_id}", response={200: PriceRuleOut, **ERROR_RESPONSES}, summary="Change a price rule"
)
def price_rule_update(request: HttpRequest, rule_id: RecordId, payload: PriceRulePatch):
    require_perm(request, "catalog.change_pricerule")
    with _fields_named():
        return services.price_rule_update(
            company=request.company,
            rule_id=rule_id,
            by=request.user,
            **payload.model_dump(exclude_unset=True),
        )


@router.delete(
    "/price-rules/{rule_id}", response={204: None, **ERROR_RESPONSES}, summary="Delete a price rule"
)
def price_rule_delete(request: HttpRequest, rule_id: RecordId):
    require_perm(request, "catalog.delete_pricerule")
    services.price_rule_delete(company=request.company, rule_id=rule_id)
    return Status(204, None)


# A party's price list


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


@router.get(
    "/parties/{party_id}/price-list",
    response={200: PartyPriceListOut, **ERROR_RESPONSES},
    summary="A party's price list",
)
def party_price_list_read(request: HttpRequest, party_id: RecordId):
    require_perm(request, "catalog.view_pricelist", "parties.view_party")
    return _party_price_list(request, party_id)


@router.put(
    "/parties/{party_id}/price-list",
    response={200: PartyPriceListOut, **ERROR_RESPONSES},
    summary="Give a party its own price list (null: the company default)",
)
def party_price_list_set(request: HttpRequest, party_id: RecordId, payload: PartyPriceListIn):
    require_perm(request, "catalog.change_pricelist", "parties.view_party")
    with _fields_named():
        services.party_price_list_set(
            company=request.company, party_id=party_id, price_list_id=payload.price_list_id
        )
    return _party_price_list(request, party_id)


# Batch price resolution


class PriceLineIn(StrictSchema):
    item_id: Id
    quantity: QuantityIn


class PricesIn(StrictSchema):
    party_id: Id | None = Field(None, description="Its own price list, else the company default")
    price_list_id: Id | None = Field(None, description="This list instead of the party's")
    date: Day | None = Field(None, description="The day prices are for; defaults to today")
    lines: list[PriceLineIn] = Field(min_length=1, max_length=MAX_LINES)


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
    date: Day
    price_list_id: int | None
    lines: list[PricedLineOut]


def _rule_brief(rule: pricing.Rule | None) -> dict | None:
    if rule is None:
        return None
    return {
        "id": rule.id, "scope": str(rule.scope), "method": str(rule.method), "value": rule.value,
        "min_quantity": rule.min_quantity,
    }  # fmt: skip


@router.post(
    "/prices",
    response={200: PricesOut, **ERROR_RESPONSES},
    summary="Price a batch of lines: the unit price of each, and the rule that gave it",
    description="The list is `price_list_id`, else the party's own, else the company default. Each line "
    "names the winning rule (`price_rule`, null for the item's base price) and the rules that lost. "
    "The number of queries does not grow with the lines.",
)
def prices(request: HttpRequest, payload: PricesIn):
    require_perm(request, "catalog.view_item", "catalog.view_pricelist")
    company = request.company
    if (
        payload.party_id is not None
        and not Party.objects.filter(company=company, pk=payload.party_id).exists()
    ):
        raise ValidationFailed.on("party_id", _("Unknown %(what)s.") % {"what": "party"})
    if (
        payload.price_list_id is not None
        and not PriceList.objects.filter(company=company, pk=payload.price_list_id).exists()
    ):
        raise ValidationFailed.on("price_list_id", _("Unknown %(what)s.") % {"what": "price list"})
    day = payload.date or timezone.localdate()
    list_id = (
        payload.price_list_id
        if payload.price_list_id is not None
        else queries.price_list_of(company, payload.party_id)
    )
    priced = queries.price_lines(
        company, [(line.item_id, line.quantity) for line in payload.lines], day=day, price_list_id=list_id
    )
    if len(priced) != len(payload.lines):
        found = {line.item.pk for line in priced}
        errors = [
            {"field": f"lines.{index}.item_id", "message": _("Unknown %(what)s.") % {"what": "item"}}
            for index, line in enumerate(payload.lines)
            if line.item_id not in found
        ]
        raise ValidationFailed("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)
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
