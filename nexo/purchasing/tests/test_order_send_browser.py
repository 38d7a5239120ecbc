"""The buyer downloads a confirmed purchase order's PDF and sends it to the supplier from the order's page, on
a laptop and on a phone; the suggestions page shows why an item ordered by a customer must be bought."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from playwright.sync_api import expect

from nexo.inventory import services as inventory
from nexo.parties.services import contact_add, party_create
from nexo.purchasing import queries, services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = ({"width": 1366, "height": 768}, {"width": 390, "height": 844})


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def within(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]


@pytest.mark.parametrize("screen", SCREENS, ids=["laptop", "phone"])
def test_the_buyer_downloads_the_pdf_and_sends_the_order_to_the_supplier(
    screen, signed_in_page, live_server, company, make_user, warehouse_user, make_item, stock, warehouse
):
    buyer = make_user("compras", "purchasing")
    supplier = party_create(company=company, by=buyer, name="Cables Ibéricos, S.L.", is_supplier=True)
    contact_add(company=company, party_id=supplier.pk, by=buyer, name="Ana", email="pedidos@cables.example")
    cable = make_item("CAB-1", name="Cable RV-K 3G2,5")
    with transaction.atomic():
        draft = services.purchase_order_create(
            company=company, by=buyer, supplier_id=supplier.pk,
            lines=[{"item_id": cable.pk, "quantity": "204", "unit_price": "0.80"}],
        )  # fmt: skip
        order = services.purchase_order_confirm(company=company, by=buyer, order_id=draft.pk)
    tube = make_item("TUB-1", name="Tubo corrugado 20 mm")
    inventory.stock_move_create(
        company=company, by=warehouse_user, item_id=tube.pk, quantity=Decimal(30),
        from_location_id=warehouse.stock_location_id, to_location_id=stock.customer_location_id,
        origin=inventory.Origin(queries.SALES_ORDER_ORIGIN, 7, "PV-2026-00007"),
    )  # fmt: skip

    page = signed_in_page("compras")
    page.set_viewport_size(screen)
    page.goto(f"{live_server.url}/purchasing/orders/{order.pk}/")
    with page.expect_download() as download:
        page.click("#download-pdf")
    assert download.value.suggested_filename == f"{order.number}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    page.click("#send-toggle")
    expect(page.locator("#id_to")).to_have_value("pedidos@cables.example")
    expect(page.locator("#id_message")).to_contain_text(f"pedido de compra {order.number}")
    assert within(page, "#send-form")
    page.fill("#id_to", "ventas@cables.example")
    page.click("#send-order")
    page.wait_for_url(f"{live_server.url}/purchasing/orders/{order.pk}/")
    expect(page.locator("#email-outcome")).to_have_attribute("data-status", "sent")
    expect(page.locator("#email-outcome")).to_contain_text("ventas@cables.example")
    (message,) = mail.outbox
    assert message.to == ["ventas@cables.example"] and message.attachments[0][0] == f"{order.number}.pdf"

    page.goto(f"{live_server.url}/purchasing/suggestions/")
    row = page.locator(f"#suggestion-{tube.pk}")
    expect(row).to_contain_text("El pedido PV-2026-00007 necesita 30")
    expect(page.locator(f"#suggestion-{cable.pk}")).to_have_count(0)  # covered by the confirmed order
