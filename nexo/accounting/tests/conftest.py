import pytest

from nexo.accounting.models import Account
from nexo.accounting.services.ledger import journal_of
from nexo.parties.models import Party


@pytest.fixture(autouse=True)
def _english(english):
    """Services' messages are asserted in English; pages answer in the language each request asks for."""


@pytest.fixture
def books(company):
    """The company's books set up (PGC chart, journals, this year); code → Account."""
    journal_of(company, "GEN")
    return {account.code: account for account in Account.objects.filter(company=company)}


@pytest.fixture
def accountant(make_user):
    return make_user("contable", "accounting")


@pytest.fixture
def customer(company):
    return Party.objects.create(company=company, name="Cliente Uno, S.L.", status="customer", tax_id="B12345674")


@pytest.fixture
def supplier(company):
    return Party.objects.create(company=company, name="Proveedor Uno, S.A.", is_supplier=True, tax_id="A11111111")
