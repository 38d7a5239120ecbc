"""Purchasing API: /exchange-rates, /supplier-prices (and the best one for a quantity), an item's buying
settings, /purchase-orders with their lines, confirm / cancel / receive, /receipts, /purchase-suggestions and
/item-costs, the unit cost of a quantity with its working (API.md, DOMAIN.md §4-6)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import F, Prefetch, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from nexo.catalog.models import Item
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
from nexo.core.rules import round_money
from nexo.inventory.models import Warehouse
from nexo.inventory.services import settings_of
from nexo.purchasing import costing, queries, services
from nexo.purchasing.models import (
    ExchangeRate,
    ItemPurchasing,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    SupplierPrice,
)  # fmt: skip

router = Router(tags=["purchasing"])

Day = date  # a field named `date` below would shadow the type

MAX_LINES = 200

RateIn = decimal_in(
    max_digits=18, places=8, gt=0, pattern=r"^\d{1,10}(\.\d{1,8})?$", example="0.92",
    about="What one unit of the currency is worth in the company's currency: above zero, up to 8 decimals.",
)  # fmt: skip
PriceIn = decimal_in(
    max_digits=16, places=6, ge=0, pattern=r"^\d{1,10}(\.\d{1,6})?$", example="4.25",
    about="A unit price ≥ 0, a decimal string with up to 6 decimals.",
)  # fmt: skip
QuantityIn = decimal_in(
    max_digits=14, places=4, gt=0, pattern=r"^\d{1,10}(\.\d{1,4})?$", example="10",
    about="A quantity above zero, a decimal string with up to 4 decimals.",
)  # fmt: skip
StockLevelIn = decimal_in(
    max_digits=14, places=4, ge=0, pattern=r"^\d{1,10}(\.\d{1,4})?$", example="20",
    about="A quantity (0 or more), a decimal string with up to 4 decimals.",
)  # fmt: skip
ReceivedIn = decimal_in(
    max_digits=14, places=4, ge=0, pattern=r"^\d{1,10}(\.\d{1,4})?$", example="6",
    about="The quantity that arrived (0: none of this line this time), up to 4 decimals.",
)  # fmt: skip
QueryQuantity = Annotated[
    Decimal, Query(gt=0, max_digits=14, decimal_places=4, description="A quantity above zero, e.g. 10")
]
RateOut = decimal_out(8, example="0.92000000", about="An exchange rate, a decimal string with 8 decimals.")
PriceOut = decimal_out(6, example="4.250000", about="A unit price or cost, a decimal string with 6 decimals.")
QuantityOut = decimal_out(4, example="10.0000", about="A quantity, a decimal string with 4 decimals.")
MoneyOut = decimal_out(2, example="1234.50", about="An amount, a decimal string with 2 decimals.")

Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD")]
SupplierCode = Annotated[str, Field(max_length=40)]
Notes = Annotated[str, Field(max_length=2000)]
Note = Annotated[str, Field(max_length=200)]
Description = Annotated[str, Field(max_length=200, description="Empty: the item's name")]
LeadTime = Annotated[int, Field(ge=0, le=3650, description="Days from order to delivery")]
OrderState = Literal["draft", "confirmed", "partially_received", "received", "cancelled"]
CostBasis = Literal["average", "fifo", "last_purchase", "standard", "supplier_price"]

# The services name the records they resolve ("supplier"); the API's fields are the ids ("supplier_id").
ID_FIELDS = {
    "item": "item_id", "supplier": "supplier_id", "warehouse": "warehouse_id",
    "preferred_supplier": "preferred_supplier_id", "items": "item_ids",
}  # fmt: skip


def _fields_named(extra: dict[str, str] | None = None):
    return fields_renamed({**ID_FIELDS, **(extra or {})})


def _json(schema: type[Schema], data) -> dict:
    """A creating request's answer as stored for Idempotency-Key replays."""
    return schema.model_validate(data, from_attributes=True).model_dump(mode="json")


# Exchange rates


