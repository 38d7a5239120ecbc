"""An invoice or credit note cancelled (invoicing's `invoice_cancel`, the `document_cancelled` hook): its due
amounts go, so the customer's open balance still equals its 4300 balance; refused, with nothing changed, when
one of them has had a payment allocated, has been remitted or has had a reminder sent."""

from datetime import date

import pytest
from django.urls import reverse

from nexo.accounting.models import Entry
from nexo.conftest import ApiClient
from nexo.core.errors import Conflict
from nexo.invoicing import services as invoicing
from nexo.invoicing.models import Invoice
from nexo.payments.models import Direction, DueAmount, Reminder
from nexo.payments.services.dues import dues_cancel
from nexo.payments.services.payments import Match, payment_record, payment_reverse
from nexo.payments.services.position import open_balance, position, statement_of_account
from nexo.payments.tests.factories_position import *  # noqa: F403
from nexo.payments.tests.factories_position import DAY, D, dues_of, ledger_4300
from nexo.tests.concurrency import at_once

pytestmark = pytest.mark.django_db
REASON = "Emitida a otro cliente"


def cancel(company, accountant, invoice, reason=REASON):
    return invoicing.invoice_cancel(company=company, by=accountant, invoice_id=invoice.pk, reason=reason)


def snapshot(company, invoice) -> tuple:
    return (
        Invoice.objects.values_list("state", "cancel_reason").get(pk=invoice.pk),
        list(DueAmount.objects.order_by("pk").values_list("pk", "state", "amount", "paid")),
        Entry.objects.filter(company=company).count(),
    )


def test_the_due_amounts_go_and_the_open_balance_still_equals_the_4300_balance(
    company, accountant, customer, make_invoice
):
    kept = make_invoice("100.00")  # 121.00
    wrong = make_invoice("200.00")  # 242.00
    assert open_balance(company, customer.pk) == D("363.00") == ledger_4300(company, customer)

    cancel(company, accountant, wrong)

    assert dues_of(company, wrong) == [] and len(dues_of(company, kept)) == 1
    assert open_balance(company, customer.pk) == D("121.00") == ledger_4300(company, customer)
    seen = position(company, customer.pk)
    assert seen.open_balance == seen.ledger_balance == D("121.00") and seen.agrees_with_ledger
    whole = statement_of_account(company, customer.pk, date(2026, 1, 1), date(2026, 12, 31))
    assert whole.closing_balance == D("121.00")


def test_a_credit_note_cancelled_takes_its_negative_due_amount_away_too(
    company, accountant, customer, make_invoice
):
    invoice = make_invoice("100.00")
    note = make_invoice("20.00", credit_of=invoice)  # -24.20
    assert open_balance(company, customer.pk) == D("96.80") == ledger_4300(company, customer)
    with pytest.raises(Conflict, match="cancel the credit note first"):
        cancel(company, accountant, invoice)
    cancel(company, accountant, note)
    assert dues_of(company, note) == []
    assert open_balance(company, customer.pk) == D("121.00") == ledger_4300(company, customer)
    cancel(company, accountant, invoice)
    assert open_balance(company, customer.pk) == D("0.00") == ledger_4300(company, customer)


def test_an_invoice_with_a_payment_allocated_stays_as_it_was_even_once_the_payment_is_reversed(
    company, accountant, customer, make_invoice, pay
):
    invoice = make_invoice("100.00")
    payment = pay("50.00", [(dues_of(company, invoice)[0], "50.00")])
    before = snapshot(company, invoice)
    with pytest.raises(
        Conflict, match=r"Invoice F-2026-000001 cannot be cancelled: a payment has been allocated"
    ):
        cancel(company, accountant, invoice)
    assert snapshot(company, invoice) == before
    payment_reverse(company=company, by=accountant, payment_id=payment.pk)
    before = snapshot(company, invoice)
    with pytest.raises(Conflict, match="a payment has been allocated to it"):
        cancel(company, accountant, invoice)
    assert snapshot(company, invoice) == before
    assert open_balance(company, customer.pk) == D("121.00") == ledger_4300(company, customer)


