"""Printed documents: a quotation as PDF (WeasyPrint), from an HTML template, in the customer's language.

What the customer receives never carries costs, margins, cost sources or price rules: the template gets
`PrintedLine`s, which have no such fields, and figures already formatted for the language (babel).
WeasyPrint fetches nothing: the stylesheet is inlined and every URL is refused.
"""

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_currency, format_percent
from django.db.models import Case, IntegerField, Value, When
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from nexo.core import formatting
from nexo.parties.models import Address, Party
from nexo.sales.models import Quotation

STYLESHEET = Path(__file__).resolve().parent / "static" / "sales" / "quotation_pdf.css"
DEFAULT_LANGUAGE = "es"
HUNDRED = Decimal(100)


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


@dataclass(frozen=True)
class PrintedTax:
    rate: str
    base: str
    tax: str


# Formatting in the current language (babel), as the customer expects to read it


def unit_price_text(value: Decimal, currency: str) -> str:
    """Two decimals, or up to the six a unit price keeps when they matter (0,012500 € → 0,0125 €)."""
    return format_currency(
        formatting.trimmed(value, 2), currency, locale=formatting.current_locale(), decimal_quantization=False
    )


def percent_text(value: Decimal) -> str:
    return format_percent(
        formatting.trimmed(Decimal(value)) / HUNDRED,
        locale=formatting.current_locale(),
        decimal_quantization=False,
    )


def date_text(value: Date | None) -> str:
    return format_date(value, "long", locale=formatting.current_locale()) if value else ""


def _css_string(text: str) -> str:
    """A CSS string literal: anything but plain letters, digits and spaces escaped as \\hex."""
    escaped = "".join(char if char.isalnum() or char in " .,:-" else f"\\{ord(char):x} " for char in text)
    return f'"{escaped}"'


@cache
def _stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def _page_css(quotation: Quotation) -> str:
    """The running parts of every page, translated: the page counter and, after the first page, the
    quotation's number."""
    marker = "\x00"
    counter = _("Page %(page)s of %(pages)s") % {
        "page": f"{marker}page{marker}",
        "pages": f"{marker}pages{marker}",
    }
    parts = []
    for index, part in enumerate(counter.split(marker)):
        if index % 2:
            parts.append(f"counter({part})")
        elif part:
            parts.append(_css_string(part))
    company = quotation.company
    issuer = " · ".join(part for part in (company.name, company.tax_id) if part)
    running = f"{_('Quotation')} {quotation.number} v{quotation.version}"
    return (
        f"@page {{ @bottom-right {{ content: {' '.join(parts)}; }}"
        f" @bottom-left {{ content: {_css_string(issuer)}; }}"
        f" @top-right {{ content: {_css_string(running)}; }} }}"
        "@page :first { @top-right { content: none; } }"
    )


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
        "stylesheet": mark_safe(_stylesheet() + _page_css(quotation)),  # noqa: S308 -- our own file, escaped strings
    }


def quotation_html(quotation: Quotation, *, language: str | None = None) -> SafeString:
    language = language or getattr(quotation.party, "language", "") or DEFAULT_LANGUAGE
    with translation.override(language):
        return render_to_string("sales/quotation_pdf.html", quotation_context(quotation))


def _refuse_urls():
    """A URL fetcher that fetches nothing: the printed quotation needs no file, font or image from outside."""
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"Quotation PDFs fetch no external resource ({url[:80]}).")

    return NoFetching()


def quotation_pdf(quotation: Quotation, *, language: str | None = None) -> bytes:
    """The quotation as the customer reads it, in the party's language (Spanish by default)."""
    from weasyprint import HTML  # imported here: loading its native libraries takes a moment

    html = quotation_html(quotation, language=language)
    return HTML(string=html, url_fetcher=_refuse_urls()).write_pdf()


def quotation_filename(quotation: Quotation) -> str:
    return f"{quotation.number}-v{quotation.version}.pdf"
