"""An accountant records the supplier's invoice of a received purchase order from the order's page, types
the price the supplier billed, sees the difference, accepts it and posts the invoice; every page fits a
laptop and a phone, in Spanish and in English."""

# ruff: noqa: F811 -- the fixtures imported from supplier_fixtures are named as test arguments

import os

import pytest
from playwright.sync_api import expect

from nexo.invoicing.models import SupplierInvoice
from nexo.invoicing.tests.supplier_fixtures import (  # noqa: F401 (fixtures)
    accountant,
    buyer,
    items,
    received_order,
    supplier,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
SIZES = ((1366, 768), (390, 844))
SHOTS = os.environ.get("NEXO_SCREENSHOTS", "")


def fits(page) -> None:
    """No sideways scroll: the page is no wider than the window."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def look_at(page, name: str, language: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        fits(page)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{name}-{language}-{width}x{height}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_record_an_orders_invoice_accept_its_price_difference_and_post_it(
    signed_in_page, live_server, accountant, received_order
):
    order = received_order()
    page = signed_in_page("contable")
    page.goto(f"{live_server.url}/purchasing/orders/{order.pk}/")
    page.click("#record-supplier-invoice")
    expect(page.locator(f"#order-{order.pk}")).to_be_checked()
    look_at(page, "from-orders", "es")
    page.fill("#id_supplier_number", "A-101")
    page.press("#id_supplier_number", "Enter")

    invoice = SupplierInvoice.objects.get()
    page.wait_for_url(f"{live_server.url}/invoicing/supplier-invoices/{invoice.pk}/")
    expect(page.locator("#invoice-state")).to_have_attribute("data-state", "draft")
    expect(page.locator("#total")).to_have_text("152,90\u00a0€")
    page.click("#edit-invoice")

    look_at(page, "form", "es")
    page.fill("#id_lines-1-unit_price", "7,50")
    page.press("#id_lines-1-unit_price", "Enter")
    page.wait_for_url(f"{live_server.url}/invoicing/supplier-invoices/{invoice.pk}/")
    book = invoice.lines.get(position=2)
    expect(page.locator(f"#line-{book.pk}")).to_have_class("differs")
    expect(page.locator(f"#line-{book.pk} td.difference")).to_have_text("precio unitario 7,50, pedido a 7,25")
    expect(page.locator("#total")).to_have_text("154,00\u00a0€")
    look_at(page, "detail-differences", "es")

    page.click("#post-invoice")
    expect(page.locator("#invoice-state")).to_have_attribute("data-state", "draft")
    expect(page.locator(".messages, [role=alert], .message").first).to_contain_text(
        "acepte antes las diferencias"
    )
    page.click("#accept-differences")
    expect(page.locator("#differences-note")).to_contain_text("aceptadas por contable")
    page.click("#post-invoice")
    expect(page.locator("#invoice-state")).to_have_attribute("data-state", "posted")
    expect(page.get_by_role("heading", level=1)).to_contain_text("FR-2026-000001")
    look_at(page, "detail-posted", "es")

    page.goto(f"{live_server.url}/invoicing/supplier-invoices/")
    look_at(page, "list", "es")
    page.goto(f"{live_server.url}/invoicing/supplier-invoices/new/")
    look_at(page, "by-hand", "es")

    accountant.language = "en"
    accountant.save(update_fields=["language"])
    for name, url in (
        ("list", "/invoicing/supplier-invoices/"),
        ("detail-posted", f"/invoicing/supplier-invoices/{invoice.pk}/"),
        ("by-hand", "/invoicing/supplier-invoices/new/"),
        ("from-orders", f"/invoicing/supplier-invoices/from-orders/?supplier={order.supplier_id}"),
    ):
        page.goto(f"{live_server.url}{url}")
        look_at(page, name, "en")
    page.goto(f"{live_server.url}/invoicing/supplier-invoices/{invoice.pk}/")
    expect(page.locator(f"#line-{book.pk} td.difference")).to_have_text("unit price 7.50, ordered at 7.25")
    expect(page.locator("#total")).to_have_text("€154.00")
