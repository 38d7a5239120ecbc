"""VERI*FACTU in process (the services the pages and the API call):

- what the record adds to posting: POSTINGS one-line invoices posted with VERI*FACTU off, then on (each
  then builds the AEAT's XML, checks it against the AEAT's rules and schema, hashes it and appends it to
  the chain under its lock), milliseconds per posting;
- verifying the chain: every record's hash recomputed from its fields and its XML, every link checked."""

import os
import time
from decimal import Decimal

from bench.invoicing import _customer
from bench.story import company_case
from nexo.compliance.models import BillingRecord
from nexo.compliance.services.settings import settings_update
from nexo.compliance.services.verification import verify_records
from nexo.invoicing import services as invoicing

TITLE = "Compliance: the cost of a VERI*FACTU record at posting; verifying the chain"

POSTINGS = int(os.environ.get("NEXO_BENCH_VERIFACTU_POSTINGS", "500"))
RECORD_TARGET_MS = 5  # what a record may add to one posting
VERIFY_TARGET_PER_SECOND = 5_000
D = Decimal


def _drafts(company, user, items, customer, count: int) -> list[int]:
    return [
        invoicing.invoice_create(
            company=company, by=user, party_id=customer.pk,
            lines=[invoicing.InvoiceLineInput(
                item_id=items[n % len(items)].pk, description=items[n % len(items)].name, quantity=D(1),
                unit_price=D("12.35"), discount=D(0), vat_rate=None,
            )],
        ).pk
        for n in range(count)
    ]  # fmt: skip


def _post_all(company, user, drafts: list[int]) -> float:
    started = time.perf_counter()
    for invoice_id in drafts:
        invoicing.invoice_post(company=company, by=user, invoice_id=invoice_id)
    return (time.perf_counter() - started) * 1000 / len(drafts)


def run() -> None:
    company, user, _manager, _token, items, _unit, _vat = company_case("compliance")
    customer = _customer(company, user, 1)
    settings_update(company=company, by=user, verifactu_enabled=False)
    without = _post_all(company, user, _drafts(company, user, items, customer, POSTINGS))
    settings_update(company=company, by=user, verifactu_enabled=True)
    with_records = _post_all(company, user, _drafts(company, user, items, customer, POSTINGS))
    added = with_records - without
    verdict = "met" if added <= RECORD_TARGET_MS else "MISSED"
    print(
        f"  {POSTINGS} one-line invoices posted: {without:.1f} ms each without records, {with_records:.1f} ms "
        f"with them; the record adds {added:.1f} ms; target ≤ {RECORD_TARGET_MS} ms: {verdict}"
    )
    count = BillingRecord.objects.filter(company=company).count()
    started = time.perf_counter()
    (report,) = verify_records(company)
    seconds = time.perf_counter() - started
    rate = count / seconds
    verdict = "met" if rate >= VERIFY_TARGET_PER_SECOND and report.intact else "MISSED"
    print(
        f"  verify {count} records: {seconds * 1000:.0f} ms ({rate:,.0f} records per second), "
        f"intact={report.intact}; target ≥ {VERIFY_TARGET_PER_SECOND:,}/s: {verdict}"
    )
