"""Purchasing through /api/v1: exchange rates, supplier prices and the best one, an item's buying settings,
purchase orders with confirm / cancel / receive, receipts, suggestions and item costs with their working."""

from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from nexo.catalog import services as catalog_services
from nexo.catalog.models import TaxCategory, Unit
from nexo.core.services import token_create
from nexo.inventory import services as inventory_services
from nexo.inventory.models import StockBalance, StockMove
from nexo.parties.services import party_create
from nexo.purchasing import services
from nexo.purchasing.models import ExchangeRate, ItemPurchasing, PurchaseOrder, Receipt, SupplierPrice
from nexo.wsgi import application

DAY = "2026-03-02"


@pytest.fixture
def buyer(make_user):
    return make_user("compras", "purchasing")


@pytest.fixture
def manager(manager_user, company, api_as):
    return api_as(manager_user, company)


@pytest.fixture
def purchasing(buyer, api_as):
    return api_as(buyer)


@pytest.fixture
def store(warehouse_user, api_as):
    return api_as(warehouse_user)


@pytest.fixture
def cable(make_item, stock):
    return make_item("CAB-1", name="Cable RV-K", valuation_method="fifo")


@pytest.fixture
def tube(make_item, stock):
    return make_item("TUB-1", name="Tubo corrugado")


def fields_of(response) -> set[str]:
    assert response["Content-Type"] == "application/problem+json", response.content
    return {error["field"] for error in response.json()["errors"]}


def new_order(client, supplier, *lines, **fields):
    body = {"supplier_id": supplier.pk, "date": DAY, "lines": list(lines)} | fields
    response = client.post("/purchase-orders", body)
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def confirmed(purchasing, supplier, cable):
    order = new_order(purchasing, supplier, {"item_id": cable.pk, "quantity": "10", "unit_price": "5.00"})
    response = purchasing.post(f"/purchase-orders/{order['id']}/confirm")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def other_side(other_company, manager_user):
    """Another company's supplier, item, supplier price and order."""
    catalog_services.catalog_setup(company=other_company)
    inventory_services.inventory_setup(company=other_company)
    supplier = party_create(company=other_company, by=manager_user, name="Ajeno", is_supplier=True)
    item = catalog_services.item_create(
        company=other_company, by=manager_user, sku="OTRA", name="Otra", base_price=Decimal(1),
        unit_id=Unit.objects.get(company=other_company, code="ud").pk,
        sale_tax_id=TaxCategory.objects.get(company=other_company, code="general").pk,
        purchase_tax_id=TaxCategory.objects.get(company=other_company, code="general").pk,
    )  # fmt: skip
    price = services.supplier_price_create(
        company=other_company, by=manager_user, item_id=item.pk, supplier_id=supplier.pk, unit_price="1"
    )
    order = services.purchase_order_create(
        company=other_company, by=manager_user, supplier_id=supplier.pk,
        lines=[{"item_id": item.pk, "quantity": "1", "unit_price": "1"}],
    )  # fmt: skip
    return {"supplier": supplier, "item": item, "price": price, "order": order}


# Exchange rates


