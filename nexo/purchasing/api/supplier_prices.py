"""/supplier-prices: what each supplier charges for an item from a quantity on, and the best of them for a
quantity in the company's currency."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.core.api import (
    Endpoints,
    Id,
    Limit,
    Offset,
    PriceOut,
    QuantityOut,
    QueryId,
    RecordId,
    StrictSchema,
    page_of,
)
from nexo.core.errors import NotFound
from nexo.purchasing import queries, services
from nexo.purchasing.api.common import (
    Currency,
    Day,
    PriceIn,
    QuantityIn,
    QueryCurrency,
    QueryItemId,
    QueryQuantity,
    item_of,
)
from nexo.purchasing.models import SupplierPrice

endpoints = Endpoints()

SupplierCode = Annotated[str, Field(max_length=40)]
LeadTime = Annotated[int, Field(ge=0, le=3650, description="Days from order to delivery")]


class SupplierPriceIn(StrictSchema):
    item_id: Id
    supplier_id: Id = Field(description="A party marked as a supplier")
    supplier_code: SupplierCode = ""
    unit_price: PriceIn
    currency: Currency | None = Field(None, description="Defaults to the company's")
    min_quantity: QuantityIn = Field(Decimal(1), description="The price applies from this quantity on")
    lead_time_days: LeadTime = 0
    valid_from: Day | None = None
    valid_to: Day | None = None
    is_active: bool = True


class SupplierPricePatch(StrictSchema):
    # Fields left out keep their value; only the validity dates may be set to null.
    item_id: Id = None
    supplier_id: Id = None
    supplier_code: SupplierCode = None
    unit_price: PriceIn = None
    currency: Currency = None
    min_quantity: QuantityIn = None
    lead_time_days: LeadTime = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    is_active: bool = None


class SupplierPriceOut(Schema):
    id: int
    item_id: int
    item_sku: str
    supplier_id: int
    supplier_name: str
    supplier_code: str
    unit_price: PriceOut = Field(description="In `currency`")
    currency: str
    min_quantity: QuantityOut
    lead_time_days: int
    valid_from: Day | None
    valid_to: Day | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class SupplierPriceList(Schema):
    count: int
    items: list[SupplierPriceOut]


class BestPriceOut(Schema):
    item_id: int
    quantity: QuantityOut
    date: Day
    currency: str = Field(description="The company's currency, that `unit_cost` is in")
    unit_cost: PriceOut | None = Field(description="The best price in the company's currency; null: none")
    supplier_price: SupplierPriceOut | None = Field(description="The price that gave it, in its own currency")


def _readable_prices(request: HttpRequest):
    return SupplierPrice.objects.filter(company=request.company).annotate(
        item_sku=F("item__sku"), supplier_name=F("supplier__name")
    )


def _supplier_price(request: HttpRequest, supplier_price_id: int) -> SupplierPrice:
    price = _readable_prices(request).filter(pk=supplier_price_id).first()
    if price is None:
        raise NotFound(_("No such supplier price."))
    return price


def _saved(request: HttpRequest, price: SupplierPrice) -> SupplierPrice:
    return _supplier_price(request, price.pk)


@endpoints.get(
    "/supplier-prices", SupplierPriceList, perm="purchasing.view_supplierprice",
    summary="List supplier prices", description="`valid_on`: only the active prices valid that day.",
)  # fmt: skip
def supplier_price_list(
    request: HttpRequest,
    item_id: QueryId = None,
    supplier_id: QueryId = None,
    currency: QueryCurrency = None,
    valid_on: Day | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    prices = _readable_prices(request)
    filters = {"item_id": item_id, "supplier_id": supplier_id, "currency": currency}
    prices = prices.filter(**{name: value for name, value in filters.items() if value is not None})
    if valid_on is not None:
        prices = prices.filter(queries.valid_on(valid_on), is_active=True)
    ordering = ("item__sku", "min_quantity", "unit_price", "pk")
    count, items = page_of(prices.order_by(*ordering), limit=limit, offset=offset)
    return {"count": count, "items": items}


@endpoints.get(
    "/supplier-prices/best", BestPriceOut, perm="purchasing.view_supplierprice",
    summary="The best supplier price of an item for a quantity, in the company's currency",
    description="The lowest valid price whose minimum quantity the quantity reaches, compared in the "
    "company's currency (prices in a currency without a rate are left out). 404 for an unknown item.",
)  # fmt: skip
def supplier_price_best(
    request: HttpRequest, item_id: QueryItemId, quantity: QueryQuantity, date: Day | None = None
):
    item = item_of(request, item_id)
    day = date or timezone.localdate()
    best = queries.best_supplier_prices(request.company, {item.pk: quantity}, day).get(item.pk)
    return {
        "item_id": item.pk,
        "quantity": quantity,
        "date": day,
        "currency": request.company.currency,
        "unit_cost": best.unit_cost if best else None,
        "supplier_price": _supplier_price(request, best.price.pk) if best else None,
    }


@endpoints.post(
    "/supplier-prices", SupplierPriceOut, perm="purchasing.add_supplierprice", idempotent=True, read=_saved,
    summary="Add a supplier price",
    description="422 for a party that is not a supplier, a currency without an exchange rate or validity "
    "dates the wrong way round.",
)  # fmt: skip
def supplier_price_create(request: HttpRequest, payload: SupplierPriceIn):
    return services.supplier_price_create(
        company=request.company, by=request.user, **payload.model_dump(exclude_none=True)
    )


@endpoints.get(
    "/supplier-prices/{supplier_price_id}", SupplierPriceOut, perm="purchasing.view_supplierprice",
    summary="Read a supplier price",
)  # fmt: skip
def supplier_price_read(request: HttpRequest, supplier_price_id: RecordId):
    return _supplier_price(request, supplier_price_id)


@endpoints.patch(
    "/supplier-prices/{supplier_price_id}", SupplierPriceOut, perm="purchasing.change_supplierprice",
    read=_saved, summary="Change a supplier price",
)  # fmt: skip
def supplier_price_update(request: HttpRequest, supplier_price_id: RecordId, payload: SupplierPricePatch):
    return services.supplier_price_update(
        company=request.company, supplier_price_id=supplier_price_id, by=request.user,
        **payload.model_dump(exclude_unset=True),
    )  # fmt: skip


@endpoints.delete(
    "/supplier-prices/{supplier_price_id}", None, perm="purchasing.delete_supplierprice",
    summary="Delete a supplier price",
    description="Orders that took their price from it keep their lines as they are.",
)  # fmt: skip
def supplier_price_delete(request: HttpRequest, supplier_price_id: RecordId):
    services.supplier_price_delete(company=request.company, supplier_price_id=supplier_price_id)
