"""Stock moves: list and filter them, create one (a draft, or posted at once), post or cancel a draft."""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.core.api import (
    Endpoints,
    Id,
    Limit,
    MoneyOut,
    Offset,
    QuantityOut,
    QueryId,
    RecordId,
    SafeText,
    StrictSchema,
    page_of,
)
from nexo.core.errors import NotFound
from nexo.inventory import queries, rules, services
from nexo.inventory.api.schemas import CostIn, CostOut, Day, Note, QuantityIn
from nexo.inventory.models import StockMove

endpoints = Endpoints()

State = Literal[rules.MOVE_LIFECYCLE.states]  # type: ignore[valid-type]
MoveKind = Literal[tuple(kind for kind, _label in queries.MoveKind.CHOICES)]  # type: ignore[valid-type]
MOVE_ORDERINGS = ("date", "-date", "id", "-id")


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


def _move(request: HttpRequest, move_id: int) -> StockMove:
    # The body needs only the move's columns and the names annotated: no related rows built (a third
    # of the read's cost, paid after every move posted through the API).
    move = queries.moves_of(request.company).select_related(None).filter(pk=move_id).first()
    if move is None:
        raise NotFound(_("No such stock move."))
    return move


def _move_read(request: HttpRequest, move: StockMove) -> StockMove:
    """The move a service saved, read again with its item and locations named."""
    return _move(request, move.pk)


@endpoints.get(
    "/stock-moves",
    StockMoveList,
    perm="inventory.view_stockmove",
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
    moves = queries.moves_filtered(
        queries.moves_of(request.company), item_id=item_id, warehouse_id=warehouse_id,
        location_id=location_id, state=state, kind=kind, date_from=date_from, date_to=date_to,
        origin_type=origin_type,
    )  # fmt: skip
    tie = "-pk" if ordering.startswith("-") else "pk"
    count, items = page_of(moves.order_by(ordering, tie), limit=limit, offset=offset)
    return {"count": count, "items": items}


@endpoints.post(
    "/stock-moves",
    StockMoveOut,
    perm="inventory.add_stockmove",
    idempotent=True,
    read=_move_read,
    summary="Create a stock move, draft or done",
    description="A receipt comes from the supplier location with its `unit_cost`; a delivery goes to the "
    "customer location; a transfer goes between two internal locations; an adjustment to or from the "
    "adjustment location. With `done: true` it is posted at once: 409 when a location would go below zero "
    "(unless the company allows negative stock), and nothing is created.",
)
def stock_move_create(request: HttpRequest, payload: StockMoveIn):
    return services.stock_move_create(company=request.company, by=request.user, **payload.model_dump())


@endpoints.get(
    "/stock-moves/{move_id}", StockMoveOut, perm="inventory.view_stockmove", summary="Read a stock move"
)
def stock_move_read(request: HttpRequest, move_id: RecordId):
    return _move(request, move_id)


@endpoints.post(
    "/stock-moves/{move_id}/done",
    StockMoveOut,
    perm="inventory.change_stockmove",
    read=_move_read,
    summary="Post a draft move: stock and valuation change at its date",
    description="409 when the move is not a draft, when a location would go below zero, or when it belongs "
    "to a delivery note (posted when the delivery note is validated).",
)
def stock_move_done(request: HttpRequest, move_id: RecordId):
    return services.stock_move_post(company=request.company, by=request.user, move_id=move_id)


@endpoints.post(
    "/stock-moves/{move_id}/cancel",
    StockMoveOut,
    perm="inventory.change_stockmove",
    read=_move_read,
    summary="Cancel a draft move",
    description="409 when the move is done (undo it with a move the other way), already cancelled, or "
    "belongs to a delivery note (cancelled with it).",
)
def stock_move_cancel(request: HttpRequest, move_id: RecordId):
    return services.stock_move_cancel(company=request.company, by=request.user, move_id=move_id)
