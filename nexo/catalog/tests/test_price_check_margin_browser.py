"""In a browser, at a desktop's and a phone's width: the price check shows what the item costs (the basis
named, 4 decimals) and earns at the price found, warns in words under the item's minimum margin, and follows
a new quantity without leaving the page; the page never scrolls sideways."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from nexo.catalog import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [pytest.param((1366, 768), id="desktop"), pytest.param((390, 844), id="phone")]


@pytest.mark.parametrize("size", WIDTHS)
def test_the_price_check_shows_cost_and_margin(
    size, signed_in_page, live_server, company, manager_user, make_item, receive
):
    item = make_item("FIFO-1", base_price="9.00", valuation_method="fifo", min_margin=Decimal(20))
    receive(item, 10, "5.00", date(2026, 1, 1))
    receive(item, 10, "6.00", date(2026, 1, 2))
    pvp = services.settings_of(company).default_price_list
    services.price_rule_create(
        company=company, price_list_id=pvp.pk, by=manager_user, scope="item", item_id=item.pk,
        method="fixed", value=Decimal("6.00"), min_quantity=Decimal(15),
    )  # fmt: skip

    page = signed_in_page("ventas")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/catalog/price-check/?item={item.pk}&quantity=5")
    # 5 units from the first layer at 5.00, sold at the base 9.00: 45,00 - 25,00 = 20,00 (44,44 %).
    expect(page.locator("#unit-cost")).to_contain_text("5,0000")
    expect(page.locator("#cost-basis")).to_contain_text("FIFO")
    expect(page.locator("#margin")).to_contain_text("20,00")
    expect(page.locator("#margin-percent")).to_contain_text("44,44 %")
    expect(page.locator("#margin-warning")).to_have_count(0)

    page.fill("#id_quantity", "15")
    page.keyboard.press("Enter")
    # 15 units cost 5,333333 each; the item rule sells them at 6,00: 90,00 - 80,00 = 10,00 (11,11 %).
    expect(page.locator("#unit-cost")).to_contain_text("5,3333")
    expect(page.locator("#margin-percent")).to_contain_text("11,11 %")
    expect(page.locator("#margin-warning")).to_be_visible()
    expect(page.locator("#margin-warning")).to_contain_text("20,00 %")
    assert "quantity=15" in page.url
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=f"/tmp/margin/price_check_{size[0]}.png", full_page=True)
