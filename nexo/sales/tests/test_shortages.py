"""Availability on quotation and order lines, and an order's shortages bought from the supplier and at the
price its quotation was costed with."""

import threading
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from nexo.conftest import ApiClient
from nexo.core.errors import Conflict, NotFound
from nexo.parties.services import party_create
from nexo.purchasing import services as purchasing
from nexo.purchasing.models import PurchaseOrder, PurchaseOrderLine, SupplierPrice
from nexo.sales import queries, services
from nexo.sales.models import SalesOrder


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def buyer(make_user):
    return make_user("compras", "purchasing")


@pytest.fixture
def boss(make_user, company, other_company):
    return make_user("jefa", "manager", companies=[company, other_company], language="en")


@pytest.fixture
def short_item(company, sales_user, make_item, receive):
    """4 units in stock at 3.00 (FIFO): a quotation of 4 is costed from stock alone; the preferred supplier
    sells it at 3.50 today."""
    item = make_item("S-STOCK", base_price="9.00", valuation_method="fifo")
    receive(item, 4, "3.00", date(2026, 1, 1))
    preferred = party_create(company=company, by=sales_user, name="Preferido, S.A.", is_supplier=True)
    purchasing.supplier_price_create(
        company=company, by=sales_user, item_id=item.pk, supplier_id=preferred.pk, unit_price=D("3.50")
    )
    purchasing.item_purchasing_set(
        company=company, by=sales_user, item_id=item.pk, preferred_supplier=preferred.pk
    )
    return item


@pytest.fixture
def order(company, sales_user, stocked_items, short_item, make_quotation, deliver):
    """An accepted order of 30 FIFO (20 in stock: 10 costed at the supplier's 7.00), 25 average (5 at
    7.00, whose price has since risen to 7.50) and 4 of the stock-costed item, 2 of which then leave for
    another customer."""
    quotation = make_quotation([
        {"item_id": stocked_items["fifo"].pk, "quantity": "30"},
        {"item_id": stocked_items["average"].pk, "quantity": "25"},
        {"item_id": short_item.pk, "quantity": "4"},
        {"description": "Montaje", "quantity": "1", "unit_price": "50.00"},
    ])  # fmt: skip
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    accepted = services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
    SupplierPrice.objects.filter(item=stocked_items["average"]).update(unit_price=D("7.50"))
    deliver(short_item, 2, date(2026, 1, 21))
    return accepted


def _lines(company, order):
    return {
        line.description: line for line in queries.with_supply(company, order, queries.order_lines(order))
    }


def test_order_lines_show_what_is_available_and_what_they_are_short_of(
    company, order, stocked_items, short_item
):
    lines = _lines(company, order)
    fifo, average = lines[stocked_items["fifo"].name], lines[stocked_items["average"].name]
    stocked = lines[short_item.name]
    # 20 on hand, 30 reserved by this order: 20 there for it (its own reservation counted back), 10 short.
    assert (fifo.availability.available, fifo.to_deliver, fifo.available, fifo.shortage) == (
        D(-10),
        D(30),
        D(20),
        D(10),
    )
    assert (average.available, average.shortage, average.to_buy) == (D(20), D(5), D(5))
    assert (stocked.available, stocked.shortage, stocked.to_buy) == (D(2), D(2), D(2))
    assert lines["Montaje"].availability is None and lines["Montaje"].shortage == 0


