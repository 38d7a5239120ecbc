"""Norma 43 (AEB / CSB Cuaderno 43): the Spanish banks' account statement, in records of 80 characters.

    11  account header: bank, branch, account, from and to dates, opening balance, currency
    22  a movement: dates of operation and value, concepts, debit (1) or credit (2), amount, references
    23  up to five complementary concept records of the movement before it (two texts of 38 each)
    24  the movement's amount in its original currency (read and left aside)
    33  account end: number and totals of debits and credits, closing balance
    88  end of file: the number of records

Amounts are in cents on 14 digits, their sign a D/H code (1 debit, money out; 2 credit, money in); dates
YYMMDD. The account is given without its control digits: they are computed back to give the IBAN.
A file holds one account here: a statement is one bank account's."""

import textwrap
from datetime import date as Date
from decimal import Decimal

from nexo.payments.formats.statement import (
    ParsedLine,
    ParsedStatement,
    ParseError,
    clean,
    decoded,
    digits,
    gettext_noop,
)

RECORD = 80
CURRENCIES = {"978": "EUR", "840": "USD", "826": "GBP", "756": "CHF", "752": "SEK", "208": "DKK"}
CODES = {code: number for number, code in CURRENCIES.items()}
WEIGHTS = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)
CENT = Decimal("0.01")


def _control_digit(digits: str) -> str:
    remainder = 11 - sum(int(digit) * weight for digit, weight in zip(digits, WEIGHTS, strict=True)) % 11
    return {11: "0", 10: "1"}.get(remainder, str(remainder))


def iban_of(bank: str, branch: str, account: str) -> str:
    """The Spanish IBAN of an account given as bank, branch and number (the CCC without its control digits)."""
    control = _control_digit("00" + bank + branch) + _control_digit(account)
    bban = bank + branch + control + account
    check = 98 - int(bban + "142800") % 97  # ES → 14 28, check digits 00
    return f"ES{check:02d}{bban}"


