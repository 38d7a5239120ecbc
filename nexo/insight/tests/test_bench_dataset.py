"""The insight benchmark's company (bench/insight_data.py), written in bulk rather than through the services,
holds what the services would have written: at a small scale, every entry balances and is numbered in date
order, every document's figures add up to its lines, taxes and due amounts, the payments to their
allocations, the sub-ledger to the books, the stock to the valuation engine's ledger, the orders to their
quotations and documents; and the services carry on from it (the next invoice takes the next number)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import F, Q

from bench.insight_data import DOCUMENT_MODELS, generate, sized
from nexo.accounting.models import Entry, EntryLine
from nexo.inventory.models import StockBalance, StockMove, StockQuant, ValuationEntry
from nexo.invoicing import services as invoicing
from nexo.invoicing.models import Invoice, InvoiceLine, InvoiceTax, SupplierInvoice, SupplierInvoiceLine
from nexo.payments.models import Allocation, DueAmount, Payment
from nexo.payments.services.position import open_balance
from nexo.sales.models import Delivery, DeliveryLine, Quotation, SalesOrder, SalesOrderLine

SCALE = 0.005  # 50 parties, 45 opportunities, 2,500 entry lines: a few seconds
END = date(2026, 6, 30)  # a fixed history: the same documents whatever the day the test runs
ZERO = Decimal("0.00")


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """Generated once for the module, in a transaction rolled back after its tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield generate(SCALE, end=END)
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def sums(rows, key, value) -> dict:
    totals = defaultdict(lambda: ZERO)
    for row in rows:
        totals[row[key]] += row[value]
    return totals


def test_the_company_is_sized_by_the_scale_with_every_kind_of_document(dataset):
    size = sized(SCALE)
    assert dataset.rows["parties.Party"] == size["parties"] == 50
    assert dataset.rows["catalog.Item"] == size["items"]
    for model in DOCUMENT_MODELS:
        assert model.objects.filter(company=dataset.company).exists(), model.__name__
    assert dataset.documents == sum(
        model.objects.filter(company=dataset.company).count() for model in DOCUMENT_MODELS
    )
    # Everyday entries fill the books up to the lines asked for (at this scale the documents' own are fewer).
    assert EntryLine.objects.filter(company=dataset.company).count() == dataset.entry_lines
    assert size["entry_lines"] - 4 < dataset.entry_lines <= size["entry_lines"]
    # The longest chain: an order delivered in four parts, each invoiced, and a return credited.
    order = SalesOrder.objects.get(pk=dataset.big_order_id)
    kinds = list(Delivery.objects.filter(order=order).order_by("pk").values_list("kind", flat=True))
    assert kinds.count("delivery") == 4 and kinds.count("return") == 1
    invoices = Invoice.objects.filter(invoice_lines_of_order(order)).distinct()
    assert sorted(invoices.values_list("kind", flat=True)) == ["credit_note"] + ["invoice"] * 4


def invoice_lines_of_order(order) -> Q:
    return Q(lines__order_line__order=order)


def test_every_entry_balances_is_posted_and_numbered_in_date_order(dataset):
    company = dataset.company
    entries = list(Entry.objects.filter(company=company).values("pk", "state", "total", "journal_id",
                                                                  "fiscal_year_id", "sequence", "date", "number"))  # fmt: skip
    lines = list(EntryLine.objects.filter(company=company).values("entry_id", "debit", "credit", "posted"))
    debits, credits = sums(lines, "entry_id", "debit"), sums(lines, "entry_id", "credit")
    assert {entry["state"] for entry in entries} == {"posted"}
    assert all(line["posted"] for line in lines)
    for entry in entries:
        assert debits[entry["pk"]] == credits[entry["pk"]] == entry["total"] > 0, entry["number"]
    # The lines repeat their entry's company, date and journal (the reports read the lines alone).
    assert (
        not EntryLine.objects.filter(entry__company=company)
        .exclude(date=F("entry__date"), journal_id=F("entry__journal_id"), company_id=F("entry__company_id"))
        .exists()
    )
    by_book = defaultdict(list)
    for entry in entries:
        by_book[entry["journal_id"], entry["fiscal_year_id"]].append(entry)
    for book in by_book.values():
        book.sort(key=lambda entry: entry["sequence"])
        assert [entry["sequence"] for entry in book] == list(range(1, len(book) + 1))
        assert [entry["date"] for entry in book] == sorted(entry["date"] for entry in book)


