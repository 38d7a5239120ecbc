"""A customer invoice or credit note as the customer reads it: a PDF (WeasyPrint) from an HTML template, in the
customer's language (else Spanish).

It carries what a Spanish invoice must show (Reglamento de facturación, RD 1619/2012, art. 6 and 7): the
issuer's and the customer's names, tax ids and addresses, the series and number, the date and the operation
date when it differs, the lines, the base, rate, VAT and equivalence surcharge of each rate, the withholding,
the total and the amount due, the payment terms with the due dates and amounts, the legal text of every exempt, reverse-charge or
not-subject treatment used, and, on a credit note, "factura rectificativa" with the corrected invoice's
number, date and the reason. A simplified invoice (F2) says so. A draft has no number yet and is marked as a
draft on every page; a cancelled invoice says CANCELLED (ANULADA) beside its title and across every page,
with the day and the reason, and lists no due dates. A posted or cancelled invoice prints the customer as
it stood when posted (its frozen name, tax id and address); a draft prints the party as it is now.

The page, its stylesheet and the WeasyPrint call are the printed documents' (nexo/core/documents.py).
"""

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal
from pathlib import Path

from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from nexo.accounting.models import PartyAccounting, PaymentTerm
from nexo.accounting.services.payment_terms import CUSTOMER, due_split, term_label, term_of_party
from nexo.core import formatting
from nexo.core.documents import (
    PrintedTax,
    date_text,
    percent_text,
    reader_language,
    render_html,
    render_pdf,
    unit_price_text,
)
from nexo.core.modules import contributions
from nexo.invoicing import rules
from nexo.invoicing.models import Invoice, InvoiceTax
from nexo.invoicing.tax import TaxRuleError, treatment_of
from nexo.parties.models import Address, Party

STYLESHEET = Path(__file__).resolve().parent / "static" / "invoicing" / "invoice_pdf.css"
#: The company's language: a company records none, and Nexo's companies are Spanish.
COMPANY_LANGUAGE = "es"


@dataclass(frozen=True)
class PrintedLine:
    """An invoice line as the customer reads it: what, how many, at what price, its VAT. No cost."""

    position: int
    description: str
    sku: str
    quantity: str
    unit: str
    unit_price: str
    discount: str
    vat_rate: str
    amount: str


@dataclass(frozen=True)
class PrintedCustomer:
    """The customer block: name, tax id and address lines."""

    name: str
    tax_id: str
    address_lines: tuple[str, ...]


def invoice_language(invoice: Invoice) -> str:
    """The language the invoice was issued in (kept when posted), else the customer's, else the company's."""
    return reader_language(invoice.language or getattr(invoice.party, "language", ""), COMPANY_LANGUAGE)


def billing_address(party: Party) -> Address | None:
    """Where an invoice is addressed: the default billing address, else any billing address (none: the
    customer must be given one before posting)."""
    return (
        Address.objects.filter(party=party, kind=Address.Kind.BILLING).order_by("-is_default", "id").first()
    )


def address_text(address: Address | None, *, company_country: str) -> str:
    """An address as an invoice prints it, one line each: street; postal code, city (province); country when
    it is not the company's."""
    if address is None:
        return ""
    place = " ".join(part for part in (address.postal_code, address.city) if part)
    if address.province and address.province != address.city:
        place = f"{place} ({address.province})"
    lines = [address.street, place]
    if address.country and address.country != company_country:
        lines.append(formatting.country_name(address.country))
    return "\n".join(line for line in lines if line)


def printed_customer(invoice: Invoice) -> PrintedCustomer:
    """Posted (or cancelled): the customer as frozen on the invoice. A draft: the party now, at its billing
    address."""
    if invoice.state != Invoice.State.DRAFT:
        name, tax_id, address = invoice.party_name, invoice.party_tax_id, invoice.party_address
    else:
        party = invoice.party
        name, tax_id = party.name, party.tax_id
        address = address_text(billing_address(party), company_country=invoice.company.country)
    return PrintedCustomer(
        name=name, tax_id=tax_id, address_lines=tuple(line for line in address.splitlines() if line.strip())
    )


def document_title(invoice: Invoice) -> str:
    """What the document is, as its heading says it."""
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        return _("Corrective invoice")
    if invoice.invoice_type == rules.F2:
        return _("Simplified invoice")
    return _("Invoice")


def legal_texts(codes, language: str) -> list[str]:
    """The legal text of each treatment that charges no VAT, once each, in the language (Spanish unless
    English)."""
    texts: dict[str, None] = {}
    for code in codes:
        try:
            legal_text = treatment_of(code).legal_text if code else None
        except TaxRuleError:
            legal_text = None
        if legal_text is not None:
            texts[legal_text.en if language == "en" else legal_text.es] = None
    return list(texts)


def invoice_figures(invoice: Invoice) -> dict:
    """The invoice's lines (with their items and units) and its tax groups: two queries."""
    lines = list(invoice.lines.select_related("item__unit").order_by("position", "id"))
    taxes = list(invoice.taxes.all())
    return {
        "lines": lines,
        "vat_groups": [tax for tax in taxes if tax.kind == InvoiceTax.Kind.VAT],
        "withholdings": [tax for tax in taxes if tax.kind == InvoiceTax.Kind.IRPF],
    }


