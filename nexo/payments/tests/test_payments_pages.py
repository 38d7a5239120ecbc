"""The pages: due amounts (tabs, filters, totals), recording a payment (its form errors change nothing), the
payment list and page (reverse, apply credit), bank accounts, and the panel on the invoice's page; list pages
and the payment's post take a constant number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexo.payments.models import BankAccount, DueAmount, Payment
from nexo.payments.services.payments import Match, payment_record
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_payments import IBAN_2, D, customer_balance, open_minus_credit

RECORD = "/payments/payments/new/"


def dues_of(invoice):
    return list(
        DueAmount.objects.filter(origin_id=invoice.pk, origin_model="invoicing.invoice").order_by(
            "installment"
        )
    )


def total_of(html: str, cell: str) -> str:
    """The figure in a totals cell, its currency sign and separators aside."""
    text = html.split(f'id="{cell}">', 1)[1].split("<", 1)[0]
    return "".join(char for char in text if char.isdigit() or char in ".-")


def post_payment(client, customer, bank, amount, picks, **extra):
    data = {
        "direction": "receivable", "party": customer.pk, "date": "2026-03-20", "amount": amount,
        "method": "transfer", "bank_account": bank.pk, "reference": "TRF", **extra,
    }  # fmt: skip
    data["pick"] = [due.pk for due, _part in picks]
    for due, part in picks:
        data[f"amount_{due.pk}"] = part
    return client.post(RECORD, data)


def test_the_due_amounts_page_lists_filters_and_totals(
    accountant_client, customer, supplier_invoice, make_invoice
):
    make_invoice("100.00", term_name="30-60-90 días")
    supplier_invoice("200.00")
    page = accountant_client.get("/payments/dues/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('<tr id="due-') == 3
    assert total_of(html, "total-amount") == total_of(html, "total-remaining") == "121.00"
    payable = accountant_client.get("/payments/dues/", {"direction": "payable"}).content.decode()
    assert payable.count('data-state="open"') == 1
    assert total_of(payable, "total-amount") == "242.00"
    before = accountant_client.get("/payments/dues/", {"due_before": "2026-04-02"}).content.decode()
    assert before.count('data-state="open"') == 1
    filtered = accountant_client.get(
        "/payments/dues/", {"party": customer.pk, "state": "paid"}
    ).content.decode()
    assert 'data-state="open"' not in filtered and "Reformas Turia" in filtered


def test_recording_a_partial_payment_on_the_page(accountant_client, company, customer, bank, make_invoice):
    invoice = make_invoice("100.00")
    (due,) = dues_of(invoice)
    form = accountant_client.get(RECORD, {"direction": "receivable", "party": customer.pk, "due": due.pk})
    assert form.status_code == 200
    html = form.content.decode()
    assert f'id="pick-{due.pk}" checked' in html
    assert f'name="amount_{due.pk}" id="amount-{due.pk}" value="121.00"' in html
    answer = post_payment(accountant_client, customer, bank, "50.00", [(due, "50.00")])
    payment = Payment.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/payments/payments/{payment.pk}/"
    due.refresh_from_db()
    assert (due.paid, due.state) == (D("50.00"), "partial")
    assert customer_balance(company, customer) == open_minus_credit(company, customer) == D("71.00")
    invoice_page = accountant_client.get(f"/invoicing/{invoice.pk}/").content.decode()
    assert 'id="invoice-payment-status">Partially paid' in invoice_page
    assert payment.number in invoice_page and 'id="record-document-payment"' in invoice_page


@pytest.mark.parametrize(
    ("amount", "part", "extra", "message"),
    [
        ("130.00", "121.00", {}, "keep the rest"),
        ("0", "121.00", {}, "greater than zero"),
        ("50.00", "abc", {}, "not a number"),
        ("150.00", "150.00", {"keep_credit": "on"}, "more than"),
    ],
)
def test_a_payment_the_service_refuses_is_a_form_error_and_changes_nothing(
    accountant_client, customer, bank, make_invoice, amount, part, extra, message
):
    (due,) = dues_of(make_invoice("100.00"))
    answer = post_payment(accountant_client, customer, bank, amount, [(due, part)], **extra)
    assert answer.status_code == 422
    assert message in answer.content.decode()
    assert not Payment.objects.exists()


def test_an_invoice_opens_the_record_page_with_its_dues_ticked(accountant_client, customer, make_invoice):
    invoice = make_invoice("100.00", term_name="30-60-90 días")
    html = accountant_client.get(f"/invoicing/{invoice.pk}/").content.decode()
    assert 'id="invoice-payment-status">Unpaid' in html
    link = (
        html.split('id="record-document-payment"')[0]
        .rsplit('href="', 1)[1]
        .split('"')[0]
        .replace("&amp;", "&")
    )
    form = accountant_client.get(link).content.decode()
    assert form.count(" checked ") + form.count(" checked>") >= 3
    assert 'value="121.00"' in form  # the payment's amount: the three installments


def test_the_payment_page_reverses_and_applies_credit(
    accountant_client, company, accountant, customer, bank, make_invoice
):
    (due,) = dues_of(make_invoice("100.00"))
    payment = payment_record(
        company=company, by=accountant, direction="receivable", party_id=customer.pk, date=date(2026, 3, 20),
        amount=D("100.00"), bank_account_id=bank.pk, allocations=[Match(due.pk, D("60.00"))], keep_credit=True,
    )  # fmt: skip
    page = accountant_client.get(f"/payments/payments/{payment.pk}/").content.decode()
    assert 'id="apply-credit"' in page and 'id="payment-entry"' in page and 'id="reverse-form"' in page
    applied = accountant_client.post(
        f"/payments/payments/{payment.pk}/apply-credit/", {"pick": [due.pk], f"amount_{due.pk}": "40.00"}
    )
    assert applied.status_code == 302
    due.refresh_from_db()
    assert (due.paid, due.state) == (D("100.00"), "partial")
    too_much = accountant_client.post(
        f"/payments/payments/{payment.pk}/apply-credit/", {"pick": [due.pk], f"amount_{due.pk}": "5.00"}
    )
    assert too_much.status_code == 422
    reversed_answer = accountant_client.post(
        f"/payments/payments/{payment.pk}/reverse/", {"date": "2026-03-21"}
    )
    assert reversed_answer.status_code == 302
    due.refresh_from_db()
    assert (due.paid, due.state) == (D("0.00"), "open")  # the credit it applied is undone with it
    payment.refresh_from_db()
    assert payment.state == "reversed"
    assert customer_balance(company, customer) == open_minus_credit(company, customer) == D("121.00")


def test_a_sales_user_sees_due_amounts_but_cannot_record_or_reverse(
    sales_client, company, accountant, customer, bank, make_invoice
):
    (due,) = dues_of(make_invoice("100.00"))
    payment = payment_record(
        company=company, by=accountant, direction="receivable", party_id=customer.pk, date=date(2026, 3, 20),
        amount=D("121.00"), bank_account_id=bank.pk, allocations=[Match(due.pk, D("121.00"))],
    )  # fmt: skip
    assert sales_client.get("/payments/dues/").status_code == 200
    assert sales_client.get(RECORD).status_code == 403
    assert sales_client.post(f"/payments/payments/{payment.pk}/reverse/").status_code == 403


def test_list_pages_and_the_payment_post_take_the_same_queries_for_one_row_or_many(
    accountant_client, customer, bank, make_invoice
):
    first = make_invoice("10.00")
    post_payment(accountant_client, customer, bank, "5.00", [(dues_of(first)[0], "5.00")])

    def count(url, **params):
        connection.queries_log.clear()  # the log keeps 9,000 queries: a full one counts nothing new
        with CaptureQueriesContext(connection) as queries:
            assert accountant_client.get(url, params).status_code == 200
        return len(queries)

    few = {url: count(url) for url in ("/payments/dues/", "/payments/payments/", "/payments/bank-accounts/")}
    few_post = CaptureQueriesContext(connection)
    second = make_invoice("10.00")
    due = dues_of(second)[0]
    connection.queries_log.clear()
    with few_post:
        assert post_payment(accountant_client, customer, bank, "5.00", [(due, "5.00")]).status_code == 302
    invoices = [make_invoice("10.00") for _ in range(6)]
    for invoice in invoices[:3]:
        post_payment(accountant_client, customer, bank, "12.10", [(dues_of(invoice)[0], "12.10")])
    chosen = [(dues_of(invoice)[0], "12.10") for invoice in invoices[3:]]
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as many_post:
        assert post_payment(accountant_client, customer, bank, "36.30", chosen).status_code == 302
    assert len(many_post) == len(few_post)
    assert {url: count(url) for url in few} == few


def test_bank_accounts_pages_add_and_change(accountant_client, company, bank):
    assert "Banco Turia" in accountant_client.get("/payments/bank-accounts/").content.decode()
    refused = accountant_client.post(
        "/payments/bank-accounts/new/", {"name": "Mala", "iban": "ES00 1234", "active": "on"}
    )
    assert refused.status_code == 422 and "not a valid IBAN" in refused.content.decode()
    added = accountant_client.post(
        "/payments/bank-accounts/new/",
        {"name": "Caja Rural", "iban": IBAN_2, "bic": "CAIXESBBXXX", "active": "on"},
    )
    assert added.status_code == 302
    second = BankAccount.objects.get(iban=IBAN_2)
    assert second.account.code == "5720002"
    changed = accountant_client.post(
        f"/payments/bank-accounts/{second.pk}/",
        {"name": "Caja Rural", "iban": IBAN_2, "creditor_id": "ES46000B46123451"},
    )
    assert changed.status_code == 302
    second.refresh_from_db()
    assert (second.creditor_id, second.active, second.account.code) == ("ES46000B46123451", False, "5720002")


def test_a_credit_note_offsets_its_invoice_on_the_record_page(
    accountant_client, company, customer, make_invoice
):
    invoice = make_invoice("100.00")
    note = make_invoice("50.00", credit_of=invoice)
    (due,) = dues_of(invoice)
    (note_due,) = dues_of(note)
    form = accountant_client.get(RECORD, {"direction": "receivable", "party": customer.pk}).content.decode()
    assert 'id="offset-help"' in form
    answer = accountant_client.post(
        RECORD,
        {
            "direction": "receivable", "party": customer.pk, "date": "2026-03-20", "amount": "0", "method": "offset",
            "bank_account": "", "pick": [due.pk, note_due.pk], f"amount_{due.pk}": "60,50",
            f"amount_{note_due.pk}": "-60,50",
        },
    )  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:2000]
    offset = Payment.objects.get()
    assert (offset.method, offset.amount, offset.entry_id) == ("offset", D("0.00"), None)
    due.refresh_from_db()
    note_due.refresh_from_db()
    assert (due.state, note_due.state) == ("partial", "paid")
    assert customer_balance(company, customer) == open_minus_credit(company, customer) == D("60.50")


def test_the_supplier_invoice_page_shows_its_payable_due_amounts(accountant_client, supplier_invoice):
    invoice = supplier_invoice("200.00")
    html = accountant_client.get(f"/invoicing/supplier-invoices/{invoice.pk}/").content.decode()
    assert 'id="payments-panel" data-status="unpaid"' in html
    assert "direction=payable" in html and 'id="record-document-payment"' in html


def test_the_record_page_opens_on_the_direction_asked_without_errors(accountant_client):
    answer = accountant_client.get(RECORD, {"direction": "payable"})
    html = answer.content.decode()
    assert answer.status_code == 200 and 'role="alert"' not in html
    assert '<option value="payable" selected>' in html
