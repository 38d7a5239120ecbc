"""A bank's movements as CSV: a header row naming the columns (Spanish or English), `;`, `,` or tab between
them, amounts with a decimal comma or point, dates dd/mm/yyyy or ISO.

Columns: date (required), value date, amount — or debit and credit in two columns —, reference / concept /
description, counterparty, IBAN, balance (the last row's closing balance). The account's IBAN is not in
such a file: the statement takes the bank account's."""

import csv
import io
import unicodedata
from decimal import Decimal

from nexo.payments.formats.statement import (
    ParsedLine,
    ParsedStatement,
    ParseError,
    amount_of,
    clean,
    compact_iban,
    day_of,
    decoded,
    gettext_noop,
)

COLUMNS = {
    "date": ("date", "fecha", "fecha operacion", "fecha de operacion", "booking date", "f. operacion"),
    "value_date": ("value date", "fecha valor", "f. valor"),
    "amount": ("amount", "importe", "cantidad"),
    "debit": ("debit", "cargo", "cargos", "debe", "adeudo"),
    "credit": ("credit", "abono", "abonos", "haber"),
    "reference": ("reference", "referencia", "ref"),
    "description": ("concept", "concepto", "description", "descripcion", "detalle", "movimiento"),
    "counterparty": ("counterparty", "beneficiario", "ordenante", "name", "nombre", "contraparte", "payee"),
    "iban": ("iban", "counterparty iban", "cuenta", "account"),
    "balance": ("balance", "saldo"),
}


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(character for character in text if not unicodedata.combining(character)).split())


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for position, title in enumerate(header):
        name = _folded(title)
        for column, names in COLUMNS.items():
            if name in names and column not in found:
                found[column] = position
                break
    return found


def parse(content: bytes) -> ParsedStatement:
    text = decoded(content)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ParseError(1, gettext_noop("The file is empty.")) from None
    columns = _columns(header)
    if "date" not in columns or not ("amount" in columns or {"debit", "credit"} <= columns.keys()):
        raise ParseError(
            1,
            gettext_noop("The first row must name the columns: a date, and an amount (or debit and credit)."),
        )
    statement = ParsedStatement()
    balance = None
    line_number = 1
    try:
        for row in reader:
            line_number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue

            def cell(column: str, row=row) -> str:
                position = columns.get(column)
                return row[position].strip() if position is not None and position < len(row) else ""

            day = day_of(cell("date"))
            if day is None:
                raise ParseError(
                    line_number,
                    gettext_noop("“%(text)s” is not a date (dd/mm/yyyy)."),
                    text=cell("date")[:30],
                )
            if "amount" in columns:
                amount = amount_of(cell("amount"))
            else:
                debit, credit = amount_of(cell("debit") or "0"), amount_of(cell("credit") or "0")
                amount = None if debit is None or credit is None else credit - abs(debit)
            if amount is None:
                raise ParseError(line_number, gettext_noop("The amount is not a number with two decimals."))
            if cell("balance"):
                balance = amount_of(cell("balance"))
            statement.lines.append(
                ParsedLine(
                    line_number=line_number,
                    date=day,
                    value_date=day_of(cell("value_date")),
                    amount=amount,
                    reference=clean(cell("reference"), 140),
                    description=clean(cell("description"), 300),
                    counterparty=clean(cell("counterparty"), 140),
                    counterparty_iban=compact_iban(cell("iban"))[:34],
                )
            )
    except csv.Error:
        raise ParseError(line_number + 1, gettext_noop("A quoted text is not closed.")) from None
    if statement.lines:
        statement.start = min(line.date for line in statement.lines)
        statement.end = max(line.date for line in statement.lines)
    if balance is not None:
        statement.closing = balance
        statement.opening = balance - sum((line.amount for line in statement.lines), Decimal("0.00"))
    return statement


def render(statement: ParsedStatement) -> bytes:
    """A CSV of the statement's lines in the columns this reader knows (`;`, decimal comma, dd/mm/yyyy)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Fecha", "Fecha valor", "Importe", "Referencia", "Concepto", "Beneficiario", "IBAN"])
    for line in statement.lines:
        writer.writerow(
            [
                f"{line.date:%d/%m/%Y}",
                f"{(line.value_date or line.date):%d/%m/%Y}",
                f"{line.amount:.2f}".replace(".", ","),
                line.reference,
                line.description,
                line.counterparty,
                line.counterparty_iban,
            ]
        )
    return out.getvalue().encode("utf-8")


__all__ = ["parse", "render"]