def due_amounts(invoice: Invoice, term: PaymentTerm | None) -> list[tuple[Date, Decimal]]:
    """The invoice's due dates and amounts as the payments module records them when it is posted: its amount
    due split by the term and the customer's holiday month; a credit note's, all on its date. Invoicing
    reads the same split from accounting, never the payments module (a layer above)."""
    if not invoice.amount_due:
        return []
    holiday_month = (
        PartyAccounting.objects.filter(party_id=invoice.party_id)
        .values_list("holiday_month", flat=True)
        .first()
    )
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        term = None
    return [
        (day, amount)
        for day, amount in due_split(term, invoice.amount_due, invoice.date, holiday_month)
        if amount
    ]


def invoice_context(invoice: Invoice) -> dict:
    """Everything the printed invoice shows, formatted in the active language."""
    currency = invoice.currency
    company = invoice.company
    language = translation.get_language() or COMPANY_LANGUAGE
    figures = invoice_figures(invoice)
    lines = [
        PrintedLine(
            position=index,
            description=line.description or (line.item.name if line.item else ""),
            sku=line.item.sku if line.item else "",
            quantity=formatting.number(line.quantity),
            unit=line.item.unit.code if line.item else "",
            unit_price=unit_price_text(line.unit_price, currency),
            discount=percent_text(line.discount) if line.discount else "",
            vat_rate=percent_text(line.vat_rate),
            amount=formatting.money(line.net, currency),
        )
        for index, line in enumerate(figures["lines"], start=1)
    ]
    taxes = []
    for group in figures["vat_groups"]:
        taxes.append(
            PrintedTax(
                rate=percent_text(group.rate),
                base=formatting.money(group.base, currency),
                tax=formatting.money(group.amount, currency),
            )
        )
        if group.recargo_rate:
            taxes.append(
                PrintedTax(
                    rate=_("Surcharge %(rate)s") % {"rate": percent_text(group.recargo_rate)},
                    base=formatting.money(group.base, currency),
                    tax=formatting.money(group.recargo, currency),
                )
            )
    withholdings = [
        {
            "label": _("IRPF withholding %(rate)s on %(base)s")
            % {"rate": percent_text(group.rate), "base": formatting.money(group.base, currency)},
            "amount": formatting.money(-group.amount, currency),
        }
        for group in figures["withholdings"]
    ]
    treatments = [group.treatment for group in figures["vat_groups"]] or [invoice.treatment]
    corrects = invoice.corrects
    is_draft, is_cancelled = invoice.state == Invoice.State.DRAFT, invoice.state == Invoice.State.CANCELLED
    term = invoice.payment_term
    if term is None and is_draft:  # posted with the customer's term: the draft shows it
        term = term_of_party(company, invoice.party_id, CUSTOMER)
    number = invoice.number or _("Draft")
    return {
        "invoice": invoice,
        "company": company,
        "customer": printed_customer(invoice),
        "title": document_title(invoice),
        "is_draft": is_draft,
        "is_cancelled": is_cancelled,
        "cancelled_date": date_text(timezone.localdate(invoice.cancelled_at)) if invoice.cancelled_at else "",
        "is_credit_note": invoice.kind == Invoice.Kind.CREDIT_NOTE,
        "is_simplified": invoice.invoice_type == rules.F2,
        "number": number,
        "series": invoice.series,
        "date": date_text(invoice.date),
        "operation_date": date_text(invoice.operation_date)
        if invoice.operation_date and invoice.operation_date != invoice.date
        else "",
        "corrects": corrects,
        "corrects_date": date_text(corrects.date) if corrects else "",
        "lines": lines,
        "has_discounts": any(line.discount for line in lines),
        "taxes": taxes,
        "net": formatting.money(invoice.base, currency),
        "tax": formatting.money(invoice.vat, currency),
        "recargo": formatting.money(invoice.recargo, currency) if invoice.recargo else "",
        "total": formatting.money(invoice.total, currency),
        "withholdings": withholdings,
        "amount_due": formatting.money(invoice.amount_due, currency),
        "legal_texts": legal_texts(treatments, language),
        "payment_terms": invoice.payment_terms or term_label(term, language),
        "due_amounts": [
            {"date": date_text(day), "amount": formatting.money(amount, currency)}
            # Nothing falls due on a cancelled invoice.
            for day, amount in ([] if is_cancelled else due_amounts(invoice, term))
        ],
        "currency": currency,
        "running_header": f"{document_title(invoice)} {number}",
        # A posted invoice's VERI*FACTU QR code and legend (the compliance module), at the top of page one.
        "print_marks": [] if is_draft else contributions("document_print_mark", "invoicing.invoice", invoice),
    }


def invoice_html(invoice: Invoice, *, language: str | None = None) -> SafeString:
    return render_html(
        "invoicing/invoice_pdf.html",
        lambda: invoice_context(invoice),
        language=language or invoice_language(invoice),
        stylesheets=[STYLESHEET],
    )


def invoice_pdf(invoice: Invoice, *, language: str | None = None) -> bytes:
    """The invoice as the customer reads it, in its language (else the company's)."""
    return render_pdf(invoice_html(invoice, language=language))


def invoice_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf" if invoice.number else f"draft-{invoice.pk}.pdf"


def printable_invoice(company, invoice_id: int) -> Invoice | None:
    """The invoice with what its PDF reads about it (company, customer, the corrected invoice), one query."""
    return (
        Invoice.objects.select_related("company", "party", "corrects", "payment_term")
        .filter(company=company, pk=invoice_id)
        .first()
    )
