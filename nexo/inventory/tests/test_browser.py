"""A warehouse clerk receives goods from the new move form, then counts a shelf with the keyboard alone."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from nexo.inventory.models import StockMove, StockQuant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_receive_then_count_with_the_keyboard(
    signed_in_page, live_server, warehouse_user, warehouse, make_item
):
    screw, nut = make_item("TOR-100"), make_item("TUE-100")
    page = signed_in_page("almacen")

    page.goto(f"{live_server.url}/inventory/moves/new/")
    expect(page.locator("#id_from_location")).to_be_hidden()  # a receipt comes from the suppliers
    page.fill("#id_item", screw.sku)  # a SKU typed in the item picker
    page.fill("#id_quantity", "10")
    page.fill("#id_unit_cost", "2.5")
    page.click("#move-post")
    expect(page.locator("#move-state")).to_have_class("badge badge-done")

    page.goto(f"{live_server.url}/inventory/moves/new/")
    page.select_option("#id_kind", "transfer")
    expect(page.locator("#id_from_location")).to_be_visible()
    expect(page.locator("#id_unit_cost")).to_be_hidden()
    page.select_option("#id_kind", "receipt")
    page.fill("#id_item", nut.sku)
    page.fill("#id_quantity", "4")
    page.fill("#id_unit_cost", "1")
    page.click("#move-post")
    expect(page.locator("#move-state")).to_have_class("badge badge-done")

    page.goto(f"{live_server.url}/inventory/count/")
    first = page.locator(f"#count-{screw.pk}")
    expect(first).to_be_focused()  # the first counted quantity is ready to type in
    page.keyboard.type("9")
    page.keyboard.press("Enter")  # next item, without posting
    expect(page.locator(f"#count-{nut.pk}")).to_be_focused()
    page.keyboard.type("6")
    page.keyboard.press("Enter")
    expect(page.locator("#count-post")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#count-posted tbody tr")).to_have_count(2)
    quants = dict(
        StockQuant.objects.filter(location_id=warehouse.stock_location_id).values_list(
            "item__sku", "quantity"
        )
    )
    assert quants == {"TOR-100": Decimal(9), "TUE-100": Decimal(6)}
    assert StockMove.objects.filter(origin_type="stock_count").count() == 2