def test_each_invoice_adds_up_to_its_lines_taxes_due_amounts_and_entry(dataset):
    company = dataset.company
    invoices = list(Invoice.objects.filter(company=company))
    nets = sums(
        InvoiceLine.objects.filter(invoice__company=company).values("invoice_id", "net"), "invoice_id", "net"
    )
    costs = sums(
        InvoiceLine.objects.filter(invoice__company=company).values("invoice_id", "cost"),
        "invoice_id",
        "cost",
    )
    vat = sums(
        InvoiceTax.objects.filter(invoice__company=company).values("invoice_id", "amount"),
        "invoice_id",
        "amount",
    )
    dues = sums(DueAmount.objects.filter(company=company, origin_model="invoicing.invoice").values("origin_id", "amount"),
                "origin_id", "amount")  # fmt: skip
    receivable = {
        entry.origin_id: entry
        for entry in Entry.objects.filter(company=company, origin_model="invoicing.invoice")
    }
    assert {invoice.state for invoice in invoices} == {"posted"}
    for invoice in invoices:
        assert invoice.base == nets[invoice.pk] and invoice.vat == vat[invoice.pk], invoice.number
        assert invoice.total == invoice.base + invoice.vat == invoice.amount_due == dues[invoice.pk]
        assert invoice.cost == costs[invoice.pk]
        assert receivable[invoice.pk].origin_number == invoice.number
        assert receivable[invoice.pk].total == (invoice.total if invoice.total > 0 else -invoice.total)
    for credit_note in (invoice for invoice in invoices if invoice.kind == "credit_note"):
        assert credit_note.total < 0 and credit_note.corrects_id is not None
    supplier_invoices = list(SupplierInvoice.objects.filter(company=company))
    supplier_nets = sums(SupplierInvoiceLine.objects.filter(invoice__company=company).values("invoice_id", "net"),
                         "invoice_id", "net")  # fmt: skip
    payable = sums(DueAmount.objects.filter(company=company, direction="payable").values("origin_id", "amount"),
                   "origin_id", "amount")  # fmt: skip
    for invoice in supplier_invoices:
        assert invoice.state == "posted" and invoice.base == supplier_nets[invoice.pk]
        assert invoice.amount_due == invoice.base + invoice.vat == payable[invoice.pk]


def test_payments_match_their_allocations_and_the_sub_ledger_matches_the_books(dataset):
    company = dataset.company
    allocated_to = sums(
        Allocation.objects.filter(company=company).values("due_id", "amount"), "due_id", "amount"
    )
    allocated_by = sums(
        Allocation.objects.filter(company=company).values("payment_id", "amount"), "payment_id", "amount"
    )
    for due in DueAmount.objects.filter(company=company):
        assert due.paid == allocated_to[due.pk], due
        expected = "paid" if due.paid == due.amount else "partial" if due.paid else "open"
        assert due.state == expected
    payments = list(Payment.objects.filter(company=company))
    assert {payment.method for payment in payments} >= {"transfer", "offset"}
    for payment in payments:
        assert payment.amount == payment.applied == allocated_by[payment.pk], payment.number
        assert (payment.entry_id is None) == (payment.method == "offset")
    # What each customer owes by its due amounts is its balance on the receivable account, line by line.
    receivable = dataset.receivable_account_id
    books = defaultdict(lambda: ZERO)
    for line in EntryLine.objects.filter(company=company, account_id=receivable).values(
        "party_id", "debit", "credit"
    ):
        books[line["party_id"]] += line["debit"] - line["credit"]
    assert len(books) > 10  # every customer invoiced, each compared
    for party_id in books:
        assert open_balance(company, party_id) == books[party_id], party_id


