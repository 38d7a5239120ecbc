"""What the aging and reminder tests build on: a company's books, customers who read Spanish or English, due
amounts written as posting leaves them (one per installment, on the party's 4300) and payments recorded
through the service (in cash, so no bank account is needed)."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from nexo.accounting.services.fiscal_years import fiscal_year_ensure
from nexo.accounting.services.ledger import journal_of
from nexo.parties.models import Party
from nexo.payments.models import Direction, DueAmount
from nexo.payments.services.dues import party_account_id
from nexo.payments.services.payments import Match, payment_record

D = Decimal
__all__ = [
    "AT",
    "D",
    "accountant",
    "accountant_client",
    "books",
    "make_due",
    "make_party",
    "norte",
    "pay",
    "turia",
]
AT = date(2026, 6, 30)


@pytest.fixture
def books(company):
    journal_of(company, "GEN")
    for year in (2025, 2026, 2027):
        fiscal_year_ensure(company, year)
    return company


@pytest.fixture
def accountant(make_user, books):
    return make_user("contable", "accounting", language="en")


@pytest.fixture
def accountant_client(accountant):
    client = Client()
    client.force_login(accountant)
    return client


def make_party(company, name, *, language="es", email="", tax_id="", supplier=False) -> Party:
    return Party.objects.create(
        company=company, name=name, status=Party.Status.CUSTOMER, language=language, email=email, tax_id=tax_id,
        is_supplier=supplier,
    )  # fmt: skip


@pytest.fixture
def turia(company):
    return make_party(company, "Ferretería Turia, S.L.", email="cobros@turia.example", tax_id="B12345674")


@pytest.fixture
def norte(company):
    return make_party(company, "Estudio Norte, S.L.P.", language="en", email="accounts@norte.example")


def make_due(
    company, party, amount, *, document_date, due_date=None, number="F-2026-000001", installment=1,
    installments=1, direction=Direction.RECEIVABLE, model="invoicing.invoice",
) -> DueAmount:  # fmt: skip
    return DueAmount.objects.create(
        company=company, direction=direction, party=party,
        account_id=party_account_id(company, party.pk, direction), origin_model=model, origin_id=1,
        origin_number=number, installment=installment, installments=installments, document_date=document_date,
        due_date=due_date or document_date, currency="EUR", amount=D(amount),
    )  # fmt: skip


def pay(company, party, amount, day, *matches, by=None, keep_credit=False, direction=Direction.RECEIVABLE):
    """A cash receipt (or payment) of `amount` on `day`, matched to (due, amount) pairs."""
    return payment_record(
        company=company, by=by, direction=direction, party_id=party.pk, date=day, amount=D(amount), method="cash",
        allocations=[Match(due.pk, D(part)) for due, part in matches], keep_credit=keep_credit,
    )  # fmt: skip
