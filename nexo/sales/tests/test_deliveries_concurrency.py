"""Two validations of one delivery note at once deliver it once (PostgreSQL: both lock the order, then the
delivery; the second finds it done)."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import translation

from nexo.core.errors import Conflict
from nexo.inventory.models import StockMove, StockQuant
from nexo.sales import services
from nexo.sales.models import Delivery, SalesOrderLine


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_validations_of_one_delivery_at_once_deliver_it_once(
    company, sales_user, warehouse_user, stocked_items, make_quotation, warehouse
):
    fifo = stocked_items["fifo"]  # 20 on hand: 10 @ 5.00, 10 @ 6.00
    quotation = make_quotation([{"item_id": fifo.pk, "quantity": "15"}])
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    order = services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
    delivery = order.deliveries.get()
    results, barrier = [], threading.Barrier(2)

    def validate():
        try:
            barrier.wait()
            with translation.override("en"):  # each thread starts in the default language (Spanish)
                services.delivery_validate(company=company, by=warehouse_user, delivery_id=delivery.pk)
            results.append("validated")
        except Conflict as error:
            results.append("conflict" if "only a draft is validated" in error.detail else error.detail)
        except Exception as error:  # a deadlock or any other failure shows up in the assertion
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=validate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["conflict", "validated"]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.cost) == ("done", D("80.00"))  # 10 @ 5.00 + 5 @ 6.00, once
    assert StockMove.objects.filter(item=fifo, state="done", origin_type="delivery").count() == 1
    assert StockQuant.objects.get(item=fifo, location_id=warehouse.stock_location_id).quantity == D(5)
    line = SalesOrderLine.objects.get(order=order)
    assert (line.delivered, line.delivered_cost) == (D(15), D("80.00"))
    assert Delivery.objects.filter(order=order).count() == 1  # nothing left over: no backorder
