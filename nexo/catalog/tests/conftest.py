from decimal import Decimal

import pytest

from nexo.catalog import services
from nexo.catalog.models import TaxCategory, Unit


@pytest.fixture
def catalog(company):
    """The company's catalog set-up: units, Spanish VAT, the PVP list and defaults."""
    return services.catalog_setup(company=company)


@pytest.fixture
def make_item(company, sales_user, catalog):
    unit = Unit.objects.get(company=company, code="ud")
    vat = TaxCategory.objects.get(company=company, code="general")

    def make(sku, base_price="10.00", **fields):
        defaults = {
            "name": f"Artículo {sku}",
            "unit_id": unit.pk,
            "sale_tax_id": vat.pk,
            "purchase_tax_id": vat.pk,
        }
        return services.item_create(
            company=company, by=sales_user, sku=sku, base_price=Decimal(base_price), **(defaults | fields)
        )  # fmt: skip

    return make
