"""/invoicing/vat-summary and /invoicing/vat-books/{issued,received}: the VAT summary of a period with the
figures of modelo 303, and the VAT books (libros registro), read from posted invoices by
nexo.invoicing.services.vat_reports. `from` and `to` are inclusive dates; without them, the current quarter."""

from datetime import date
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema

from nexo.core.api import Endpoints, Limit, MoneyOut, Offset, PercentOut
from nexo.core.rules import round_money
from nexo.invoicing.services import vat_reports as reports

endpoints = Endpoints()

PERIOD_NOTE = (
    "`from` and `to` are inclusive dates (YYYY-MM-DD); without both, the current quarter; one alone is completed "
    "with the other end of its quarter. 422 (on `from` or `to`) when `to` is before `from`, a date is before "
    "1900 or the period is longer than a year."
)


class VatRateLineOut(Schema):
    label: str = Field(description="In the reader's language, e.g. 'VAT 21 %'")
    base: MoneyOut
    rate: PercentOut | None = Field(description="Null for an operation without VAT")
    quota: MoneyOut


class Vat303LineOut(Schema):
    label: str
    boxes: list[str] = Field(
        description="The 303 boxes of the base, the rate (empty when the line has none) and the quota"
    )
    base: MoneyOut
    rate: PercentOut | None
    quota: MoneyOut


class Vat303BoxOut(Schema):
    number: str = Field(description="The box of modelo 303, e.g. '27'")
    label: str
    amount: str = Field(
        description="A decimal string with 2 decimals: an amount, or a percentage for a rate box"
    )


class VatSummaryOut(Schema):
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    currency: str
    output: list[VatRateLineOut] = Field(description="Output VAT by rate, invoices and credit notes netted")
    recargo: list[VatRateLineOut] = Field(description="Equivalence surcharge by rate, netted")
    deductible: list[VatRateLineOut] = Field(description="Deductible VAT of posted supplier invoices by rate")
    without_vat: list[VatRateLineOut] = Field(
        description="Operations without VAT by treatment: intra-EU deliveries, exports, art. 20 exemptions"
    )
    lines_303: list[Vat303LineOut] = Field(
        description="The 303's output lines (base, rate, quota) in its order"
    )
    boxes: list[Vat303BoxOut] = Field(
        description="Every box of the 303 the period fills, in the form's order"
    )
    result: MoneyOut = Field(description="Box 71")
    result_kind: Literal["to_pay", "to_compensate", "nil"]


class VatBookTotalsOut(Schema):
    base: MoneyOut
    quota: MoneyOut
    recargo: MoneyOut
    total: MoneyOut


class IssuedBookRowOut(Schema):
    invoice_id: int
    number: str
    kind: Literal["invoice", "credit_note"]
    date: date
    operation_date: date | None = Field(description="Only when it differs from the date")
    party_name: str
    party_tax_id: str
    treatment: str = Field(description="domestic, intra_eu_goods, export_goods, … (nexo.invoicing.tax)")
    base: MoneyOut
    rate: PercentOut
    quota: MoneyOut
    recargo_rate: PercentOut
    recargo: MoneyOut
    total: MoneyOut


class IssuedBookOut(Schema):
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    count: int
    totals: VatBookTotalsOut = Field(description="Of the whole period, not only this page")
    items: list[IssuedBookRowOut]


class ReceivedBookRowOut(Schema):
    invoice_id: int
    number: str = Field(description="Our reception number (FR-…)")
    supplier_number: str
    date: date
    received_date: date | None = Field(description="Only when it differs from the date")
    party_name: str
    party_tax_id: str
    currency: str = Field(description="The invoice's currency; the amounts are in the company's")
    base: MoneyOut
    rate: PercentOut
    quota: MoneyOut = Field(description="The deductible VAT")
    recargo: MoneyOut
    total: MoneyOut


class ReceivedBookOut(Schema):
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    count: int
    totals: VatBookTotalsOut = Field(description="Of the whole period, not only this page")
    items: list[ReceivedBookRowOut]