def test_exchange_rates(purchasing, api):
    created = purchasing.post("/exchange-rates", {"currency": "USD", "date": "2026-01-01", "rate": "0.92"})
    assert created.status_code == 201, created.content
    assert created.json() | {"id": 0} == {
        "id": 0,
        "currency": "USD",
        "date": "2026-01-01",
        "rate": "0.92000000",
    }
    replaced = purchasing.post("/exchange-rates", {"currency": "USD", "date": "2026-01-01", "rate": "0.93"})
    assert replaced.json()["id"] == created.json()["id"] and ExchangeRate.objects.get().rate == Decimal(
        "0.93"
    )
    purchasing.post("/exchange-rates", {"currency": "GBP", "date": "2026-02-01", "rate": "1.17"})
    listed = purchasing.get("/exchange-rates").json()
    assert listed["count"] == 2 and [rate["currency"] for rate in listed["items"]] == ["GBP", "USD"]
    assert purchasing.get("/exchange-rates", currency="USD").json()["count"] == 1
    for body, field in [
        ({"currency": "EUR", "date": "2026-01-01", "rate": "1"}, "currency"),
        ({"currency": "usd", "date": "2026-01-01", "rate": "1"}, "currency"),
        ({"currency": "USD", "date": "2026-01-01", "rate": "0"}, "rate"),
        ({"currency": "USD", "date": "2026-01-01", "rate": 0.9}, "rate"),
        ({"currency": "USD", "date": "2026-01-01", "rate": "0.123456789"}, "rate"),
    ]:
        response = purchasing.post("/exchange-rates", body)
        assert response.status_code == 422 and fields_of(response) == {field}, body
    assert api.get("/exchange-rates").status_code == 403
    assert (
        api.post("/exchange-rates", {"currency": "CHF", "date": "2026-01-01", "rate": "1"}).status_code == 403
    )


# Supplier prices