class ExchangeRateIn(StrictSchema):
    currency: Currency
    date: Day = Field(description="The rate applies from this day on, until a later one")
    rate: RateIn


class ExchangeRateOut(Schema):
    id: int
    currency: str
    date: Day
    rate: RateOut


class ExchangeRateList(Schema):
    count: int
    items: list[ExchangeRateOut]


def _rate_out(rate: ExchangeRate) -> dict:
    return {"id": rate.pk, "currency": rate.currency, "date": rate.day, "rate": rate.rate}


@router.get(
    "/exchange-rates",
    response={200: ExchangeRateList, **ERROR_RESPONSES},
    summary="List exchange rates, the latest first",
)
def exchange_rate_list(
    request: HttpRequest,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    require_perm(request, "purchasing.view_exchangerate")
    rates = ExchangeRate.objects.filter(company=request.company)
    if currency:
        rates = rates.filter(currency=currency)
    count, items = page_of(rates.order_by("-day", "currency", "pk"), limit=limit, offset=offset)
    return {"count": count, "items": [_rate_out(rate) for rate in items]}


@router.post(
    "/exchange-rates",
    response={201: ExchangeRateOut, **ERROR_RESPONSES},
    summary="Set a currency's rate from a date on",
    description="A rate for the same currency and date replaces it. 422 for the company's own currency. "
    "Accepts an `Idempotency-Key` header.",
)
def exchange_rate_set(request: HttpRequest, payload: ExchangeRateIn):
    require_perm(request, "purchasing.add_exchangerate")

    def create() -> dict:
        rate = services.exchange_rate_set(
            company=request.company, by=request.user, currency=payload.currency, day=payload.date,
            rate=payload.rate,
        )  # fmt: skip
        return _json(ExchangeRateOut, _rate_out(rate))

    return idempotent(request, create)


# Supplier prices


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


def _item(request: HttpRequest, item_id: int) -> Item:
    item = Item.objects.filter(company=request.company, pk=item_id).first()
    if item is None:
        raise NotFound(_("No such item."))
    return item


@router.get(
    "/supplier-prices",
    response={200: SupplierPriceList, **ERROR_RESPONSES},
    summary="List supplier prices",
    description="`valid_on`: only the active prices valid that day.",
)
def supplier_price_list(
    request: HttpRequest,
    item_id: QueryId = None,
    supplier_id: QueryId = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    valid_on: Day | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    require_perm(request, "purchasing.view_supplierprice")
    prices = _readable_prices(request)
    filters = {"item_id": item_id, "supplier_id": supplier_id, "currency": currency}
    prices = prices.filter(**{name: value for name, value in filters.items() if value is not None})
    if valid_on is not None:
        prices = prices.filter(queries.valid_on(valid_on), is_active=True)
    ordering = ("item__sku", "min_quantity", "unit_price", "pk")
    count, items = page_of(prices.order_by(*ordering), limit=limit, offset=offset)
    return {"count": count, "items": items}


@router.get(
    "/supplier-prices/best",
    response={200: BestPriceOut, **ERROR_RESPONSES},
    summary="The best supplier price of an item for a quantity, in the company's currency",
    description="The lowest valid price whose minimum quantity the quantity reaches, compared in the "
    "company's currency (prices in a currency without a rate are left out). 404 for an unknown item.",
)
def supplier_price_best(
    request: HttpRequest, item_id: Annotated[int, Query(ge=1, le=2**63 - 1)], quantity: QueryQuantity,
    date: Day | None = None,
):  # fmt: skip
    require_perm(request, "purchasing.view_supplierprice")
    item = _item(request, item_id)
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


@router.post(
    "/supplier-prices",
    response={201: SupplierPriceOut, **ERROR_RESPONSES},
    summary="Add a supplier price",
    description="422 for a party that is not a supplier, a currency without an exchange rate or validity "
    "dates the wrong way round. Accepts an `Idempotency-Key` header.",
)
def supplier_price_create(request: HttpRequest, payload: SupplierPriceIn):
    require_perm(request, "purchasing.add_supplierprice")

    def create() -> dict:
        fields = payload.model_dump()
        if fields["currency"] is None:
            fields.pop("currency")
        with _fields_named():
            price = services.supplier_price_create(company=request.company, by=request.user, **fields)
        return _json(SupplierPriceOut, _supplier_price(request, price.pk))

    return idempotent(request, create)


@router.get(
    "/supplier-prices/{supplier_price_id}",
    response={200: SupplierPriceOut, **ERROR_RESPONSES},
    summary="Read a supplier price",
)
def supplier_price_read(request: HttpRequest, supplier_price_id: RecordId):
    require_perm(request, "purchasing.view_supplierprice")
    return _supplier_price(request, supplier_price_id)


@router.patch(
    "/supplier-prices/{supplier_price_id}",
    response={200: SupplierPriceOut, **ERROR_RESPONSES},
    summary="Change a supplier price",
)
def supplier_price_update(request: HttpRequest, supplier_price_id: RecordId, payload: SupplierPricePatch):
    require_perm(request, "purchasing.change_supplierprice")
    with _fields_named():
        services.supplier_price_update(
            company=request.company, supplier_price_id=supplier_price_id, by=request.user,
            **payload.model_dump(exclude_unset=True),
        )  # fmt: skip
    return _supplier_price(request, supplier_price_id)


@router.delete(
    "/supplier-prices/{supplier_price_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Delete a supplier price",
    description="Orders that took their price from it keep their lines as they are.",
)
def supplier_price_delete(request: HttpRequest, supplier_price_id: RecordId):
    require_perm(request, "purchasing.delete_supplierprice")
    services.supplier_price_delete(company=request.company, supplier_price_id=supplier_price_id)
    return Status(204, None)


# An item's buying settings


class ItemPurchasingIn(StrictSchema):
    preferred_supplier_id: Id | None = Field(None, description="null: the supplier with the best price")
    minimum_stock: StockLevelIn = Field(
        Decimal(0), description="Under this (on hand - reserved + on order) the item is suggested"
    )
    reorder_quantity: StockLevelIn = Field(Decimal(0), description="Suggest at least this much")


class ItemPurchasingOut(Schema):
    item_id: int
    preferred_supplier_id: int | None
    minimum_stock: QuantityOut
    reorder_quantity: QuantityOut
    last_purchase_cost: PriceOut | None = Field(
        description="Unit cost of the latest receipt, company currency"
    )
    last_purchase_date: Day | None
    last_purchase_reference: str


def _item_purchasing(request: HttpRequest, item_id: int) -> dict:
    item = _item(request, item_id)
    record = ItemPurchasing.objects.filter(company=request.company, item=item).first()
    return {
        "item_id": item.pk,
        "preferred_supplier_id": record.preferred_supplier_id if record else None,
        "minimum_stock": record.minimum_stock if record else Decimal(0),
        "reorder_quantity": record.reorder_quantity if record else Decimal(0),
        "last_purchase_cost": record.last_purchase_cost if record else None,
        "last_purchase_date": record.last_purchase_date if record else None,
        "last_purchase_reference": record.last_purchase_reference if record else "",
    }


@router.get(
    "/items/{item_id}/purchasing",
    response={200: ItemPurchasingOut, **ERROR_RESPONSES},
    summary="How an item is bought: preferred supplier, minimum stock, reorder quantity, last purchase",
)
def item_purchasing_read(request: HttpRequest, item_id: RecordId):
    require_perm(request, "purchasing.view_itempurchasing")
    return _item_purchasing(request, item_id)


@router.put(
    "/items/{item_id}/purchasing",
    response={200: ItemPurchasingOut, **ERROR_RESPONSES},
    summary="Set an item's preferred supplier, minimum stock and reorder quantity",
    description="The last purchase is kept by the receipts, not set here.",
)
def item_purchasing_set(request: HttpRequest, item_id: RecordId, payload: ItemPurchasingIn):
    require_perm(request, "purchasing.change_itempurchasing")
    _item(request, item_id)
    with _fields_named():
        services.item_purchasing_set(
            company=request.company, by=request.user, item_id=item_id, **payload.model_dump()
        )
    return _item_purchasing(request, item_id)


# Purchase orders


class OrderLineIn(StrictSchema):
    item_id: Id
    quantity: QuantityIn
    unit_price: PriceIn | None = Field(
        None, description="In the order's currency; null: the supplier's best price for the quantity"
    )
    description: Description = ""


class OrderIn(StrictSchema):
    supplier_id: Id
    warehouse_id: Id | None = Field(None, description="Defaults to the company's default warehouse")
    date: Day | None = Field(None, description="Defaults to today")
    expected_date: Day | None = None
    currency: Currency | None = Field(
        None, description="Defaults to the supplier's prices', else the company's"
    )
    notes: Notes = ""
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES)


class OrderPatch(StrictSchema):
    # Fields left out keep their value; `lines`, when sent, replace all the lines.
    supplier_id: Id = None
    warehouse_id: Id = None
    date: Day = None
    expected_date: Day | None = None
    currency: Currency = None
    notes: Notes = None
    lines: list[OrderLineIn] = Field(None, min_length=1, max_length=MAX_LINES)


class OrderLineOut(Schema):
    id: int
    position: int
    item_id: int
    sku: str
    description: str
    quantity: QuantityOut
    unit_price: PriceOut = Field(description="In the order's currency")
    amount: MoneyOut = Field(description="quantity times unit price, rounded, in the order's currency")
    received_quantity: QuantityOut
    pending_quantity: QuantityOut = Field(description="Still to receive (the backorder)")
    supplier_price_id: int | None = Field(description="The supplier price the unit price came from")


class StockMoveBrief(Schema):
    id: int
    state: str
    date: Day
    item_id: int
    quantity: QuantityOut
    from_location_id: int
    to_location_id: int
    unit_cost: PriceOut | None
    value: MoneyOut | None


class ReceiptLineOut(Schema):
    id: int
    order_line_id: int
    item_id: int
    sku: str
    quantity: QuantityOut
    unit_cost: PriceOut = Field(description="In the company's currency, at the order's exchange rate")
    value: MoneyOut
    move: StockMoveBrief


class ReceiptOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str
    warehouse_id: int
    date: Day
    note: str
    created_at: datetime
    lines: list[ReceiptLineOut]


class OrderOut(Schema):
    id: int
    number: str = Field(description="Given when the order is confirmed; empty for a draft")
    supplier_id: int
    supplier_name: str
    warehouse_id: int
    date: Day
    expected_date: Day | None
    currency: str
    exchange_rate: RateOut | None = Field(description="Fixed when confirmed")
    state: str
    notes: str
    total: MoneyOut = Field(description="The sum of the lines' amounts, in the order's currency")
    confirmed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class OrderDetail(OrderOut):
    total_company: MoneyOut | None = Field(
        description="The total in the company's currency, at the order's rate (today's while a draft); "
        "null while there is no rate"
    )
    lines: list[OrderLineOut]
    receipts: list[ReceiptOut]


class OrderList(Schema):
    count: int
    items: list[OrderOut]


def _line_out(line: PurchaseOrderLine) -> dict:
    return {
        "id": line.pk, "position": line.position, "item_id": line.item_id, "sku": line.item.sku,
        "description": line.description, "quantity": line.quantity, "unit_price": line.unit_price,
        "amount": queries.line_amount(line.quantity, line.unit_price),
        "received_quantity": line.received_quantity,
        "pending_quantity": line.pending_quantity, "supplier_price_id": line.supplier_price_id,
    }  # fmt: skip


def _receipt_out(receipt: Receipt, order: PurchaseOrder) -> dict:
    return {
        "id": receipt.pk, "number": receipt.number, "order_id": order.pk, "order_number": order.number,
        "warehouse_id": receipt.warehouse_id, "date": receipt.date, "note": receipt.note,
        "created_at": receipt.created_at,
        "lines": [
            {
                "id": line.pk, "order_line_id": line.order_line_id, "item_id": line.order_line.item_id,
                "sku": line.order_line.item.sku, "quantity": line.quantity, "unit_cost": line.unit_cost,
                "value": line.move.value if line.move.value is not None else round_money(line.quantity * line.unit_cost),
                "move": line.move,
            }
            for line in receipt.lines.all()
        ],
    }  # fmt: skip


def _receipt_lines() -> Prefetch:
    return Prefetch(
        "lines", queryset=ReceiptLine.objects.select_related("order_line__item", "move").order_by("pk")
    )


def _order_fields(order: PurchaseOrder, total: Decimal) -> dict:
    return {
        "id": order.pk, "number": order.number, "supplier_id": order.supplier_id,
        "supplier_name": order.supplier.name, "warehouse_id": order.warehouse_id, "date": order.date,
        "expected_date": order.expected_date, "currency": order.currency, "exchange_rate": order.exchange_rate,
        "state": order.state, "notes": order.notes, "total": total, "confirmed_at": order.confirmed_at,
        "created_at": order.created_at, "updated_at": order.updated_at,
    }  # fmt: skip


def _order_detail(request: HttpRequest, order_id: int) -> dict:
    """An order with its lines and receipts (and their moves): a fixed number of queries."""
    order = (
        PurchaseOrder.objects.filter(company=request.company, pk=order_id)
        .select_related("supplier")
        .prefetch_related(
            Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("item").order_by("position", "pk")),
            Prefetch("receipts", queryset=Receipt.objects.prefetch_related(_receipt_lines()).order_by("date", "pk")),
        )
        .first()
    )  # fmt: skip
    if order is None:
        raise NotFound(_("No such purchase order."))
    lines = [_line_out(line) for line in order.lines.all()]
    total = sum((line["amount"] for line in lines), Decimal(0))
    rate = queries.order_rate(order, request.company)
    return {
        **_order_fields(order, total),
        "total_company": round_money(total * rate) if rate is not None else None,
        "lines": lines,
        "receipts": [_receipt_out(receipt, order) for receipt in order.receipts.all()],
    }


