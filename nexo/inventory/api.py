"""Inventory API: /warehouses, /locations, /stock-moves (draft or done, then done or cancelled), the
/stock-levels per item and warehouse, the /stock-valuation at a date and /stock-counts (API.md, DOMAIN.md §5)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

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
from nexo.inventory import queries, services
from nexo.inventory.models import Location, StockMove, Warehouse

router = Router(tags=["inventory"])

Day = date  # a field named `date` below would shadow the type

MAX_LINES = 1000

QuantityIn = decimal_in(
    max_digits=13, places=4, gt=0, pattern=r"^\d{1,9}(\.\d{1,4})?$", example="10",
    about="A quantity above zero, a decimal string with up to 4 decimals.",
)  # fmt: skip
CountedIn = decimal_in(
    max_digits=13, places=4, ge=0, pattern=r"^\d{1,9}(\.\d{1,4})?$", example="12",
    about="The quantity counted (0 or more), a decimal string with up to 4 decimals.",
)  # fmt: skip
CostIn = decimal_in(
    max_digits=13, places=6, ge=0, pattern=r"^\d{1,7}(\.\d{1,6})?$", example="4.25",
    about="A unit cost ≥ 0, a decimal string with up to 6 decimals.",
)  # fmt: skip
QuantityOut = decimal_out(4, example="10.0000", about="A quantity, a decimal string with 4 decimals.")
CostOut = decimal_out(6, example="4.250000", about="A unit cost, a decimal string with 6 decimals.")
MoneyOut = decimal_out(2, example="1234.50", about="An amount, a decimal string with 2 decimals.")

Code = Annotated[str, Field(min_length=1, max_length=10)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Note = Annotated[str, Field(max_length=200)]
State = Literal["draft", "done", "cancelled"]
LocationKind = Literal["internal", "supplier", "customer", "adjustment"]
MoveKind = Literal[tuple(kind for kind, _label in queries.MoveKind.CHOICES)]  # type: ignore[valid-type]
GroupBy = Literal["item", "category", "warehouse"]

# The services name the records they resolve ("item"); the API's fields are the ids ("item_id").
ID_FIELDS = {
    "item": "item_id", "from_location": "from_location_id", "to_location": "to_location_id",
    "warehouse": "warehouse_id", "default_warehouse": "default_warehouse_id", "location": "location_id",
}  # fmt: skip


def _fields_named(extra: dict[str, str] | None = None):
    return fields_renamed({**ID_FIELDS, **(extra or {})})


# Settings


class SettingsOut(Schema):
    allow_negative_stock: bool
    default_warehouse_id: int | None
    supplier_location_id: int | None
    customer_location_id: int | None
    adjustment_location_id: int | None


class SettingsPatch(StrictSchema):
    allow_negative_stock: bool = None
    default_warehouse_id: Id = None


@router.get(
    "/inventory-settings",
    response={200: SettingsOut, **ERROR_RESPONSES},
    summary="The company's stock rules and its virtual locations",
)
def settings_read(request: HttpRequest):
    require_perm(request, "inventory.view_warehouse")
    return services.settings_of(request.company)


@router.patch(
    "/inventory-settings",
    response={200: SettingsOut, **ERROR_RESPONSES},
    summary="Allow negative stock or change the default warehouse",
)
def settings_update(request: HttpRequest, payload: SettingsPatch):
    require_perm(request, "inventory.change_warehouse")
    with _fields_named():
        return services.inventory_settings_update(
            company=request.company, by=request.user, **payload.model_dump(exclude_unset=True)
        )


# Warehouses


class WarehouseIn(StrictSchema):
    code: Code = Field(description="Short code, stored in capitals, unique in the company")
    name: Name


class WarehousePatch(StrictSchema):
    # Fields left out keep their value.
    code: Code = None
    name: Name = None
    is_active: bool = None


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    is_active: bool
    stock_location_id: int | None = Field(description="Where its receipts go unless a move says otherwise")
    is_default: bool


class WarehouseList(Schema):
    count: int
    items: list[WarehouseOut]


def _warehouses(request: HttpRequest):
    default_id = queries.default_warehouse_id(request.company)
    return Warehouse.objects.filter(company=request.company).annotate(
        is_default=ExpressionWrapper(Q(pk=default_id or 0), output_field=BooleanField())
    )


def _warehouse(request: HttpRequest, warehouse_id: int) -> Warehouse:
    warehouse = _warehouses(request).filter(pk=warehouse_id).first()
    if warehouse is None:
        raise NotFound(_("No such warehouse."))
    return warehouse


def _warehouse_out(request: HttpRequest, warehouse_id: int) -> dict:
    return WarehouseOut.from_orm(_warehouse(request, warehouse_id)).model_dump(mode="json")


@router.get("/warehouses", response={200: WarehouseList, **ERROR_RESPONSES}, summary="List the warehouses")
def warehouse_list(
    request: HttpRequest, is_active: bool | None = None, limit: Limit = 100, offset: Offset = 0
):
    require_perm(request, "inventory.view_warehouse")
    queryset = _warehouses(request)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    count, items = page_of(queryset.order_by("code", "pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


@router.post(
    "/warehouses",
    response={201: WarehouseOut, **ERROR_RESPONSES},
    summary="Add a warehouse",
    description="It gets a stock location, where its receipts go. 422 for a code already used. "
    "Accepts an `Idempotency-Key` header.",
)
def warehouse_create(request: HttpRequest, payload: WarehouseIn):
    require_perm(request, "inventory.add_warehouse")

    def create() -> dict:
        with _fields_named():
            warehouse = services.warehouse_create(
                company=request.company, by=request.user, code=payload.code, name=payload.name
            )
        return _warehouse_out(request, warehouse.pk)

    return idempotent(request, create)


@router.get(
    "/warehouses/{warehouse_id}", response={200: WarehouseOut, **ERROR_RESPONSES}, summary="Read a warehouse"
)
def warehouse_read(request: HttpRequest, warehouse_id: RecordId):
    require_perm(request, "inventory.view_warehouse")
    return _warehouse(request, warehouse_id)


@router.patch(
    "/warehouses/{warehouse_id}",
    response={200: WarehouseOut, **ERROR_RESPONSES},
    summary="Rename, recode or (de)activate a warehouse",
    description="The default warehouse cannot be deactivated (422 on is_active).",
)
def warehouse_update(request: HttpRequest, warehouse_id: RecordId, payload: WarehousePatch):
    require_perm(request, "inventory.change_warehouse")
    with _fields_named():
        warehouse = services.warehouse_update(
            company=request.company, warehouse_id=warehouse_id, by=request.user,
            **payload.model_dump(exclude_unset=True),
        )  # fmt: skip
    return _warehouse(request, warehouse.pk)


# Locations


class LocationIn(StrictSchema):
    warehouse_id: Id
    name: Name


class LocationPatch(StrictSchema):
    # Fields left out keep their value.
    name: Name = None
    is_active: bool = None


class LocationOut(Schema):
    id: int
    name: str
    full_name: str = Field(description='"Warehouse code/name" for a warehouse\'s location')
    kind: str = Field(
        description="internal (in a warehouse) or a virtual one: supplier, customer, adjustment"
    )
    warehouse_id: int | None
    is_active: bool


class LocationList(Schema):
    count: int
    items: list[LocationOut]


def _locations(request: HttpRequest):
    return Location.objects.filter(company=request.company).annotate(full_name=queries.location_label())


def _location(request: HttpRequest, location_id: int) -> Location:
    location = _locations(request).filter(pk=location_id).first()
    if location is None:
        raise NotFound(_("No such location."))
    return location


@router.get("/locations", response={200: LocationList, **ERROR_RESPONSES}, summary="List the locations")
def location_list(
    request: HttpRequest,
    kind: LocationKind | None = None,
    warehouse_id: QueryId = None,
    is_active: bool | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    require_perm(request, "inventory.view_location")
    queryset = _locations(request)
    filters = {"kind": kind, "warehouse_id": warehouse_id, "is_active": is_active}
    queryset = queryset.filter(**{name: value for name, value in filters.items() if value is not None})
    count, items = page_of(queryset.order_by("warehouse__code", "name", "pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


@router.post(
    "/locations",
    response={201: LocationOut, **ERROR_RESPONSES},
    summary="Add a location (a shelf, a zone) to a warehouse",
    description="Accepts an `Idempotency-Key` header.",
)
def location_create(request: HttpRequest, payload: LocationIn):
    require_perm(request, "inventory.add_location")

    def create() -> dict:
        with _fields_named():
            location = services.location_create(
                company=request.company, by=request.user, warehouse_id=payload.warehouse_id, name=payload.name
            )
        return LocationOut.from_orm(_location(request, location.pk)).model_dump(mode="json")

    return idempotent(request, create)


@router.patch(
    "/locations/{location_id}",
    response={200: LocationOut, **ERROR_RESPONSES},
    summary="Rename or (de)activate a location",
    description="A location still holding stock, a warehouse's stock location or a virtual location the "
    "settings use cannot be deactivated (422 on is_active).",
)
def location_update(request: HttpRequest, location_id: RecordId, payload: LocationPatch):
    require_perm(request, "inventory.change_location")
    with _fields_named():
        services.location_update(
            company=request.company, location_id=location_id, by=request.user,
            **payload.model_dump(exclude_unset=True),
        )  # fmt: skip
    return _location(request, location_id)


# Stock moves


class StockMoveIn(StrictSchema):
    item_id: Id
    quantity: QuantityIn
    from_location_id: Id
    to_location_id: Id
    date: Day | None = Field(None, description="Defaults to today; an earlier date revalues what follows")
    unit_cost: CostIn | None = Field(
        None, description="Required from a supplier; otherwise the cost by the item's valuation method"
    )
    note: Note = ""
    done: bool = Field(False, description="true: post it now (stock and valuation change); false: a draft")


class StockMoveOut(Schema):
    id: int
    item_id: int
    item_sku: str
    quantity: QuantityOut
    from_location_id: int
    from_location_name: str
    to_location_id: int
    to_location_name: str
    kind: str = Field(
        description="receipt, delivery, transfer, adjustment, customer_return or supplier_return"
    )
    date: Day
    unit_cost: CostOut | None
    value: MoneyOut | None = Field(description="What the move is worth at cost, once done")
    state: str
    done_at: datetime | None
    origin_type: str
    origin_id: int | None
    origin_label: str
    note: str
    created_at: datetime


class StockMoveList(Schema):
    count: int
    items: list[StockMoveOut]


MOVE_ORDERINGS = ("date", "-date", "id", "-id")


def _move(request: HttpRequest, move_id: int) -> StockMove:
    move = queries.moves_of(request.company).filter(pk=move_id).first()
    if move is None:
        raise NotFound(_("No such stock move."))
    return move


def _move_out(request: HttpRequest, move_id: int) -> dict:
    return StockMoveOut.from_orm(_move(request, move_id)).model_dump(mode="json")


@router.get(
    "/stock-moves",
    response={200: StockMoveList, **ERROR_RESPONSES},
    summary="List stock moves",
    description="`warehouse_id` and `location_id` match either end of a move; `origin_type` is the kind of "
    "document a move comes from (empty: entered by hand); dates are inclusive.",
)
def stock_move_list(
    request: HttpRequest,
    item_id: QueryId = None,
    warehouse_id: QueryId = None,
    location_id: QueryId = None,
    state: State | None = None,
    kind: MoveKind | None = None,
    date_from: Day | None = None,
    date_to: Day | None = None,
    origin_type: Annotated[str | None, Field(max_length=40), SafeText] = None,
    ordering: Literal[MOVE_ORDERINGS] = "-date",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    require_perm(request, "inventory.view_stockmove")
    moves = queries.moves_filtered(
        queries.moves_of(request.company), item_id=item_id, warehouse_id=warehouse_id,
        location_id=location_id, state=state, kind=kind, date_from=date_from, date_to=date_to,
        origin_type=origin_type,
    )  # fmt: skip
    tie = "-pk" if ordering.startswith("-") else "pk"
    count, items = page_of(moves.order_by(ordering, tie), limit=limit, offset=offset)
    return {"count": count, "items": items}


@router.post(
    "/stock-moves",
    response={201: StockMoveOut, **ERROR_RESPONSES},
    summary="Create a stock move, draft or done",
    description="A receipt comes from the supplier location with its `unit_cost`; a delivery goes to the "
    "customer location; a transfer goes between two internal locations; an adjustment to or from the "
    "adjustment location. With `done: true` it is posted at once: 409 when a location would go below zero "
    "(unless the company allows negative stock), and nothing is created. Accepts an `Idempotency-Key` header.",
)
def stock_move_create(request: HttpRequest, payload: StockMoveIn):
    require_perm(request, "inventory.add_stockmove")

    def create() -> dict:
        with _fields_named():
            move = services.stock_move_create(
                company=request.company, by=request.user, item_id=payload.item_id, quantity=payload.quantity,
                from_location_id=payload.from_location_id, to_location_id=payload.to_location_id,
                date=payload.date, unit_cost=payload.unit_cost, note=payload.note, done=payload.done,
            )  # fmt: skip
        return _move_out(request, move.pk)

    return idempotent(request, create)


@router.get(
    "/stock-moves/{move_id}", response={200: StockMoveOut, **ERROR_RESPONSES}, summary="Read a stock move"
)
def stock_move_read(request: HttpRequest, move_id: RecordId):
    require_perm(request, "inventory.view_stockmove")
    return _move(request, move_id)


@router.post(
    "/stock-moves/{move_id}/done",
    response={200: StockMoveOut, **ERROR_RESPONSES},
    summary="Post a draft move: stock and valuation change at its date",
    description="409 when the move is not a draft, or when a location would go below zero.",
)
def stock_move_done(request: HttpRequest, move_id: RecordId):
    require_perm(request, "inventory.change_stockmove")
    services.stock_move_done(company=request.company, by=request.user, move_id=move_id)
    return _move(request, move_id)


@router.post(
    "/stock-moves/{move_id}/cancel",
    response={200: StockMoveOut, **ERROR_RESPONSES},
    summary="Cancel a draft move",
    description="409 when the move is done (undo it with a move the other way) or already cancelled.",
)
def stock_move_cancel(request: HttpRequest, move_id: RecordId):
    require_perm(request, "inventory.change_stockmove")
    services.stock_move_cancel(company=request.company, by=request.user, move_id=move_id)
    return _move(request, move_id)


# Stock levels and valuation


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
    value: MoneyOut = Field(description="By the item's valuation method")
    average_cost: CostOut = Field(description="The weighted average unit cost")

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


@router.get(
    "/stock-levels",
    response={200: StockLevelList, **ERROR_RESPONSES},
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
    require_perm(request, "inventory.view_stockmove")
    rows = queries.stock_levels(
        request.company, day=date, warehouse_id=warehouse_id, item_ids=None if item_id is None else [item_id]
    )
    rows = queries.search_items(rows, q)
    if with_stock:
        rows = queries.with_stock(rows)
    count, items = page_of(rows.order_by(*STOCK_LEVEL_ORDERINGS[ordering], "pk"), limit=limit, offset=offset)
    return {"count": count, "date": date, "items": items}


class ValuationLineOut(Schema):
    id: int | None = Field(description="The item, category or warehouse; null: items without a category")
    code: str = Field(description="SKU or warehouse code; empty for a category")
    name: str
    quantity: QuantityOut | None = Field(description="Per item only")
    unit_cost: CostOut | None = Field(description="Per item only: value ÷ quantity")
    value: MoneyOut
    item_count: int


class ValuationOut(Schema):
    date: Day
    group: str
    total: MoneyOut = Field(description="The value of everything, whatever page of lines is shown")
    item_count: int
    count: int = Field(description="How many lines there are")
    items: list[ValuationLineOut]


@router.get(
    "/stock-valuation",
    response={200: ValuationOut, **ERROR_RESPONSES},
    summary="The inventory value at a date per item, category or warehouse, with the total",
    description="The value of each item in each warehouse is the one its ledger had at the end of `date` "
    "(default today), by the item's valuation method.",
)
def stock_valuation(
    request: HttpRequest,
    date: Day | None = None,
    group: GroupBy = "item",
    warehouse_id: QueryId = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    require_perm(request, "inventory.view_stockmove")
    report = queries.valuation(
        request.company, day=date or timezone.localdate(), group=group, warehouse_id=warehouse_id
    )
    lines = [
        {
            "id": line.key,
            "code": line.code,
            "name": line.name,
            "quantity": line.quantity,
            "unit_cost": line.unit_cost,
            "value": line.value,
            "item_count": line.item_count,
        }
        for line in report.lines[offset : offset + limit]
    ]
    return {
        "date": report.day, "group": report.group, "total": report.total, "item_count": report.item_count,
        "count": len(report.lines), "items": lines,
    }  # fmt: skip


# Stock counts


class CountLineIn(StrictSchema):
    item_id: Id
    counted: CountedIn


class StockCountIn(StrictSchema):
    location_id: Id = Field(description="An internal location")
    date: Day | None = Field(None, description="Defaults to today")
    note: Note = ""
    lines: list[CountLineIn] = Field(min_length=1, max_length=MAX_LINES)


class StockCountOut(Schema):
    location_id: int
    date: Day
    moves: list[StockMoveOut] = Field(description="The adjustments posted: one per item whose count differed")


@router.post(
    "/stock-counts",
    response={201: StockCountOut, **ERROR_RESPONSES},
    summary="Post a stock count: each difference becomes a done adjustment",
    description="Items left out are not counted. A gain enters at the item's current cost in the warehouse. "
    "Accepts an `Idempotency-Key` header.",
)
def stock_count_create(request: HttpRequest, payload: StockCountIn):
    require_perm(request, "inventory.add_stockmove")

    def create() -> dict:
        renames = _check_count_lines(request, payload.lines)
        with _fields_named(renames):
            moves = services.stock_count_post(
                company=request.company, by=request.user, location_id=payload.location_id,
                counted={line.item_id: line.counted for line in payload.lines},
                date=payload.date, note=payload.note,
            )  # fmt: skip
        day = moves[0].date if moves else (payload.date or timezone.localdate())
        rows = queries.moves_of(request.company).filter(pk__in=[move.pk for move in moves]).order_by("pk")
        return {
            "location_id": payload.location_id,
            "date": day.isoformat(),
            "moves": [StockMoveOut.from_orm(move).model_dump(mode="json") for move in rows],
        }

    return idempotent(request, create)


def _check_count_lines(request: HttpRequest, lines: list[CountLineIn]) -> dict[str, str]:
    """Each line a stocked item of the company, once; returns the service's field names → the lines'."""
    stocked = set(
        Item.objects.filter(
            company=request.company, kind=Item.Kind.STOCKED, pk__in={line.item_id for line in lines}
        ).values_list("pk", flat=True)
    )
    seen, errors, renames = set(), {}, {}
    for index, line in enumerate(lines):
        if line.item_id not in stocked:
            errors[f"lines.{index}.item_id"] = [_("Unknown item, or a service: it has no stock.")]
        elif line.item_id in seen:
            errors[f"lines.{index}.item_id"] = [_("This item is counted twice.")]
        seen.add(line.item_id)
        renames[f"counted.{line.item_id}"] = f"lines.{index}.counted"
    if errors:
        raise ValidationFailed.from_fields(errors)
    return renames