def test_buying_shortages_uses_the_frozen_supplier_and_price_else_the_preferred_supplier(
    company, buyer, order, stocked_items, short_item
):
    bought = services.sales_order_buy_shortages(company=company, by=buyer, order_id=order.pk)
    by_sku = {entry.line.item.sku: entry for entry in bought}
    assert {
        sku: (entry.quantity, entry.unit_price, entry.from_frozen_cost) for sku, entry in by_sku.items()
    } == {
        "Q-FIFO": (D(10), D("7.00"), True),
        "Q-AVERAGE": (D(5), D("7.50"), True),  # the supplier it was costed from, at today's price
        "S-STOCK": (D(2), D("3.50"), False),  # costed from stock: the preferred supplier's current price
    }
    # One draft per supplier, each line naming the sales order line and the cost it was costed at.
    assert by_sku["Q-FIFO"].purchase_order == by_sku["Q-AVERAGE"].purchase_order
    assert PurchaseOrder.objects.filter(state="draft").count() == 2
    purchase = PurchaseOrderLine.objects.get(item=short_item)
    assert (purchase.origin_type, purchase.origin_id, purchase.origin_label) == (
        "sales_order_line",
        by_sku["S-STOCK"].line.pk,
        order.number,
    )
    assert purchase.origin_unit_cost == D("3.000000") and purchase.order.warehouse_id == order.warehouse_id
    lines = _lines(company, order)
    average = lines[stocked_items["average"].name]
    assert (average.buying, average.to_buy) == (D(5), D(0))
    [on_order] = average.purchases
    # The line's unit cost (5.80) mixes stock at 5.50 and the supplier's 7.00: the units bought are compared
    # with the 7.00 the quotation assumed for them.
    assert (
        average.unit_cost,
        on_order.costed_unit_cost,
        on_order.company_unit_price,
        on_order.difference,
    ) == (D("5.800000"), D("7.000000"), D("7.500000"), D("0.500000"))
    # Nothing left to buy: a second click is refused and adds nothing.
    with pytest.raises(Conflict, match="Nothing on this order is short"):
        services.sales_order_buy_shortages(company=company, by=buyer, order_id=order.pk)
    assert PurchaseOrderLine.objects.count() == 3


def test_an_existing_draft_for_the_supplier_gets_the_lines_and_a_confirmed_order_counts_as_on_order(
    company, buyer, order, short_item
):
    [line] = [line for line in order.lines.all() if line.item_id == short_item.pk]
    draft = PurchaseOrder.objects.get(pk=services.sales_order_buy_shortages(
        company=company, by=buyer, order_id=order.pk, line_ids=[line.pk]
    )[0].purchase_order.pk)  # fmt: skip
    assert draft.lines.count() == 1
    draft.expected_date = date(2026, 12, 12)
    draft.save()
    purchasing.purchase_order_confirm(company=company, by=buyer, order_id=draft.pk)
    supply = _lines(company, order)[short_item.name]
    assert (supply.availability.on_order, supply.availability.next_receipt) == (D(2), date(2026, 12, 12))
    assert (supply.available, supply.shortage, supply.buying, supply.to_buy) == (D(4), D(0), D(0), D(0))
    with pytest.raises(Conflict):
        services.sales_order_buy_shortages(company=company, by=buyer, order_id=order.pk, line_ids=[line.pk])


def test_buying_is_refused_for_another_company_an_unknown_line_or_an_item_without_supplier(
    company, other_company, buyer, order, short_item
):
    with pytest.raises(NotFound):
        services.sales_order_buy_shortages(company=other_company, by=buyer, order_id=order.pk)
    with pytest.raises(Exception, match="no line"):
        services.sales_order_buy_shortages(company=company, by=buyer, order_id=order.pk, line_ids=[10**9])
    SupplierPrice.objects.filter(item=short_item).delete()
    with pytest.raises(Exception, match="S-STOCK has no supplier price"):
        services.sales_order_buy_shortages(company=company, by=buyer, order_id=order.pk)
    assert not PurchaseOrderLine.objects.exists()


