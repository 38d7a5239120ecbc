"""In a browser, at a desktop's and a phone's width, the editor explains itself: the price rule that won and
the stock available on each line, the line's own net beside the document discount in the totals, the
versions panel following a change, a cleared hand price back to the list's at once, and the cost detail
opened by keyboard, whole in the window."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from nexo.sales import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [pytest.param((1366, 768), id="desktop"), pytest.param((390, 844), id="phone")]


@pytest.mark.parametrize("size", WIDTHS)
def test_the_editor_explains_its_figures(
    size, signed_in_page, live_server, company, sales_user, make_quotation, stocked_items
):
    quotation = make_quotation([
        {"item_id": stocked_items["fifo"].pk, "quantity": "15", "discount": "10"},
        {"item_id": stocked_items["average"].pk, "quantity": "10"},
    ])  # fmt: skip
    services.quotation_update(
        company=company, by=sales_user, quotation_id=quotation.pk, document_discount=Decimal("5")
    )
    fifo = quotation.lines.order_by("position").first()
    page = signed_in_page("ventas")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/sales/quotations/{quotation.pk}/")

    # The rule that gave the price and the stock available, on the line itself.
    # In the reader's language (the browser is Spanish), whatever language the line was priced in.
    assert fifo.price_rule_texts["es"] == "Sin regla: precio de venta base"
    expect(page.locator(f"#line-{fifo.pk}-rule")).to_have_text(fifo.price_rule_texts["es"])
    expect(page.locator(f"#line-{fifo.pk}-available")).to_contain_text("20")
    # The line's own net (15 x 9.00 less 10 %), its share of the document discount in the totals.
    expect(page.locator(f"#line-{fifo.pk}-net")).to_contain_text("121,50 €")
    expect(page.locator(f"#line-{fifo.pk}-net .net-after")).to_be_visible()
    expect(page.locator("#total-discount")).to_be_visible()
    page.screenshot(path=f"/tmp/editor_explains_{size[0]}.png", full_page=True)

    # The cost detail by keyboard: Tab from the line's tax reaches it, Enter opens it, whole in the window.
    page.locator(f"#line-{fifo.pk}-tax_category").focus()
    page.keyboard.press("Tab")
    summary = page.locator(f"#line-{fifo.pk} details.cost-detail > summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    parts = page.locator(f"#line-{fifo.pk} .cost-parts")
    expect(parts).to_be_visible()
    box = parts.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= size[0] + 1
    visible = page.evaluate(
        "el => { const r = el.getBoundingClientRect(); const hit = document.elementFromPoint(r.left + 5, r.top + 5);"
        " return el.contains(hit); }",
        parts.element_handle(),
    )
    assert visible  # not clipped by the lines' scrolling box
    page.screenshot(path=f"/tmp/editor_cost_detail_{size[0]}.png")
    page.keyboard.press("Escape")
    expect(parts).to_be_hidden()
    expect(summary).to_be_focused()

    # A new quantity: the versions panel follows.
    before = page.locator(f"#version-{quotation.pk}-net").inner_text()
    quantity = page.locator(f"#line-{fifo.pk}-quantity")
    quantity.click()
    quantity.press("Control+a")
    quantity.type("10")
    expect(page.locator(f"#line-{fifo.pk}-net")).to_contain_text("81,00 €")
    expect(page.locator(f"#version-{quotation.pk}-net")).not_to_have_text(before)
    quotation.refresh_from_db()
    expect(page.locator(f"#version-{quotation.pk}-net")).to_have_text(
        re.compile(str(quotation.net).replace(".", ","))
    )

    # A price typed by hand, then cleared: the list's price is back in the field at once.
    price = page.locator(f"#line-{fifo.pk}-unit_price")
    price.click()
    price.press("Control+a")
    price.type("8")
    expect(page.locator(f"#line-{fifo.pk} .locked")).to_be_visible()
    price = page.locator(f"#line-{fifo.pk}-unit_price")
    price.press("Control+a")
    price.press("Backspace")
    expect(page.locator(f"#line-{fifo.pk} .locked")).to_have_count(0)
    expect(page.locator(f"#line-{fifo.pk}-unit_price")).to_have_value(re.compile(r"^9[.,]00$"))
    fifo.refresh_from_db()
    assert not fifo.price_locked and fifo.unit_price == Decimal("9.00")
