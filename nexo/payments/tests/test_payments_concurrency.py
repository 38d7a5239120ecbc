"""On PostgreSQL: one due amount paid twice at once never ends over-paid; the due amounts' row locks make the
second payment read what the first paid."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from nexo.core.errors import DomainError
from nexo.payments.models import DueAmount, Payment
from nexo.payments.services.payments import Match, payment_record
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_payments import DAY, D, customer_balance, open_minus_credit


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("part", ["121.00", "80.00"])
def test_one_due_amount_paid_twice_at_once_never_ends_over_paid(
    company, accountant, customer, bank, make_invoice, part
):
    invoice = make_invoice("100.00")  # 121.00 due
    due = DueAmount.objects.get(origin_id=invoice.pk, origin_model="invoicing.invoice")
    results, barrier = [], threading.Barrier(2)

    def pay():
        try:
            barrier.wait()
            with translation.override("en"):
                payment_record(
                    company=company, by=accountant, direction="receivable", party_id=customer.pk, date=DAY,
                    amount=D(part), bank_account_id=bank.pk, allocations=[Match(due.pk, D(part))],
                )  # fmt: skip
            results.append("paid")
        except DomainError as error:
            results.append(
                "refused" if ("left to pay" in error.detail or "is paid" in error.detail) else error.detail
            )
        except Exception as error:  # a deadlock or any other failure shows up in the assertion
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["paid", "refused"]
    due.refresh_from_db()
    assert due.paid == D(part) <= due.amount
    assert Payment.objects.count() == 1
    assert customer_balance(company, customer) == open_minus_credit(company, customer)
