"""The statement readers, without a database: Norma 43 read back from its writer (IBAN from the account's
digits, signs from the D/H code, concepts, totals checked), CAMT.053 of two versions, CSV as Spanish banks
write it; the format sniffed; a broken line named by its number."""

from datetime import date
from decimal import Decimal

import pytest

from nexo.payments.formats import bank_csv, camt053, norma43
from nexo.payments.formats.statement import (
    ParsedLine,
    ParsedStatement,
    ParseError,
    amount_of,
    day_of,
    detect_format,
)
from nexo.payments.rules.matching import LineFacts, Matcher, OpenDue, allocations, compact, name_key

D = Decimal
IBAN = "ES9121000418450200051332"


def statement(*lines: ParsedLine) -> ParsedStatement:
    return ParsedStatement(
        iban=IBAN, start=date(2026, 3, 1), end=date(2026, 3, 31), opening=D("1000.00"), lines=list(lines)
    )


def movement(amount, reference="", description="", counterparty="", day=date(2026, 3, 2)) -> ParsedLine:
    return ParsedLine(
        0, day, D(amount), reference=reference, description=description, counterparty=counterparty
    )


def test_the_iban_is_computed_back_from_the_accounts_bank_branch_and_number():
    assert norma43.iban_of("2100", "0418", "0200051332") == IBAN


def test_norma_43_reads_back_what_its_writer_wrote():
    content = norma43.render(
        statement(
            movement("121.00", "FV-2026-00001", "PAGO FACTURA FV-2026-00001", counterparty="Cliente Uno SL"),
            movement("-12.50", "COMISION", "Comisión de mantenimiento"),
        )
    )
    records = content.decode("latin-1").split("\r\n")
    assert all(len(record) == 80 for record in records if record)
    assert detect_format(content) == "norma43"
    parsed = norma43.parse(content)
    assert (parsed.iban, parsed.currency, parsed.start, parsed.end) == (
        IBAN, "EUR", date(2026, 3, 1), date(2026, 3, 31),
    )  # fmt: skip
    assert (parsed.opening, parsed.closing) == (D("1000.00"), D("1108.50"))
    first, second = parsed.lines
    assert (first.line_number, first.amount, first.reference) == (2, D("121.00"), "FV-2026-00001")
    assert first.counterparty == "Cliente Uno SL"
    assert first.description == "PAGO FACTURA FV-2026-00001"
    assert (second.line_number, second.amount, second.description) == (
        4,
        D("-12.50"),
        "Comisión de mantenimiento",
    )


def test_a_norma_43_record_of_the_wrong_kind_or_length_names_its_line():
    records = norma43.render(statement(movement("10.00", "A"))).decode("latin-1").split("\r\n")
    with pytest.raises(ParseError) as broken:
        norma43.parse("\r\n".join([*records[:2], "99" + records[1][2:], *records[2:]]).encode("latin-1"))
    assert broken.value.line_number == 3
    with pytest.raises(ParseError) as broken:
        norma43.parse("\r\n".join([records[0], records[1] + "XX", *records[2:]]).encode("latin-1"))
    assert broken.value.line_number == 2


def test_a_movement_missing_from_the_norma_43_totals_is_refused_at_the_account_end():
    records = norma43.render(statement(movement("10.00", "A"), movement("5.00", "B"))).decode().split("\r\n")
    del records[2]  # the second movement
    with pytest.raises(ParseError, match="totals do not agree") as broken:
        norma43.parse("\r\n".join(records).encode())
    assert broken.value.line_number == 3


def test_norma_43_dates_are_checked():
    records = norma43.render(statement(movement("10.00", "A"))).decode().split("\r\n")
    records[1] = records[1][:10] + "261340" + records[1][16:]
    with pytest.raises(ParseError, match="not a date") as broken:
        norma43.parse("\r\n".join(records).encode())
    assert broken.value.line_number == 2


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>1</MsgId><CreDtTm>2026-03-31T10:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>S1</Id>
   <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
     <Dt><Dt>2026-03-01</Dt></Dt></Bal>
   <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1108.50</Amt><CdtDbtInd>CRDT</CdtDbtInd>
     <Dt><Dt>2026-03-31</Dt></Dt></Bal>
   <Ntry>
    <Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><Dt>2026-03-03</Dt></ValDt>
    <NtryDtls><TxDtls>
     <Refs><EndToEndId>E2E-0001</EndToEndId></Refs>
     <RltdPties>{debtor}<DbtrAcct><Id><IBAN>ES76 2077 0024 0031 0257 5766</IBAN></Id></DbtrAcct></RltdPties>
     <RmtInf><Ustrd>Pago FV-2026-00001</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">12.50</Amt><CdtDbtInd>DBIT</CdtDbtInd>
    <BookgDt><DtTm>2026-03-05T09:00:00+01:00</DtTm></BookgDt><AddtlNtryInf>Comisión</AddtlNtryInf>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
