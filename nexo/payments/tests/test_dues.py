"""Due amounts are left by posting: an invoice split by its term, a credit note's one negative due amount, a
supplier invoice's payable one."""

from datetime import date

from nexo.payments.models import DueAmount
from nexo.payments.services.dues import dues_of, payment_status
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_payments import D


def test_an_invoice_on_30_60_90_days_leaves_three_due_amounts_adding_up_to_its_total(company, make_invoice):
    invoice = make_invoice("100.00", term_name="30-60-90 días")  # total 121.00
    dues = dues_of(company, "invoicing.invoice", [invoice.pk])[invoice.pk]
    assert [(due.due_date, due.amount) for due in dues] == [
        (date(2026, 4, 1), D("40.33")),
        (date(2026, 5, 1), D("40.33")),
        (date(2026, 5, 31), D("40.34")),
    ]
    assert {(due.direction, due.state, due.installments) for due in dues} == {("receivable", "open", 3)}
    assert [due.installment for due in dues] == [1, 2, 3]
    assert all(due.account.code.startswith("430") for due in dues)
    assert payment_status(dues) == "unpaid"


def test_a_credit_note_leaves_one_negative_due_amount_on_its_date(company, make_invoice):
    invoice = make_invoice("100.00", term_name="30-60-90 días")
    note = make_invoice("50.00", credit_of=invoice)
    dues = list(DueAmount.objects.filter(origin_model="invoicing.invoice", origin_id=note.pk))
    assert [(due.amount, due.due_date, due.direction) for due in dues] == [
        (D("-60.50"), note.date, "receivable")
    ]


def test_a_supplier_invoice_leaves_payable_due_amounts(company, supplier_invoice):
    invoice = supplier_invoice("200.00")
    dues = list(DueAmount.objects.filter(origin_model="invoicing.supplierinvoice", origin_id=invoice.pk))
    assert [(due.direction, due.amount, due.due_date) for due in dues] == [
        ("payable", D("242.00"), date(2026, 4, 1))
    ]
    assert dues[0].account.code.startswith("400")