def test_setting_a_rate_again_with_the_same_key_replays_the_first_answer(purchasing):
    body = {"currency": "USD", "date": "2026-01-01", "rate": "0.92"}
    first = purchasing.post("/exchange-rates", body, headers={"Idempotency-Key": "e-1"})
    again = purchasing.post("/exchange-rates", body, headers={"Idempotency-Key": "e-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and first.json()["date"] == "2026-01-01"
    assert ExchangeRate.objects.count() == 1


def test_create_read_update_delete_a_supplier_price(purchasing, supplier, cable, api):
    body = {"item_id": cable.pk, "supplier_id": supplier.pk, "unit_price": "0.815", "supplier_code": "RV-25",
            "lead_time_days": 3}  # fmt: skip
    created = purchasing.post("/supplier-prices", body, headers={"Idempotency-Key": "p-1"})
    assert created.status_code == 201, created.content
    price = created.json()
    assert (price["unit_price"], price["currency"], price["min_quantity"]) == ("0.815000", "EUR", "1.0000")
    assert (price["item_sku"], price["supplier_name"]) == ("CAB-1", supplier.name)
    again = purchasing.post("/supplier-prices", body, headers={"Idempotency-Key": "p-1"})
    assert again.json() == price and SupplierPrice.objects.count() == 1
    assert api.get(f"/supplier-prices/{price['id']}").json() == price  # sales reads supplier prices
    changed = purchasing.patch(
        f"/supplier-prices/{price['id']}", {"unit_price": "0.80", "valid_to": "2026-12-31"}
    )
    assert changed.status_code == 200 and changed.json()["unit_price"] == "0.800000"
    assert changed.json()["valid_to"] == "2026-12-31" and changed.json()["supplier_code"] == "RV-25"
    assert api.patch(f"/supplier-prices/{price['id']}", {"unit_price": "1"}).status_code == 403
    assert api.delete(f"/supplier-prices/{price['id']}").status_code == 403
    assert purchasing.delete(f"/supplier-prices/{price['id']}").status_code == 204
    assert purchasing.get(f"/supplier-prices/{price['id']}").status_code == 404
    assert purchasing.delete(f"/supplier-prices/{price['id']}").status_code == 404


def test_bad_supplier_prices_name_the_field(purchasing, company, buyer, supplier, cable, other_side):
    customer = party_create(company=company, by=buyer, name="Cliente", status="customer")
    base = {"item_id": cable.pk, "supplier_id": supplier.pk, "unit_price": "1"}
    for change, field in [
        ({"item_id": other_side["item"].pk}, "item_id"),
        ({"item_id": 999999}, "item_id"),
        ({"supplier_id": customer.pk}, "supplier_id"),
        ({"supplier_id": other_side["supplier"].pk}, "supplier_id"),
        ({"currency": "USD"}, "currency"),
        ({"unit_price": "-1"}, "unit_price"),
        ({"unit_price": 1}, "unit_price"),
        ({"min_quantity": "0"}, "min_quantity"),
        ({"valid_from": "2026-05-01", "valid_to": "2026-04-01"}, "valid_to"),
        ({"lead_time_days": -1}, "lead_time_days"),
        ({"colour": "red"}, "colour"),
    ]:
        response = purchasing.post("/supplier-prices", base | change)
        assert response.status_code == 422 and fields_of(response) == {field}, change
    price = purchasing.post("/supplier-prices", base).json()
    for change, field in [({"unit_price": None}, "unit_price"), ({"item_id": None}, "item_id"),
                          ({"supplier_id": None}, "supplier_id"), ({"currency": None}, "currency")]:  # fmt: skip
        response = purchasing.patch(f"/supplier-prices/{price['id']}", change)
        assert response.status_code == 422 and fields_of(response) == {field}, change
    assert purchasing.get(f"/supplier-prices/{other_side['price'].pk}").status_code == 404
    assert (
        purchasing.patch(f"/supplier-prices/{other_side['price'].pk}", {"unit_price": "2"}).status_code == 404
    )
    assert purchasing.delete(f"/supplier-prices/{other_side['price'].pk}").status_code == 404


def test_list_and_best_supplier_prices(purchasing, company, buyer, supplier, cable, tube, other_side):
    other = party_create(company=company, by=buyer, name="Distribuciones Sur", is_supplier=True)
    services.exchange_rate_set(company=company, by=buyer, currency="USD", day=date(2026, 1, 1), rate="0.9")

    def price(item, unit_price, **fields):
        body = {"item_id": item.pk, "supplier_id": supplier.pk, "unit_price": unit_price} | fields
        assert purchasing.post("/supplier-prices", body).status_code == 201

    price(cable, "1.00")
    price(cable, "0.80", min_quantity="100")
    price(cable, "1.05", currency="USD", supplier_id=other.pk)  # 0.945 EUR
    price(cable, "0.10", valid_from="2019-01-01", valid_to="2020-01-01")
    price(tube, "2.00", valid_from="2026-01-01")
    listed = purchasing.get("/supplier-prices", item_id=cable.pk).json()
    assert listed["count"] == 4
    assert purchasing.get("/supplier-prices", supplier_id=other.pk).json()["count"] == 1
    assert purchasing.get("/supplier-prices", item_id=cable.pk, valid_on="2026-03-01").json()["count"] == 3
    assert purchasing.get("/supplier-prices", item_id=other_side["item"].pk).json()["count"] == 0
    best = purchasing.get("/supplier-prices/best", item_id=cable.pk, quantity="10").json()
    assert (best["unit_cost"], best["currency"], best["supplier_price"]["currency"]) == (
        "0.945000",
        "EUR",
        "USD",
    )
    best = purchasing.get("/supplier-prices/best", item_id=cable.pk, quantity="100").json()
    assert best["unit_cost"] == "0.800000" and best["supplier_price"]["supplier_id"] == supplier.pk
    past = purchasing.get("/supplier-prices/best", item_id=cable.pk, quantity="1", date="2019-06-01").json()
    assert past["unit_cost"] == "0.100000"
    none = purchasing.get("/supplier-prices/best", item_id=tube.pk, quantity="1", date="2000-01-01").json()
    assert none["unit_cost"] is None and none["supplier_price"] is None
    assert (
        purchasing.get("/supplier-prices/best", item_id=other_side["item"].pk, quantity="1").status_code
        == 404
    )
    assert purchasing.get("/supplier-prices/best", item_id=cable.pk, quantity="0").status_code == 422
    assert purchasing.get("/supplier-prices/best", item_id=cable.pk, quantity="abc").status_code == 422
    assert purchasing.get("/supplier-prices/best", quantity="1").status_code == 422


# An item's buying settings


def test_item_buying_settings(purchasing, api, supplier, cable, company, buyer, other_side):
    empty = purchasing.get(f"/items/{cable.pk}/purchasing").json()
    assert empty == {"item_id": cable.pk, "preferred_supplier_id": None, "minimum_stock": "0.0000",
                     "reorder_quantity": "0.0000", "last_purchase_cost": None, "last_purchase_date": None,
                     "last_purchase_reference": ""}  # fmt: skip
    body = {"preferred_supplier_id": supplier.pk, "minimum_stock": "20", "reorder_quantity": "50"}
    response = purchasing.call("put", f"/items/{cable.pk}/purchasing", body)
    assert response.status_code == 200 and response.json()["minimum_stock"] == "20.0000"
    assert ItemPurchasing.objects.get(item=cable).preferred_supplier == supplier
    customer = party_create(company=company, by=buyer, name="Cliente")
    for change, field in [({"preferred_supplier_id": customer.pk}, "preferred_supplier_id"),
                          ({"minimum_stock": "-1"}, "minimum_stock"), ({"reorder_quantity": "x"}, "reorder_quantity")]:  # fmt: skip
        response = purchasing.call("put", f"/items/{cable.pk}/purchasing", body | change)
        assert response.status_code == 422 and fields_of(response) == {field}, change
    assert purchasing.get(f"/items/{other_side['item'].pk}/purchasing").status_code == 404
    assert purchasing.call("put", f"/items/{other_side['item'].pk}/purchasing", body).status_code == 404
    assert api.get(f"/items/{cable.pk}/purchasing").status_code == 403
    assert purchasing.get(f"/items/{cable.pk}").status_code == 200  # the catalog's route is untouched


# Purchase orders


def test_create_read_change_and_confirm_an_order(purchasing, supplier, cable, tube, company, buyer):
    services.supplier_price_create(
        company=company, by=buyer, item_id=cable.pk, supplier_id=supplier.pk, unit_price="0.90"
    )
    body = {"supplier_id": supplier.pk, "date": DAY, "expected_date": "2026-03-20", "notes": "Muelle 2",
            "lines": [{"item_id": cable.pk, "quantity": "100"},
                      {"item_id": tube.pk, "quantity": "3", "unit_price": "1.333", "description": "Tubo gris"}]}  # fmt: skip
    created = purchasing.post("/purchase-orders", body, headers={"Idempotency-Key": "o-1"})
    assert created.status_code == 201, created.content
    order = created.json()
    assert (order["state"], order["number"], order["currency"], order["total"]) == (
        "draft",
        "",
        "EUR",
        "94.00",
    )
    assert order["total_company"] == "94.00" and order["receipts"] == []
    first, second = order["lines"]
    assert (first["unit_price"], first["amount"], first["description"]) == ("0.900000", "90.00", "Cable RV-K")
    assert first["supplier_price_id"] is not None and second["supplier_price_id"] is None
    assert (second["amount"], second["pending_quantity"]) == ("4.00", "3.0000")
    assert purchasing.post("/purchase-orders", body, headers={"Idempotency-Key": "o-1"}).json() == order
    assert PurchaseOrder.objects.count() == 1
    assert purchasing.get(f"/purchase-orders/{order['id']}").json() == order

    changed = purchasing.patch(
        f"/purchase-orders/{order['id']}",
        {"expected_date": None, "lines": [{"item_id": tube.pk, "quantity": "2", "unit_price": "5"}]},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["expected_date"] is None and [line["sku"] for line in changed.json()["lines"]] == [
        "TUB-1"
    ]
    assert changed.json()["notes"] == "Muelle 2" and changed.json()["total"] == "10.00"
    confirmed = purchasing.post(f"/purchase-orders/{order['id']}/confirm")
    assert confirmed.status_code == 200
    assert (confirmed.json()["state"], confirmed.json()["number"], confirmed.json()["exchange_rate"]) == (
        "confirmed",
        "PC-2026-00001",
        "1.00000000",
    )
    again = purchasing.post(f"/purchase-orders/{order['id']}/confirm")
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    refused = purchasing.patch(f"/purchase-orders/{order['id']}", {"notes": "tarde"})
    assert refused.status_code == 409
    assert purchasing.post(f"/purchase-orders/{order['id']}/cancel").json()["state"] == "cancelled"
    assert purchasing.post(f"/purchase-orders/{order['id']}/cancel").status_code == 409


def test_a_foreign_order_shows_its_total_in_both_currencies(purchasing, supplier, cable, company, buyer):
    order = new_order(
        purchasing, supplier, {"item_id": cable.pk, "quantity": "10", "unit_price": "5"}, currency="USD"
    )
    assert order["total"] == "50.00" and order["total_company"] is None
    refused = purchasing.post(f"/purchase-orders/{order['id']}/confirm")
    assert refused.status_code == 422 and fields_of(refused) == {"currency"}
    services.exchange_rate_set(company=company, by=buyer, currency="USD", day=date(2026, 1, 1), rate="0.9")
    confirmed = purchasing.post(f"/purchase-orders/{order['id']}/confirm").json()
    assert (confirmed["exchange_rate"], confirmed["total_company"]) == ("0.90000000", "45.00")


def test_bad_orders_name_the_field(purchasing, store, supplier, cable, tube, company, buyer, other_side):
    customer = party_create(company=company, by=buyer, name="Cliente")
    line = {"item_id": cable.pk, "quantity": "1", "unit_price": "1"}
    base = {"supplier_id": supplier.pk, "lines": [line]}
    for change, field in [
        ({"lines": []}, "lines"),
        ({"lines": [line, {"item_id": 999999, "quantity": "1", "unit_price": "1"}]}, "lines.1.item_id"),
        (
            {"lines": [line, {"item_id": other_side["item"].pk, "quantity": "1", "unit_price": "1"}]},
            "lines.1.item_id",
        ),
        ({"lines": [{"item_id": tube.pk, "quantity": "1"}]}, "lines.0.unit_price"),  # no supplier price
        ({"lines": [line | {"quantity": "0"}]}, "lines.0.quantity"),
        ({"lines": [line | {"quantity": "9999999999", "unit_price": "9999"}]}, "lines.0.quantity"),
        ({"lines": [line | {"colour": "red"}]}, "lines.0.colour"),
        ({"supplier_id": customer.pk}, "supplier_id"),
        ({"supplier_id": other_side["supplier"].pk}, "supplier_id"),
        ({"warehouse_id": 999999}, "warehouse_id"),
        ({"currency": "eur"}, "currency"),
        ({"date": "2026-03-10", "expected_date": "2026-03-01"}, "expected_date"),
    ]:
        response = purchasing.post("/purchase-orders", base | change)
        assert response.status_code == 422 and fields_of(response) == {field}, change
        assert not PurchaseOrder.objects.filter(company=company).exists(), change
    draft = new_order(purchasing, supplier, line)
    for change, field in [({"supplier_id": None}, "supplier_id"), ({"date": None}, "date"), ({"lines": None}, "lines"),
                          ({"lines": [{"item_id": 999999, "quantity": "1", "unit_price": "1"}]}, "lines.0.item_id")]:  # fmt: skip
        response = purchasing.patch(f"/purchase-orders/{draft['id']}", change)
        assert response.status_code == 422 and fields_of(response) == {field}, change
    theirs = other_side["order"].pk
    assert purchasing.get(f"/purchase-orders/{theirs}").status_code == 404
    assert purchasing.patch(f"/purchase-orders/{theirs}", {"notes": "x"}).status_code == 404
    assert purchasing.post(f"/purchase-orders/{theirs}/confirm").status_code == 404
    assert (
        store.post(
            f"/purchase-orders/{theirs}/receive", {"lines": [{"line_id": 1, "quantity": "1"}]}
        ).status_code
        == 404
    )


def test_list_orders(purchasing, supplier, cable, company, buyer, other_side):
    other = party_create(company=company, by=buyer, name="Distribuciones Sur", is_supplier=True)
    line = {"item_id": cable.pk, "quantity": "2", "unit_price": "1.25"}
    first = new_order(purchasing, supplier, line)
    purchasing.post(f"/purchase-orders/{first['id']}/confirm")
    new_order(purchasing, other, line, date="2026-04-01")

    def ids(**params):
        response = purchasing.get("/purchase-orders", **params)
        assert response.status_code == 200, response.content
        return [order["id"] for order in response.json()["items"]]

    everything = ids()
    assert len(everything) == 2 and everything[1] == first["id"]  # the latest first
    assert ids(state="confirmed") == [first["id"]]
    assert ids(supplier_id=other.pk) == [everything[0]]
    assert ids(date_from="2026-04-01") == [everything[0]] and ids(date_to="2026-03-31") == [first["id"]]
    assert ids(q="PC-2026") == [first["id"]] and ids(q="sur") == [everything[0]]
    assert purchasing.get("/purchase-orders").json()["items"][0]["total"] == "2.50"
    assert purchasing.get("/purchase-orders", state="open").status_code == 422


def test_order_reads_cost_the_same_queries_for_few_or_many_lines(
    purchasing, store, supplier, make_item, stock, django_assert_max_num_queries
):
    def order_with(count):
        lines = [
            {"item_id": make_item(f"N{count}-{n}").pk, "quantity": "4", "unit_price": "1"}
            for n in range(count)
        ]
        order = new_order(purchasing, supplier, *lines)
        purchasing.post(f"/purchase-orders/{order['id']}/confirm")
        for line in order["lines"]:
            body = {"date": DAY, "lines": [{"line_id": line["id"], "quantity": "1"}]}
            assert store.post(f"/purchase-orders/{order['id']}/receive", body).status_code == 201
        return order["id"]

    small, large = order_with(2), order_with(10)
    with django_assert_max_num_queries(20) as few:
        assert purchasing.get(f"/purchase-orders/{small}").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = purchasing.get(f"/purchase-orders/{large}")
    assert len(response.json()["receipts"]) == 10
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert purchasing.get("/purchase-orders").json()["count"] == 2


# Receiving


def test_receive_part_of_an_order_then_the_rest(store, purchasing, confirmed, cable, warehouse):
    line_id = confirmed["lines"][0]["id"]
    body = {"date": "2026-03-05", "lines": [{"line_id": line_id, "quantity": "6"}], "note": "albarán 77"}
    response = store.post(
        f"/purchase-orders/{confirmed['id']}/receive", body, headers={"Idempotency-Key": "r-1"}
    )
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert (receipt["number"], receipt["order_number"], receipt["note"]) == (
        "REC-2026-00001",
        "PC-2026-00001",
        "albarán 77",
    )
    (received,) = receipt["lines"]
    assert (received["quantity"], received["unit_cost"], received["value"]) == ("6.0000", "5.000000", "30.00")
    move = received["move"]
    assert (move["state"], move["quantity"], move["value"], move["date"]) == (
        "done",
        "6.0000",
        "30.00",
        "2026-03-05",
    )
    assert StockMove.objects.get(pk=move["id"]).to_location_id == warehouse.stock_location_id
    replay = store.post(
        f"/purchase-orders/{confirmed['id']}/receive", body, headers={"Idempotency-Key": "r-1"}
    )
    assert replay.json() == receipt and Receipt.objects.count() == 1
    order = purchasing.get(f"/purchase-orders/{confirmed['id']}").json()
    assert order["state"] == "partially_received" and order["lines"][0]["pending_quantity"] == "4.0000"
    assert order["receipts"] == [receipt]
    assert store.get(f"/receipts/{receipt['id']}").json() == receipt
    balance = StockBalance.objects.get(item=cable, warehouse=warehouse)
    assert (balance.quantity, balance.value) == (6, Decimal("30.00"))
    rest = store.post(
        f"/purchase-orders/{confirmed['id']}/receive", {"lines": [{"line_id": line_id, "quantity": "4"}]}
    )
    assert rest.status_code == 201
    assert purchasing.get(f"/purchase-orders/{confirmed['id']}").json()["state"] == "received"
    refused = store.post(
        f"/purchase-orders/{confirmed['id']}/receive", {"lines": [{"line_id": line_id, "quantity": "1"}]}
    )
    assert refused.status_code == 409


def test_bad_receipts_name_the_field(store, purchasing, confirmed, supplier, cable, other_side):
    line_id = confirmed["lines"][0]["id"]
    url = f"/purchase-orders/{confirmed['id']}/receive"
    line = {"line_id": line_id, "quantity": "1"}
    for body, field in [
        ({"lines": [{"line_id": line_id, "quantity": "12"}]}, "lines.0.quantity"),  # over-receipt
        ({"lines": [{"line_id": line_id, "quantity": "0"}]}, "lines"),
        ({"lines": [{"line_id": line_id, "quantity": "-1"}]}, "lines.0.quantity"),
        ({"lines": [line, {"line_id": 999999, "quantity": "1"}]}, "lines.1.line_id"),
        ({"lines": [line, line]}, "lines.1.line_id"),
        ({"lines": []}, "lines"),
        ({"lines": [line], "warehouse_id": 999999}, "warehouse_id"),
        ({"lines": [line], "allow_over_receipt": "maybe"}, "allow_over_receipt"),
    ]:
        response = store.post(url, body)
        assert response.status_code == 422 and fields_of(response) == {field}, body
    assert (  # the API speaks the user's language, Spanish by default
        "confirme la recepción de más"
        in store.post(url, {"lines": [{"line_id": line_id, "quantity": "12"}]}).json()["detail"]
    )
    assert not Receipt.objects.exists()
    over = store.post(url, {"lines": [{"line_id": line_id, "quantity": "12"}], "allow_over_receipt": True})
    assert over.status_code == 201
    draft = new_order(purchasing, supplier, {"item_id": cable.pk, "quantity": "1", "unit_price": "1"})
    refused = store.post(
        f"/purchase-orders/{draft['id']}/receive",
        {"lines": [{"line_id": draft["lines"][0]["id"], "quantity": "1"}]},
    )
    assert refused.status_code == 409
    assert purchasing.post(url, {"lines": [line]}).status_code == 403  # the warehouse receives
    assert store.get(f"/receipts/{over.json()['id'] + 1000}").status_code == 404


# Suggestions


def test_suggestions_and_draft_orders_from_them(
    purchasing, company, buyer, supplier, cable, tube, make_item, receive
):
    services.supplier_price_create(
        company=company, by=buyer, item_id=cable.pk, supplier_id=supplier.pk, unit_price="1.10"
    )
    lonely = make_item("SIN-1")
    receive(cable, Decimal(3), "1.00")
    for item in (cable, lonely):
        services.item_purchasing_set(
            company=company, by=buyer, item_id=item.pk, minimum_stock="10", reorder_quantity="0"
        )
    listed = purchasing.get("/purchase-suggestions").json()
    assert listed["count"] == 2
    first = listed["items"][0]
    assert (first["sku"], first["on_hand"], first["suggested_quantity"], first["supplier_id"]) == (
        "CAB-1",
        "3.0000",
        "7.0000",
        supplier.pk,
    )
    assert first["best_price"]["unit_cost"] == "1.100000" and listed["items"][1]["best_price"] is None
    refused = purchasing.post("/purchase-suggestions/orders", {"item_ids": [lonely.pk]})
    assert refused.status_code == 422 and fields_of(refused) == {"item_ids"}
    assert purchasing.post("/purchase-suggestions/orders", {"item_ids": []}).status_code == 422
    created = purchasing.post(
        "/purchase-suggestions/orders", {"item_ids": [cable.pk]}, headers={"Idempotency-Key": "s-1"}
    )
    assert created.status_code == 201, created.content
    orders = created.json()
    assert orders["count"] == 1 and orders["items"][0]["lines"][0]["quantity"] == "7.0000"
    assert (
        purchasing.post(
            "/purchase-suggestions/orders", {"item_ids": [cable.pk]}, headers={"Idempotency-Key": "s-1"}
        ).json()
        == orders
    )
    assert PurchaseOrder.objects.count() == 1


# Item costs


def test_item_costs_show_their_working(api, company, buyer, supplier, cable, receive, warehouse, other_side):
    receive(cable, Decimal(10), "5.00", day=date(2026, 1, 10))
    receive(cable, Decimal(10), "6.00", day=date(2026, 1, 11))
    services.supplier_price_create(
        company=company, by=buyer, item_id=cable.pk, supplier_id=supplier.pk, unit_price="7.00"
    )
    response = api.get("/item-costs", item_id=cable.pk, quantity="15")
    assert response.status_code == 200, response.content
    cost = response.json()
    assert (cost["method"], cost["source"], cost["unit_cost"], cost["value"]) == (
        "fifo",
        "fifo",
        "5.333333",
        "80.00",
    )
    assert cost["warehouse_id"] == warehouse.pk
    assert [(part["quantity"], part["unit_cost"], part["value"]) for part in cost["parts"]] == [
        ("10.0000", "5.000000", "50.00"), ("5.0000", "6.000000", "30.00"),
    ]  # fmt: skip
    beyond = api.get("/item-costs", item_id=cable.pk, quantity="25").json()
    assert beyond["parts"][-1]["source"] == "supplier_price" and beyond["parts"][-1]["quantity"] == "5.0000"
    assert supplier.name in beyond["parts"][-1]["reference"]
    average = api.get("/item-costs", item_id=cable.pk, quantity="1", method="average").json()
    assert (average["method"], average["unit_cost"]) == ("average", "5.500000")
    supplier_only = api.get("/item-costs", item_id=cable.pk, quantity="1", method="supplier_price").json()
    assert supplier_only["unit_cost"] == "7.000000"
    assert api.get("/item-costs", item_id=other_side["item"].pk, quantity="1").status_code == 404
    bad = api.get("/item-costs", item_id=cable.pk, quantity="1", warehouse_id=999999)
    assert bad.status_code == 422 and fields_of(bad) == {"warehouse_id"}
    assert api.get("/item-costs", item_id=cable.pk, quantity="1", method="lifo").status_code == 422
    assert api.get("/item-costs", item_id=cable.pk, quantity="-1").status_code == 422


def test_sales_reads_prices_and_costs_but_not_orders(api, confirmed, cable):
    assert api.get("/supplier-prices").status_code == 200
    assert api.get("/purchase-orders").status_code == 403
    assert api.get(f"/purchase-orders/{confirmed['id']}").status_code == 403
    assert api.post(f"/purchase-orders/{confirmed['id']}/cancel").status_code == 403
    assert api.get("/purchase-suggestions").status_code == 403
    assert api.get("/item-costs", item_id=cable.pk, quantity="1").status_code == 200


# Generated input on every purchasing endpoint, as a manager who may do everything: never a 5xx.

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"^/api/v1/(exchange-rates|supplier-prices|items/\{item_id\}/purchasing|purchase-orders|receipts|"
    r"purchase-suggestions|item-costs)"
)


@pytest.fixture
def _keep_the_test_connection():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def manager_bearer(manager_user, company, supplier, cable, make_supplier_price):
    make_supplier_price(cable, "1.00")
    draft = services.purchase_order_create(
        company=company, by=manager_user, supplier_id=supplier.pk,
        lines=[{"item_id": cable.pk, "quantity": "10", "unit_price": "5"}],
    )  # fmt: skip
    services.purchase_order_confirm(company=company, by=manager_user, order_id=draft.pk)
    return token_create(user=manager_user, name="fuzz")[1]


@pytest.mark.django_db
@pytest.mark.usefixtures("_keep_the_test_connection")
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_purchasing_api_fail(case, manager_bearer, company):
    headers = {"Authorization": f"Bearer {manager_bearer}", "X-Company": str(company.pk)}
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
