from datetime import date
from decimal import Decimal

import pytest

from nexo.crm import services
from nexo.parties.services import party_create


@pytest.fixture
def party(company, sales_user):
    return party_create(company=company, by=sales_user, name="Reformas Turia, S.L.", email="info@turia.es")


@pytest.fixture
def make_opportunity(company, sales_user, party):
    def make(title="Material eléctrico obra", *, by=None, owner=None, amount="1000.00", **fields):
        by = by or sales_user
        return services.opportunity_create(
            company=company, by=by, party_id=fields.pop("party_id", party.pk), title=title,
            owner_id=(owner or by).pk, amount=Decimal(amount),
            expected_close=fields.pop("expected_close", date(2026, 12, 15)), **fields,
        )  # fmt: skip

    return make


@pytest.fixture
def stages(company):
    return {stage.name: stage for stage in services.stages_ensure_defaults(company=company)}
