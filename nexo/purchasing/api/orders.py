"""/purchase-orders with their lines: list, create, read, change while a draft, confirm and cancel, the PDF
and sending it to the supplier. Goods come in through their receipts (`receipts.py`)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema

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
    SafeText,
    StrictSchema,
    page_of,
)
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.rules import round_money
from nexo.purchasing import documents, queries, rules, sending, services
from nexo.purchasing.api.common import MAX_LINES, Currency, Day, PriceIn, QuantityIn, RateOut
from nexo.purchasing.api.receipts import ReceiptOut, receipt_body, receipt_lines
from nexo.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt

endpoints = Endpoints()

Notes = Annotated[str, Field(max_length=2000)]
Description = Annotated[str, Field(max_length=200, description="Empty: the item's name")]
OrderState = Literal[rules.ORDER_LIFECYCLE.states]  # type: ignore[valid-type]
ORDER_ORDERINGS = ("date", "-date", "number", "-number", "expected_date", "-expected_date", "id", "-id")


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
    sent_to: str = Field(description="Where its latest e-mail to the supplier went; empty when never sent")
    email_status: Literal["", "queued", "sent", "failed"] = Field(
        description="Its latest e-mail: queued (goes out after the commit), sent or failed; empty when never sent"
    )
    email_error: str
    email_sent_at: datetime | None


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


def _line_body(line: PurchaseOrderLine) -> dict:
    return {
        "id": line.pk, "position": line.position, "item_id": line.item_id, "sku": line.item.sku,
        "description": line.description, "quantity": line.quantity, "unit_price": line.unit_price,
        "amount": queries.line_amount(line.quantity, line.unit_price),
        "received_quantity": line.received_quantity,
        "pending_quantity": line.pending_quantity, "supplier_price_id": line.supplier_price_id,
    }  # fmt: skip


def _order_fields(order: PurchaseOrder, total: Decimal) -> dict:
    return {
        "id": order.pk, "number": order.number, "supplier_id": order.supplier_id,
        "supplier_name": order.supplier.name, "warehouse_id": order.warehouse_id, "date": order.date,
        "expected_date": order.expected_date, "currency": order.currency, "exchange_rate": order.exchange_rate,
        "state": order.state, "notes": order.notes, "total": total, "confirmed_at": order.confirmed_at,
        "created_at": order.created_at, "updated_at": order.updated_at, "sent_to": order.sent_to,
        "email_status": order.email_status, "email_error": order.email_error, "email_sent_at": order.email_sent_at,
    }  # fmt: skip


def order_detail(request: HttpRequest, order_id: int) -> dict:
    """An order with its lines and receipts (and their moves): a fixed number of queries."""
    order = (
        PurchaseOrder.objects.filter(company=request.company, pk=order_id)
        .select_related("supplier")
        .prefetch_related(
            Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("item").order_by("position", "pk")),
            Prefetch("receipts", queryset=Receipt.objects.prefetch_related(receipt_lines()).order_by("date", "pk")),
        )
        .first()
    )  # fmt: skip
    if order is None:
        raise NotFound(_("No such purchase order."))
    lines = [_line_body(line) for line in order.lines.all()]
    total = sum((line["amount"] for line in lines), Decimal(0))
    rate = queries.order_rate(order, request.company)
    return {
        **_order_fields(order, total),
        "total_company": round_money(total * rate) if rate is not None else None,
        "lines": lines,
        "receipts": [receipt_body(receipt, order) for receipt in order.receipts.all()],
    }


def _saved(request: HttpRequest, order: PurchaseOrder) -> dict:
    return order_detail(request, order.pk)


def _service_lines(lines: list[OrderLineIn]) -> list[dict]:
    return [line.model_dump(exclude_none=True) for line in lines]


@endpoints.get(
    "/purchase-orders", OrderList, perm="purchasing.view_purchaseorder",
    summary="List purchase orders, the latest first",
    description="`q` searches the number and the supplier's name; dates are inclusive.",
)  # fmt: skip
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


@endpoints.post(
    "/purchase-orders", OrderDetail, perm="purchasing.add_purchaseorder", idempotent=True, read=_saved,
    summary="Create a draft purchase order with its lines",
    description="A line without `unit_price` takes the supplier's best price for its quantity in the order's "
    "currency (422 naming the line when there is none).",
)  # fmt: skip
def purchase_order_create(request: HttpRequest, payload: OrderIn):
    return services.purchase_order_create(
        company=request.company, by=request.user, lines=_service_lines(payload.lines),
        **payload.model_dump(exclude={"lines"}, exclude_none=True),
    )  # fmt: skip


@endpoints.get(
    "/purchase-orders/{order_id}", OrderDetail, perm="purchasing.view_purchaseorder",
    summary="Read a purchase order with its lines and receipts",
)  # fmt: skip
def purchase_order_read(request: HttpRequest, order_id: RecordId):
    return order_detail(request, order_id)


@endpoints.patch(
    "/purchase-orders/{order_id}", OrderDetail, perm="purchasing.change_purchaseorder", read=_saved,
    summary="Change a draft purchase order",
    description="409 once it is confirmed or cancelled. `lines`, when sent, replace all its lines.",
)  # fmt: skip
def purchase_order_update(request: HttpRequest, order_id: RecordId, payload: OrderPatch):
    fields = payload.model_dump(exclude_unset=True, exclude={"lines"})
    if payload.lines is not None:
        fields["lines"] = _service_lines(payload.lines)
    elif "lines" in payload.model_fields_set:
        raise ValidationFailed.on("lines", _("Add at least one line."))
    return services.purchase_order_update(
        company=request.company, by=request.user, order_id=order_id, **fields
    )


@endpoints.post(
    "/purchase-orders/{order_id}/confirm", OrderDetail, perm="purchasing.change_purchaseorder", read=_saved,
    summary="Confirm a draft purchase order",
    description="It gets its number and its exchange rate is fixed (422 when the currency has no rate on the "
    "order's date). 409 unless it is a draft.",
)  # fmt: skip
def purchase_order_confirm(request: HttpRequest, order_id: RecordId):
    return services.purchase_order_confirm(company=request.company, by=request.user, order_id=order_id)


@endpoints.post(
    "/purchase-orders/{order_id}/cancel", OrderDetail, perm="purchasing.change_purchaseorder", read=_saved,
    summary="Cancel a purchase order",
    description="A draft, or a confirmed order of which nothing was received yet; else 409.",
)  # fmt: skip
def purchase_order_cancel(request: HttpRequest, order_id: RecordId):
    return services.purchase_order_cancel(company=request.company, by=request.user, order_id=order_id)


class PurchaseOrderSendIn(StrictSchema):
    to: Annotated[str, Field(max_length=254)] = Field(
        "", description="Empty: the supplier's primary contact's e-mail, else the supplier's"
    )
    message: Annotated[str, Field(max_length=5000), SafeText] = Field(
        "", description="Empty: the standard text in the supplier's language"
    )


@endpoints.post(
    "/purchase-orders/{order_id}/send", OrderDetail, perm="purchasing.change_purchaseorder", read=_saved,
    summary="E-mail the purchase order's PDF to the supplier",
    description="Recorded as queued at once (`email_status`), sent after the commit by a task that records "
    "sent or failed. 409 for a draft or cancelled order; 422 when there is no valid address.",
)  # fmt: skip
def purchase_order_send(request: HttpRequest, order_id: RecordId, payload: PurchaseOrderSendIn):
    return sending.purchase_order_send(
        company=request.company, by=request.user, order_id=order_id, to=payload.to, message=payload.message
    )


PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "The purchase order as the supplier reads it",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@endpoints.get(
    "/purchase-orders/{order_id}/pdf",
    None,
    status=200,  # the PDF itself, described by PDF_RESPONSE
    perm="purchasing.view_purchaseorder",
    summary="The purchase order as a PDF",
    description="In the supplier's language (else the company's): the company, the supplier with its tax id "
    "and address, where to deliver, the lines with the supplier's reference, taxes per rate and the total.",
    openapi_extra=PDF_RESPONSE,
)
def purchase_order_pdf(request: HttpRequest, order_id: RecordId):
    order = documents.printable_order(request.company, order_id)
    if order is None:
        raise NotFound(_("No such purchase order."))
    response = HttpResponse(documents.order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.order_filename(order)}"'
    return response
