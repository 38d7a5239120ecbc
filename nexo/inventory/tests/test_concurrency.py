"""Stock under concurrent posting (PostgreSQL): row locks keep on hand and value exact, never negative."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from nexo.core.errors import Conflict
from nexo.core.rules import round_money
from nexo.inventory import services
from nexo.inventory.models import StockBalance, StockMove, StockQuant, ValuationEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


def at_once(count: int, action) -> list[str]:
    """Run `action(n)` in `count` threads released together; each result is "ok", "conflict: …" or an error."""
    results: list[str] = []
    barrier = threading.Barrier(count)

    def run(number: int):
        try:
            barrier.wait()
            with translation.override("en"):  # each thread starts in the default language (Spanish)
                action(number)
            results.append("ok")
        except Conflict as error:
            results.append(f"conflict: {error}")
        except Exception as error:
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("method", ["fifo", "average"])
def test_twenty_simultaneous_deliveries_of_ten_units_on_hand_let_exactly_ten_through(
    company, warehouse_user, make_item, stock, warehouse, receive, method
):
    item = make_item(f"CC-{method}", valuation_method=method)
    receive(item, 10, "2.50", date(2026, 2, 1))

    def deliver(_number):
        services.stock_move_create(
            company=company, by=warehouse_user, item_id=item.pk, quantity=Decimal(1),
            from_location_id=warehouse.stock_location_id, to_location_id=stock.customer_location_id,
            date=date(2026, 2, 2), done=True,
        )  # fmt: skip

    results = at_once(THREADS, deliver)
    assert results.count("ok") == 10, results
    refused = [result for result in results if result != "ok"]
    assert len(refused) == 10
    assert all(result.startswith("conflict: Not enough stock of") for result in refused), refused
    assert StockQuant.objects.get(item=item, location_id=warehouse.stock_location_id).quantity == 0
    balance = StockBalance.objects.get(item=item, warehouse=warehouse)
    assert (balance.quantity, balance.value) == (0, Decimal("0.00"))
    delivered = StockMove.objects.filter(
        item=item, state=StockMove.State.DONE, to_location_id=stock.customer_location_id
    )
    assert delivered.count() == 10
    assert (
        StockMove.objects.filter(item=item).count() == 11
    )  # the receipt and the 10 deliveries, nothing else
    assert sorted(move.value for move in delivered) == [Decimal("2.50")] * 10
    entries = list(ValuationEntry.objects.filter(item=item).order_by("date", "id"))
    assert [entry.quantity_after for entry in entries] == list(range(10, -1, -1))
    assert [entry.value_after for entry in entries] == [Decimal("2.50") * n for n in range(10, -1, -1)]


@pytest.mark.parametrize("method", ["fifo", "average"])
def test_twenty_simultaneous_receipts_of_a_new_item_all_count(
    company, warehouse_user, make_item, stock, warehouse, method
):
    """No balance row exists yet: the twenty first receipts race to create it, then queue on its lock."""
    item = make_item(f"CR-{method}", valuation_method=method)
    receipts = [(Decimal(number + 1), Decimal(f"{number + 1}.123457")) for number in range(THREADS)]

    def receive(number):
        quantity, unit_cost = receipts[number]
        services.stock_move_create(
            company=company, by=warehouse_user, item_id=item.pk, quantity=quantity,
            from_location_id=stock.supplier_location_id, to_location_id=warehouse.stock_location_id,
            unit_cost=unit_cost, date=date(2026, 2, 1), done=True,
        )  # fmt: skip

    results = at_once(THREADS, receive)
    assert results == ["ok"] * THREADS
    received = sum((quantity for quantity, _cost in receipts), Decimal(0))
    value = sum((round_money(quantity * unit_cost) for quantity, unit_cost in receipts), Decimal(0))
    balance = StockBalance.objects.get(item=item, warehouse=warehouse)
    assert (balance.received, balance.issued, balance.value) == (received, 0, value)
    assert StockQuant.objects.get(item=item, location_id=warehouse.stock_location_id).quantity == received
    # The entries form one chain: each starts where the one before it ended.
    entries = list(ValuationEntry.objects.filter(item=item).order_by("date", "id"))
    assert len(entries) == THREADS
    running_quantity, running_value = Decimal(0), Decimal(0)
    for entry in entries:
        running_quantity += entry.quantity
        running_value += entry.value
        assert (entry.received, entry.value_after) == (running_quantity, running_value)
    assert StockMove.objects.filter(item=item, state=StockMove.State.DONE).count() == THREADS
