"""A warehouse user edits an item: the prices are shown disabled, the name is saved, the price is kept."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from nexo.catalog.models import Item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_a_warehouse_user_sees_the_prices_disabled(
    signed_in_page, live_server, warehouse_user, make_item, width, height, tmp_path
):
    item = make_item("TOR-100", base_price="10.00")
    page = signed_in_page(warehouse_user.username)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/catalog/items/{item.pk}/edit/")
    for name in ("base_price", "standard_cost", "min_margin", "sale_tax"):
        expect(page.locator(f"#id_{name}")).to_be_disabled()
    expect(page.locator("#id_name")).to_be_enabled()
    page.screenshot(path=str(tmp_path / f"item-edit-{width}.png"), full_page=True)
    if os.environ.get("NEXO_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['NEXO_SCREENSHOTS']}/item-edit-{width}.png", full_page=True)
    page.fill("#id_name", "Tornillo nuevo")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/catalog/items/{item.pk}/")
    item.refresh_from_db()
    assert (item.name, item.base_price) == ("Tornillo nuevo", Decimal("10"))
    assert Item.objects.count() == 1
