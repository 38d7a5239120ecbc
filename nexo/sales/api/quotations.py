"""/quotations: list, create, read and change a quotation with every computed figure; its actions
(/send, /accept, /reject, /revise, /cancel, /approve, /refuse-approval), its /pdf and its /versions."""

from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query

from nexo.core.api import Endpoints, Limit, Offset, QueryId, RecordId, SafeText, page_of
from nexo.core.errors import NotFound
from nexo.crm.queries import check_opportunity_visible
from nexo.sales import documents, queries, rules, services
from nexo.sales.api.sales_orders import sales_order_body
from nexo.sales.api.schemas import (
    ApprovalIn,
    CancelIn,
    QuotationIn,
    QuotationList,
    QuotationOut,
    QuotationPatch,
    QuotationState,
    RefusalIn,
    RejectIn,
    SalesOrderOut,
    SendIn,
)
from nexo.sales.models import Quotation, QuotationLine
from nexo.sales.queries import quotations_visible_to
from nexo.sales.services.credit import REASON_LENGTH

endpoints = Endpoints()


def quotation_visible(request: HttpRequest, quotation_id: int) -> None:
    """A colleague's quotation, or another company's, is a 404 (the rule of the pages, sales.queries)."""
    if not quotations_visible_to(request.user, request.company).filter(pk=quotation_id).exists():
        raise NotFound(_("No such quotation."))


# Reading