def test_the_order_page_shows_availability_buys_and_compares_prices(
    company, boss, buyer, sales_user, order, stocked_items, short_item, django_assert_max_num_queries
):
    client = _client_for(boss)
    url = reverse("sales:order_view", args=[order.pk])
    page = client.get(url).content.decode()
    assert 'id="order-buy-shortages"' in page and "short 10" in page and "avail. 20" in page
    # A buyer reads the order and may buy; a salesperson sees the order but does not buy.
    assert 'id="order-buy-shortages"' in _client_for(buyer).get(url).content.decode()
    assert 'id="order-buy-shortages"' not in _client_for(sales_user).get(url).content.decode()
    assert (
        _client_for(sales_user).post(reverse("sales:order_buy_shortages", args=[order.pk])).status_code == 403
    )
    answer = client.post(reverse("sales:order_buy_shortages", args=[order.pk]), follow=True)
    page = answer.content.decode()
    assert (
        "Shortages bought on draft purchase orders" in page
        and "preferred supplier&#x27;s current price" in page
    )
    fifo_line = order.lines.get(item=stocked_items["fifo"])
    average_line = order.lines.get(item=stocked_items["average"])
    assert (
        "as costed (7.0000)" in page.split(f'id="order-line-{fifo_line.pk}-purchases"')[1].split("</td>")[0]
    )
    assert "costed at 7.0000: +0.5000 a unit" in page
    assert 'id="order-buy-shortages"' not in page  # nothing left to buy
    assert PurchaseOrderLine.objects.filter(origin_id=average_line.pk).count() == 1
    # Nothing short: the button's action says so and changes nothing.
    answer = client.post(reverse("sales:order_buy_shortages", args=[order.pk]), follow=True)
    assert "nothing to buy" in answer.content.decode() and PurchaseOrderLine.objects.count() == 3
    # The purchase order's line says what it was costed at, on which order.
    purchase = PurchaseOrderLine.objects.get(origin_id=average_line.pk)
    detail = client.get(reverse("purchasing:order_view", args=[purchase.order_id])).content.decode()
    assert f"costed at 7.0000 EUR on {order.number}" in detail
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_the_order_page_reads_a_fixed_number_of_queries_whatever_the_lines(
    company, boss, sales_user, make_item, receive, make_quotation, buyer, lead, django_assert_max_num_queries
):
    counts = []
    for size in (2, 8):
        items = [make_item(f"N{size}-{index}", base_price="10.00") for index in range(size)]
        supplier = party_create(company=company, by=sales_user, name=f"Proveedor {size}", is_supplier=True)
        for item in items:
            receive(item, 1, "4.00")
            purchasing.supplier_price_create(
                company=company, by=sales_user, item_id=item.pk, supplier_id=supplier.pk, unit_price=D("5.00")
            )
        quotation = make_quotation(
            [{"item_id": item.pk, "quantity": "3"} for item in items], opportunity_id=None, party_id=lead.pk
        )
        services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
        order = services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
        services.sales_order_buy_shortages(company=company, by=buyer, order_id=order.pk)
        client = _client_for(boss)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("sales:order_view", args=[order.pk])).status_code == 200
        counts.append(len(captured))
        api = ApiClient(boss, company)
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"/sales-orders/{order.pk}").status_code == 200
        counts.append(len(captured))
    # The page and the API read as many queries for 8 lines, each with a purchase, as for 2.
    assert counts[0] == counts[2] and counts[1] == counts[3]
    with django_assert_max_num_queries(14):
        client.get(reverse("sales:order_view", args=[order.pk]))
    with django_assert_max_num_queries(10):
        api.get(f"/sales-orders/{order.pk}")


