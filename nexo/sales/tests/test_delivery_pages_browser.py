"""A delivery in a browser, at 1366x768 and 390x844, in Spanish and English: the warehouse opens the order's
draft delivery note from the order page, delivers part of it with the rest on a backorder, takes a return, and
the order shows what was delivered and returned. No page scrolls sideways on the phone."""

import os

import pytest
from playwright.sync_api import expect

from nexo.sales.models import Delivery, SalesOrderLine
from nexo.sales.tests.test_delivery_pages import goods, order  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("NEXO_SCREENSHOTS", "")
WORDS = {
    "es": {"validated": "validado", "partial": "Entregado parcialmente", "return": "registrada"},
    "en": {"validated": "validated", "partial": "Partially delivered", "return": "recorded"},
}


def _fits(page) -> None:
    """The page itself never scrolls sideways: a wide table scrolls inside its box."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (390, 844)])
def test_the_warehouse_delivers_part_of_an_order_and_takes_a_return(
    signed_in_page,
    live_server,
    make_user,
    order,  # noqa: F811
    goods,  # noqa: F811
    size,
    language,
):
    make_user("mozo", "warehouse", language=language)
    words = WORDS[language]
    page = signed_in_page("mozo")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    tag = f"{language}-{size[0]}"
    page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    _fits(page)
    page.click("#order-deliver")
    draft = Delivery.objects.get(order=order, state=Delivery.State.DRAFT)
    bolt = draft.lines.get(item__sku="BOLT-10")
    expect(page.locator(f"#id_line_{bolt.pk}")).to_have_value("10")  # 15 to deliver, 10 on hand
    _fits(page)
    _shot(page, f"delivery-draft-{tag}")
    page.fill(f"#id_line_{bolt.pk}", "20")
    page.click("#validate-delivery")
    expect(page.locator(f"#delivery-line-{bolt.pk} .error-text")).to_be_visible()
    _shot(page, f"delivery-error-{tag}")
    page.fill(f"#id_line_{bolt.pk}", "8")
    page.click("#validate-delivery")
    expect(page.locator(".messages")).to_contain_text(words["validated"])
    expect(page.locator("#delivery-related")).to_be_visible()
    _fits(page)
    _shot(page, f"delivery-done-{tag}")
    page.goto(f"{live_server.url}/sales/deliveries/{draft.pk}/picking/")
    _fits(page)
    backorder = Delivery.objects.get(backorder_of=draft)
    page.goto(f"{live_server.url}/sales/deliveries/{backorder.pk}/picking/")
    _fits(page)
    _shot(page, f"delivery-picking-{tag}")
    page.goto(f"{live_server.url}/sales/deliveries/{draft.pk}/")
    page.click("#delivery-return")
    page.fill(f"#id_line_{bolt.pk}", "2")
    page.fill("#id_reason", "Dañados")
    _fits(page)
    _shot(page, f"delivery-return-{tag}")
    page.click("#record-return")
    expect(page.locator(".messages")).to_contain_text(words["return"])
    _shot(page, f"delivery-returned-{tag}")
    page.goto(f"{live_server.url}/sales/deliveries/")
    expect(page.locator("#list-results")).to_contain_text(backorder.number)
    _fits(page)
    _shot(page, f"delivery-list-{tag}")
    page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    expect(page.locator("#order-delivery-state")).to_have_text(words["partial"])
    line = SalesOrderLine.objects.get(order=order, item__sku="BOLT-10")
    expect(page.locator(f"#order-line-{line.pk}-fulfilment")).to_contain_text("8")
    _fits(page)
    _shot(page, f"delivery-order-{tag}")


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (390, 844)])
def test_a_manager_prints_delivery_notes_without_prices(
    signed_in_page, live_server, make_user, company, size, language
):
    make_user("jefe", "manager", language=language)
    page = signed_in_page("jefe")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/sales/settings/")
    box = page.locator("#id_delivery_note_valued")
    expect(box).to_be_checked()
    _fits(page)
    _shot(page, f"delivery-settings-{language}-{size[0]}")
    box.uncheck()
    page.click("#settings-form button[type=submit]")
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("#id_delivery_note_valued")).not_to_be_checked()
