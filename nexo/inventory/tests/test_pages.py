"""The inventory's pages: stock levels, moves (new, post, cancel), the stock count, the valuation report,
warehouses and locations, settings; who may open them, and a constant number of queries per list."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nexo.catalog.services import category_create
from nexo.core.models import User
from nexo.inventory import services
from nexo.inventory.models import InventorySettings, Location, StockMove, StockQuant, Warehouse

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clerk(warehouse_user, stock):
    return client_for(warehouse_user)


@pytest.fixture
def seller(sales_user, stock):
    return client_for(sales_user)


def on_hand(item, location_id) -> Decimal:
    quant = StockQuant.objects.filter(item=item, location_id=location_id).first()
    return quant.quantity if quant else Decimal(0)


def move_form(item, **changes) -> dict:
    form = {
        "kind": "receipt", "item": item.pk, "quantity": "10", "unit_cost": "2.50",
        "date": timezone.localdate().isoformat(), "note": "", "action": "done",
    }  # fmt: skip
    return form | changes


# Every page opens


def test_every_page_renders_for_the_warehouse(clerk, warehouse, make_item, receive):
    item = make_item("TOR-1")
    move = receive(item, 5, "2.00")
    pages = [
        reverse("inventory:stock_levels"),
        reverse("inventory:valuation"),
        reverse("inventory:move_list"),
        reverse("inventory:move_create"),
        reverse("inventory:move_view", args=[move.pk]),
        reverse("inventory:stock_count"),
        reverse("inventory:warehouse_list"),
        reverse("inventory:warehouse_create"),
        reverse("inventory:warehouse_view", args=[warehouse.pk]),
        reverse("inventory:warehouse_edit", args=[warehouse.pk]),
        reverse("inventory:location_edit", args=[warehouse.stock_location_id]),
        reverse("inventory:settings"),
    ]
    for url in pages:
        response = clerk.get(url, **EN)
        assert response.status_code == 200, url
        assert "Inventory" in response.content.decode(), url  # the module's entry in the top bar


def test_sales_reads_stock_but_changes_nothing(seller, warehouse, stock, make_item, receive):
    item = make_item("TOR-2")
    move = receive(item, 5, "2.00")
    draft = services.stock_move_create(
        company=warehouse.company, by=None, item_id=item.pk, quantity=Decimal(1),
        from_location_id=warehouse.stock_location_id, to_location_id=stock.customer_location_id,
    )  # fmt: skip
    for url in ("stock_levels", "valuation", "move_list", "warehouse_list"):
        assert seller.get(reverse(f"inventory:{url}")).status_code == 200
    assert seller.get(reverse("inventory:move_view", args=[move.pk])).status_code == 200
    for url in ("move_create", "stock_count", "settings", "warehouse_create"):
        assert seller.get(reverse(f"inventory:{url}")).status_code == 403, url
    assert seller.post(reverse("inventory:move_create"), move_form(item)).status_code == 403
    assert seller.post(reverse("inventory:move_done", args=[draft.pk])).status_code == 403
    assert seller.post(reverse("inventory:move_cancel", args=[draft.pk])).status_code == 403
    assert (
        seller.post(reverse("inventory:location_toggle", args=[warehouse.stock_location_id])).status_code
        == 403
    )
    assert seller.get(reverse("inventory:warehouse_edit", args=[warehouse.pk])).status_code == 403
    page = seller.get(reverse("inventory:move_view", args=[draft.pk]), **EN).content.decode()
    assert 'id="move-done"' not in page and "New move" not in page
    assert StockMove.objects.get(pk=draft.pk).state == "draft"


def test_a_user_without_a_role_may_open_no_inventory_page(company, warehouse, make_item, receive):
    from nexo.core.models import Membership

    nobody = User.objects.create_user(username="nadie", password="secret-pass-1")
    Membership.objects.create(user=nobody, company=company, is_default=True)
    client = client_for(nobody)
    move = receive(make_item("TOR-3"), 1, "1.00")
    for url in (
        reverse("inventory:stock_levels"),
        reverse("inventory:valuation"),
        reverse("inventory:move_list"),
        reverse("inventory:move_view", args=[move.pk]),
        reverse("inventory:warehouse_list"),
    ):
        assert client.get(url).status_code == 403, url
    assert Client().get(reverse("inventory:stock_levels")).status_code == 302  # to the sign-in page


def test_another_companys_records_are_404(clerk, other_company, manager_user, make_item, receive):
    theirs = services.inventory_setup(company=other_company)
    warehouse = theirs.default_warehouse
    move = StockMove.objects.create(
        company=other_company, item=make_item("TOR-4"), quantity=1, date=date(2026, 1, 1),
        from_location_id=theirs.supplier_location_id, to_location_id=warehouse.stock_location_id,
    )  # fmt: skip
    assert clerk.get(reverse("inventory:move_view", args=[move.pk])).status_code == 404
    assert clerk.post(reverse("inventory:move_done", args=[move.pk])).status_code == 404
    assert clerk.post(reverse("inventory:move_cancel", args=[move.pk])).status_code == 404
    assert clerk.get(reverse("inventory:warehouse_view", args=[warehouse.pk])).status_code == 404
    assert clerk.get(reverse("inventory:warehouse_edit", args=[warehouse.pk])).status_code == 404
    assert (
        clerk.post(reverse("inventory:location_add", args=[warehouse.pk]), {"name": "X"}).status_code == 404
    )
    location = warehouse.stock_location_id
    assert clerk.get(reverse("inventory:location_edit", args=[location])).status_code == 404
    assert clerk.post(reverse("inventory:location_toggle", args=[location])).status_code == 404
    assert StockMove.objects.get(pk=move.pk).state == "draft"
    count = clerk.post(reverse("inventory:stock_count"), {"location": location, "date": "2026-01-02"})
    assert count.status_code == 422 and not StockMove.objects.filter(company=other_company).exclude(
        pk=move.pk
    )


# Moves


def test_a_receipt_posted_from_the_form_changes_stock(clerk, warehouse, make_item):
    item = make_item("TOR-5")
    response = clerk.post(
        reverse("inventory:move_create"), move_form(item, to_location=warehouse.stock_location_id), **EN
    )
    move = StockMove.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inventory:move_view", args=[move.pk]
    )
    assert move.state == "done" and move.value == Decimal("25.00")
    assert move.from_location_id == InventorySettings.objects.get().supplier_location_id
    assert on_hand(item, warehouse.stock_location_id) == 10
    page = clerk.get(response["Location"], **EN).content.decode()
    assert "Move posted" in page and "Receipt" in page and "TOR-5" in page


def test_a_draft_delivery_is_posted_or_cancelled_from_its_page(clerk, warehouse, stock, make_item, receive):
    item = make_item("TOR-6")
    receive(item, 10, "2.00")
    form = move_form(
        item, kind="delivery", from_location=warehouse.stock_location_id, quantity="4", action="draft"
    )
    assert clerk.post(reverse("inventory:move_create"), form).status_code == 302
    draft = StockMove.objects.get(state="draft")
    assert draft.to_location_id == stock.customer_location_id and draft.unit_cost is None
    assert on_hand(item, warehouse.stock_location_id) == 10
    page = clerk.get(reverse("inventory:move_view", args=[draft.pk]), **EN).content.decode()
    assert 'id="move-done"' in page and 'id="move-cancel"' in page
    levels = clerk.get(reverse("inventory:stock_levels"), {"q": "TOR-6"}).context["listing"].rows
    assert [(row.on_hand, row.reserved, row.available) for row in levels] == [(10, 4, 6)]

    response = clerk.post(reverse("inventory:move_done", args=[draft.pk]), follow=True, **EN)
    assert "Move posted" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "done" and draft.value == Decimal("8.00")
    assert on_hand(item, warehouse.stock_location_id) == 6
    again = clerk.post(reverse("inventory:move_cancel", args=[draft.pk]), follow=True, **EN)
    assert "The move is done: it cannot be changed." in again.content.decode()

    form["quantity"] = "1"
    clerk.post(reverse("inventory:move_create"), form)
    other = StockMove.objects.get(state="draft")
    clerk.post(reverse("inventory:move_cancel", args=[other.pk]))
    other.refresh_from_db()
    assert other.state == "cancelled" and on_hand(item, warehouse.stock_location_id) == 6


def test_delivering_more_than_on_hand_is_a_message_not_a_500(clerk, warehouse, make_item, receive):
    item = make_item("TOR-7")
    receive(item, 2, "1.00")
    form = move_form(item, kind="delivery", from_location=warehouse.stock_location_id, quantity="5")
    response = clerk.post(reverse("inventory:move_create"), form, **EN)
    assert response.status_code == 409
    assert "Not enough stock of TOR-7" in response.content.decode()
    assert StockMove.objects.filter(item=item).count() == 1
    # A draft that no longer fits is refused when posted, with the reason on its page.
    clerk.post(reverse("inventory:move_create"), form | {"action": "draft"})
    draft = StockMove.objects.get(state="draft")
    page = clerk.post(reverse("inventory:move_done", args=[draft.pk]), follow=True, **EN).content.decode()
    assert "Not enough stock of TOR-7" in page
    draft.refresh_from_db()
    assert draft.state == "draft"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "lots"}, "quantity"),
        ({"quantity": "1e400"}, "quantity"),
        ({"unit_cost": ""}, "unit_cost"),  # a receipt needs its cost (the service says so)
        ({"unit_cost": "-2"}, "unit_cost"),
        ({"unit_cost": "9999999", "quantity": "999999999"}, "unit_cost"),
        ({"item": "999999"}, "item"),
        ({"to_location": ""}, "to_location"),
        ({"kind": "theft"}, "kind"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "0001-01-01"}, "date"),
        ({"kind": "transfer", "from_location": "SAME"}, "to_location"),
    ],
)
def test_bad_moves_are_form_errors(clerk, warehouse, make_item, changes, field):
    item = make_item("TOR-8")
    form = move_form(item, to_location=warehouse.stock_location_id)
    form |= {key: warehouse.stock_location_id if value == "SAME" else value for key, value in changes.items()}
    response = clerk.post(reverse("inventory:move_create"), form, **EN)
    assert response.status_code == 422
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not StockMove.objects.exists()


def test_the_moves_list_filters_and_shows_newest_first(clerk, warehouse, make_item, receive, deliver):
    screw, nut = make_item("TOR-9"), make_item("TUE-9")
    receive(screw, 10, "1.00", date(2026, 1, 5))
    receive(nut, 10, "2.00", date(2026, 1, 6))
    deliver(screw, 3, date(2026, 2, 1))
    url = reverse("inventory:move_list")

    def rows(**params):
        response = clerk.get(url, params, **EN)
        assert response.status_code == 200
        return [(move.item.sku, move.kind) for move in response.context["listing"].rows]

    assert rows() == [("TOR-9", "delivery"), ("TUE-9", "receipt"), ("TOR-9", "receipt")]
    assert rows(sort="date") == [("TOR-9", "receipt"), ("TUE-9", "receipt"), ("TOR-9", "delivery")]
    assert rows(item=screw.pk) == [("TOR-9", "delivery"), ("TOR-9", "receipt")]
    assert rows(kind="delivery") == [("TOR-9", "delivery")]
    assert rows(q="tue") == [("TUE-9", "receipt")]
    assert rows(date_from="2026-01-06", date_to="2026-01-31") == [("TUE-9", "receipt")]
    assert rows(state="draft") == []
    assert rows(origin="manual") == rows()
    assert len(rows(date_from="not-a-date", kind="nonsense", warehouse="x", sort="--date")) == 3
    fragment = clerk.get(url, {"q": "tor"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'id="list-results"' in fragment


# Stock levels and valuation


def test_stock_levels_search_filter_and_as_of(
    clerk, company, warehouse_user, warehouse, make_item, receive, deliver
):
    screw, nut = make_item("TOR-10", name="Tornillo"), make_item("TUE-10", name="Tuerca")
    other = services.warehouse_create(company=company, by=warehouse_user, code="VLC", name="Valencia")
    receive(screw, 10, "1.00", date(2026, 1, 5))
    receive(nut, 4, "2.00", date(2026, 1, 6), into=other)
    deliver(screw, 10, date(2026, 2, 1))
    url = reverse("inventory:stock_levels")

    def rows(**params):
        response = clerk.get(url, params, **EN)
        assert response.status_code == 200
        return [(row.item.sku, row.warehouse.code, row.on_hand) for row in response.context["listing"].rows]

    assert rows() == [("TOR-10", "ALM", 0), ("TUE-10", "VLC", 4)]
    assert rows(stock="yes") == [("TUE-10", "VLC", 4)]
    assert rows(warehouse=other.pk) == [("TUE-10", "VLC", 4)]
    assert rows(q="tornillo") == [("TOR-10", "ALM", 0)]
    assert rows(day="2026-01-31", stock="yes") == [("TOR-10", "ALM", 10), ("TUE-10", "VLC", 4)]
    assert rows(day="2026-01-05") == [("TOR-10", "ALM", 10), ("TUE-10", "VLC", 0)]
    response = clerk.get(url, {"day": "2026-01-31"}, **EN)
    assert response.context["total_value"] == Decimal("18.00")
    assert "Reserved and available are today" in response.content.decode()
    bad = clerk.get(url, {"day": "2026-13-01"}, **EN)
    assert bad.status_code == 200 and "Today's figures are shown instead" in bad.content.decode()


def test_the_valuation_report_groups_and_totals(clerk, company, warehouse_user, make_item, receive):
    tools = category_create(company=company, by=warehouse_user, name="Ferretería")
    receive(make_item("TOR-11", category_id=tools.pk), 100, "0.10", date(2026, 1, 2))
    receive(make_item("TAL-11", category_id=tools.pk), 2, "45.00", date(2026, 1, 3))
    receive(make_item("SUE-11"), 4, "2.50", date(2026, 1, 4))
    url = reverse("inventory:valuation")
    response = clerk.get(url, {"day": "2026-01-03"}, **EN)
    report = response.context["report"]
    assert report.total == Decimal("100.00") and [line.code for line in report.lines] == ["TAL-11", "TOR-11"]
    page = response.content.decode()
    assert 'id="valuation-foot"' in page and "100.00" in page
    by_category = clerk.get(url, {"group": "category"}, **EN).context["report"]
    assert [(line.name, line.value) for line in by_category.lines] == [
        ("Ferretería", Decimal("100.00")),
        ("", Decimal("10.00")),
    ]
    assert "(no category)" in clerk.get(url, {"group": "category"}, **EN).content.decode()
    by_warehouse = clerk.get(url, {"group": "warehouse"}).context["report"]
    assert [(line.code, line.value) for line in by_warehouse.lines] == [("ALM", Decimal("110.00"))]
    wrong = clerk.get(url, {"day": "nonsense", "group": "colour", "warehouse": "999999"}, **EN)
    assert wrong.status_code == 200 and wrong.context["report"].total == Decimal("110.00")
    assert "The default is shown instead" in wrong.content.decode()


def test_the_item_page_shows_its_stock_per_warehouse(
    seller, company, warehouse_user, warehouse, stock, make_item, receive
):
    item = make_item("TOR-12")
    other = services.warehouse_create(company=company, by=warehouse_user, code="VLC", name="Valencia")
    receive(item, 10, "2.00")
    receive(item, 5, "3.00", into=other)
    services.stock_move_create(
        company=company, by=warehouse_user, item_id=item.pk, quantity=Decimal(4),
        from_location_id=warehouse.stock_location_id, to_location_id=stock.customer_location_id,
    )  # fmt: skip
    response = seller.get(reverse("catalog:item_view", args=[item.pk]), **EN)
    page = response.content.decode()
    assert 'id="item-stock"' in page and "VLC Valencia" in page
    panel = next(
        panel for panel in response.context["panels"] if panel["template"] == "inventory/_item_panel.html"
    )
    assert [(row.warehouse.code, row.on_hand, row.reserved, row.available) for row in panel["rows"]] == [
        ("ALM", 10, 4, 6),
        ("VLC", 5, 0, 5),
    ]
    assert panel["totals"]["stock_value"] == Decimal("35.00") and panel["totals"]["available"] == 11
    assert panel["totals"]["average_cost"] == Decimal("2.333333")
    service = make_item("SRV-12", kind="service")
    assert (
        'id="item-stock"' not in seller.get(reverse("catalog:item_view", args=[service.pk])).content.decode()
    )


# Stock count


def test_a_count_posts_adjustments_and_shows_them(clerk, warehouse, stock, make_item, receive):
    found, lost, untouched = make_item("CNT-1"), make_item("CNT-2"), make_item("CNT-3")
    receive(found, 10, "3.00")
    receive(lost, 5, "1.00")
    receive(untouched, 2, "1.00")
    url = reverse("inventory:stock_count")
    sheet = clerk.get(url, **EN)
    assert sheet.context["location"].pk == warehouse.stock_location_id  # the default warehouse's stock
    assert [line["item"].sku for line in sheet.context["sheet"]] == ["CNT-1", "CNT-2", "CNT-3"]
    assert f'name="count-{found.pk}"' in sheet.content.decode()
    form = {
        "location": warehouse.stock_location_id, "date": timezone.localdate().isoformat(), "note": "Anual",
        f"count-{found.pk}": "12", f"count-{lost.pk}": "4,5", f"count-{untouched.pk}": "",
    }  # fmt: skip
    response = clerk.post(url, form, **EN)
    assert response.status_code == 302
    assert on_hand(found, warehouse.stock_location_id) == 12
    assert on_hand(lost, warehouse.stock_location_id) == Decimal("4.5")
    assert on_hand(untouched, warehouse.stock_location_id) == 2
    shown = clerk.get(response["Location"], **EN)
    assert [(move.item.sku, move.gain) for move in shown.context["posted"]] == [
        ("CNT-1", True),
        ("CNT-2", False),
    ]
    assert "Count posted: 2 adjustments." in shown.content.decode()
    same = clerk.post(url, form | {f"count-{lost.pk}": "4.5"}, follow=True, **EN)
    assert "nothing to adjust" in same.content.decode()


def test_a_count_with_bad_numbers_changes_nothing(clerk, warehouse, make_item, receive):
    item, other = make_item("CNT-4"), make_item("CNT-5")
    receive(item, 3, "1.00")
    receive(other, 3, "1.00")
    url = reverse("inventory:stock_count")
    base = {"location": warehouse.stock_location_id, "date": "2026-03-01"}
    response = clerk.post(url, base | {f"count-{item.pk}": "-1", f"count-{other.pk}": "2"}, **EN)
    assert response.status_code == 422
    line = next(line for line in response.context["sheet"] if line["item"] == item)
    assert line["errors"] and line["typed"] == "-1"
    assert 'value="2"' in response.content.decode()  # what was typed stays
    assert not StockMove.objects.filter(origin_type="stock_count").exists()
    nothing = clerk.post(url, base, **EN)
    assert nothing.status_code == 422 and "Type at least one counted quantity." in nothing.content.decode()
    nowhere = clerk.post(url, {"location": "abc", "date": "2026-03-01", f"count-{item.pk}": "1"}, **EN)
    assert nowhere.status_code == 422 and "Choose a location" in nowhere.content.decode()
    assert clerk.get(url, {"location": "999999"}, **EN).status_code == 200


def test_the_count_sheet_offers_every_item_on_request(clerk, warehouse, make_item, receive):
    receive(make_item("CNT-6"), 1, "1.00")
    make_item("CNT-7")
    url = reverse("inventory:stock_count")
    assert [line["item"].sku for line in clerk.get(url).context["sheet"]] == ["CNT-6"]
    assert [line["item"].sku for line in clerk.get(url, {"all": "1"}).context["sheet"]] == ["CNT-6", "CNT-7"]
    assert [line["item"].sku for line in clerk.get(url, {"all": "1", "q": "7"}).context["sheet"]] == ["CNT-7"]


# Warehouses, locations, settings


def test_warehouses_are_created_and_edited_and_locations_added(clerk, warehouse):
    response = clerk.post(reverse("inventory:warehouse_create"), {"code": "vlc", "name": "Valencia"})
    valencia = Warehouse.objects.get(code="VLC")
    assert response.status_code == 302 and response["Location"] == reverse(
        "inventory:warehouse_view", args=[valencia.pk]
    )
    duplicate = clerk.post(reverse("inventory:warehouse_create"), {"code": "VLC", "name": "Otra"}, **EN)
    assert duplicate.status_code == 422 and duplicate.context["form"].errors["code"]
    capitals = clerk.post(reverse("inventory:warehouse_create"), {"code": "ßßßßßß", "name": "Straße"})
    assert capitals.status_code == 422 and capitals.context["form"].errors["code"]

    add = reverse("inventory:location_add", args=[valencia.pk])
    assert clerk.post(add, {"name": "Estante A"}).status_code == 302
    twice = clerk.post(add, {"name": "Estante A"}, **EN)
    assert twice.status_code == 422 and twice.context["location_form"].errors["name"]
    assert clerk.post(add, {"name": ""}).status_code == 422
    page = clerk.get(reverse("inventory:warehouse_view", args=[valencia.pk]), **EN).content.decode()
    assert "Estante A" in page and "Receipts go here" in page

    edit_warehouse = reverse("inventory:warehouse_edit", args=[warehouse.pk])
    refused = clerk.post(edit_warehouse, {"code": "ALM", "name": "Central"}, **EN)  # unticked: inactive
    assert refused.status_code == 422 and refused.context["form"].errors["is_active"]
    renamed = clerk.post(edit_warehouse, {"code": "ALM", "name": "Central", "is_active": "on"})
    assert renamed.status_code == 302 and Warehouse.objects.get(pk=warehouse.pk).name == "Central"


def test_locations_are_renamed_and_deactivated(clerk, warehouse, make_item, receive):
    shelf = services.location_create(company=warehouse.company, by=None, warehouse_id=warehouse.pk, name="A")
    edit = reverse("inventory:location_edit", args=[shelf.pk])
    assert clerk.post(edit, {"name": "Estante A-1", "is_active": "on"}).status_code == 302
    shelf.refresh_from_db()
    assert shelf.name == "Estante A-1"
    toggle = reverse("inventory:location_toggle", args=[shelf.pk])
    clerk.post(toggle)
    shelf.refresh_from_db()
    assert not shelf.is_active
    clerk.post(toggle)
    shelf.refresh_from_db()
    assert shelf.is_active

    receive(make_item("TOR-13"), 1, "1.00")
    full = clerk.post(
        reverse("inventory:location_toggle", args=[warehouse.stock_location_id]), follow=True, **EN
    )
    assert "This location is used by the company" in full.content.decode()
    assert Location.objects.get(pk=warehouse.stock_location_id).is_active


def test_settings_change_the_default_warehouse_and_negative_stock(clerk, company, warehouse, make_item):
    other = services.warehouse_create(company=company, by=None, code="VLC", name="Valencia")
    url = reverse("inventory:settings")
    page = clerk.get(url, **EN).content.decode()
    assert "Locations outside the warehouses" in page and "Proveedores" in page
    response = clerk.post(url, {"default_warehouse": other.pk, "allow_negative_stock": "on"})
    assert response.status_code == 302
    settings = InventorySettings.objects.get(company=company)
    assert settings.default_warehouse == other and settings.allow_negative_stock
    assert clerk.post(url, {"default_warehouse": "999999"}).status_code == 422
    item = make_item("NEG-1")
    form = move_form(item, kind="delivery", from_location=warehouse.stock_location_id, quantity="3")
    assert clerk.post(reverse("inventory:move_create"), form).status_code == 302
    assert on_hand(item, warehouse.stock_location_id) == -3


# The same number of queries whatever the number of rows


def _grow(make_item, receive, deliver, start: int, end: int, category=None) -> None:
    for n in range(start, end):
        item = make_item(f"Q-{n:03}", **({"category_id": category.pk} if category else {}))
        receive(item, 10, "1.50", date(2026, 1, 5))
        deliver(item, 2, date(2026, 1, 9))


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("stock_levels", {}),
        ("stock_levels", {"day": "2026-01-07", "stock": "yes"}),
        ("move_list", {}),
        ("move_list", {"kind": "receipt", "date_from": "2026-01-01"}),
        ("valuation", {"group": "category"}),
        ("valuation", {"day": "2026-01-07"}),
        ("stock_count", {"all": "1"}),
    ],
)
def test_list_pages_cost_the_same_queries_for_4_or_30_items(
    clerk, company, warehouse_user, make_item, receive, deliver, django_assert_max_num_queries, name, params
):
    tools = category_create(company=company, by=warehouse_user, name="Ferretería")
    _grow(make_item, receive, deliver, 0, 4, tools)
    url = reverse(f"inventory:{name}")
    clerk.get(url)  # the first page of a session stores the company in it
    with django_assert_max_num_queries(16) as few:
        assert clerk.get(url, params).status_code == 200
    _grow(make_item, receive, deliver, 4, 30, tools)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = clerk.get(url, params)
    assert response.status_code == 200
    if name == "valuation":
        assert response.context["report"].item_count == 30
    else:
        assert "Q-029" in response.content.decode()


def test_the_item_page_panel_costs_one_query(
    seller, company, warehouse_user, make_item, receive, django_assert_max_num_queries
):
    item = make_item("TOR-14")
    receive(item, 1, "1.00")
    url = reverse("catalog:item_view", args=[item.pk])
    seller.get(url)
    with django_assert_max_num_queries(30) as few:
        seller.get(url)
    for n in range(5):
        other = services.warehouse_create(
            company=company, by=warehouse_user, code=f"W{n}", name=f"Almacén {n}"
        )
        receive(item, 1, "1.00", into=other)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = seller.get(url).content.decode()
    assert "W4 Almacén 4" in page


def test_stock_levels_show_the_unit_value_and_method(clerk, make_item, receive, deliver):
    fifo = make_item("FIFO-26", valuation_method="fifo")
    receive(fifo, 10, "5.00", date(2026, 1, 1))
    receive(fifo, 10, "25.00", date(2026, 1, 2))
    deliver(fifo, 10, date(2026, 1, 3))
    response = clerk.get(reverse("inventory:stock_levels"), {"q": "FIFO-26"}, **EN)
    page = response.content.decode()
    assert "Unit value" in page and "Running average" in page and "FIFO" in page
    row = response.context["listing"].rows[0]
    assert row.value_text == "25.00" and row.cost_text == "15.00"


def test_the_valuation_report_filters_by_category_item_and_warehouse(
    clerk, company, warehouse_user, make_item, receive
):
    tools = category_create(company=company, by=warehouse_user, name="Ferretería")
    receive(make_item("TOR-12", category_id=tools.pk, valuation_method="fifo"), 100, "0.10", date(2026, 1, 2))
    receive(make_item("TAL-12", category_id=tools.pk), 2, "45.00", date(2026, 1, 3))
    receive(make_item("SUE-12", name="Suelta"), 4, "2.50", date(2026, 1, 4))
    url = reverse("inventory:valuation")

    def codes(**params):
        response = clerk.get(url, params, **EN)
        assert response.status_code == 200
        return [line.code for line in response.context["report"].lines], response.context["report"].total

    assert codes(category=tools.pk) == (["TAL-12", "TOR-12"], Decimal("100.00"))
    assert codes(item="suelta") == (["SUE-12"], Decimal("10.00"))
    page = clerk.get(url, {"item": "TOR-12"}, **EN).content.decode()
    assert 'name="category"' in page and 'name="item"' in page and "Method" in page and "FIFO" in page
