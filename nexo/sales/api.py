"""Sales API: /quotations with their lines and every computed figure (price rule, frozen cost with its
provenance, the cost under each basis, margins, totals), the actions /send, /accept, /reject, /revise,
/cancel, the /pdf and the /versions; /sales-orders (API.md, DOMAIN.md §6).

A salesperson sees the quotations they make and those of the opportunities they own; a manager sees
everyone's. Another company's record, or a colleague's, answers 404.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import BaseModel, ConfigDict

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
from nexo.crm.queries import check_opportunity_visible
from nexo.sales import documents, rules, services
from nexo.sales.models import Quotation, QuotationLine, SalesOrder, SalesOrderLine
from nexo.sales.queries import orders_visible_to, quotations_visible_to

router = Router(tags=["sales"])

Day = date  # a field named `date` below would shadow the type

MAX_LINES = 1000
# Documents are dated within a range a database and the validity arithmetic (date + days) can hold.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9000, 12, 31)

QuantityIn = decimal_in(
    max_digits=13, places=4, gt=0, pattern=r"^\d{1,9}(\.\d{1,4})?$", example="15",
    about="A quantity above zero, a decimal string with up to 4 decimals.",
)  # fmt: skip
PriceIn = decimal_in(
    max_digits=15, places=6, ge=0, pattern=r"^\d{1,9}(\.\d{1,6})?$", example="9.00",
    about="A unit price typed by hand (≥ 0, up to 6 decimals): it is locked, a new quantity keeps it.",
)  # fmt: skip
PercentIn = decimal_in(
    max_digits=5, places=2, ge=0, le=100, pattern=r"^\d{1,3}(\.\d{1,2})?$", example="10",
    about="Percentage 0 to 100, a decimal string with up to 2 decimals.",
)  # fmt: skip
MoneyOut = decimal_out(2, example="121.50", about="An amount, a decimal string with 2 decimals.")
PriceOut = decimal_out(6, example="9.000000", about="A unit price or cost, a decimal string with 6 decimals.")
QuantityOut = decimal_out(4, example="15.0000", about="A quantity, a decimal string with 4 decimals.")
PercentOut = decimal_out(2, example="34.16", about="A percentage, a decimal string with 2 decimals.")

DocumentDay = Annotated[Day, Field(ge=FIRST_DAY, le=LAST_DAY)]
Description = Annotated[str, Field(max_length=300)]
Terms = Annotated[str, Field(max_length=200)]
Notes = Annotated[str, Field(max_length=5000)]
Reason = Annotated[str, Field(max_length=500)]
QuotationState = Literal[tuple(Quotation.State.values)]  # type: ignore[valid-type]
OrderState = Literal[tuple(SalesOrder.State.values)]  # type: ignore[valid-type]

# The services name the records they resolve ("party"); the API's fields are the ids ("party_id").
ID_FIELDS = {
    "party": "party_id", "opportunity": "opportunity_id", "price_list": "price_list_id",
    "warehouse": "warehouse_id", "salesperson": "salesperson_id",
}  # fmt: skip
LINE_PREFIX = re.compile(r"^lines\.\d+\.")


def _fields_named():
    return fields_renamed(ID_FIELDS)


@contextmanager
def _line_fields_named() -> Iterator[None]:
    """A single line sent on its own: the service's "lines.4.item_id" is this body's "item_id"."""
    try:
        yield
    except ValidationFailed as failure:
        renames = {error["field"]: LINE_PREFIX.sub("", error["field"]) for error in failure.errors}
        with fields_renamed(renames):
            raise


# Who sees what: the rule of the pages (sales.queries), a colleague's quotation is a 404.


def _visible(request: HttpRequest, quotation_id: int) -> None:
    if not quotations_visible_to(request.user, request.company).filter(pk=quotation_id).exists():
        raise NotFound(_("No such quotation."))


# Schemas in


class QuotationLineIn(StrictSchema):
    item_id: Id | None = Field(None, description="The item; null for a free-text line")
    description: Description = Field("", description="Defaults to the item's name; required without item")
    quantity: QuantityIn
    unit_price: PriceIn | None = Field(
        None, description="Typed by hand: locked. Left out: the price list's price (required without item)"
    )
    discount: PercentIn = Decimal(0)
    tax_category_id: Id | None = Field(
        None, description="The VAT category; left out: the item's (a line without item: the general rate)"
    )


class QuotationLinePatch(StrictSchema):
    # Fields left out keep their value; unit_price null unlocks the price (back to the list's).
    item_id: Id = None
    description: Description = None
    quantity: QuantityIn = None
    unit_price: PriceIn | None = None
    discount: PercentIn = None
    tax_category_id: Id | None = None  # null: back to the item's category (or the general rate)


class QuotationIn(StrictSchema):
    party_id: Id | None = Field(None, description="A lead or customer; defaults to the opportunity's party")
    opportunity_id: Id | None = Field(None, description="The opportunity quoted (one of yours)")
    date: DocumentDay | None = Field(None, description="Defaults to today")
    valid_until: DocumentDay | None = Field(None, description="Defaults to the date plus the company's days")
    price_list_id: Id | None = Field(None, description="Defaults to the party's price list")
    warehouse_id: Id | None = Field(None, description="Where the goods come from; the default warehouse")
    salesperson_id: Id | None = Field(None, description="Defaults to the user making the request")
    payment_terms: Terms | None = Field(None, description="Defaults to the company's terms")
    notes: Notes = ""
    document_discount: PercentIn = Field(Decimal(0), description="Spread over the lines by their net")
    lines: list[QuotationLineIn] = Field([], max_length=MAX_LINES)


class QuotationPatch(StrictSchema):
    """A draft's header; `lines`, when sent, replaces all the lines. A sent quotation is never edited."""

    # Fields left out keep their value; only price_list_id may be set to null (no list: base prices).
    date: DocumentDay = None
    valid_until: DocumentDay = None
    price_list_id: Id | None = None
    warehouse_id: Id = None
    salesperson_id: Id = None
    payment_terms: Terms = None
    notes: Notes = None
    document_discount: PercentIn = None
    lines: list[QuotationLineIn] = Field(None, max_length=MAX_LINES)


