"""Bank statement matching under load, in process (the service the statement page and the API call):
the proposals for a 5,000-line statement against 20,000 open due amounts of 600 parties.

The due amounts and parties are written in bulk (their invoices do not matter to matching: only their
numbers, amounts, dates and parties do). The statement's lines are a bank's mix: two in five name the
invoice they pay, three in ten only carry its amount, one in five the customer's name, one in ten is a
charge or a transfer no invoice explains. The import of the same statement as a Norma 43 file (read,
checked, written) is timed beside it.

Sizes from the environment: NEXO_BENCH_STATEMENT_LINES=5000, NEXO_BENCH_OPEN_DUES=20000."""

import os
import random
from datetime import date, timedelta
from decimal import Decimal

from bench.measure import measure, print_table
from nexo.accounting.services.defaults import default_account, default_accounts
from nexo.accounting.services.setup import accounting_setup
from nexo.core.models import Company
from nexo.parties.models import Party
from nexo.payments.formats import norma43
from nexo.payments.formats.statement import ParsedLine, ParsedStatement
from nexo.payments.models import BankAccount, BankStatement, Direction, DueAmount, StatementLine
from nexo.payments.services.statements import statement_import, statement_parse, statement_proposals

LINES = int(os.environ.get("NEXO_BENCH_STATEMENT_LINES", "5000"))
DUES = int(os.environ.get("NEXO_BENCH_OPEN_DUES", "20000"))
TITLE = (
    f"Bank statements: matching proposals for a {LINES:,}-line statement against {DUES:,} open due amounts"
)
CUSTOMERS, SUPPLIERS = 500, 100
TARGET_S = 5
IBAN = "ES9121000418450200051332"
D = Decimal
FIRST_DAY = date(2026, 1, 2)


def _company() -> tuple[Company, BankAccount]:
    company = Company.objects.create(
        name="Bench Extractos, S.L.", tax_id="B99999989", street="Calle de la Industria, 24", postal_code="46980",
        city="Paterna",
    )  # fmt: skip
    accounting_setup(company)
    accounts = default_accounts(company)
    bank = BankAccount.objects.create(
        company=company, name="Banco", iban=IBAN, account=default_account(accounts, "bank")
    )
    return company, bank


def _dues(company: Company, randomness: random.Random) -> tuple[list[DueAmount], list[Party]]:
    parties = Party.objects.bulk_create(
        [
            Party(company=company, name=f"Cliente Extracto {n}, S.L.", status="customer")
            for n in range(CUSTOMERS)
        ]
        + [
            Party(company=company, name=f"Proveedor Extracto {n}, S.A.", is_supplier=True)
            for n in range(SUPPLIERS)
        ]
    )
    accounts = default_accounts(company)
    receivable, payable = default_account(accounts, "receivable"), default_account(accounts, "payable")
    dues = []
    for n in range(DUES):
        supplier = n % 10 == 0  # one in ten is a supplier's invoice
        party = parties[CUSTOMERS + n % SUPPLIERS] if supplier else parties[n % CUSTOMERS]
        day = FIRST_DAY + timedelta(days=n % 300)
        dues.append(
            DueAmount(
                company=company,
                direction=Direction.PAYABLE if supplier else Direction.RECEIVABLE,
                party=party,
                account=payable if supplier else receivable,
                origin_model="invoicing.supplierinvoice" if supplier else "invoicing.invoice",
                origin_id=n + 1,
                origin_number=f"{'FR' if supplier else 'FV'}-2026-{n + 1:05d}",
                document_date=day,
                due_date=day + timedelta(days=30),
                currency="EUR",
                amount=D(randomness.randint(1_000, 500_000)) / 100,
                paid=D(0),
            )
        )
    return DueAmount.objects.bulk_create(dues, batch_size=2000), parties


def _lines(dues: list[DueAmount], parties: list[Party], randomness: random.Random) -> list[ParsedLine]:
    names = {party.pk: party.name for party in parties}
    lines = []
    for n in range(LINES):
        due = randomness.choice(dues)
        sign = 1 if due.direction == Direction.RECEIVABLE else -1
        day = due.due_date + timedelta(days=randomness.randint(-5, 10))
        kind = n % 10
        if kind < 4:  # names its invoice
            line = ParsedLine(
                0, day, sign * due.amount, reference=due.origin_number, description="TRANSFERENCIA"
            )
        elif kind < 7:  # its amount only
            line = ParsedLine(0, day, sign * due.amount, description="TRANSFERENCIA RECIBIDA")
        elif kind < 9:  # the customer's name
            line = ParsedLine(
                0, day, sign * due.amount, counterparty=names[due.party_id], description="TRANSF"
            )
        else:  # a charge no invoice explains
            line = ParsedLine(0, day, D("-3.50"), description="COMISION MANTENIMIENTO")
        lines.append(line)
    return lines


def run() -> None:
    randomness = random.Random(43)
    company, bank = _company()
    dues, parties = _dues(company, randomness)
    lines = _lines(dues, parties, randomness)
    parsed = ParsedStatement(
        iban=IBAN, start=FIRST_DAY, end=FIRST_DAY + timedelta(days=364), opening=D("0.00"), lines=lines
    )
    content = norma43.render(parsed)
    print(
        f"{len(dues):,} open due amounts of {len(parties)} parties; a statement of {len(lines):,} lines "
        f"({len(content) / 1024:.0f} KiB as Norma 43)"
    )
    figures = [
        measure(f"read a {len(lines):,}-line Norma 43 file", lambda: statement_parse(content), repeat=3)
    ]

    def import_it():  # each run into an empty account: the statement before it deleted, or it would be a repeat
        StatementLine.objects.filter(company=company).delete()
        BankStatement.objects.filter(company=company).delete()
        return statement_import(
            company=company, by=None, bank_account_id=bank.pk, file_name="b.n43", content=content
        )

    figures.append(measure("import it (read, check, write its lines)", import_it, repeat=3))
    statement = BankStatement.objects.get(company=company)
    figures.append(
        measure(
            f"proposals for {len(lines):,} lines",
            lambda: statement_proposals(company, statement.pk),
            target=f"< {TARGET_S} s",
            repeat=3,
        )
    )
    print_table(figures)
    proposals = statement_proposals(company, statement.pk)
    sure = sum(1 for proposal in proposals.values() if proposal.score >= 80)
    seconds = figures[-1].median_ms / 1000
    print(
        f"  proposals: {seconds:.2f} s for {len(lines):,} lines, target < {TARGET_S} s: "
        f"{'met' if seconds < TARGET_S else 'MISSED'}; {len(proposals):,} lines proposed a match, {sure:,} sure "
        f"(score ≥ 80)"
    )
