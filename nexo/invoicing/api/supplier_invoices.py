"""/supplier-invoices: invoices received from suppliers, drawn from purchase orders (`/from-orders`) or typed
by hand; changed while a draft, their differences from the orders accepted, posted; a draft deleted."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.core.api import (
    Endpoints,
    Id,
    Limit,
    MoneyOut,
    Offset,
    PercentIn,
    PercentOut,
    PriceOut,
    QuantityOut,
    QueryId,
    RecordId,
    SafeText,
    StrictSchema,
    decimal_out,
    page_of,
)
from nexo.core.errors import NotFound, ValidationFailed
from nexo.invoicing import rules
from nexo.invoicing.models import SupplierInvoice, SupplierInvoiceLine
from nexo.invoicing.services import supplier_invoices as services
from nexo.invoicing.services.entries import SUPPLIER_INVOICE_MODEL, entry_link
from nexo.purchasing.api.common import Currency, Day, PriceIn, QuantityIn

endpoints = Endpoints()

MAX_LINES = services.MAX_LINES
SupplierNumber = Annotated[
    str, Field(min_length=1, max_length=40, description="The number the supplier gave it")
]
Notes = Annotated[str, Field(max_length=5000)]
Description = Annotated[str, Field(max_length=300)]
RateOut = decimal_out(8, example="0.92000000", about="An exchange rate, a decimal string with 8 decimals.")
InvoiceState = Literal[rules.DRAFT, rules.POSTED]
ORDERINGS = ("date", "-date", "number", "-number", "supplier_number", "-supplier_number", "id", "-id")


class SupplierInvoiceLineIn(StrictSchema):
    id: Id | None = Field(
        None, description="On a change: a current line of the invoice, kept with its order line"
    )
    item_id: Id | None = Field(None, description="A new line's item (optional)")
    description: Description | None = Field(None, description="Empty on a new line: the item's name")
    quantity: QuantityIn | None = None
    unit_price: PriceIn | None = Field(None, description="In the invoice's currency")
    discount: PercentIn | None = None
    vat_rate: PercentIn | None = Field(None, description="The deductible VAT %, e.g. 21")
    irpf_rate: PercentIn | None = Field(
        None, description="The IRPF % withheld (professional services), e.g. 15"
    )


class SupplierInvoiceIn(StrictSchema):
    party_id: Id = Field(description="The supplier")
    supplier_number: SupplierNumber
    date: Day
    received_date: Day | None = None
    currency: Currency | None = Field(None, description="Defaults to the company's")
    exchange_rate: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=8)] | None = Field(
        None,
        description="Units of the company's currency per unit of the invoice's; defaults to the rate on its date",
    )
    notes: Notes = ""
    payment_term_id: Id | None = Field(
        None, description="An active payment term of the company; left out: the supplier's, when posted"
    )
    lines: list[SupplierInvoiceLineIn] = Field(min_length=1, max_length=MAX_LINES)


class SupplierInvoiceFromOrdersIn(StrictSchema):
    order_ids: list[Id] = Field(
        min_length=1, max_length=services.MAX_ORDERS, description="Purchase orders of one supplier"
    )
    supplier_number: SupplierNumber
    date: Day
    received_date: Day | None = None
    notes: Notes = ""
    payment_term_id: Id | None = Field(
        None, description="An active payment term of the company; left out: the supplier's, when posted"
    )


class SupplierInvoicePatch(StrictSchema):
    # Fields left out keep their value; `lines`, when sent, are all the lines.
    supplier_number: SupplierNumber = None
    date: Day = None
    received_date: Day | None = None
    notes: Notes = None
    payment_term_id: Id | None = Field(None, description="null: the supplier's, when posted")
    lines: list[SupplierInvoiceLineIn] = Field(None, min_length=1, max_length=MAX_LINES)


class SupplierInvoiceDifferenceOut(Schema):
    kind: Literal["quantity", "price"] = Field(
        description="quantity: billed over what was received and not yet invoiced; price: another unit price "
        "than the ordered one"
    )
    billed: str = Field(description="A decimal string: the quantity or unit price billed")
    expected: str = Field(description="A decimal string: what the purchase order allows")


class SupplierInvoiceLineOut(Schema):
    id: int
    position: int
    item_id: int | None
    sku: str
    description: str
    quantity: QuantityOut
    unit_price: PriceOut
    discount: PercentOut
    net: MoneyOut
    vat_rate: PercentOut
    recargo_rate: PercentOut
    irpf_rate: PercentOut
    purchase_line_id: int | None
    purchase_order_id: int | None
    purchase_order_number: str
    ordered_quantity: QuantityOut | None = Field(description="On the purchase order line")
    received_quantity: QuantityOut | None = Field(description="Received so far on the purchase order line")
    ordered_unit_price: PriceOut | None
    difference: str = Field(
        description="The line's differences from its order, in words; empty when it matches"
    )
    differences: list[SupplierInvoiceDifferenceOut]


class SupplierInvoiceTaxOut(Schema):
    kind: Literal["vat", "irpf"]
    rate: PercentOut
    recargo_rate: PercentOut
    base: MoneyOut
    amount: MoneyOut = Field(description="The deductible VAT, or the IRPF withheld")
    recargo: MoneyOut


class SupplierInvoiceOut(Schema):
    id: int
    state: InvoiceState
    party_id: int
    party_name: str
    supplier_number: str
    date: Day
    received_date: Day | None
    number: str = Field(description="Ours, given when posted (e.g. FR-2026-000001); empty for a draft")
    series: str
    currency: str
    exchange_rate: RateOut | None = Field(description="The purchase order's, for another currency")
    base: MoneyOut
    vat: MoneyOut = Field(description="Deductible VAT")
    recargo: MoneyOut
    withholding: MoneyOut
    total: MoneyOut
    amount_due: MoneyOut
    has_differences: bool
    differences_accepted_by: str | None
    differences_accepted_at: datetime | None
    posted_at: datetime | None
    notes: str
    payment_term_id: int | None = Field(description="Chosen, or the supplier's once posted")
    payment_term: str | None = Field(description="The payment term's name")
    created_at: datetime
    updated_at: datetime


class SupplierInvoiceDetail(SupplierInvoiceOut):
    lines: list[SupplierInvoiceLineOut]
    taxes: list[SupplierInvoiceTaxOut]
    entry_id: int | None = Field(None, description="Its journal entry (journal COM), made when posted")
    entry_number: str = Field("", description="The entry's number, e.g. COM/2026/000012; empty for a draft")


class SupplierInvoiceList(Schema):
    count: int
    items: list[SupplierInvoiceOut]


def _who(user) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def _fields(invoice: SupplierInvoice, has_differences: bool) -> dict:
    return {
        "id": invoice.pk, "state": invoice.state, "party_id": invoice.party_id, "party_name": invoice.party.name,
        "supplier_number": invoice.supplier_number, "date": invoice.date, "received_date": invoice.received_date,
        "number": invoice.number, "series": invoice.series, "currency": invoice.currency,
        "exchange_rate": invoice.exchange_rate, "base": invoice.base, "vat": invoice.vat, "recargo": invoice.recargo,
        "withholding": invoice.withholding, "total": invoice.total, "amount_due": invoice.amount_due,
        "has_differences": has_differences, "differences_accepted_by": _who(invoice.differences_accepted_by),
        "differences_accepted_at": invoice.differences_accepted_at, "posted_at": invoice.posted_at,
        "notes": invoice.notes, "created_at": invoice.created_at, "updated_at": invoice.updated_at,
        "payment_term_id": invoice.payment_term_id,
        "payment_term": invoice.payment_term.name if invoice.payment_term_id else None,
    }  # fmt: skip


def _line_body(line: SupplierInvoiceLine) -> dict:
    ordered = line.purchase_line
    return {
        "id": line.pk, "position": line.position, "item_id": line.item_id,
        "sku": line.item.sku if line.item_id else "", "description": line.description, "quantity": line.quantity,
        "unit_price": line.unit_price, "discount": line.discount, "net": line.net, "vat_rate": line.vat_rate,
        "recargo_rate": line.recargo_rate, "irpf_rate": line.irpf_rate, "purchase_line_id": line.purchase_line_id,
        "purchase_order_id": ordered.order_id if ordered else None,
        "purchase_order_number": ordered.order.number if ordered else "",
        "ordered_quantity": ordered.quantity if ordered else None,
        "received_quantity": ordered.received_quantity if ordered else None,
        "ordered_unit_price": ordered.unit_price if ordered else None,
        "difference": services.difference_text(line.difference),
        "differences": [
            {"kind": difference.kind, "billed": f"{difference.billed:f}", "expected": f"{difference.expected:f}"}
            for difference in services.differences_of(line.difference)
        ],
    }  # fmt: skip


def invoice_detail(request: HttpRequest, invoice_id: int) -> dict:
    """An invoice with its lines (beside their order lines) and taxes: a fixed number of queries."""
    lines = SupplierInvoiceLine.objects.select_related("item", "purchase_line__order").order_by(
        "position", "pk"
    )
    invoice = (
        SupplierInvoice.objects.filter(company=request.company, pk=invoice_id)
        .select_related("party", "differences_accepted_by", "payment_term")
        .prefetch_related(Prefetch("lines", queryset=lines), "taxes")
        .first()
    )
    if invoice is None:
        raise NotFound(_("No such supplier invoice."))
    body_lines = [_line_body(line) for line in invoice.lines.all()]
    entries = entry_link(request.company, SUPPLIER_INVOICE_MODEL, invoice)
    return {
        **_fields(invoice, any(line["difference"] for line in body_lines)),
        **entries,
        "lines": body_lines,
        "taxes": [
            {
                "kind": row.kind,
                "rate": row.rate,
                "recargo_rate": row.recargo_rate,
                "base": row.base,
                "amount": row.amount,
                "recargo": row.recargo,
            }
            for row in invoice.taxes.all()
        ],
    }


def _saved(request: HttpRequest, invoice: SupplierInvoice) -> dict:
    return invoice_detail(request, invoice.pk)


def _lines(lines: list[SupplierInvoiceLineIn]) -> list[dict]:
    return [line.model_dump(exclude_none=True) for line in lines]


@endpoints.get(
    "/supplier-invoices", SupplierInvoiceList, perm="invoicing.view_supplierinvoice",
    summary="List supplier invoices, the latest first",
    description="`q` searches our number, the supplier's number and the supplier's name; dates are inclusive; "
    "`with_differences=true` keeps those with a line that differs from its purchase order.",
)  # fmt: skip
def supplier_invoice_list(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    state: InvoiceState | None = None,
    party_id: QueryId = None,
    date_from: Day | None = None,
    date_to: Day | None = None,
    with_differences: bool | None = None,
    ordering: Literal[ORDERINGS] = "-date",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    invoices = SupplierInvoice.objects.filter(company=request.company).select_related(
        "party", "differences_accepted_by", "payment_term"
    )
    for word in q.split():
        invoices = invoices.filter(
            Q(number__icontains=word) | Q(supplier_number__icontains=word) | Q(party__name__icontains=word)
        )
    filters = {"state": state, "party_id": party_id, "date__gte": date_from, "date__lte": date_to}
    invoices = invoices.filter(**{name: value for name, value in filters.items() if value is not None})
    differing = SupplierInvoiceLine.objects.exclude(difference="").values("invoice_id")
    if with_differences is not None:
        invoices = (
            invoices.filter(pk__in=differing) if with_differences else invoices.exclude(pk__in=differing)
        )
    count, rows = page_of(invoices.order_by(ordering, "-pk"), limit=limit, offset=offset)
    flagged = set(
        differing.filter(invoice_id__in=[row.pk for row in rows]).values_list("invoice_id", flat=True)
    )
    return {"count": count, "items": [_fields(row, row.pk in flagged) for row in rows]}


@endpoints.post(
    "/supplier-invoices", SupplierInvoiceDetail, perm="invoicing.add_supplierinvoice", idempotent=True, read=_saved,
    summary="Record a supplier invoice typed by hand (a draft)",
    description="Each line gives its quantity, unit price and VAT % (and IRPF % when withheld). 422 with "
    "`supplier_number` when the supplier's number is already recorded for that supplier and year.",
)  # fmt: skip
def supplier_invoice_create(request: HttpRequest, payload: SupplierInvoiceIn):
    return services.supplier_invoice_create(
        company=request.company, by=request.user, lines=_lines(payload.lines),
        **payload.model_dump(exclude={"lines"}, exclude_none=True),
    )  # fmt: skip


@endpoints.post(
    "/supplier-invoices/from-orders", SupplierInvoiceDetail, perm="invoicing.add_supplierinvoice", idempotent=True,
    read=_saved, summary="Draw a draft supplier invoice from purchase orders",
    description="Confirmed or received orders of one supplier and currency: one line per order line with what "
    "was received and is on no other supplier invoice, at the ordered price and VAT rate, at the order's "
    "exchange rate. 422 on `order_ids` for another supplier's, another company's or unknown orders, or when "
    "nothing is left to invoice; 422 on `supplier_number` for a number already recorded.",
)  # fmt: skip
def supplier_invoice_from_orders(request: HttpRequest, payload: SupplierInvoiceFromOrdersIn):
    return services.supplier_invoice_from_orders(
        company=request.company, by=request.user, **payload.model_dump()
    )


@endpoints.get(
    "/supplier-invoices/{invoice_id}", SupplierInvoiceDetail, perm="invoicing.view_supplierinvoice",
    summary="Read a supplier invoice with its lines, their purchase order figures and differences, and its taxes",
)  # fmt: skip
def supplier_invoice_read(request: HttpRequest, invoice_id: RecordId):
    return invoice_detail(request, invoice_id)


@endpoints.patch(
    "/supplier-invoices/{invoice_id}", SupplierInvoiceDetail, perm="invoicing.change_supplierinvoice", read=_saved,
    summary="Change a draft supplier invoice as the supplier's paper reads",
    description="`lines`, when sent, are all the lines: one with a current line's `id` changes that line "
    "(fields left out keep their value), one without is added by hand, a line left out is removed. The lines "
    "are checked against their orders again; new differences need accepting again. 409 once posted.",
)  # fmt: skip
def supplier_invoice_update(request: HttpRequest, invoice_id: RecordId, payload: SupplierInvoicePatch):
    fields = payload.model_dump(exclude_unset=True, exclude={"lines"})
    for name in ("supplier_number", "date", "notes"):
        if name in fields and fields[name] is None:
            raise ValidationFailed.on(name, _("This field cannot be null."))
    if payload.lines is not None:
        fields["lines"] = _lines(payload.lines)
    elif "lines" in payload.model_fields_set:
        raise ValidationFailed.on("lines", _("Add at least one line."))
    return services.supplier_invoice_update(
        company=request.company, by=request.user, invoice_id=invoice_id, **fields
    )


@endpoints.delete(
    "/supplier-invoices/{invoice_id}", None, perm="invoicing.delete_supplierinvoice",
    summary="Delete a draft supplier invoice", description="409 once posted.",
)  # fmt: skip
def supplier_invoice_delete(request: HttpRequest, invoice_id: RecordId):
    services.supplier_invoice_delete(company=request.company, by=request.user, invoice_id=invoice_id)


@endpoints.post(
    "/supplier-invoices/{invoice_id}/accept-differences", SupplierInvoiceDetail, perm="invoicing.change_supplierinvoice",
    read=_saved, summary="Accept what the invoice bills beyond its purchase orders",
    description="The lines are checked again and who accepts, and when, is recorded. 409 when nothing differs "
    "or once posted.",
)  # fmt: skip
def supplier_invoice_accept_differences(request: HttpRequest, invoice_id: RecordId):
    return services.supplier_invoice_accept_differences(
        company=request.company, by=request.user, invoice_id=invoice_id
    )


@endpoints.post(
    "/supplier-invoices/{invoice_id}/post", SupplierInvoiceDetail, perm="invoicing.post_supplierinvoice", read=_saved,
    summary="Post a supplier invoice",
    description="Deductible VAT and IRPF per rate, totals, and our number, gapless in date order within the "
    "series and year. 409 once posted, or with differences from the orders not accepted (`errors` lists "
    "them by line); 422 without lines, on `supplier_number` for a number already recorded, on `date` before "
    "the series' last posted invoice.",
)  # fmt: skip
def supplier_invoice_post(request: HttpRequest, invoice_id: RecordId):
    return services.supplier_invoice_post(company=request.company, by=request.user, invoice_id=invoice_id)