class SendIn(StrictSchema):
    to: Annotated[str, Field(max_length=254)] = Field("", description="Defaults to the party's e-mail")
    message: Notes = Field("", description="The e-mail's text; a standard one when left out")
    email: bool = Field(True, description="false: only mark it sent (it went out another way)")


class RejectIn(StrictSchema):
    reason: Reason = Field(description="Why the customer said no (required, not blank)")
    revise: bool = Field(False, description="true: reject it and return a new draft version")


class CancelIn(StrictSchema):
    reason: Reason = ""


# Schemas out


# Lines are plain pydantic models, validated from dicts: a ninja Schema wraps every nested object for
# attribute access, which costs more than the whole read on a 200-line quotation.


class CostPartOut(BaseModel):
    quantity: QuantityOut
    unit_cost: PriceOut
    value: MoneyOut
    source: str = Field(description="fifo, average, last_purchase, standard, supplier_price or none")
    reference: str = Field(description="The receipt, the supplier price…")
    date: Day | None


class CostBasisOut(BaseModel):
    unit_cost: PriceOut
    source: str
    cost: MoneyOut = Field(description="quantity times unit cost")
    margin: MoneyOut = Field(description="The line's net less that cost")
    margin_percent: PercentOut | None


class QuotationLineOut(BaseModel):
    id: int
    position: int
    item_id: int | None
    item_sku: str | None
    description: str
    quantity: QuantityOut
    list_price: PriceOut | None = Field(description="The price list's price, shown beside a locked one")
    unit_price: PriceOut
    price_locked: bool = Field(description="Typed by hand: a new quantity does not re-price it")
    price_rule: int | None = Field(description="Id of the price-list rule that gave the list price")
    price_rule_text: str = Field(description="That rule in words (or the base price)")
    discount: PercentOut
    tax_category_id: int | None
    tax_rate: PercentOut
    gross_net: MoneyOut = Field(description="quantity times price, less the line discount")
    document_discount: MoneyOut = Field(description="Its share of the document discount")
    net: MoneyOut
    unit_cost: PriceOut | None = Field(description="Frozen when priced; null for a free-text line")
    cost_source: str = Field(description="fifo, average, last_purchase, standard, supplier_price (or none)")
    costed_at: datetime | None
    cost_parts: list[CostPartOut] = Field(description="The working: which layers or prices make the cost")
    cost_comparison: dict[str, CostBasisOut] = Field(
        description="The line's cost and margin under average, fifo, last_purchase and supplier_price"
    )
    cost: MoneyOut
    margin: MoneyOut
    margin_percent: PercentOut | None = Field(description="Margin on the net; null for a zero net")
    min_margin: PercentOut
    below_min_margin: bool


