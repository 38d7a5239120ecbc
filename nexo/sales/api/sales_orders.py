"""/sales-orders: the orders made by accepting a quotation, with the quoted costs and margins."""

from typing import Annotated, Literal

from django.db.models import F, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field

from nexo.core.api import Endpoints, Limit, Offset, QueryId, RecordId, SafeText, page_of
from nexo.core.errors import NotFound
from nexo.sales import services
from nexo.sales.api.schemas import (
    OrderState,
    SalesOrderLineOut,
    SalesOrderList,
    SalesOrderOut,
    ShortagesBought,
    ShortagesIn,
)
from nexo.sales.margins import order_margins
from nexo.sales.models import Delivery, SalesOrder, SalesOrderLine
from nexo.sales.queries import orders_visible_to, with_supply

endpoints = Endpoints()


def sales_order_visible(request: HttpRequest, order_id: int) -> None:
    """A colleague's order, or another company's, is a 404 (the rule of the pages, sales.queries)."""
    if not orders_visible_to(request.user, request.company).filter(pk=order_id).exists():
        raise NotFound(_("No such sales order."))


def sales_order_body(request: HttpRequest, order_id: int) -> dict:
    """A sales order of the company with its lines, in two queries."""
    order = (
        SalesOrder.objects.filter(company=request.company, pk=order_id)
        .annotate(party_name=F("party__name"), payment_term_name=F("payment_term__name"))
        .first()
    )
    if order is None:
        raise NotFound(_("No such sales order."))
    body = {name: getattr(order, name) for name in ORDER_FIELDS}
    body["payment_term"] = order.payment_term_name
    lines = with_supply(
        request.company,
        order,
        list(SalesOrderLine.objects.filter(order_id=order.pk).order_by("position", "id")),
    )
    margins = order_margins(order, lines)  # quoted against realised
    body |= margins.order.fields
    body["lines"] = [_line_body(line) | margins.lines[line.pk].fields for line in lines]
    body["deliveries"] = list(
        Delivery.objects.filter(order_id=order.pk).order_by("pk").values("id", "number", "state", "kind")
    )
    return body


def _line_body(line: SalesOrderLine) -> dict:
    """A line with what its warehouse holds for it and what was bought for it (sales.queries.with_supply)."""
    body = {name: getattr(line, name) for name in LINE_FIELDS}
    availability = line.availability
    body |= {
        "on_order": availability.on_order if availability else None,
        "next_receipt_date": availability.next_receipt if availability else None,
        "purchases": [
            {
                "purchase_order_id": purchase.order_id,
                "purchase_order_number": purchase.order.number,
                "purchase_order_state": purchase.order.state,
                "purchase_line_id": purchase.pk,
                "supplier_id": purchase.order.supplier_id,
                "quantity": purchase.quantity,
                "unit_price": purchase.unit_price,
                "currency": purchase.order.currency,
                "company_unit_price": purchase.company_unit_price,
                "costed_unit_cost": purchase.costed_unit_cost,
                "difference": purchase.difference,
            }
            for purchase in line.purchases
        ],
    }
    return body


MARGIN_FIELDS = (
    "quoted_margin", "quoted_margin_percent", "realised_net", "realised_cost", "realised_margin",
    "realised_margin_percent",
)  # fmt: skip
LINE_FIELDS = tuple(
    name
    for name in SalesOrderLineOut.model_fields
    if name not in ("on_order", "next_receipt_date", "purchases", *MARGIN_FIELDS)
)
ORDER_FIELDS = tuple(
    name
    for name in SalesOrderOut.model_fields
    if name not in ("lines", "deliveries", "payment_term", *MARGIN_FIELDS)
)


ORDER_ORDERINGS = ("date", "-date", "number", "-number", "net", "-net", "created_at", "-created_at")


@endpoints.get(
    "/sales-orders",
    SalesOrderList,
    perm="sales.view_salesorder",
    summary="List and search sales orders",
    description="A salesperson sees the orders they sold and those of the opportunities they own. `q` "
    "searches the number and the party's name.",
)
def sales_order_list(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    state: OrderState | None = None,
    party_id: QueryId = None,
    opportunity_id: QueryId = None,
    salesperson_id: QueryId = None,
    quotation_id: QueryId = None,
    ordering: Literal[ORDER_ORDERINGS] = "-date",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    queryset = orders_visible_to(request.user, request.company)
    for word in q.split():
        queryset = queryset.filter(Q(number__icontains=word) | Q(party__name__icontains=word))
    filters = {
        "state": state, "party_id": party_id, "opportunity_id": opportunity_id,
        "salesperson_id": salesperson_id, "quotation_id": quotation_id,
    }  # fmt: skip
    queryset = queryset.filter(**{name: value for name, value in filters.items() if value is not None})
    queryset = queryset.annotate(party_name=F("party__name")).order_by(ordering, "-pk")
    count, items = page_of(queryset, limit=limit, offset=offset)
    return {"count": count, "items": items}


@endpoints.get(
    "/sales-orders/{order_id}",
    SalesOrderOut,
    perm="sales.view_salesorder",
    visible=sales_order_visible,
    summary="Read a sales order with its lines and the quoted costs and margins",
)
def sales_order_read(request: HttpRequest, order_id: RecordId):
    return sales_order_body(request, order_id)


@endpoints.post(
    "/sales-orders/{order_id}/buy-shortages",
    ShortagesBought,
    perm=("sales.view_salesorder", "purchasing.add_purchaseorder"),
    visible=sales_order_visible,
    status=201,
    summary="Buy what the order's lines are short of, from the supplier and at the price their cost was frozen from",
    description="For each line (or each of `line_ids`) whose quantity to deliver exceeds what is available in "
    "the order's warehouse (on hand - reserved + on order) and is not yet on a draft purchase order: a draft "
    "purchase order line for the rest. A cost frozen from a supplier price buys from that supplier at that "
    "price; a cost from stock (FIFO, average, last purchase, standard) buys from the item's preferred "
    "supplier at its current price (`from_frozen_cost` false). One draft per supplier, warehouse and "
    "currency: an existing draft gets the lines. Each purchase line names the sales order line and the unit "
    "cost it was costed at; the order's lines then show the price against that cost. 409 when nothing is "
    "short or the order is cancelled; 422 for an item without any supplier price.",
)
def sales_order_buy_shortages(request: HttpRequest, order_id: RecordId, payload: ShortagesIn | None = None):
    bought = services.sales_order_buy_shortages(
        company=request.company, by=request.user, order_id=order_id,
        line_ids=(payload or ShortagesIn()).line_ids,
    )  # fmt: skip
    return {
        "bought": [
            {
                "sales_order_line_id": entry.line.pk,
                "item_id": entry.line.item_id,
                "quantity": entry.quantity,
                "purchase_order_id": entry.purchase_order.pk,
                "supplier_id": entry.purchase_order.supplier_id,
                "unit_price": entry.unit_price,
                "currency": entry.currency,
                "from_frozen_cost": entry.from_frozen_cost,
            }
            for entry in bought
        ],
        "order": sales_order_body(request, order_id),
    }