def _readable(queryset: QuerySet[Quotation]) -> QuerySet[Quotation]:
    # Names as columns of the same query: no N+1 on a list.
    return queryset.annotate(
        party_name=F("party__name"),
        salesperson_username=F("salesperson__username"),
        opportunity_title=F("opportunity__title"),
        sales_order_id=F("sales_order__id"),
        payment_term_name=F("payment_term__name"),
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


def _line_body(line: QuotationLine, availability: queries.Availability | None = None) -> dict:
    return {
        "available": availability.available if availability else None,
        "on_order": availability.on_order if availability else None,
        "next_receipt_date": availability.next_receipt if availability else None,
        "id": line.pk, "position": line.position, "item_id": line.item_id, "item_sku": line.item_sku,
        "description": line.description, "quantity": line.quantity, "list_price": line.list_price,
        "unit_price": line.unit_price, "price_locked": line.price_locked, "price_rule": line.price_rule_id,
        "price_rule_text": line.price_rule_words, "discount": line.discount,
        "tax_category_id": line.tax_category_id, "tax_rate": line.tax_rate,
        "gross_net": line.gross_net, "document_discount": line.discount_share, "net": line.net,
        "unit_cost": line.unit_cost, "cost_source": line.cost_source, "costed_at": line.costed_at,
        "cost_parts": line.cost_parts or [], "cost_comparison": _comparison(line), "cost": line.cost,
        "margin": line.margin, "margin_percent": line.margin_percent, "min_margin": line.min_margin,
        "below_min_margin": line.below_min_margin,
    }  # fmt: skip


DETAIL_FIELDS = tuple(
    name for name in QuotationOut.model_fields if name not in ("lines", "awaiting_approval", "payment_term")
)


def quotation_body(request: HttpRequest, quotation_id: int) -> dict:
    """A quotation of the company with its lines and figures, in two queries whatever its size.

    After a change the user was allowed to make (handing it to a colleague, say) the answer shows the
    result, even when the quotation is no longer theirs to see."""
    quotation = _readable(Quotation.objects.filter(company=request.company)).filter(pk=quotation_id).first()
    if quotation is None:
        raise NotFound(_("No such quotation."))
    lines = list(
        QuotationLine.objects.filter(quotation_id=quotation.pk)
        .annotate(item_sku=F("item__sku"))
        .order_by("position", "id")
    )
    body = {name: getattr(quotation, name) for name in DETAIL_FIELDS}
    body["payment_term"] = quotation.payment_term_name
    stock = queries.stock_available(
        request.company.pk, quotation.warehouse_id, [line.item_id for line in lines]
    )
    body["lines"] = [_line_body(line, stock.get(line.item_id)) for line in lines]
    body["awaiting_approval"] = services.awaits_approval(quotation, lines)
    return body


# Quotations


QUOTATION_ORDERINGS = (
    "date", "-date", "number", "-number", "valid_until", "-valid_until", "net", "-net", "created_at",
    "-created_at",
)  # fmt: skip


@endpoints.get(
    "/quotations",
    QuotationList,
    perm="sales.view_quotation",
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
    queryset = quotations_visible_to(request.user, request.company)
    for word in q.split():
        queryset = queryset.filter(Q(number__icontains=word) | Q(party__name__icontains=word))
    filters = {
        "state": state, "party_id": party_id, "opportunity_id": opportunity_id, "salesperson_id": salesperson_id,
    }  # fmt: skip
    queryset = queryset.filter(**{name: value for name, value in filters.items() if value is not None})
    count, items = page_of(_readable(queryset).order_by(ordering, "-pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


@endpoints.post(
    "/quotations",
    QuotationOut,
    perm="sales.add_quotation",
    idempotent=True,
    read=quotation_body,
    summary="Create a quotation with its lines, priced and costed",
    description="Each item line is priced from the price list (its rule shown) and costed from the stock "
    "by the item's valuation method (frozen, with its working). 422 names the field: `party_id`, "
    "`opportunity_id`, `lines.0.item_id`, `lines.0.quantity`, `valid_until`…; 409 for a closed "
    "opportunity.",
)
def quotation_create(request: HttpRequest, payload: QuotationIn):
    check_opportunity_visible(request.user, request.company, payload.opportunity_id)
    return services.quotation_create(
        company=request.company, by=request.user, **payload.model_dump(exclude_none=True)
    ).pk


@endpoints.get(
    "/quotations/{quotation_id}",
    QuotationOut,
    perm="sales.view_quotation",
    visible=quotation_visible,
    summary="Read a quotation with every computed figure",
    description="Each line shows its price rule, its frozen unit cost with the source and the working, the "
    "cost and margin under every basis, and whether it is under the minimum margin.",
)
def quotation_read(request: HttpRequest, quotation_id: RecordId):
    return quotation_body(request, quotation_id)


@endpoints.patch(
    "/quotations/{quotation_id}",
    QuotationOut,
    perm="sales.change_quotation",
    visible=quotation_visible,
    read=quotation_body,
    summary="Change a draft quotation (and replace its lines)",
    description="A new date or price list re-prices the lines whose price is not locked; a new warehouse "
    "costs them again. Only a draft changes: a sent one answers 409 (revise it).",
)
def quotation_update(request: HttpRequest, quotation_id: RecordId, payload: QuotationPatch):
    services.quotation_update(
        company=request.company,
        by=request.user,
        quotation_id=quotation_id,
        **payload.model_dump(exclude_unset=True),
    )
    return quotation_id


# Actions


@endpoints.post(
    "/quotations/{quotation_id}/send",
    QuotationOut,
    perm="sales.change_quotation",
    visible=quotation_visible,
    read=quotation_body,
    summary="Send a draft quotation: e-mail its PDF (or only mark it sent)",
    description="With `email` true (the default) the PDF goes to `to`, else the party's primary contact's "
    "e-mail, else the party's; the subject and text come from the company's template in the customer's "
    "language unless `message` is given. If it cannot go out the quotation stays a draft. 409 unless it is "
    "a draft, or while it waits for a manager's approval (`awaiting_approval`); 422 without lines or an "
    "address.",
)
def quotation_send(request: HttpRequest, quotation_id: RecordId, payload: SendIn | None = None):
    payload = payload or SendIn()
    company, by = request.company, request.user
    if payload.email:
        services.quotation_send(
            company=company, by=by, quotation_id=quotation_id, to=payload.to, message=payload.message
        )
    else:
        services.quotation_mark_sent(company=company, by=by, quotation_id=quotation_id, sent_to=payload.to)
    return quotation_id


OverrideCredit = Annotated[
    bool, Query(description="true: go over the customer's credit limit (needs `sales.override_credit_limit`)")
]
OverrideReason = Annotated[
    str, Query(max_length=REASON_LENGTH, description="Why, kept with the override"), SafeText
]


@endpoints.post(
    "/quotations/{quotation_id}/accept",
    SalesOrderOut,
    perm="sales.change_quotation",
    visible=quotation_visible,
    idempotent=True,
    read=sales_order_body,
    summary="Accept a sent quotation: the opportunity is won and the sales order created",
    description="In one transaction: the opportunity is won with the quotation's net, its other open "
    "quotations are cancelled as superseded, a lead becomes a customer, and the sales order (the answer) "
    "is created with the same lines, prices and frozen costs. 409 for a draft, an expired, cancelled or "
    "accepted quotation, or one whose opportunity is already won, and for a customer it would put over its "
    "credit limit (its receivable balance, its open orders and this quotation's total); a manager may "
    "pass `?override_credit=true` (recorded with `credit_override_reason`), anyone else gets 403 for it.",
)
def quotation_accept(
    request: HttpRequest,
    quotation_id: RecordId,
    override_credit: OverrideCredit = False,
    credit_override_reason: OverrideReason = "",
):
    # Query parameters, not a body: accepting has always been a POST without one.
    return services.quotation_accept(
        company=request.company, by=request.user, quotation_id=quotation_id, override_credit=override_credit,
        credit_override_reason=credit_override_reason,
    ).pk  # fmt: skip


@endpoints.post(
    "/quotations/{quotation_id}/reject",
    QuotationOut,
    perm="sales.change_quotation",
    visible=quotation_visible,
    read=quotation_body,
    summary="Reject a quotation, saying why (and optionally revise it)",
    description="Rejecting the last open quotation of an opportunity loses the opportunity with the same "
    "reason, unless `revise` is true: then the answer is the new draft version and the opportunity stays "
    "open. 422 without a reason; 409 unless it is open.",
)
def quotation_reject(request: HttpRequest, quotation_id: RecordId, payload: RejectIn):
    return services.quotation_reject(
        company=request.company,
        by=request.user,
        quotation_id=quotation_id,
        reason=payload.reason,
        revise=payload.revise,
    ).pk


@endpoints.post(
    "/quotations/{quotation_id}/revise",
    QuotationOut,
    perm="sales.change_quotation",
    visible=quotation_visible,
    idempotent=True,
    read=quotation_body,
    summary="Revise a quotation: a new draft version with the same lines",
    description="Same number, next version; an open old version is superseded by it (state `superseded`). "
    "Only the latest version of a number, never an accepted one (409). The answer is the new version.",
)
def quotation_revise(request: HttpRequest, quotation_id: RecordId):
    return services.quotation_revise(company=request.company, by=request.user, quotation_id=quotation_id).pk


@endpoints.post(
    "/quotations/{quotation_id}/approve",
    QuotationOut,
    perm="sales.approve_quotation",
    visible=quotation_visible,
    read=quotation_body,
    summary="Approve a draft with lines under their minimum margin (managers)",
    description="A manager's approval, with an optional note, of the lines as they are now: the quotation "
    "may then be sent. A later change to its lines makes it wait again. 409 unless it is a draft with a "
    "line under its minimum margin.",
)
def quotation_approve(request: HttpRequest, quotation_id: RecordId, payload: ApprovalIn | None = None):
    services.quotation_approve(
        company=request.company,
        by=request.user,
        quotation_id=quotation_id,
        note=(payload or ApprovalIn()).note,
    )
    return quotation_id


@endpoints.post(
    "/quotations/{quotation_id}/refuse-approval",
    QuotationOut,
    perm="sales.approve_quotation",
    visible=quotation_visible,
    read=quotation_body,
    summary="Refuse to approve a draft under its minimum margin (managers), saying why",
    description="The quotation cannot be sent until its lines change and a manager approves it. 422 "
    "without a note; 409 unless it is a draft with a line under its minimum margin.",
)
def quotation_refuse_approval(request: HttpRequest, quotation_id: RecordId, payload: RefusalIn):
    services.quotation_refuse_approval(
        company=request.company, by=request.user, quotation_id=quotation_id, note=payload.note
    )
    return quotation_id


@endpoints.post(
    "/quotations/{quotation_id}/cancel",
    QuotationOut,
    perm="sales.change_quotation",
    visible=quotation_visible,
    read=quotation_body,
    summary="Cancel an open quotation",
    description="409 unless it is a draft or sent.",
)
def quotation_cancel(request: HttpRequest, quotation_id: RecordId, payload: CancelIn | None = None):
    services.quotation_cancel(
        company=request.company,
        by=request.user,
        quotation_id=quotation_id,
        reason=(payload or CancelIn()).reason,
    )
    return quotation_id


# Printing and versions


PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "The quotation as the customer reads it: never its costs or margins",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@endpoints.get(
    "/quotations/{quotation_id}/pdf",
    None,
    status=200,  # the PDF itself, described by PDF_RESPONSE
    perm="sales.view_quotation",
    visible=quotation_visible,
    summary="The quotation as a PDF",
    description="In the party's language, with the company's and the party's data, lines, taxes, totals, "
    "validity and terms; never the costs or margins.",
    openapi_extra=PDF_RESPONSE,
)
def quotation_pdf(request: HttpRequest, quotation_id: RecordId):
    quotation = Quotation.objects.select_related("company", "party").get(
        company=request.company, pk=quotation_id
    )
    response = HttpResponse(documents.quotation_pdf(quotation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.quotation_filename(quotation)}"'
    return response


@endpoints.get(
    "/quotations/{quotation_id}/versions",
    QuotationList,
    perm="sales.view_quotation",
    summary="Every version of a quotation's number, the first first",
)
def quotation_versions(request: HttpRequest, quotation_id: RecordId):
    # The visibility check and the number in one query.
    visible = quotations_visible_to(request.user, request.company)
    number = visible.filter(pk=quotation_id).values_list("number", flat=True).first()
    if number is None:
        raise NotFound(_("No such quotation."))
    items = list(_readable(visible.filter(number=number)).order_by("version", "pk"))
    return {"count": len(items), "items": items}