class TaxOut(BaseModel):
    rate: PercentOut
    base: MoneyOut
    tax: MoneyOut


class QuotationSummary(Schema):
    id: int
    number: str
    version: int
    state: str
    party_id: int
    party_name: str
    opportunity_id: int | None
    salesperson_id: int
    salesperson_username: str
    date: Day
    valid_until: Day
    currency: str
    net: MoneyOut
    tax: MoneyOut
    total: MoneyOut
    margin: MoneyOut
    margin_percent: PercentOut | None
    sales_order_id: int | None
    revision_of_id: int | None
    created_at: datetime
    updated_at: datetime


class QuotationOut(QuotationSummary):
    opportunity_title: str | None
    price_list_id: int | None
    warehouse_id: int
    payment_terms: str
    notes: str
    document_discount: PercentOut = Field(description="The document discount %")
    gross_net: MoneyOut = Field(description="The lines' net before the document discount")
    discount_amount: MoneyOut = Field(description="The document discount as an amount")
    taxes: list[TaxOut] = Field(description="Tax per rate")
    cost: MoneyOut
    sent_at: datetime | None
    sent_to: str
    closed_at: datetime | None
    close_reason: str
    lines: list[QuotationLineOut]


class QuotationList(Schema):
    count: int
    items: list[QuotationSummary]


class SalesOrderLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    quotation_line_id: int | None
    item_id: int | None
    description: str
    quantity: QuantityOut
    unit_price: PriceOut
    discount: PercentOut
    tax_rate: PercentOut
    net: MoneyOut
    unit_cost: PriceOut | None = Field(description="The cost quoted (frozen on the quotation)")
    cost_source: str
    margin: MoneyOut = Field(description="The margin quoted")


class SalesOrderSummary(Schema):
    id: int
    number: str
    state: str
    quotation_id: int | None
    party_id: int
    party_name: str
    opportunity_id: int | None
    salesperson_id: int
    date: Day
    currency: str
    net: MoneyOut
    tax: MoneyOut
    total: MoneyOut
    cost: MoneyOut = Field(description="The cost quoted")
    margin: MoneyOut = Field(description="The margin quoted")
    created_at: datetime


class SalesOrderOut(SalesOrderSummary):
    warehouse_id: int
    payment_terms: str
    taxes: list[TaxOut]
    lines: list[SalesOrderLineOut]


class SalesOrderList(Schema):
    count: int
    items: list[SalesOrderSummary]


# Reading


def _readable(queryset: QuerySet[Quotation]) -> QuerySet[Quotation]:
    # Names as columns of the same query: no N+1 on a list.
    return queryset.annotate(
        party_name=F("party__name"),
        salesperson_username=F("salesperson__username"),
        opportunity_title=F("opportunity__title"),
        sales_order_id=F("sales_order__id"),
    )


def _comparison(line: QuotationLine) -> dict:
    compared = {}
    for basis, cost in (line.cost_comparison or {}).items():
        unit_cost = Decimal(cost["unit_cost"])
        total, margin, percent = rules.cost_and_margin(line.quantity, unit_cost, line.net)
        compared[basis] = {
            "unit_cost": unit_cost, "source": cost.get("source", basis), "cost": total, "margin": margin,
            "margin_percent": percent,
        }  # fmt: skip
    return compared


def _line_body(line: QuotationLine) -> dict:
    return {
        "id": line.pk, "position": line.position, "item_id": line.item_id, "item_sku": line.item_sku,
        "description": line.description, "quantity": line.quantity, "list_price": line.list_price,
        "unit_price": line.unit_price, "price_locked": line.price_locked, "price_rule": line.price_rule_id,
        "price_rule_text": line.price_rule_text, "discount": line.discount,
        "tax_category_id": line.tax_category_id, "tax_rate": line.tax_rate,
        "gross_net": line.gross_net, "document_discount": line.discount_share, "net": line.net,
        "unit_cost": line.unit_cost, "cost_source": line.cost_source, "costed_at": line.costed_at,
        "cost_parts": line.cost_parts or [], "cost_comparison": _comparison(line), "cost": line.cost,
        "margin": line.margin, "margin_percent": line.margin_percent, "min_margin": line.min_margin,
        "below_min_margin": line.below_min_margin,
    }  # fmt: skip


DETAIL_FIELDS = tuple(name for name in QuotationOut.model_fields if name != "lines")


