"""What every bank statement reader returns (a ParsedStatement of ParsedLines) or raises (a ParseError naming
the line of the file), the format sniffer, and the helpers the readers share: text decoding, dates, amounts.

Messages are English msgids marked with `gettext_noop`, translated by the service that shows them (this
package imports no Django)."""

import re
from dataclasses import dataclass, field
from datetime import date as Date
from decimal import Decimal, InvalidOperation

CSV, NORMA43, CAMT053 = "csv", "norma43", "camt053"
FORMATS = (CSV, NORMA43, CAMT053)


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue; the service translates it when it shows it."""
    return message


class ParseError(ValueError):
    """A file that cannot be read: the line (1-based, 0 for the whole file) and what is wrong there, as a
    msgid and its parameters."""

    def __init__(self, line_number: int, message: str, **params):
        super().__init__(f"line {line_number}: {message % params if params else message}")
        self.line_number = line_number
        self.message = message
        self.params = params


def digits(text: str) -> bool:
    """Only the ASCII digits 0-9: `str.isdigit` also takes "²" or "٣", which `int` then refuses or misreads."""
    return text.isascii() and text.isdigit()


@dataclass
class ParsedLine:
    """One movement: positive amounts are money in."""

    line_number: int
    date: Date
    amount: Decimal
    value_date: Date | None = None
    reference: str = ""
    description: str = ""
    counterparty: str = ""
    counterparty_iban: str = ""


@dataclass
class ParsedStatement:
    iban: str = ""
    currency: str = ""
    start: Date | None = None
    end: Date | None = None
    opening: Decimal | None = None
    closing: Decimal | None = None
    lines: list[ParsedLine] = field(default_factory=list)


def decoded(content: bytes) -> str:
    """Bank files come as UTF-8 (with or without a BOM) or, from Spanish banks, Windows-1252 / Latin-1."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def clean(text: str, size: int) -> str:
    """Text as a column holds it: spaces collapsed, control characters dropped, cut to `size`."""
    text = "".join(character for character in text if character.isprintable() or character == " ")
    return " ".join(text.split())[:size]


def compact_iban(text: str) -> str:
    return re.sub(r"[\s-]", "", text or "").upper()


def detect_format(content: bytes) -> str:
    """csv, norma43 or camt053 from the file's first bytes; a ParseError when it is none of them."""
    head = decoded(content[:4096]).lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        if "camt.053" in head or "BkToCstmrStmt" in head:
            return CAMT053
        raise ParseError(1, gettext_noop("An XML file that is not a CAMT.053 bank statement."))
    first = head.splitlines()[0] if head else ""
    if first.startswith("11") and len(first.rstrip()) <= 80 and digits(first[2:20]):
        return NORMA43
    if first.count(";") or first.count(",") or first.count("\t"):
        return CSV
    raise ParseError(1, gettext_noop("Unknown file format: upload a Norma 43, CAMT.053 or CSV statement."))


DATE_FORMATS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("year", "month", "day")),
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"), ("day", "month", "year")),
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})"), ("day", "month", "year")),
)


def day_of(text: str) -> Date | None:
    """A date written dd/mm/yyyy, dd-mm-yy, dd.mm.yyyy or yyyy-mm-dd (with a time after it, ignored)."""
    text = (text or "").strip().split("T")[0].split(" ")[0]
    for pattern, order in DATE_FORMATS:
        found = pattern.fullmatch(text)
        if found:
            parts = dict(zip(order, (int(value) for value in found.groups()), strict=True))
            if parts["year"] < 100:
                parts["year"] += 2000
            try:
                return Date(**parts)
            except ValueError:
                return None
    return None


def amount_of(text: str) -> Decimal | None:
    """An amount as banks write it: 1.234,56 / 1,234.56 / -1234,56 / 1234.56 (a currency sign ignored)."""
    text = re.sub(r"[\s€$£]|EUR", "", text or "")
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("+-()")
    if not text or not re.fullmatch(r"[\d.,]+", text):
        return None
    comma, point = text.rfind(","), text.rfind(".")
    # A comma after the last point is the decimal comma, and points group thousands; else the reverse.
    text = text.replace(".", "").replace(",", ".") if comma > point else text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e13"):
        return None
    return (-amount if negative else amount).quantize(Decimal("0.01"))


__all__ = [
    "CAMT053",
    "CSV",
    "FORMATS",
    "NORMA43",
    "ParseError",
    "ParsedLine",
    "ParsedStatement",
    "amount_of",
    "clean",
    "compact_iban",
    "day_of",
    "decoded",
    "detect_format",
    "gettext_noop",
]
