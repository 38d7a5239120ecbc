from decimal import Decimal

import pytest

from nexo.parties.services import party_create
from nexo.purchasing import services


@pytest.fixture(autouse=True)
def _english(english):
    """Messages are asserted in English; the Spanish catalogue has its own test."""


@pytest.fixture
def supplier(company, sales_user):
    return party_create(company=company, by=sales_user, name="Ferretería Mayorista, S.A.", is_supplier=True)


@pytest.fixture
def make_supplier_price(company, sales_user, supplier):
    def make(item, unit_price, **fields):
        fields.setdefault("supplier_id", supplier.pk)
        return services.supplier_price_create(
            company=company, by=sales_user, item_id=item.pk, unit_price=Decimal(unit_price), **fields
        )

    return make
