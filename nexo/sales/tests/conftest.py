from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from nexo.crm import services as crm
from nexo.parties.services import party_create
from nexo.purchasing import services as purchasing
from nexo.sales import services


@pytest.fixture(autouse=True)
def _english(english):
    """Messages are asserted in English; the Spanish catalogue has its own test."""


@pytest.fixture(autouse=True)
def work_after_commit(settings, monkeypatch):
    """What a service leaves for after its commit (the quotation's e-mail) runs as in production: when the
    service's outermost transaction ends, not when the test's own one (which never commits) would; and the
    tasks it queues run at once. A test that wants them kept sets another task backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    leave_atomic = transaction.Atomic.__exit__

    def leave_then_run_committed(self, exc_type, exc_value, traceback):
        leave_atomic(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        blocks = connection.atomic_blocks
        if exc_type is None and blocks and all(block._from_testcase for block in blocks):
            waiting, connection.run_on_commit = connection.run_on_commit, []
            for _savepoints, callback, _robust in waiting:
                callback()

    monkeypatch.setattr(transaction.Atomic, "__exit__", leave_then_run_committed)


@pytest.fixture
def lead(company, sales_user):
    return party_create(company=company, by=sales_user, name="Reformas Turia, S.L.", email="compras@turia.es")


@pytest.fixture
def opportunity(company, sales_user, lead):
    crm.stages_ensure_defaults(company=company)
    return crm.opportunity_create(
        company=company, by=sales_user, party_id=lead.pk, title="Reforma oficinas", owner_id=sales_user.pk,
        amount=Decimal("1000.00"), expected_close=date(2026, 12, 15),
    )  # fmt: skip


@pytest.fixture
def stocked_items(company, sales_user, make_item, receive, catalog):
    """One item per method, each with receipts 10 @ 5.00 and 10 @ 6.00 and a list price of 9.00."""
    supplier = party_create(company=company, by=sales_user, name="Proveedor Uno", is_supplier=True)
    items = {}
    for method in ("fifo", "average", "last_purchase"):
        item = make_item(
            f"Q-{method.upper()}", base_price="9.00", valuation_method=method, min_margin=Decimal("20")
        )
        receive(item, 10, "5.00", date(2026, 1, 1))
        receive(item, 10, "6.00", date(2026, 1, 2))
        purchasing.supplier_price_create(
            company=company,
            by=sales_user,
            item_id=item.pk,
            supplier_id=supplier.pk,
            unit_price=Decimal("7.00"),
        )
        items[method] = item
    return items


@pytest.fixture
def make_quotation(company, sales_user, opportunity):
    def make(lines, *, by=None, **fields):
        fields.setdefault("opportunity_id", opportunity.pk)
        return services.quotation_create(company=company, by=by or sales_user, lines=lines, **fields)

    return make
