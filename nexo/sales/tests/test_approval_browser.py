"""In a browser, at a desktop's and a phone's width: a manager approves a quotation under its minimum
margin by keyboard, after which it can be sent; accepting a sent quotation asks for confirmation first."""

import pytest
from playwright.sync_api import expect

from nexo.sales import services
from nexo.sales.models import Quotation, SalesOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [pytest.param((1366, 768), id="desktop"), pytest.param((390, 844), id="phone")]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", WIDTHS)
def test_a_manager_approves_by_keyboard_then_it_can_be_sent(
    size, signed_in_page, live_server, company, manager_user, make_quotation, stocked_items
):
    settings = services.settings_of(company)
    settings.margin_approval = True
    settings.save()
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "3", "unit_price": "5.50"}])
    page = signed_in_page("gerente")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/sales/quotations/{quotation.pk}/")
    expect(page.locator("#approval")).to_have_attribute("data-awaiting", "true")
    expect(page.locator("#awaiting-approval")).to_be_visible()
    expect(page.locator("#send-toggle")).to_have_count(0)
    assert _fits(page)
    page.screenshot(path=f"/tmp/approval_{size[0]}.png", full_page=True)

    page.locator("#approval-form textarea[name=note]").fill("Cliente estratégico")
    page.locator("#approve").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#approval")).to_have_attribute("data-approval", "approved")
    expect(page.locator(".approval-decision")).to_contain_text("Cliente estratégico")
    expect(page.locator("#send-toggle")).to_be_visible()
    assert Quotation.objects.get(pk=quotation.pk).approval == "approved"


@pytest.mark.parametrize("size", WIDTHS)
def test_accepting_asks_for_confirmation(
    size, signed_in_page, live_server, company, sales_user, make_quotation, stocked_items
):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "3"}])
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    page = signed_in_page("ventas")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/sales/quotations/{quotation.pk}/")
    page.click("#accept")
    expect(page.locator("#accept-confirm")).to_be_focused()
    assert _fits(page) and not SalesOrder.objects.exists()
    page.screenshot(path=f"/tmp/accept_{size[0]}.png", full_page=True)
    page.click("#accept-back")  # changing one's mind changes nothing
    expect(page.locator("#accept")).to_be_visible()
    assert not SalesOrder.objects.exists()

    page.click("#accept")
    expect(page.locator("#accept-confirm")).to_be_focused()  # the script moves it there: wait for it
    page.keyboard.press("Enter")  # the confirm button has the focus
    page.wait_for_url(f"{live_server.url}/sales/orders/**")
    assert SalesOrder.objects.get().quotation_id == quotation.pk


@pytest.mark.parametrize("size", WIDTHS)
def test_a_manager_asks_for_approval_on_the_settings_page(
    size, signed_in_page, live_server, company, manager_user
):
    page = signed_in_page("gerente")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/sales/settings/")
    assert _fits(page)
    page.check("#id_margin_approval")
    page.click("#settings-form button[type=submit]")
    expect(page.locator("#id_margin_approval")).to_be_checked()
    page.screenshot(path=f"/tmp/sales_settings_{size[0]}.png", full_page=True)
    assert services.settings_of(company).margin_approval
