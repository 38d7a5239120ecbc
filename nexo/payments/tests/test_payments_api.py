"""The payments API: due amounts listed and read, payments recorded, read, reversed and their credit applied,
bank accounts; every refusal a problem+json that changes nothing; another company's ids answer 404 / 422."""

import pytest
from django.utils import timezone

from nexo.payments.models import BankAccount, DueAmount, Payment
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_payments import IBAN_2, customer_balance, open_minus_credit

PROBLEM = "application/problem+json"


@pytest.fixture
def client(api_as, accountant):
    return api_as(accountant)


@pytest.fixture
def invoice_dues(company, make_invoice):
    invoice = make_invoice("100.00", term_name="30-60-90 días")  # 40.33, 40.33, 40.34
    return invoice, list(DueAmount.objects.filter(origin_id=invoice.pk).order_by("installment"))


def body(customer, bank, amount, allocations, **extra):
    return {
        "direction": "receivable", "party_id": customer.pk, "date": "2026-03-20", "amount": amount,
        "method": "transfer", "bank_account_id": bank.pk, "reference": "TRF 1",
        "allocations": [{"due_id": due.pk, "amount": part} for due, part in allocations], **extra,
    }  # fmt: skip


def test_the_due_amounts_are_listed_with_filters_and_totals(client, customer, invoice_dues):
    invoice, dues = invoice_dues
    answer = client.get("/payments/dues", direction="receivable", party_id=customer.pk)
    assert answer.status_code == 200
    data = answer.json()
    assert data["count"] == 3
    assert [item["amount"] for item in data["items"]] == ["40.33", "40.33", "40.34"]
    assert (data["total_amount"], data["total_remaining"]) == ("121.00", "121.00")
    first = data["items"][0]
    assert (first["origin"], first["origin_id"], first["state"]) == ("invoicing.invoice", invoice.pk, "open")
    assert client.get("/payments/dues", due_before="2026-04-02").json()["count"] == 1
    assert client.get("/payments/dues", direction="payable").json()["count"] == 0
    overdue = sum(due.due_date < timezone.localdate() for due in dues)
    assert client.get("/payments/dues", overdue="true").json()["count"] == overdue
    assert client.get(f"/payments/dues/{dues[0].pk}").json()["remaining"] == "40.33"


def test_a_partial_payment_through_the_api_and_its_reversal(client, company, customer, bank, invoice_dues):
    invoice, dues = invoice_dues
    answer = client.post(
        "/payments/payments", body(customer, bank, "50.00", [(dues[0], "40.33"), (dues[1], "9.67")])
    )
    assert answer.status_code == 201, answer.content
    payment = answer.json()
    assert (payment["number"], payment["amount"], payment["applied"], payment["unapplied"]) == (
        "COB-2026-00001", "50.00", "50.00", "0.00",
    )  # fmt: skip
    assert [(row["due_id"], row["amount"]) for row in payment["allocations"]] == [
        (dues[0].pk, "40.33"), (dues[1].pk, "9.67"),
    ]  # fmt: skip
    states = client.get("/payments/dues", origin="invoicing.invoice", origin_id=invoice.pk).json()["items"]
    assert [row["state"] for row in states] == ["paid", "partial", "open"]
    assert customer_balance(company, customer) == open_minus_credit(company, customer) == D("71.00")  # noqa: F405

    reversed_answer = client.post(f"/payments/payments/{payment['id']}/reverse", {})
    assert reversed_answer.status_code == 200, reversed_answer.content
    assert reversed_answer.json()["state"] == "reversed"
    assert {due.state for due in DueAmount.objects.filter(origin_id=invoice.pk)} == {"open"}
    again = client.post(f"/payments/payments/{payment['id']}/reverse", {})
    assert (again.status_code, again["Content-Type"]) == (409, PROBLEM)


def test_credit_kept_then_applied_through_the_api(
    client, company, customer, bank, invoice_dues, make_invoice
):
    _invoice, dues = invoice_dues
    answer = client.post(
        "/payments/payments", body(customer, bank, "100.00", [(dues[0], "40.33")], keep_credit=True)
    )
    assert answer.status_code == 201
    payment = answer.json()
    assert payment["unapplied"] == "59.67"
    applied = client.post(
        f"/payments/payments/{payment['id']}/apply-credit",
        {"allocations": [{"due_id": dues[1].pk, "amount": "40.33"}]},
    )
    assert applied.status_code == 200, applied.content
    assert applied.json()["unapplied"] == "19.34"
    listed = client.get("/payments/payments", party_id=customer.pk).json()
    assert [item["number"] for item in listed["items"]] == ["COB-2026-00001"]
    assert customer_balance(company, customer) == open_minus_credit(company, customer)


