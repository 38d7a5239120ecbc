"""Tables exported as CSV, XLSX or PDF: the catalog's exports and every report (accounting, VAT, insight).

Text that a spreadsheet would run as a formula (OWASP "CSV injection") is written behind a single quote
(imports remove it again, so an export imports back unchanged); C0 control characters are dropped. CSV uses
`;`, a decimal comma and a BOM: what a Spanish Excel opens as columns. A report's PDF is one table on A4
landscape, rendered by WeasyPrint from `core/report_pdf.html`, fetching nothing."""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(value):
    """Text as an export writes it: control characters dropped, formula-like text quoted. Numbers and dates
    are left as they are (a negative amount is a number, not a formula)."""
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unquoted(value):
    """What an export wrote behind a quote, as it was (see safe_text)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def table_bytes(columns: Sequence[str], rows: Iterable[Sequence], fmt: str) -> bytes:
    """A header and rows as a CSV or XLSX file."""
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([csv_cell(safe_text(str(column))) for column in columns])
        writer.writerows([csv_cell(safe_text(value)) for value in row] for row in rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append([safe_text(str(column)) for column in columns])
        for row in rows:
            sheet.append(["" if value is None else safe_text(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown export format {fmt!r}")


@dataclass
class Report:
    """A report as exported: a title, the lines saying what it covers, columns and rows of plain values
    (Decimal, date, str, None), and which columns hold amounts (right-aligned in the PDF)."""

    title: str
    columns: list[str]
    rows: list[list]
    subtitle: list[str] = field(default_factory=list)
    numeric: set[int] = field(default_factory=set)
    #: Rows drawn bold in the PDF (totals, group headings), by index.
    strong: set[int] = field(default_factory=set)


def report_pdf(report: Report, *, company, language: str) -> bytes:
    from django.utils import translation

    from nexo.core.documents import render_pdf
    from nexo.core.formatting import number

    def shown(value) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return number(value, 2)
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y") if language == "es" else value.isoformat()
        return str(value)

    with translation.override(language):
        rows = [[shown(value) for value in row] for row in report.rows]
        html = render_to_string(
            "core/report_pdf.html",
            {
                "report": report, "company": company, "rows": rows, "numeric": report.numeric,
                "strong": report.strong, "printed_at": timezone.localtime(),
            },
        )  # fmt: skip
    return render_pdf(html)


def report_response(report: Report, fmt: str, *, filename: str, company, language: str) -> HttpResponse:
    """The report as a download in `fmt` (csv, xlsx or pdf); `filename` without its extension."""
    if fmt == "pdf":
        body = report_pdf(report, company=company, language=language)
    else:
        body = table_bytes(report.columns, report.rows, fmt)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "report"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}.{fmt}"'
    return response