def _date(text: str, line_number: int) -> Date:
    try:
        return Date(2000 + int(text[0:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        raise ParseError(line_number, gettext_noop("“%(text)s” is not a date (YYMMDD)."), text=text) from None


def _amount(sign: str, text: str, line_number: int) -> Decimal:
    if sign not in ("1", "2") or not digits(text):
        raise ParseError(
            line_number, gettext_noop("“%(text)s” is not an amount with its debit/credit code."),
            text=f"{sign}{text}",
        )  # fmt: skip
    amount = (Decimal(int(text)) * CENT).quantize(CENT)
    return -amount if sign == "1" else amount


def _record(raw: str, line_number: int) -> str:
    record = raw.rstrip("\r\n")
    if len(record) > RECORD:
        raise ParseError(
            line_number, gettext_noop("A Norma 43 record has 80 characters; this one has %(count)s."),
            count=len(record),
        )  # fmt: skip
    return record.ljust(RECORD)


def parse(content: bytes) -> ParsedStatement:
    statement = ParsedStatement()
    account = None
    current: ParsedLine | None = None
    concepts: list[str] = []
    records = 0
    ended = closed = False

    def finish() -> None:
        if current is not None:
            # The first concept usually names the other party (the payer of a transfer); the rest describe it.
            current.counterparty = clean(concepts[0], 140) if concepts else ""
            current.description = clean(" ".join(concepts[1:] or concepts), 300)
            statement.lines.append(current)

    for line_number, raw in enumerate(decoded(content).splitlines(), start=1):
        if not raw.strip():
            continue
        record = _record(raw, line_number)
        kind = record[0:2]
        if ended:
            raise ParseError(line_number, gettext_noop("Records after the end of file (88)."))
        records += 1
        if kind == "11":
            if account is not None:
                raise ParseError(
                    line_number,
                    gettext_noop(
                        "The file holds more than one account: import one account's file at a time."
                    ),
                )
            bank, branch, number = record[2:6], record[6:10], record[10:20]
            if not digits(bank + branch + number):
                raise ParseError(
                    line_number, gettext_noop("The account number has characters other than digits.")
                )
            account = (bank, branch, number)
            statement.iban = iban_of(bank, branch, number)
            statement.start = _date(record[20:26], line_number)
            statement.end = _date(record[26:32], line_number)
            statement.opening = _amount(record[32], record[33:47], line_number)
            statement.currency = CURRENCIES.get(record[47:50], record[47:50])
        elif kind == "22":
            if account is None or closed:
                raise ParseError(line_number, gettext_noop("A movement (22) outside an account (11 … 33)."))
            finish()
            concepts = []
            reference = " ".join(
                part for part in (record[52:64].strip().lstrip("0"), record[64:80].strip()) if part
            )
            current = ParsedLine(
                line_number=line_number, date=_date(record[10:16], line_number),
                value_date=_date(record[16:22], line_number), amount=_amount(record[27], record[28:42], line_number),
                reference=clean(reference, 140),
            )  # fmt: skip
        elif kind == "23":
            if current is None:
                raise ParseError(
                    line_number, gettext_noop("A concept record (23) without its movement (22).")
                )
            concepts += [record[4:42].strip(), record[42:80].strip()]
            concepts = [text for text in concepts if text]
        elif kind == "24":
            if current is None:
                raise ParseError(
                    line_number, gettext_noop("An equivalence record (24) without its movement (22).")
                )
        elif kind == "33":
            if account is None or closed:
                raise ParseError(line_number, gettext_noop("An account end (33) without its header (11)."))
            finish()
            current = None
            closed = True
            _check_totals(record, statement, line_number)
        elif kind == "88":
            if not closed:
                raise ParseError(
                    line_number, gettext_noop("The file ends (88) before its account's end (33).")
                )
            ended = True
            count = record[20:26]
            if not digits(count) or int(count) not in (records - 1, records):
                raise ParseError(
                    line_number, gettext_noop("The end of file counts %(count)s records; the file has %(found)s."),
                    count=count.strip(), found=records - 1,
                )  # fmt: skip
        else:
            raise ParseError(
                line_number, gettext_noop("Unknown Norma 43 record type “%(kind)s”."), kind=kind.strip()
            )
    if account is None:
        raise ParseError(1, gettext_noop("No account header (11): this is not a Norma 43 file."))
    if not closed:
        raise ParseError(records, gettext_noop("The file is cut short: its account end (33) is missing."))
    return statement


def _check_totals(record: str, statement: ParsedStatement, line_number: int) -> None:
    """The account end's counts and totals agree with the movements, and the closing balance with both."""
    counts = (record[20:25], record[39:44])
    if not all(digits(count) for count in counts):
        raise ParseError(line_number, gettext_noop("The account end's counts are not numbers."))
    debits = -_amount("2", record[25:39], line_number)
    credits = _amount("2", record[44:58], line_number)
    statement.closing = _amount(record[58], record[59:73], line_number)
    out = [line.amount for line in statement.lines if line.amount < 0]
    into = [line.amount for line in statement.lines if line.amount >= 0]
    if (int(counts[0]), int(counts[1])) != (len(out), len(into)) or (debits, credits) != (
        sum(out),
        sum(into),
    ):
        raise ParseError(
            line_number,
            gettext_noop(
                "The account end's totals do not agree with the movements: a movement is missing or broken."
            ),
        )
    if statement.opening is not None and statement.opening + sum(out) + sum(into) != statement.closing:
        raise ParseError(
            line_number, gettext_noop("The closing balance is not the opening balance plus the movements.")
        )


# Writing


def _money(amount: Decimal) -> str:
    return ("1" if amount < 0 else "2") + f"{int(abs(amount) * 100):014d}"


def _text(text: str, size: int) -> str:
    return clean(text or "", size).ljust(size)


def render(statement: ParsedStatement, *, name: str = "", concept: str = "02") -> bytes:
    """A Norma 43 file of `statement` (a Spanish IBAN; lines in order; Latin-1, CRLF): the reader reads it
    back to the same movements. A line's counterparty and description go to its concept records (23)."""
    iban = statement.iban.replace(" ", "")
    if not (iban.startswith("ES") and len(iban) == 24 and digits(iban[2:])):
        raise ValueError("A Norma 43 file is of a Spanish IBAN (ES + 22 digits).")
    bank, branch, number = iban[4:8], iban[8:12], iban[14:24]
    start = statement.start or min((line.date for line in statement.lines), default=Date.today())
    end = statement.end or max((line.date for line in statement.lines), default=start)
    opening = statement.opening or Decimal("0.00")
    currency = CODES.get(statement.currency or "EUR", "978")
    records = [
        f"11{bank}{branch}{number}{start:%y%m%d}{end:%y%m%d}{_money(opening)}{currency}3{_text(name, 26)}   "
    ]
    for line in statement.lines:
        reference = clean(line.reference, 28)
        first, second = ("", reference) if len(reference) <= 16 else (reference[:12], reference[12:])
        records.append(
            f"22    {branch}{line.date:%y%m%d}{(line.value_date or line.date):%y%m%d}{concept}000"
            f"{_money(line.amount)}{'0' * 10}{_text(first, 12)}{_text(second, 16)}"
        )
        texts = [text for text in (clean(line.counterparty, 38), clean(line.description, 300)) if text]
        pieces = [texts[0]] if texts and line.counterparty else []
        rest = texts[1] if line.counterparty and len(texts) > 1 else (texts[0] if texts else "")
        pieces += textwrap.wrap(rest, 38, break_on_hyphens=False)  # "F-2026-000001" stays one word
        for code, pair in enumerate(
            (pieces[index : index + 2] for index in range(0, min(len(pieces), 10), 2)), 1
        ):
            records.append(f"23{code:02d}{_text(pair[0], 38)}{_text(pair[1] if len(pair) > 1 else '', 38)}")
    out = [line.amount for line in statement.lines if line.amount < 0]
    into = [line.amount for line in statement.lines if line.amount >= 0]
    closing = opening + sum(out, Decimal(0)) + sum(into, Decimal(0))
    records.append(
        f"33{bank}{branch}{number}{len(out):05d}{_money(-sum(out, Decimal(0)))[1:]}{len(into):05d}"
        f"{_money(sum(into, Decimal(0)))[1:]}{_money(closing)}{currency}    "
    )
    records.append(f"88{'9' * 18}{len(records):06d}".ljust(RECORD))
    return "\r\n".join(records).encode("latin-1", errors="replace") + b"\r\n"


__all__ = ["iban_of", "parse", "render"]