def _service_lines(lines: list[OrderLineIn]) -> list[dict]:
    return [line.model_dump(exclude_none=True) for line in lines]


ORDER_ORDERINGS = ("date", "-date", "number", "-number", "expected_date", "-expected_date", "id", "-id")


@router.get(
    "/purchase-orders",
    response={200: OrderList, **ERROR_RESPONSES},
    summary="List purchase orders, the latest first",
    description="`q` searches the number and the supplier's name; dates are inclusive.",
)
def purchase_order_list(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    state: OrderState | None = None,
    supplier_id: QueryId = None,
    warehouse_id: QueryId = None,
    date_from: Day | None = None,
    date_to: Day | None = None,
    ordering: Literal[ORDER_ORDERINGS] = "-date",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    require_perm(request, "purchasing.view_purchaseorder")
    orders = PurchaseOrder.objects.filter(company=request.company).select_related("supplier")
    for word in q.split():
        orders = orders.filter(Q(number__icontains=word) | Q(supplier__name__icontains=word))
    filters = {
        "state": state, "supplier_id": supplier_id, "warehouse_id": warehouse_id, "date__gte": date_from,
        "date__lte": date_to,
    }  # fmt: skip
    orders = orders.filter(**{name: value for name, value in filters.items() if value is not None})
    count, rows = page_of(orders.order_by(ordering, "-pk"), limit=limit, offset=offset)
    totals = queries.order_totals(order.pk for order in rows)
    return {
        "count": count,
        "items": [_order_fields(order, totals.get(order.pk, Decimal(0))) for order in rows],
    }


@router.post(
    "/purchase-orders",
    response={201: OrderDetail, **ERROR_RESPONSES},
    summary="Create a draft purchase order with its lines",
    description="A line without `unit_price` takes the supplier's best price for its quantity in the order's "
    "currency (422 naming the line when there is none). Accepts an `Idempotency-Key` header.",
)
def purchase_order_create(request: HttpRequest, payload: OrderIn):
    require_perm(request, "purchasing.add_purchaseorder")

    def create() -> dict:
        fields = payload.model_dump(exclude={"lines"}, exclude_none=True)
        with _fields_named():
            order = services.purchase_order_create(
                company=request.company, by=request.user, lines=_service_lines(payload.lines), **fields
            )
        return _json(OrderDetail, _order_detail(request, order.pk))

    return idempotent(request, create)


@router.get(
    "/purchase-orders/{order_id}",
    response={200: OrderDetail, **ERROR_RESPONSES},
    summary="Read a purchase order with its lines and receipts",
)
def purchase_order_read(request: HttpRequest, order_id: RecordId):
    require_perm(request, "purchasing.view_purchaseorder")
    return _order_detail(request, order_id)


@router.patch(
    "/purchase-orders/{order_id}",
    response={200: OrderDetail, **ERROR_RESPONSES},
    summary="Change a draft purchase order",
    description="409 once it is confirmed or cancelled. `lines`, when sent, replace all its lines.",
)
def purchase_order_update(request: HttpRequest, order_id: RecordId, payload: OrderPatch):
    require_perm(request, "purchasing.change_purchaseorder")
    fields = payload.model_dump(exclude_unset=True, exclude={"lines"})
    if payload.lines is not None:
        fields["lines"] = _service_lines(payload.lines)
    elif "lines" in payload.model_fields_set:
        raise ValidationFailed.on("lines", _("Add at least one line."))
    with _fields_named():
        services.purchase_order_update(company=request.company, by=request.user, order_id=order_id, **fields)
    return _order_detail(request, order_id)


@router.post(
    "/purchase-orders/{order_id}/confirm",
    response={200: OrderDetail, **ERROR_RESPONSES},
    summary="Confirm a draft purchase order",
    description="It gets its number and its exchange rate is fixed (422 when the currency has no rate on the "
    "order's date). 409 unless it is a draft.",
)
def purchase_order_confirm(request: HttpRequest, order_id: RecordId):
    require_perm(request, "purchasing.change_purchaseorder")
    services.purchase_order_confirm(company=request.company, by=request.user, order_id=order_id)
    return _order_detail(request, order_id)


@router.post(
    "/purchase-orders/{order_id}/cancel",
    response={200: OrderDetail, **ERROR_RESPONSES},
    summary="Cancel a purchase order",
    description="A draft, or a confirmed order of which nothing was received yet; else 409.",
)
def purchase_order_cancel(request: HttpRequest, order_id: RecordId):
    require_perm(request, "purchasing.change_purchaseorder")
    services.purchase_order_cancel(company=request.company, by=request.user, order_id=order_id)
    return _order_detail(request, order_id)


class ReceiveLineIn(StrictSchema):
    line_id: Id = Field(description="A line of this order")
    quantity: ReceivedIn


class ReceiveIn(StrictSchema):
    date: Day | None = Field(None, description="Defaults to today")
    warehouse_id: Id | None = Field(None, description="Defaults to the order's warehouse")
    lines: list[ReceiveLineIn] = Field(min_length=1, max_length=MAX_LINES)
    allow_over_receipt: bool = Field(False, description="Accept more than is pending on a line")
    note: Note = ""


def _checked_receipt(order: PurchaseOrder, payload: ReceiveIn) -> dict[int, int]:
    """Each line of the payload is a line of the order, once. Returns line id → index in the payload."""
    lines = order.lines.in_bulk()
    indexes: dict[int, int] = {}
    for index, line_in in enumerate(payload.lines):
        field = f"lines.{index}"
        line = lines.get(line_in.line_id)
        if line is None:
            raise ValidationFailed.on(f"{field}.line_id", _("This line is not on the order."))
        if line_in.line_id in indexes:
            raise ValidationFailed.on(f"{field}.line_id", _("This line is already in the receipt."))
        indexes[line_in.line_id] = index
    return indexes


@router.post(
    "/purchase-orders/{order_id}/receive",
    response={201: ReceiptOut, **ERROR_RESPONSES},
    summary="Receive goods of a confirmed purchase order",
    description="Each line's quantity enters stock at the order's unit price in the company's currency; what "
    "is missing stays pending (the backorder). More than pending is refused (422) unless "
    "`allow_over_receipt`. 409 unless the order is confirmed or partially received. "
    "Accepts an `Idempotency-Key` header.",
)
def purchase_order_receive(request: HttpRequest, order_id: RecordId, payload: ReceiveIn):
    require_perm(request, "purchasing.add_receipt")
    order = PurchaseOrder.objects.filter(company=request.company, pk=order_id).first()
    if order is None:
        raise NotFound(_("No such purchase order."))

    def create() -> dict:
        indexes = _checked_receipt(order, payload)
        renames = {f"quantities.{line_id}": f"lines.{index}.quantity" for line_id, index in indexes.items()}
        with _fields_named({**renames, "quantities": "lines"}):
            receipt = services.purchase_order_receive(
                company=request.company, by=request.user, order_id=order.pk,
                quantities={line.line_id: line.quantity for line in payload.lines}, date=payload.date,
                warehouse_id=payload.warehouse_id, allow_over_receipt=payload.allow_over_receipt,
                note=payload.note,
            )  # fmt: skip
        return _json(ReceiptOut, _receipt(request, receipt.pk))

    return idempotent(request, create)


def _receipt(request: HttpRequest, receipt_id: int) -> dict:
    receipt = (
        Receipt.objects.filter(company=request.company, pk=receipt_id)
        .select_related("order")
        .prefetch_related(_receipt_lines())
        .first()
    )
    if receipt is None:
        raise NotFound(_("No such receipt."))
    return _receipt_out(receipt, receipt.order)


@router.get(
    "/receipts/{receipt_id}",
    response={200: ReceiptOut, **ERROR_RESPONSES},
    summary="Read a receipt with its lines and their stock moves",
)
def receipt_read(request: HttpRequest, receipt_id: RecordId):
    require_perm(request, "purchasing.view_receipt")
    return _receipt(request, receipt_id)


# Purchase suggestions


class SuggestedPriceOut(Schema):
    supplier_price_id: int
    supplier_id: int
    unit_price: PriceOut = Field(description="In `currency`")
    currency: str
    unit_cost: PriceOut = Field(description="In the company's currency")


class SuggestionOut(Schema):
    item_id: int
    sku: str
    name: str
    on_hand: QuantityOut
    reserved: QuantityOut
    on_order: QuantityOut
    minimum_stock: QuantityOut
    suggested_quantity: QuantityOut
    preferred_supplier_id: int | None
    supplier_id: int | None = Field(description="Whom the order would go to: the preferred, else the best")
    best_price: SuggestedPriceOut | None


class SuggestionList(Schema):
    count: int
    items: list[SuggestionOut]


class SuggestedOrdersIn(StrictSchema):
    item_ids: list[Id] = Field(min_length=1, max_length=1000)


class OrderDetailList(Schema):
    count: int
    items: list[OrderDetail]


def _suggestion_out(row: queries.Suggestion) -> dict:
    best = row.best
    return {
        "item_id": row.item.pk, "sku": row.item.sku, "name": row.item.name, "on_hand": row.on_hand,
        "reserved": row.reserved, "on_order": row.on_order, "minimum_stock": row.minimum,
        "suggested_quantity": row.suggested,
        "preferred_supplier_id": row.preferred.pk if row.preferred else None,
        "supplier_id": row.supplier.pk if row.supplier else None,
        "best_price": {
            "supplier_price_id": best.price.pk, "supplier_id": best.price.supplier_id,
            "unit_price": best.price.unit_price, "currency": best.price.currency, "unit_cost": best.unit_cost,
        } if best else None,
    }  # fmt: skip


@router.get(
    "/purchase-suggestions",
    response={200: SuggestionList, **ERROR_RESPONSES},
    summary="Items under their minimum stock and what to order from whom",
    description="Stock counts as on hand - reserved + on order; the suggested quantity reaches the minimum, "
    "at least the reorder quantity.",
)
def purchase_suggestion_list(request: HttpRequest, limit: Limit = 100, offset: Offset = 0):
    require_perm(request, "purchasing.view_purchaseorder", "purchasing.view_itempurchasing")
    rows = queries.purchase_suggestions(request.company)
    return {"count": len(rows), "items": [_suggestion_out(row) for row in rows[offset : offset + limit]]}


@router.post(
    "/purchase-suggestions/orders",
    response={201: OrderDetailList, **ERROR_RESPONSES},
    summary="Draft purchase orders for some suggested items, one per supplier",
    description="422 when none of the items is suggested or one has no supplier. "
    "Accepts an `Idempotency-Key` header.",
)
def purchase_suggestion_orders(request: HttpRequest, payload: SuggestedOrdersIn):
    require_perm(request, "purchasing.add_purchaseorder", "purchasing.view_itempurchasing")

    def create() -> dict:
        with _fields_named():
            orders = services.purchase_orders_from_suggestions(
                company=request.company, by=request.user, item_ids=payload.item_ids
            )
        return _json(
            OrderDetailList,
            {"count": len(orders), "items": [_order_detail(request, order.pk) for order in orders]},
        )

    return idempotent(request, create)


# Item costs


class CostPartOut(Schema):
    quantity: QuantityOut
    unit_cost: PriceOut
    value: MoneyOut
    source: str = Field(description="fifo, average, last_purchase, standard, supplier_price or none")
    reference: str = Field(description="The receipt, the supplier price… the cost came from")
    date: Day | None


class ItemCostOut(Schema):
    item_id: int
    quantity: QuantityOut
    warehouse_id: int = Field(
        description="The warehouse whose stock was costed: the default one unless asked"
    )
    method: str = Field(description="The basis asked for, or the item's valuation method")
    unit_cost: PriceOut
    value: MoneyOut
    source: str = Field(description="Where the cost came from: the method when stock covered any of it")
    parts: list[CostPartOut]


@router.get(
    "/item-costs",
    response={200: ItemCostOut, **ERROR_RESPONSES},
    summary="The unit cost of a quantity of an item, with its working",
    description="Under `method` (default: the item's valuation method): FIFO costs the layers those units "
    "would consume, average the current average, last_purchase the latest receipt, standard the standard "
    "cost; units beyond the warehouse's stock cost the best supplier price for them. 404 for an unknown "
    "item; 422 for an unknown warehouse.",
)
def item_cost(
    request: HttpRequest,
    item_id: Annotated[int, Query(ge=1, le=2**63 - 1)],
    quantity: QueryQuantity,
    warehouse_id: QueryId = None,
    method: CostBasis | None = None,
):
    require_perm(request, "catalog.view_item", "purchasing.view_supplierprice")
    item = _item(request, item_id)
    if (
        warehouse_id is not None
        and not Warehouse.objects.filter(company=request.company, pk=warehouse_id).exists()
    ):
        raise ValidationFailed.on("warehouse_id", _("Unknown warehouse."))
    warehouse_id = warehouse_id or settings_of(request.company).default_warehouse_id
    cost = costing.unit_cost_for(request.company, item.pk, quantity, warehouse_id=warehouse_id, method=method)
    return {
        "item_id": item.pk,
        "quantity": quantity,
        "warehouse_id": warehouse_id,
        "method": cost.basis,
        "unit_cost": cost.unit_cost,
        "value": cost.value,
        "source": cost.source,
        "parts": cost.parts,
    }
