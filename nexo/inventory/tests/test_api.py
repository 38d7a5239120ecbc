"""The inventory through /api/v1: warehouses and locations, moves (draft, done, cancelled), stock levels,
the valuation at a date and stock counts, with problem+json errors."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from nexo.core.services import token_create
from nexo.inventory import services
from nexo.inventory.models import Location, StockMove, StockQuant, Warehouse
from nexo.wsgi import application

D = Decimal
PROBLEM = "application/problem+json"
EN = {"Accept-Language": "en"}


@pytest.fixture
def clerk(warehouse_user, company, stock, api_as):
    return api_as(warehouse_user, company)


def fields_of(response) -> set[str]:
    assert response["Content-Type"] == PROBLEM, response.content
    return {error["field"] for error in response.json()["errors"]}


def move_body(stock, item, quantity="5", **fields) -> dict:
    body = {
        "item_id": item.pk, "quantity": quantity, "from_location_id": stock.supplier_location_id,
        "to_location_id": stock.default_warehouse.stock_location_id, "unit_cost": "4.00",
    }  # fmt: skip
    return body | fields


def on_hand(item, location_id) -> Decimal:
    quant = StockQuant.objects.filter(item=item, location_id=location_id).first()
    return quant.quantity if quant else D(0)


# Warehouses and locations


def test_warehouses_are_created_read_changed_and_listed(clerk, warehouse):
    created = clerk.post("/warehouses", {"code": "vlc", "name": "Valencia"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["code"] == "VLC" and body["is_active"] and not body["is_default"]
    assert Location.objects.get(pk=body["stock_location_id"]).warehouse_id == body["id"]
    assert clerk.get(f"/warehouses/{body['id']}").json() == body
    changed = clerk.patch(f"/warehouses/{body['id']}", {"name": "Valencia puerto", "is_active": False})
    assert changed.status_code == 200 and changed.json()["name"] == "Valencia puerto"
    listed = clerk.get("/warehouses").json()
    assert listed["count"] == 2
    assert [(w["code"], w["is_default"]) for w in listed["items"]] == [("ALM", True), ("VLC", False)]
    assert [w["code"] for w in clerk.get("/warehouses", is_active="false").json()["items"]] == ["VLC"]


def test_bad_warehouses_are_422_naming_the_field(clerk, warehouse):
    clerk.post("/warehouses", {"code": "VLC", "name": "Valencia"})
    duplicate = clerk.post("/warehouses", {"code": "vlc", "name": "Otra"})
    assert duplicate.status_code == 422 and fields_of(duplicate) == {"code"}
    assert fields_of(clerk.post("/warehouses", {"code": "X" * 11, "name": "Largo"})) == {"code"}
    capitals = clerk.post("/warehouses", {"code": "ßßßßßß", "name": "Straße"})  # 12 characters in capitals
    assert capitals.status_code == 422 and fields_of(capitals) == {"code"}
    assert fields_of(clerk.post("/warehouses", {"code": "Y", "name": "Y", "colour": "red"})) == {"colour"}
    default = clerk.patch(f"/warehouses/{warehouse.pk}", {"is_active": False})
    assert default.status_code == 422 and fields_of(default) == {"is_active"}
    assert fields_of(clerk.patch(f"/warehouses/{warehouse.pk}", {"code": None})) == {"code"}
    assert Warehouse.objects.count() == 2


def test_locations_are_added_and_filtered(clerk, warehouse, stock):
    created = clerk.post("/locations", {"warehouse_id": warehouse.pk, "name": "Estante A"})
    assert created.status_code == 201, created.content
    shelf = created.json()
    assert shelf["kind"] == "internal" and shelf["full_name"] == "ALM/Estante A"
    internal = clerk.get("/locations", kind="internal", warehouse_id=warehouse.pk).json()
    assert [row["name"] for row in internal["items"]] == ["Estante A", "Existencias"]
    assert {row["kind"] for row in clerk.get("/locations", kind="supplier").json()["items"]} == {"supplier"}
    assert clerk.get("/locations", is_active="false").json()["count"] == 0
    unknown = clerk.post("/locations", {"warehouse_id": 999999, "name": "X"})
    assert unknown.status_code == 422 and fields_of(unknown) == {"warehouse_id"}
    duplicate = clerk.post("/locations", {"warehouse_id": warehouse.pk, "name": "Estante A"})
    assert duplicate.status_code == 422 and fields_of(duplicate) == {"name"}
    assert clerk.patch("/locations/999999", {"name": "X"}).status_code == 404


def test_locations_are_renamed_and_deactivated(clerk, warehouse, stock):
    shelf = clerk.post("/locations", {"warehouse_id": warehouse.pk, "name": "Estante A"}).json()
    renamed = clerk.patch(f"/locations/{shelf['id']}", {"name": "Estante A-1"})
    assert renamed.status_code == 200 and renamed.json()["full_name"] == "ALM/Estante A-1"
    assert clerk.patch(f"/locations/{shelf['id']}", {"is_active": False}).json()["is_active"] is False
    reserved = clerk.patch(f"/locations/{stock.customer_location_id}", {"is_active": False})
    assert reserved.status_code == 422 and fields_of(reserved) == {"is_active"}


def test_settings_read_and_change(clerk, warehouse, stock):
    read = clerk.get("/inventory-settings").json()
    assert read["default_warehouse_id"] == warehouse.pk and read["allow_negative_stock"] is False
    other = clerk.post("/warehouses", {"code": "VLC", "name": "Valencia"}).json()
    changed = clerk.patch(
        "/inventory-settings", {"allow_negative_stock": True, "default_warehouse_id": other["id"]}
    )
    assert changed.status_code == 200 and changed.json()["default_warehouse_id"] == other["id"]
    unknown = clerk.patch("/inventory-settings", {"default_warehouse_id": 999999})
    assert unknown.status_code == 422 and fields_of(unknown) == {"default_warehouse_id"}


# Moves


def test_a_receipt_done_and_a_delivery_drafted_then_posted(clerk, stock, warehouse, make_item):
    item = make_item("TOR-1")
    receipt = clerk.post("/stock-moves", move_body(stock, item, "10", unit_cost="2.5", done=True))
    assert receipt.status_code == 201, receipt.content
    body = receipt.json()
    assert body["state"] == "done" and body["kind"] == "receipt" and body["done_at"]
    assert body["quantity"] == "10.0000" and body["unit_cost"] == "2.500000" and body["value"] == "25.00"
    assert body["item_sku"] == "TOR-1" and body["to_location_name"] == "ALM/Existencias"
    delivery = clerk.post(
        "/stock-moves",
        {
            "item_id": item.pk,
            "quantity": "4",
            "from_location_id": warehouse.stock_location_id,
            "to_location_id": stock.customer_location_id,
            "date": timezone.localdate().isoformat(),
            "note": "Pedido 7",
        },
    )
    assert delivery.status_code == 201, delivery.content
    draft = delivery.json()
    assert draft["state"] == "draft" and draft["kind"] == "delivery" and draft["value"] is None
    assert on_hand(item, warehouse.stock_location_id) == 10
    levels = clerk.get("/stock-levels", item_id=item.pk).json()["items"]
    assert [(r["on_hand"], r["reserved"], r["available"]) for r in levels] == [
        ("10.0000", "4.0000", "6.0000")
    ]
    posted = clerk.post(f"/stock-moves/{draft['id']}/done")
    assert posted.status_code == 200 and posted.json()["state"] == "done"
    assert posted.json()["value"] == "10.00" and posted.json()["unit_cost"] == "2.500000"
    assert on_hand(item, warehouse.stock_location_id) == 6
    again = clerk.post(f"/stock-moves/{draft['id']}/done")
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM
    assert clerk.post(f"/stock-moves/{draft['id']}/cancel").status_code == 409


def test_cancelling_a_draft_releases_what_it_reserved(clerk, stock, warehouse, make_item, receive):
    item = make_item("TOR-2")
    receive(item, 3, "1.00")
    draft = clerk.post(
        "/stock-moves",
        move_body(
            stock,
            item,
            "2",
            from_location_id=warehouse.stock_location_id,
            to_location_id=stock.customer_location_id,
            unit_cost=None,
        ),
    ).json()
    cancelled = clerk.post(f"/stock-moves/{draft['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    level = clerk.get("/stock-levels", item_id=item.pk).json()["items"][0]
    assert level["reserved"] == "0.0000" and level["available"] == "3.0000"
    assert clerk.post(f"/stock-moves/{draft['id']}/done").status_code == 409


def test_delivering_more_than_on_hand_is_a_409_problem_and_creates_nothing(
    clerk, stock, warehouse, make_item, receive
):
    item = make_item("TOR-3")
    receive(item, 2, "1.00")
    body = {
        "item_id": item.pk, "quantity": "5", "from_location_id": warehouse.stock_location_id,
        "to_location_id": stock.customer_location_id, "done": True,
    }  # fmt: skip
    response = clerk.post("/stock-moves", body, headers=EN)
    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 409 and problem["title"] == "Conflict"
    assert "Not enough stock of TOR-3" in problem["detail"] and "2 on hand, 5 asked" in problem["detail"]
    assert StockMove.objects.filter(item=item).count() == 1
    draft = clerk.post("/stock-moves", body | {"done": False}).json()
    refused = clerk.post(f"/stock-moves/{draft['id']}/done", headers=EN)
    assert refused.status_code == 409 and "Not enough stock" in refused.json()["detail"]
    spanish = clerk.post(f"/stock-moves/{draft['id']}/done")  # the default language
    assert spanish.status_code == 409 and "TOR-3" in spanish.json()["detail"]
    assert StockMove.objects.get(pk=draft["id"]).state == "draft"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": 5}, "quantity"),
        ({"quantity": "1.00001"}, "quantity"),
        ({"unit_cost": "-1"}, "unit_cost"),
        ({"unit_cost": None}, "unit_cost"),  # a receipt needs its cost
        ({"unit_cost": "9999999", "quantity": "999999999"}, "unit_cost"),  # worth more than a column holds
        ({"item_id": 999999}, "item_id"),
        ({"from_location_id": 999999}, "from_location_id"),
        ({"to_location_id": "x"}, "to_location_id"),
        ({"date": "2026-02-30"}, "date"),
        ({"done": "maybe"}, "done"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_moves_are_422_naming_the_field(clerk, stock, make_item, change, field):
    item = make_item("TOR-4")
    response = clerk.post("/stock-moves", move_body(stock, item) | change)
    assert response.status_code == 422 and fields_of(response) == {field}
    assert not StockMove.objects.exists()


def test_a_service_item_and_two_virtual_ends_are_refused(clerk, stock, make_item):
    service = make_item("SRV-1", kind="service")
    response = clerk.post("/stock-moves", move_body(stock, service))
    assert response.status_code == 422 and fields_of(response) == {"item_id"}
    virtual = clerk.post(
        "/stock-moves", move_body(stock, make_item("X"), to_location_id=stock.customer_location_id)
    )
    assert virtual.status_code == 422 and fields_of(virtual) == {"to_location_id"}


def test_the_moves_list_filters(clerk, stock, warehouse, make_item, receive, deliver):
    screw, nut = make_item("TOR-5"), make_item("TUE-1")
    receive(screw, 10, "1.00", date(2026, 1, 5))
    receive(nut, 10, "2.00", date(2026, 1, 6))
    deliver(screw, 3, date(2026, 2, 1))
    other = services.warehouse_create(company=warehouse.company, by=None, code="VLC", name="Valencia")
    receive(nut, 1, "2.00", date(2026, 2, 2), into=other)

    def ids(**params):
        response = clerk.get("/stock-moves", **params)
        assert response.status_code == 200, response.content
        return [(move["item_sku"], move["kind"]) for move in response.json()["items"]]

    assert ids() == [("TUE-1", "receipt"), ("TOR-5", "delivery"), ("TUE-1", "receipt"), ("TOR-5", "receipt")]
    assert ids(item_id=screw.pk, ordering="date") == [("TOR-5", "receipt"), ("TOR-5", "delivery")]
    assert ids(kind="delivery") == [("TOR-5", "delivery")]
    assert ids(warehouse_id=other.pk) == [("TUE-1", "receipt")]
    assert ids(location_id=stock.customer_location_id) == [("TOR-5", "delivery")]
    assert ids(date_from="2026-01-06", date_to="2026-02-01") == [("TOR-5", "delivery"), ("TUE-1", "receipt")]
    assert ids(state="draft") == []
    assert ids(origin_type="") == ids()
    assert ids(origin_type="purchase_receipt") == []
    page = clerk.get("/stock-moves", limit=1, offset=1).json()
    assert page["count"] == 4 and len(page["items"]) == 1
    assert clerk.get("/stock-moves", state="lost").status_code == 422
    assert clerk.get("/stock-moves", date_from="yesterday").status_code == 422


def test_idempotency_key_creates_one_move(clerk, stock, make_item):
    body = move_body(stock, make_item("TOR-6"), done=True)
    first = clerk.post("/stock-moves", body, headers={"Idempotency-Key": "rec-1"})
    again = clerk.post("/stock-moves", body, headers={"Idempotency-Key": "rec-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert StockMove.objects.count() == 1
    other = clerk.post("/stock-moves", body | {"quantity": "6"}, headers={"Idempotency-Key": "rec-1"})
    assert other.status_code == 422 and fields_of(other) == {"Idempotency-Key"}


# Who may do what, and whose records


def test_sales_reads_but_moves_nothing(api, stock, warehouse, make_item, receive):
    item = make_item("TOR-7")
    move = receive(item, 2, "1.00")
    assert api.get("/stock-levels").json()["count"] == 1
    assert api.get(f"/stock-moves/{move.pk}").status_code == 200
    assert api.get("/warehouses").status_code == 200
    forbidden = api.post("/stock-moves", move_body(stock, item))
    assert forbidden.status_code == 403 and forbidden["Content-Type"] == PROBLEM
    assert api.post("/warehouses", {"code": "X", "name": "X"}).status_code == 403
    assert api.post(f"/stock-moves/{move.pk}/cancel").status_code == 403
    count = {"location_id": warehouse.stock_location_id, "lines": [{"item_id": item.pk, "counted": "0"}]}
    assert api.post("/stock-counts", count).status_code == 403
    assert api.patch("/inventory-settings", {"allow_negative_stock": True}).status_code == 403


def test_another_companys_records_are_not_found(
    clerk, stock, warehouse, make_item, receive, other_company, make_user, api_as
):
    item = make_item("TOR-8")
    move = receive(item, 2, "1.00")
    services.inventory_setup(company=other_company)
    outsider = api_as(make_user("fuera", "warehouse", companies=[other_company]))
    assert outsider.get(f"/stock-moves/{move.pk}").status_code == 404
    assert outsider.post(f"/stock-moves/{move.pk}/done").status_code == 404
    assert outsider.post(f"/stock-moves/{move.pk}/cancel").status_code == 404
    assert outsider.get(f"/warehouses/{warehouse.pk}").status_code == 404
    assert outsider.patch(f"/warehouses/{warehouse.pk}", {"name": "Mío"}).status_code == 404
    assert outsider.patch(f"/locations/{warehouse.stock_location_id}", {"name": "Mío"}).status_code == 404
    assert outsider.get("/stock-moves").json()["count"] == 0
    assert outsider.get("/stock-levels").json()["count"] == 0
    assert outsider.get("/stock-valuation").json()["total"] == "0.00"
    theirs = services.settings_of(other_company)
    body = {
        "item_id": item.pk, "quantity": "1", "from_location_id": theirs.supplier_location_id,
        "to_location_id": theirs.default_warehouse.stock_location_id, "unit_cost": "1",
    }  # fmt: skip
    refused = outsider.post("/stock-moves", body)
    assert refused.status_code == 422 and fields_of(refused) == {"item_id"}
    count = {"location_id": warehouse.stock_location_id, "lines": [{"item_id": item.pk, "counted": "0"}]}
    assert outsider.post("/stock-counts", count).status_code == 422
    assert on_hand(item, warehouse.stock_location_id) == 2


# Levels, valuation and counts


def test_stock_levels_now_and_at_a_date(clerk, stock, warehouse, make_item, receive, deliver):
    item = make_item("TOR-9", valuation_method="fifo")
    receive(item, 10, "5.00", date(2026, 1, 1))
    receive(item, 10, "6.00", date(2026, 1, 10))
    deliver(item, 15, date(2026, 1, 20))
    now = clerk.get("/stock-levels", item_id=item.pk).json()
    assert now["date"] is None
    row = now["items"][0]
    assert (row["on_hand"], row["value"], row["warehouse_code"], row["unit_code"]) == (
        "5.0000",
        "30.00",
        "ALM",
        "ud",
    )
    assert row["average_cost"] == "5.500000"
    before = clerk.get("/stock-levels", item_id=item.pk, date="2026-01-15").json()
    row = before["items"][0]
    assert before["date"] == "2026-01-15"
    assert (row["on_hand"], row["value"]) == ("20.0000", "110.00")
    assert row["reserved"] is None and row["available"] is None  # drafts are today's plans
    first = clerk.get("/stock-levels", item_id=item.pk, date="2026-01-01").json()["items"][0]
    assert (first["on_hand"], first["value"]) == ("10.0000", "50.00")
    nothing = clerk.get("/stock-levels", item_id=item.pk, date="2025-12-31", with_stock="true").json()
    assert nothing["count"] == 0
    assert clerk.get("/stock-levels", q="tor-9").json()["count"] == 1
    assert clerk.get("/stock-levels", q="nada").json()["count"] == 0


def test_valuation_per_item_category_and_warehouse_with_the_total(
    clerk, company, stock, warehouse, warehouse_user, make_item, receive, deliver
):
    from nexo.catalog.services import category_create

    tools = category_create(company=company, by=warehouse_user, name="Ferretería")
    screw = make_item("TOR-10", category_id=tools.pk)
    drill = make_item("TAL-1", category_id=tools.pk, valuation_method="fifo")
    loose = make_item("SUE-1")
    other = services.warehouse_create(company=company, by=warehouse_user, code="VLC", name="Valencia")
    receive(screw, 100, "0.10", date(2026, 1, 2))
    receive(drill, 2, "45.00", date(2026, 1, 3))
    receive(loose, 4, "2.50", date(2026, 1, 4), into=other)
    deliver(screw, 30, date(2026, 2, 1))

    by_item = clerk.get("/stock-valuation", date="2026-01-31").json()
    assert by_item["total"] == "110.00" and by_item["item_count"] == 3 and by_item["count"] == 3
    assert [(line["code"], line["quantity"], line["value"]) for line in by_item["items"]] == [
        ("SUE-1", "4.0000", "10.00"), ("TAL-1", "2.0000", "90.00"), ("TOR-10", "100.0000", "10.00"),
    ]  # fmt: skip
    assert by_item["items"][1]["unit_cost"] == "45.000000"
    today = clerk.get("/stock-valuation").json()
    assert today["total"] == "107.00" and today["date"] == timezone.localdate().isoformat()
    by_category = clerk.get("/stock-valuation", date="2026-02-01", group="category").json()
    assert [(line["name"], line["value"], line["item_count"]) for line in by_category["items"]] == [
        ("Ferretería", "97.00", 2), ("", "10.00", 1),
    ]  # fmt: skip
    assert by_category["items"][1]["id"] is None and by_category["items"][0]["quantity"] is None
    by_warehouse = clerk.get("/stock-valuation", group="warehouse").json()
    assert [(line["code"], line["value"]) for line in by_warehouse["items"]] == [
        ("ALM", "97.00"),
        ("VLC", "10.00"),
    ]
    only_vlc = clerk.get("/stock-valuation", warehouse_id=other.pk).json()
    assert only_vlc["total"] == "10.00"
    assert clerk.get("/stock-valuation", date="2025-12-31").json() | {"date": None} == {
        "date": None, "group": "item", "total": "0.00", "item_count": 0, "count": 0, "items": [],
    }  # fmt: skip
    paged = clerk.get("/stock-valuation", limit=1, offset=2).json()
    assert paged["count"] == 3 and paged["total"] == "107.00" and paged["items"][0]["code"] == "TOR-10"
    assert clerk.get("/stock-valuation", group="colour").status_code == 422


def test_a_stock_count_posts_the_differences(clerk, stock, warehouse, make_item, receive):
    found, lost, same = make_item("CNT-1"), make_item("CNT-2"), make_item("CNT-3")
    receive(found, 10, "3.00")
    receive(lost, 5, "1.00")
    receive(same, 2, "1.00")
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    body = {
        "location_id": warehouse.stock_location_id, "date": day, "note": "Inventario anual",
        "lines": [
            {"item_id": found.pk, "counted": "12"}, {"item_id": lost.pk, "counted": "4.5"},
            {"item_id": same.pk, "counted": "2"},
        ],
    }  # fmt: skip
    response = clerk.post("/stock-counts", body)
    assert response.status_code == 201, response.content
    result = response.json()
    assert result["date"] == day and result["location_id"] == warehouse.stock_location_id
    assert [(m["item_sku"], m["kind"], m["quantity"], m["from_location_id"]) for m in result["moves"]] == [
        ("CNT-1", "adjustment", "2.0000", stock.adjustment_location_id),
        ("CNT-2", "adjustment", "0.5000", warehouse.stock_location_id),
    ]
    assert result["moves"][0]["value"] == "6.00" and result["moves"][0]["state"] == "done"
    assert on_hand(found, warehouse.stock_location_id) == 12
    assert on_hand(lost, warehouse.stock_location_id) == D("4.5")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"lines": []}, {"lines"}),
        ({"lines": [{"item_id": 999999, "counted": "1"}]}, {"lines.0.item_id"}),
        ({"lines": [{"item_id": "ITEM", "counted": "-1"}]}, {"lines.0.counted"}),
        (
            {"lines": [{"item_id": "ITEM", "counted": "1"}, {"item_id": "ITEM", "counted": "2"}]},
            {"lines.1.item_id"},
        ),
        ({"location_id": "CUSTOMER"}, {"location_id"}),
        ({"location_id": 999999}, {"location_id"}),
    ],
)
def test_bad_counts_are_422(clerk, stock, warehouse, make_item, body, fields):
    item = make_item("CNT-9")

    def resolve(value):
        return {"ITEM": item.pk, "CUSTOMER": stock.customer_location_id}.get(value, value)

    payload = {"location_id": warehouse.stock_location_id, "lines": [{"item_id": item.pk, "counted": "1"}]}
    for key, value in body.items():
        payload[key] = (
            [{name: resolve(v) for name, v in line.items()} for line in value]
            if key == "lines"
            else resolve(value)
        )
    response = clerk.post("/stock-counts", payload)
    assert response.status_code == 422 and fields_of(response) == fields
    assert not StockMove.objects.exists()


# Whatever a client with write access sends, never a 5xx (nexo/tests/test_api_fuzz.py walks the whole API
# as a salesperson, who may only read here).

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"^/api/v1/(warehouses|locations|stock-|inventory-)"
)


@pytest.fixture
def _keep_the_test_connection():
    """Like Django's test client: requests must not close the connection that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def clerk_token(_keep_the_test_connection, warehouse_user, warehouse, make_item, receive):
    receive(make_item("FZ-1"), 5, "1.00")
    return token_create(user=warehouse_user, name="fuzz")[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_inventory_api_fail(case, clerk_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {clerk_token}"}, checks=[not_a_server_error])


def test_stock_levels_give_each_items_unit_value_and_method_beside_the_running_average(
    clerk, stock, warehouse, make_item, receive, deliver
):
    fifo = make_item("FIFO-25", valuation_method="fifo")
    receive(fifo, 10, "5.00", date(2026, 1, 1))
    receive(fifo, 10, "25.00", date(2026, 1, 2))
    deliver(fifo, 10, date(2026, 1, 3))  # the 5.00 layer: 10 left @ 25.00
    empty = make_item("EMPTY-1")
    receive(empty, 2, "3.00", date(2026, 1, 1))
    deliver(empty, 2, date(2026, 1, 2))
    rows = {row["item_sku"]: row for row in clerk.get("/stock-levels").json()["items"]}
    row = rows["FIFO-25"]
    assert (row["value"], row["unit_value"], row["average_cost"]) == ("250.00", "25.000000", "15.000000")
    assert row["valuation_method"] == "fifo"
    assert rows["EMPTY-1"]["unit_value"] is None and rows["EMPTY-1"]["valuation_method"] == "average"
    past = clerk.get("/stock-levels", item_id=fifo.pk, date="2026-01-02").json()["items"][0]
    assert (past["value"], past["unit_value"]) == ("300.00", "15.000000")


def test_valuation_filters_by_item_category_and_warehouse(
    clerk, company, stock, warehouse, warehouse_user, make_item, receive
):
    from nexo.catalog.services import category_create

    tools = category_create(company=company, by=warehouse_user, name="Ferretería")
    screws = category_create(company=company, by=warehouse_user, name="Tornillos", parent_id=tools.pk)
    screw = make_item("TOR-20", category_id=screws.pk, valuation_method="fifo")
    drill = make_item("TAL-20", category_id=tools.pk)
    loose = make_item("SUE-20")
    other = services.warehouse_create(company=company, by=warehouse_user, code="VLC", name="Valencia")
    receive(screw, 100, "0.10", date(2026, 1, 2))
    receive(screw, 10, "0.20", date(2026, 1, 2), into=other)
    receive(drill, 2, "45.00", date(2026, 1, 3))
    receive(loose, 4, "2.50", date(2026, 1, 4))

    def codes(**params):
        body = clerk.get("/stock-valuation", **params).json()
        return [line["code"] for line in body["items"]], body["total"]

    assert codes(item_id=screw.pk) == (["TOR-20"], "12.00")
    assert codes(item_id=screw.pk, warehouse_id=other.pk) == (["TOR-20"], "2.00")
    assert codes(category_id=tools.pk) == (["TAL-20", "TOR-20"], "102.00")  # with its subcategory
    assert codes(category_id=screws.pk) == (["TOR-20"], "12.00")
    assert codes(category_id=999999) == ([], "0.00")
    lines = clerk.get("/stock-valuation").json()["items"]
    assert [line["valuation_method"] for line in lines] == ["average", "average", "fifo"]
    by_warehouse = clerk.get("/stock-valuation", group="warehouse").json()["items"]
    assert {line["valuation_method"] for line in by_warehouse} == {None}
    assert clerk.get("/stock-valuation", category_id="x").status_code == 422
