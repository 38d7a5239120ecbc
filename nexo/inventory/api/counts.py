"""Stock counts: what was counted in a location; each difference becomes a done adjustment."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.catalog.models import Item
from nexo.core.api import Endpoints, Id, StrictSchema, fields_named
from nexo.core.errors import ValidationFailed
from nexo.inventory import queries, services
from nexo.inventory.api.moves import StockMoveOut
from nexo.inventory.api.schemas import CountedIn, Day, Note

endpoints = Endpoints()

MAX_LINES = 1000


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


@endpoints.post(
    "/stock-counts",
    StockCountOut,
    perm="inventory.add_stockmove",
    idempotent=True,
    summary="Post a stock count: each difference becomes a done adjustment",
    description="Items left out are not counted. A gain enters at the item's current cost in the warehouse.",
)
def stock_count_create(request: HttpRequest, payload: StockCountIn):
    # The service names a count by its item (`counted.<item id>`); the body by its line (`lines.<n>.counted`).
    with fields_named(None, _check_count_lines(request, payload.lines)):
        moves = services.stock_count_post(
            company=request.company, by=request.user, location_id=payload.location_id,
            counted={line.item_id: line.counted for line in payload.lines},
            date=payload.date, note=payload.note,
        )  # fmt: skip
    rows = queries.moves_of(request.company).filter(pk__in=[move.pk for move in moves]).order_by("pk")
    return {
        "location_id": payload.location_id,
        "date": moves[0].date if moves else (payload.date or timezone.localdate()),
        "moves": list(rows),
    }


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