class VatPeriodQuery(Schema):
    date_from: date | None = Field(None, alias="from", description="First day, inclusive")
    date_to: date | None = Field(None, alias="to", description="Last day, inclusive")


def _line(line: reports.RateLine) -> dict:
    return {"label": line.label, "base": line.base, "rate": line.rate, "quota": line.quota}


def _totals(totals: reports.BookTotals) -> dict:
    return {"base": totals.base, "quota": totals.quota, "recargo": totals.recargo, "total": totals.total}


@endpoints.get(
    "/invoicing/vat-summary", VatSummaryOut, perm="invoicing.view_invoice", by_alias=True,
    summary="The VAT summary of a period, with the figures of modelo 303",
    description="Output VAT and equivalence surcharge by rate from posted invoices and credit notes, deductible "
    "VAT by rate from posted supplier invoices, operations without VAT, and the 303 boxes (credit notes in "
    f"14/15 and 25/26; 27, 28/29, 45, 46, 59, 60, 120; the result 64 to 71 with nothing carried from earlier "
    f"periods). {PERIOD_NOTE}",
)  # fmt: skip
def vat_summary(request: HttpRequest, period: Query[VatPeriodQuery]):
    summary = reports.vat_summary(company=request.company, date_from=period.date_from, date_to=period.date_to)
    return {
        "date_from": summary.date_from, "date_to": summary.date_to, "currency": summary.currency,
        "output": [_line(line) for line in summary.output],
        "recargo": [_line(line) for line in summary.recargo],
        "deductible": [_line(line) for line in summary.deductible],
        "without_vat": [_line(line) for line in summary.exempt],
        "lines_303": [{**_line(line), "boxes": list(line.boxes)} for line in summary.lines_303],
        "boxes": [
            {"number": box.number, "label": box.label, "amount": f"{round_money(box.amount):f}"}
            for box in summary.box_list()
        ],
        "result": summary.result, "result_kind": summary.result_kind,
    }  # fmt: skip


@endpoints.get(
    "/invoicing/vat-books/issued", IssuedBookOut, perm="invoicing.view_invoice", by_alias=True,
    summary="The issued invoices book of a period (libro registro de facturas expedidas)",
    description="One row per posted invoice or credit note and VAT rate, in number and date order; credit notes "
    f"negative. `totals` are the whole period's. {PERIOD_NOTE}",
)  # fmt: skip
def vat_book_issued(
    request: HttpRequest, period: Query[VatPeriodQuery], limit: Limit = 50, offset: Offset = 0
):
    date_from, date_to = reports.vat_period(period.date_from, period.date_to)
    rows = reports.issued_book(request.company, date_from, date_to)
    items = [reports.issued_row(row) for row in rows[offset : offset + limit]]
    return {
        "date_from": date_from, "date_to": date_to, "count": rows.count(),
        "totals": _totals(reports.issued_totals(request.company, date_from, date_to)),
        "items": [
            {**row, "kind": row["invoice_kind"], "quota": row["amount"], "treatment": row["treatment"] or "domestic"}
            for row in items
        ],
    }  # fmt: skip


@endpoints.get(
    "/invoicing/vat-books/received", ReceivedBookOut, perm="invoicing.view_supplierinvoice", by_alias=True,
    summary="The received invoices book of a period (libro registro de facturas recibidas)",
    description="One row per posted supplier invoice and VAT rate, in our reception number's order, amounts in "
    f"the company's currency (converted at the invoice's exchange rate). `totals` are the whole period's. {PERIOD_NOTE}",
)  # fmt: skip
def vat_book_received(
    request: HttpRequest, period: Query[VatPeriodQuery], limit: Limit = 50, offset: Offset = 0
):
    date_from, date_to = reports.vat_period(period.date_from, period.date_to)
    rows = reports.received_book(request.company, date_from, date_to)
    items = [reports.received_row(row) for row in rows[offset : offset + limit]]
    return {
        "date_from": date_from, "date_to": date_to, "count": rows.count(),
        "totals": _totals(reports.received_totals(request.company, date_from, date_to)),
        "items": [{**row, "quota": row["amount"]} for row in items],
    }  # fmt: skip
