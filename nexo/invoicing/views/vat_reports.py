"""The VAT reports' pages: the VAT summary of a period with the figures of modelo 303, and the VAT books of
issued and received invoices (libros registro), each on screen and as CSV, XLSX or PDF (`?format=`).

The summary and the issued book need invoicing.view_invoice, the received book view_supplierinvoice. A period
is two dates (`date_from`, `date_to`, inclusive); without them, the current quarter. Every figure comes from
nexo.invoicing.services.vat_reports, summed in the database: a page reads a fixed number of queries whatever
the number of invoices."""

from datetime import date as Date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nexo.core.errors import ValidationFailed
from nexo.core.exports import FORMATS, Report, report_response
from nexo.core.formatting import day_text
from nexo.core.permissions import page
from nexo.invoicing.services import vat_reports as reports

BOOK_PAGE_SIZE = 50
ISSUED, RECEIVED = "issued", "received"


def _day(value: str | None) -> Date | None:
    try:
        return Date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _period(request: HttpRequest) -> tuple[Date, Date, dict[str, list[str]]]:
    """The period asked for, or the current quarter with the errors that refused it."""
    errors: dict[str, list[str]] = {}
    typed = {name: request.GET.get(name, "").strip() for name in ("date_from", "date_to")}
    days = {name: _day(value) for name, value in typed.items()}
    for name, value in typed.items():
        if value and days[name] is None:
            errors[name] = [_("Enter a valid date.")]
    if not errors:
        try:
            date_from, date_to = reports.vat_period(days["date_from"], days["date_to"])
            return date_from, date_to, errors
        except ValidationFailed as refused:
            for field, messages in refused.field_messages().items():
                errors[{"from": "date_from", "to": "date_to"}.get(field, field)] = messages
    date_from, date_to = reports.vat_period(None, None)
    return date_from, date_to, errors


def _shortcuts(date_from: Date) -> list[tuple[str, Date, Date]]:
    """The quarters of the period's year and the one before, and the current quarter: one click each."""
    today = timezone.localdate()
    shortcuts = []
    for year in (date_from.year - 1, date_from.year):
        for quarter in range(1, 5):
            start, end = reports.quarter_of(Date(year, 3 * quarter - 1, 1))
            shortcuts.append((f"{quarter}T {year}", start, end))
    current = reports.quarter_of(today)
    if all(start != current[0] for _label, start, _end in shortcuts):
        shortcuts.append((_("This quarter"), *current))
    return shortcuts


def _format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in FORMATS else None


def _period_text(date_from: Date, date_to: Date) -> str:
    return _("From %(start)s to %(end)s") % {"start": day_text(date_from), "end": day_text(date_to)}


def _status(errors) -> int:
    return 422 if errors else 200


# The summary


def summary_report(summary: reports.VatSummary, company) -> Report:
    """The summary as one table: the VAT and surcharge by rate, the deductible VAT, the operations without
    VAT, then every box of the 303."""
    rows: list[list] = []
    strong: set[int] = set()
    numeric = {2, 3, 4}

    def heading(text: str) -> None:
        strong.add(len(rows))
        rows.append(["", text, None, None, None])

    heading(_("Output VAT"))
    for line in summary.output:
        rows.append(["", line.label, line.base, line.rate, line.quota])
    heading(_("Equivalence surcharge"))
    for line in summary.recargo:
        rows.append(["", line.label, line.base, line.rate, line.quota])
    heading(_("Deductible VAT"))
    for line in summary.deductible:
        rows.append(["", line.label, line.base, line.rate, line.quota])
    heading(_("Operations without VAT"))
    for line in summary.exempt:
        rows.append(["", line.label, line.base, None, None])
    heading(_("Modelo 303"))
    for box in summary.box_list():
        if box.number in ("27", "45", "46", "71"):
            strong.add(len(rows))
        rows.append([box.number, box.label, None, None, box.amount])
    return Report(
        title=_("VAT summary"),
        columns=[_("Box"), _("Concept"), _("Base"), _("Rate %"), _("Amount")],
        rows=rows,
        subtitle=[
            f"{company.name} · {company.tax_id}",
            _period_text(summary.date_from, summary.date_to),
            _("Amounts in %(currency)s") % {"currency": summary.currency},
        ],
        numeric=numeric,
        strong=strong,
    )


@page("invoicing.view_invoice")
def vat_summary(request: HttpRequest) -> HttpResponse:
    date_from, date_to, errors = _period(request)
    summary = reports.vat_summary(company=request.company, date_from=date_from, date_to=date_to)
    fmt = _format(request)
    if fmt and not errors:
        return report_response(
            summary_report(summary, request.company), fmt,
            filename=f"vat-summary-{date_from.isoformat()}-{date_to.isoformat()}", company=request.company,
            language=get_language() or "es",
        )  # fmt: skip
    boxes = summary.boxes
    context = {
        "title": _("VAT summary"),
        "summary": summary,
        "boxes": boxes,
        "date_from": date_from,
        "date_to": date_to,
        "errors": errors,
        "shortcuts": _shortcuts(date_from),
        "currency": request.company.currency,
        "result_boxes": [
            box for box in summary.box_list() if box.number in ("46", "64", "65", "66", "78", "69")
        ],
        "information_boxes": [box for box in summary.box_list() if box.number in ("59", "60", "120")],
        "deductible_boxes": [box for box in summary.box_list() if box.number in ("28", "29", "45")],
        "zero": Decimal("0.00"),
    }
    return render(request, "invoicing/vat_summary.html", context, status=_status(errors))


