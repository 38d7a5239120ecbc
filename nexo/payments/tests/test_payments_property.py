"""Hypothesis: whatever sequence of payments (partial, full, with credit kept), reversals and credit
applications, the customer's 4300 balance equals its open due amounts less its unapplied credit, no due amount
is paid beyond its amount, and a refused step changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexo.core.errors import DomainError
from nexo.payments.models import DueAmount, Payment
from nexo.payments.services.payments import Match, credit_apply, payment_record, payment_reverse
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_payments import customer_balance, open_minus_credit

DAY = date(2026, 3, 20)
cents = st.integers(min_value=1, max_value=15000).map(lambda value: Decimal(value) / 100)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(0, 3), cents, st.booleans()),
        st.tuples(st.just("reverse"), st.integers(0, 5)),
        st.tuples(st.just("apply"), st.integers(0, 5), st.integers(0, 3), cents),
    ),
    min_size=1,
    max_size=8,
)


class Rollback(Exception):
    """Ends an example's transaction: each example starts from the same invoices."""


@pytest.fixture
def open_dues(company, make_invoice):
    make_invoice("100.00", term_name="30-60-90 días")
    make_invoice("20.00")
    return list(DueAmount.objects.filter(company=company).order_by("pk"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_the_ledger_and_the_due_amounts_always_agree(
    company, accountant, customer, bank, open_dues, sequence
):
    try:
        with transaction.atomic():
            run(company, accountant, customer, bank, open_dues, sequence)
            raise Rollback
    except Rollback:
        pass


def run(company, accountant, customer, bank, dues, sequence):
    payments: list[int] = []
    for step in sequence:
        before = (customer_balance(company, customer), open_minus_credit(company, customer))
        try:
            with transaction.atomic():
                if step[0] == "pay":
                    _kind, index, amount, keep_credit = step
                    due = DueAmount.objects.get(pk=dues[index].pk)
                    part = min(amount, due.amount - due.paid)
                    allocations = [Match(due.pk, part)] if part > 0 else []
                    payment = payment_record(
                        company=company, by=accountant, direction="receivable", party_id=customer.pk, date=DAY,
                        amount=amount, bank_account_id=bank.pk, allocations=allocations, keep_credit=keep_credit,
                    )  # fmt: skip
                    payments.append(payment.pk)
                elif step[0] == "reverse" and payments:
                    payment_reverse(
                        company=company, by=accountant, payment_id=payments[step[1] % len(payments)]
                    )
                elif step[0] == "apply" and payments:
                    _kind, which, index, amount = step
                    credit_apply(
                        company=company, by=accountant, payment_id=payments[which % len(payments)],
                        allocations=[Match(dues[index].pk, amount)],
                    )  # fmt: skip
        except DomainError:
            assert (customer_balance(company, customer), open_minus_credit(company, customer)) == before
        assert customer_balance(company, customer) == open_minus_credit(company, customer)
        for due in DueAmount.objects.filter(company=company):
            assert Decimal(0) <= due.paid <= due.amount
        for payment in Payment.objects.filter(company=company, state="posted"):
            assert Decimal(0) <= payment.applied <= payment.amount
