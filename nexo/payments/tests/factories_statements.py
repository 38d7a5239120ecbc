"""What the bank statement tests share: a Norma 43 file of the bank account built with the writer, and an
import helper. Use with `from nexo.payments.tests.factories_payments import *` for the books and parties."""

from datetime import date
from decimal import Decimal

import pytest

from nexo.payments.formats import norma43
from nexo.payments.formats.statement import ParsedLine, ParsedStatement
from nexo.payments.services.statements import statement_import
from nexo.payments.tests.factories_payments import IBAN

__all__ = ["import_lines", "line", "norma43_file"]


def line(amount, reference="", *, day=date(2026, 4, 2), description="", counterparty="", iban=""):
    return ParsedLine(
        line_number=0, date=day, amount=Decimal(amount), reference=reference, description=description,
        counterparty=counterparty, counterparty_iban=iban,
    )  # fmt: skip


def norma43_file(*lines: ParsedLine, iban: str = IBAN, opening="1000.00") -> bytes:
    return norma43.render(
        ParsedStatement(
            iban=iban,
            start=date(2026, 4, 1),
            end=date(2026, 4, 30),
            opening=Decimal(opening),
            lines=list(lines),
        ),
        name="Suministros Prueba",
    )


@pytest.fixture
def import_lines(company, accountant, bank):
    """Import a Norma 43 file of the bank account with these lines; the statement back."""

    def run(*lines: ParsedLine, **options):
        return statement_import(
            company=company, by=accountant, bank_account_id=bank.pk, file_name="abril.n43",
            content=norma43_file(*lines, **options),
        )  # fmt: skip

    return run
