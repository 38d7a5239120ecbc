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
from nexo.accounting.models import AccountingSettings, PaymentTerm
from nexo.accounting.services.defaults import default_account, default_accounts
from nexo.accounting.services.setup import accounting_setup
from nexo.invoicing import services as invoicing
from nexo.parties.services import party_create
from nexo.payments.models import BankAccount, Direction, DueAmount
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
    AccountingSettings.objects.filter(company=company).update(default_term=term)
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
    bank = BankAccount.objects.create(
        company=company, name="CaixaBank cuenta corriente", iban="ES2621000418484502000512", bic="CAIXESBB",
        account=default_account(default_accounts(company), "bank"), creditor_id="ES86ZZZB99999985",
    )  # fmt: skip
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
    # The second installments, collected by transfer as well until bank statements are imported.
    reconcile_cpu = []
    for _first, second in timed:
        cpu, _wall, _payment = _cpu(lambda due=second: pay(company, user, bank, due))
        reconcile_cpu.append(cpu * 1000)
    per_invoice = [a + b for a, b in zip(pay_cpu, reconcile_cpu, strict=True)]
    median = statistics.median(per_invoice)
    verdict = "met" if median <= TARGET_MS else "MISSED"
    print(
        f"  pay + reconcile, {len(timed)} invoices: {median:.1f} ms per invoice (median; mean "
        f"{statistics.mean(per_invoice):.1f}); target ≤ {TARGET_MS} ms: {verdict}; Tryton 8.2 on this machine: "
        f"{TRYTON_MS} ms ({TRYTON_MS / median:.0f} times slower)"
    )
