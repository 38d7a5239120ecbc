"""What the due amount, payment and bank account tests share: the company's books and payment terms, an
accountant, a customer and a supplier, a bank account, invoices posted with a payment term (so posting
leaves their due amounts), and the party's balance on its receivable account to compare with them.

Import the fixtures into a test module with `from nexo.payments.tests.factories_payments import *`."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client

from nexo.accounting.models import EntryLine, PaymentTerm
from nexo.accounting.services.payment_terms import payment_terms_setup
from nexo.invoicing import services as invoicing
from nexo.invoicing.services import InvoiceLineInput
from nexo.parties.services import party_create
from nexo.payments.models import DueAmount, Payment
from nexo.payments.services.bank_accounts import bank_account_save

D = Decimal
DAY = date(2026, 3, 2)
IBAN = "ES9121000418450200051332"
IBAN_2 = "ES7921000813610123456789"
ADDRESS = {"street": "Calle Colón 12", "postal_code": "46004", "city": "Valencia", "kind": "billing"}
__all__ = [
    "ADDRESS",
    "DAY",
    "IBAN",
    "IBAN_2",
    "D",
    "_english",
    "accountant",
    "accountant_client",
    "bank",
    "customer",
    "customer_balance",
    "make_invoice",
    "open_minus_credit",
    "sales_invoice",
    "supplier",
    "supplier_invoice",
    "term",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _english(english):
    """Services' messages are asserted in English."""


@pytest.fixture
def accountant(make_user, company):
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
    return party_create(
        company=company, by=sales_user, name="Reformas Turia, S.L.", tax_id="B46000014", addresses=[ADDRESS],
        status="customer", country="ES",
    )  # fmt: skip


@pytest.fixture
def supplier(company, sales_user):
    return party_create(company=company, by=sales_user, name="Ferretería Mayorista, S.A.", is_supplier=True)


@pytest.fixture
def bank(company, accountant):
    return bank_account_save(company=company, by=accountant, name="Banco Turia", iban=IBAN)


@pytest.fixture
def term(company, accountant):
    def named(name: str) -> PaymentTerm:
        return PaymentTerm.objects.get(company=company, name=name)

    return named


@pytest.fixture
def make_invoice(company, accountant, customer, term):
    """A posted invoice of one line at 21 % VAT (net → total net x 1.21) with the term named (30 días by
    default); `credit_of`: a posted credit note of that invoice, for `net` of its base."""

    def make(net="100.00", *, term_name="30 días", party=None, day=DAY, credit_of=None):
        if credit_of is not None:
            draft = invoicing.credit_note_create(
                company=company, by=accountant, invoice_id=credit_of.pk, reason="Devolución", amount=D(net)
            )
        else:
            draft = invoicing.invoice_create(
                company=company, by=accountant, party_id=(party or customer).pk, date=day,
                lines=[InvoiceLineInput(None, "Servicio", D(1), D(net), vat_rate=D(21))],
            )  # fmt: skip
            type(draft).objects.filter(pk=draft.pk).update(payment_term=term(term_name))
        return invoicing.invoice_post(company=company, by=accountant, invoice_id=draft.pk)

    return make


@pytest.fixture
def sales_invoice(make_invoice):
    return make_invoice()


@pytest.fixture
def supplier_invoice(company, accountant, supplier, term):
    def make(net="200.00", number="A-101", term_name="30 días"):
        draft = invoicing.supplier_invoice_create(
            company=company, by=accountant, party_id=supplier.pk, supplier_number=number, date=DAY,
            lines=[{"description": "Material", "quantity": "1", "unit_price": net, "vat_rate": "21"}],
        )  # fmt: skip
        type(draft).objects.filter(pk=draft.pk).update(payment_term=term(term_name))
        return invoicing.supplier_invoice_post(company=company, by=accountant, invoice_id=draft.pk)

    return make


def customer_balance(company, party, code_prefix="430") -> Decimal:
    """Debits minus credits of the party's posted lines on its receivable accounts."""
    totals = EntryLine.objects.filter(
        company=company, party=party, posted=True, account__code__startswith=code_prefix
    ).aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return (totals["debit"] or D(0)) - (totals["credit"] or D(0))


def open_minus_credit(company, party) -> Decimal:
    """What the sub-ledger says the party owes: open due amounts less its payments' unapplied credit."""
    dues = DueAmount.objects.filter(company=company, party=party, direction="receivable")
    owed = sum((due.amount - due.paid for due in dues), D(0))
    payments = Payment.objects.filter(
        company=company, party=party, direction="receivable", state=Payment.State.POSTED
    )
    credit = sum((payment.amount - payment.applied for payment in payments), D(0))
    return owed - credit