def test_a_credit_note_offset_against_its_invoice_is_not_cancelled(
    company, accountant, customer, make_invoice
):
    invoice = make_invoice("100.00")
    note = make_invoice("20.00", credit_of=invoice)
    payment_record(
        company=company, by=accountant, direction=Direction.RECEIVABLE, party_id=customer.pk, date=DAY,
        amount=D("0"), method="offset", bank_account_id=None,
        allocations=[Match(dues_of(company, invoice)[0].pk, D("24.20")), Match(dues_of(company, note)[0].pk, D("-24.20"))],
    )  # fmt: skip
    before = snapshot(company, note)
    with pytest.raises(Conflict, match="R-2026-000001 cannot be cancelled: a payment has been allocated"):
        cancel(company, accountant, note)
    assert snapshot(company, note) == before


def test_a_remitted_or_reminded_invoice_stays_as_it_was(company, accountant, make_invoice):
    invoice = make_invoice("100.00")
    due = dues_of(company, invoice)[0]
    DueAmount.objects.filter(pk=due.pk).update(state=DueAmount.State.REMITTED)  # as a remittance leaves it
    before = snapshot(company, invoice)
    with pytest.raises(
        Conflict, match="F-2026-000001 cannot be cancelled: it has been charged in a SEPA remittance"
    ):
        cancel(company, accountant, invoice)
    assert snapshot(company, invoice) == before
    DueAmount.objects.filter(pk=due.pk).update(state=DueAmount.State.OPEN)
    Reminder.objects.create(company=company, due=due, level=1, date=DAY)
    before = snapshot(company, invoice)
    with pytest.raises(Conflict, match="F-2026-000001 cannot be cancelled: a payment reminder has been sent"):
        cancel(company, accountant, invoice)
    assert snapshot(company, invoice) == before


def test_documents_of_other_modules_and_documents_without_due_amounts_are_left_alone(
    company, accountant, make_invoice
):
    invoice = make_invoice("100.00")
    assert dues_cancel(company=company, by=accountant, model_label="sales.salesorder", document=invoice) == []
    assert len(dues_of(company, invoice)) == 1


def test_the_page_and_the_api_show_the_refusal(company, accountant, accountant_client, make_invoice):
    invoice = make_invoice("100.00")
    Reminder.objects.create(company=company, due=dues_of(company, invoice)[0], level=1, date=DAY)
    response = accountant_client.post(
        reverse("invoicing:invoice_cancel", args=[invoice.pk]),
        {"reason": REASON, "confirm": "on"},
        follow=True,
    )
    assert (
        "F-2026-000001 cannot be cancelled: a payment reminder has been sent for it."
        in response.content.decode()
    )
    api = ApiClient(accountant, company)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    refused = api.post(f"/invoices/{invoice.pk}/cancel", {"reason": REASON})
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    assert "F-2026-000001 cannot be cancelled" in refused.json()["detail"]
    assert Invoice.objects.get(pk=invoice.pk).state == "posted" and len(dues_of(company, invoice)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_payment_recorded_while_its_invoice_is_cancelled_lets_exactly_one_through(
    company, accountant, customer, bank, make_invoice
):
    invoice = make_invoice("100.00")
    due = dues_of(company, invoice)[0]

    def pay_it_all() -> str:
        return payment_record(
            company=company, by=accountant, direction=Direction.RECEIVABLE, party_id=customer.pk, date=DAY,
            amount=D("121.00"), bank_account_id=bank.pk, allocations=[Match(due.pk, D("121.00"))],
        ).number  # fmt: skip

    results = at_once([pay_it_all, lambda: cancel(company, accountant, invoice).state])
    # The payment waits for the due amount the cancellation removes (refused: it is gone), or the cancellation
    # waits for the due amount the payment pays (refused: a payment is allocated).
    refusals = [result for result in results if "Error" in result or "Conflict" in result]
    assert len(refusals) == 1, results
    assert "cannot be cancelled: a payment has been allocated" in refusals[0] or (
        "A due amount chosen does not exist" in refusals[0]
    ), refusals
    assert open_balance(company, customer.pk) == ledger_4300(company, customer)
