"""Printed documents: a quotation and a delivery note (albarán) as PDF (WeasyPrint), from an HTML template,
in the customer's language.

What the customer receives never carries costs, margins, cost sources or price rules: the templates get
`PrintedLine`s and `PrintedDeliveryLine`s, which have no such fields, and figures already formatted for the language (babel).
The page, its stylesheet and the WeasyPrint call are the printed documents' (nexo/core/documents.py).
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db.models import Case, IntegerField, Value, When
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

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
from nexo.core.documents import refuse_urls as _refuse_urls  # noqa: F401 -- the fetcher the PDF uses
from nexo.core.rules import taxes_by_rate
from nexo.parties.models import Address, Party
from nexo.sales import rules
from nexo.sales.models import Delivery, Quotation, SalesSettings
from nexo.sales.services.terms import term_name

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
        "payment_term": term_name(quotation.payment_term),  # rendered in the document's language
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


# The delivery note (albarán)

DELIVERY_STYLESHEET = Path(__file__).resolve().parent / "static" / "sales" / "delivery_pdf.css"
# Without prices: the price and amount columns and the taxes and totals are left out of the page.
UNVALUED_STYLESHEET = Path(__file__).resolve().parent / "static" / "sales" / "delivery_pdf_unvalued.css"


@dataclass(frozen=True)
class PrintedDeliveryLine:
    """A delivery note's line as the customer reads it: what and how many; price and amount only on a valued
    note (empty otherwise). Never its cost of goods."""

    position: int
    description: str
    sku: str
    quantity: str
    unit: str
    unit_price: str
    discount: str
    amount: str


def shipping_address(party: Party) -> Address | None:
    """Where goods go: the default shipping address, else any shipping address, else the billing one."""
    shipping_first = Case(
        When(kind=Address.Kind.SHIPPING, then=Value(0)),
        When(kind=Address.Kind.BILLING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return Address.objects.filter(party=party).order_by(shipping_first, "-is_default", "id").first()


def _delivery_lines(delivery: Delivery, currency: str, valued: bool) -> tuple[list, list]:
    """The printed lines and, on a valued note, the (tax rate, amount) of each for the taxes per rate. The
    amount is the line's quantity at the order line's price and discount (sales.rules.line_net)."""
    lines = delivery.lines.select_related("item__unit", "order_line").order_by("position", "id")
    printed, bases = [], []
    for index, line in enumerate(lines, start=1):
        order_line = line.order_line
        amount = rules.line_net(line.quantity, order_line.unit_price, order_line.discount) if valued else None
        if valued:
            bases.append((order_line.tax_rate, amount))
        printed.append(
            PrintedDeliveryLine(
                position=index,
                description=order_line.description or line.item.name,
                sku=line.item.sku,
                quantity=formatting.number(line.quantity),
                unit=line.item.unit.code,
                unit_price=unit_price_text(order_line.unit_price, currency) if valued else "",
                discount=percent_text(order_line.discount) if valued and order_line.discount else "",
                amount=formatting.money(amount, currency) if valued else "",
            )
        )
    return printed, bases


def delivery_note_context(delivery: Delivery, *, valued: bool) -> dict:
    """Everything the printed delivery note shows, formatted in the active language."""
    order, company, party = delivery.order, delivery.company, delivery.party
    currency = order.currency
    lines, bases = _delivery_lines(delivery, currency, valued)
    taxes = taxes_by_rate(bases) if valued else ()
    net = sum((base for _rate, base in bases), Decimal(0))
    tax = sum((line.tax for line in taxes), Decimal(0))
    is_return = delivery.kind == Delivery.Kind.RETURN
    title = _("Return") if is_return else _("Delivery note")
    address = billing_address(party)
    ship_to = shipping_address(party)
    return {
        "delivery": delivery,
        "order": order,
        "company": company,
        "party": party,
        "address": address,
        "ship_to": ship_to if ship_to is not None and ship_to != address else None,
        "show_country": address is not None and address.country != company.country,
        "ship_to_country": ship_to is not None and ship_to.country != company.country,
        "title": title,
        "is_return": is_return,
        "valued": valued,
        "lines": lines,
        "has_discounts": any(line.discount for line in lines),
        "taxes": [
            PrintedTax(
                rate=percent_text(line.rate),
                base=formatting.money(line.base, currency),
                tax=formatting.money(line.tax, currency),
            )
            for line in taxes
        ],
        "date": date_text(delivery.date),
        "order_date": date_text(order.date),
        "net": formatting.money(net, currency) if valued else "",
        "tax": formatting.money(tax, currency) if valued else "",
        "total": formatting.money(net + tax, currency) if valued else "",
        "running_header": f"{title} {delivery.number}",
    }


def delivery_note_valued(delivery: Delivery) -> bool:
    """Whether the company prints its delivery notes with prices and amounts (its sales settings)."""
    valued = (
        SalesSettings.objects.filter(company_id=delivery.company_id)
        .values_list("delivery_note_valued", flat=True)
        .first()
    )
    return True if valued is None else valued


def delivery_note_html(
    delivery: Delivery, *, language: str | None = None, valued: bool | None = None
) -> SafeString:
    """The delivery note's page, in the customer's language (Spanish by default); valued as the company's
    settings say unless `valued` is given."""
    language = language or getattr(delivery.party, "language", "") or DEFAULT_LANGUAGE
    valued = delivery_note_valued(delivery) if valued is None else valued
    stylesheets = [DELIVERY_STYLESHEET] if valued else [DELIVERY_STYLESHEET, UNVALUED_STYLESHEET]
    return render_html(
        "sales/delivery_pdf.html",
        lambda: delivery_note_context(delivery, valued=valued),
        language=reader_language(language, DEFAULT_LANGUAGE),
        stylesheets=stylesheets,
    )


def delivery_note_pdf(
    delivery: Delivery, *, language: str | None = None, valued: bool | None = None
) -> bytes:
    """The delivery note (or return) as the customer reads it: quantities, and prices when valued."""
    return render_pdf(delivery_note_html(delivery, language=language, valued=valued))


def delivery_note_filename(delivery: Delivery) -> str:
    return f"{delivery.number}.pdf"
