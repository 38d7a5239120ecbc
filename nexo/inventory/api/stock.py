"""What is on hand, reserved and available per item and warehouse, and the inventory value at a date."""

from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema

from nexo.catalog.models import Category
from nexo.core.api import Endpoints, Limit, MoneyOut, Offset, QuantityOut, QueryId, SafeText, page_of
from nexo.inventory import queries
from nexo.inventory.api.schemas import CostOut, Day

endpoints = Endpoints()

GroupBy = Literal["item", "category", "warehouse"]


# Stock levels


class StockLevelOut(Schema):
    item_id: int
    item_sku: str
    item_name: str
    unit_code: str
    warehouse_id: int
    warehouse_code: str
    on_hand: QuantityOut
    reserved: QuantityOut | None = Field(description="Draft moves out of the warehouse; null for a past date")
    available: QuantityOut | None = Field(description="On hand minus reserved; null for a past date")
    valuation_method: str = Field(
        description="The item's valuation method: average, fifo, last_purchase, standard"
    )
    value: MoneyOut = Field(description="By the item's valuation method")
    unit_value: CostOut | None = Field(
        description="What a unit on hand is worth by the item's method: value ÷ on hand; null with nothing on hand"
    )
    average_cost: CostOut = Field(
        description="The running weighted average unit cost the ledger keeps for every item, whatever its "
        "method: a FIFO item's unit value (unit_value) may differ"
    )

    @staticmethod
    def resolve_item_sku(row) -> str:
        return row.item.sku

    @staticmethod
    def resolve_item_name(row) -> str:
        return row.item.name

    @staticmethod
    def resolve_unit_code(row) -> str:
        return row.item.unit.code

    @staticmethod
    def resolve_warehouse_code(row) -> str:
        return row.warehouse.code

    @staticmethod
    def resolve_value(row) -> Decimal:
        return row.stock_value

    @staticmethod
    def resolve_valuation_method(row) -> str:
        return row.item.valuation_method

    @staticmethod
    def resolve_unit_value(row) -> Decimal | None:
        return queries.unit_value(row.on_hand, row.stock_value)


class StockLevelList(Schema):
    count: int
    date: Day | None = Field(description="The day asked for; null: now")
    items: list[StockLevelOut]


STOCK_LEVEL_ORDERINGS = {
    "item": ("item__sku", "warehouse__code"),
    "warehouse": ("warehouse__code", "item__sku"),
    "-on_hand": ("-on_hand", "item__sku"),
    "-value": ("-stock_value", "item__sku"),
}


@endpoints.get(
    "/stock-levels",
    StockLevelList,
    perm="inventory.view_stockmove",
    summary="What is on hand, reserved and available per item and warehouse, with its value",
    description="Now, or at the end of `date`. `q` searches the item's SKU, name and barcode; "
    "`with_stock=true` leaves out rows with nothing on hand and no value.",
)
def stock_level_list(
    request: HttpRequest,
    item_id: QueryId = None,
    warehouse_id: QueryId = None,
    date: Day | None = None,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    with_stock: bool = False,
    ordering: Literal[tuple(STOCK_LEVEL_ORDERINGS)] = "item",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    rows = queries.stock_levels(
        request.company, day=date, warehouse_id=warehouse_id, item_ids=None if item_id is None else [item_id]
    )
    rows = queries.search_items(rows, q)
    if with_stock:
        rows = queries.with_stock(rows)
    count, items = page_of(rows.order_by(*STOCK_LEVEL_ORDERINGS[ordering], "pk"), limit=limit, offset=offset)
    return {"count": count, "date": date, "items": items}


# Valuation


class ValuationLineOut(Schema):
    id: int | None = Field(description="The item, category or warehouse; null: items without a category")
    code: str = Field(description="SKU or warehouse code; empty for a category")
    name: str
    quantity: QuantityOut | None = Field(description="Per item only")
    unit_cost: CostOut | None = Field(description="Per item only: value ÷ quantity")
    valuation_method: str | None = Field(description="Per item only: average, fifo, last_purchase, standard")
    value: MoneyOut
    item_count: int


class ValuationOut(Schema):
    date: Day
    group: str
    total: MoneyOut = Field(description="The value of everything, whatever page of lines is shown")
    item_count: int
    count: int = Field(description="How many lines there are")
    items: list[ValuationLineOut]


@endpoints.get(
    "/stock-valuation",
    ValuationOut,
    perm="inventory.view_stockmove",
    summary="The inventory value at a date per item, category or warehouse, with the total",
    description="The value of each item in each warehouse is the one its ledger had at the end of `date` "
    "(default today), by the item's valuation method. `item_id`, `category_id` (with its subcategories) and "
    "`warehouse_id` keep only what they name; the total is then theirs. An id of another company's record "
    "finds nothing.",
)
def stock_valuation(
    request: HttpRequest,
    date: Day | None = None,
    group: GroupBy = "item",
    warehouse_id: QueryId = None,
    item_id: QueryId = None,
    category_id: QueryId = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    category = None
    if category_id is not None:
        category = Category.objects.filter(company=request.company, pk=category_id).first()
        if category is None:  # another company's, or none: nothing is in it
            category = Category(path="/none/")
    report = queries.valuation(
        request.company, day=date or timezone.localdate(), group=group, warehouse_id=warehouse_id,
        item_id=item_id, category=category,
    )  # fmt: skip
    lines = [
        {
            "id": line.key,
            "code": line.code,
            "name": line.name,
            "quantity": line.quantity,
            "unit_cost": line.unit_cost,
            "valuation_method": line.method or None,
            "value": line.value,
            "item_count": line.item_count,
        }
        for line in report.lines[offset : offset + limit]
    ]
    return {
        "date": report.day, "group": report.group, "total": report.total, "item_count": report.item_count,
        "count": len(report.lines), "items": lines,
    }  # fmt: skip
