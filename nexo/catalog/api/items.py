"""Items: search and filter them, create one (its taxes default to general VAT), read and change one."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from nexo.catalog import services
from nexo.catalog.api.schemas import PriceIn
from nexo.catalog.models import Category, Item, TaxCategory
from nexo.core.api import (
    Endpoints,
    Id,
    Limit,
    Offset,
    PercentIn,
    PercentOut,
    PriceOut,
    RecordId,
    SafeText,
    StrictSchema,
    page_of,
)
from nexo.core.errors import Forbidden, NotFound
from nexo.core.rules import fold
from nexo.core.validation import MAX_ID

endpoints = Endpoints()

Sku = Annotated[str, Field(min_length=1, max_length=40)]
ItemName = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=5000)]
Barcode = Annotated[str, Field(max_length=14, description="EAN-8 or EAN-13, check digit verified")]
ItemKind = Literal["stocked", "service"]
VatExemption = Annotated[int, Field(ge=1, le=29, description="The paragraph of art. 20.Uno LIVA exempting it")]
Valuation = Literal[tuple(services.VALUATION_METHODS)]  # type: ignore[valid-type]


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
    irpf_rate: PercentIn = Field(Decimal(0), description="IRPF withheld when the customer withholds (e.g. 15)")
    vat_exemption: VatExemption | None = None


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
    irpf_rate: PercentIn = None
    vat_exemption: VatExemption | None = None


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
    irpf_rate: PercentOut
    vat_exemption: int | None
    created_at: datetime
    updated_at: datetime


class ItemList(Schema):
    count: int
    items: list[ItemOut]


ITEM_ORDERINGS = ("sku", "-sku", "name", "-name", "base_price", "-base_price")


def _items(request: HttpRequest):
    """The company's items with what ItemOut shows of their unit and category."""
    return Item.objects.filter(company=request.company).annotate(
        unit_code=F("unit__code"), category_name=F("category__full_name")
    )


def _item(request: HttpRequest, item_id: int) -> Item:
    item = _items(request).filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("No such item."))
    return item


def _general_tax(request: HttpRequest) -> int | None:
    return (
        TaxCategory.objects.filter(company=request.company, code="general")
        .values_list("pk", flat=True)
        .first()
    )


@endpoints.get("/items", ItemList, perm="catalog.view_item", summary="List and search items")
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
    queryset = _items(request)
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


@endpoints.post(
    "/items", ItemOut, perm="catalog.add_item", idempotent=True, read=_item, summary="Create an item",
    description="422 for a duplicate SKU, an unknown unit, category or tax, an invalid EAN or a negative "
    "price.",
)  # fmt: skip
def item_create(request: HttpRequest, payload: ItemFields):
    fields = payload.model_dump()
    for tax in ("sale_tax_id", "purchase_tax_id"):
        if fields[tax] is None:
            fields[tax] = _general_tax(request)
    return services.item_create(company=request.company, by=request.user, **fields).pk


@endpoints.get("/items/{item_id}", ItemOut, perm="catalog.view_item", summary="Read an item")
def item_read(request: HttpRequest, item_id: RecordId):
    return _item(request, item_id)


@endpoints.patch(
    "/items/{item_id}", ItemOut, perm="catalog.view_item", read=_item, summary="Change an item",
    description="Needs `catalog.change_item` for every field but the prices, `catalog.change_item_price` "
    "for the prices (`base_price`, `standard_cost`, `min_margin`, `sale_tax_id`); a user holding one of "
    "them changing a field of the other answers 403, as does a user holding neither.",
)  # fmt: skip
def item_update(request: HttpRequest, item_id: RecordId, payload: ItemPatch):
    editing = (services.LOGISTICS_PERMISSION, services.PRICE_PERMISSION)
    if not any(request.user.has_perm(perm) for perm in editing):
        raise Forbidden(_("Your role does not allow this."))
    return services.item_update(
        company=request.company, item_id=item_id, by=request.user, **payload.model_dump(exclude_unset=True)
    ).pk
