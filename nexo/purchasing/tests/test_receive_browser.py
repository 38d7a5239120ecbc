"""The warehouse receives part of a confirmed order: the order shows what is still to come, and the stock
and its value go up, on the order, the item's page and the stock list."""

from datetime import date

import pytest
from playwright.sync_api import expect

from nexo.purchasing import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_receive_6_of_10_leaves_4_pending_and_brings_the_stock_in(
    signed_in_page, live_server, company, make_user, warehouse_user, supplier, make_item, stock
):
    buyer = make_user("compras", "purchasing")
    cable = make_item("CAB-1", name="Cable RV-K 3G2,5", valuation_method="fifo")
    draft = services.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk, date=date.today(),
        lines=[{"item_id": cable.pk, "quantity": "10", "unit_price": "5.00"}],
    )  # fmt: skip
    order = services.purchase_order_confirm(company=company, by=buyer, order_id=draft.pk)
    line = order.lines.get()

    page = signed_in_page("almacen")
    page.goto(f"{live_server.url}/purchasing/orders/{order.pk}/")
    expect(page.locator("#order-state")).to_have_attribute("data-state", "confirmed")
    expect(page.locator(f"#line-{line.pk} .on-hand")).to_have_text("0")
    page.click("#receive-order")

    quantity = page.locator(f"#id_line_{line.pk}")
    expect(quantity).to_have_value("10")  # prefilled with what is pending
    quantity.fill("6")
    page.click("#post-receipt")

    page.wait_for_url(f"{live_server.url}/purchasing/orders/{order.pk}/")
    expect(page.locator("#order-state")).to_have_attribute("data-state", "partially_received")
    row = page.locator(f"#line-{line.pk}")
    expect(row.locator(".received")).to_have_text("6")
    expect(row.locator(".pending")).to_have_text("4")
    expect(page.locator("#backorder")).to_have_text("4")
    expect(row.locator(".on-hand")).to_have_text("6")
    expect(row.locator(".stock-value")).to_contain_text("30,00")  # Spanish format: 6 x 5,00 €
    expect(page.locator(".receipt")).to_have_count(1)
    expect(page.locator(".receipt")).to_contain_text("REC-")

    # The rest can still be received: the receive page offers the 4 pending.
    page.click("#receive-order")
    expect(page.locator(f"#id_line_{line.pk}")).to_have_value("4")

    # The item's page: the inventory's stock panel and the purchasing panel.
    page.goto(f"{live_server.url}/catalog/items/{cable.pk}/")
    expect(page.locator("#item-buying #on-order")).to_have_text("4")
    expect(page.locator("#item-buying #last-purchase")).to_contain_text("5,00")
    expect(page.locator("#item-stock")).to_contain_text("30,00")

    # The inventory's stock list.
    page.goto(f"{live_server.url}/inventory/?q=CAB-1")
    row = page.locator("#stock-levels tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("CAB-1")
    expect(row).to_contain_text("30,00")
    assert order.lines.get().received_quantity == 6
