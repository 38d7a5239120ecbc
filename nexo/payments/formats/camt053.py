"""CAMT.053 (ISO 20022 BankToCustomerStatement, camt.053.001.02 and later): one statement (Stmt) of one
account, its balances (OPBD/PRCD opening, CLBD closing) and its entries (Ntry): amount, credit or debit,
booking and value dates, and from the transaction details the end-to-end id, the remittance text and the
other party's name and IBAN (the debtor's for money in, the creditor's for money out).

Read with expat directly: element names without their namespace (so every version reads alike), the line
of each element kept for error messages, and no document type at all (no entities to expand, nothing
fetched)."""

from datetime import date as Date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from nexo.payments.formats.statement import (
    ParsedLine,
    ParsedStatement,
    ParseError,
    clean,
    compact_iban,
    day_of,
    decoded,
    gettext_noop,
)

LINE = "line"  # the attribute that keeps an element's line in the file


class _Refused(Exception):
    pass


def _tree(content: bytes) -> Element:
    builder = TreeBuilder()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def start(name, attributes):
        builder.start(name.rsplit(" ", 1)[-1], {LINE: str(parser.CurrentLineNumber)})

    def refuse(*_args):
        raise _Refused

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: builder.end(name.rsplit(" ", 1)[-1])
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(content, True)
    except _Refused:
        raise ParseError(
            parser.CurrentLineNumber, gettext_noop("A statement file may not declare a document type.")
        ) from None
    except expat.ExpatError as error:
        raise ParseError(
            error.lineno, gettext_noop("The XML is broken: %(error)s."), error=expat.ErrorString(error.code)
        ) from None
    return builder.close()


def _find(element: Element | None, path: str) -> Element | None:
    """The first element down a path of names (`Bal/Tp/CdOrPrtry/Cd`)."""
    return element.find(path) if element is not None else None


def _text(element: Element | None, path: str) -> str:
    found = _find(element, path)
    return (found.text or "").strip() if found is not None else ""


def _line(element: Element) -> int:
    return int(element.get(LINE, "0"))


def _amount(element: Element, path: str = "Amt") -> Decimal:
    found = _find(element, path)
    text = (found.text or "").strip() if found is not None else ""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ParseError(
            _line(found if found is not None else element),
            gettext_noop("“%(text)s” is not an amount."),
            text=text,
        ) from None
    if amount != amount.quantize(Decimal("0.01")) or not amount.is_finite() or abs(amount) >= Decimal("1e13"):
        raise ParseError(_line(found), gettext_noop("“%(text)s” is not an amount."), text=text)
    sign = _text(element, "CdtDbtInd")
    if sign not in ("CRDT", "DBIT"):
        raise ParseError(
            _line(element), gettext_noop("An amount without its credit/debit indicator (CdtDbtInd).")
        )
    return amount if sign == "CRDT" else -amount


def _date(element: Element, path: str, required: bool = True) -> Date | None:
    found = _find(element, path)
    if found is None:
        if required:
            raise ParseError(_line(element), gettext_noop("A date (%(path)s) is missing."), path=path)
        return None
    text = _text(found, "Dt") or _text(found, "DtTm")
    day = day_of(text)
    if day is None:
        raise ParseError(_line(found), gettext_noop("“%(text)s” is not a date."), text=text)
    return day


def _party(details: Element | None, role: str) -> tuple[str, str]:
    """The other party's name and IBAN (`Dbtr` or `Cdtr`; versions 08+ nest the name under `Pty`)."""
    parties = _find(details, "RltdPties")
    name = _text(parties, f"{role}/Nm") or _text(parties, f"{role}/Pty/Nm")
    iban = _text(parties, f"{role}Acct/Id/IBAN")
    return name, compact_iban(iban)


def _entry(entry: Element) -> ParsedLine:
    amount = _amount(entry)
    if _text(entry, "RvslInd").lower() == "true":
        amount = -amount  # a reversal books the opposite of what its indicator says
    details = _find(entry, "NtryDtls/TxDtls")
    texts = [
        (node.text or "").strip()
        for node in (details.iter("Ustrd") if details is not None else ())
        if node.text
    ]
    structured = _text(details, "RmtInf/Strd/CdtrRefInf/Ref")
    end_to_end = _text(details, "Refs/EndToEndId")
    if end_to_end.upper() == "NOTPROVIDED":
        end_to_end = ""
    reference = structured or end_to_end or _text(entry, "AcctSvcrRef")
    description = " ".join([*texts, _text(entry, "AddtlNtryInf")])
    name, iban = _party(details, "Dbtr" if amount > 0 else "Cdtr")
    return ParsedLine(
        line_number=_line(entry), date=_date(entry, "BookgDt"), value_date=_date(entry, "ValDt", required=False),
        amount=amount, reference=clean(reference, 140), description=clean(description, 300),
        counterparty=clean(name, 140), counterparty_iban=iban[:34],
    )  # fmt: skip


def parse(content: bytes) -> ParsedStatement:
    if b"<!DOCTYPE" in content[:2048].upper():
        raise ParseError(1, gettext_noop("A statement file may not declare a document type."))
    root = _tree(decoded(content).encode("utf-8") if not content.lstrip().startswith(b"<?xml") else content)
    statements = root.findall(".//Stmt")
    if not statements:
        raise ParseError(_line(root), gettext_noop("No statement (BkToCstmrStmt/Stmt) in the file."))
    if len(statements) > 1:
        raise ParseError(
            _line(statements[1]),
            gettext_noop("The file holds more than one statement: import one at a time."),
        )
    found = statements[0]
    statement = ParsedStatement(
        iban=compact_iban(_text(found, "Acct/Id/IBAN")), currency=_text(found, "Acct/Ccy")
    )
    for balance in found.findall("Bal"):
        code = _text(balance, "Tp/CdOrPrtry/Cd")
        if code in ("OPBD", "PRCD") and statement.opening is None:
            statement.opening = _amount(balance)
            statement.start = statement.start or _date(balance, "Dt", required=False)
        elif code == "CLBD":
            statement.closing = _amount(balance)
            statement.end = _date(balance, "Dt", required=False)
    period = _find(found, "FrToDt")
    if period is not None:
        statement.start = day_of(_text(period, "FrDtTm")) or statement.start
        statement.end = day_of(_text(period, "ToDtTm")) or statement.end
    statement.lines = [_entry(entry) for entry in found.findall("Ntry")]
    if statement.lines:
        statement.start = statement.start or min(line.date for line in statement.lines)
        statement.end = statement.end or max(line.date for line in statement.lines)
    return statement


__all__ = ["parse"]
