"""What the position and statement tests share: the books, an accountant, a customer reading Spanish with a
billing address, a bank account, invoices and credit notes posted through invoicing (so posting leaves their
due amounts), payments recorded through the payments services, and the customer's 4300 balance.

Import into a test module with `from nexo.payments.tests.factories_position import *`."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from nexo.accounting.models import Account, EntryLine
from nexo.accounting.services.ledger import journal_of
from nexo.accounting.services.payment_terms import payment_terms_setup
from nexo.core.aggregates import MoneySum
from nexo.invoicing import services as invoicing
from nexo.invoicing.services import InvoiceLineInput
from nexo.parties.services import party_create
from nexo.payments.models import BankAccount, Direction, DueAmount
from nexo.payments.services.payments import Match, payment_record

D = Decimal
DAY = date(2026, 3, 2)
ADDRESS = {"street": "Calle Colón 12", "postal_code": "46004", "city": "Valencia", "kind": "billing"}
__all__ = [
    "DAY", "D", "_english", "accountant", "accountant_client", "bank", "customer", "dues_of", "ledger_4300",
    "make_invoice", "pay",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _english(english):
    """Services' messages are asserted in English."""


@pytest.fixture
def accountant(make_user, company):
    journal_of(company, "GEN")  # the books: chart, journals, this year
    invoicing.settings_of(company)
    payment_terms_setup(company)
    return make_user("contable", "accounting", language="en")


@pytest.fixture
def accountant_client(accountant):
    client = Client()
    client.force_login(accountant)
    return client


@pytest.fixture
def customer(company, sales_user):
    party = party_create(
        company=company, by=sales_user, name="Reformas Turia, S.L.", tax_id="B46000014", addresses=[ADDRESS],
        status="customer", country="ES", email="admin@turia.example",
    )  # fmt: skip
    return party


@pytest.fixture
def bank(company, accountant):
    account = Account.objects.get(company=company, code="572")
    return BankAccount.objects.create(
        company=company, name="Banco Turia", iban="ES9121000418450200051332", account=account
    )


@pytest.fixture
def make_invoice(company, accountant, customer):
    """A posted invoice of one line at 21 % VAT (`net` → total net x 1.21), due on its date (no payment
    term); `credit_of`: a posted credit note of that invoice for `net` of its base."""

    def make(net="100.00", *, party=None, day=DAY, credit_of=None):
        if credit_of is not None:
            draft = invoicing.credit_note_create(
                company=company, by=accountant, invoice_id=credit_of.pk, reason="Devolución", amount=D(net)
            )
            type(draft).objects.filter(pk=draft.pk).update(date=day)
        else:
            draft = invoicing.invoice_create(
                company=company, by=accountant, party_id=(party or customer).pk, date=day,
                lines=[InvoiceLineInput(None, "Servicio", D(1), D(net), vat_rate=D(21))],
            )  # fmt: skip
        return invoicing.invoice_post(company=company, by=accountant, invoice_id=draft.pk)

    return make


def dues_of(company, invoice) -> list[DueAmount]:
    return list(DueAmount.objects.filter(company=company, origin_id=invoice.pk).order_by("installment"))


@pytest.fixture
def pay(company, accountant, customer, bank):
    """A receipt from the customer of `amount` on `day`, matched to `matches` ((due, amount) pairs); the
    rest kept as the customer's credit."""

    def record(amount, matches=(), *, day=DAY, party=None, keep_credit=True):
        return payment_record(
            company=company, by=accountant, direction=Direction.RECEIVABLE, party_id=(party or customer).pk,
            date=day, amount=D(amount), bank_account_id=bank.pk,
            allocations=[Match(due.pk, D(part)) for due, part in matches], keep_credit=keep_credit,
        )  # fmt: skip

    return record


def ledger_4300(company, party) -> Decimal:
    """The party's balance on 4300 in the books (posted lines)."""
    sums = EntryLine.objects.filter(
        company=company, party=party, account__code="4300", posted=True
    ).aggregate(debit=MoneySum("debit"), credit=MoneySum("credit"))
    return (sums["debit"] or D(0)) - (sums["credit"] or D(0))
