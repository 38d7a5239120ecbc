"""A sales order's shortages bought in a browser, at 1366x768 and 390x844: the lines show what is available,
the Buy shortages button puts them on draft purchase orders, and each line then shows its purchase price
against the cost it was quoted with."""

import os

import pytest
from playwright.sync_api import expect

from nexo.purchasing.models import PurchaseOrderLine
from nexo.sales.tests.test_shortages import boss, order, short_item  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("NEXO_SCREENSHOTS", "")


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)])
def test_a_manager_buys_an_orders_shortages_from_its_page(signed_in_page, live_server, boss, order, size):  # noqa: F811
    page = signed_in_page("jefa")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    fifo = order.lines.get(item__sku="Q-FIFO")
    expect(page.locator(f"#order-line-{fifo.pk}-available")).to_contain_text("avail. 20")
    expect(page.locator(f"#order-line-{fifo.pk}-shortage")).to_contain_text("short 10")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/order-short-{size[0]}.png", full_page=True)
    page.click("#order-buy-shortages")
    expect(page.locator(".messages")).to_contain_text("Shortages bought on draft purchase orders")
    expect(page.locator(f"#order-line-{fifo.pk}-purchases")).to_contain_text("as costed (7.0000)")
    expect(page.locator("#order-buy-shortages")).to_have_count(0)
    assert PurchaseOrderLine.objects.count() == 3
    # The page itself never scrolls sideways: a wide table scrolls inside its box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/order-bought-{size[0]}.png", full_page=True)
