"""A purchase order as the supplier reads it: a PDF (WeasyPrint) from an HTML template, in the supplier's
language (else the company's, Spanish).

It shows what the supplier needs to deliver and invoice: our company, the supplier with its tax id and
address, the order's number and dates, where to deliver (the warehouse, at the company's address), the lines
with the supplier's own reference, the amounts with the tax of each rate (the items' purchase tax at the
order's date, `catalog` tax rates) and the total, in the order's currency. Figures are formatted for the
language (babel). The page, its stylesheet and the WeasyPrint call are the printed documents'
(nexo/core/documents.py).
"""

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal
from pathlib import Path

from django.db.models import Case, IntegerField, Value, When
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from nexo.catalog.models import TaxRate
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
from nexo.parties.models import Address, Party
from nexo.purchasing import rules
from nexo.purchasing.models import PurchaseOrder, PurchaseOrderLine, SupplierPrice
from nexo.purchasing.queries import line_amount

STYLESHEET = Path(__file__).resolve().parent / "static" / "purchasing" / "order_pdf.css"
#: The company's language: a company records none, and Nexo's companies are Spanish.
COMPANY_LANGUAGE = "es"


@dataclass(frozen=True)
class PrintedLine:
    """An order line as the supplier reads it."""

    position: int
    description: str
    sku: str
    supplier_code: str
    quantity: str
    unit: str
    unit_price: str
    amount: str


def order_language(order: PurchaseOrder) -> str:
    """The supplier's language when Nexo speaks it, else the company's."""
    return reader_language(getattr(order.supplier, "language", ""), COMPANY_LANGUAGE)


# What the document shows


def supplier_address(party: Party) -> Address | None:
    """Where the supplier is: its default billing address, else any billing address, else the default one,
    else the first."""
    billing_first = Case(
        When(kind=Address.Kind.BILLING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return Address.objects.filter(party=party).order_by(billing_first, "-is_default", "id").first()


def tax_rates_on(category_ids: set[int], day: Date) -> dict[int, Decimal]:
    """Each tax category's rate on `day`: the latest that starts on or before it (as catalog.queries.
    tax_rate_on decides it), for all the categories in one query."""
    rates: dict[int, Decimal] = {}
    rows = TaxRate.objects.filter(tax_category_id__in=category_ids, valid_from__lte=day).order_by(
        "tax_category_id", "-valid_from"
    )
    for category_id, rate in rows.values_list("tax_category_id", "rate"):
        rates.setdefault(category_id, rate)
    return rates


def _supplier_codes(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> dict[int, str]:
    """The supplier's own reference of each item: the one of the price a line used, else any of the
    supplier's prices for the item that has one."""
    codes: dict[int, str] = {}
    rows = SupplierPrice.objects.filter(
        company_id=order.company_id,
        supplier_id=order.supplier_id,
        item_id__in={line.item_id for line in lines},
    ).exclude(supplier_code="")
    for item_id, code in rows.order_by("-is_active", "-id").values_list("item_id", "supplier_code"):
        codes.setdefault(item_id, code)
    return codes


@dataclass(frozen=True)
class OrderFigures:
    """An order's amounts in its currency: lines rounded one by one, tax per rate on the sum of its bases."""

    lines: list[PurchaseOrderLine]
    net: Decimal
    taxes: tuple[rules.TaxLine, ...]
    tax: Decimal
    total: Decimal


def order_figures(order: PurchaseOrder) -> OrderFigures:
    """The order's lines (with their items, units and supplier prices), net, tax per rate and total: three
    queries."""
    lines = list(
        order.lines.select_related("item__unit", "supplier_price").order_by("position", "id")
    )  # fmt: skip
    rates = tax_rates_on({line.item.purchase_tax_id for line in lines}, order.date)
    for line in lines:
        line.amount = line_amount(line.quantity, line.unit_price)
        line.tax_rate = rates.get(line.item.purchase_tax_id, Decimal(0))
    taxes = rules.taxes_by_rate([(line.tax_rate, line.amount) for line in lines])
    net = sum((line.amount for line in lines), Decimal(0))
    tax = sum((line.tax for line in taxes), Decimal(0))
    return OrderFigures(lines, net, taxes, tax, net + tax)


def order_context(order: PurchaseOrder) -> dict:
    """Everything the printed order shows, formatted in the active language."""
    currency = order.currency
    company = order.company
    figures = order_figures(order)
    codes = _supplier_codes(order, figures.lines)
    address = supplier_address(order.supplier)
    lines = [
        PrintedLine(
            position=index,
            description=line.description or line.item.name,
            sku=line.item.sku,
            supplier_code=(line.supplier_price.supplier_code if line.supplier_price else "")
            or codes.get(line.item_id, ""),
            quantity=formatting.number(line.quantity),
            unit=line.item.unit.code,
            unit_price=unit_price_text(line.unit_price, currency),
            amount=formatting.money(line.amount, currency),
        )
        for index, line in enumerate(figures.lines, start=1)
    ]
    return {
        "order": order,
        "company": company,
        "supplier": order.supplier,
        "address": address,
        "show_country": address is not None and address.country != company.country,
        "warehouse": order.warehouse,
        "lines": lines,
        "taxes": [
            PrintedTax(
                rate=percent_text(tax.rate),
                base=formatting.money(tax.base, currency),
                tax=formatting.money(tax.tax, currency),
            )
            for tax in figures.taxes
        ],
        "date": date_text(order.date),
        "expected_date": date_text(order.expected_date),
        "net": formatting.money(figures.net, currency),
        "tax": formatting.money(figures.tax, currency),
        "total": formatting.money(figures.total, currency),
        "currency": currency,
        "currency_symbol": formatting.currency_symbol(currency),
        "running_header": f"{_('Purchase order')} {order.number}",
    }


def order_html(order: PurchaseOrder, *, language: str | None = None) -> SafeString:
    return render_html(
        "purchasing/order_pdf.html",
        lambda: order_context(order),
        language=language or order_language(order),
        stylesheets=[STYLESHEET],
    )


def order_pdf(order: PurchaseOrder, *, language: str | None = None) -> bytes:
    """The purchase order as the supplier reads it, in its language (else the company's)."""
    return render_pdf(order_html(order, language=language))


def order_filename(order: PurchaseOrder) -> str:
    return f"{order.number}.pdf" if order.number else f"draft-{order.pk}.pdf"


def printable_order(company, order_id: int) -> PurchaseOrder | None:
    """The order with what its PDF reads about it (company, supplier, warehouse), in one query."""
    return (
        PurchaseOrder.objects.select_related("company", "supplier", "warehouse")
        .filter(company=company, pk=order_id)
        .first()
    )
