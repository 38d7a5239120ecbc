"""/sales-orders: the orders made by accepting a quotation, with the quoted costs and margins."""

from typing import Annotated, Literal

from django.db.models import F, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field

from nexo.core.api import Endpoints, Limit, Offset, QueryId, RecordId, SafeText, page_of
from nexo.core.errors import NotFound
from nexo.sales.api.schemas import OrderState, SalesOrderList, SalesOrderOut
from nexo.sales.models import SalesOrder, SalesOrderLine
from nexo.sales.queries import orders_visible_to

endpoints = Endpoints()


def sales_order_visible(request: HttpRequest, order_id: int) -> None:
    """A colleague's order, or another company's, is a 404 (the rule of the pages, sales.queries)."""
    if not orders_visible_to(request.user, request.company).filter(pk=order_id).exists():
        raise NotFound(_("No such sales order."))


def sales_order_body(request: HttpRequest, order_id: int) -> dict:
    """A sales order of the company with its lines, in two queries."""
    order = (
        SalesOrder.objects.filter(company=request.company, pk=order_id)
        .annotate(party_name=F("party__name"))
        .first()
    )
    if order is None:
        raise NotFound(_("No such sales order."))
    body = {name: getattr(order, name) for name in SalesOrderOut.model_fields if name != "lines"}
    body["lines"] = list(SalesOrderLine.objects.filter(order_id=order.pk).order_by("position", "id"))
    return body


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
