"""A salesperson checks a price: the answer and the rule that gave it appear without leaving the page."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from nexo.catalog import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_price_check_shows_the_price_and_its_rule(
    signed_in_page, live_server, sales_user, manager_user, company, make_item
):
    item = make_item("X-100", base_price="20.00")
    pvp = services.settings_of(company).default_price_list
    services.price_rule_create(
        company=company, price_list_id=pvp.pk, by=manager_user, scope="all", method="discount_base",
        value=Decimal(10),
    )  # fmt: skip
    services.price_rule_create(
        company=company, price_list_id=pvp.pk, by=manager_user, scope="item", item_id=item.pk,
        method="fixed", value=Decimal("12.50"), min_quantity=Decimal(10),
    )  # fmt: skip

    page = signed_in_page("ventas")
    page.goto(f"{live_server.url}/catalog/price-check/")
    page.locator("#id_item").press_sequentially("x-100")  # the item picker: type, go down, Enter
    expect(page.locator("#id_item_listbox").get_by_role("option", name="X-100")).to_be_visible()
    page.locator("#id_item").press("ArrowDown")
    page.locator("#id_item").press("Enter")
    page.fill("#id_quantity", "5")
    page.click("#price-check-submit")
    expect(page.locator("#unit-price")).to_contain_text("18,00")  # Spanish number format
    expect(page.locator("#winning-rule")).to_contain_text("10 %")
    expect(page.locator("#price-check-form")).to_be_visible()  # the form stays: only the result changed

    page.fill("#id_quantity", "10")
    page.keyboard.press("Enter")
    expect(page.locator("#unit-price")).to_contain_text("12,50")
    expect(page.locator("#winning-rule")).to_contain_text("12,50")
    expect(page.locator("#losing-rules li")).to_have_count(1)
    assert "quantity=10" in page.url  # the URL can be shared

    page.fill("#id_quantity", "0")
    page.click("#price-check-submit")
    expect(page.locator("#price-check-errors")).to_be_visible()
    expect(page.locator("#unit-price")).to_have_count(0)
