"""/invoices: customer invoices and credit notes — listed, read with their lines, taxes per rate and credit
notes, drafted from orders or by hand, changed and deleted while drafts, posted, corrected by credit notes,
and cancelled when issued by mistake.
The PDF and the e-mail are in `invoice_documents`."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import F, Q
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
    decimal_in,
    page_of,
    positive_pattern,
)
from nexo.core.errors import NotFound
from nexo.invoicing import services, tax
from nexo.invoicing.models import Invoice, InvoiceLine, InvoiceTax
from nexo.invoicing.services.cancelling import REASON_LENGTH
from nexo.invoicing.services.entries import INVOICE_MODEL, entry_link

endpoints = Endpoints()

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9000, 12, 31)
DocumentDay = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
Day = date  # a field named `date` below would shadow the type
QuantityIn = decimal_in(
    max_digits=13, places=4, gt=0, pattern=positive_pattern(9, 4), example="15",
    about="A quantity above zero, a decimal string with up to 4 decimals.",
)  # fmt: skip
PriceIn = decimal_in(
    max_digits=15, places=6, ge=0, pattern=r"^\d{1,9}(\.\d{1,6})?$", example="9.00",
    about="A unit price without VAT (≥ 0, up to 6 decimals).",
)  # fmt: skip
VatRateIn = decimal_in(
    max_digits=4, places=2, ge=0, lt=100, pattern=r"^\d{1,2}(\.\d{1,2})?$", example="21",
    about="A VAT rate in %, from 0 to under 100 (21, 10, 4, 0 in Spain).",
)  # fmt: skip
AmountIn = decimal_in(
    max_digits=15, places=2, gt=0, pattern=positive_pattern(13, 2), example="120.00",
    about="A taxable base (before VAT) above zero, a decimal string with up to 2 decimals.",
)  # fmt: skip
Description = Annotated[str, Field(max_length=300)]
Text = Annotated[str, Field(max_length=5000)]
State = Literal[tuple(Invoice.State.values)]  # type: ignore[valid-type]
Kind = Literal[tuple(Invoice.Kind.values)]  # type: ignore[valid-type]


# Schemas in


class InvoiceLineIn(StrictSchema):
    item_id: Id | None = Field(None, description="The item; null for a free-text line")
    description: Description = Field("", description="Defaults to the item's name; required without item")
    quantity: QuantityIn
    unit_price: PriceIn
    discount: PercentIn = Decimal(0)
    vat_rate: VatRateIn | None = Field(
        None, description="Left out: the item's sale tax on the invoice's date"
    )

    def service_line(self) -> services.InvoiceLineInput:
        return services.InvoiceLineInput(
            self.item_id, self.description, self.quantity, self.unit_price, self.discount, self.vat_rate
        )


class InvoiceIn(StrictSchema):
    party_id: Id
    date: DocumentDay | None = Field(None, description="Defaults to today")
    lines: list[InvoiceLineIn] = Field(default_factory=list, max_length=1000)
    simplified: bool = Field(
        False, description="A simplified invoice (F2): no customer tax id, at most 400 €"
    )
    notes: Text = ""
    payment_term_id: Id | None = Field(
        None, description="An active payment term of the company; left out: the customer's, when posted"
    )


class InvoiceFromOrdersIn(StrictSchema):
    order_ids: list[Id] = Field(min_length=1, max_length=100, description="Confirmed orders of one customer")
    date: DocumentDay | None = Field(None, description="Defaults to today")


class InvoicePatch(StrictSchema):
    # Fields left out keep their value (null is refused, but a null payment term is the customer's); `lines`
    # replaces every line with lines typed by hand.
    date: DocumentDay = None
    notes: Text = None
    payment_term_id: Id | None = Field(None, description="null: the customer's, when posted")
    lines: list[InvoiceLineIn] = Field(None, max_length=1000)


class CreditLineIn(StrictSchema):
    invoice_line_id: Id
    quantity: QuantityIn


class CreditNoteIn(StrictSchema):
    reason: Annotated[str, Field(min_length=1, max_length=500), SafeText]
    lines: list[CreditLineIn] | None = Field(
        None, max_length=1000, description="Quantities per line of the invoice to take back"
    )
    amount: AmountIn | None = Field(
        None,
        description="A taxable base to take back, spread over the invoice's rates in proportion to their bases",
    )
    return_id: Id | None = Field(
        None, description="A validated sales return: its goods at the invoiced prices"
    )


class InvoiceCancelIn(StrictSchema):
    reason: Annotated[str, Field(min_length=1, max_length=REASON_LENGTH), SafeText] = Field(
        description="Why the invoice was issued by mistake; kept on the invoice"
    )


# Schemas out


class InvoiceLineOut(Schema):
    id: int
    position: int
    order_line_id: int | None
    delivery_line_id: int | None
    corrects_line_id: int | None
    item_id: int | None
    description: str
    quantity: QuantityOut
    unit_price: PriceOut
    discount: PercentOut
    net: MoneyOut
    vat_rate: PercentOut
    recargo_rate: PercentOut
    irpf_rate: PercentOut
    treatment: str
    cost: MoneyOut


class InvoiceTaxOut(Schema):
    kind: str = Field(description="vat (a VAT group: treatment, rate, recargo) or irpf (a withholding rate)")
    treatment: str
    rate: PercentOut
    recargo_rate: PercentOut
    base: MoneyOut
    amount: MoneyOut = Field(description="The VAT, or the withholding")
    recargo: MoneyOut


class LegalTextOut(Schema):
    es: str
    en: str


class CreditNoteRef(Schema):
    id: int
    number: str
    state: str
    date: Day
    total: MoneyOut


class InvoiceListItem(Schema):
    id: int
    number: str
    kind: str
    invoice_type: str
    state: str
    date: Day
    party_id: int
    party_name: str
    currency: str
    base: MoneyOut
    total: MoneyOut
    amount_due: MoneyOut
    corrects_id: int | None


class InvoiceList(Schema):
    count: int
    items: list[InvoiceListItem]


class InvoiceOut(InvoiceListItem):
    series: str
    year: int | None
    sequence: int | None
    operation_date: Day | None
    party_tax_id: str
    party_address: str
    party_country: str
    language: str
    payment_term_id: int | None = Field(description="Chosen, or the customer's once posted")
    payment_term: str | None = Field(description="The payment term's name")
    payment_terms: str = Field(description="The payment term as printed, in the invoice's language (posted)")
    notes: str
    treatment: str
    corrects_number: str
    reason: str
    vat: MoneyOut
    recargo: MoneyOut
    withholding: MoneyOut
    cost: MoneyOut
    posted_at: datetime | None
    cancelled_at: datetime | None = Field(description="When it was cancelled (state `cancelled`)")
    cancelled_by_id: int | None = Field(description="The user who cancelled it")
    cancel_reason: str = Field(description="Why it was cancelled")
    sent_to: str
    email_status: str
    lines: list[InvoiceLineOut]
    taxes: list[InvoiceTaxOut]
    legal_texts: list[LegalTextOut] = Field(
        description="What an exempt or reverse-charged invoice must print"
    )
    credit_notes: list[CreditNoteRef]
    entry_id: int | None = Field(None, description="Its journal entry (journal VEN), made when posted")
    entry_number: str = Field("", description="The entry's number, e.g. VEN/2026/000012; empty for a draft")
    reversal_entry_id: int | None = Field(
        None, description="The entry that reversed it when it was cancelled"
    )
    reversal_entry_number: str = Field("", description="That reversal's number; empty unless cancelled")


# Reading


def invoice_visible(request: HttpRequest, invoice_id: int) -> None:
    if not Invoice.objects.filter(company=request.company, pk=invoice_id).exists():
        raise NotFound(_("No such invoice."))


def invoice_body(request: HttpRequest, invoice: int | Invoice) -> dict:
    """An invoice with its lines, taxes and credit notes, in four queries. A draft shows the party's name as
    it stands; a posted one, as it was posted."""
    invoice_id = invoice.pk if isinstance(invoice, Invoice) else invoice
    found = (
        Invoice.objects.filter(company=request.company, pk=invoice_id)
        .annotate(
            current_name=F("party__name"),
            corrected_number=F("corrects__number"),
            payment_term_name=F("payment_term__name"),
        )
        .first()
    )
    if found is None:
        raise NotFound(_("No such invoice."))
    body = {
        name: getattr(found, name)
        for name in InvoiceOut.model_fields
        if name != "payment_term" and hasattr(found, name)
    }
    body["payment_term"] = found.payment_term_name
    body["party_name"] = found.party_name or found.current_name
    body["corrects_number"] = found.corrected_number or ""
    body["lines"] = list(InvoiceLine.objects.filter(invoice_id=found.pk).order_by("position", "id"))
    taxes = list(InvoiceTax.objects.filter(invoice_id=found.pk).order_by("kind", "-rate", "id"))
    body["taxes"] = taxes
    texts = {}
    for row in taxes:
        if row.kind == InvoiceTax.Kind.VAT and row.treatment:
            text = tax.treatment_of(row.treatment).legal_text
            if text is not None:
                texts[text] = None
    body["legal_texts"] = [{"es": text.es, "en": text.en} for text in texts]
    body.update(entry_link(request.company, INVOICE_MODEL, found))
    body["credit_notes"] = list(
        Invoice.objects.filter(corrects_id=found.pk)
        .order_by("date", "id")
        .values("id", "number", "state", "date", "total")
    )
    return body


ORDERINGS = ("date", "-date", "number", "-number", "total", "-total", "created_at", "-created_at")


@endpoints.get(
    "/invoices",
    InvoiceList,
    perm="invoicing.view_invoice",
    summary="List customer invoices and credit notes",
    description="`q` searches the number and the customer's name; `date_from` and `date_to` include both days.",
)
def invoice_list(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    state: State | None = None,
    kind: Kind | None = None,
    party_id: QueryId = None,
    date_from: DocumentDay | None = None,
    date_to: DocumentDay | None = None,
    ordering: Literal[ORDERINGS] = "-date",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    queryset = Invoice.objects.filter(company=request.company)
    for word in q.split():
        queryset = queryset.filter(Q(number__icontains=word) | Q(party__name__icontains=word))
    filters = {
        "state": state,
        "kind": kind,
        "party_id": party_id,
        "date__gte": date_from,
        "date__lte": date_to,
    }
    queryset = queryset.filter(**{name: value for name, value in filters.items() if value is not None})
    queryset = queryset.annotate(current_name=F("party__name")).order_by(ordering, "-pk")
    count, rows = page_of(queryset, limit=limit, offset=offset)
    for row in rows:
        row.party_name = row.party_name or row.current_name
    return {"count": count, "items": rows}


# Drafts


@endpoints.post(
    "/invoices",
    InvoiceOut,
    perm="invoicing.add_invoice",
    idempotent=True,
    read=invoice_body,
    summary="Create a draft invoice typed by hand",
    description="A line without `vat_rate` takes its item's sale tax on the invoice's date. `simplified`: a "
    "simplified invoice (F2) for a counter sale, posted without the customer's tax id, up to 400 € VAT included.",
)
def invoice_create(request: HttpRequest, payload: InvoiceIn):
    return services.invoice_create(
        company=request.company, by=request.user, party_id=payload.party_id, date=payload.date,
        lines=[line.service_line() for line in payload.lines], simplified=payload.simplified,
        notes=payload.notes, payment_term_id=payload.payment_term_id,
    )  # fmt: skip


@endpoints.post(
    "/invoices/from-orders",
    InvoiceOut,
    perm=("invoicing.add_invoice", "sales.view_salesorder"),
    idempotent=True,
    read=invoice_body,
    summary="Create a draft invoice of what confirmed orders of one customer have to invoice",
    description="One line per order line: delivered less returned (a stocked item) or ordered less cancelled "
    "(a service), less what is invoiced or on another draft invoice. 409 when nothing is left to invoice; 422 "
    "for orders of another customer.",
)
def invoice_from_orders(request: HttpRequest, payload: InvoiceFromOrdersIn):
    return services.invoice_from_orders(
        company=request.company, by=request.user, order_ids=payload.order_ids, date=payload.date
    )


@endpoints.get(
    "/invoices/{invoice_id}",
    InvoiceOut,
    perm="invoicing.view_invoice",
    visible=invoice_visible,
    summary="Read an invoice or credit note: lines, taxes per rate, totals, what it corrects, its credit notes",
)
def invoice_read(request: HttpRequest, invoice_id: RecordId):
    return invoice_body(request, invoice_id)


# /invoices/from-orders above is registered before /invoices/{invoice_id}: a path's first match wins.
@endpoints.patch(
    "/invoices/{invoice_id}",
    InvoiceOut,
    perm="invoicing.change_invoice",
    visible=invoice_visible,
    read=invoice_body,
    summary="Change a draft invoice (and replace its lines)",
    description="Only a draft changes: a posted invoice answers 409 (correct it with a credit note).",
)
def invoice_update(request: HttpRequest, invoice_id: RecordId, payload: InvoicePatch):
    fields = payload.model_dump(exclude_unset=True, exclude={"lines"})
    if payload.lines is not None:  # left out or null: the lines stay as they are
        fields["lines"] = [line.service_line() for line in payload.lines]
    return services.invoice_update(company=request.company, by=request.user, invoice_id=invoice_id, **fields)


@endpoints.delete(
    "/invoices/{invoice_id}",
    None,
    perm="invoicing.delete_invoice",
    visible=invoice_visible,
    summary="Delete a draft invoice",
    description="A posted invoice is never deleted: 409.",
)
def invoice_delete(request: HttpRequest, invoice_id: RecordId):
    services.invoice_delete(company=request.company, by=request.user, invoice_id=invoice_id)


# Actions


@endpoints.post(
    "/invoices/{invoice_id}/post",
    InvoiceOut,
    perm="invoicing.post_invoice",
    visible=invoice_visible,
    read=invoice_body,
    summary="Post a draft invoice or credit note: its number, final taxes and the customer as it stands",
    description="Numbers are gapless per series and year (`F-2026-000123`; credit notes R, simplified FS). "
    "422 for an invoice without lines, dated before the last posted one of its series, for a customer without "
    "tax id or billing address (but a simplified invoice), or a simplified invoice over 400 €; 409 when "
    "already posted or when it bills more than is left to invoice.",
)
def invoice_post(request: HttpRequest, invoice_id: RecordId):
    return services.invoice_post(company=request.company, by=request.user, invoice_id=invoice_id)


@endpoints.post(
    "/invoices/{invoice_id}/credit-notes",
    InvoiceOut,
    perm="invoicing.add_invoice",
    visible=invoice_visible,
    idempotent=True,
    read=invoice_body,
    summary="Create a draft credit note of a posted invoice",
    description="Give `lines` (quantities per invoice line), an `amount` (a taxable base), or a `return_id`; "
    "none of them credits everything not yet credited. Never more than the invoice less its credit notes "
    "(422). Post it with /invoices/{id}/post.",
    renames=lambda field: field.replace("quantities.", "lines.", 1),
)
def credit_note_create(request: HttpRequest, invoice_id: RecordId, payload: CreditNoteIn):
    quantities = None
    if payload.lines is not None:
        quantities = {}
        for line in payload.lines:
            quantities[line.invoice_line_id] = (
                quantities.get(line.invoice_line_id, Decimal(0)) + line.quantity
            )
    return services.credit_note_create(
        company=request.company, by=request.user, invoice_id=invoice_id, reason=payload.reason,
        quantities=quantities, amount=payload.amount, return_id=payload.return_id,
    )  # fmt: skip


@endpoints.post(
    "/invoices/{invoice_id}/cancel",
    InvoiceOut,
    perm="invoicing.cancel_invoice",
    visible=invoice_visible,
    read=invoice_body,
    summary="Cancel a posted invoice or credit note issued by mistake",
    description="It keeps its number, marked cancelled with the `reason`; its journal entry is reversed (dated "
    "today), what it billed on sales orders can be invoiced again and its due amounts are removed. 422 for a "
    "blank or too long reason; 409 for a draft, an invoice already cancelled or corrected by a posted credit "
    "note (cancel that first), dated in a closed or locked period, or with a due amount paid, remitted or "
    "reminded (correct those with a credit note).",
)
def invoice_cancel(request: HttpRequest, invoice_id: RecordId, payload: InvoiceCancelIn):
    return services.invoice_cancel(
        company=request.company, by=request.user, invoice_id=invoice_id, reason=payload.reason
    )