def _quotation(request: HttpRequest, quotation_id: int) -> dict:
    """A quotation of the company with its lines and figures, in two queries whatever its size.

    After a change the user was allowed to make (handing it to a colleague, say) the answer shows the
    result, even when the quotation is no longer theirs to see."""
    quotation = _readable(Quotation.objects.filter(company=request.company)).filter(pk=quotation_id).first()
    if quotation is None:
        raise NotFound(_("No such quotation."))
    lines = (
        QuotationLine.objects.filter(quotation_id=quotation.pk)
        .annotate(item_sku=F("item__sku"))
        .order_by("position", "id")
    )
    body = {name: getattr(quotation, name) for name in DETAIL_FIELDS}
    body["lines"] = [_line_body(line) for line in lines]
    return body


def _created(request: HttpRequest, schema: type[Schema], body: dict) -> dict:
    """The answer of a creating request: JSON-ready when an Idempotency-Key stores it for replays, else
    as it is (the response schema validates and writes it once, which counts on a 200-line quotation)."""
    if not request.headers.get("Idempotency-Key", "").strip():
        return body
    return schema.model_validate(body).model_dump(mode="json")


def _quotation_json(request: HttpRequest, quotation_id: int) -> dict:
    return _created(request, QuotationOut, _quotation(request, quotation_id))


def _sales_order(request: HttpRequest, order_id: int) -> dict:
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


# Quotations


QUOTATION_ORDERINGS = (
    "date", "-date", "number", "-number", "valid_until", "-valid_until", "net", "-net", "created_at",
    "-created_at",
)  # fmt: skip


