"""POST /sales-orders: a sales order made directly, without a quotation (sales.services.direct_orders).

Its path is the list's, so the endpoint joins the `sales_orders` router (two routers cannot share a path):
importing this module registers it."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Field

from nexo.core.api import Endpoints, Id, StrictSchema
from nexo.crm.queries import check_opportunity_visible
from nexo.sales.api import sales_orders
from nexo.sales.api.schemas import MAX_LINES, DocumentDay, Notes, QuotationLineIn, SalesOrderOut
from nexo.sales.services.credit import REASON_LENGTH
from nexo.sales.services.direct_orders import sales_order_create

endpoints = Endpoints(sales_orders.endpoints.router)


class SalesOrderIn(StrictSchema):
    party_id: Id = Field(description="A lead or customer of the company (a lead becomes a customer)")
    opportunity_id: Id | None = Field(
        None,
        description="An open opportunity of the party, without an open quotation: won with the order's net",
    )
    warehouse_id: Id | None = Field(None, description="Where the goods come from; the default warehouse")
    date: DocumentDay | None = Field(None, description="Defaults to today; the number's year")
    payment_term_id: Id | None = Field(
        None, description="An active payment term of the company; defaults to the party's, else the company's"
    )
    customer_reference: Annotated[str, Field(max_length=60)] = Field(
        "", description="The customer's own reference"
    )
    notes: Notes = ""
    override_credit: bool = Field(
        False, description="true: go over the customer's credit limit (needs `sales.override_credit_limit`)"
    )
    credit_override_reason: Annotated[str, Field(max_length=REASON_LENGTH)] = Field(
        "", description="Why the limit is overridden (kept with the override)"
    )
    lines: list[QuotationLineIn] = Field(
        [], max_length=MAX_LINES, description="At least one: priced and costed as a quotation's lines"
    )


@endpoints.post(
    "/sales-orders",
    SalesOrderOut,
    perm="sales.add_salesorder",
    idempotent=True,
    read=sales_orders.sales_order_body,
    summary="Create a sales order directly, without a quotation, priced and costed as a quotation would be",
    description="For holders of `sales.add_salesorder` (managers). Each item line is priced from the party's "
    "price list (its rules, for the quantity and the date; a `unit_price` sent is taken as typed) and costed "
    "from the warehouse's stock by the item's valuation method, the cost frozen with its source, exactly as a "
    "quotation's line; the order is numbered `PV-<year>-<5 digits>`, confirmed, and its stocked lines reserve "
    "their quantity in the warehouse (a draft delivery). 422 names the field (`party_id`, `warehouse_id`, "
    "`lines`, `lines.0.item_id`, `lines.0.quantity`…); 409 for a closed opportunity or one with an open "
    "quotation, and for a line under its minimum margin when the company asks for a manager's approval and "
    "the user may not give it, and for a customer the order would put over its credit limit (its receivable "
    "balance, its open orders and this order's total) unless a manager sends `override_credit` (recorded "
    "with its reason; anyone else gets 403 for it).",
)
def sales_order_create_endpoint(request: HttpRequest, payload: SalesOrderIn):
    check_opportunity_visible(request.user, request.company, payload.opportunity_id)
    order = sales_order_create(
        company=request.company, by=request.user, **payload.model_dump(exclude={"lines"}),
        lines=[line.model_dump(exclude_unset=True) for line in payload.lines],
    )  # fmt: skip
    return order.pk
