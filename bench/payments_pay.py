"""Collection under load, in process (the services the pages and the API call): invoices posted with two
due amounts each (50 % at 30 days, 50 % at 60), then per invoice

- pay: a receipt recorded for its first due amount, matched to it, posted with its bank entry;
- reconcile: its second due amount collected from a bank statement line, the way a bookkeeper does it —
  the bank's statement of all those lines imported, the matching proposals read, each line confirmed
  (which records the payment matched to its due amount).

Pay + reconcile per invoice is the CPU time of both steps (the import and the proposals shared out among
the lines). CPU is this process's (`time.process_time`); wall time is printed beside it."""

import os
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.foundation import valid_cif
from bench.story import company_case
from nexo.accounting.models import PaymentTerm
from nexo.accounting.services.payment_terms import default_term_set
from nexo.accounting.services.setup import accounting_setup
from nexo.invoicing import services as invoicing
from nexo.parties.services import party_create
from nexo.payments.formats import norma43
from nexo.payments.formats.statement import ParsedLine, ParsedStatement
from nexo.payments.models import BankAccount, Direction, DueAmount
from nexo.payments.rules.sepa import creditor_id_for
from nexo.payments.services import statements
from nexo.payments.services.bank_accounts import bank_account_save
from nexo.payments.services.payments import Match, payment_record

TITLE = "Collection: pay + reconcile per invoice (a receipt matched to its due amount, a statement line confirmed)"

INVOICES = int(os.environ.get("NEXO_BENCH_PAID_INVOICES", "300"))
CUSTOMERS = 20
LINES = 3
TARGET_MS = 10
TRYTON_MS = 178
TERM = "50 % a 30 días, 50 % a 60 días"
#: The day every receipt is dated (a bank journal numbers its entries in date order; one day keeps it simple).
PAY_DAY = date(2026, 11, 30)
D = Decimal


def _customer(company, user, n: int):
    return party_create(
        company=company, by=user, name=f"Ferretería Cobro {n}, S.L.", tax_id=valid_cif(7_500_000 + n),
        status="customer",
        addresses=[{"kind": "billing", "street": f"Calle de la Paz {n}", "postal_code": "46003", "city": "Valencia"}],
    )  # fmt: skip


