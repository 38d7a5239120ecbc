"""/deliveries: delivery notes (albaranes) and return notes with their lines and costs of goods sold;
POST .../validate (with a backorder or without), .../return, and /sales-orders/{id}/cancel-remaining
(sales.services.deliveries). Who sees an order sees its delivery notes; another's answers 404."""

from datetime import datetime
from typing import Annotated, Literal

from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict

from nexo.core.api import (
    Endpoints,
    Id,
    Limit,
    MoneyOut,
    Offset,
    PriceOut,
    QuantityOut,
    QueryId,
    RecordId,
    StrictSchema,
    decimal_in,
    page_of,
)
from nexo.core.errors import NotFound, ValidationFailed
from nexo.sales import queries, services
from nexo.sales.api.sales_orders import sales_order_body, sales_order_visible
from nexo.sales.api.schemas import MAX_LINES, Day, DocumentDay, SalesOrderOut
from nexo.sales.models import Delivery

endpoints = Endpoints()

DeliveryState = Literal[tuple(Delivery.State.values)]  # type: ignore[valid-type]
DeliveryKind = Literal[tuple(Delivery.Kind.values)]  # type: ignore[valid-type]
# A quantity delivered or returned: 0 or more (0 leaves a line for the backorder), up to 4 decimals.
LineQuantityIn = decimal_in(
    max_digits=16,
    places=4,
    ge=0,
    pattern=r"^\d{1,12}(\.\d{1,4})?$",
    example="5",
    about="A quantity, 0 or more, a decimal string with up to 4 decimals.",
)


class DeliveryLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    order_line_id: int
    item_id: int
    item_sku: str
    item_name: str
    quantity: QuantityOut = Field(
        description="A draft: what it holds (reserved); validated: what was delivered; a return: what came back"
    )
    unit_cost: PriceOut | None = Field(
        description="The cost of goods sold a unit (validated), or the cost it came back at (return); null on a "
        "draft"
    )
    cost: MoneyOut = Field(description="quantity times unit cost, as the stock move was valued")
    move_id: int | None
    returned_line_id: int | None = Field(
        description="A return line: the delivered line it comes back against"
    )
    available: QuantityOut | None = Field(
        description="A draft's line: on hand at the location it leaves from (validating delivers up to it by "
        "default); null otherwise"
    )


class DeliverySummary(Schema):
    id: int
    number: str
    kind: str = Field(description="delivery, or return (goods back from the customer)")
    state: str = Field(description="draft (holding the reservation), done, or cancelled")
    order_id: int
    order_number: str
    party_id: int
    party_name: str
    warehouse_id: int
    date: Day
    cost: MoneyOut = Field(description="The cost of goods of its lines (validated or returned)")
    backorder_of_id: int | None = Field(description="The delivery note whose rest it carries")
    return_of_id: int | None = Field(description="A return: the delivery note the goods came back from")


class DeliveryOut(DeliverySummary):
    reason: str
    notes: str
    done_at: datetime | None = Field(description="When it was validated (a return: taken)")
    done_by_id: int | None
    lines: list[DeliveryLineOut]


class DeliveryList(Schema):
    count: int
    items: list[DeliverySummary]


class LineQuantity(StrictSchema):
    line_id: Id = Field(description="A line of this delivery note")
    quantity: LineQuantityIn


class ValidateIn(StrictSchema):
    lines: list[LineQuantity] | None = Field(
        None,
        max_length=MAX_LINES,
        description="What each line delivers; a line left out delivers 0. Left out: everything available "
        "(each line as far as the stock at its location goes)",
    )
    backorder: bool = Field(
        True, description="true: what is not delivered waits on a new draft delivery note; false: cancelled"
    )
    date: DocumentDay | None = Field(None, description="Defaults to today: the stock leaves on that day")


class ReturnIn(StrictSchema):
    lines: list[LineQuantity] = Field(min_length=1, max_length=MAX_LINES)
    reason: Annotated[str, Field(min_length=1, max_length=300)]
    date: DocumentDay | None = Field(None, description="Defaults to today")


class ValidatedOut(Schema):
    delivery: DeliveryOut
    backorder: DeliveryOut | None = Field(description="The new draft with what was not delivered, if any")


def delivery_visible(request: HttpRequest, delivery_id: int) -> None:
    """A delivery note of an order the user may not see, or of another company, is a 404."""
    if not queries.deliveries_visible_to(request.user, request.company).filter(pk=delivery_id).exists():
        raise NotFound(_("No such delivery note."))


def _annotated(queryset):
    return queryset.annotate(order_number=F("order__number"), party_name=F("party__name"))


def delivery_body(request: HttpRequest, delivery_id: int) -> dict:
    """A delivery note with its lines (and, for a draft, what is on hand for each): four queries."""
    delivery = _annotated(Delivery.objects.filter(company=request.company, pk=delivery_id)).first()
    if delivery is None:
        raise NotFound(_("No such delivery note."))
    body = {name: getattr(delivery, name) for name in DeliveryOut.model_fields if name != "lines"}
    lines = queries.delivery_lines(delivery)
    available = (
        queries.delivery_lines_available(request.company, delivery, lines)
        if delivery.state == Delivery.State.DRAFT
        else {}
    )
    body["lines"] = [
        {
            "id": line.pk,
            "position": line.position,
            "order_line_id": line.order_line_id,
            "item_id": line.item_id,
            "item_sku": line.item.sku,
            "item_name": line.item.name,
            "quantity": line.quantity,
            "unit_cost": line.unit_cost,
            "cost": line.cost,
            "move_id": line.move_id,
            "returned_line_id": line.returned_line_id,
            "available": available.get(line.pk),
        }
        for line in lines
    ]
    return body


