"""From order to invoice in a browser, as a manager of a small company does it: part of the order delivered,
the delivery invoiced (the customer's billing address given on the invoice page when missing), the invoice
posted and its PDF downloaded; the order then shows its realised margin beside the quoted one."""

import io
import os

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from nexo.invoicing.models import Invoice
from nexo.parties.services import party_update
from nexo.sales.models import Delivery
from nexo.sales.tests.conftest import lead, make_quotation, opportunity  # noqa: F401 (fixtures)
from nexo.sales.tests.test_delivery_pages import goods, order  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("NEXO_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)])
def test_deliver_part_invoice_it_download_the_pdf_and_see_the_realised_margin(
    signed_in_page, live_server, make_user, company, order, goods, size  # noqa: F811
):
    make_user("gerente", "manager", language="es")
    party_update(company=company, party_id=order.party_id, by=None, tax_id="B97012348")
    page = signed_in_page("gerente")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    tag = size[0]

    # The order: 15 bolts (10 on hand, FIFO at 5.00), 3 nuts (average 2.00), an assembly. Deliver 8 bolts and
    # the 3 nuts; the other 7 bolts stay on a backorder.
    page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    page.click("#order-deliver")
    draft = Delivery.objects.get(order=order, state=Delivery.State.DRAFT)
    lines = {line.item.sku: line.pk for line in draft.lines.select_related("item")}
    page.fill(f"#id_line_{lines['BOLT-10']}", "8")
    expect(page.locator(f"#id_line_{lines['NUT-20']}")).to_have_value("3")
    page.click("#validate-delivery")
    expect(page.locator(".messages")).to_contain_text("validado")
    assert Delivery.objects.filter(backorder_of=draft, state=Delivery.State.DRAFT).exists()

    # Invoice what was delivered (and the assembly): the order is chosen on the page the order's button opens.
    page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    page.click("#order-invoice")
    page.click("#create-from-orders")
    expect(page.locator("#invoice-state")).to_contain_text("Borrador")
    # The lead has no billing address yet: the invoice page asks for it before posting.
    expect(page.locator("#address-needed")).to_be_visible()
    page.fill("#id_billing-street", "Calle de Sueca, 42")
    page.fill("#id_billing-postal_code", "46006")
    page.fill("#id_billing-city", "Valencia")
    page.fill("#id_billing-province", "Valencia")
    page.click("#save-billing-address")
    _shot(page, f"order-invoice-draft-{tag}")
    page.click("#post-invoice")
    invoice = Invoice.objects.get(party_id=order.party_id)
    expect(page.locator("#invoice-number")).to_contain_text(invoice.number or "F-")
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.POSTED and invoice.number.startswith("F-")
    # 8 x 9.00 = 72.00 + 3 x 4.00 = 12.00 at 21 % (84.00, VAT 17.64) and the assembly 50.00 at 21 %:
    # base 134.00, VAT 28.14, total 162.14.
    expect(page.locator("#total")).to_contain_text("162,14")
    _shot(page, f"order-invoice-posted-{tag}")

    # The PDF, as the download link gives it.
    pdf = page.request.get(live_server.url + page.locator("#download-pdf").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(pdf.body())).pages)
    assert invoice.number in text and "B97012348" in text and "Calle de Sueca, 42" in text
    assert "162,14" in text

    # The order: quoted margin beside the realised one, measured on what is delivered and invoiced:
    # net 134.00 against the cost of the goods that left, 8 x 5.00 + 3 x 2.00 = 46.00: 88.00, 65.67 %.
    page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    expect(page.locator("#order-realised-net")).to_contain_text("134,00")
    expect(page.locator("#order-realised-cost")).to_contain_text("46,00")
    expect(page.locator("#order-realised-margin")).to_contain_text("88,00")
    expect(page.locator("#order-realised-margin-percent")).to_contain_text("65,67")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, f"order-realised-margin-{tag}")