def _invoices(company, user, items, customers) -> list[list[DueAmount]]:
    """INVOICES + 1 posted invoices (one to warm up), each with its two due amounts."""
    # The company's default term, so every invoice posted takes it (as a company set up that way would).
    term = PaymentTerm.objects.get(company=company, name=TERM)
    default_term_set(company, user, term.pk)
    first_day = date(2026, 1, 2)
    ids = []
    for n in range(INVOICES + 1):
        lines = [
            invoicing.InvoiceLineInput(
                item_id=items[(n + k) % len(items)].pk, description=items[(n + k) % len(items)].name,
                quantity=D(1 + (n + k) % 4), unit_price=D("18.40") + k, discount=D(0), vat_rate=None,
            )
            for k in range(LINES)
        ]  # fmt: skip
        invoice = invoicing.invoice_create(
            company=company, by=user, party_id=customers[n % CUSTOMERS].pk, lines=lines,
            date=first_day + timedelta(days=n // 20),
        )  # fmt: skip
        invoicing.invoice_post(company=company, by=user, invoice_id=invoice.pk)
        ids.append(invoice.pk)
    dues: dict[int, list[DueAmount]] = {}
    for due in DueAmount.objects.filter(company=company, origin_id__in=ids).order_by(
        "origin_id", "installment"
    ):
        dues.setdefault(due.origin_id, []).append(due)
    return [dues[invoice_id] for invoice_id in ids]


def _cpu(call: Callable[[], object]) -> tuple[float, float, object]:
    started_cpu, started = time.process_time(), time.perf_counter()
    result = call()
    return time.process_time() - started_cpu, time.perf_counter() - started, result


def _queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def pay(company, user, bank: BankAccount, due: DueAmount):
    return payment_record(
        company=company, by=user, direction=Direction.RECEIVABLE, party_id=due.party_id,
        date=PAY_DAY, amount=due.amount, bank_account_id=bank.pk,
        allocations=[Match(due.pk, due.amount)], reference=f"Pago {due.origin_number}",
    )  # fmt: skip


def run() -> None:
    company, user, _manager, _token, items, _unit, _vat = company_case("payments")
    accounting_setup(company)  # its chart, journals and standard payment terms (idempotent)
    customers = [_customer(company, user, n) for n in range(CUSTOMERS)]
    bank = bank_account_save(
        company=company, by=user, name="CaixaBank cuenta corriente", iban="ES2621000418484502000512",
        bic="CAIXESBB", creditor_id=creditor_id_for("ES", company.tax_id, "ZZZ"),
    )  # fmt: skip
    names = {customer.pk: customer.name for customer in customers}
    started = time.perf_counter()
    invoices = _invoices(company, user, items, customers)
    print(
        f"{len(invoices)} invoices of {LINES} lines posted for {CUSTOMERS} customers, each due 50 % at 30 days "
        f"and 50 % at 60 ({time.perf_counter() - started:.0f} s, not timed)"
    )
    warm, timed = invoices[0], invoices[1:]
    pay(company, user, bank, warm[0])
    pay_queries = _queries(lambda: pay(company, user, bank, warm[1]))
    pay_cpu, pay_wall = [], []
    for first, _second in timed:
        cpu, wall, _payment = _cpu(lambda due=first: pay(company, user, bank, due))
        pay_cpu.append(cpu * 1000)
        pay_wall.append(wall * 1000)
    pay_ms = statistics.median(pay_cpu)
    print(
        f"  pay      : {pay_ms:6.2f} ms CPU (median; wall {statistics.median(pay_wall):.2f}), "
        f"{pay_queries} queries per receipt"
    )
    # The second installments, collected from the bank's statement: one Norma 43 file of all the transfers,
    # imported, its proposals read, each line confirmed with its proposal (one click on the page).
    content = norma43.render(
        ParsedStatement(
            iban=bank.iban, currency="EUR", opening=D("0.00"),
            lines=[
                ParsedLine(n, PAY_DAY, second.amount, reference=second.origin_number,
                           counterparty=names[second.party_id], description=f"Pago factura {second.origin_number}")
                for n, (_first, second) in enumerate(timed, start=1)
            ],
        ),
        name="BENCH PAYMENTS SL",
    )  # fmt: skip
    import_cpu, _wall, statement = _cpu(
        lambda: statements.statement_import(
            company=company, by=user, bank_account_id=bank.pk, file_name="bench.n43", content=content
        )
    )
    proposals_cpu, _wall, proposals = _cpu(lambda: statements.statement_proposals(company, statement.pk))
    lines = list(statement.lines.order_by("line_number").values_list("pk", flat=True))
    if len(proposals) != len(lines):
        print(f"  [only {len(proposals)} of {len(lines)} lines have a proposal]")

    def confirm(line_id: int):
        return statements.line_confirm(
            company=company, by=user, line_id=line_id, due_ids=list(proposals[line_id].due_ids)
        )

    confirm_queries = _queries(lambda: confirm(lines[0]))
    shared = (import_cpu + proposals_cpu) * 1000 / len(lines)
    reconcile_cpu = [shared]  # the line confirmed while counting its queries: its share only
    for line_id in lines[1:]:
        cpu, _wall, _line = _cpu(lambda line_id=line_id: confirm(line_id))
        reconcile_cpu.append(cpu * 1000 + shared)
    print(
        f"  reconcile: {statistics.median(reconcile_cpu):6.2f} ms CPU per line (median): the file's import "
        f"{import_cpu * 1000 / len(lines):.2f} and proposals {proposals_cpu * 1000 / len(lines):.2f} per line, "
        f"the line confirmed (its receipt recorded) {statistics.median(reconcile_cpu[1:]) - shared:.2f}, "
        f"{confirm_queries} queries"
    )
    paid = DueAmount.objects.filter(company=company, state=DueAmount.State.PAID).count()
    if paid != 2 * len(invoices):
        print(
            f"  [{paid} due amounts paid of {2 * len(invoices)}: the figures below are not of the whole flow]"
        )
    pay_cpu, reconcile_cpu = pay_cpu[1:], reconcile_cpu[1:]
    per_invoice = [a + b for a, b in zip(pay_cpu, reconcile_cpu, strict=True)]
    median = statistics.median(per_invoice)
    verdict = "met" if median <= TARGET_MS else "MISSED"
    print(
        f"  pay + reconcile, {len(per_invoice)} invoices: {median:.1f} ms per invoice (median; mean "
        f"{statistics.mean(per_invoice):.1f}); target ≤ {TARGET_MS} ms: {verdict}; Tryton 8.2 on this machine: "
        f"{TRYTON_MS} ms ({TRYTON_MS / median:.0f} times slower)"
    )