@router.get(
    "/quotations",
    response={200: QuotationList, **ERROR_RESPONSES},
    summary="List and search quotations",
    description="A salesperson sees the quotations they make and those of the opportunities they own; a "
    "manager sees everyone's. `q` searches the number and the party's name.",
)
def quotation_list(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    state: QuotationState | None = None,
    party_id: QueryId = None,
    opportunity_id: QueryId = None,
    salesperson_id: QueryId = None,
    ordering: Literal[QUOTATION_ORDERINGS] = "-date",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    require_perm(request, "sales.view_quotation")
    queryset = quotations_visible_to(request.user, request.company)
    for word in q.split():
        queryset = queryset.filter(Q(number__icontains=word) | Q(party__name__icontains=word))
    filters = {
        "state": state, "party_id": party_id, "opportunity_id": opportunity_id, "salesperson_id": salesperson_id,
    }  # fmt: skip
    queryset = queryset.filter(**{name: value for name, value in filters.items() if value is not None})
    count, items = page_of(_readable(queryset).order_by(ordering, "-pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


@router.post(
    "/quotations",
    response={201: QuotationOut, **ERROR_RESPONSES},
    summary="Create a quotation with its lines, priced and costed",
    description="Each item line is priced from the price list (its rule shown) and costed from the stock "
    "by the item's valuation method (frozen, with its working). 422 names the field: `party_id`, "
    "`opportunity_id`, `lines.0.item_id`, `lines.0.quantity`, `valid_until`…; 409 for a closed "
    "opportunity. Accepts an `Idempotency-Key` header.",
)
def quotation_create(request: HttpRequest, payload: QuotationIn):
    require_perm(request, "sales.add_quotation")
    check_opportunity_visible(request.user, request.company, payload.opportunity_id)

    def create() -> dict:
        fields = payload.model_dump(exclude_none=True)
        with _fields_named():
            quotation = services.quotation_create(company=request.company, by=request.user, **fields)
        return _quotation_json(request, quotation.pk)

    return idempotent(request, create)


@router.get(
    "/quotations/{quotation_id}",
    response={200: QuotationOut, **ERROR_RESPONSES},
    summary="Read a quotation with every computed figure",
    description="Each line shows its price rule, its frozen unit cost with the source and the working, the "
    "cost and margin under every basis, and whether it is under the minimum margin.",
)
def quotation_read(request: HttpRequest, quotation_id: RecordId):
    require_perm(request, "sales.view_quotation")
    _visible(request, quotation_id)
    return _quotation(request, quotation_id)


@router.patch(
    "/quotations/{quotation_id}",
    response={200: QuotationOut, **ERROR_RESPONSES},
    summary="Change a draft quotation (and replace its lines)",
    description="A new date or price list re-prices the lines whose price is not locked; a new warehouse "
    "costs them again. Only a draft changes: a sent one answers 409 (revise it).",
)
def quotation_update(request: HttpRequest, quotation_id: RecordId, payload: QuotationPatch):
    require_perm(request, "sales.change_quotation")
    _visible(request, quotation_id)
    with _fields_named():
        services.quotation_update(
            company=request.company,
            by=request.user,
            quotation_id=quotation_id,
            **payload.model_dump(exclude_unset=True),
        )
    return _quotation(request, quotation_id)


@router.post(
    "/quotations/{quotation_id}/lines",
    response={201: QuotationOut, **ERROR_RESPONSES},
    summary="Add a line to a draft quotation",
    description="Answers the whole quotation, its totals recomputed. 409 unless it is a draft. "
    "Accepts an `Idempotency-Key` header.",
)
def quotation_line_add(request: HttpRequest, quotation_id: RecordId, payload: QuotationLineIn):
    require_perm(request, "sales.change_quotation")
    _visible(request, quotation_id)

    def create() -> dict:
        with _line_fields_named():
            services.quotation_line_add(
                company=request.company,
                by=request.user,
                quotation_id=quotation_id,
                **payload.model_dump(exclude_none=True),
            )
        return _quotation_json(request, quotation_id)

    return idempotent(request, create)


@router.patch(
    "/quotations/{quotation_id}/lines/{line_id}",
    response={200: QuotationOut, **ERROR_RESPONSES},
    summary="Change a line of a draft quotation",
    description="A new item or quantity prices it again (unless its price is locked) and costs it again. "
    "Answers the whole quotation, its totals recomputed.",
)
def quotation_line_update(
    request: HttpRequest, quotation_id: RecordId, line_id: RecordId, payload: QuotationLinePatch
):
    require_perm(request, "sales.change_quotation")
    _visible(request, quotation_id)
    with _line_fields_named():
        services.quotation_line_update(
            company=request.company,
            by=request.user,
            quotation_id=quotation_id,
            line_id=line_id,
            **payload.model_dump(exclude_unset=True),
        )
    return _quotation(request, quotation_id)


@router.delete(
    "/quotations/{quotation_id}/lines/{line_id}",
    response={200: QuotationOut, **ERROR_RESPONSES},
    summary="Remove a line from a draft quotation",
    description="Answers the whole quotation, its totals recomputed.",
)
def quotation_line_delete(request: HttpRequest, quotation_id: RecordId, line_id: RecordId):
    require_perm(request, "sales.change_quotation")
    _visible(request, quotation_id)
    services.quotation_line_delete(
        company=request.company, by=request.user, quotation_id=quotation_id, line_id=line_id
    )
    return _quotation(request, quotation_id)


@router.post(
    "/quotations/{quotation_id}/send",
    response={200: QuotationOut, **ERROR_RESPONSES},
    summary="Send a draft quotation: e-mail its PDF (or only mark it sent)",
    description="With `email` true (the default) the PDF goes to `to` or the party's e-mail; if it cannot "
    "go out the quotation stays a draft. 409 unless it is a draft; 422 without lines or an address.",
)
def quotation_send(request: HttpRequest, quotation_id: RecordId, payload: SendIn | None = None):
    require_perm(request, "sales.change_quotation")
    _visible(request, quotation_id)
    payload = payload or SendIn()
    company, by = request.company, request.user
    if payload.email:
        services.quotation_send(
            company=company, by=by, quotation_id=quotation_id, to=payload.to, message=payload.message
        )
    else:
        services.quotation_mark_sent(company=company, by=by, quotation_id=quotation_id, sent_to=payload.to)
    return _quotation(request, quotation_id)


@router.post(
    "/quotations/{quotation_id}/accept",
    response={201: SalesOrderOut, **ERROR_RESPONSES},
    summary="Accept a sent quotation: the opportunity is won and the sales order created",
    description="In one transaction: the opportunity is won with the quotation's net, its other open "
    "quotations are cancelled as superseded, a lead becomes a customer, and the sales order (the answer) "
    "is created with the same lines, prices and frozen costs. 409 for a draft, an expired, cancelled or "
    "accepted quotation, or one whose opportunity is already won. Accepts an `Idempotency-Key` header.",
)
def quotation_accept(request: HttpRequest, quotation_id: RecordId):
    require_perm(request, "sales.change_quotation")
    _visible(request, quotation_id)

    def accept() -> dict:
        order = services.quotation_accept(company=request.company, by=request.user, quotation_id=quotation_id)
        return _created(request, SalesOrderOut, _sales_order(request, order.pk))

    return idempotent(request, accept)


@router.post(
    "/quotations/{quotation_id}/reject",
    response={200: QuotationOut, **ERROR_RESPONSES},
    summary="Reject a quotation, saying why (and optionally revise it)",
    description="Rejecting the last open quotation of an opportunity loses the opportunity with the same "
    "reason, unless `revise` is true: then the answer is the new draft version and the opportunity stays "
    "open. 422 without a reason; 409 unless it is open.",
)
def quotation_reject(request: HttpRequest, quotation_id: RecordId, payload: RejectIn):
    require_perm(request, "sales.change_quotation")
    _visible(request, quotation_id)
    result = services.quotation_reject(
        company=request.company,
        by=request.user,
        quotation_id=quotation_id,
        reason=payload.reason,
        revise=payload.revise,
    )
    return _quotation(request, result.pk)


@router.post(
    "/quotations/{quotation_id}/revise",
    response={201: QuotationOut, **ERROR_RESPONSES},
    summary="Revise a quotation: a new draft version with the same lines",
    description="Same number, next version; an open old version is cancelled. Only the latest version of "
    "a number, never an accepted one (409). The answer is the new version. Accepts an `Idempotency-Key` "
    "header.",
)
def quotation_revise(request: HttpRequest, quotation_id: RecordId):
    require_perm(request, "sales.change_quotation")
    _visible(request, quotation_id)

    def revise() -> dict:
        revision = services.quotation_revise(
            company=request.company, by=request.user, quotation_id=quotation_id
        )
        return _quotation_json(request, revision.pk)

    return idempotent(request, revise)


@router.post(
    "/quotations/{quotation_id}/cancel",
    response={200: QuotationOut, **ERROR_RESPONSES},
    summary="Cancel an open quotation",
    description="409 unless it is a draft or sent.",
)
def quotation_cancel(request: HttpRequest, quotation_id: RecordId, payload: CancelIn | None = None):
    require_perm(request, "sales.change_quotation")
    _visible(request, quotation_id)
    services.quotation_cancel(
        company=request.company,
        by=request.user,
        quotation_id=quotation_id,
        reason=(payload or CancelIn()).reason,
    )
    return _quotation(request, quotation_id)


PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "The quotation as the customer reads it: never its costs or margins",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/quotations/{quotation_id}/pdf",
    response=ERROR_RESPONSES,
    summary="The quotation as a PDF",
    description="In the party's language, with the company's and the party's data, lines, taxes, totals, "
    "validity and terms; never the costs or margins.",
    openapi_extra=PDF_RESPONSE,
)
def quotation_pdf(request: HttpRequest, quotation_id: RecordId):
    require_perm(request, "sales.view_quotation")
    _visible(request, quotation_id)
    quotation = Quotation.objects.select_related("company", "party").get(
        company=request.company, pk=quotation_id
    )
    response = HttpResponse(documents.quotation_pdf(quotation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.quotation_filename(quotation)}"'
    return response


@router.get(
    "/quotations/{quotation_id}/versions",
    response={200: QuotationList, **ERROR_RESPONSES},
    summary="Every version of a quotation's number, the first first",
)
def quotation_versions(request: HttpRequest, quotation_id: RecordId):
    require_perm(request, "sales.view_quotation")
    visible = quotations_visible_to(request.user, request.company)
    number = visible.filter(pk=quotation_id).values_list("number", flat=True).first()
    if number is None:
        raise NotFound(_("No such quotation."))
    items = list(_readable(visible.filter(number=number)).order_by("version", "pk"))
    return {"count": len(items), "items": items}


# Sales orders


ORDER_ORDERINGS = ("date", "-date", "number", "-number", "net", "-net", "created_at", "-created_at")


@router.get(
    "/sales-orders",
    response={200: SalesOrderList, **ERROR_RESPONSES},
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
    require_perm(request, "sales.view_salesorder")
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


@router.get(
    "/sales-orders/{order_id}",
    response={200: SalesOrderOut, **ERROR_RESPONSES},
    summary="Read a sales order with its lines and the quoted costs and margins",
)
def sales_order_read(request: HttpRequest, order_id: RecordId):
    require_perm(request, "sales.view_salesorder")
    if not orders_visible_to(request.user, request.company).filter(pk=order_id).exists():
        raise NotFound(_("No such sales order."))
    return _sales_order(request, order_id)
