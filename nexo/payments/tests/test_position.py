"""A customer's position and statement of account: the open balance always equals its 4300 balance, the
statement's running balance ends where the position stands."""

from datetime import date

import pytest

from nexo.accounting.models import PartyAccounting
from nexo.core.errors import NotFound, ValidationFailed
from nexo.parties.services import party_create
from nexo.payments.services.payments import Match, credit_apply, payment_reverse
from nexo.payments.services.position import open_balance, position, statement_of_account
from nexo.payments.tests.factories_position import *  # noqa: F403
from nexo.payments.tests.factories_position import DAY, D, dues_of, ledger_4300
from nexo.sales.models import SalesOrder, SalesOrderLine

pytestmark = pytest.mark.django_db


def test_the_open_balance_equals_the_4300_balance_through_invoices_payments_credit_notes_and_credit(
    company, accountant, customer, make_invoice, pay
):
    first = make_invoice("100.00")  # 121.00
    second = make_invoice("200.00")  # 242.00
    assert open_balance(company, customer.pk) == D("363.00") == ledger_4300(company, customer)

    pay("50.00", [(dues_of(company, first)[0], "50.00")])  # partial
    assert open_balance(company, customer.pk) == D("313.00") == ledger_4300(company, customer)

    make_invoice("20.00", credit_of=second)  # -24.20
    assert open_balance(company, customer.pk) == D("288.80") == ledger_4300(company, customer)

    kept = pay("100.00", [(dues_of(company, first)[0], "71.00")])  # 29.00 kept as credit
    assert open_balance(company, customer.pk) == D("188.80") == ledger_4300(company, customer)

    credit_apply(
        company=company, by=accountant, payment_id=kept.pk,
        allocations=[Match(dues_of(company, second)[0].pk, D("29.00"))],
    )  # fmt: skip
    assert open_balance(company, customer.pk) == D("188.80") == ledger_4300(company, customer)

    payment_reverse(company=company, by=accountant, payment_id=kept.pk, date=date(2026, 3, 20))
    assert open_balance(company, customer.pk) == D("288.80") == ledger_4300(company, customer)


def test_the_position_splits_overdue_from_not_yet_due_and_shows_credit_limit_orders_and_ledger(
    company, accountant, customer, make_invoice, pay, sales_user, warehouse
):
    late = make_invoice("100.00", day=date(2026, 2, 1))  # 121.00 due 1 February
    make_invoice("50.00", day=date(2026, 3, 10))  # 60.50 due 10 March
    pay("21.00", [(dues_of(company, late)[0], "21.00")], day=date(2026, 3, 5))
    pay("10.00", day=date(2026, 3, 6))  # kept as credit
    PartyAccounting.objects.create(party=customer, credit_limit=D("500.00"))
    order = SalesOrder.objects.create(
        company=company, number="PV-2026-00001", party=customer, salesperson=sales_user, warehouse=warehouse,
        date=DAY, currency="EUR", net=D("100.00"), total=D("121.00"),
    )  # fmt: skip
    SalesOrderLine.objects.create(
        order=order, description="Obra", quantity=D(4), unit_price=D(25), net=D("100.00"), tax_rate=D(21),
        invoiced_net=D("25.00"),
    )  # fmt: skip

    seen = position(company, customer.pk, at=date(2026, 3, 8))

    assert (seen.overdue, seen.not_yet_due, seen.unapplied_credits) == (D("100.00"), D("60.50"), D("10.00"))
    assert seen.overdue_count == 1
    assert seen.open_balance == D("150.50") == seen.ledger_balance and seen.agrees_with_ledger
    assert seen.open_orders == D("90.75")  # 75.00 left to invoice with 21 % VAT
    assert seen.credit_limit == D("500.00") and seen.available_credit == D("258.75")
    assert seen.last_payment_date == date(2026, 3, 6)


def test_a_party_without_anything_has_a_zero_position_and_no_limit(company, accountant, customer):
    seen = position(company, customer.pk)
    assert seen.open_balance == seen.ledger_balance == D("0.00")
    assert seen.credit_limit is None and seen.available_credit is None and not seen.over_limit


def test_the_statement_runs_from_the_opening_to_the_closing_balance(
    company, accountant, customer, make_invoice, pay
):
    before = make_invoice("100.00", day=date(2026, 1, 15))  # 121.00, before the statement
    invoice = make_invoice("200.00", day=date(2026, 2, 3))  # 242.00
    make_invoice("10.00", credit_of=invoice, day=date(2026, 2, 10))  # -12.10
    payment = pay("121.00", [(dues_of(company, before)[0], "121.00")], day=date(2026, 2, 12))
    payment_reverse(company=company, by=accountant, payment_id=payment.pk, date=date(2026, 2, 20))
    pay("50.00", day=date(2026, 3, 1))  # credit

    statement = statement_of_account(company, customer.pk, date(2026, 2, 1), date(2026, 2, 28))

    assert statement.opening_balance == D("121.00")
    assert [(m.date, m.kind, m.debit, m.credit, m.balance) for m in statement.movements] == [
        (date(2026, 2, 3), "invoice", D("242.00"), D("0.00"), D("363.00")),
        (date(2026, 2, 10), "credit_note", D("0.00"), D("12.10"), D("350.90")),
        (date(2026, 2, 12), "payment", D("0.00"), D("121.00"), D("229.90")),
        (date(2026, 2, 20), "reversal", D("121.00"), D("0.00"), D("350.90")),
    ]
    assert statement.closing_balance == D("350.90")
    whole = statement_of_account(company, customer.pk, date(2026, 1, 1), date(2026, 12, 31))
    assert whole.opening_balance == D("0.00")
    assert whole.closing_balance == open_balance(company, customer.pk) == ledger_4300(company, customer)


def test_a_statement_refuses_dates_out_of_order_and_another_companys_party(
    company, other_company, accountant, customer, sales_user
):
    with pytest.raises(ValidationFailed, match="start date is after"):
        statement_of_account(company, customer.pk, date(2026, 3, 1), date(2026, 2, 1))
    stranger = party_create(company=other_company, by=sales_user, name="Ajena, S.A.")
    with pytest.raises(NotFound):
        statement_of_account(company, stranger.pk, date(2026, 1, 1), date(2026, 2, 1))


def test_the_position_reads_a_fixed_number_of_queries(
    company, accountant, customer, make_invoice, pay, django_assert_num_queries
):
    make_invoice("100.00")
    with django_assert_num_queries(5):
        position(company, customer.pk)
    for _index in range(5):
        invoice = make_invoice("10.00")
        pay("5.00", [(dues_of(company, invoice)[0], "5.00")])
    with django_assert_num_queries(5):
        position(company, customer.pk)
    with django_assert_num_queries(5):
        statement_of_account(company, customer.pk, date(2026, 1, 1), date(2026, 12, 31))
