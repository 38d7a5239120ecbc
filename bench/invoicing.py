"""Fulfilment and invoicing under load, in process (the services the pages and the API call):

- invoices posted per second: 1,000 drafts of 10 lines, each posted with its taxes and number;
- the path confirm order → deliver → invoice → post for 200 ten-line orders: the quotation is prepared
  and sent beforehand (not timed); accepting it confirms the order, then its delivery note is validated,
  an invoice is made from the order and posted. CPU time of this process (`time.process_time`)."""

import os
import statistics
import time
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.foundation import valid_cif
from bench.story import company_case
from nexo.invoicing import services as invoicing
from nexo.parties.services import party_create
from nexo.sales import services as sales
from nexo.sales.models import Delivery

TITLE = "Invoicing: invoices posted per second; confirm → deliver → invoice → post per order"

INVOICES = int(os.environ.get("NEXO_BENCH_INVOICES", "1000"))
ORDERS = int(os.environ.get("NEXO_BENCH_ORDERS", "200"))
LINES = 10
POSTED_PER_SECOND_TARGET = 200
PATH_TARGET_MS = 50
TRYTON_PATH_MS = 1_640
D = Decimal


def _customer(company, user, n: int):
    return party_create(
        company=company, by=user, name=f"Distribuciones Bench {n}, S.L.", tax_id=valid_cif(7_000_000 + n),
        email=f"compras{n}@bench.example",
        addresses=[{"kind": "billing", "street": f"Calle Mayor {n}", "postal_code": "28013", "city": "Madrid"}],
    )  # fmt: skip


def posted_per_second(company, user, items) -> None:
    customer = _customer(company, user, 1)
    drafts = []
    for n in range(INVOICES + 1):
        lines = [
            invoicing.InvoiceLineInput(
                item_id=items[(n + k) % len(items)].pk, description=items[(n + k) % len(items)].name,
                quantity=D(1 + (n + k) % 5), unit_price=D("12.35") + k, discount=D(0), vat_rate=None,
            )
            for k in range(LINES)
        ]  # fmt: skip
        drafts.append(
            invoicing.invoice_create(company=company, by=user, party_id=customer.pk, lines=lines).pk
        )
    invoicing.invoice_post(company=company, by=user, invoice_id=drafts[0])  # warm-up
    with CaptureQueriesContext(connection) as captured:
        invoicing.invoice_post(company=company, by=user, invoice_id=drafts[1])
    started_cpu, started = time.process_time(), time.perf_counter()
    for invoice_id in drafts[2:]:
        invoicing.invoice_post(company=company, by=user, invoice_id=invoice_id)
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
    count = len(drafts) - 2
    rate = count / wall
    verdict = "met" if rate >= POSTED_PER_SECOND_TARGET else "MISSED"
    print(
        f"  {count} invoices of {LINES} lines posted: {rate:.0f} per second of wall time "
        f"({count / cpu:.0f} per CPU second), {len(captured.captured_queries)} queries each; "
        f"target ≥ {POSTED_PER_SECOND_TARGET}/s: {verdict}"
    )


def order_path(company, user, items) -> None:
    customer = _customer(company, user, 2)
    quotations = []
    for n in range(ORDERS + 1):
        lines = [
            {"item_id": items[(n + k) % len(items)].pk, "quantity": str(1 + k % 4)} for k in range(LINES)
        ]
        quotation = sales.quotation_create(company=company, by=user, party_id=customer.pk, lines=lines)
        sales.quotation_mark_sent(company=company, by=user, quotation_id=quotation.pk)
        quotations.append(quotation.pk)
    steps = {"confirm": [], "deliver": [], "invoice": [], "post": []}
    queries = {}

    def path(quotation_id: int, timed: bool, count: bool = False) -> None:
        def run(step, call):
            if count:
                with CaptureQueriesContext(connection) as captured:
                    result = call()
                queries[step] = len(captured.captured_queries)
                return result
            started = time.process_time()
            result = call()
            if timed:
                steps[step].append(time.process_time() - started)
            return result

        order = run(
            "confirm", lambda: sales.quotation_accept(company=company, by=user, quotation_id=quotation_id)
        )
        delivery_id = Delivery.objects.filter(order=order, state="draft").values_list("pk", flat=True).get()
        run("deliver", lambda: sales.delivery_validate(company=company, by=user, delivery_id=delivery_id))
        invoice = run(
            "invoice", lambda: invoicing.invoice_from_orders(company=company, by=user, order_ids=[order.pk])
        )
        run("post", lambda: invoicing.invoice_post(company=company, by=user, invoice_id=invoice.pk))

    path(quotations[0], timed=False, count=True)
    for quotation_id in quotations[1:]:
        path(quotation_id, timed=True)
    per_order = [sum(parts) * 1000 for parts in zip(*steps.values(), strict=True)]
    for step, values in steps.items():
        print(
            f"  {step:<8}: {statistics.median(values) * 1000:6.2f} ms CPU (median), {queries[step]} queries"
        )
    median = statistics.median(per_order)
    verdict = "met" if median <= PATH_TARGET_MS else "MISSED"
    print(
        f"  confirm → deliver → invoice → post, {ORDERS} orders of {LINES} lines: {median:.1f} ms per order "
        f"(median; mean {statistics.mean(per_order):.1f}); target ≤ {PATH_TARGET_MS} ms: {verdict}; "
        f"Tryton 8.2 on this machine: {TRYTON_PATH_MS} ms ({TRYTON_PATH_MS / median:.0f} times slower)"
    )


def run() -> None:
    company, user, _manager, _token, items, _unit, _vat = company_case("invoicing")
    print(f"{len(items)} stocked items in stock; one customer in Madrid, VAT 21 %")
    posted_per_second(company, user, items)
    order_path(company, user, items)
