"""Aging at a date over 100,000 due amounts (target < 1 s on SQLite), in process: the service the aging page
and `GET /payments/aging` call, and the overdue list's first page.

The due amounts are written in bulk by INSERT ... SELECT over a generated series: 2,000 customers, document
dates over two years (some after the report's date), due 30 days later, amounts up to 1,000.00. Two in three
get a receipt: one in three paid in full, one in three in half, some of those receipts dated after the
report's date (so the report must leave them out), each with its allocation.

Size from the environment for a quick run: NEXO_BENCH_AGING_DUES=100000."""

import os
import time
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from bench.measure import Figure, measure, print_slowest_queries, print_table
from nexo.accounting.services.ledger import journal_of
from nexo.core.models import Company
from nexo.parties.models import Party
from nexo.payments.models import Allocation, DueAmount, Payment
from nexo.payments.services.aging import aging, overdue
from nexo.payments.services.dues import party_account_id

TITLE = "Payments: aging at a date over 100,000 due amounts; the overdue list"

DUES = int(os.environ.get("NEXO_BENCH_AGING_DUES", "100000"))
PARTIES = 2000
AT = date(2026, 6, 30)
TARGET_MS = 1000


def _series(count: int) -> str:
    if connection.vendor == "postgresql":
        return f"SELECT generate_series(0, {int(count) - 1}) AS i"
    return f"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {int(count) - 1}) SELECT i FROM s"


def _plus_days(day: str, offset: str) -> str:
    if connection.vendor == "postgresql":
        return f"({day} + ({offset})::int)"
    return f"date({day}, '+' || ({offset}) || ' days')"


def bulk_dues(count: int) -> tuple[Company, float]:
    """A company with `count` due amounts and their receipts, written in a few statements."""
    company = Company.objects.create(
        name="Bench Cobros S.L.", tax_id="B99999989", street="Calle de la Industria, 24", postal_code="46980",
        city="Paterna",
    )  # fmt: skip
    journal_of(company, "GEN")
    Party.objects.bulk_create(
        Party(company=company, name=f"Cliente {n:04d}", status=Party.Status.CUSTOMER) for n in range(PARTIES)
    )
    party_ids = list(Party.objects.filter(company=company).order_by("pk").values_list("pk", flat=True))
    account_id = party_account_id(company, party_ids[0], "receivable")
    quote = connection.ops.quote_name
    dues, payments, allocations = (quote(model._meta.db_table) for model in (DueAmount, Payment, Allocation))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    document_date = _plus_days("DATE '2025-01-01'" if connection.vendor == "postgresql" else "'2025-01-01'",
                                f"(i * 730 / {count})")  # fmt: skip
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_party (n INTEGER PRIMARY KEY, party_id INTEGER)")
        cursor.executemany(
            "INSERT INTO bench_party (n, party_id) VALUES (%s, %s)", list(enumerate(party_ids))
        )
        cursor.execute(
            f"INSERT INTO {dues} (created_at, updated_at, created_by_id, updated_by_id, company_id, direction, "
            "party_id, account_id, origin_model, origin_id, origin_number, installment, installments, document_date, "
            "due_date, currency, amount, paid, state, reminder_level) "
            f"SELECT %s, %s, NULL, NULL, %s, 'receivable', b.party_id, %s, 'invoicing.invoice', s.i + 1, "
            f"'F-B-' || s.i, 1, 1, {document_date}, {_plus_days(document_date, '30')}, 'EUR', "
            "((s.i * 37) %% 100000 + 100) / 100.0, 0, 'open', 0 "
            f"FROM ({_series(count)}) s JOIN bench_party b ON b.n = s.i %% {PARTIES}",
            [now, now, company.pk, account_id],
        )
        # Receipts for two in three: the first in full, the second in half; dated 0 to 59 days after the due date.
        cursor.execute(
            f"INSERT INTO {payments} (created_at, updated_at, created_by_id, updated_by_id, company_id, direction, "
            "number, party_id, date, method, bank_account_id, currency, amount, applied, reference, state, entry_id, "
            "reversal_entry_id, reversed_at, reversed_by_id, remittance_line_id) "
            "SELECT %s, %s, NULL, NULL, d.company_id, 'receivable', 'B-' || d.id, d.party_id, "
            f"{_plus_days('d.due_date', 'd.origin_id %% 60')}, 'transfer', NULL, 'EUR', "
            "CASE WHEN d.origin_id %% 3 = 0 THEN d.amount ELSE ROUND(d.amount / 2, 2) END, "
            "CASE WHEN d.origin_id %% 3 = 0 THEN d.amount ELSE ROUND(d.amount / 2, 2) END, '', 'posted', NULL, NULL, "
            f"NULL, NULL, NULL FROM {dues} d WHERE d.company_id = %s AND d.origin_id %% 3 < 2",
            [now, now, company.pk],
        )
        cursor.execute(
            f"INSERT INTO {allocations} (company_id, payment_id, due_id, amount, date, created_at, created_by_id) "
            f"SELECT d.company_id, p.id, d.id, p.amount, p.date, %s, NULL FROM {dues} d "
            f"JOIN {payments} p ON p.company_id = d.company_id AND p.number = 'B-' || d.id "
            "WHERE d.company_id = %s",
            [now, company.pk],
        )
        cursor.execute(
            f"UPDATE {dues} SET paid = CASE WHEN origin_id %% 3 = 0 THEN amount ELSE ROUND(amount / 2, 2) END, "
            "state = CASE WHEN origin_id %% 3 = 0 THEN 'paid' ELSE 'partial' END "
            "WHERE company_id = %s AND origin_id %% 3 < 2",
            [company.pk],
        )
        cursor.execute("DROP TABLE bench_party")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else f"VACUUM ANALYZE {dues}")
    return company, time.perf_counter() - started


def run() -> None:
    company, seconds = bulk_dues(DUES)
    written = DueAmount.objects.filter(company=company).count()
    paid = Allocation.objects.filter(company=company).count()
    print(
        f"  {written:,} due amounts of {PARTIES:,} customers and {paid:,} receipts written in bulk in {seconds:.1f} s"
    )
    report = aging(company, at=AT)
    print(
        f"  aging at {AT}: {len(report.rows):,} customers, total {report.total.total:,.2f} "
        f"(not due {report.total.buckets[0]:,.2f}, over 90 days {report.total.buckets[4]:,.2f})"
    )
    party_id = report.rows[len(report.rows) // 2].party_id
    label = f"{written:,} due amounts"
    figures: list[Figure] = [
        measure(f"{label}: aging at a date, all customers", lambda: aging(company, at=AT),
                target=f"< {TARGET_MS} ms (SQLite)", repeat=5),
        measure(f"{label}: aging at a date, one customer", lambda: aging(company, at=AT, party_id=party_id),
                repeat=5),
        measure(f"{label}: overdue list, first 100", lambda: overdue(company, at=AT, limit=100), repeat=5),
    ]  # fmt: skip
    print_table(figures)
    # The machine may be shared: CPU time says what the report costs apart from waiting for a processor.
    runs = 5
    started_cpu = time.process_time()
    for _ in range(runs):
        aging(company, at=AT)
    cpu_ms = (time.process_time() - started_cpu) * 1000 / runs
    print(
        f"  aging at a date, all customers: {cpu_ms:,.0f} ms of CPU per run (SQLite runs in this process) "
        f"against the target of {TARGET_MS} ms"
    )
    print_slowest_queries(figures, over_ms=TARGET_MS)