# The books


def _book_of(request: HttpRequest, book: str | None) -> str:
    """The book asked for, or the first one the user may read; PermissionDenied when they may read neither."""
    may = {
        ISSUED: request.user.has_perm("invoicing.view_invoice"),
        RECEIVED: request.user.has_perm("invoicing.view_supplierinvoice"),
    }
    if book not in may:
        book = ISSUED if may[ISSUED] else RECEIVED
    if not may[book]:
        raise PermissionDenied(_("Your role does not allow this."))
    return book


def book_report(
    book: str, rows: list[dict], totals: reports.BookTotals, company, date_from, date_to
) -> Report:
    if book == ISSUED:
        columns = [
            _("Number"), _("Date"), _("Operation date"), _("Customer"), _("Tax id"), _("Base"), _("VAT %"),
            _("VAT"), _("Surcharge %"), _("Surcharge"), _("Total"), _("Treatment"),
        ]  # fmt: skip
        body = [
            [row["number"], row["date"], row["operation_date"], row["party_name"], row["party_tax_id"], row["base"],
             row["rate"], row["amount"], row["recargo_rate"], row["recargo"], row["total"], row["treatment_text"]]
            for row in rows
        ]  # fmt: skip
        total_row = [
            "",
            "",
            "",
            _("Total"),
            "",
            totals.base,
            None,
            totals.quota,
            None,
            totals.recargo,
            totals.total,
            "",
        ]
        numeric = {5, 6, 7, 8, 9, 10}
        title = _("Issued invoices book")
    else:
        columns = [
            _("Reception number"), _("Supplier's number"), _("Date"), _("Received on"), _("Supplier"), _("Tax id"),
            _("Base"), _("VAT %"), _("Deductible VAT"), _("Total"),
        ]  # fmt: skip
        body = [
            [row["number"], row["supplier_number"], row["date"], row["received_date"], row["party_name"],
             row["party_tax_id"], row["base"], row["rate"], row["amount"], row["total"]]
            for row in rows
        ]  # fmt: skip
        total_row = ["", "", "", "", _("Total"), "", totals.base, None, totals.quota, totals.total]
        numeric = {6, 7, 8, 9}
        title = _("Received invoices book")
    return Report(
        title=title,
        columns=columns,
        rows=[*body, total_row],
        subtitle=[
            f"{company.name} · {company.tax_id}",
            _period_text(date_from, date_to),
            _("Amounts in %(currency)s") % {"currency": company.currency},
        ],
        numeric=numeric,
        strong={len(body)},
    )


@page()
def vat_books(request: HttpRequest, book: str | None = None) -> HttpResponse:
    book = _book_of(request, book or request.GET.get("book"))
    date_from, date_to, errors = _period(request)
    company = request.company
    if book == ISSUED:
        rows, shown, totals = reports.issued_book, reports.issued_row, reports.issued_totals
    else:
        rows, shown, totals = reports.received_book, reports.received_row, reports.received_totals
    queryset = rows(company, date_from, date_to)
    fmt = _format(request)
    if fmt and not errors:
        report = book_report(
            book,
            [shown(row) for row in queryset],
            totals(company, date_from, date_to),
            company,
            date_from,
            date_to,
        )
        return report_response(
            report, fmt, filename=f"vat-book-{book}-{date_from.isoformat()}-{date_to.isoformat()}",
            company=company, language=get_language() or "es",
        )  # fmt: skip
    book_page = Paginator(queryset, BOOK_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "title": _("VAT books"),
        "book": book,
        "book_page": book_page,
        "rows": [shown(row) for row in book_page.object_list],
        "totals": totals(company, date_from, date_to),
        "date_from": date_from,
        "date_to": date_to,
        "errors": errors,
        "shortcuts": _shortcuts(date_from),
        "currency": company.currency,
        "may_issued": request.user.has_perm("invoicing.view_invoice"),
        "may_received": request.user.has_perm("invoicing.view_supplierinvoice"),
    }
    return render(request, "invoicing/vat_books.html", context, status=_status(errors))


urlpatterns = [
    path("vat-summary/", vat_summary, name="vat_summary"),
    path("vat-books/", vat_books, name="vat_books"),
    path("vat-books/issued/", vat_books, {"book": ISSUED}, name="vat_book_issued"),
    path("vat-books/received/", vat_books, {"book": RECEIVED}, name="vat_book_received"),
]
