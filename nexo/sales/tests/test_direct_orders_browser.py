"""A manager makes a sales order directly in a browser, by keyboard, at 1366x768 and 390x844 in Spanish and
English: the customer and items chosen by typing, the prices filled in from the price list with the
margin of each line, Enter adding a line, and the order created and opened."""

import os
import re
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from nexo.sales.models import SalesOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("NEXO_SCREENSHOTS", "")
WORDS = {
    "es": {"net": "108,00", "margin": "42,00", "created": "creado y confirmado"},
    "en": {"net": "108.00", "margin": "42.00", "created": "created and confirmed"},
}


@contextmanager
def _priced(page):
    """Wait until the lines, priced again after a change, are in place."""
    page.evaluate(
        "document.body.dataset.linesSettled = 'no'; document.body.addEventListener('htmx:afterSettle',"
        " function settled(e) { if (e.detail.target.id !== 'order-lines') { return; }"
        " document.body.dataset.linesSettled = 'yes'; document.body.removeEventListener('htmx:afterSettle', settled); })"
    )
    yield
    expect(page.locator("body[data-lines-settled=yes]")).to_have_count(1)


def _choose(page, input_id: str, text: str) -> None:
    """Type into a picker and take the first match with the keyboard; the lines are priced again."""
    field = page.locator(f"#{input_id}")
    field.click()
    field.press_sequentially(text)
    expect(page.locator(f"#{input_id}_listbox [role=option]").first).to_be_visible()
    field.press("ArrowDown")
    with _priced(page):
        field.press("Enter")
    expect(page.locator(f"#{input_id}_value")).not_to_have_value("")


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (390, 844)])
def test_a_manager_orders_directly_with_the_keyboard(
    signed_in_page, live_server, make_user, lead, stocked_items, warehouse, size, language
):
    make_user("jefa", "manager", language=language)
    page = signed_in_page("jefa")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/sales/orders/")
    page.click("#order-new")
    _choose(page, "id_party", "Turia")
    _choose(page, "line-0-item", "Q-AVERAGE")
    quantity = page.locator("#line-0-quantity")
    quantity.fill("12")
    with _priced(page):
        quantity.press("Tab")  # the change prices the lines
    expect(page.locator("#line-0-net")).to_contain_text(WORDS[language]["net"])
    expect(page.locator("#line-0-margin")).to_contain_text(WORDS[language]["margin"])
    expect(page.locator("#line-0-unit_price")).to_have_value(re.compile(r"^9[.,]00$"))
    _choose(page, "line-1-item", "Q-FIFO")
    page.locator("#line-1-quantity").fill("3")
    with _priced(page):
        page.locator("#line-1-quantity").press("Tab")
    page.locator("#line-2-quantity").press("Enter")  # Enter adds a line, and the focus goes to it
    expect(page.locator("#line-3-item")).to_be_focused()
    expect(page.locator("#line-1-net")).not_to_contain_text("—")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/order-create-{language}-{size[0]}.png", full_page=True)
    page.keyboard.press("Control+Enter")
    expect(page.locator(".messages")).to_contain_text(WORDS[language]["created"])
    order = SalesOrder.objects.get()
    assert page.url.endswith(f"/sales/orders/{order.pk}/")
    assert order.lines.count() == 2 and order.quotation_id is None
    expect(page.locator("#order-margins")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/order-created-{language}-{size[0]}.png", full_page=True)


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)])
def test_the_order_page_shows_the_realised_margin_without_sideways_scroll(
    signed_in_page, live_server, make_user, company, lead, stocked_items, size
):
    from decimal import Decimal as D

    from nexo.sales.models import SalesOrderLine
    from nexo.sales.services.direct_orders import sales_order_create

    boss = make_user("jefa", "manager", language="en")
    order = sales_order_create(
        company=company,
        by=boss,
        party_id=lead.pk,
        lines=[{"item_id": stocked_items["average"].pk, "quantity": "12"}],
    )
    SalesOrderLine.objects.filter(order=order).update(
        delivered=12, delivered_cost=D("67.20"), invoiced=8, invoiced_net=D("72.00")
    )
    page = signed_in_page("jefa")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    expect(page.locator("#order-realised-margin")).to_have_text("€27.20")
    expect(page.locator("#order-realised-margin-percent")).to_have_text("37.78 %")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if SHOTS:
        page.locator("#order-margins").screenshot(path=f"{SHOTS}/order-margin-en-{size[0]}.png")
