"""Stock in the ledger under concurrent requests (PostgreSQL): the period-end variation posted once however many
ask at once; perpetual deliveries at once each post their entry, numbered without gaps, and the stock account
still equals the valuation."""

from datetime import date
from decimal import Decimal

import pytest

from nexo.accounting.models import AccountingSettings, Entry
from nexo.accounting.services.ledger import journal_of
from nexo.inventory import accounting, queries, services
from nexo.inventory.tests.test_concurrency import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = date(2026, 2, 2)


@pytest.fixture
def stock_account(company):
    journal_of(company, "GEN")
    from nexo.accounting.models import Account

    return Account.objects.get(company=company, code="300")


def test_ten_variations_at_once_post_one_entry(company, make_user, make_item, receive, stock_account):
    accountant = make_user("contable", "accounting")
    receive(make_item("VC-1", valuation_method="fifo"), 10, "2.50", date(2026, 1, 10))

    results = at_once(
        10, lambda _n: accounting.stock_variation_post(company=company, by=accountant, date=date(2026, 1, 31))
    )
    assert results.count("ok") == 1, results
    assert all("nothing to post" in result for result in results if result != "ok"), results
    assert Entry.objects.filter(company=company, journal__code="EXI").count() == 1
    assert accounting.account_balance_at(company, stock_account.pk, date(2026, 1, 31)) == Decimal("25.00")


def test_perpetual_deliveries_at_once_keep_the_stock_account_equal_to_the_valuation(
    company, warehouse_user, make_item, stock, warehouse, receive, stock_account
):
    AccountingSettings.objects.filter(company=company).update(stock_method="perpetual")
    items = [make_item(f"PC-{number}", valuation_method="average") for number in range(8)]
    for item in items:
        receive(item, 4, "3.00", date(2026, 2, 1))

    def deliver(number):
        services.stock_move_create(
            company=company, by=warehouse_user, item_id=items[number].pk, quantity=Decimal(1),
            from_location_id=warehouse.stock_location_id, to_location_id=stock.customer_location_id,
            date=DAY, done=True,
        )  # fmt: skip

    results = at_once(len(items), deliver)
    assert results == ["ok"] * len(items)
    entries = list(Entry.objects.filter(company=company, journal__code="EXI").order_by("sequence"))
    assert [entry.sequence for entry in entries] == list(range(1, 2 * len(items) + 1))
    total = queries.valuation(company, day=DAY).total
    assert total == Decimal("3.00") * 3 * len(items)
    assert accounting.account_balance_at(company, stock_account.pk, DAY) == total
