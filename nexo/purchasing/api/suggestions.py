"""/purchase-suggestions: the items to buy (under their minimum stock, or short for confirmed sales orders),
what to order from whom and why, and draft orders for some of them, one per supplier."""

from django.http import HttpRequest
from ninja import Field, Schema

from nexo.core.api import Endpoints, Id, Limit, Offset, PriceOut, QuantityOut, StrictSchema
from nexo.purchasing import queries, services
from nexo.purchasing.api.orders import OrderDetail, order_detail

endpoints = Endpoints()


class SuggestedPriceOut(Schema):
    supplier_price_id: int
    supplier_id: int
    unit_price: PriceOut = Field(description="In `currency`")
    currency: str
    unit_cost: PriceOut = Field(description="In the company's currency")


class DemandOut(Schema):
    reference: str = Field(
        description='The delivery note reserving it and its confirmed sales order, e.g. "AL-2026-00001 (PV-2026-00012)"'
    )
    quantity: QuantityOut = Field(description="What it still has to deliver of the item")


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
    best_price: SuggestedPriceOut | None = Field(description="The lowest price of any supplier")
    supplier_price: SuggestedPriceOut | None = Field(
        description="The price of the supplier the order would go to, for the suggested quantity"
    )
    orders: list[DemandOut] = Field(description="The confirmed sales orders that need the item")
    reason: str = Field(description="Why it is suggested, in the reader's language")


class SuggestionList(Schema):
    count: int
    items: list[SuggestionOut]


class SuggestedOrdersIn(StrictSchema):
    item_ids: list[Id] = Field(min_length=1, max_length=1000)


class OrderDetailList(Schema):
    count: int
    items: list[OrderDetail]


def _price_body(best: queries.BestPrice | None) -> dict | None:
    if best is None:
        return None
    return {
        "supplier_price_id": best.price.pk, "supplier_id": best.price.supplier_id,
        "unit_price": best.price.unit_price, "currency": best.price.currency, "unit_cost": best.unit_cost,
    }  # fmt: skip


def _suggestion_body(row: queries.Suggestion) -> dict:
    return {
        "item_id": row.item.pk, "sku": row.item.sku, "name": row.item.name, "on_hand": row.on_hand,
        "reserved": row.reserved, "on_order": row.on_order, "minimum_stock": row.minimum,
        "suggested_quantity": row.suggested,
        "preferred_supplier_id": row.preferred.pk if row.preferred else None,
        "supplier_id": row.supplier.pk if row.supplier else None,
        "best_price": _price_body(row.best), "supplier_price": _price_body(row.supplier_price),
        "orders": [{"reference": demand.reference, "quantity": demand.quantity} for demand in row.orders],
        "reason": row.reason,
    }  # fmt: skip


def _orders_body(request: HttpRequest, orders: list) -> dict:
    return {"count": len(orders), "items": [order_detail(request, order.pk) for order in orders]}


@endpoints.get(
    "/purchase-suggestions", SuggestionList,
    perm=("purchasing.view_purchaseorder", "purchasing.view_itempurchasing"),
    summary="Items to buy and what to order from whom",
    description="Every active stocked item whose projected stock (on hand - reserved + on order) is under its "
    "minimum, 0 when it has none: confirmed sales orders' planned deliveries count as reserved. The suggested "
    "quantity reaches the minimum, at least the reorder quantity, rounded up to the supplier's minimum quantity.",
)  # fmt: skip
def purchase_suggestion_list(request: HttpRequest, limit: Limit = 100, offset: Offset = 0):
    rows = queries.purchase_suggestions(request.company)
    return {"count": len(rows), "items": [_suggestion_body(row) for row in rows[offset : offset + limit]]}


@endpoints.post(
    "/purchase-suggestions/orders", OrderDetailList,
    perm=("purchasing.add_purchaseorder", "purchasing.view_itempurchasing"),
    idempotent=True, read=_orders_body,
    summary="Draft purchase orders for some suggested items, one per supplier",
    description="422 when none of the items is suggested or one has no supplier.",
)  # fmt: skip
def purchase_suggestion_orders(request: HttpRequest, payload: SuggestedOrdersIn):
    return services.purchase_orders_from_suggestions(
        company=request.company, by=request.user, item_ids=payload.item_ids
    )
