"""Cancelling a posted invoice issued by mistake (an anulación): it keeps its number, marked cancelled with when,
by whom and why; its entry is reversed, its orders can bill again, the modules above answer the hook; every
refusal leaves everything as it was; and the database lets a posted invoice take that one change and nothing
else. (The due amounts' side is in nexo/payments/tests/test_dues_cancel.py: invoicing sits below payments.)"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nexo.accounting.models import Entry, EntryLine
from nexo.accounting.services.ledger import lock_date_set
from nexo.core.aggregates import MoneySum
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import StateChange
from nexo.invoicing import services
from nexo.invoicing.models import Invoice, InvoiceLine, InvoiceTax
from nexo.invoicing.tests.customer_invoices import *  # noqa: F403 (the fixtures)
from nexo.invoicing.tests.customer_invoices import DAY
from nexo.sales.models import SalesOrder, SalesOrderLine
from nexo.tests.concurrency import at_once

D = Decimal


def balance(company, code, party=None) -> Decimal:
    """Debit less credit of the posted lines on the account `code` (of `party` when given)."""
    lines = EntryLine.objects.filter(company=company, account__code=code, posted=True)
    if party is not None:
        lines = lines.filter(party=party)
    sums = lines.aggregate(debit=MoneySum("debit"), credit=MoneySum("credit"))
    return (sums["debit"] or D(0)) - (sums["credit"] or D(0))


@pytest.fixture
def order(company, customer, items, make_order):
    """10 tiles at 10.00 (delivered) and 2 hours at 50.00, both at 21 %."""
    return make_order(
        customer,
        [(items["tile"], "10", "10.00", "21"), (items["hour"], "2", "50.00", "21")],
        delivered=["10"],
    )


@pytest.fixture
def invoice(company, accountant, order, post):
    """F-2026-000001: base 200.00 (100.00 of goods on 700, 100.00 of services on 705), VAT 42.00, 242.00."""
    draft = services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY)
    posted = post(draft)
    assert (posted.number, posted.base, posted.total) == ("F-2026-000001", D("200.00"), D("242.00"))
    return posted


def cancel(company, accountant, invoice, reason="Emitida dos veces"):
    return services.invoice_cancel(company=company, by=accountant, invoice_id=invoice.pk, reason=reason)


def snapshot(company, invoice) -> tuple:
    """Everything a cancellation changes, to show that a refused one changed nothing."""
    row = Invoice.objects.values_list("state", "cancelled_at", "cancelled_by", "cancel_reason").get(
        pk=invoice.pk
    )
    return (
        row,
        list(Entry.objects.filter(company=company).order_by("pk").values_list("pk", "number")),
        list(SalesOrderLine.objects.order_by("pk").values_list("invoiced", "invoiced_net")),
        list(SalesOrder.objects.order_by("pk").values_list("state", "invoice_state", "invoiced_net")),
        StateChange.objects.count(),
    )


def test_cancelling_reverses_the_entry_frees_the_orders_and_removes_the_due_amounts(
    company, accountant, customer, order, invoice
):
    assert balance(company, "4300", customer) == D("242.00")
    assert (balance(company, "700"), balance(company, "705")) == (D("-100.00"), D("-100.00"))
    assert SalesOrder.objects.get(pk=order.pk).invoice_state == "invoiced"

    cancelled = cancel(company, accountant, invoice, reason="  Emitida dos veces  ")

    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.state, stored.number, stored.cancel_reason, stored.cancelled_by) == (
        "cancelled", "F-2026-000001", "Emitida dos veces", accountant,
    )  # fmt: skip
    assert stored.cancelled_at is not None and cancelled.state == "cancelled"
    assert (stored.total, InvoiceLine.objects.filter(invoice=stored).count()) == (D("242.00"), 2)
    # The ledger: the entry reversed today, naming the invoice; the customer's 4300 and the sales back to 0.
    original, reversal = Entry.objects.filter(
        origin_model="invoicing.invoice", origin_id=invoice.pk
    ).order_by("pk")
    assert (reversal.reverses_id, reversal.date, reversal.journal_id) == (
        original.pk, timezone.localdate(), original.journal_id,
    )  # fmt: skip
    assert reversal.description == "Cancellation of F-2026-000001"
    assert balance(company, "4300", customer) == D("0.00") == balance(company, "4300")
    assert (balance(company, "700"), balance(company, "705"), balance(company, "477")) == (D("0.00"),) * 3
    # The order can bill again what the invoice billed.
    lines = SalesOrderLine.objects.filter(order=order).order_by("position")
    assert [(line.invoiced, line.invoiced_net) for line in lines] == [(D(0), D("0.00"))] * 2
    assert SalesOrder.objects.get(pk=order.pk).invoice_state == "to_invoice"
    again = services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY)
    assert [(line.quantity, line.net) for line in InvoiceLine.objects.filter(invoice=again)] == [
        (D(10), D("100.00")), (D(2), D("100.00")),
    ]  # fmt: skip
    # Who cancelled it and when, in the state log.
    change = StateChange.objects.filter(object_id=invoice.pk, to_state="cancelled").get()
    assert (change.from_state, change.by) == ("posted", accountant)


def test_the_next_invoice_takes_the_next_number_and_numbers_still_follow_dates(
    company, accountant, invoice, hand_invoice, post
):
    cancel(company, accountant, invoice)
    # The cancelled invoice keeps its number and its place: none of its series is dated before it.
    with pytest.raises(ValidationFailed, match="already has an invoice posted on 2026-03-02"):
        post(hand_invoice([("1", "10.00", "21")], day=date(2026, 3, 1)))
    # Its reversal is dated today in the sales journal, so the next invoice is dated today too.
    assert post(hand_invoice([("1", "10.00", "21")], day=timezone.localdate())).number == "F-2026-000002"


def test_a_cancelled_invoice_takes_no_credit_note(company, accountant, invoice, post):
    note = services.credit_note_create(
        company=company, by=accountant, invoice_id=invoice.pk, reason="Devolución"
    )
    services.invoice_delete(company=company, by=accountant, invoice_id=note.pk)
    late = services.credit_note_create(company=company, by=accountant, invoice_id=invoice.pk, reason="Rebaja")
    cancel(company, accountant, invoice)
    with pytest.raises(Conflict, match="F-2026-000001 is cancelled: a credit note cannot correct it"):
        services.credit_note_create(company=company, by=accountant, invoice_id=invoice.pk, reason="Otra")
    # A draft credit note made before the cancellation is not posted either.
    with pytest.raises(Conflict, match="is cancelled"):
        post(late)
    assert Invoice.objects.get(pk=late.pk).state == "draft"


def test_a_posted_credit_note_is_cancelled_first_then_its_invoice(
    company, accountant, customer, order, invoice, post
):
    note = post(
        services.credit_note_create(
            company=company, by=accountant, invoice_id=invoice.pk, reason="Devolución"
        )
    )
    assert balance(company, "4300", customer) == D("0.00")
    before = snapshot(company, invoice)
    with pytest.raises(
        Conflict, match="Credit note R-2026-000001 corrects invoice F-2026-000001: cancel the credit"
    ):
        cancel(company, accountant, invoice)
    assert snapshot(company, invoice) == before

    cancel(company, accountant, note, reason="Abono por error")
    # What the credit note gave back is billed again; its own due amount is gone.
    lines = SalesOrderLine.objects.filter(order=order).order_by("position")
    assert [(line.invoiced, line.invoiced_net) for line in lines] == [
        (D(10), D("100.00")),
        (D(2), D("100.00")),
    ]
    assert balance(company, "4300", customer) == D("242.00")
    assert balance(company, "7080") == D("0.00")

    cancel(company, accountant, invoice)
    assert balance(company, "4300", customer) == D("0.00")
    assert balance(company, "700") == D("0.00") == balance(company, "705")
    assert set(Invoice.objects.filter(pk__in=[invoice.pk, note.pk]).values_list("state", flat=True)) == {
        "cancelled"
    }


def test_a_credit_note_whose_goods_were_billed_again_is_not_cancelled(
    company, accountant, order, invoice, post
):
    note = post(
        services.credit_note_create(
            company=company, by=accountant, invoice_id=invoice.pk, reason="Devolución"
        )
    )
    post(services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY))
    before = snapshot(company, note)
    with pytest.raises(Conflict, match=r"would bill 10\.0000 again, more than is left to invoice"):
        cancel(company, accountant, note)
    assert snapshot(company, note) == before


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_reason_is_required_and_at_most_500_characters(company, accountant, invoice, reason):
    before = snapshot(company, invoice)
    with pytest.raises(ValidationFailed) as refused:
        cancel(company, accountant, invoice, reason=reason)
    assert refused.value.errors[0]["field"] == "reason"
    assert snapshot(company, invoice) == before


def test_a_draft_and_a_cancelled_invoice_are_not_cancelled(company, accountant, invoice, hand_invoice):
    draft = hand_invoice([("1", "10.00", "21")])
    with pytest.raises(Conflict, match="is a draft: only a posted invoice is cancelled"):
        cancel(company, accountant, draft)
    cancel(company, accountant, invoice)
    before = snapshot(company, invoice)
    with pytest.raises(Conflict, match="F-2026-000001 is already cancelled"):
        cancel(company, accountant, invoice)
    assert snapshot(company, invoice) == before


def test_another_companys_invoice_is_not_found(company, other_company, make_user, invoice):
    from nexo.core.errors import NotFound

    stranger = make_user("ajeno", "accounting", companies=[other_company])
    with pytest.raises(NotFound):
        services.invoice_cancel(company=other_company, by=stranger, invoice_id=invoice.pk, reason="x")
    assert Invoice.objects.get(pk=invoice.pk).state == "posted"


def test_an_invoice_in_locked_books_is_not_cancelled(company, accountant, invoice):
    lock_date_set(company=company, by=accountant, lock_date=date(2026, 3, 31))
    before = snapshot(company, invoice)
    with pytest.raises(
        Conflict, match="books are closed or locked on 2026-03-02, the date of invoice F-2026-000001"
    ):
        cancel(company, accountant, invoice)
    assert snapshot(company, invoice) == before


def test_the_modules_above_answer_in_the_same_transaction_and_may_refuse(
    company, accountant, invoice, monkeypatch
):
    """The hook gets the invoice already cancelled; an answer that raises undoes the whole cancellation."""
    from nexo.invoicing.services import cancelling

    asked = []

    def answering(hook, **kwargs):
        asked.append((hook, kwargs["model_label"], kwargs["document"].number, kwargs["document"].state))
        assert Entry.objects.filter(origin_id=invoice.pk, reverses__isnull=False).exists()
        raise Conflict("Refused by a module above.")

    monkeypatch.setattr(cancelling, "contributions", answering)
    before = snapshot(company, invoice)
    with pytest.raises(Conflict, match="Refused by a module above"):
        cancel(company, accountant, invoice)
    assert asked == [("document_cancelled", "invoicing.invoice", "F-2026-000001", "cancelled")]
    assert snapshot(company, invoice) == before


def test_an_invoice_typed_by_hand_without_orders_is_cancelled(
    company, accountant, customer, hand_invoice, post
):
    posted = post(hand_invoice([("2", "50.00", "21"), ("1", "10.00", "10")]))
    cancel(company, accountant, posted)
    assert balance(company, "4300", customer) == D("0.00") == balance(company, "477")
    assert Invoice.objects.get(pk=posted.pk).state == "cancelled"


def test_cancelling_takes_the_same_queries_whatever_the_number_of_lines(
    company, accountant, customer, items, make_order, post
):
    counts = []
    for size in (1, 20):
        lines = [(items["tile"], str(n), "10.00", "21") for n in range(1, size + 1)]
        order = make_order(customer, lines, delivered=["1"] * size)
        today = timezone.localdate()  # after a reversal dated today, the sales journal takes no earlier entry
        draft = services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=today)
        posted = post(draft)
        with CaptureQueriesContext(connection) as queries:
            cancel(company, accountant, posted)
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[0] < 60


# The triggers: past the services, a raw statement may cancel a posted invoice and do nothing else.


def refused(sql, params):
    with (
        pytest.raises(IntegrityError, match="posted invoice"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_the_database_lets_a_posted_invoice_be_cancelled_and_nothing_else(
    company, accountant, hand_invoice, post
):
    posted = post(hand_invoice([("2", "50.00", "21"), ("1", "10.00", "10")]))
    table, lines, taxes = (model._meta.db_table for model in (Invoice, InvoiceLine, InvoiceTax))
    now, who = timezone.now(), accountant.pk
    cancelling = (
        "UPDATE {table} SET state = 'cancelled', cancelled_at = %s, cancelled_by_id = %s, cancel_reason = %s"
    )
    # Cancelled without its record, with a blank reason, or with another change: refused.
    refused(f"UPDATE {table} SET state = 'cancelled' WHERE id = %s", [posted.pk])
    refused(cancelling.format(table=table) + " WHERE id = %s", [now, who, "   ", posted.pk])
    refused(
        cancelling.format(table=table) + ", total = %s WHERE id = %s", [now, who, "Error", "1.00", posted.pk]
    )
    refused(
        cancelling.format(table=table) + ", notes = %s WHERE id = %s", [now, who, "Error", "otra", posted.pk]
    )
    # Its record without the state, or another state: refused.
    refused(f"UPDATE {table} SET cancel_reason = %s WHERE id = %s", ["Error", posted.pk])
    refused(f"UPDATE {table} SET state = 'draft' WHERE id = %s", [posted.pk])
    # Posted → cancelled with when, by whom and why (and the free columns): let through.
    with connection.cursor() as cursor:
        cursor.execute(
            cancelling.format(table=table) + ", updated_at = %s, sent_to = %s WHERE id = %s",
            [now, who, "Emitida por error", now, "cliente@turia.es", posted.pk],
        )
    assert Invoice.objects.get(pk=posted.pk).state == "cancelled"
    # A cancelled invoice never changes again: not back to posted, not its record, not its figures.
    line = InvoiceLine.objects.filter(invoice=posted).first()
    for sql, params in (
        (
            f"UPDATE {table} SET state = 'posted', cancelled_at = NULL, cancelled_by_id = NULL, cancel_reason = '' WHERE id = %s",
            [posted.pk],
        ),
        (f"UPDATE {table} SET state = 'draft' WHERE id = %s", [posted.pk]),
        (f"UPDATE {table} SET cancel_reason = %s WHERE id = %s", ["Otra razón", posted.pk]),
        (f"UPDATE {table} SET cancelled_at = %s WHERE id = %s", [now.replace(year=2025), posted.pk]),
        (f"UPDATE {table} SET total = %s WHERE id = %s", ["1.00", posted.pk]),
        (f"UPDATE {table} SET number = %s WHERE id = %s", ["F-2026-999999", posted.pk]),
        (f"DELETE FROM {table} WHERE id = %s", [posted.pk]),
        (f"UPDATE {lines} SET net = %s WHERE id = %s", ["1.00", line.pk]),
        (f"DELETE FROM {lines} WHERE id = %s", [line.pk]),
        (
            f"INSERT INTO {lines} (invoice_id, position, description, quantity, unit_price, discount, net, vat_rate, "
            "recargo_rate, irpf_rate, treatment, cost) VALUES (%s, 9, 'x', 1, 1, 0, 1, 21, 0, 0, 'domestic', 0)",
            [posted.pk],
        ),
        (f"UPDATE {taxes} SET amount = %s WHERE invoice_id = %s", ["0.00", posted.pk]),
        (f"DELETE FROM {taxes} WHERE invoice_id = %s", [posted.pk]),
    ):
        refused(sql, params)
    # Its e-mail's record is still free.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET email_status = %s WHERE id = %s", ["sent", posted.pk])
    after = Invoice.objects.get(pk=posted.pk)
    assert (after.state, after.cancel_reason, after.total, after.email_status) == (
        "cancelled", "Emitida por error", D("132.00"), "sent",
    )  # fmt: skip
    assert (InvoiceLine.objects.filter(invoice=posted).count(), InvoiceTax.objects.filter(invoice=posted).count()) == (
        2, 2,
    )  # fmt: skip


def test_a_draft_cannot_carry_a_cancellation_record(company, accountant, hand_invoice):
    draft = hand_invoice([("1", "10.00", "21")])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Invoice._meta.db_table} SET cancel_reason = %s WHERE id = %s", ["Error", draft.pk]
        )


# At once (PostgreSQL): the invoice's lock orders a cancellation and a credit note's posting.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_credit_note_posted_while_its_invoice_is_cancelled_lets_exactly_one_through(
    company, accountant, hand_invoice, post
):
    invoice = post(hand_invoice([("2", "50.00", "21")]))
    note = services.credit_note_create(company=company, by=accountant, invoice_id=invoice.pk, reason="Rebaja")

    results = at_once(
        [
            lambda: services.invoice_post(company=company, by=accountant, invoice_id=note.pk).state,
            lambda: cancel(company, accountant, invoice).state,
        ]
    )
    # The posting waits for the invoice the cancellation holds (refused: it is cancelled), or the cancellation
    # waits for the invoice the posting holds (refused: a posted credit note corrects it).
    assert len([result for result in results if result in ("posted", "cancelled")]) == 1, results
    refusal = next(result for result in results if result not in ("posted", "cancelled"))
    assert (
        "is cancelled: a credit note cannot correct it" in refusal
        or "cancel the credit note first" in refusal
    )
    states = (Invoice.objects.get(pk=invoice.pk).state, Invoice.objects.get(pk=note.pk).state)
    assert states in {("cancelled", "draft"), ("posted", "posted")}, states