def test_stock_is_what_the_valuation_ledger_says(dataset):
    company = dataset.company
    moves = StockMove.objects.filter(company=company, state="done")
    on_hand = defaultdict(lambda: Decimal(0))
    for move in moves.select_related("from_location", "to_location"):
        if move.to_location.kind == "internal":
            on_hand[move.item_id] += move.quantity
        if move.from_location.kind == "internal":
            on_hand[move.item_id] -= move.quantity
    quants = {quant.item_id: quant.quantity for quant in StockQuant.objects.filter(company=company)}
    assert quants == dict(on_hand) and all(quantity >= 0 for quantity in quants.values())
    entries = list(ValuationEntry.objects.filter(company=company).order_by("item_id", "date", "pk"))
    assert len(entries) == moves.count()
    last = {}
    for entry in entries:
        assert entry.received >= entry.issued, "stock never went below zero"
        last[entry.item_id] = entry
    for balance in StockBalance.objects.filter(company=company):
        latest = last[balance.item_id]
        assert (balance.received, balance.issued, balance.value) == (
            latest.received,
            latest.issued,
            latest.value_after,
        )
        assert balance.quantity == quants[balance.item_id]
    for line in DeliveryLine.objects.filter(delivery__company=company, delivery__state="done").select_related(
        "move"
    ):
        assert (line.cost, line.unit_cost) == (line.move.value, line.move.unit_cost)
    for delivery in Delivery.objects.filter(company=company).prefetch_related("lines"):
        assert delivery.cost == sum((line.cost for line in delivery.lines.all()), ZERO)


def test_orders_follow_their_quotations_and_their_documents(dataset):
    company = dataset.company
    for order in SalesOrder.objects.filter(company=company).select_related("quotation", "opportunity"):
        assert order.quotation.state == Quotation.State.ACCEPTED and order.net == order.quotation.net
        if order.opportunity is not None:
            assert (order.opportunity.status, order.opportunity.amount) == ("won", order.net)
    delivered = defaultdict(lambda: Decimal(0))
    returned = defaultdict(lambda: Decimal(0))
    for line in DeliveryLine.objects.filter(delivery__company=company, delivery__state="done").select_related(
        "delivery"
    ):
        (returned if line.delivery.kind == "return" else delivered)[line.order_line_id] += line.quantity
    billed = sums(InvoiceLine.objects.filter(invoice__company=company).values("order_line_id", "net"), "order_line_id",
                  "net")  # fmt: skip
    for line in SalesOrderLine.objects.filter(order__company=company):
        assert (line.delivered, line.returned) == (delivered[line.pk], returned[line.pk])
        assert line.invoiced_net == billed[line.pk]


def test_the_services_carry_on_from_it(dataset):
    """A new invoice posted through the services takes the next number of its series and of its journal."""
    company = dataset.company
    customer = Invoice.objects.filter(company=company, kind="invoice").order_by("-date", "-sequence").first()
    last_number = customer.sequence
    line = InvoiceLine.objects.filter(invoice=customer).first()
    draft = invoicing.invoice_create(
        company=company, by=dataset.manager, party_id=customer.party_id,
        lines=[invoicing.InvoiceLineInput(item_id=line.item_id, description="Otra", quantity=Decimal(1),
                                          unit_price=Decimal("10.00"))],
    )  # fmt: skip
    posted = invoicing.invoice_post(company=company, by=dataset.manager, invoice_id=draft.pk)
    assert posted.date.year != customer.date.year or posted.sequence == last_number + 1
    entry = Entry.objects.get(company=company, origin_model="invoicing.invoice", origin_id=posted.pk)
    previous = Entry.objects.filter(
        company=company, journal_id=entry.journal_id, fiscal_year_id=entry.fiscal_year_id
    )
    assert entry.sequence == previous.exclude(pk=entry.pk).count() + 1