@pytest.mark.parametrize(
    ("amount", "parts", "extra", "status", "field"),
    [
        ("0", ["40.33"], {}, 422, "amount"),
        ("50.00", ["40.33"], {}, 422, "amount"),  # over-paying without keep_credit
        ("10.00", ["40.33"], {}, 422, "allocations"),
        ("80.66", ["40.33", "40.33"], {"same_twice": True}, 422, "allocations"),
        ("50.00", ["50.00"], {"keep_credit": True}, 422, "allocations"),  # more than the due has left
        ("10.5", ["10.5"], {"bank_account_id": 999999}, 422, "bank_account_id"),
        ("ten", ["10"], {}, 422, "amount"),
    ],
)
def test_bad_payments_answer_problems_and_change_nothing(
    client, customer, bank, invoice_dues, amount, parts, extra, status, field
):
    _invoice, dues = invoice_dues
    chosen = [dues[0]] * len(parts) if extra.pop("same_twice", False) else dues
    answer = client.post(
        "/payments/payments", body(customer, bank, amount, list(zip(chosen, parts)), **extra)
    )
    assert (answer.status_code, answer["Content-Type"]) == (status, PROBLEM), answer.content
    assert field in [error["field"].split(".")[0] for error in answer.json()["errors"]]
    assert not Payment.objects.exists()
    assert {due.paid for due in DueAmount.objects.all()} == {D("0.00")}  # noqa: F405


def test_another_companys_due_amount_or_payment_is_not_there(
    client, company, other_company, customer, bank, invoice_dues
):
    _invoice, dues = invoice_dues
    DueAmount.objects.filter(pk=dues[0].pk).update(company=other_company)
    answer = client.post("/payments/payments", body(customer, bank, "40.33", [(dues[0], "40.33")]))
    assert (answer.status_code, answer["Content-Type"]) == (422, PROBLEM)
    assert client.get(f"/payments/dues/{dues[0].pk}").status_code == 404
    assert client.get("/payments/payments/999999").status_code == 404
    assert client.post("/payments/payments/999999/reverse", {}).status_code == 404


def test_a_due_amount_of_another_party_is_refused(client, company, sales_user, bank, invoice_dues):
    from nexo.parties.services import party_create

    other = party_create(company=company, by=sales_user, name="Otro Cliente", status="customer")
    _invoice, dues = invoice_dues
    answer = client.post("/payments/payments", body(other, bank, "40.33", [(dues[0], "40.33")]))
    assert (answer.status_code, answer["Content-Type"]) == (422, PROBLEM)
    assert [error["field"] for error in answer.json()["errors"]] == ["allocations"]
    assert not Payment.objects.exists()


def test_a_sales_user_reads_due_amounts_but_records_no_payment(api, customer, bank, invoice_dues):
    _invoice, dues = invoice_dues
    assert api.get("/payments/dues").status_code == 200
    answer = api.post("/payments/payments", body(customer, bank, "40.33", [(dues[0], "40.33")]))
    assert answer.status_code == 403


def test_bank_accounts_are_added_read_and_changed(client, company, accountant):
    answer = client.post(
        "/payments/bank-accounts", {"name": "Caja Rural", "iban": "es79 2100 0813 6101 2345 6789"}
    )
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert (created["iban"], created["account_code"]) == (IBAN_2, "5720001")
    changed = client.patch(
        f"/payments/bank-accounts/{created['id']}", {"bic": "CAIXESBBXXX", "creditor_id": "ES46000B46123451"}
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["bic"], changed.json()["iban"]) == ("CAIXESBBXXX", IBAN_2)
    assert client.get("/payments/bank-accounts").json()["count"] == 1
    for bad, field in [
        ({"name": "X", "iban": "ES0000000000000000000000"}, "iban"),
        ({"name": "X", "iban": "ES9121000418450200051332", "bic": "NOPE"}, "bic"),
        ({"name": "X", "iban": "ES9121000418450200051332", "creditor_id": "ES00000B46123451"}, "creditor_id"),
        ({"name": "X", "iban": IBAN_2}, "iban"),  # the company has it already
    ]:
        refused = client.post("/payments/bank-accounts", bad)
        assert (refused.status_code, refused["Content-Type"]) == (422, PROBLEM), bad
        assert refused.json()["errors"][0]["field"] == field
    assert BankAccount.objects.count() == 1