def test_quotation_lines_show_on_order_and_the_next_receipt(
    company, sales_user, buyer, stocked_items, make_quotation, make_user
):
    sales_user.language = "en"
    sales_user.save()
    sales_client = _client_for(sales_user)
    item = stocked_items["fifo"]
    quotation = make_quotation([{"item_id": item.pk, "quantity": "5"}])
    supplier = SupplierPrice.objects.filter(item=item).first().supplier
    for expected, quantity in ((date(2026, 12, 20), "30"), (date(2026, 12, 12), "20")):
        purchase = purchasing.purchase_order_create(
            company=company, by=buyer, supplier_id=supplier.pk, expected_date=expected,
            lines=[{"item_id": item.pk, "quantity": quantity}],
        )  # fmt: skip
        purchasing.purchase_order_confirm(company=company, by=buyer, order_id=purchase.pk)
    # A draft is not on order.
    purchasing.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk, lines=[{"item_id": item.pk, "quantity": "99"}]
    )
    page = sales_client.get(reverse("sales:quotation_view", args=[quotation.pk])).content.decode()
    note = page.split(f'id="line-{quotation.lines.get().pk}-available"')[1].split("</div>")[0]
    assert "avail. 70" in note and "+50 on order" in note and "due 12/12/2026" in note


def test_the_api_reads_availability_and_buys_shortages(
    company, api_as, buyer, manager_user, order, stocked_items, short_item, other_company
):
    api = api_as(manager_user, company)
    body = api.get(f"/sales-orders/{order.pk}").json()
    lines = {line["description"]: line for line in body["lines"]}
    fifo = lines[stocked_items["fifo"].name]
    assert (fifo["available"], fifo["shortage"], fifo["to_buy"], fifo["on_order"]) == (
        "20.0000",
        "10.0000",
        "10.0000",
        "0.0000",
    )
    assert lines["Montaje"]["available"] is None and lines["Montaje"]["purchases"] == []
    answer = api.post(f"/sales-orders/{order.pk}/buy-shortages", {"line_ids": [fifo["id"]]})
    assert answer.status_code == 201, answer.content
    result = answer.json()
    assert [
        (entry["quantity"], entry["unit_price"], entry["from_frozen_cost"]) for entry in result["bought"]
    ] == [("10.0000", "7.000000", True)]
    [purchase] = next(line for line in result["order"]["lines"] if line["id"] == fifo["id"])["purchases"]
    assert (purchase["purchase_order_state"], purchase["difference"], purchase["costed_unit_cost"]) == (
        "draft",
        "0.000000",
        "7.000000",
    )
    again = api.post(f"/sales-orders/{order.pk}/buy-shortages", {"line_ids": [fifo["id"]]})
    assert again.status_code == 409 and again["Content-Type"].startswith("application/problem+json")
    assert api.post(f"/sales-orders/{order.pk}/buy-shortages", {"line_ids": ["x"]}).status_code == 422
    # Another company's order is a 404; a salesperson may not buy.
    elsewhere = api_as(manager_user, other_company).post(f"/sales-orders/{order.pk}/buy-shortages", {})
    assert elsewhere.status_code == 404, elsewhere.content
    seller = SalesOrder.objects.get(pk=order.pk).salesperson
    assert api_as(seller, company).post(f"/sales-orders/{order.pk}/buy-shortages", {}).status_code == 403
    schema = api.get("/openapi.json").json()
    line_schema = schema["components"]["schemas"]["SalesOrderLineOut"]["properties"]
    assert {"available", "on_order", "next_receipt_date", "shortage", "to_buy", "purchases"} <= set(
        line_schema
    )
    assert {"available", "on_order", "next_receipt_date"} <= set(
        schema["components"]["schemas"]["QuotationLineOut"]["properties"]
    )
    assert "/api/v1/sales-orders/{order_id}/buy-shortages" in schema["paths"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_buy_a_shortage_once(company, buyer, order, stocked_items):
    results, barrier = [], threading.Barrier(2)

    def buy():
        try:
            barrier.wait()
            with translation.override("en"):
                services.sales_order_buy_shortages(company=company, by=buyer, order_id=order.pk)
            results.append("bought")
        except Conflict as error:
            results.append("conflict" if "Nothing on this order" in error.detail else error.detail)
        except Exception as error:
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=buy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["bought", "conflict"]
    assert PurchaseOrderLine.objects.count() == 3
    assert PurchaseOrder.objects.count() == 2