def _quantities(lines: list[LineQuantity] | None) -> dict | None:
    """The lines' quantities by line id (None: none given); a line named twice is a field error."""
    if lines is None:
        return None
    found = {}
    for index, line in enumerate(lines):
        if line.line_id in found:
            raise ValidationFailed.on(f"lines.{index}.line_id", _("This line is given twice."))
        found[line.line_id] = line.quantity
    return found


def _with_line_fields(lines: list[LineQuantity] | None, call):
    """Run the service, its `quantities.<line id>` fields named as the payload's `lines.<index>.…`."""
    try:
        return call()
    except ValidationFailed as failure:
        index_of = {line.line_id: index for index, line in enumerate(lines or [])}
        for error in failure.errors:
            head, _dot, key = error["field"].partition(".")
            if head == "quantities":  # a line given by its id, or none at all
                line = int(key) if key.isdigit() else None
                error["field"] = f"lines.{index_of[line]}.quantity" if line in index_of else "lines"
        raise


ORDERINGS = ("date", "-date", "number", "-number", "created_at", "-created_at")


@endpoints.get(
    "/deliveries",
    DeliveryList,
    perm="sales.view_delivery",
    summary="List delivery and return notes",
    description="Those of the orders the user may see, newest first by default; filter by order, state and kind.",
)
def delivery_list(
    request: HttpRequest,
    order_id: QueryId = None,
    state: DeliveryState | None = None,
    kind: DeliveryKind | None = None,
    ordering: Literal[ORDERINGS] = "-date",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    queryset = queries.deliveries_visible_to(request.user, request.company)
    filters = {"order_id": order_id, "state": state, "kind": kind}
    queryset = queryset.filter(**{name: value for name, value in filters.items() if value is not None})
    queryset = _annotated(queryset).order_by(ordering, "-pk")
    count, items = page_of(queryset, limit=limit, offset=offset)
    return {"count": count, "items": items}


@endpoints.get(
    "/deliveries/{delivery_id}",
    DeliveryOut,
    perm="sales.view_delivery",
    visible=delivery_visible,
    summary="Read a delivery note with its lines, their cost of goods sold and (a draft) what is on hand",
)
def delivery_read(request: HttpRequest, delivery_id: RecordId):
    return delivery_body(request, delivery_id)


@endpoints.post(
    "/deliveries/{delivery_id}/validate",
    ValidatedOut,
    perm=("sales.view_delivery", "sales.change_delivery"),
    visible=delivery_visible,
    summary="Validate a draft delivery note: the goods leave at their valuation cost",
    description="Delivers the `lines` given (by line id; a line left out delivers 0), or everything "
    "available. The moves are posted at their valuation cost, each line keeps its cost of goods sold. What is "
    "not delivered waits on a new draft delivery note (`backorder` true) or is cancelled, its reservation "
    "released. 409 when it is not a draft, when nothing is delivered, or a quantity is above the stock "
    "(unless the company allows negative stock); 422 for a quantity above its line or a line of another "
    "delivery note.",
)
def delivery_validate(request: HttpRequest, delivery_id: RecordId, payload: ValidateIn | None = None):
    payload = payload or ValidateIn()
    quantities = _quantities(payload.lines)
    done = _with_line_fields(
        payload.lines,
        lambda: services.delivery_validate(
            company=request.company,
            by=request.user,
            delivery_id=delivery_id,
            quantities=quantities,
            backorder=payload.backorder,
            date=payload.date,
        ),
    )
    backorder = done.backorders.filter(state=Delivery.State.DRAFT).values_list("pk", flat=True).first()
    return {
        "delivery": delivery_body(request, done.pk),
        "backorder": delivery_body(request, backorder) if backorder else None,
    }


@endpoints.post(
    "/deliveries/{delivery_id}/return",
    DeliveryOut,
    perm=("sales.view_delivery", "sales.change_delivery"),
    visible=delivery_visible,
    idempotent=True,
    summary="Take goods back from a validated delivery note, at the cost they left with",
    description="A return note, done at once: each of `lines` (a delivered line's id and the quantity back) "
    "enters the stock location at the line's unit cost of goods sold. Answers the return note. 409 unless "
    "the delivery note is a validated delivery; 422 for a quantity of 0 or above what the line delivered "
    "less what already came back of it, or an empty reason.",
)
def delivery_return(request: HttpRequest, delivery_id: RecordId, payload: ReturnIn):
    quantities = _quantities(payload.lines)
    note = _with_line_fields(
        payload.lines,
        lambda: services.delivery_return(
            company=request.company,
            by=request.user,
            delivery_id=delivery_id,
            quantities=quantities,
            reason=payload.reason,
            date=payload.date,
        ),
    )
    return delivery_body(request, note.pk)


@endpoints.post(
    "/sales-orders/{order_id}/cancel-remaining",
    SalesOrderOut,
    perm=("sales.view_salesorder", "sales.change_salesorder"),
    visible=sales_order_visible,
    read=sales_order_body,
    summary="Cancel what the order still has to deliver, releasing its reservation",
    description="Its draft delivery notes are cancelled with their moves; each line's rest counts as "
    "cancelled. An order of which nothing was delivered or invoiced is cancelled itself. 409 when nothing "
    "remains to deliver or the order is not confirmed.",
)
def sales_order_cancel_remaining(request: HttpRequest, order_id: RecordId):
    services.sales_order_cancel_remaining(company=request.company, by=request.user, order_id=order_id)
    return order_id
