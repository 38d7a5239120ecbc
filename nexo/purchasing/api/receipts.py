"""Receipts: goods in against a confirmed purchase order (/purchase-orders/{order_id}/receive) and
/receipts/{receipt_id} with their lines and stock moves."""

from datetime import datetime
from typing import Annotated

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.core.api import (
    Endpoints,
    Id,
    MoneyOut,
    PriceOut,
    QuantityOut,
    RecordId,
    StrictSchema,
    decimal_in,
    fields_named,
)
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.rules import round_money
from nexo.purchasing import services
from nexo.purchasing.api.common import MAX_LINES, Day
from nexo.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine

endpoints = Endpoints()

ReceivedIn = decimal_in(
    max_digits=14, places=4, ge=0, pattern=r"^\d{1,10}(\.\d{1,4})?$", example="6",
    about="The quantity that arrived (0: none of this line this time), up to 4 decimals.",
)  # fmt: skip
Note = Annotated[str, Field(max_length=200)]


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


class ReceiveLineIn(StrictSchema):
    line_id: Id = Field(description="A line of this order")
    quantity: ReceivedIn


class ReceiveIn(StrictSchema):
    date: Day | None = Field(None, description="Defaults to today")
    warehouse_id: Id | None = Field(None, description="Defaults to the order's warehouse")
    lines: list[ReceiveLineIn] = Field(min_length=1, max_length=MAX_LINES)
    allow_over_receipt: bool = Field(False, description="Accept more than is pending on a line")
    note: Note = ""


def receipt_lines() -> Prefetch:
    """A receipt's lines with their order line's item and their stock move, for `receipt_body`."""
    return Prefetch(
        "lines", queryset=ReceiptLine.objects.select_related("order_line__item", "move").order_by("pk")
    )


def receipt_body(receipt: Receipt, order: PurchaseOrder) -> dict:
    """A receipt as the API shows it; its lines come prefetched (`receipt_lines`)."""
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


def _receipt(request: HttpRequest, receipt_id: int) -> dict:
    receipt = (
        Receipt.objects.filter(company=request.company, pk=receipt_id)
        .select_related("order")
        .prefetch_related(receipt_lines())
        .first()
    )
    if receipt is None:
        raise NotFound(_("No such receipt."))
    return receipt_body(receipt, receipt.order)


def _order_visible(request: HttpRequest, order_id: int) -> None:
    if not PurchaseOrder.objects.filter(company=request.company, pk=order_id).exists():
        raise NotFound(_("No such purchase order."))


def _line_places(order_id: int, payload: ReceiveIn) -> dict[int, int]:
    """Each line of the body is a line of the order, once. Returns line id → its place in the body."""
    order_lines = set(PurchaseOrderLine.objects.filter(order_id=order_id).values_list("pk", flat=True))
    places: dict[int, int] = {}
    for index, line_in in enumerate(payload.lines):
        field = f"lines.{index}.line_id"
        if line_in.line_id not in order_lines:
            raise ValidationFailed.on(field, _("This line is not on the order."))
        if line_in.line_id in places:
            raise ValidationFailed.on(field, _("This line is already in the receipt."))
        places[line_in.line_id] = index
    return places


@endpoints.post(
    "/purchase-orders/{order_id}/receive", ReceiptOut, perm="purchasing.add_receipt", idempotent=True,
    visible=_order_visible, read=lambda request, receipt: _receipt(request, receipt.pk),
    summary="Receive goods of a confirmed purchase order",
    description="Each line's quantity enters stock at the order's unit price in the company's currency; what "
    "is missing stays pending (the backorder). More than pending is refused (422) unless "
    "`allow_over_receipt`. 409 unless the order is confirmed or partially received.",
)  # fmt: skip
def purchase_order_receive(request: HttpRequest, order_id: RecordId, payload: ReceiveIn):
    places = _line_places(order_id, payload)
    # The service names a line's quantity by the line's id; the body names it by its place in `lines`.
    renames = {f"quantities.{line_id}": f"lines.{index}.quantity" for line_id, index in places.items()}
    with fields_named(ReceiveIn, {**renames, "quantities": "lines"}):
        return services.purchase_order_receive(
            company=request.company, by=request.user, order_id=order_id,
            quantities={line.line_id: line.quantity for line in payload.lines}, date=payload.date,
            warehouse_id=payload.warehouse_id, allow_over_receipt=payload.allow_over_receipt,
            note=payload.note,
        )  # fmt: skip


@endpoints.get(
    "/receipts/{receipt_id}", ReceiptOut, perm="purchasing.view_receipt",
    summary="Read a receipt with its lines and their stock moves",
)  # fmt: skip
def receipt_read(request: HttpRequest, receipt_id: RecordId):
    return _receipt(request, receipt_id)
