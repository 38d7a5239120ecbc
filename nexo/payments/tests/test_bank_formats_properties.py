"""Properties of the statement readers: a Norma 43 file the writer wrote reads back to the same movements
and balances; whatever bytes come in — random, or a valid file with a character changed — every reader
answers a statement or a ParseError, never another exception."""

import contextlib
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from nexo.payments.formats import bank_csv, camt053, norma43
from nexo.payments.formats.statement import ParsedLine, ParsedStatement, ParseError, detect_format
from nexo.payments.tests.test_bank_formats import CAMT

IBAN = "ES9121000418450200051332"
amounts = st.decimals(min_value=Decimal("-999999.99"), max_value=Decimal("999999.99"), places=2).filter(bool)
words = st.text(alphabet="ABCDEFGHIJKLMNÑOPQRSTUVWXYZ0123456789-/áéí", min_size=1, max_size=12)
movements = st.lists(
    st.tuples(amounts, st.integers(0, 364), words, st.lists(words, max_size=6)), min_size=1, max_size=30
)


@settings(max_examples=60, deadline=None)
@given(movements=movements, opening=amounts)
def test_norma_43_reads_back_what_it_wrote(movements, opening):
    start = date(2026, 1, 1)
    lines = [
        ParsedLine(0, start + timedelta(days=day), amount, reference=reference, description=" ".join(text))
        for amount, day, reference, text in movements
    ]
    content = norma43.render(
        ParsedStatement(iban=IBAN, start=start, end=date(2026, 12, 31), opening=opening, lines=lines)
    )
    assert detect_format(content) == "norma43"
    parsed = norma43.parse(content)
    assert parsed.iban == IBAN and parsed.opening == opening
    assert parsed.closing == opening + sum(amount for amount, *_rest in movements)
    assert [(line.date, line.amount, line.reference) for line in parsed.lines] == [
        (line.date, line.amount, line.reference) for line in lines
    ]
    for written, read in zip(lines, parsed.lines, strict=True):
        text = (
            read.counterparty
            if read.description == read.counterparty
            else f"{read.counterparty} {read.description}"
        )
        assert text.strip() == " ".join(written.description.split())


def _any_reader(content: bytes) -> None:
    for reader in (norma43, camt053, bank_csv):
        with contextlib.suppress(ParseError):
            reader.parse(content)
    with contextlib.suppress(ParseError):
        detect_format(content)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_are_a_statement_or_a_parse_error(content):
    _any_reader(content)


VALID = [
    norma43.render(
        ParsedStatement(
            iban=IBAN,
            opening=Decimal("5.00"),
            lines=[ParsedLine(0, date(2026, 3, 2), Decimal("1.50"), reference="R1", description="X")],
        )
    ),
    CAMT.format(version="02", iban=IBAN, amount="121.00", debtor="<Dbtr><Nm>A</Nm></Dbtr>").encode(),
    b"Fecha;Importe;Concepto\n02/03/2026;1.234,56;Pago\n",
]


@settings(max_examples=300, deadline=None)
@given(which=st.integers(0, len(VALID) - 1), position=st.integers(0, 10_000), byte=st.integers(0, 255))
def test_a_valid_file_with_one_byte_changed_is_a_statement_or_a_parse_error(which, position, byte):
    content = bytearray(VALID[which])
    content[position % len(content)] = byte
    _any_reader(bytes(content))