"""


@pytest.mark.parametrize(
    ("version", "debtor"),
    [
        ("02", "<Dbtr><Nm>Cliente Uno SL</Nm></Dbtr>"),
        ("08", "<Dbtr><Pty><Nm>Cliente Uno SL</Nm></Pty></Dbtr>"),
    ],
)
def test_camt_053_of_any_version_is_read(version, debtor):
    content = CAMT.format(version=version, iban=IBAN, amount="121.00", debtor=debtor).encode()
    assert detect_format(content) == "camt053"
    parsed = camt053.parse(content)
    assert (parsed.iban, parsed.opening, parsed.closing) == (IBAN, D("1000.00"), D("1108.50"))
    assert (parsed.start, parsed.end) == (date(2026, 3, 1), date(2026, 3, 31))
    first, second = parsed.lines
    assert (first.amount, first.date, first.value_date) == (D("121.00"), date(2026, 3, 2), date(2026, 3, 3))
    assert (first.reference, first.description) == ("E2E-0001", "Pago FV-2026-00001")
    assert (first.counterparty, first.counterparty_iban) == ("Cliente Uno SL", "ES7620770024003102575766")
    assert first.line_number == 12
    assert (second.amount, second.date, second.description) == (D("-12.50"), date(2026, 3, 5), "Comisión")


def test_a_broken_camt_053_names_its_line_and_entities_are_refused():
    content = CAMT.format(version="02", iban=IBAN, amount="12x.00", debtor="").encode()
    with pytest.raises(ParseError, match="not an amount") as broken:
        camt053.parse(content)
    assert broken.value.line_number == 13
    with pytest.raises(ParseError, match="broken") as broken:
        camt053.parse(content.replace(b"</Ntry>", b"", 1))
    assert broken.value.line_number > 13
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><Document>&b;</Document>'
    )
    with pytest.raises(ParseError, match="document type"):
        camt053.parse(bomb)


def test_csv_with_semicolons_decimal_commas_and_spanish_dates():
    content = (
        "Fecha;Fecha valor;Concepto;Importe;Saldo\n"
        "02/03/2026;02/03/2026;TRANSFERENCIA FV-2026-00001;1.210,00;2.210,00\n"
        '05/03/2026;05/03/2026;"COMISION; MANTENIMIENTO";-12,50;2.197,50\n'
    ).encode("cp1252")
    assert detect_format(content) == "csv"
    parsed = bank_csv.parse(content)
    first, second = parsed.lines
    assert (first.line_number, first.amount, first.description) == (
        2,
        D("1210.00"),
        "TRANSFERENCIA FV-2026-00001",
    )
    assert (second.line_number, second.amount, second.date) == (3, D("-12.50"), date(2026, 3, 5))
    assert (parsed.opening, parsed.closing) == (D("1000.00"), D("2197.50"))


def test_csv_with_commas_iso_dates_and_debit_credit_columns():
    content = b"date,reference,debit,credit,counterparty,iban\n2026-03-02,INV 7,,121.00,Acme Ltd,ES76 2077\n"
    content += b"2026-03-03,FEE,3.10,,,\n"
    first, second = bank_csv.parse(content).lines
    assert (first.amount, first.reference, first.counterparty, first.counterparty_iban) == (
        D("121.00"), "INV 7", "Acme Ltd", "ES762077",
    )  # fmt: skip
    assert second.amount == D("-3.10")


def test_a_csv_row_that_is_not_a_movement_names_its_line():
    with pytest.raises(ParseError, match="not a date") as broken:
        bank_csv.parse(b"Fecha;Importe\n02/03/2026;10,00\n31/02/2026;5,00\n")
    assert broken.value.line_number == 3
    with pytest.raises(ParseError, match="amount") as broken:
        bank_csv.parse(b"Fecha;Importe\n02/03/2026;10,00\n\n03/03/2026;diez\n")
    assert broken.value.line_number == 4
    with pytest.raises(ParseError, match="name the columns"):
        bank_csv.parse(b"a;b\n1;2\n")


def test_unknown_content_is_not_a_statement():
    for content in (b"hello", b"<html><body/></html>", b""):
        with pytest.raises(ParseError):
            detect_format(content)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("-12,5", "-12.50"),
        ("10", "10.00"),
        ("+3.10 €", "3.10"),
    ],
)
def test_amounts_as_banks_write_them(text, amount):
    assert amount_of(text) == D(amount)


def test_what_is_not_an_amount_or_a_date():
    assert amount_of("12,345,6") is None
    assert amount_of("1.001") is None  # three decimals
    assert amount_of("abc") is None
    assert day_of("2026-02-30") is None
    assert day_of("05/03/26") == date(2026, 3, 5)


# The matcher, on plain values

DUES = [
    OpenDue(1, "receivable", 10, "inv:1", "FV-2026-00001", date(2026, 4, 1), D("121.00")),
    OpenDue(2, "receivable", 11, "inv:2", "FV-2026-00002", date(2026, 4, 1), D("121.00")),
    OpenDue(3, "receivable", 11, "inv:3", "FV-2026-00003", date(2026, 4, 1), D("50.00")),
    OpenDue(4, "receivable", 11, "inv:3", "FV-2026-00003", date(2026, 5, 1), D("50.00")),
    OpenDue(5, "payable", 12, "sup:1", "FR-2026-00001", date(2026, 4, 1), D("242.00"), ("A-7781",)),
]


def fact(amount, text="", counterparty="", iban="", day=date(2026, 4, 2)) -> LineFacts:
    return LineFacts(1, D(amount), day, text, counterparty, iban)


def test_the_matcher_names_the_document_from_the_text_even_split_or_prefixed():
    matcher = Matcher(DUES)
    assert matcher.propose(fact("121.00", "PAGO FRA.FV-2026-00002")).due_ids == (2,)
    assert matcher.propose(fact("121.00", "PAGO FV-2026- 00002")).due_ids == (2,)


def test_the_matcher_takes_a_documents_whole_remainder_or_one_installment():
    matcher = Matcher(DUES)
    whole = matcher.propose(fact("100.00", "FV-2026-00003"))
    assert whole.due_ids == (3, 4) and "amount" in whole.reasons
    assert matcher.propose(fact("100.00")).due_ids == (3, 4)  # the only document of 100.00
    assert matcher.propose(fact("50.00", "FV-2026-00003")).due_ids == (3,)


def test_two_equal_amounts_without_other_evidence_are_ambiguous():
    proposal = Matcher(DUES).propose(fact("121.00"))
    assert "ambiguous" in proposal.reasons and proposal.score < 80


def test_the_party_name_or_iban_settles_an_ambiguous_amount():
    matcher = Matcher(
        DUES, party_names={11: ["Reformas Turia, S.L."]}, party_ibans={"ES7620770024003102575766": [10]}
    )
    assert matcher.propose(fact("121.00", counterparty="REFORMAS TURIA SL")).due_ids == (2,)
    assert matcher.propose(fact("121.00", iban="ES7620770024003102575766")).due_ids == (1,)


def test_money_out_looks_only_at_payables_also_by_the_suppliers_number():
    matcher = Matcher(DUES)
    assert matcher.propose(fact("-242.00", "PAGO A-7781")).due_ids == (5,)
    assert matcher.propose(fact("-121.00")) is None


def test_a_party_paying_several_invoices_at_once_is_proposed_their_sum():
    matcher = Matcher(DUES, party_names={11: ["Reformas Turia"]})
    assert matcher.propose(fact("171.00", counterparty="Reformas Turia")).due_ids == (2, 3)


def test_allocations_pay_in_order_up_to_the_amount():
    assert allocations([(1, D("50")), (2, D("50"))], D("70")) == [(1, D("50")), (2, D("20"))]
    assert allocations([(1, D("50"))], D("80")) == [(1, D("50"))]


def test_names_and_numbers_are_compared_plainly():
    assert (
        name_key("Ferretería Mayorista, S.A.")
        == name_key("FERRETERIA MAYORISTA SA")
        == "FERRETERIA MAYORISTA"
    )
    assert compact("fv-2026/0001") == "FV20260001"
