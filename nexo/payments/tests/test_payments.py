"""Payments matched to due amounts: partial and full payments, reversal, credit kept and applied later, an
offset of a credit note; the ledger (572 against 4300 with the party) and the party's 4300 balance equal to
its open due amounts less its unapplied credit after every step; what is refused changes nothing."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexo.accounting.models import EntryLine
from nexo.core.errors import Conflict, ValidationFailed
from nexo.payments.models import Allocation, DueAmount, Payment
from nexo.payments.services.dues import dues_of, payment_status
from nexo.payments.services.payments import Match, credit_apply, payment_record, payment_reverse
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_payments import ADDRESS, D, customer_balance, open_minus_credit

PAY_DAY = date(2026, 3, 20)


@pytest.fixture
def pay(company, accountant, customer, bank):
    def record(amount, allocations=(), **options):
        options.setdefault("party_id", customer.pk)
        options.setdefault("direction", "receivable")
        options.setdefault("bank_account_id", bank.pk)
        return payment_record(
            company=company, by=accountant, date=options.pop("date", PAY_DAY), amount=D(amount),
            allocations=[Match(due.pk, D(part)) for due, part in allocations], **options,
        )  # fmt: skip

    return record


def dues(company, invoice):
    return dues_of(company, "invoicing.invoice", [invoice.pk])[invoice.pk]


def assert_books_agree(company, party):
    assert customer_balance(company, party) == open_minus_credit(company, party)


def test_a_partial_payment_leaves_the_due_amount_partially_paid_and_posts_bank_against_4300(
    company, customer, bank, make_invoice, pay
):
    invoice = make_invoice("100.00")  # 121.00 due in 30 days
    (due,) = dues(company, invoice)
    payment = pay("50.00", [(due, "50.00")], reference="Transfer 1")
    due.refresh_from_db()
    assert (due.paid, due.state) == (D("50.00"), DueAmount.State.PARTIAL)
    assert payment_status(dues(company, invoice)) == "partial"
    assert payment.number == "COB-2026-00001"
    assert (payment.amount, payment.applied, payment.state) == (D("50.00"), D("50.00"), "posted")
    lines = {
        (line.account.code, line.debit, line.credit, line.party_id)
        for line in EntryLine.objects.filter(entry=payment.entry).select_related("account")
    }
    assert lines == {
        (bank.account.code, D("50.00"), D("0.00"), None),
        ("4300", D("0.00"), D("50.00"), customer.pk),
    }
    assert bank.account.code == "5720001"
    assert customer_balance(company, customer) == D("71.00")
    assert_books_agree(company, customer)


def test_paying_the_rest_pays_the_due_amount_and_the_invoice(company, customer, make_invoice, pay):
    invoice = make_invoice("100.00")
    (due,) = dues(company, invoice)
    pay("50.00", [(due, "50.00")])
    pay("71.00", [(due, "71.00")])
    due.refresh_from_db()
    assert (due.paid, due.state) == (D("121.00"), DueAmount.State.PAID)
    assert payment_status(dues(company, invoice)) == "paid"
    assert customer_balance(company, customer) == D("0.00")
    assert_books_agree(company, customer)


def test_one_payment_pays_several_due_amounts_of_several_invoices(company, customer, make_invoice, pay):
    first = make_invoice("100.00", term_name="30-60-90 días")
    second = make_invoice("10.00")
    chosen = [*dues(company, first), *dues(company, second)]
    payment = pay("133.10", [(due, due.amount) for due in chosen])
    assert Allocation.objects.filter(payment=payment).count() == 4
    assert {due.state for due in DueAmount.objects.filter(company=company)} == {"paid"}
    assert_books_agree(company, customer)


def test_reversing_a_payment_reopens_what_it_paid_and_reverses_its_entry(
    company, accountant, customer, make_invoice, pay
):
    invoice = make_invoice("100.00")
    (due,) = dues(company, invoice)
    payment = pay("121.00", [(due, "121.00")])
    reversed_payment = payment_reverse(
        company=company, by=accountant, payment_id=payment.pk, date=date(2026, 3, 25)
    )
    due.refresh_from_db()
    assert (due.paid, due.state) == (D("0.00"), DueAmount.State.OPEN)
    assert reversed_payment.state == Payment.State.REVERSED
    assert reversed_payment.reversal_entry_id is not None
    assert customer_balance(company, customer) == D("121.00")
    assert_books_agree(company, customer)
    with pytest.raises(Conflict, match="already reversed"):
        payment_reverse(company=company, by=accountant, payment_id=payment.pk)


def test_the_rest_kept_as_credit_pays_a_later_invoice(company, accountant, customer, make_invoice, pay):
    invoice = make_invoice("100.00")
    (due,) = dues(company, invoice)
    payment = pay("200.00", [(due, "121.00")], keep_credit=True)
    assert payment.amount - payment.applied == D("79.00")
    assert customer_balance(company, customer) == D("-79.00")
    assert_books_agree(company, customer)

    later = make_invoice("50.00", day=date(2026, 4, 1))  # 60.50
    (later_due,) = dues(company, later)
    assert_books_agree(company, customer)
    credit_apply(
        company=company, by=accountant, payment_id=payment.pk, allocations=[Match(later_due.pk, D("60.50"))]
    )
    later_due.refresh_from_db()
    payment.refresh_from_db()
    assert later_due.state == "paid"
    assert payment.amount - payment.applied == D("18.50")
    assert customer_balance(company, customer) == D("-18.50")
    assert_books_agree(company, customer)
    with pytest.raises(ValidationFailed, match=r"18\.50 left as credit"):
        credit_apply(
            company=company, by=accountant, payment_id=payment.pk, allocations=[Match(later_due.pk, D("20"))]
        )


def test_a_credit_note_offsets_its_invoice_with_an_offset_of_amount_zero(
    company, customer, make_invoice, pay
):
    invoice = make_invoice("100.00")
    note = make_invoice("50.00", credit_of=invoice)
    (due,) = dues(company, invoice)
    (note_due,) = dues(company, note)
    offset = pay("0", [(due, "60.50"), (note_due, "-60.50")], method="offset", bank_account_id=None)
    due.refresh_from_db()
    note_due.refresh_from_db()
    assert (due.paid, due.state, note_due.state) == (D("60.50"), "partial", "paid")
    assert offset.entry_id is None  # both on 4300: no money moves, nothing to post
    assert customer_balance(company, customer) == D("60.50")
    assert_books_agree(company, customer)


def test_a_supplier_payment_debits_4000_and_credits_the_bank(company, supplier, bank, supplier_invoice, pay):
    invoice = supplier_invoice("200.00")
    (due,) = dues_of(company, "invoicing.supplierinvoice", [invoice.pk])[invoice.pk]
    payment = pay("242.00", [(due, "242.00")], party_id=supplier.pk, direction="payable")
    assert payment.number == "PAG-2026-00001"
    lines = {
        (line.account.code, line.debit, line.credit)
        for line in EntryLine.objects.filter(entry=payment.entry).select_related("account")
    }
    assert lines == {("4000", D("242.00"), D("0.00")), (bank.account.code, D("0.00"), D("242.00"))}
    due.refresh_from_db()
    assert due.state == "paid"


@pytest.mark.parametrize(
    ("amount", "parts", "options", "field", "message"),
    [
        ("0", [], {}, "amount", "greater than zero"),
        ("130.00", ["121.00"], {}, "amount", "keep the rest"),
        ("100.00", ["121.00"], {}, "allocations", "more than the payment"),
        ("150.00", ["150.00"], {"keep_credit": True}, "allocations", "more than"),
        ("10.00", ["10.001"], {}, "allocations", "2 decimals"),
        ("10.00", ["-10.00"], {"keep_credit": True}, "allocations", "above zero"),
        ("10.00", ["10.00"], {"method": "cheque"}, "method", "payment method"),
        ("10.00", ["10.00"], {"direction": "sideways"}, "direction", "receivable or payable"),
        ("10.00", ["10.00"], {"bank_account_id": None}, "bank_account", "bank account"),
    ],
)
def test_bad_payments_are_refused_and_change_nothing(
    company, customer, make_invoice, pay, amount, parts, options, field, message
):
    invoice = make_invoice("100.00")
    (due,) = dues(company, invoice)
    with pytest.raises(ValidationFailed, match=message) as refused:
        pay(amount, [(due, part) for part in parts], **options)
    assert refused.value.errors[0]["field"] == field
    due.refresh_from_db()
    assert (due.paid, due.state) == (D("0.00"), "open")
    assert not Payment.objects.exists()
    assert not Allocation.objects.exists()


def test_a_due_amount_twice_in_one_payment_is_refused(company, make_invoice, pay):
    (due,) = dues(company, make_invoice("100.00"))
    with pytest.raises(ValidationFailed, match="once per payment"):
        pay("20.00", [(due, "10.00"), (due, "10.00")])
    assert not Payment.objects.exists()


def test_a_due_amount_in_another_currency_is_refused_not_booked_as_euros(company, make_invoice, pay):
    (due,) = dues(company, make_invoice("100.00"))
    DueAmount.objects.filter(pk=due.pk).update(currency="USD")
    with pytest.raises(ValidationFailed, match="USD"):
        pay("121.00", [(due, "121.00")])
    assert not Payment.objects.exists() and DueAmount.objects.get(pk=due.pk).paid == 0


def test_another_partys_or_another_companys_due_amount_is_refused(
    company, other_company, sales_user, make_invoice, pay
):
    from nexo.parties.services import party_create

    other = party_create(
        company=company, by=sales_user, name="Otro Cliente", status="customer", tax_id="B12345674",
        addresses=[ADDRESS],
    )  # fmt: skip
    (theirs,) = dues(company, make_invoice("100.00", party=other))
    with pytest.raises(ValidationFailed, match="another party"):
        pay("121.00", [(theirs, "121.00")])
    DueAmount.objects.filter(pk=theirs.pk).update(company=other_company)
    with pytest.raises(ValidationFailed, match="another company"):
        pay("121.00", [(theirs, "121.00")])
    assert not Payment.objects.exists()


def test_a_paid_due_amount_takes_no_more(company, make_invoice, pay):
    (due,) = dues(company, make_invoice("100.00"))
    pay("121.00", [(due, "121.00")])
    with pytest.raises(Conflict, match="is paid"):
        pay("1.00", [(due, "1.00")])


def test_recording_a_payment_takes_the_same_statements_for_one_due_amount_or_twenty(
    company, make_invoice, pay
):
    invoices = [make_invoice("10.00") for _ in range(21)]
    every = [dues(company, invoice)[0] for invoice in invoices]
    pay("12.10", [(every[0], "12.10")])  # the first payment warms what is read once (journals, year)
    connection.queries_log.clear()  # the log keeps 9,000 queries: a full one counts nothing new
    with CaptureQueriesContext(connection) as one:
        pay("12.10", [(every[1], "12.10")])
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as twenty:
        pay("193.60", [(due, "12.10") for due in every[2:18]])
    assert len(twenty) == len(one)
    assert len(one) <= 25
