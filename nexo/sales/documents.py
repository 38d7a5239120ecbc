"""Printed documents: a quotation as PDF (WeasyPrint), from an HTML template, in the customer's language.

What the customer receives never carries costs, margins, cost sources or price rules: the template gets
`PrintedLine`s, which have no such fields, and figures already formatted for the language (babel).
The page, its stylesheet and the WeasyPrint call are the printed documents' (nexo/core/documents.py).
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db.models import Case, IntegerField, Value, When
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from nexo.core import formatting
from nexo.core.documents import PrintedTax, date_text, percent_text, render_html, render_pdf, unit_price_text
from nexo.core.documents import refuse_urls as _refuse_urls  # noqa: F401 -- the fetcher the PDF uses
from nexo.parties.models import Address, Party
from nexo.sales.models import Quotation

STYLESHEET = Path(__file__).resolve().parent / "static" / "sales" / "quotation_pdf.css"
DEFAULT_LANGUAGE = "es"


@dataclass(frozen=True)
class PrintedLine:
    """A quotation line as the customer reads it: what, how many, at what price. No cost, no margin."""

    position: int
    description: str
    sku: str
    quantity: str
    unit: str
    unit_price: str
    discount: str
    amount: str


# The document


def billing_address(party: Party) -> Address | None:
    """The address a quotation is addressed to: the default billing address, else any billing address,
    else the default one, else the first."""
    billing_first = Case(
        When(kind=Address.Kind.BILLING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return Address.objects.filter(party=party).order_by(billing_first, "-is_default", "id").first()


def _printed_lines(quotation: Quotation) -> list[PrintedLine]:
    currency = quotation.currency
    lines = quotation.lines.select_related("item__unit").order_by("position", "id")
    return [
        PrintedLine(
            position=index,
            description=line.description or (line.item.name if line.item else ""),
            sku=line.item.sku if line.item else "",
            quantity=formatting.number(line.quantity),
            unit=line.item.unit.code if line.item else "",
            unit_price=unit_price_text(line.unit_price, currency),
            discount=percent_text(line.discount) if line.discount else "",
            # The line's amount before the document discount, so the lines add up to the subtotal.
            amount=formatting.money(line.gross_net, currency),
        )
        for index, line in enumerate(lines, start=1)
    ]


def _salesperson(quotation: Quotation) -> dict:
    user = quotation.salesperson
    return {"name": user.get_full_name() or user.username, "email": user.email}


def quotation_context(quotation: Quotation) -> dict:
    """Everything the printed quotation shows, formatted in the active language."""
    currency = quotation.currency
    company = quotation.company
    party = quotation.party
    address = billing_address(party)
    lines = _printed_lines(quotation)
    taxes = [
        PrintedTax(
            rate=percent_text(Decimal(tax["rate"])),
            base=formatting.money(Decimal(tax["base"]), currency),
            tax=formatting.money(Decimal(tax["tax"]), currency),
        )
        for tax in quotation.taxes
    ]
    return {
        "quotation": quotation,
        "company": company,
        "party": party,
        "address": address,
        "show_country": address is not None and address.country != company.country,
        "lines": lines,
        "has_discounts": any(line.discount for line in lines),
        "taxes": taxes,
        "salesperson": _salesperson(quotation),
        "subject": quotation.opportunity.title if quotation.opportunity_id else "",
        "date": date_text(quotation.date),
        "valid_until": date_text(quotation.valid_until),
        "subtotal": formatting.money(quotation.gross_net, currency),
        "document_discount": percent_text(quotation.document_discount) if quotation.discount_amount else "",
        "discount_amount": formatting.money(-quotation.discount_amount, currency),
        "net": formatting.money(quotation.net, currency),
        "tax": formatting.money(quotation.tax, currency),
        "total": formatting.money(quotation.total, currency),
        "running_header": f"{_('Quotation')} {quotation.number} v{quotation.version}",
    }


def quotation_html(quotation: Quotation, *, language: str | None = None) -> SafeString:
    language = language or getattr(quotation.party, "language", "") or DEFAULT_LANGUAGE
    return render_html(
        "sales/quotation_pdf.html",
        lambda: quotation_context(quotation),
        language=language,
        stylesheets=[STYLESHEET],
    )


def quotation_pdf(quotation: Quotation, *, language: str | None = None) -> bytes:
    """The quotation as the customer reads it, in the party's language (Spanish by default)."""
    return render_pdf(quotation_html(quotation, language=language))


def quotation_filename(quotation: Quotation) -> str:
    return f"{quotation.number}-v{quotation.version}.pdf"
